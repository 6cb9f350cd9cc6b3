#include "ai/formats/anthropic_format.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aic::ai {
namespace {

using Kind = StreamEvent::Kind;

boost::json::value parse(std::string_view text) { return boost::json::parse(text); }

ProviderEndpoint endpoint() {
  ProviderEndpoint endpoint;
  endpoint.name = "anthropic-main";
  endpoint.kind = ProviderKind::kAnthropic;
  endpoint.base_url = "https://api.anthropic.com/v1";
  endpoint.api_key = "sk-ant-test";
  return endpoint;
}

Message text_message(Role role, std::string text) {
  Message message;
  message.role = role;
  message.content.push_back(ContentPart::make_text(std::move(text)));
  return message;
}

ChatRequest hello_request() {
  ChatRequest request;
  request.model = "claude";
  request.messages.push_back(text_message(Role::kUser, "Hello"));
  return request;
}

core::Result<OutboundRequest> outbound(const ChatRequest& request) {
  return anthropic_adapter().chat_request(request, "claude-sonnet-4-5", endpoint());
}

// The outbound body as JSON; fails the test when the request was refused.
boost::json::value outbound_body(const ChatRequest& request) {
  auto result = outbound(request);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? parse(result->body) : boost::json::value();
}

std::string describe(const StreamEvent& event) {
  switch (event.kind) {
    case Kind::kStart:
      return "start " + event.id + " " + event.name;
    case Kind::kTextDelta:
      return "text " + event.text;
    case Kind::kRefusalDelta:
      return "refusal " + event.text;
    case Kind::kToolCallStart:
      return "call " + std::to_string(event.index) + " " + event.id + " " + event.name +
             (event.text.empty() ? "" : " " + event.text);
    case Kind::kToolCallDelta:
      return "args " + std::to_string(event.index) + " " + event.text;
    case Kind::kFinish:
      return "finish " + std::string(to_string(event.finish_reason));
    case Kind::kUsage:
      return "usage in=" + std::to_string(event.usage.input_tokens) +
             " out=" + std::to_string(event.usage.output_tokens) +
             " cached=" + std::to_string(event.usage.cached_input_tokens) +
             " write=" + std::to_string(event.usage.cache_write_tokens);
  }
  return "?";
}

struct Decoded {
  std::vector<std::string> events;
  std::string error;  // empty: feed and finish succeeded
};

// Decodes `transcript` fed in pieces of `piece` bytes (0: in one piece), then finishes.
Decoded decode(std::string_view transcript, std::size_t piece = 0) {
  auto decoder = anthropic_adapter().chat_stream();
  std::vector<StreamEvent> events;
  Decoded decoded;
  std::size_t step = piece == 0 ? std::max<std::size_t>(transcript.size(), 1) : piece;
  for (std::size_t at = 0; at < transcript.size(); at += step) {
    if (auto fed = decoder->feed(transcript.substr(at, step), events); !fed) {
      decoded.error = fed.error().message;
      break;
    }
  }
  if (decoded.error.empty()) {
    if (auto finished = decoder->finish(events); !finished)
      decoded.error = finished.error().message;
  }
  for (const auto& event : events) decoded.events.push_back(describe(event));
  return decoded;
}

// A realistic streamed answer: a text block, then two tool_use blocks (block indexes 1 and 2,
// tool-call indexes 0 and 1), with a ping and the empty first input_json_delta Anthropic sends.
constexpr std::string_view kToolStream = R"sse(event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":2}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", let's check: é→✓"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San Francisco, CA\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"tz\": \"PST\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

)sse";

const std::vector<std::string> tool_stream_events = {
    "start msg_014p7gG3wDgGV9EUtLvnow3U claude-sonnet-4-5-20250929",
    "text Okay",
    "text , let's check: é→✓",
    "call 0 toolu_01T1x1fJ34qAmk2tNTrN7Up6 get_weather",
    "args 0 {\"location\":",
    "args 0  \"San Francisco, CA\"}",
    "call 1 toolu_02 get_time",
    "args 1 {\"tz\": \"PST\"}",
    "finish tool_calls",
    "usage in=2572 out=89 cached=2000 write=100",
};

// ---------------------------------------------------------------------------------------
// Provider: requests

TEST(AnthropicRequest, BuildsUrlHeadersAndMinimalBody) {
  ProviderEndpoint target = endpoint();
  target.extra_headers = {{"anthropic-beta", "prompt-caching-2024-07-31"}};
  auto result = anthropic_adapter().chat_request(hello_request(), "claude-sonnet-4-5", target);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->url, "https://api.anthropic.com/v1/messages");
  std::vector<std::pair<std::string, std::string>> headers = {
      {"x-api-key", "sk-ant-test"},
      {"anthropic-version", "2023-06-01"},
      {"content-type", "application/json"},
      {"anthropic-beta", "prompt-caching-2024-07-31"}};
  EXPECT_EQ(result->headers, headers);
  // max_tokens is required by Anthropic: the documented default fills in.
  EXPECT_EQ(result->body,
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,)"
            R"("messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}]})");
  EXPECT_EQ(anthropic_adapter().kind(), ProviderKind::kAnthropic);
}

TEST(AnthropicRequest, UsesTheEndpointsApiVersionAndOmitsAnEmptyKey) {
  ProviderEndpoint target = endpoint();
  target.api_version = "2024-10-22";
  target.api_key.clear();
  auto result = anthropic_adapter().chat_request(hello_request(), "m", target);
  ASSERT_TRUE(result.has_value());
  std::vector<std::pair<std::string, std::string>> headers = {{"anthropic-version", "2024-10-22"},
                                                              {"content-type", "application/json"}};
  EXPECT_EQ(result->headers, headers);
}

