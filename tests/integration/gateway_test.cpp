// The AI gateway over real sockets: clients speak OpenAI or Anthropic to the server, the server
// speaks OpenAI, Anthropic or Gemini to a mock provider (tests/support/mock_provider.hpp)
// that misbehaves on demand.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include <boost/json.hpp>

#include "core/logging.hpp"
#include "mock_provider.hpp"
#include "tenant_world.hpp"

namespace aic::test {
namespace {

// The catalogue: one provider account per wire format on the same mock, a model on each, and
// routes over them.
std::string catalog(const MockProvider& mock) {
  std::string base = mock.base_url();
  return R"({
    "providers": [
      {"name": "oa", "kind": "openai", "base_url": ")" +
         base + R"(/v1", "api_key": "sk-upstream"},
      {"name": "an", "kind": "anthropic", "base_url": ")" +
         base + R"(/v1", "api_key": "sk-ant"},
      {"name": "gm", "kind": "gemini", "base_url": ")" +
         base + R"(/v1beta", "api_key": "gm-key"}
    ],
    "models": [
      {"name": "gpt-test", "provider": "oa", "upstream_model": "gpt-upstream", "aliases": ["fast"],
       "input_price": 1.0, "output_price": 2.0},
      {"name": "claude-test", "provider": "an", "upstream_model": "claude-upstream"},
      {"name": "gemini-test", "provider": "gm", "upstream_model": "gemini-upstream"},
      {"name": "embed-test", "provider": "oa", "type": "embeddings"},
      {"name": "gemini-embed", "provider": "gm", "upstream_model": "text-embedding-004", "type": "embeddings"}
    ],
    "routes": [
      {"name": "smart", "strategy": "fallback", "targets": ["gpt-test", "claude-test", "gemini-test"]},
      {"name": "claude-first", "strategy": "fallback", "targets": ["claude-test", "gpt-test"]}
    ]
  })";
}

struct Gateway {
  explicit Gateway(std::function<void(core::Config&)> tune = {})
      : world([this, tune](core::Config& config) {
          config.ai.catalog_json = catalog(mock);
          config.ai.retry_base_delay = std::chrono::milliseconds(5);
          if (tune) tune(config);
        }) {}

  std::optional<RawResponse> post(const std::string& target, const std::string& body) {
    return world.call("POST", target, world.owner_a, body);
  }

  // A streamed answer: the raw event-stream text until the connection closes.
  std::string stream(const std::string& target, const std::string& body,
                     RawResponse* head = nullptr) {
    RawClient client(world.server.port());
    std::string request =
        "POST " + target + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + world.owner_a +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    client.send(request);
    std::string raw = client.read_until("\r\n0\r\n\r\n");
    auto head_end = raw.find("\r\n\r\n");
    if (head) {
      head->status = std::stoi(raw.substr(9, 3));
      std::string head_text = raw.substr(0, head_end);
      for (std::string_view name : {"aic-route", "Content-Type"}) {
        auto at = head_text.find(std::string(name) + ": ");
        if (at != std::string::npos) {
          auto end = head_text.find("\r\n", at);
          head->headers.emplace_back(
              std::string(name),
              head_text.substr(at + name.size() + 2, end - at - name.size() - 2));
        }
      }
    }
    return dechunk(raw.substr(head_end + 4));
  }

  static std::string dechunk(std::string_view body) {
    std::string out;
    while (!body.empty()) {
      auto line_end = body.find("\r\n");
      if (line_end == std::string_view::npos) break;
      std::size_t size = std::stoul(std::string(body.substr(0, line_end)), nullptr, 16);
      if (size == 0) break;
      out.append(body.substr(line_end + 2, size));
      body.remove_prefix(line_end + 2 + size + 2);
    }
    return out;
  }

  MockProvider mock;
  World world;
};

// The `data:` payloads of an event stream, [DONE] excluded.
std::vector<json::object> data_events(const std::string& text, bool* done = nullptr) {
  std::vector<json::object> events;
  std::size_t at = 0;
  if (done) *done = false;
  while ((at = text.find("data: ", at)) != std::string::npos) {
    auto end = text.find("\n\n", at);
    std::string payload = text.substr(at + 6, end - at - 6);
    at = end;
    if (payload == "[DONE]") {
      if (done) *done = true;
      continue;
    }
    events.push_back(json::parse(payload).as_object());
  }
  return events;
}

std::string chat_body(const std::string& model, const std::string& text, bool stream = false,
                      std::string extra = "") {
  json::object body{{"model", model},
                    {"messages", json::array{json::object{{"role", "user"}, {"content", text}}}}};
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = json::object{{"include_usage", true}};
  }
  std::string text_body = json::serialize(body);
  if (!extra.empty()) text_body.insert(text_body.size() - 1, "," + extra);
  return text_body;
}

constexpr std::string_view kWeatherTool =
    R"("tools":[{"type":"function","function":{"name":"weather","description":"Weather now",)"
    R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])";

TEST(Gateway, AnswersThroughEachProviderFormat) {
  Gateway gateway;
  for (std::string model : {"gpt-test", "claude-test", "gemini-test", "fast"}) {
    auto response = gateway.post("/v1/chat/completions", chat_body(model, "hello there"));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << model << ": " << response->body;
    auto body = body_of(*response);
    EXPECT_EQ(body["object"], "chat.completion");
    auto& message = body["choices"].as_array()[0].as_object()["message"].as_object();
    EXPECT_EQ(message["content"], "mock reply: hello there") << model;
    EXPECT_EQ(body["choices"].as_array()[0].as_object()["finish_reason"], "stop");
    // The mock counts words: "hello there" in, "mock reply: hello there" out.
    EXPECT_EQ(body["usage"].as_object()["prompt_tokens"], 2) << model;
    EXPECT_EQ(body["usage"].as_object()["completion_tokens"], 4) << model;
    EXPECT_TRUE(response->header("aic-route").has_value());
    EXPECT_TRUE(response->header("aic-overhead-us").has_value());
  }
  auto requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].target, "/v1/chat/completions");
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer sk-upstream");
  EXPECT_EQ(body_of(RawResponse{200, "", {}, requests[0].body})["model"], "gpt-upstream");
  EXPECT_EQ(requests[1].target, "/v1/messages");
  EXPECT_EQ(requests[1].header("x-api-key"), "sk-ant");
  EXPECT_EQ(requests[2].target, "/v1beta/models/gemini-upstream:generateContent");
  EXPECT_EQ(requests[2].header("x-goog-api-key"), "gm-key");
  EXPECT_EQ(*gateway.post("/v1/chat/completions", chat_body("fast", "x"))->header("aic-route"),
            "gpt-test@oa; attempt=1");
}

TEST(Gateway, StreamsFromEachProviderInOpenAiChunks) {
  Gateway gateway;
  for (std::string model : {"gpt-test", "claude-test", "gemini-test"}) {
    RawResponse head;
    std::string text =
        gateway.stream("/v1/chat/completions", chat_body(model, "tell me a story", true), &head);
    EXPECT_EQ(head.status, 200) << text;
    EXPECT_EQ(*head.header("Content-Type"), "text/event-stream");
    bool done = false;
    auto events = data_events(text, &done);
    EXPECT_TRUE(done) << model << ": " << text;
    std::string content;
    std::string finish;
    std::optional<json::object> usage;
    for (auto& event : events) {
      EXPECT_EQ(event["object"], "chat.completion.chunk");
      auto& choices = event["choices"].as_array();
      if (choices.empty()) {
        usage = event["usage"].as_object();
        continue;
      }
      auto& delta = choices[0].as_object()["delta"].as_object();
      if (delta.contains("content")) content += delta["content"].as_string();
      if (!choices[0].as_object()["finish_reason"].is_null())
        finish = choices[0].as_object()["finish_reason"].as_string();
    }
    EXPECT_EQ(content, "mock reply: tell me a story") << model;
    EXPECT_EQ(finish, "stop") << model;
    ASSERT_TRUE(usage) << model;
    EXPECT_EQ((*usage)["prompt_tokens"], 4) << model;
    EXPECT_EQ((*usage)["completion_tokens"], 6) << model;
  }
}

