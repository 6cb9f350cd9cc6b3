// OpenAI Chat Completions and Embeddings, in both directions: requests parsed from clients and
// written to providers, answers read from providers and written to clients, streams decoded
// and encoded. The literal bodies are in OpenAI's documented wire shapes.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "ai/formats/openai_format.hpp"

namespace aic::ai {
namespace {

boost::json::object parse(std::string_view text) { return boost::json::parse(text).as_object(); }

constexpr std::string_view kFullRequest = R"({
  "model": "gpt-4o-mini",
  "messages": [
    {"role": "developer", "content": "Be brief."},
    {"role": "user", "content": [
      {"type": "text", "text": "What is in this image?"},
      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}]},
    {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":\"cat\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "a cat"}
  ],
  "tools": [{"type": "function", "function": {"name": "lookup", "description": "Search",
             "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}, "strict": true}}],
  "tool_choice": {"type": "function", "function": {"name": "lookup"}},
  "parallel_tool_calls": false,
  "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true,
                      "schema": {"type": "object"}}},
  "temperature": 0.2, "top_p": 0.9, "max_completion_tokens": 100, "stop": ["END"], "seed": 42,
  "user": "u-1", "metadata": {"aic_task": "classify"}, "stream": true,
  "stream_options": {"include_usage": true}, "n": 1
})";

TEST(OpenAiRequest, ParsesEveryMember) {
  auto parsed = parse_chat_request(kFullRequest);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const ChatRequest& request = parsed.value();
  EXPECT_EQ(request.model, "gpt-4o-mini");
  ASSERT_EQ(request.messages.size(), 4u);
  EXPECT_EQ(request.messages[0].role, Role::kSystem);
  ASSERT_EQ(request.messages[1].content.size(), 2u);
  EXPECT_EQ(request.messages[1].content[1].kind, ContentPart::Kind::kImage);
  EXPECT_EQ(request.messages[1].content[1].image_detail, "low");
  ASSERT_EQ(request.messages[2].tool_calls.size(), 1u);
  EXPECT_EQ(request.messages[2].tool_calls[0].arguments, R"({"q":"cat"})");
  EXPECT_EQ(request.messages[3].tool_call_id, "call_1");
  ASSERT_EQ(request.tools.size(), 1u);
  EXPECT_TRUE(request.tools[0].strict);
  EXPECT_EQ(parse(request.tools[0].parameters).at("type"), "object");
  ASSERT_TRUE(request.tool_choice);
  EXPECT_EQ(request.tool_choice->mode, ToolChoice::Mode::kNamed);
  EXPECT_EQ(request.parallel_tool_calls, false);
  EXPECT_EQ(request.response_format.type, ResponseFormat::Type::kJsonSchema);
  EXPECT_EQ(request.response_format.name, "answer");
  EXPECT_DOUBLE_EQ(*request.temperature, 0.2);
  EXPECT_EQ(*request.max_tokens, 100);
  EXPECT_TRUE(request.max_completion_tokens_name);
  EXPECT_EQ(request.stop, std::vector<std::string>{"END"});
  EXPECT_EQ(*request.seed, 42);
  EXPECT_EQ(request.metadata.at("aic_task"), "classify");
  EXPECT_TRUE(request.stream);
  EXPECT_TRUE(request.include_usage);
}

TEST(OpenAiRequest, ErrorsNameTheFieldAtFault) {
  struct Case {
    std::string_view body;
    std::string_view field;
  };
  const Case cases[] = {
      {R"({"messages":[{"role":"user","content":"x"}]})", "model"},
      {R"({"model":"m","messages":[]})", "messages"},
      {R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]})",
       "messages[0].content[0].type"},
      {R"({"model":"m","messages":[{"role":"tool","content":"x"}]})", "messages[0].tool_call_id"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]}]})",
       "messages[0].tool_calls[0].function.name"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3})",
       "temperature"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})", "max_tokens"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":2})", "n"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"logit_bias":{}})", "logit_bias"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"function","function":{"name":"nope"}}})",
       "tool_choice.function.name"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]})",
       "stop"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{"k":1}})",
       "metadata.k"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema"}})",
       "response_format.json_schema"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_chat_request(c.body);
    ASSERT_FALSE(parsed) << c.body;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument) << c.body;
    EXPECT_EQ(parsed.error().field, c.field) << c.body << ": " << parsed.error().message;
  }
  auto not_json = parse_chat_request("{\"model\":");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, core::ErrorCode::kMalformedRequest);
}