TEST(AnthropicRequest, MapsAFullToolConversation) {
  ChatRequest request;
  request.model = "auto";
  request.messages.push_back(text_message(Role::kSystem, "You are terse."));
  request.messages.push_back(text_message(Role::kSystem, "Answer in French."));
  Message user = text_message(Role::kUser, "What is in this picture, and the weather?");
  ContentPart png;
  png.kind = ContentPart::Kind::kImage;
  png.image_url = "data:image/png;base64,iVBORw0KGgo=";
  png.image_detail = "high";
  user.content.push_back(png);
  ContentPart remote;
  remote.kind = ContentPart::Kind::kImage;
  remote.image_url = "https://example.com/cat.jpg";
  user.content.push_back(remote);
  request.messages.push_back(user);
  Message assistant;
  assistant.role = Role::kAssistant;
  assistant.content.push_back(ContentPart::make_text(""));  // OpenAI clients send content ""
  assistant.tool_calls = {{"call_1", "get_weather", R"({"city": "Paris", "days": [1, 2]})"},
                          {"call_2", "get_time", ""}};
  request.messages.push_back(assistant);
  Message weather = text_message(Role::kTool, "18 degrees");
  weather.tool_call_id = "call_1";
  request.messages.push_back(weather);
  Message time = text_message(Role::kTool, "14:05");
  time.tool_call_id = "call_2";
  request.messages.push_back(time);
  request.messages.push_back(text_message(Role::kUser, "Thanks"));
  request.tools = {
      {"get_weather", "Current weather",
       R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})", true},
      {"get_time", "", "", false}};
  request.tool_choice = ToolChoice{ToolChoice::Mode::kRequired, ""};
  request.parallel_tool_calls = false;
  request.temperature = 0.2;
  request.top_p = 0.9;
  request.top_k = 40;
  request.max_tokens = 512;
  request.stop = {"END", "STOP"};
  request.seed = 7;                       // ignored: Anthropic has no seed
  request.metadata = {{"team", "blue"}};  // OpenAI's metadata: not Anthropic's
  request.user = "user-42";
  request.stream = true;

  EXPECT_EQ(outbound_body(request), parse(R"({
    "model": "claude-sonnet-4-5",
    "max_tokens": 512,
    "system": [{"type": "text", "text": "You are terse."},
               {"type": "text", "text": "Answer in French."}],
    "messages": [
      {"role": "user", "content": [
        {"type": "text", "text": "What is in this picture, and the weather?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}]},
      {"role": "assistant", "content": [
        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris", "days": [1, 2]}},
        {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}]},
      {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "call_1", "content": "18 degrees"},
        {"type": "tool_result", "tool_use_id": "call_2", "content": "14:05"},
        {"type": "text", "text": "Thanks"}]}
    ],
    "tools": [
      {"name": "get_weather", "description": "Current weather",
       "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
      {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}],
    "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
    "temperature": 0.2,
    "top_p": 0.9,
    "top_k": 40,
    "stop_sequences": ["END", "STOP"],
    "metadata": {"user_id": "user-42"},
    "stream": true
  })"));
}

TEST(AnthropicRequest, PassesArgumentsAndSchemasThroughAsWritten) {
  ChatRequest request = hello_request();
  Message assistant;
  assistant.role = Role::kAssistant;
  assistant.tool_calls = {{"call_1", "f", R"({"b": 1, "a": 2.50})"}};
  request.messages.push_back(assistant);
  request.tools = {{"f", "", R"({"type":"object","properties":{"z":{},"a":{}}})", false}};
  auto result = outbound(request);
  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->body.find(R"("input":{"b": 1, "a": 2.50})"), std::string::npos) << result->body;
  EXPECT_NE(result->body.find(R"("input_schema":{"type":"object","properties":{"z":{},"a":{}}})"),
            std::string::npos);
}

// An OpenAI-style json_schema response format, as openai_format parses it.
constexpr std::string_view kContactSchema =
    R"({"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string"}},)"
    R"("required":["name","email"],"additionalProperties":false})";

TEST(AnthropicRequest, SendsAJsonSchemaAsOutputConfigFormat) {
  ChatRequest request = hello_request();
  request.response_format.type = ResponseFormat::Type::kJsonSchema;
  request.response_format.name = "contact";
  request.response_format.schema = kContactSchema;
  request.response_format.strict = true;
  auto result = outbound(request);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  // The generally available form: output_config.format with the schema as written, no name,
  // no strict, and no beta header (the older beta took output_format).
  EXPECT_EQ(result->body,
            R"({"model":"claude-sonnet-4-5","max_tokens":4096,)"
            R"("messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}],)"
            R"("output_config":{"format":{"type":"json_schema","schema":)" +
                std::string(kContactSchema) + "}}}");
  for (const auto& [name, value] : result->headers) EXPECT_NE(name, "anthropic-beta");

  // Beside tools and the sampling settings, in one request.
  request.response_format.strict = false;
  request.tools = {{"lookup", "", "", false}};
  request.top_k = 5;
  boost::json::value body = outbound_body(request);
  EXPECT_EQ(body.at("output_config"), parse(R"({"format":{"type":"json_schema","schema":)" +
                                            std::string(kContactSchema) + "}}"));
  EXPECT_EQ(body.at("tools").as_array().size(), 1u);
  EXPECT_EQ(body.at("top_k"), 5);
  EXPECT_FALSE(body.as_object().contains("output_format"));
}

TEST(AnthropicRequest, KeepsCacheBreakpointsAndWritesOneSystemTextAsAString) {
  ChatRequest request;
  request.messages.push_back(text_message(Role::kSystem, "Long instructions"));
  Message user = text_message(Role::kUser, "A long document");
  user.content.front().cache_breakpoint = true;
  user.content.push_back(ContentPart::make_text("The question"));
  request.messages.push_back(user);
  boost::json::value body = outbound_body(request);
  EXPECT_EQ(body.at("system"), "Long instructions");
  EXPECT_EQ(body.at("messages"), parse(R"([{"role": "user", "content": [
      {"type": "text", "text": "A long document", "cache_control": {"type": "ephemeral"}},
      {"type": "text", "text": "The question"}]}])"));

  request.messages.front().content.front().cache_breakpoint = true;
  EXPECT_EQ(
      outbound_body(request).at("system"),
      parse(
          R"([{"type":"text","text":"Long instructions","cache_control":{"type":"ephemeral"}}])"));
}

TEST(AnthropicRequest, WritesToolResultsWithImagesAsBlocks) {
  ChatRequest request = hello_request();
  Message assistant;
  assistant.role = Role::kAssistant;
  assistant.tool_calls = {{"toolu_1", "screenshot", "{}"}};
  request.messages.push_back(assistant);
  Message result = text_message(Role::kTool, "Here it is");
  result.tool_call_id = "toolu_1";
  ContentPart image;
  image.kind = ContentPart::Kind::kImage;
  image.image_url = "data:image/jpeg;base64,/9j/4AAQ";
  result.content.push_back(image);
  request.messages.push_back(result);
  EXPECT_EQ(outbound_body(request).at("messages").at(2), parse(R"({"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
        {"type": "text", "text": "Here it is"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}}]}]})"));
}

TEST(AnthropicRequest, LeavesOutEmptyTurnsAndMergesTheirNeighbours) {
  ChatRequest request = hello_request();
  request.messages.push_back(text_message(Role::kAssistant, ""));
  request.messages.push_back(text_message(Role::kUser, "Still there?"));
  EXPECT_EQ(outbound_body(request).at("messages"), parse(R"([{"role": "user", "content": [
      {"type": "text", "text": "Hello"}, {"type": "text", "text": "Still there?"}]}])"));
}

TEST(AnthropicRequest, MapsEachToolChoice) {
  ChatRequest request = hello_request();
  request.tools = {{"lookup", "", "", false}};
  auto choice_of = [&request]() {
    boost::json::value body = outbound_body(request);
    const auto* choice = body.as_object().if_contains("tool_choice");
    return choice == nullptr ? std::string("absent") : boost::json::serialize(*choice);
  };
  EXPECT_EQ(choice_of(), "absent");
  request.tool_choice = ToolChoice{ToolChoice::Mode::kAuto, ""};
  EXPECT_EQ(choice_of(), R"({"type":"auto"})");
  request.tool_choice = ToolChoice{ToolChoice::Mode::kNone, ""};
  EXPECT_EQ(choice_of(), R"({"type":"none"})");
  request.tool_choice = ToolChoice{ToolChoice::Mode::kNamed, "lookup"};
  EXPECT_EQ(choice_of(), R"({"type":"tool","name":"lookup"})");
  request.parallel_tool_calls = false;
  EXPECT_EQ(choice_of(), R"({"type":"tool","name":"lookup","disable_parallel_tool_use":true})");
  request.tool_choice.reset();
  EXPECT_EQ(choice_of(), R"({"type":"auto","disable_parallel_tool_use":true})");
  request.parallel_tool_calls = true;
  EXPECT_EQ(choice_of(), "absent");

  // Without tools "none" needs no saying, and a required call cannot be honoured.
  request.tools.clear();
  request.tool_choice = ToolChoice{ToolChoice::Mode::kNone, ""};
  EXPECT_EQ(choice_of(), "absent");
  request.tool_choice = ToolChoice{ToolChoice::Mode::kRequired, ""};
  auto refused = outbound(request);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().field, "tool_choice");
}