TEST(Gateway, StreamsToolCallsWithIdsNamesAndArgumentFragments) {
  Gateway gateway;
  for (std::string model : {"gpt-test", "claude-test", "gemini-test"}) {
    std::string text =
        gateway.stream("/v1/chat/completions",
                       chat_body(model, "CALL_TOOL please", true, std::string(kWeatherTool)));
    std::string id, name, arguments, finish;
    for (auto& event : data_events(text)) {
      auto& choices = event["choices"].as_array();
      if (choices.empty()) continue;
      auto& choice = choices[0].as_object();
      if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"].as_string();
      auto& delta = choice["delta"].as_object();
      if (!delta.contains("tool_calls")) continue;
      auto& call = delta["tool_calls"].as_array()[0].as_object();
      EXPECT_EQ(call["index"], 0);
      if (call.contains("id")) id = call["id"].as_string();
      auto& function = call["function"].as_object();
      if (function.contains("name")) name = function["name"].as_string();
      arguments += function["arguments"].as_string();
    }
    EXPECT_FALSE(id.empty()) << model;
    EXPECT_EQ(name, "weather") << model;
    EXPECT_EQ(json::parse(arguments), json::parse(R"({"city":"Oslo"})"))
        << model << ": " << arguments;
    EXPECT_EQ(finish, "tool_calls") << model;
  }
}

TEST(Gateway, AnthropicClientsGetAnthropicAnswers) {
  Gateway gateway;
  std::string body =
      R"({"model":"gpt-test","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"hi there"}]})";
  auto response = gateway.post("/v1/messages", body);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  auto answer = body_of(*response);
  EXPECT_EQ(answer["type"], "message");
  EXPECT_EQ(answer["content"].as_array()[0].as_object()["text"], "mock reply: hi there");
  EXPECT_EQ(answer["stop_reason"], "end_turn");
  EXPECT_EQ(answer["usage"].as_object()["output_tokens"], 4);

  std::string streamed = body;
  streamed.insert(streamed.size() - 1, R"(,"stream":true)");
  std::string text = gateway.stream("/v1/messages", streamed);
  for (std::string_view event :
       {"event: message_start", "event: content_block_start", "event: content_block_delta",
        "event: content_block_stop", "event: message_delta", "event: message_stop"}) {
    EXPECT_NE(text.find(event), std::string::npos) << event << " missing from " << text;
  }
  EXPECT_LT(text.find("event: message_start"), text.find("event: message_stop"));

  auto bad = gateway.post("/v1/messages",
                          R"({"model":"gpt-test","messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(bad->status, 400);
  EXPECT_EQ(body_of(*bad)["type"], "error");
  EXPECT_NE(
      std::string(body_of(*bad)["error"].as_object()["message"].as_string()).find("max_tokens"),
      std::string::npos);
}

// The body of a request the mock received, as JSON.
json::object sent_body(const MockProvider::Recorded& request) {
  return json::parse(request.body).as_object();
}

constexpr std::string_view kContactSchema =
    R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"],)"
    R"("additionalProperties":false})";

// Structured output asked for in either client format reaches each provider in its own form,
// and the JSON comes back as the answer's text.
TEST(Gateway, StructuredOutputReachesEachProviderInItsOwnForm) {
  Gateway gateway;
  json::value schema = json::parse(kContactSchema);

  // OpenAI client → Anthropic: output_config.format, without the name, strict or a beta.
  std::string openai_extra = R"("response_format":{"type":"json_schema","json_schema":)"
                             R"({"name":"contact","strict":true,"schema":)" +
                             std::string(kContactSchema) + "}}";
  auto to_claude = gateway.post("/v1/chat/completions",
                                chat_body("claude-test", "who is this", false, openai_extra));
  ASSERT_TRUE(to_claude);
  ASSERT_EQ(to_claude->status, 200) << to_claude->body;
  EXPECT_EQ(
      body_of(*to_claude)["choices"].as_array()[0].as_object()["message"].as_object()["content"],
      R"({"answer":"mock"})");
  auto requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/messages");
  EXPECT_EQ(requests[0].header("anthropic-beta"), "");
  json::object sent = sent_body(requests[0]);
  EXPECT_EQ(sent["output_config"],
            (json::object{{"format", json::object{{"type", "json_schema"}, {"schema", schema}}}}));
  EXPECT_FALSE(sent.contains("output_format"));
  EXPECT_FALSE(sent.contains("response_format"));

  // Anthropic client → OpenAI: response_format json_schema, named and strict.
  std::string messages_body =
      R"({"model":"gpt-test","max_tokens":64,"messages":[{"role":"user","content":"who is this"}],)"
      R"("output_config":{"format":{"type":"json_schema","schema":)" +
      std::string(kContactSchema) + "}}}";
  auto to_gpt = gateway.post("/v1/messages", messages_body);
  ASSERT_TRUE(to_gpt);
  ASSERT_EQ(to_gpt->status, 200) << to_gpt->body;
  EXPECT_EQ(body_of(*to_gpt)["content"].as_array()[0].as_object()["text"], R"({"answer":"mock"})");
  requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/v1/chat/completions");
  EXPECT_EQ(
      sent_body(requests[1])["response_format"],
      (json::object{{"type", "json_schema"},
                    {"json_schema",
                     json::object{{"name", "output"}, {"schema", schema}, {"strict", true}}}}));

  // Anthropic client → Gemini: responseMimeType and responseJsonSchema.
  std::string to_gemini_body = messages_body;
  to_gemini_body.replace(to_gemini_body.find("gpt-test"), 8, "gemini-test");
  auto to_gemini = gateway.post("/v1/messages", to_gemini_body);
  ASSERT_TRUE(to_gemini);
  ASSERT_EQ(to_gemini->status, 200) << to_gemini->body;
  EXPECT_EQ(body_of(*to_gemini)["content"].as_array()[0].as_object()["text"],
            R"({"answer":"mock"})");
  requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].target, "/v1beta/models/gemini-upstream:generateContent");
  json::object generation = sent_body(requests[2])["generationConfig"].as_object();
  EXPECT_EQ(generation["responseMimeType"], "application/json");
  EXPECT_EQ(generation["responseJsonSchema"], schema);

  // Anthropic client → Anthropic: the member as the client sent it.
  std::string to_claude_body = messages_body;
  to_claude_body.replace(to_claude_body.find("gpt-test"), 8, "claude-test");
  auto passed = gateway.post("/v1/messages", to_claude_body);
  ASSERT_TRUE(passed);
  ASSERT_EQ(passed->status, 200) << passed->body;
  requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(sent_body(requests[3])["output_config"],
            json::parse(R"({"format":{"type":"json_schema","schema":)" +
                        std::string(kContactSchema) + "}}"));

  // An unknown member of output_config is refused before any provider is called.
  std::string effort = messages_body;
  effort.replace(effort.find(R"("output_config":{)") + 17, 0, R"("effort":"low",)");
  auto refused = gateway.post("/v1/messages", effort);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 400) << refused->body;
  EXPECT_NE(std::string(body_of(*refused)["error"].as_object()["message"].as_string())
                .find("`output_config.effort` is not supported"),
            std::string::npos)
      << refused->body;

  // json_object has no Anthropic form: Anthropic alone refuses it naming the field; a route
  // skips Anthropic and answers from the next target.
  auto json_mode = gateway.post(
      "/v1/chat/completions",
      chat_body("claude-test", "x", false, R"("response_format":{"type":"json_object"})"));
  ASSERT_TRUE(json_mode);
  ASSERT_EQ(json_mode->status, 400) << json_mode->body;
  EXPECT_EQ(body_of(*json_mode)["error"].as_object()["param"], "response_format.type");
  auto routed = gateway.post(
      "/v1/chat/completions",
      chat_body("claude-first", "x", false, R"("response_format":{"type":"json_object"})"));
  ASSERT_TRUE(routed);
  ASSERT_EQ(routed->status, 200) << routed->body;
  EXPECT_EQ(routed->header("aic-route")->substr(0, 11), "gpt-test@oa");
  requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[4].target, "/v1/chat/completions");
  EXPECT_EQ(sent_body(requests[4])["response_format"], (json::object{{"type", "json_object"}}));
}

