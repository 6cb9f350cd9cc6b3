// A smoke test of the mock model provider (tests/support/mock_provider.hpp) over real sockets:
// one plain and one streamed answer per provider format, a refused credential and faults (pushed
// in process and over HTTP).
// The formats themselves are the gateway tests' business; this only checks that every answer
// parses and that every stream ends with its provider's final event.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mock_provider.hpp"
#include "raw_client.hpp"

namespace aic::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kOpenAi = {{"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}};
const Headers kAnthropic = {{"x-api-key", "sk-ant-test"},
                            {"anthropic-version", "2023-06-01"},
                            {"Content-Type", "application/json"}};
const Headers kGemini = {{"x-goog-api-key", "gm-test"}, {"Content-Type", "application/json"}};

json::object parse(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << text;
  return !ec && value.is_object() ? value.get_object() : json::object();
}

// The `data:` payloads of a Server-Sent Events body whose events end with `separator`.
std::vector<std::string> event_data(std::string_view body, std::string_view separator) {
  std::vector<std::string> data;
  while (!body.empty()) {
    std::size_t end = body.find(separator);
    std::string_view event = body.substr(0, end);
    for (std::size_t at = 0; at < event.size();) {
      std::size_t line_end = std::min(event.find('\n', at), event.size());
      std::string_view line = event.substr(at, line_end - at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.starts_with("data: ")) data.emplace_back(line.substr(6));
      at = line_end + 1;
    }
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + separator.size());
  }
  return data;
}

TEST(MockProvider, OpenAiAnswersPlainAndStreamed) {
  MockProvider mock;
  auto plain = http_request(mock.port(), "POST", "/v1/chat/completions",
                            R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":)"
                            R"("be brief"},{"role":"user","content":"hello there"}]})",
                            kOpenAi);
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200) << plain->body;
  json::object completion = parse(plain->body);
  EXPECT_EQ(completion["model"], "gpt-4o-mini");
  EXPECT_EQ(completion["choices"].at(0).at("message").at("content"), "mock reply: hello there");
  EXPECT_EQ(completion["usage"].at("prompt_tokens"), 4);      // "be brief" + "hello there"
  EXPECT_EQ(completion["usage"].at("completion_tokens"), 4);  // "mock reply: hello there"

  auto streamed = http_request(
      mock.port(), "POST", "/v1/chat/completions",
      R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},)"
      R"("messages":[{"role":"user","content":"hello there"}]})",
      kOpenAi);
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->header("Content-Type").value_or(""), "text/event-stream; charset=utf-8");
  std::vector<std::string> data = event_data(streamed->body, "\n\n");
  ASSERT_GE(data.size(), 4u);
  EXPECT_EQ(data.back(), "[DONE]");
  std::string text;
  for (std::size_t i = 0; i + 1 < data.size(); ++i) {
    json::object chunk = parse(data[i]);
    const json::array& choices = chunk["choices"].as_array();
    if (!choices.empty()) {
      const json::value* content = choices.at(0).at("delta").as_object().if_contains("content");
      if (content != nullptr && content->is_string()) text += content->get_string();
    }
  }
  EXPECT_EQ(text, "mock reply: hello there");
  json::object usage_chunk = parse(data[data.size() - 2]);
  EXPECT_TRUE(usage_chunk["choices"].as_array().empty());
  EXPECT_EQ(usage_chunk["usage"].at("completion_tokens"), 4);
  EXPECT_EQ(mock.count(), 2u);
  EXPECT_EQ(mock.abandoned_streams(), 0u);  // read to the end
}

TEST(MockProvider, AnthropicAnswersPlainAndStreamedAndWantsAKey) {
  MockProvider mock;
  const std::string body =
      R"({"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})";
  auto plain = http_request(mock.port(), "POST", "/v1/messages", body, kAnthropic);
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200) << plain->body;
  json::object message = parse(plain->body);
  EXPECT_EQ(message["content"].at(0).at("text"), "mock reply: hi");
  EXPECT_EQ(message["stop_reason"], "end_turn");

  std::string stream_body = body;
  stream_body.insert(1, R"("stream":true,)");
  auto streamed = http_request(mock.port(), "POST", "/v1/messages", stream_body, kAnthropic);
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200);
  std::vector<std::string> data = event_data(streamed->body, "\n\n");
  ASSERT_GE(data.size(), 6u);
  for (const std::string& each : data) parse(each);
  EXPECT_EQ(parse(data.front())["type"], "message_start");
  EXPECT_EQ(parse(data.back())["type"], "message_stop");
  EXPECT_TRUE(
      streamed->body.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

  auto keyless = http_request(mock.port(), "POST", "/v1/messages", body,
                              {{"anthropic-version", "2023-06-01"}});
  ASSERT_TRUE(keyless);
  EXPECT_EQ(keyless->status, 401);
  EXPECT_EQ(parse(keyless->body)["error"].at("type"), "authentication_error");
}