struct RefusedCase {
  std::string what;
  ChatRequest request;
  std::string field;
  std::string message_part;
};

TEST(AnthropicRequest, RefusesWhatAnthropicCannotExpressNamingTheField) {
  std::vector<RefusedCase> cases;
  {
    ChatRequest request = hello_request();
    request.messages.push_back(text_message(Role::kAssistant, "Hi"));
    request.messages.push_back(text_message(Role::kSystem, "Now be rude"));
    cases.push_back({"late system message", request, "messages[2]",
                     "anthropic only accepts system instructions before"});
  }
  {
    ChatRequest request = hello_request();
    Message assistant;
    assistant.role = Role::kAssistant;
    assistant.tool_calls = {{"a", "f", "{}"}, {"b", "f", R"({"x": )"}};
    request.messages.push_back(assistant);
    cases.push_back({"invalid arguments", request, "messages[1].tool_calls[1].function.arguments",
                     "JSON object"});
    request.messages.back().tool_calls[1].arguments = "[1, 2]";
    cases.push_back({"array arguments", request, "messages[1].tool_calls[1].function.arguments",
                     "JSON object"});
  }
  {
    ChatRequest request = hello_request();
    request.response_format.type = ResponseFormat::Type::kJsonSchema;
    request.response_format.name = "list";
    request.response_format.schema = R"(["not", "a", "schema"])";
    cases.push_back({"json_schema without an object schema", request,
                     "response_format.json_schema.schema", "must be a JSON Schema object"});
    request.response_format.schema.clear();
    cases.push_back({"json_schema with no schema text", request,
                     "response_format.json_schema.schema", "must be a JSON Schema object"});
    // No JSON mode without a schema at Anthropic: refused, saying what to send instead.
    request.response_format.type = ResponseFormat::Type::kJsonObject;
    cases.push_back({"json_object", request, "response_format.type",
                     "json_object is not supported by anthropic, which has no JSON mode without "
                     "a schema; use type json_schema with a schema instead"});
  }
  {
    ChatRequest request = hello_request();
    request.tools = {{"ok", "", "", false}, {"bad", "", R"(["not", "an", "object"])", false}};
    cases.push_back(
        {"schema not an object", request, "tools[1].function.parameters", "JSON Schema object"});
  }
  {
    ChatRequest request = hello_request();
    ContentPart image;
    image.kind = ContentPart::Kind::kImage;
    image.image_url = "data:image/png,rawbytes";
    request.messages[0].content.push_back(image);
    cases.push_back({"data URI without base64", request, "messages[0].content[1]", "base64"});
  }
  {
    ChatRequest request = hello_request();
    Message system;
    system.role = Role::kSystem;
    ContentPart image;
    image.kind = ContentPart::Kind::kImage;
    image.image_url = "https://example.com/a.png";
    system.content.push_back(image);
    request.messages.insert(request.messages.begin(), system);
    cases.push_back({"image in system", request, "messages[0].content[0]", "only text"});
  }
  {
    ChatRequest request = hello_request();
    Message assistant;
    assistant.role = Role::kAssistant;
    ContentPart image;
    image.kind = ContentPart::Kind::kImage;
    image.image_url = "https://example.com/a.png";
    assistant.content.push_back(image);
    request.messages.push_back(assistant);
    cases.push_back(
        {"image from assistant", request, "messages[1].content[0]", "only from the user"});
  }
  {
    ChatRequest request = hello_request();
    request.temperature = 1.5;
    cases.push_back({"temperature above 1", request, "temperature", "between 0 and 1"});
  }
  {
    ChatRequest request = hello_request();
    Message result = text_message(Role::kTool, "42");
    request.messages.push_back(result);
    cases.push_back(
        {"tool result without call id", request, "messages[1].tool_call_id", "is required"});
  }
  for (const auto& refused : cases) {
    auto result = outbound(refused.request);
    ASSERT_FALSE(result.has_value()) << refused.what;
    EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidArgument) << refused.what;
    EXPECT_EQ(result.error().field, refused.field) << refused.what;
    EXPECT_NE(result.error().message.find(refused.message_part), std::string::npos)
        << refused.what << ": " << result.error().message;
  }
}

TEST(AnthropicEmbeddings, AreRefusedNamingTheModel) {
  EmbeddingRequest request;
  request.model = "claude";
  request.inputs = {"hello"};
  auto result = anthropic_adapter().embedding_request(request, "claude", endpoint());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().field, "model");
  EXPECT_NE(result.error().message.find("no embeddings API"), std::string::npos);
  EXPECT_FALSE(anthropic_adapter().embedding_response("{}").has_value());
}

// ---------------------------------------------------------------------------------------
// Provider: whole answers

TEST(AnthropicResponse, ReadsTextAndConvertsUsage) {
  auto response = anthropic_adapter().chat_response(R"({
    "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [{"type": "text", "text": "Hello"}, {"type": "text", "text": ", world!"}],
    "stop_reason": "end_turn",
    "stop_sequence": null,
    "usage": {"input_tokens": 10, "cache_creation_input_tokens": 50,
              "cache_read_input_tokens": 200, "output_tokens": 25, "service_tier": "standard"}
  })");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->id, "msg_01XFDUDYJgAACzvnptvVoYEL");
  EXPECT_EQ(response->model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(response->text, "Hello, world!");
  EXPECT_TRUE(response->tool_calls.empty());
  EXPECT_EQ(response->finish_reason, FinishReason::kStop);
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_EQ(response->usage->input_tokens, 260);
  EXPECT_EQ(response->usage->cached_input_tokens, 200);
  EXPECT_EQ(response->usage->cache_write_tokens, 50);
  EXPECT_EQ(response->usage->output_tokens, 25);
  EXPECT_EQ(response->usage->total_tokens(), 285);
}

TEST(AnthropicResponse, ReadsToolCallsAndSkipsThinking) {
  auto response = anthropic_adapter().chat_response(R"({
    "id": "msg_02", "type": "message", "role": "assistant", "model": "claude-opus-4-1",
    "content": [
      {"type": "thinking", "thinking": "The user wants weather.", "signature": "EqQBCgIYAhIM"},
      {"type": "redacted_thinking", "data": "EmwKAhgB"},
      {"type": "text", "text": "Let me check."},
      {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9",
       "name": "get_weather", "input": {"location": "San Francisco, CA", "unit": "celsius"}},
      {"type": "tool_use", "id": "toolu_02", "name": "get_time", "input": {}}
    ],
    "stop_reason": "tool_use", "stop_sequence": null,
    "usage": {"input_tokens": 30, "output_tokens": 40}
  })");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->text, "Let me check.");
  ASSERT_EQ(response->tool_calls.size(), 2u);
  EXPECT_EQ(response->tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(response->tool_calls[0].name, "get_weather");
  EXPECT_EQ(response->tool_calls[0].arguments,
            R"({"location":"San Francisco, CA","unit":"celsius"})");
  EXPECT_EQ(response->tool_calls[1].arguments, "{}");
  EXPECT_EQ(response->finish_reason, FinishReason::kToolCalls);
  EXPECT_EQ(response->usage->input_tokens, 30);
  EXPECT_EQ(response->usage->cached_input_tokens, 0);
}