TEST(Gateway, RetriesThenFailsOverOn429AndServerErrors) {
  Gateway gateway([](core::Config& config) { config.ai.max_attempts = 2; });
  // gpt-test fails twice (429 with a short Retry-After, then 500): the route moves on to claude.
  gateway.mock.push_fault({MockFault::Kind::kStatus, 429, "0"});
  gateway.mock.push_fault({MockFault::Kind::kStatus, 500});
  auto response = gateway.post("/v1/chat/completions", chat_body("smart", "fail over"));
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(*response->header("aic-route"),
            "claude-test@an; route=smart; strategy=fallback; attempt=3");
  auto requests = gateway.mock.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].target, "/v1/chat/completions");
  EXPECT_EQ(requests[1].target, "/v1/chat/completions");
  EXPECT_EQ(requests[2].target, "/v1/messages");

  // One 503 then success: the same target answers on its second attempt.
  gateway.mock.push_fault({MockFault::Kind::kStatus, 503});
  response = gateway.post("/v1/chat/completions", chat_body("gpt-test", "again"));
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(*response->header("aic-route"), "gpt-test@oa; attempt=2");
}

TEST(Gateway, ReportsExhaustedTargetsInOpenAiShape) {
  Gateway gateway([](core::Config& config) { config.ai.max_attempts = 1; });
  gateway.mock.push_fault({MockFault::Kind::kStatus, 429, "30"});
  auto response = gateway.post("/v1/chat/completions", chat_body("gpt-test", "x"));
  ASSERT_EQ(response->status, 429) << response->body;
  EXPECT_EQ(*response->header("Retry-After"), "30");
  auto body = body_of(*response);
  EXPECT_EQ(body["type"], "urn:aic:problem:quota-exceeded");
  EXPECT_EQ(body["error"].as_object()["type"], "rate_limit_error");

  // A request the provider refuses as invalid is the client's: 400, no fail-over.
  gateway.mock.push_fault({MockFault::Kind::kStatus, 400});
  response = gateway.post("/v1/chat/completions", chat_body("smart", "x"));
  ASSERT_EQ(response->status, 400) << response->body;
  EXPECT_EQ(gateway.mock.count(), 2u);

  gateway.mock.push_fault({MockFault::Kind::kMalformedJson});
  response = gateway.post("/v1/chat/completions", chat_body("gpt-test", "x"));
  EXPECT_EQ(response->status, 502) << response->body;
  EXPECT_EQ(body_of(*response)["error"].as_object()["type"], "api_error");

  response = gateway.post("/v1/chat/completions", chat_body("no-such-model", "x"));
  ASSERT_EQ(response->status, 404);
  body = body_of(*response);
  EXPECT_EQ(body["field"], "model");
  EXPECT_EQ(body["error"].as_object()["code"], "model_not_found");

  response =
      gateway.post("/v1/chat/completions", R"({"model":"gpt-test","messages":[{"role":"user"}]})");
  ASSERT_EQ(response->status, 400);
  EXPECT_EQ(body_of(*response)["error"].as_object()["param"], "messages[0].content");
}

TEST(Gateway, CircuitBreakerStopsCallingADeadTarget) {
  Gateway gateway([](core::Config& config) {
    config.ai.max_attempts = 1;
    config.ai.breaker_failures = 2;
    config.ai.breaker_cooldown = std::chrono::minutes(5);
  });
  gateway.mock.push_fault({MockFault::Kind::kStatus, 500});
  gateway.mock.push_fault({MockFault::Kind::kStatus, 500});
  EXPECT_EQ(gateway.post("/v1/chat/completions", chat_body("gpt-test", "x"))->status, 502);
  EXPECT_EQ(gateway.post("/v1/chat/completions", chat_body("gpt-test", "x"))->status, 502);
  auto response = gateway.post("/v1/chat/completions", chat_body("gpt-test", "x"));
  ASSERT_EQ(response->status, 503) << response->body;
  EXPECT_NE(response->body.find("circuit open"), std::string::npos);
  EXPECT_EQ(gateway.mock.count(), 2u);  // the third request never left the gateway
  // A route skips the open target and answers from the next one.
  response = gateway.post("/v1/chat/completions", chat_body("smart", "x"));
  ASSERT_EQ(response->status, 200);
  EXPECT_EQ(*response->header("aic-route"),
            "claude-test@an; route=smart; strategy=fallback; attempt=1");
}

TEST(Gateway, TimesOutAHungProvider) {
  Gateway gateway([](core::Config& config) {
    config.ai.max_attempts = 1;
    config.ai.first_byte_timeout = std::chrono::milliseconds(300);
  });
  gateway.mock.push_fault({MockFault::Kind::kHang});
  auto response = gateway.post("/v1/chat/completions", chat_body("gpt-test", "x"));
  ASSERT_EQ(response->status, 504) << response->body;
  EXPECT_EQ(body_of(*response)["error"].as_object()["type"], "timeout");
}

TEST(Gateway, BrokenStreamsEndWithAnErrorEvent) {
  Gateway gateway;
  for (auto kind : {MockFault::Kind::kTruncatedStream, MockFault::Kind::kMidStreamError}) {
    gateway.mock.push_fault({kind, 500});
    bool done = true;
    std::string text = gateway.stream("/v1/chat/completions",
                                      chat_body("claude-test", "one two three four", true));
    auto events = data_events(text, &done);
    EXPECT_FALSE(done) << text;
    ASSERT_FALSE(events.empty()) << text;
    EXPECT_TRUE(events.back().contains("error")) << text;
  }
}

TEST(Gateway, ClientLeavingCancelsTheUpstreamStream) {
  Gateway gateway;
  gateway.mock.set_stream_event_delay(std::chrono::milliseconds(20));
  std::string words;
  for (int i = 0; i < 200; ++i) words += "word ";
  {
    RawClient client(gateway.world.server.port());
    std::string body = chat_body("gpt-test", words, true);
    client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                gateway.world.owner_a + "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_NE(client.read_until("mock").find("mock"), std::string::npos);
    client.reset();
  }
  EXPECT_TRUE(
      eventually([&] { return gateway.mock.abandoned_streams() == 1; }, std::chrono::seconds(10)));
}

// A client that gives up on a non-streamed answer: the gateway notices the closed connection
// while the provider is still thinking, and cancels that call (the mock sees its client go).
TEST(Gateway, ClientLeavingCancelsAWaitingProviderCall) {
  struct Case {
    std::string path;
    std::string body;
    std::string model;
  };
  for (const Case& request :
       {Case{"/v1/chat/completions", chat_body("gpt-test", "take your time"), "gpt-test"},
        Case{"/v1/embeddings", R"({"model":"embed-test","input":"take your time"})",
             "embed-test"}}) {
    for (bool reset : {false, true}) {
      SCOPED_TRACE(request.path + (reset ? ", reset" : ", closed"));
      Gateway gateway([](core::Config& config) { config.ai.max_attempts = 1; });
      gateway.mock.push_fault({MockFault::Kind::kHang});
      {
        RawClient client(gateway.world.server.port());
        client.send("POST " + request.path + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                    gateway.world.owner_a +
                    "\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(request.body.size()) + "\r\n\r\n" + request.body);
        ASSERT_TRUE(eventually([&] { return gateway.mock.hung_requests() == 1; },
                               std::chrono::seconds(10)));
        if (reset) client.reset();  // otherwise the destructor closes it (a FIN)
      }
      EXPECT_TRUE(eventually([&] { return gateway.mock.abandoned_holds() == 1; },
                             std::chrono::seconds(10)));
      // Counted as cancelled, not as an error of the provider.
      std::string requests = R"(aic_ai_requests_total{provider="oa",model=")" + request.model +
                             R"(",outcome="cancelled"} 1)";
      std::string attempts = R"(aic_ai_upstream_attempts_total{provider="oa",model=")" +
                             request.model + R"(",outcome="cancelled"} 1)";
      auto cancelled = [&] {
        auto metrics = http_request(gateway.world.server.port(), "GET", "/metrics");
        return metrics && metrics->body.find(requests) != std::string::npos &&
               metrics->body.find(attempts) != std::string::npos;
      };
      EXPECT_TRUE(eventually(cancelled, std::chrono::seconds(10)));
    }
  }
}