TEST(OpenAiRequest, WritesTheProviderRequestLosslessly) {
  auto parsed = parse_chat_request(kFullRequest);
  ASSERT_TRUE(parsed);
  ProviderEndpoint endpoint{"main",
                            ProviderKind::kOpenAi,
                            "http://127.0.0.1:9/v1",
                            "sk-test",
                            "",
                            {{"OpenAI-Organization", "org-1"}}};
  auto outbound = openai_adapter().chat_request(parsed.value(), "gpt-4o-mini-2024-07-18", endpoint);
  ASSERT_TRUE(outbound) << outbound.error().message;
  EXPECT_EQ(outbound.value().url, "http://127.0.0.1:9/v1/chat/completions");
  auto& headers = outbound.value().headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>{"Authorization", "Bearer sk-test"}),
            headers.end());
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>{"OpenAI-Organization", "org-1"}),
            headers.end());

  auto sent = parse(outbound.value().body);
  auto original = parse(kFullRequest);
  EXPECT_EQ(sent.at("model"), "gpt-4o-mini-2024-07-18");
  // Members the gateway passes on unchanged.
  for (std::string_view key :
       {"tools", "tool_choice", "parallel_tool_calls", "response_format", "temperature", "top_p",
        "max_completion_tokens", "stop", "seed", "user"}) {
    EXPECT_EQ(sent.at(key), original.at(key)) << key;
  }
  EXPECT_EQ(sent.at("messages").as_array()[0].at("role"), "system");
  EXPECT_EQ(sent.at("messages").as_array()[1], original.at("messages").as_array()[1]);
  EXPECT_EQ(sent.at("messages").as_array()[2].at("tool_calls"),
            original.at("messages").as_array()[2].at("tool_calls"));
  EXPECT_EQ(sent.at("messages").as_array()[3], original.at("messages").as_array()[3]);
  EXPECT_EQ(sent.at("stream_options").at("include_usage"), true);
  EXPECT_FALSE(sent.contains("metadata"));  // the gateway's routing hints stay here
}

TEST(OpenAiRequest, AzureUsesTheDeploymentPathAndApiKeyHeader) {
  ChatRequest request;
  request.messages.push_back({Role::kUser, {ContentPart::make_text("hi")}, {}, {}, {}});
  ProviderEndpoint endpoint{
      "azure", ProviderKind::kAzureOpenAi, "https://example.invalid", "k", "2024-06-01", {}};
  auto outbound = azure_openai_adapter().chat_request(request, "prod-gpt", endpoint);
  ASSERT_TRUE(outbound);
  EXPECT_EQ(outbound.value().url,
            "https://example.invalid/openai/deployments/prod-gpt/chat/"
            "completions?api-version=2024-06-01");
  EXPECT_EQ(outbound.value().headers.front(),
            (std::pair<std::string, std::string>{"api-key", "k"}));
}