TEST(AnthropicResponse, MapsEveryStopReason) {
  const std::vector<std::pair<std::string, FinishReason>> cases = {
      {"end_turn", FinishReason::kStop},          {"stop_sequence", FinishReason::kStop},
      {"pause_turn", FinishReason::kStop},        {"max_tokens", FinishReason::kLength},
      {"tool_use", FinishReason::kToolCalls},     {"refusal", FinishReason::kContentFilter},
      {"some_future_reason", FinishReason::kStop}};
  for (const auto& [stop_reason, finish] : cases) {
    std::string body = R"({"id":"msg_1","type":"message","role":"assistant","model":"m",)"
                       R"("content":[],"stop_reason":")" +
                       stop_reason + R"(","usage":{"input_tokens":1,"output_tokens":1}})";
    auto response = anthropic_adapter().chat_response(body);
    ASSERT_TRUE(response.has_value()) << stop_reason;
    EXPECT_EQ(response->finish_reason, finish) << stop_reason;
  }
}

TEST(AnthropicResponse, RejectsAnswersOfTheWrongShapeAsUnavailable) {
  for (std::string_view body :
       {std::string_view("<html>502 Bad Gateway</html>"), std::string_view(R"([1, 2])"),
        std::string_view(R"({"id":"msg_1","type":"message"})"),
        std::string_view(R"({"id":"msg_1","content":"text"})"),
        std::string_view(R"({"id":7,"content":[]})"),
        std::string_view(R"({"content":[{"type":"tool_use","name":"f"}]})"),
        std::string_view(R"({"content":[{"type":"text","text":"hi"}],"usage":"lots"})"),
        std::string_view(R"({"type":"error","error":{"type":"api_error","message":"boom"}})")}) {
    auto response = anthropic_adapter().chat_response(body);
    ASSERT_FALSE(response.has_value()) << body;
    EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable) << body;
    EXPECT_TRUE(response.error().message.starts_with("anthropic: ")) << response.error().message;
  }
}

// ---------------------------------------------------------------------------------------
// Provider: streamed answers

TEST(AnthropicStream, DecodesTextAndToolCallsWithToolOrdinals) {
  Decoded decoded = decode(kToolStream);
  EXPECT_EQ(decoded.error, "");
  EXPECT_EQ(decoded.events, tool_stream_events);
}

TEST(AnthropicStream, GivesTheSameEventsWhateverTheSplit) {
  Decoded bytewise = decode(kToolStream, 1);
  EXPECT_EQ(bytewise.error, "");
  EXPECT_EQ(bytewise.events, tool_stream_events);
  for (std::size_t split = 0; split <= kToolStream.size(); ++split) {
    auto decoder = anthropic_adapter().chat_stream();
    std::vector<StreamEvent> events;
    ASSERT_TRUE(decoder->feed(kToolStream.substr(0, split), events).has_value()) << split;
    ASSERT_TRUE(decoder->feed(kToolStream.substr(split), events).has_value()) << split;
    ASSERT_TRUE(decoder->finish(events).has_value()) << split;
    std::vector<std::string> described;
    described.reserve(events.size());
    for (const auto& event : events) described.push_back(describe(event));
    ASSERT_EQ(described, tool_stream_events) << "split at byte " << split;
  }
}

TEST(AnthropicStream, AcceptsCrLfLineEndings) {
  std::string crlf;
  for (char c : kToolStream) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(decode(crlf, 3).events, tool_stream_events);
  EXPECT_EQ(decode(crlf, 1).events, tool_stream_events);
}

TEST(AnthropicStream, SkipsThinkingBlocksAndUnknownEvents) {
  Decoded decoded = decode(R"sse(event: message_start
data: {"type":"message_start","message":{"id":"msg_3","type":"message","role":"assistant","model":"claude-opus-4-1","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: some_future_event
data: {"type":"some_future_event","detail":{}}

: a comment line

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_9","name":"lookup","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":7,"cache_read_input_tokens":3,"output_tokens":12}}

event: message_stop
data: {"type":"message_stop"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"after the end"}}

)sse");
  EXPECT_EQ(decoded.error, "");
  // message_delta's counts are cumulative and replace message_start's.
  EXPECT_EQ(decoded.events, (std::vector<std::string>{
                                "start msg_3 claude-opus-4-1", "call 0 toolu_9 lookup", "args 0 {}",
                                "finish length", "usage in=10 out=12 cached=3 write=0"}));
}

TEST(AnthropicStream, ReportsATruncatedStream) {
  std::string_view cut = kToolStream.substr(0, kToolStream.find("event: message_delta"));
  Decoded decoded = decode(cut);
  EXPECT_EQ(decoded.error, "anthropic stream ended before message_stop (truncated answer)");
  EXPECT_EQ(decoded.events.size(), 8u);  // everything up to the cut was delivered

  Decoded mid_event = decode(kToolStream.substr(0, kToolStream.size() - 10));
  EXPECT_NE(mid_event.error.find("before message_stop"), std::string::npos);
  EXPECT_EQ(decode("").error, "anthropic stream ended before message_stop (truncated answer)");
}

TEST(AnthropicStream, EndsAtAnErrorEvent) {
  std::string_view stream = R"sse(event: message_start
data: {"type":"message_start","message":{"id":"msg_4","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Once upon"}}

event: error
data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" a time"}}

)sse";
  auto decoder = anthropic_adapter().chat_stream();
  std::vector<StreamEvent> events;
  auto fed = decoder->feed(stream, events);
  ASSERT_FALSE(fed.has_value());
  EXPECT_EQ(fed.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(fed.error().message, "anthropic: Overloaded (overloaded_error)");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(describe(events[1]), "text Once upon");
  // The stream stays failed.
  EXPECT_FALSE(decoder->feed("event: ping\ndata: {}\n\n", events).has_value());
  EXPECT_FALSE(decoder->finish(events).has_value());
  EXPECT_EQ(events.size(), 2u);

  EXPECT_EQ(decode(stream, 1).error, "anthropic: Overloaded (overloaded_error)");
}

TEST(AnthropicStream, RejectsMalformedEvents) {
  for (std::string_view stream :
       {std::string_view("event: message_start\ndata: {not json\n\n"),
        std::string_view("event: content_block_delta\ndata: [1]\n\n"),
        std::string_view("event: message_start\ndata: {\"type\":\"message_start\"}\n\n"),
        std::string_view("data: {\"type\":\"content_block_start\",\"content_block\":{}}\n\n"),
        std::string_view("data: {\"type\":\"content_block_delta\",\"index\":0,"
                         "\"delta\":{\"type\":\"text_delta\"}}\n\n")}) {
    Decoded decoded = decode(stream);
    EXPECT_TRUE(decoded.error.starts_with("anthropic: ")) << stream << " → " << decoded.error;
  }
}

TEST(AnthropicStream, FinishesWithDefaultsWhenNoStopReasonOrUsageCame) {
  Decoded decoded = decode(
      "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_5\",\"model\":\"m\"}}\n\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"
      "data: {\"type\":\"message_stop\"}\n\n");
  EXPECT_EQ(decoded.error, "");
  EXPECT_EQ(decoded.events, (std::vector<std::string>{"start msg_5 m", "text hi", "finish stop",
                                                      "usage in=0 out=0 cached=0 write=0"}));
}

// ---------------------------------------------------------------------------------------
// Provider: errors