// A client still connected gets its answer, also when it sends its next request early
// (pipelining): bytes from the client are not mistaken for it leaving.
TEST(Gateway, PipelinedRequestsAreNotMistakenForALeavingClient) {
  Gateway gateway;
  gateway.mock.push_fault(
      {.kind = MockFault::Kind::kDelay, .delay = std::chrono::milliseconds(300)});
  RawClient client(gateway.world.server.port());
  std::string body = chat_body("gpt-test", "first");
  std::string request =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
      gateway.world.owner_a +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  ASSERT_TRUE(client.send(request));
  ASSERT_TRUE(eventually([&] { return gateway.mock.count() == 1; }, std::chrono::seconds(10)));
  ASSERT_TRUE(client.send(request));
  for (int i = 0; i < 2; ++i) {
    auto response = client.read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 200) << response->body;
  }
  EXPECT_EQ(gateway.mock.abandoned_holds(), 0u);
}

TEST(Gateway, EmbeddingsAndModelList) {
  Gateway gateway;
  for (std::string model : {"embed-test", "gemini-embed"}) {
    auto response =
        gateway.post("/v1/embeddings", R"({"model":")" + model + R"(","input":["alpha","beta"]})");
    ASSERT_EQ(response->status, 200) << model << ": " << response->body;
    auto body = body_of(*response);
    auto& data = body["data"].as_array();
    ASSERT_EQ(data.size(), 2u);
    auto expected = MockProvider::embedding_of("beta", MockProvider::kDefaultDimensions);
    auto& vector = data[1].as_object()["embedding"].as_array();
    ASSERT_EQ(vector.size(), expected.size()) << model;
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_DOUBLE_EQ(vector[i].to_number<double>(), expected[i]);
  }
  auto packed = gateway.post(
      "/v1/embeddings", R"({"model":"embed-test","input":"alpha","encoding_format":"base64"})");
  ASSERT_EQ(packed->status, 200);
  EXPECT_TRUE(body_of(*packed)["data"].as_array()[0].as_object()["embedding"].is_string());
  auto wrong = gateway.post("/v1/embeddings", R"({"model":"gpt-test","input":"alpha"})");
  EXPECT_EQ(wrong->status, 400);

  auto models = gateway.world.call("GET", "/v1/models", gateway.world.owner_a);
  ASSERT_EQ(models->status, 200);
  std::vector<std::string> ids;
  auto list = body_of(*models);
  for (auto& entry : list["data"].as_array()) ids.emplace_back(entry.as_object()["id"].as_string());
  for (std::string id :
       {"gpt-test", "fast", "claude-test", "gemini-test", "embed-test", "smart", "claude-first"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
}

TEST(Gateway, RecordsUsageAndCostPerModelAndKey) {
  Gateway gateway;
  // gpt-test costs $1 per million input tokens and $2 per million output tokens.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(gateway.post("/v1/chat/completions", chat_body("gpt-test", "hello there"))->status,
              200);
  }
  std::string streamed =
      gateway.stream("/v1/chat/completions", chat_body("claude-test", "tell me a story", true));
  ASSERT_NE(streamed.find("[DONE]"), std::string::npos);
  gateway.world.server.gateway().usage().flush();

  auto response = gateway.world.call("GET", "/v1/ai/usage?group_by=model", gateway.world.owner_a);
  ASSERT_EQ(response->status, 200) << response->body;
  auto body = body_of(*response);
  auto& rows = body["data"].as_array();
  ASSERT_EQ(rows.size(), 2u) << response->body;
  auto& claude = rows[0].as_object();
  auto& gpt = rows[1].as_object();
  EXPECT_EQ(claude["model"], "claude-test");
  EXPECT_EQ(claude["requests"], 1);
  EXPECT_EQ(claude["input_tokens"], 4);
  EXPECT_EQ(claude["output_tokens"], 6);
  EXPECT_EQ(claude["cost_microdollars"], 0);  // no price configured
  EXPECT_EQ(gpt["model"], "gpt-test");
  EXPECT_EQ(gpt["requests"], 3);
  EXPECT_EQ(gpt["input_tokens"], 6);
  EXPECT_EQ(gpt["output_tokens"], 12);
  // Per request: 2 × $1/M + 4 × $2/M = 10 micro-dollars.
  EXPECT_EQ(gpt["cost_microdollars"], 30);
  EXPECT_EQ(gpt["cost_usd"], "0.000030");

  response = gateway.world.call("GET", "/v1/ai/usage?group_by=key,day", gateway.world.owner_a);
  ASSERT_EQ(response->status, 200);
  body = body_of(*response);
  ASSERT_EQ(body["data"].as_array().size(), 1u);
  EXPECT_EQ(body["data"].as_array()[0].as_object()["requests"], 4);

  // Another tenant sees none of it.
  response = gateway.world.call("GET", "/v1/ai/usage", gateway.world.owner_b);
  ASSERT_EQ(response->status, 200);
  EXPECT_TRUE(body_of(*response)["data"].as_array().empty());

  response = gateway.world.call("GET", "/v1/ai/usage?group_by=colour", gateway.world.owner_a);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(problem_field(*response), "group_by");
  response = gateway.world.call("GET", "/v1/ai/usage?from=2026-13-01", gateway.world.owner_a);
  EXPECT_EQ(problem_field(*response), "from");
}