TEST(OpenAiResponse, ReadsAnswerAndWritesItBack) {
  constexpr std::string_view kAnswer = R"({
    "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1741569952,
    "model": "gpt-4.1-2025-04-14",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "refusal": null,
      "tool_calls": [{"id": "call_abc", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris\"}"}}]},
      "logprobs": null, "finish_reason": "tool_calls"}],
    "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99,
              "prompt_tokens_details": {"cached_tokens": 64, "audio_tokens": 0},
              "completion_tokens_details": {"reasoning_tokens": 5, "audio_tokens": 0}},
    "service_tier": "default"})";
  auto response = openai_adapter().chat_response(kAnswer);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response.value().finish_reason, FinishReason::kToolCalls);
  ASSERT_EQ(response.value().tool_calls.size(), 1u);
  EXPECT_EQ(response.value().tool_calls[0].name, "get_weather");
  ASSERT_TRUE(response.value().usage);
  EXPECT_EQ(response.value().usage->cached_input_tokens, 64);
  EXPECT_EQ(response.value().usage->reasoning_tokens, 5);

  auto written = parse(write_chat_response(response.value()));
  auto original = parse(kAnswer);
  EXPECT_EQ(written.at("id"), original.at("id"));
  EXPECT_EQ(written.at("created"), original.at("created"));
  EXPECT_EQ(written.at("choices").as_array()[0].at("message").at("tool_calls"),
            original.at("choices").as_array()[0].at("message").at("tool_calls"));
  EXPECT_EQ(written.at("choices").as_array()[0].at("finish_reason"), "tool_calls");
  EXPECT_EQ(written.at("usage").at("total_tokens"), 99);
  EXPECT_EQ(written.at("usage").at("prompt_tokens_details").at("cached_tokens"), 64);

  auto garbage = openai_adapter().chat_response(R"({"id":"x"})");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, core::ErrorCode::kUnavailable);
}

// A streamed answer with text, two tool calls whose arguments arrive in fragments, and the
// usage chunk that stream_options.include_usage adds after the finish.
constexpr std::string_view kStream =
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_"
    "reason\":null}],\"usage\":null}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me "
    "check\"},\"finish_reason\":null}],\"usage\":null}\n\n"
    ": keep-alive\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":"
    "\"function\","
    "\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}],\"usage\":"
    "null}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
    "\"{\\\"city\\\":\"}}]},"
    "\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":"
    "\"function\","
    "\"function\":{\"name\":\"time\",\"arguments\":\"{}\"}}]},\"finish_reason\":null}],\"usage\":"
    "null}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
    "\"\\\"Oslo\\\"}\"}}]},"
    "\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n"
    "data: "
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
    "\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29,"
    "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_"
    "tokens\":0}}}\n\n"
    "data: [DONE]\n\n";

std::vector<StreamEvent> decode(std::string_view stream, std::size_t piece,
                                core::Status* end = nullptr) {
  auto decoder = openai_adapter().chat_stream();
  std::vector<StreamEvent> events;
  for (std::size_t i = 0; i < stream.size(); i += piece) {
    auto fed = decoder->feed(stream.substr(i, piece), events);
    if (!fed) {
      if (end) *end = fed;
      return events;
    }
  }
  auto finished = decoder->finish(events);
  if (end) *end = finished;
  return events;
}

TEST(OpenAiStream, DecodesTextToolCallsAndUsageInAnyPieces) {
  for (std::size_t piece : {kStream.size(), std::size_t{1}, std::size_t{7}}) {
    core::Status end;
    auto events = decode(kStream, piece, &end);
    ASSERT_TRUE(end) << end.error().message;
    StreamAccumulator total;
    for (const auto& event : events) total.add(event);
    ASSERT_EQ(events.front().kind, StreamEvent::Kind::kStart);
    EXPECT_EQ(events.back().kind, StreamEvent::Kind::kUsage);
    const ChatResponse& response = total.response();
    EXPECT_EQ(response.id, "chatcmpl-1");
    EXPECT_EQ(response.text, "Let me check");
    ASSERT_EQ(response.tool_calls.size(), 2u);
    EXPECT_EQ(response.tool_calls[0].arguments, R"({"city":"Oslo"})");
    EXPECT_EQ(response.tool_calls[1].id, "call_b");
    EXPECT_EQ(response.finish_reason, FinishReason::kToolCalls);
    EXPECT_EQ(response.usage->total_tokens(), 29);
  }
}