TEST(AnthropicError, MapsEachDocumentedErrorType) {
  struct Case {
    int status;
    std::string anthropic_type;
    std::string type;
    bool retryable;
  };
  const std::vector<Case> cases = {
      {400, "invalid_request_error", "invalid_request_error", false},
      {401, "authentication_error", "authentication_error", false},
      {402, "billing_error", "insufficient_quota", false},
      {403, "permission_error", "permission_error", false},
      {404, "not_found_error", "not_found_error", false},
      {413, "request_too_large", "invalid_request_error", false},
      {429, "rate_limit_error", "rate_limit_error", true},
      {500, "api_error", "server_error", true},
      {504, "timeout_error", "server_error", true},
      {529, "overloaded_error", "server_error", true},
  };
  for (const auto& c : cases) {
    std::string body = R"({"type":"error","error":{"type":")" + c.anthropic_type +
                       R"(","message":"Something about )" + c.anthropic_type +
                       R"("},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"})";
    UpstreamError error = anthropic_adapter().error(c.status, body);
    EXPECT_EQ(error.status, c.status);
    EXPECT_EQ(error.type, c.type) << c.anthropic_type;
    EXPECT_EQ(error.code, c.anthropic_type);
    EXPECT_EQ(error.message, "anthropic: Something about " + c.anthropic_type);
    EXPECT_EQ(error.retryable, c.retryable) << c.status;
  }
}