// What the gateway did shows in /metrics per provider and model.
TEST(Gateway, CountsRequestsAttemptsAndTokensPerModel) {
  Gateway gateway;
  gateway.mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 500});
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(gateway.post("/v1/chat/completions", chat_body("gpt-test", "hello there"))->status,
              200);
  }
  ASSERT_EQ(gateway.post("/v1/chat/completions", chat_body("no-such-model", "x"))->status, 404);
  auto metrics = http_request(gateway.world.server.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const std::string& text = metrics->body;
  for (std::string_view line :
       {R"(aic_ai_requests_total{provider="oa",model="gpt-test",outcome="ok"} 2)",
        R"(aic_ai_upstream_attempts_total{provider="oa",model="gpt-test",outcome="retryable"} 1)",
        R"(aic_ai_upstream_attempts_total{provider="oa",model="gpt-test",outcome="ok"} 2)",
        R"(aic_ai_tokens_total{provider="oa",model="gpt-test",kind="input"} 4)",
        R"(aic_ai_tokens_total{provider="oa",model="gpt-test",kind="output"} 8)",
        R"(aic_ai_cost_microdollars_total{provider="oa",model="gpt-test"} 20)",
        R"(aic_ai_request_duration_seconds_count{provider="oa",model="gpt-test"} 2)",
        R"(aic_ai_gateway_overhead_seconds_count 2)"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

TEST(Gateway, CachesIdenticalRequestsPerTenant) {
  Gateway gateway([](core::Config& config) { config.ai.cache_ttl = std::chrono::minutes(1); });
  // The same question asked with the same limits: Anthropic's max_tokens is required.
  std::string body = chat_body("gpt-test", "cache me", false, R"("max_tokens":5)");
  auto first = gateway.post("/v1/chat/completions", body);
  ASSERT_EQ(first->status, 200);
  EXPECT_EQ(*first->header("aic-cache"), "miss");
  auto second = gateway.post("/v1/chat/completions", body);
  ASSERT_EQ(second->status, 200);
  EXPECT_EQ(*second->header("aic-cache"), "hit");
  EXPECT_EQ(*second->header("aic-route"), "gpt-test@oa; cache=hit");
  EXPECT_EQ(body_of(*second)["choices"], body_of(*first)["choices"]);
  EXPECT_EQ(gateway.mock.count(), 1u);

  // The same request streamed is replayed from the cache as a stream.
  RawResponse head;
  std::string text = gateway.stream(
      "/v1/chat/completions", chat_body("gpt-test", "cache me", true, R"("max_tokens":5)"), &head);
  bool done = false;
  std::string content;
  for (auto& event : data_events(text, &done)) {
    auto& choices = event["choices"].as_array();
    if (!choices.empty() && choices[0].as_object()["delta"].as_object().contains("content")) {
      content += choices[0].as_object()["delta"].as_object()["content"].as_string();
    }
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(content, "mock reply: cache me");
  EXPECT_EQ(gateway.mock.count(), 1u);

  // An Anthropic client asking the same gets the same answer in its own shape.
  auto anthropic = gateway.post(
      "/v1/messages",
      R"({"model":"gpt-test","max_tokens":5,"messages":[{"role":"user","content":"cache me"}]})");
  ASSERT_EQ(anthropic->status, 200) << anthropic->body;
  EXPECT_EQ(body_of(*anthropic)["content"].as_array()[0].as_object()["text"],
            "mock reply: cache me");

  // no-store bypasses it; another tenant never sees this tenant's answers.
  auto bypass = http_request(gateway.world.server.port(), "POST", "/v1/chat/completions", body,
                             {{"Authorization", "Bearer " + gateway.world.owner_a},
                              {"Content-Type", "application/json"},
                              {"Cache-Control", "no-store"}});
  ASSERT_EQ(bypass->status, 200);
  EXPECT_FALSE(bypass->header("aic-cache").has_value());
  auto other = gateway.world.call("POST", "/v1/chat/completions", gateway.world.owner_b, body);
  ASSERT_EQ(other->status, 200);
  EXPECT_EQ(*other->header("aic-cache"), "miss");
  EXPECT_EQ(gateway.mock.count(), 3u);
}

// Anthropic's clients send their key as x-api-key; /v1/messages takes it (and only it).
TEST(Gateway, AnthropicClientsMayAuthenticateWithXApiKey) {
  Gateway gateway;
  std::string body =
      R"({"model":"claude-test","max_tokens":32,"messages":[{"role":"user","content":"hi"}]})";
  auto answered = http_request(gateway.world.server.port(), "POST", "/v1/messages", body,
                               {{"Content-Type", "application/json"},
                                {"x-api-key", gateway.world.owner_a},
                                {"anthropic-version", "2023-06-01"}});
  ASSERT_EQ(answered->status, 200) << answered->body;
  EXPECT_EQ(body_of(*answered)["type"], "message");
  auto forged =
      http_request(gateway.world.server.port(), "POST", "/v1/messages", body,
                   {{"Content-Type", "application/json"}, {"x-api-key", "aic_live_notakey"}});
  EXPECT_EQ(forged->status, 401);
  EXPECT_EQ(body_of(*forged)["error"].as_object()["type"], "authentication_error");
  // Other routes read Authorization only.
  auto elsewhere = http_request(
      gateway.world.server.port(), "POST", "/v1/chat/completions", chat_body("gpt-test", "hi"),
      {{"Content-Type", "application/json"}, {"x-api-key", gateway.world.owner_a}});
  EXPECT_EQ(elsewhere->status, 401);
}

TEST(Gateway, NeedsTheAiInvokePermission) {
  Gateway gateway;
  auto [id, viewer] = gateway.world.create_key(gateway.world.owner_a, "viewer");
  auto response =
      gateway.world.call("POST", "/v1/chat/completions", viewer, chat_body("gpt-test", "x"));
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(gateway.mock.count(), 0u);
  // Answered by the filters before the handler, still in the shapes the SDKs read.
  EXPECT_EQ(body_of(*response)["error"].as_object()["type"], "permission_error");
  response = http_request(gateway.world.server.port(), "POST", "/v1/chat/completions",
                          chat_body("gpt-test", "x"), {{"Content-Type", "application/json"}});
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(body_of(*response)["type"], "urn:aic:problem:unauthenticated");
  EXPECT_EQ(body_of(*response)["error"].as_object()["type"], "authentication_error");
  response = http_request(gateway.world.server.port(), "POST", "/v1/messages", "{}",
                          {{"Content-Type", "application/json"}});
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(*response->header("Content-Type"), "application/json");
  EXPECT_EQ(body_of(*response)["type"], "error");
  EXPECT_EQ(body_of(*response)["error"].as_object()["type"], "authentication_error");
}

// Budgets: the owner limits an analyst's key; requests stop with 402 before the provider is
// called once the next one might not fit, threshold events are published once, and a raised
// limit lets requests through again.
TEST(Gateway, BudgetsStopAKeyAtItsMonthlyLimit) {
  Gateway gateway;
  World& world = gateway.world;
  auto [key_id, key] = world.create_key(world.owner_a, "analyst");
  auto created =
      world.call("POST", "/v1/ai/budgets", world.owner_a,
                 R"({"scope":"api_key","subject_id":")" + key_id +
                     R"(","monthly_limit_microdollars":100,"thresholds_percent":[50,100]})");
  ASSERT_EQ(created->status, 201) << created->body;
  auto budget = body_of(*created);
  std::string budget_id(budget["id"].as_string());
  EXPECT_EQ(budget["scope"], "api_key");
  EXPECT_EQ(budget["subject_id"], json::value(key_id));
  EXPECT_EQ(budget["spent_microdollars"], 0);
  EXPECT_EQ(budget["remaining_microdollars"], 100);
  EXPECT_EQ(budget["monthly_limit_usd"], "0.000100");
  EXPECT_EQ(*created->header("ETag"), "\"1\"");

  // Each answer costs 10 micro-dollars (2 input tokens × $1/M + 4 output × $2/M); each
  // request reserves its bytes / 4 as input and its max_tokens (10) as output first.
  std::string body = chat_body("gpt-test", "hello there", false, R"("max_tokens":10)");
  int answered = 0;
  std::optional<RawResponse> refused;
  for (int i = 0; i < 20 && !refused; ++i) {
    auto response = world.call("POST", "/v1/chat/completions", key, body);
    ASSERT_TRUE(response);
    if (response->status == 402) {
      refused = response;
    } else {
      ASSERT_EQ(response->status, 200) << response->body;
      ++answered;
    }
  }
  ASSERT_TRUE(refused) << "the budget never stopped the key";
  EXPECT_GE(answered, 1);
  EXPECT_LE(answered * 10, 100);
  EXPECT_EQ(gateway.mock.count(), static_cast<std::size_t>(answered));  // 402 before the provider
  auto problem = body_of(*refused);
  EXPECT_EQ(problem["type"], "urn:aic:problem:budget-exceeded");
  EXPECT_EQ(problem["budget_id"], json::value(budget_id));
  EXPECT_EQ(problem["limit_microdollars"], 100);
  EXPECT_EQ(problem["spent_microdollars"], answered * 10);
  EXPECT_GT(problem["spent_microdollars"].as_int64() + problem["estimate_microdollars"].as_int64(),
            100);
  EXPECT_EQ(problem["error"].as_object()["type"], "insufficient_quota");
  EXPECT_EQ(problem["error"].as_object()["code"], "budget_exceeded");
  // Streams and Anthropic clients are stopped the same way, in their own shapes.
  auto streamed = world.call("POST", "/v1/chat/completions", key,
                             chat_body("gpt-test", "hello there", true, R"("max_tokens":10)"));
  EXPECT_EQ(streamed->status, 402);
  auto anthropic = world.call(
      "POST", "/v1/messages", key,
      R"({"model":"gpt-test","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(anthropic->status, 402);
  EXPECT_EQ(body_of(*anthropic)["error"].as_object()["type"], "billing_error");
  // The owner's own key has no budget, and the tenant none either.
  EXPECT_EQ(world.call("POST", "/v1/chat/completions", world.owner_a, body)->status, 200);

  // The spend is recorded, and each threshold sent its event once.
  world.server.gateway().usage().flush();
  auto listed = world.call("GET", "/v1/ai/budgets", world.owner_a);
  ASSERT_EQ(listed->status, 200) << listed->body;
  auto listing = body_of(*listed);
  auto& items = listing["data"].as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].as_object().at("spent_microdollars"), answered * 10);
  auto events = world.server.events().read_after(world.tenant_a, 0, 1000);
  ASSERT_TRUE(events);
  std::vector<std::int64_t> thresholds;
  for (const auto& event : *events) {
    if (event.type != "ai.budget.threshold_reached") continue;
    auto data = json::parse(event.data).as_object();
    EXPECT_EQ(data["budget_id"], json::value(budget_id));
    EXPECT_EQ(data["subject_id"], json::value(key_id));
    thresholds.push_back(data["threshold_percent"].as_int64());
  }
  // 50 % was crossed; 100 % only if the last answers reached the limit exactly.
  ASSERT_FALSE(thresholds.empty());
  EXPECT_EQ(thresholds[0], 50);
  EXPECT_EQ(thresholds.size(), answered * 10 >= 100 ? 2u : 1u);

  // A higher limit applies at once.
  auto raised = world.call("PATCH", "/v1/ai/budgets/" + budget_id, world.owner_a,
                           R"({"monthly_limit_microdollars":100000})");
  ASSERT_EQ(raised->status, 200) << raised->body;
  EXPECT_EQ(body_of(*raised)["version"], 2);
  EXPECT_EQ(world.call("POST", "/v1/chat/completions", key, body)->status, 200);
  EXPECT_EQ(world.call("DELETE", "/v1/ai/budgets/" + budget_id, world.owner_a)->status, 204);
  EXPECT_EQ(world.call("GET", "/v1/ai/budgets/" + budget_id, world.owner_a)->status, 404);
}

// A stream holds its reservation until it ends, so a second request cannot spend what the
// first may still need.
TEST(Gateway, AStreamHoldsItsReservationUntilItEnds) {
  Gateway gateway;
  World& world = gateway.world;
  ASSERT_EQ(world
                .call("POST", "/v1/ai/budgets", world.owner_a,
                      R"({"scope":"tenant","monthly_limit_microdollars":300})")
                ->status,
            201);
  // Each request may cost about 240: ~40 input tokens and 100 output tokens at $2/M.
  std::string stream_body = chat_body("gpt-test", "tell me a story", true, R"("max_tokens":100)");
  std::string plain_body = chat_body("gpt-test", "tell me a story", false, R"("max_tokens":100)");
  gateway.mock.set_stream_event_delay(std::chrono::milliseconds(200));
  RawClient client(world.server.port());
  client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
              world.owner_a + "\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(stream_body.size()) + "\r\n\r\n" + stream_body);
  std::string head = client.read_until("\r\n\r\n");
  ASSERT_NE(head.find(" 200 "), std::string::npos) << head;
  auto second = world.call("POST", "/v1/chat/completions", world.owner_a, plain_body);
  EXPECT_EQ(second->status, 402) << second->body;
  std::string rest = client.read_until("\r\n0\r\n\r\n");
  ASSERT_NE(rest.find("[DONE]"), std::string::npos);
  // The stream cost 16 (4 input, 6 output tokens): the rest of the reservation is free again.
  gateway.mock.set_stream_event_delay(std::chrono::milliseconds(0));
  auto third = world.call("POST", "/v1/chat/completions", world.owner_a, plain_body);
  EXPECT_EQ(third->status, 200) << third->body;
}

TEST(Gateway, BudgetRequestsAreCheckedAndTenantScoped) {
  Gateway gateway;
  World& world = gateway.world;
  auto [b_key_id, b_key] = world.create_key(world.owner_b, "analyst");
  auto [viewer_id, viewer] = world.create_key(world.owner_a, "viewer");
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  for (const Case& bad : std::vector<Case>{
           {R"({"scope":"planet","monthly_limit_microdollars":1})", 400, "/scope"},
           {R"({"scope":"tenant"})", 400, "/monthly_limit_microdollars"},
           {R"({"scope":"tenant","monthly_limit_microdollars":-5})", 400,
            "/monthly_limit_microdollars"},
           {R"({"scope":"tenant","monthly_limit_microdollars":5,"thresholds_percent":[80,50]})",
            400, "/thresholds_percent/1"},
           {R"({"scope":"tenant","monthly_limit_microdollars":5,"thresholds_percent":[150]})", 400,
            "/thresholds_percent/0"},
           {R"({"scope":"tenant","subject_id":"x","monthly_limit_microdollars":5})", 400,
            "/subject_id"},
           {R"({"scope":"api_key","monthly_limit_microdollars":5})", 400, "/subject_id"},
           {R"({"scope":"tenant","monthly_limit_microdollars":5,"tenant_id":"t"})", 400,
            "/tenant_id"},
           // Another tenant's key is not found, not forbidden.
           {R"({"scope":"api_key","subject_id":")" + b_key_id +
                R"(","monthly_limit_microdollars":5})",
            404, "/subject_id"},
       }) {
    auto response = world.call("POST", "/v1/ai/budgets", world.owner_a, bad.body);
    EXPECT_EQ(response->status, bad.status) << bad.body << " → " << response->body;
    EXPECT_EQ(problem_field(*response), bad.field) << bad.body;
  }
  auto created = world.call("POST", "/v1/ai/budgets", world.owner_a,
                            R"({"scope":"tenant","monthly_limit_microdollars":5000000})");
  ASSERT_EQ(created->status, 201);
  std::string id(body_of(*created)["id"].as_string());
  auto again = world.call("POST", "/v1/ai/budgets", world.owner_a,
                          R"({"scope":"tenant","monthly_limit_microdollars":7})");
  EXPECT_EQ(again->status, 409);
  // Budgets are billing's business: a viewer may not set them; another tenant cannot see them.
  EXPECT_EQ(world
                .call("POST", "/v1/ai/budgets", viewer,
                      R"({"scope":"tenant","monthly_limit_microdollars":7})")
                ->status,
            403);
  EXPECT_EQ(world.call("GET", "/v1/ai/budgets/" + id, world.owner_b)->status, 404);
  EXPECT_EQ(world
                .call("PATCH", "/v1/ai/budgets/" + id, world.owner_b,
                      R"({"monthly_limit_microdollars":1})")
                ->status,
            404);
  auto scoped =
      world.call("PATCH", "/v1/ai/budgets/" + id, world.owner_a, R"({"scope":"api_key"})");
  EXPECT_EQ(scoped->status, 400);
  EXPECT_EQ(problem_field(*scoped), "/scope");
  auto stale = http_request(world.server.port(), "PATCH", "/v1/ai/budgets/" + id,
                            R"({"monthly_limit_microdollars":1})",
                            {{"Authorization", "Bearer " + world.owner_a},
                             {"Content-Type", "application/json"},
                             {"If-Match", "\"7\""}});
  EXPECT_EQ(stale->status, 412);
}