TEST(OpenAiStream, TruncatedAndFailedStreamsAreErrors) {
  core::Status end;
  std::string_view cut = kStream.substr(0, kStream.find("\"finish_reason\":\"tool_calls\""));
  decode(cut, cut.size(), &end);
  ASSERT_FALSE(end);
  EXPECT_NE(end.error().message.find("before it was complete"), std::string::npos);

  std::string failing(kStream.substr(0, kStream.find("data: {", 10)));
  failing +=
      "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n";
  decode(failing, failing.size(), &end);
  ASSERT_FALSE(end);
  EXPECT_NE(end.error().message.find("The server had an error"), std::string::npos);

  decode("data: {not json}\n\n", 100, &end);
  ASSERT_FALSE(end);
}

TEST(OpenAiStream, WriterProducesTheChunkTranscript) {
  auto events = decode(kStream, kStream.size());
  auto writer = chat_stream_writer(true, 1700000000);
  std::string out;
  for (const auto& event : events) writer->event(event, out);
  writer->end(out);
  // Decoding what we wrote gives the same answer back.
  StreamAccumulator original;
  StreamAccumulator again;
  for (const auto& event : events) original.add(event);
  for (const auto& event : decode(out, out.size())) again.add(event);
  EXPECT_EQ(again.response().text, original.response().text);
  ASSERT_EQ(again.response().tool_calls.size(), 2u);
  EXPECT_EQ(again.response().tool_calls[0].arguments, original.response().tool_calls[0].arguments);
  EXPECT_EQ(again.response().usage->input_tokens, 20);
  EXPECT_TRUE(out.ends_with("data: [DONE]\n\n"));
  EXPECT_NE(out.find("\"object\":\"chat.completion.chunk\",\"created\":1700000000"),
            std::string::npos);

  auto without_usage = chat_stream_writer(false, 1);
  std::string plain;
  for (const auto& event : events) without_usage->event(event, plain);
  EXPECT_EQ(plain.find("\"usage\""), std::string::npos);

  std::string failed;
  writer->error(UpstreamError{429, "rate_limit_error", "openai: slow down", "", "", true}, failed);
  EXPECT_EQ(failed,
            "data: {\"error\":{\"message\":\"openai: slow "
            "down\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":null}}\n\n");
}

TEST(OpenAiErrors, MapsProviderErrors) {
  auto error = openai_adapter().error(
      429,
      R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
  EXPECT_EQ(error.status, 429);
  EXPECT_TRUE(error.retryable);
  EXPECT_EQ(error.code, "rate_limit_exceeded");
  EXPECT_EQ(error.message, "openai: Rate limit reached");
  auto ollama = openai_adapter().error(404, R"({"error":"model \"llama9\" not found"})");
  EXPECT_FALSE(ollama.retryable);
  EXPECT_EQ(ollama.type, "not_found_error");
  EXPECT_NE(ollama.message.find("llama9"), std::string::npos);
  auto html = openai_adapter().error(502, "<html>Bad Gateway</html>");
  EXPECT_TRUE(html.retryable);
  EXPECT_EQ(html.type, "server_error");
  EXPECT_NE(html.message.find("Bad Gateway"), std::string::npos);
}

TEST(OpenAiEmbeddings, ParsesWritesAndEncodesBase64) {
  auto request = parse_embedding_request(
      R"({"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"base64","dimensions":2})");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().inputs.size(), 2u);
  EXPECT_TRUE(request.value().base64);
  auto tokens = parse_embedding_request(R"({"model":"m","input":[[1,2,3]]})");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().field, "input[0]");

  auto answer = openai_adapter().embedding_response(
      R"({"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-1]},{"object":"embedding","index":0,"embedding":[1,2]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}})");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer.value().vectors[0], (std::vector<double>{1, 2}));
  EXPECT_EQ(answer.value().usage.input_tokens, 3);
  auto floats = parse(write_embedding_response(answer.value(), false));
  EXPECT_EQ(floats.at("data").as_array()[1].at("embedding").as_array()[0].as_double(), 0.5);
  auto packed = parse(write_embedding_response(answer.value(), true));
  // 1.0f and 2.0f as little-endian float32: 00 00 80 3f 00 00 00 40.
  EXPECT_EQ(packed.at("data").as_array()[0].at("embedding"), "AACAPwAAAEA=");
}

}  // namespace
}  // namespace aic::ai