TEST(MockProvider, GeminiAnswersPlainAndStreamed) {
  MockProvider mock;
  const std::string body = R"({"contents":[{"role":"user","parts":[{"text":"hi there"}]}]})";
  auto plain = http_request(mock.port(), "POST", "/v1beta/models/gemini-test:generateContent", body,
                            kGemini);
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200) << plain->body;
  json::object response = parse(plain->body);
  EXPECT_EQ(response["modelVersion"], "gemini-test");
  const json::value& candidate = response["candidates"].at(0);
  EXPECT_EQ(candidate.at("content").at("parts").at(0).at("text"), "mock reply: hi there");
  EXPECT_EQ(candidate.at("finishReason"), "STOP");

  auto streamed =
      http_request(mock.port(), "POST", "/v1beta/models/gemini-test:streamGenerateContent?alt=sse",
                   body, kGemini);
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200);
  std::vector<std::string> data = event_data(streamed->body, "\r\n\r\n");
  ASSERT_GE(data.size(), 2u);
  std::string text;
  for (const std::string& each : data) {
    json::object chunk = parse(each);
    text += chunk["candidates"].at(0).at("content").at("parts").at(0).at("text").as_string();
  }
  EXPECT_EQ(text, "mock reply: hi there");
  EXPECT_EQ(parse(data.back())["candidates"].at(0).at("finishReason"), "STOP");
  EXPECT_EQ(parse(data.back())["usageMetadata"].at("candidatesTokenCount"), 4);

  auto keyless = http_request(mock.port(), "POST", "/v1beta/models/gemini-test:generateContent",
                              body, {{"Content-Type", "application/json"}});
  ASSERT_TRUE(keyless);
  EXPECT_EQ(keyless->status, 403);
  EXPECT_EQ(parse(keyless->body)["error"].at("status"), "PERMISSION_DENIED");
}

TEST(MockProvider, ScriptedFaultsAreTakenOnePerRequest) {
  MockProvider mock;
  mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 429, .retry_after = "2"});
  mock.push_fault({.kind = MockFault::Kind::kMidStreamError, .status = 529});
  const std::string body = R"({"model":"claude-test","max_tokens":64,"stream":true,)"
                           R"("messages":[{"role":"user","content":"hi"}]})";

  auto limited = http_request(mock.port(), "POST", "/v1/messages", body, kAnthropic);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->header("Retry-After").value_or(""), "2");
  EXPECT_EQ(parse(limited->body)["error"].at("type"), "rate_limit_error");

  auto broken = http_request(mock.port(), "POST", "/v1/messages", body, kAnthropic);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 200);
  EXPECT_NE(broken->body.find("event: error\n"), std::string::npos) << broken->body;
  EXPECT_EQ(broken->body.find("message_stop"), std::string::npos) << broken->body;
  EXPECT_EQ(parse(event_data(broken->body, "\n\n").back())["error"].at("type"), "overloaded_error");

  auto normal = http_request(mock.port(), "POST", "/v1/messages", body, kAnthropic);
  ASSERT_TRUE(normal);
  EXPECT_TRUE(normal->body.ends_with("data: {\"type\":\"message_stop\"}\n\n")) << normal->body;
  ASSERT_EQ(mock.requests().size(), 3u);
  EXPECT_EQ(mock.requests()[0].header("x-api-key"), "sk-ant-test");
}

TEST(MockProvider, FaultsArriveOverHttpToo) {
  MockProvider mock;
  const Headers json_body = {{"Content-Type", "application/json"}};
  auto queued = http_request(mock.port(), "POST", "/__mock/faults",
                             R"({"kind":"status","status":429,"retry_after":"0"})", json_body);
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->status, 204) << queued->body;
  for (std::string_view wrong : {R"({"kind":"sulk"})", R"({"kind":"status","status":"429"})",
                                 R"({"kind":"delay","delay_ms":-1})", "[]"}) {
    auto refused = http_request(mock.port(), "POST", "/__mock/faults", wrong, json_body);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << wrong;
  }
  EXPECT_EQ(mock.count(), 0u);  // control requests are not provider requests

  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  auto limited = http_request(mock.port(), "POST", "/v1/chat/completions", body, kOpenAi);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->header("Retry-After").value_or(""), "0");
  auto normal = http_request(mock.port(), "POST", "/v1/chat/completions", body, kOpenAi);
  ASSERT_TRUE(normal);
  EXPECT_EQ(normal->status, 200);
  EXPECT_EQ(mock.count(), 2u);
}

TEST(MockProvider, HangHoldsTheRequestUntilTheMockGoes) {
  auto mock = std::make_unique<MockProvider>();
  mock->push_fault({.kind = MockFault::Kind::kHang});
  RawClient client(mock->port(), std::chrono::milliseconds(300));
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  ASSERT_TRUE(
      client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                  "Authorization: Bearer k\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body));
  EXPECT_FALSE(client.read_response());  // nothing within 300 ms
  EXPECT_EQ(mock->hung_requests(), 1u);
  auto started = std::chrono::steady_clock::now();
  mock.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(MockProvider, ClientLeavingAStreamIsNoticed) {
  MockProvider mock;
  mock.set_stream_event_delay(std::chrono::milliseconds(30));
  const std::string body = R"({"model":"m","stream":true,"messages":[{"role":"user","content":)"
                           R"("one two three four five six seven eight nine ten"}]})";
  {
    RawClient client(mock.port());
    ASSERT_TRUE(
        client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                    "Authorization: Bearer k\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body));
    ASSERT_NE(client.read_until(R"("content":"mock")").find(R"("content":"mock")"),
              std::string::npos);
  }  // closed after the first word of a stream of a dozen events
  EXPECT_TRUE(eventually([&] { return mock.abandoned_streams() == 1; }));
}

}  // namespace
}  // namespace aic::test