// A tenant adds its own provider account (the mock) and a route through the API: its key is
// used upstream and never shown, only this tenant can call its models, and tenants' providers
// cannot reach addresses the operator did not allow.
TEST(Gateway, TenantsBringTheirOwnProvidersAndRoutes) {
  Gateway gateway([](core::Config& config) {
    config.auth.master_key = std::string(64, 'b');
    config.ai.tenant_allow_addresses = {"127.0.0.0/8"};
  });
  World& world = gateway.world;
  json::object provider{
      {"name", "own"},
      {"kind", "openai"},
      {"base_url", gateway.mock.base_url() + "/v1"},
      {"api_key", "sk-tenant-a"},
      {"models", json::array{json::object{
                     {"name", "tenant-gpt"}, {"upstream_model", "gpt-own"}, {"output_price", 2}}}}};
  auto created = world.call("POST", "/v1/ai/providers", world.owner_a, json::serialize(provider));
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->body.find("sk-tenant-a"), std::string::npos);
  EXPECT_EQ(body_of(*created)["has_api_key"], true);

  auto answered = world.call("POST", "/v1/chat/completions", world.owner_a,
                             chat_body("tenant-gpt", "hi there"));
  ASSERT_EQ(answered->status, 200) << answered->body;
  EXPECT_EQ(answered->header("aic-route")->rfind("tenant-gpt@own", 0), 0u)
      << *answered->header("aic-route");
  auto sent = gateway.mock.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].header("Authorization"), "Bearer sk-tenant-a");
  EXPECT_NE(sent[0].body.find("\"gpt-own\""), std::string::npos);
  auto fetched = world.call("GET", "/v1/ai/providers/own", world.owner_a);
  ASSERT_EQ(fetched->status, 200);
  EXPECT_EQ(fetched->body.find("sk-tenant-a"), std::string::npos);

  // A route over the tenant's model and the operator's.
  auto route = world.call("POST", "/v1/ai/routes", world.owner_a,
                          R"({"name":"own-first","targets":["tenant-gpt","gpt-test"]})");
  ASSERT_EQ(route->status, 201) << route->body;
  gateway.mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 500});
  gateway.mock.push_fault({.kind = MockFault::Kind::kStatus, .status = 500});
  auto routed =
      world.call("POST", "/v1/chat/completions", world.owner_a, chat_body("own-first", "hello"));
  ASSERT_EQ(routed->status, 200) << routed->body;
  EXPECT_EQ(routed->header("aic-route")->rfind("gpt-test@oa", 0), 0u)
      << *routed->header("aic-route");
  auto models = world.call("GET", "/v1/models", world.owner_a);
  EXPECT_NE(models->body.find("\"tenant-gpt\""), std::string::npos);
  EXPECT_NE(models->body.find("\"own-first\""), std::string::npos);

  // Tenant B sees none of it and cannot call it.
  auto other =
      world.call("POST", "/v1/chat/completions", world.owner_b, chat_body("tenant-gpt", "hi"));
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(world.call("GET", "/v1/models", world.owner_b)->body.find("tenant-gpt"),
            std::string::npos);
  EXPECT_EQ(world.call("GET", "/v1/ai/providers/own", world.owner_b)->status, 404);
  // An analyst may call the models but not read the provider's settings or add one.
  auto [analyst_id, analyst] = world.create_key(world.owner_a, "analyst");
  EXPECT_EQ(world.call("GET", "/v1/ai/providers", analyst)->status, 403);
  EXPECT_EQ(world.call("GET", "/v1/ai/routes", analyst)->status, 200);

  // Not to the cloud metadata address, whatever the scheme: refused when connecting.
  std::size_t before = gateway.mock.count();
  auto metadata = world.call(
      "POST", "/v1/ai/providers", world.owner_a,
      R"({"name":"meta","kind":"openai","base_url":"https://169.254.169.254/v1","models":[{"name":"meta-gpt"}]})");
  ASSERT_EQ(metadata->status, 201) << metadata->body;
  auto blocked =
      world.call("POST", "/v1/chat/completions", world.owner_a, chat_body("meta-gpt", "hi"));
  EXPECT_EQ(blocked->status, 502) << blocked->body;
  EXPECT_NE(blocked->body.find("169.254.169.254"), std::string::npos) << blocked->body;
  EXPECT_EQ(gateway.mock.count(), before);
  auto plain =
      world.call("POST", "/v1/ai/providers", world.owner_a,
                 R"({"name":"intranet","kind":"openai","base_url":"http://intranet.local/v1"})");
  EXPECT_EQ(plain->status, 400);
  EXPECT_EQ(problem_field(*plain), "/base_url");

  // The provider cannot go while a route needs it.
  EXPECT_EQ(world.call("DELETE", "/v1/ai/providers/own", world.owner_a)->status, 409);
  EXPECT_EQ(world.call("DELETE", "/v1/ai/routes/own-first", world.owner_a)->status, 204);
  EXPECT_EQ(world.call("DELETE", "/v1/ai/providers/own", world.owner_a)->status, 204);
  EXPECT_EQ(
      world.call("POST", "/v1/chat/completions", world.owner_a, chat_body("tenant-gpt", "hi"))
          ->status,
      404);
}

// A chat completion may name a stored prompt instead of sending messages: the gateway renders
// it (the label or version asked for, variables checked) and says which version it used.
TEST(Gateway, ChatCompletionsRenderStoredPrompts) {
  Gateway gateway;
  World& world = gateway.world;
  auto created = world.call("POST", "/v1/ai/prompts", world.owner_a, R"({
    "name": "greet",
    "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "Say hello to {{who}}"}],
    "variables": [{"name": "who", "type": "string"}],
    "model": "gpt-test"})");
  ASSERT_EQ(created->status, 201) << created->body;
  auto answered = world.call("POST", "/v1/chat/completions", world.owner_a,
                             R"({"aic_prompt":{"name":"greet","variables":{"who":"Ada"}}})");
  ASSERT_EQ(answered->status, 200) << answered->body;
  EXPECT_EQ(
      body_of(*answered)["choices"].as_array()[0].as_object()["message"].as_object()["content"],
      "mock reply: Say hello to Ada");
  EXPECT_EQ(*answered->header("aic-prompt"), "greet@1");
  auto sent = gateway.mock.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(sent[0].body.find("Be brief."), std::string::npos);
  // The request's own model wins over the prompt's; streaming works the same way.
  std::string streamed = gateway.stream(
      "/v1/chat/completions",
      R"({"model":"claude-test","stream":true,"aic_prompt":{"name":"greet","version":1,"variables":{"who":"Bo"}}})");
  EXPECT_NE(streamed.find("Bo"), std::string::npos) << streamed;
  EXPECT_NE(gateway.mock.requests().back().target.find("/v1/messages"), std::string::npos);

  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  for (
      const Case& bad : std::vector<Case>{
          {R"({"aic_prompt":{"name":"greet"}})", 400, "aic_prompt.variables.who"},
          {R"({"aic_prompt":{"name":"greet","variables":{"who":7}}})", 400,
           "aic_prompt.variables.who"},
          {R"({"aic_prompt":{"name":"greet","variables":{"who":"x","extra":1}}})", 400,
           "aic_prompt.variables.extra"},
          {R"({"aic_prompt":{"name":"greet","colour":"red"}})", 400, "aic_prompt.colour"},
          {R"({"aic_prompt":"greet"})", 400, "aic_prompt"},
          {R"({"model":"gpt-test","messages":[{"role":"user","content":"x"}],"aic_prompt":{"name":"greet"}})",
           400, "messages"},
          {R"({"aic_prompt":{"name":"nope"}})", 404, ""},
      }) {
    auto response = world.call("POST", "/v1/chat/completions", world.owner_a, bad.body);
    EXPECT_EQ(response->status, bad.status) << bad.body << " → " << response->body;
    if (!bad.field.empty()) {
      EXPECT_EQ(problem_field(*response), bad.field) << bad.body;
    }
  }
  // Another tenant's prompt is not found.
  auto other = world.call("POST", "/v1/chat/completions", world.owner_b,
                          R"({"aic_prompt":{"name":"greet","variables":{"who":"Ada"}}})");
  EXPECT_EQ(other->status, 404);

  // Anthropic's Messages take it too: the template's system message becomes `system`.
  auto messages = world.call(
      "POST", "/v1/messages", world.owner_a,
      R"({"model":"claude-test","max_tokens":64,"aic_prompt":{"name":"greet","label":null,"variables":{"who":"Cy"}}})");
  ASSERT_EQ(messages->status, 200) << messages->body;
  EXPECT_EQ(body_of(*messages)["content"].as_array()[0].as_object()["text"],
            "mock reply: Say hello to Cy");
  EXPECT_EQ(*messages->header("aic-prompt"), "greet@1");
  json::object upstream = json::parse(gateway.mock.requests().back().body).as_object();
  EXPECT_EQ(json::serialize(upstream["system"]), R"("Be brief.")");
  ASSERT_EQ(upstream["messages"].as_array().size(), 1u);
  auto both = world.call(
      "POST", "/v1/messages", world.owner_a,
      R"({"model":"claude-test","max_tokens":64,"system":"Mine.","aic_prompt":{"name":"greet","variables":{"who":"Cy"}}})");
  EXPECT_EQ(both->status, 400) << both->body;
  EXPECT_EQ(body_of(*both)["type"], "error");
  EXPECT_NE(std::string(body_of(*both)["error"].as_object()["message"].as_string()).find("system"),
            std::string::npos)
      << both->body;
}