TEST(AnthropicError, OverloadedIsRetryable) {
  UpstreamError error = anthropic_adapter().error(
      529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  EXPECT_EQ(error.status, 529);
  EXPECT_EQ(error.type, "server_error");
  EXPECT_EQ(error.code, "overloaded_error");
  EXPECT_EQ(error.message, "anthropic: Overloaded");
  EXPECT_TRUE(error.retryable);
}

TEST(AnthropicError, DescribesBodiesThatAreNotAnthropicErrors) {
  UpstreamError html = anthropic_adapter().error(
      502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n");
  EXPECT_EQ(html.type, "server_error");
  EXPECT_TRUE(html.retryable);
  EXPECT_EQ(html.code, "");
  EXPECT_EQ(html.message,
            "anthropic: HTTP 502: <html>  <head><title>502 Bad Gateway</title></head>  </html>");

  UpstreamError empty = anthropic_adapter().error(503, "");
  EXPECT_EQ(empty.message, "anthropic: HTTP 503");
  EXPECT_TRUE(empty.retryable);

  UpstreamError other_json = anthropic_adapter().error(401, R"({"message":"no"})");
  EXPECT_EQ(other_json.type, "authentication_error");
  EXPECT_FALSE(other_json.retryable);

  UpstreamError type_only =
      anthropic_adapter().error(429, R"({"type":"error","error":{"type":"rate_limit_error"}})");
  EXPECT_EQ(type_only.message, "anthropic: HTTP 429: rate_limit_error");
  EXPECT_EQ(type_only.type, "rate_limit_error");

  // A long body is cut, and never inside a UTF-8 character.
  std::string long_body = std::string(199, 'x') + "é and more";
  UpstreamError long_error = anthropic_adapter().error(500, long_body);
  EXPECT_EQ(long_error.message, "anthropic: HTTP 500: " + std::string(199, 'x') + "…");

  EXPECT_TRUE(anthropic_adapter().error(408, "").retryable);
  EXPECT_TRUE(anthropic_adapter().error(409, "").retryable);
  EXPECT_FALSE(anthropic_adapter().error(422, "").retryable);
  EXPECT_EQ(anthropic_adapter().error(422, "").type, "invalid_request_error");
}

// ---------------------------------------------------------------------------------------
// Ingress: requests

constexpr std::string_view kToolConversation = R"({
  "model": "claude-sonnet-4-5",
  "max_tokens": 1024,
  "system": "You are a weather bot.",
  "messages": [
    {"role": "user", "content": [{"type": "text", "text": "Weather in Paris, and the time?"}]},
    {"role": "assistant", "content": [
      {"type": "text", "text": "Checking."},
      {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
       "input": {"city": "Paris", "units": "metric"}},
      {"type": "tool_use", "id": "toolu_02", "name": "get_time", "input": {}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_01", "content": "18°C, cloudy"},
      {"type": "tool_result", "tool_use_id": "toolu_02", "content": "14:05"},
      {"type": "text", "text": "Thanks!", "cache_control": {"type": "ephemeral"}}]}
  ],
  "tools": [
    {"name": "get_weather", "description": "Current weather",
     "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
    {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}],
  "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
  "temperature": 0.5,
  "top_p": 0.9,
  "top_k": 40,
  "stop_sequences": ["END"],
  "metadata": {"user_id": "user-42"},
  "stream": true
})";

TEST(MessagesIngress, ParsesAToolConversation) {
  auto parsed = parse_messages_request(kToolConversation);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const ChatRequest& request = *parsed;
  EXPECT_EQ(request.model, "claude-sonnet-4-5");
  EXPECT_EQ(request.max_tokens, 1024);
  ASSERT_EQ(request.messages.size(), 6u);
  EXPECT_EQ(request.messages[0].role, Role::kSystem);
  EXPECT_EQ(request.messages[0].text(), "You are a weather bot.");
  EXPECT_EQ(request.messages[1].role, Role::kUser);
  const Message& assistant = request.messages[2];
  EXPECT_EQ(assistant.role, Role::kAssistant);
  EXPECT_EQ(assistant.text(), "Checking.");
  ASSERT_EQ(assistant.tool_calls.size(), 2u);
  EXPECT_EQ(assistant.tool_calls[0].id, "toolu_01");
  EXPECT_EQ(assistant.tool_calls[0].name, "get_weather");
  EXPECT_EQ(assistant.tool_calls[0].arguments, R"({"city":"Paris","units":"metric"})");
  EXPECT_EQ(assistant.tool_calls[1].arguments, "{}");
  // The user turn's tool results come first, one message each, then its other blocks.
  EXPECT_EQ(request.messages[3].role, Role::kTool);
  EXPECT_EQ(request.messages[3].tool_call_id, "toolu_01");
  EXPECT_EQ(request.messages[3].text(), "18°C, cloudy");
  EXPECT_EQ(request.messages[4].role, Role::kTool);
  EXPECT_EQ(request.messages[4].tool_call_id, "toolu_02");
  EXPECT_EQ(request.messages[5].role, Role::kUser);
  EXPECT_EQ(request.messages[5].text(), "Thanks!");
  EXPECT_TRUE(request.messages[5].content[0].cache_breakpoint);
  ASSERT_EQ(request.tools.size(), 2u);
  EXPECT_EQ(request.tools[0].name, "get_weather");
  EXPECT_EQ(request.tools[0].description, "Current weather");
  EXPECT_EQ(
      parse(request.tools[0].parameters),
      parse(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})"));
  ASSERT_TRUE(request.tool_choice.has_value());
  EXPECT_EQ(request.tool_choice->mode, ToolChoice::Mode::kRequired);
  EXPECT_EQ(request.parallel_tool_calls, false);
  EXPECT_EQ(request.temperature, 0.5);
  EXPECT_EQ(request.top_p, 0.9);
  EXPECT_EQ(request.top_k, 40);
  EXPECT_EQ(request.stop, std::vector<std::string>{"END"});
  EXPECT_EQ(request.user, "user-42");
  EXPECT_TRUE(request.stream);
}

TEST(MessagesIngress, RoundTripsThroughTheProviderUnchanged) {
  auto parsed = parse_messages_request(kToolConversation);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(outbound_body(*parsed), parse(kToolConversation));
}

TEST(MessagesIngress, ParsesSystemBlocksImagesAndRichToolResults) {
  auto parsed = parse_messages_request(R"({
    "model": "claude-haiku-4-5", "max_tokens": 300,
    "system": [{"type": "text", "text": "Rules", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
               {"type": "text", "text": "More rules"}],
    "messages": [
      {"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {"type": "text", "text": "Describe"}]},
      {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "zoom", "input": {"x": 1}}]},
      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": true,
        "content": [{"type": "text", "text": "zoom failed"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/"}}]}]},
      {"role": "assistant", "content": "The picture shows"}
    ],
    "tool_choice": {"type": "tool", "name": "zoom"},
    "tools": [{"type": "custom", "name": "zoom", "input_schema": {"type": "object"}}],
    "thinking": {"type": "disabled"},
    "service_tier": "auto"
  })");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const auto& messages = parsed->messages;
  ASSERT_EQ(messages.size(), 5u);
  ASSERT_EQ(messages[0].content.size(), 2u);
  EXPECT_TRUE(messages[0].content[0].cache_breakpoint);
  EXPECT_FALSE(messages[0].content[1].cache_breakpoint);
  ASSERT_EQ(messages[1].content.size(), 3u);
  EXPECT_EQ(messages[1].content[0].kind, ContentPart::Kind::kImage);
  EXPECT_EQ(messages[1].content[0].image_url, "data:image/png;base64,iVBORw0KGgo=");
  EXPECT_EQ(messages[1].content[1].image_url, "https://example.com/cat.jpg");
  EXPECT_EQ(messages[3].role, Role::kTool);
  ASSERT_EQ(messages[3].content.size(), 2u);
  EXPECT_EQ(messages[3].content[0].text, "zoom failed");
  EXPECT_EQ(messages[3].content[1].image_url, "data:image/jpeg;base64,/9j/");
  EXPECT_EQ(messages[4].role, Role::kAssistant);  // a prefill stays the last message
  EXPECT_EQ(messages[4].text(), "The picture shows");
  EXPECT_EQ(parsed->tool_choice->mode, ToolChoice::Mode::kNamed);
  EXPECT_EQ(parsed->tool_choice->name, "zoom");
  EXPECT_FALSE(parsed->parallel_tool_calls.has_value());
  EXPECT_FALSE(parsed->stream);
}

struct InvalidCase {
  std::string body;
  std::string field;
  std::string message_part;
};

// A valid request with `members` added at the top level and `messages` as the conversation.
std::string request_with(std::string_view members,
                         std::string_view messages = R"([{"role":"user","content":"Hi"}])") {
  std::string body = R"({"model":"claude","max_tokens":100,"messages":)" + std::string(messages);
  if (!members.empty()) body += "," + std::string(members);
  return body + "}";
}

std::string conversation_with(std::string_view message) {
  return request_with("", R"([{"role":"user","content":"Hi"},)" + std::string(message) + "]");
}

TEST(MessagesIngress, ReadsOutputConfigFormatAsAStrictJsonSchema) {
  std::string body = R"({"model":"claude","max_tokens":100,)"
                     R"("messages":[{"role":"user","content":"Extract the contact"}],)"
                     R"("output_config":{"format":{"type":"json_schema","schema":)" +
                     std::string(kContactSchema) + "}}}";
  auto parsed = parse_messages_request(body);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const ResponseFormat& format = parsed->response_format;
  EXPECT_EQ(format.type, ResponseFormat::Type::kJsonSchema);
  // OpenAI requires a name; Anthropic always constrains the answer, so it is strict.
  EXPECT_EQ(format.name, "output");
  EXPECT_EQ(parse(format.schema), parse(kContactSchema));
  EXPECT_TRUE(format.strict);
  // Back to Anthropic it is the member the client sent.
  EXPECT_EQ(outbound_body(*parsed).at("output_config"), parse(body).at("output_config"));

  // An empty output_config, or a null format, asks for nothing.
  for (std::string_view members :
       {R"("output_config":{})", R"("output_config":{"format":null})", R"("output_config":null)"}) {
    auto plain = parse_messages_request(request_with(members));
    ASSERT_TRUE(plain.has_value()) << members << ": " << plain.error().message;
    EXPECT_EQ(plain->response_format.type, ResponseFormat::Type::kText) << members;
    EXPECT_FALSE(outbound_body(*plain).as_object().contains("output_config")) << members;
  }
}

TEST(MessagesIngress, RejectsInvalidRequestsNamingTheField) {
  const std::vector<InvalidCase> cases = {
      {R"({"max_tokens":100,"messages":[{"role":"user","content":"Hi"}]})", "model", "required"},
      {R"({"model":7,"max_tokens":100,"messages":[]})", "model", "must be a string"},
      {R"({"model":"claude","messages":[{"role":"user","content":"Hi"}]})", "max_tokens",
       "required"},
      {R"({"model":"claude","max_tokens":0,"messages":[{"role":"user","content":"Hi"}]})",
       "max_tokens", "positive integer"},
      {R"({"model":"claude","max_tokens":1.5,"messages":[{"role":"user","content":"Hi"}]})",
       "max_tokens", "integer"},
      {R"({"model":"claude","max_tokens":100})", "messages", "required"},
      {R"({"model":"claude","max_tokens":100,"messages":[]})", "messages", "at least one"},
      {R"({"model":"claude","max_tokens":100,"messages":{}})", "messages", "array"},
      {request_with("", R"([{"role":"system","content":"Be nice"}])"), "messages[0].role", "user"},
      {request_with("", R"([{"role":"user"}])"), "messages[0].content", "required"},
      {request_with("", R"([{"role":"user","content":5}])"), "messages[0].content",
       "string or an array"},
      {request_with("", R"(["hello"])"), "messages[0]", "object"},
      {request_with("", R"([{"role":"user","content":[{"text":"no type"}]}])"),
       "messages[0].content[0].type", "required"},
      {request_with("", R"([{"role":"user","content":[{"type":"document","source":{}}]}])"),
       "messages[0].content[0].type", "\"document\" is not supported"},
      {request_with("", R"([{"role":"user","content":[{"type":"text"}]}])"),
       "messages[0].content[0].text", "required"},
      {conversation_with(R"({"role":"user","content":[{"type":"image","source":)"
                         R"({"type":"base64","media_type":"image/bmp","data":"Qk0="}}]})"),
       "messages[1].content[0].source.media_type", "image/jpeg"},
      {conversation_with(R"({"role":"user","content":[{"type":"image","source":)"
                         R"({"type":"file","file_id":"file_011"}}]})"),
       "messages[1].content[0].source.type", "base64"},
      {conversation_with(R"({"role":"user","content":[{"type":"image",)"
                         R"("source":{"type":"url","url":"ftp://x/y.png"}}]})"),
       "messages[1].content[0].source.url", "http"},
      {conversation_with(R"({"role":"user","content":[{"type":"image"}]})"),
       "messages[1].content[0].source", "required"},
      {conversation_with(R"({"role":"user","content":[{"type":"tool_use","id":"t",)"
                         R"("name":"f","input":{}}]})"),
       "messages[1].content[0].type", "\"tool_use\" is not supported"},
      {conversation_with(R"({"role":"assistant","content":[{"type":"tool_result",)"
                         R"("tool_use_id":"t"}]})"),
       "messages[1].content[0].type", "\"tool_result\" is not supported"},
      {conversation_with(R"({"role":"assistant","content":[{"type":"image","source":)"
                         R"({"type":"url","url":"https://x/y.png"}}]})"),
       "messages[1].content[0].type", "\"image\" is not supported"},
      {conversation_with(R"({"role":"assistant","content":[{"type":"tool_use","id":"t",)"
                         R"("name":"f"}]})"),
       "messages[1].content[0].input", "required"},
      {conversation_with(R"({"role":"assistant","content":[{"type":"tool_use","id":"t",)"
                         R"("name":"f","input":"{}"}]})"),
       "messages[1].content[0].input", "object"},
      {conversation_with(R"({"role":"assistant","content":[{"type":"tool_use",)"
                         R"("name":"f","input":{}}]})"),
       "messages[1].content[0].id", "required"},
      {conversation_with(R"({"role":"user","content":[{"type":"tool_result","content":"x"}]})"),
       "messages[1].content[0].tool_use_id", "required"},
      {conversation_with(R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t",)"
                         R"("content":[{"type":"document"}]}]})"),
       "messages[1].content[0].content[0].type", "\"document\" is not supported"},
      {conversation_with(R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t",)"
                         R"("content":7}]})"),
       "messages[1].content[0].content", "string or an array"},
      {conversation_with(R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t",)"
                         R"("is_error":"yes"}]})"),
       "messages[1].content[0].is_error", "true or false"},
      {conversation_with(R"({"role":"assistant","content":[{"type":"thinking",)"
                         R"("thinking":"hmm","signature":"abc"}]})"),
       "messages[1].content[0].type", "extended thinking is not supported"},
      {request_with(R"("thinking":{"type":"enabled","budget_tokens":2048})"), "thinking",
       "not supported by this gateway yet"},
      {request_with(R"("container":"container_1")"), "container", "not supported"},
      {request_with(R"("system":42)"), "system", "string or an array"},
      {request_with(R"("system":[{"type":"image"}])"), "system[0].type", "\"text\""},
      {request_with(R"("temperature":1.5)"), "temperature", "between 0 and 1"},
      {request_with(R"("temperature":"hot")"), "temperature", "number"},
      {request_with(R"("top_p":-0.1)"), "top_p", "between 0 and 1"},
      {request_with(R"("top_k":-1)"), "top_k", "negative"},
      {request_with(R"("stop_sequences":["a",1])"), "stop_sequences[1]", "string"},
      {request_with(R"("stream":"yes")"), "stream", "true or false"},
      {request_with(R"("metadata":{"user_id":"u","session":"s"})"), "metadata.session",
       "only user_id"},
      {request_with(R"("metadata":{"user_id":3})"), "metadata.user_id", "string"},
      {request_with(R"("tools":[{"type":"web_search_20250305","name":"web_search"}])"),
       "tools[0].type", "not supported"},
      {request_with(R"("tools":[{"name":"f"}])"), "tools[0].input_schema", "required"},
      {request_with(R"("tools":[{"input_schema":{}}])"), "tools[0].name", "required"},
      {request_with(R"("tool_choice":{"type":"sometimes"})"), "tool_choice.type", "auto, any"},
      {request_with(R"("tool_choice":{"type":"tool"})"), "tool_choice.name", "required"},
      {request_with(R"("tool_choice":"auto")"), "tool_choice", "object"},
      {request_with("", R"([{"role":"user","content":[{"type":"text","text":"x",)"
                        R"("cache_control":{"type":"forever"}}]}])"),
       "messages[0].content[0].cache_control.type", "ephemeral"},
      {request_with(R"("output_config":{"effort":"low"})"), "output_config.effort",
       "`output_config.effort` is not supported by the gateway"},
      {request_with(R"("output_config":{"format":{"type":"json_schema","schema":{}},)"
                    R"("task_budget":10})"),
       "output_config.task_budget", "not supported by the gateway"},
      {request_with(R"("output_config":{"format":{"type":"json_schema","schema":{},)"
                    R"("name":"contact"}})"),
       "output_config.format.name", "`output_config.format.name` is not supported"},
      {request_with(R"("output_config":"json")"), "output_config", "must be an object"},
      {request_with(R"("output_config":{"format":"json_schema"})"), "output_config.format",
       "must be an object"},
      {request_with(R"("output_config":{"format":{"schema":{}}})"), "output_config.format.type",
       "required"},
      {request_with(R"("output_config":{"format":{"type":"json_object"}})"),
       "output_config.format.type", "must be \"json_schema\""},
      {request_with(R"("output_config":{"format":{"type":"json_schema"}})"),
       "output_config.format.schema", "`output_config.format.schema` is required"},
      {request_with(R"("output_config":{"format":{"type":"json_schema","schema":"{}"}})"),
       "output_config.format.schema", "must be an object"},
      // The deprecated beta parameter is not read: it names the field rather than be ignored.
      {request_with(R"("output_format":{"type":"json_schema","schema":{}})"), "output_format",
       "not supported by the gateway"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_messages_request(c.body);
    ASSERT_FALSE(parsed.has_value()) << c.body;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument) << c.body;
    EXPECT_EQ(parsed.error().field, c.field) << c.body << "\n" << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
        << c.body << "\n"
        << parsed.error().message;
  }
}

TEST(MessagesIngress, RejectsBodiesThatAreNotJsonObjects) {
  auto broken = parse_messages_request(R"({"model": "claude", )");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().code, core::ErrorCode::kMalformedRequest);
  auto array = parse_messages_request("[]");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error().code, core::ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------
// Ingress: answers

constexpr std::string_view kToolAnswer = R"({
  "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [
    {"type": "text", "text": "I'll check."},
    {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}
  ],
  "stop_reason": "tool_use",
  "stop_sequence": null,
  "usage": {"input_tokens": 12, "cache_creation_input_tokens": 30,
            "cache_read_input_tokens": 400, "output_tokens": 57}
})";

TEST(MessagesResponse, RoundTripsAProviderAnswer) {
  auto response = anthropic_adapter().chat_response(kToolAnswer);
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(parse(write_messages_response(*response)), parse(kToolAnswer));
}

TEST(MessagesResponse, WritesAnAnswerFromAnotherProvider) {
  ChatResponse response;
  response.id = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT";
  response.model = "gpt-4o-2024-08-06";
  response.text = "Sure.";
  response.tool_calls = {{"call_abc", "lookup", ""}, {"call_def", "search", R"({"q": "x"})"}};
  response.finish_reason = FinishReason::kToolCalls;
  response.usage = Usage{.input_tokens = 100, .output_tokens = 20, .cached_input_tokens = 64};
  EXPECT_EQ(write_messages_response(response),
            R"({"id":"msg_chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","type":"message",)"
            R"("role":"assistant","model":"gpt-4o-2024-08-06","content":[)"
            R"({"type":"text","text":"Sure."},)"
            R"({"type":"tool_use","id":"call_abc","name":"lookup","input":{}},)"
            R"({"type":"tool_use","id":"call_def","name":"search","input":{"q": "x"}}],)"
            R"("stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":36,)"
            R"("cache_creation_input_tokens":0,"cache_read_input_tokens":64,"output_tokens":20}})");
}

TEST(MessagesResponse, WritesRefusalsLengthAndMissingUsage) {
  ChatResponse response;
  response.id = "msg_7";
  response.model = "m";
  response.refusal = "I can't help with that.";
  response.finish_reason = FinishReason::kContentFilter;
  boost::json::value body = parse(write_messages_response(response));
  EXPECT_EQ(body.at("id"), "msg_7");
  EXPECT_EQ(body.at("content"), parse(R"([{"type":"text","text":"I can't help with that."}])"));
  EXPECT_EQ(body.at("stop_reason"), "refusal");
  EXPECT_EQ(body.at("usage"), parse(R"({"input_tokens":0,"cache_creation_input_tokens":0,)"
                                    R"("cache_read_input_tokens":0,"output_tokens":0})"));
  response.finish_reason = FinishReason::kLength;
  response.refusal.clear();
  body = parse(write_messages_response(response));
  EXPECT_EQ(body.at("stop_reason"), "max_tokens");
  EXPECT_EQ(body.at("content"), boost::json::array());
}

TEST(MessagesError, UsesAnthropicsTypeForEachStatus) {
  EXPECT_EQ(write_messages_error(400, "`max_tokens` is required"),
            R"({"type":"error","error":{"type":"invalid_request_error",)"
            R"("message":"`max_tokens` is required"}})");
  const std::vector<std::pair<int, std::string>> cases = {
      {401, "authentication_error"}, {402, "billing_error"},     {403, "permission_error"},
      {404, "not_found_error"},      {413, "request_too_large"}, {422, "invalid_request_error"},
      {429, "rate_limit_error"},     {500, "api_error"},         {502, "api_error"},
      {503, "overloaded_error"},     {504, "timeout_error"},     {529, "overloaded_error"}};
  for (const auto& [status, type] : cases) {
    EXPECT_EQ(parse(write_messages_error(status, "x")).at("error").at("type"),
              boost::json::value(type))
        << status;
  }
}

// ---------------------------------------------------------------------------------------
// Ingress: streamed answers

StreamEvent start_event(std::string id, std::string model) {
  StreamEvent event;
  event.kind = Kind::kStart;
  event.id = std::move(id);
  event.name = std::move(model);
  return event;
}

StreamEvent text_event(std::string text) {
  StreamEvent event;
  event.kind = Kind::kTextDelta;
  event.text = std::move(text);
  return event;
}

StreamEvent call_start(int index, std::string id, std::string name) {
  StreamEvent event;
  event.kind = Kind::kToolCallStart;
  event.index = index;
  event.id = std::move(id);
  event.name = std::move(name);
  return event;
}

StreamEvent call_delta(int index, std::string arguments) {
  StreamEvent event;
  event.kind = Kind::kToolCallDelta;
  event.index = index;
  event.text = std::move(arguments);
  return event;
}

StreamEvent finish_event(FinishReason reason) {
  StreamEvent event;
  event.kind = Kind::kFinish;
  event.finish_reason = reason;
  return event;
}

StreamEvent usage_event(Usage usage) {
  StreamEvent event;
  event.kind = Kind::kUsage;
  event.usage = usage;
  return event;
}

const std::vector<StreamEvent> two_call_events = {
    start_event("chatcmpl-9", "gpt-4o"),
    text_event("Let me "),
    text_event("check."),
    call_start(0, "call_a", "get_weather"),
    call_delta(0, R"({"city":)"),
    call_delta(0, R"("Paris"})"),
    call_start(1, "call_b", "get_time"),
    call_delta(1, "{}"),
    finish_event(FinishReason::kToolCalls),
    usage_event(Usage{.input_tokens = 120, .output_tokens = 40, .cached_input_tokens = 100}),
};

TEST(MessagesStream, WritesTextAndTwoToolCalls) {
  auto writer = messages_stream_writer();
  std::string out;
  for (const auto& event : two_call_events) writer->event(event, out);
  writer->end(out);
  EXPECT_EQ(out, R"sse(event: message_start
data: {"type":"message_start","message":{"id":"msg_chatcmpl-9","type":"message","role":"assistant","model":"gpt-4o","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me "}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"check."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_a","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_b","name":"get_time","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,"output_tokens":40}}

event: message_stop
data: {"type":"message_stop"}

)sse");
}

TEST(MessagesStream, HoldsMessageDeltaUntilTheUsageArrives) {
  auto writer = messages_stream_writer();
  std::string out;
  writer->event(start_event("msg_1", "claude"), out);
  writer->event(text_event("Hi"), out);
  out.clear();
  writer->event(finish_event(FinishReason::kStop), out);
  EXPECT_EQ(out,
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
  out.clear();
  writer->event(usage_event(Usage{.input_tokens = 9, .output_tokens = 3}), out);
  EXPECT_EQ(out,
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":"
            "{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":"
            "{\"input_tokens\":9,\"cache_creation_input_tokens\":0,"
            "\"cache_read_input_tokens\":0,\"output_tokens\":3}}\n\n");
  out.clear();
  writer->end(out);
  EXPECT_EQ(out, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

TEST(MessagesStream, EndWithoutUsageStillSendsMessageDelta) {
  auto writer = messages_stream_writer();
  std::string out;
  writer->event(start_event("msg_1", "claude"), out);
  writer->event(call_start(0, "toolu_1", "f"), out);
  writer->event(finish_event(FinishReason::kLength), out);
  out.clear();
  writer->end(out);
  EXPECT_EQ(out,
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":"
            "{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":"
            "{\"output_tokens\":0}}\n\n"
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

TEST(MessagesStream, OpensBlocksForCallsAndTextInAnyOrder) {
  auto writer = messages_stream_writer();
  std::string out;
  // No kStart (message_start is written anyway), a call delta without its start, then text.
  writer->event(call_delta(3, "{\"a\":"), out);
  writer->event(call_start(4, "call_4", "g"), out);
  writer->event(call_delta(3, "1}"), out);  // an earlier call continued
  writer->event(text_event("done"), out);
  writer->end(out);
  // Everything the writer produced decodes as a valid Anthropic stream.
  Decoded decoded = decode(out);
  EXPECT_EQ(decoded.error, "");
  EXPECT_EQ(decoded.events,
            (std::vector<std::string>{"start msg_ ", "call 0  ",
                                      "args 0 {\"a\":", "call 1 call_4 g", "args 0 1}", "text done",
                                      "finish stop", "usage in=0 out=0 cached=0 write=0"}));
}

TEST(MessagesStream, DecodesBackToTheSameEvents) {
  auto writer = messages_stream_writer();
  std::string out;
  for (const auto& event : two_call_events) writer->event(event, out);
  writer->end(out);
  Decoded decoded = decode(out, 7);
  EXPECT_EQ(decoded.error, "");
  EXPECT_EQ(
      decoded.events,
      (std::vector<std::string>{
          "start msg_chatcmpl-9 gpt-4o", "text Let me ", "text check.", "call 0 call_a get_weather",
          "args 0 {\"city\":", "args 0 \"Paris\"}", "call 1 call_b get_time", "args 1 {}",
          "finish tool_calls", "usage in=120 out=40 cached=100 write=0"}));
}

TEST(MessagesStream, WritesErrorsInAnthropicsShape) {
  auto writer = messages_stream_writer();
  std::string out;
  writer->event(start_event("msg_1", "claude"), out);
  out.clear();
  UpstreamError overloaded;
  overloaded.status = 529;
  overloaded.type = "server_error";
  overloaded.message = "anthropic: Overloaded";
  writer->error(overloaded, out);
  EXPECT_EQ(out,
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            "\"message\":\"anthropic: Overloaded\"}}\n\n");
  out.clear();
  UpstreamError limited;
  limited.status = 429;
  limited.type = "rate_limit_error";
  limited.message = "openai: Rate limit reached";
  writer->error(limited, out);
  EXPECT_NE(out.find(R"("type":"rate_limit_error")"), std::string::npos);
  // A decoder reading it reports the error.
  std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n" + out;
  EXPECT_EQ(decode(stream).error, "anthropic: openai: Rate limit reached (rate_limit_error)");
}

}  // namespace
}  // namespace aic::ai