// model "auto": after an evaluation of the task has run over two models, the cheapest model
// at or above the quality floor answers; a cheapest route with a floor does the same.
TEST(Gateway, AutoChoosesTheCheapestModelThatPassedTheTasksEvaluation) {
  Gateway gateway;
  World& world = gateway.world;
  // No evaluation yet: "auto" cannot choose.
  auto early = world.call("POST", "/v1/chat/completions", world.owner_a,
                          R"({"model":"auto","metadata":{"aic_task":"greet"},)"
                          R"("messages":[{"role":"user","content":"hello"}]})");
  EXPECT_EQ(early->status, 400) << early->body;
  EXPECT_EQ(problem_field(*early), "metadata.aic_task");

  std::string dataset;
  for (int i = 0; i < 3; ++i) {
    dataset += R"({"input":"hello )" + std::to_string(i) + R"(","expected":"mock reply: hello )" +
               std::to_string(i) + "\"}\n";
  }
  json::object eval{{"name", "greetings"},
                    {"task", "greet"},
                    {"grader", json::object{{"kind", "contains"}}},
                    {"dataset", dataset}};
  auto created = world.call("POST", "/v1/ai/evals", world.owner_a, json::serialize(eval));
  ASSERT_EQ(created->status, 201) << created->body;
  std::string eval_id(body_of(*created)["id"].as_string());
  auto started = world.call("POST", "/v1/ai/evals/" + eval_id + "/runs", world.owner_a,
                            R"({"models":["gpt-test","claude-test"],"concurrency":2})");
  ASSERT_EQ(started->status, 202) << started->body;
  std::string run_url = *started->header("Location");
  std::string status;
  ASSERT_TRUE(eventually(
      [&] {
        auto run = world.call("GET", run_url, world.owner_a);
        if (!run || run->status != 200) return false;
        status = std::string(body_of(*run)["status"].as_string());
        return status != "queued" && status != "running";
      },
      std::chrono::seconds(30)));
  ASSERT_EQ(status, "succeeded");

  // Both answered every item; claude-test has no price, so it is the cheapest.
  std::size_t before = gateway.mock.count();
  auto chosen = world.call("POST", "/v1/chat/completions", world.owner_a,
                           R"({"model":"auto","metadata":{"aic_task":"greet"},)"
                           R"("messages":[{"role":"user","content":"hello"}]})");
  ASSERT_EQ(chosen->status, 200) << chosen->body;
  EXPECT_EQ(chosen->header("aic-route")->rfind("claude-test@an; route=auto", 0), 0u)
      << *chosen->header("aic-route");
  EXPECT_EQ(gateway.mock.count(), before + 1);
  auto strict =
      world.call("POST", "/v1/chat/completions", world.owner_a,
                 R"({"model":"auto","metadata":{"aic_task":"greet","aic_min_quality":"1.5"},)"
                 R"("messages":[{"role":"user","content":"hello"}]})");
  EXPECT_EQ(strict->status, 400);
  EXPECT_EQ(problem_field(*strict), "metadata.aic_min_quality");
  auto unknown_task = world.call("POST", "/v1/chat/completions", world.owner_a,
                                 R"({"model":"auto","metadata":{"aic_task":"poetry"},)"
                                 R"("messages":[{"role":"user","content":"hello"}]})");
  EXPECT_EQ(unknown_task->status, 400);
  // Another tenant has no evaluations of its own.
  auto other = world.call("POST", "/v1/chat/completions", world.owner_b,
                          R"({"model":"auto","metadata":{"aic_task":"greet"},)"
                          R"("messages":[{"role":"user","content":"hello"}]})");
  EXPECT_EQ(other->status, 400);

  // A tenant route: cheapest among its targets that reach 0.9 on the task.
  auto route = world.call(
      "POST", "/v1/ai/routes", world.owner_a,
      R"({"name":"greeter","strategy":"cheapest","task":"greet","min_quality":0.9,"targets":["gpt-test","claude-test"]})");
  ASSERT_EQ(route->status, 201) << route->body;
  auto routed =
      world.call("POST", "/v1/chat/completions", world.owner_a, chat_body("greeter", "hello"));
  ASSERT_EQ(routed->status, 200) << routed->body;
  EXPECT_EQ(routed->header("aic-route")->rfind("claude-test@an; route=greeter", 0), 0u)
      << *routed->header("aic-route");
}

// ai.log_bodies: the request log shows the request and the answer, with what must not be in
// a log replaced. The app logger gets a second sink for the test's duration.
TEST(Gateway, TheRequestLogShowsBodiesRedactedWhenAskedTo) {
  core::log_info("test: the app logger exists before a sink is added");
  auto logger = spdlog::get("aic");
  ASSERT_TRUE(logger);
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  logger->sinks().push_back(sink);
  {
    Gateway gateway([](core::Config& config) {
      config.ai.log_bodies = true;
      config.log.level = "info";  // the request log writes at info
    });
    auto answered =
        gateway.post("/v1/chat/completions",
                     R"({"model":"gpt-test","messages":[{"role":"user","content":)"
                     R"("mail jane@example.com key sk-abcdefgh12345678 card 4111111111111111"}]})");
    ASSERT_TRUE(answered);
    EXPECT_EQ(answered->status, 200) << answered->body;
    std::string stream = gateway.stream(
        "/v1/chat/completions",
        R"({"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"to a@b.io"}]})");
    EXPECT_NE(stream.find("[DONE]"), std::string::npos);
  }
  logger->sinks().pop_back();
  const std::string log = captured.str();
  EXPECT_NE(log.find("body: "), std::string::npos) << log;
  EXPECT_NE(log.find(" answer: "), std::string::npos) << log;
  EXPECT_NE(log.find("streamed answer (ok)"), std::string::npos) << log;
  // The mock echoes the user text, so the answer carries the same data: redacted too.
  EXPECT_NE(log.find("mail [email] key [credential] card [number]"), std::string::npos) << log;
  EXPECT_EQ(log.find("jane@example.com"), std::string::npos);
  EXPECT_EQ(log.find("sk-abcdefgh12345678"), std::string::npos);
  EXPECT_EQ(log.find("4111111111111111"), std::string::npos);
  EXPECT_EQ(log.find("a@b.io"), std::string::npos);
}

}  // namespace
}  // namespace aic::test
