// Google Gemini (generateContent, streamGenerateContent?alt=sse, batchEmbedContents) as a
// provider: requests written from the gateway's model, answers, streams and errors read back.
// The literal bodies are in the Gemini API's documented wire shapes.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "ai/formats/gemini_format.hpp"

namespace aic::ai {
namespace {

const ProviderAdapter& adapter() { return gemini_adapter(); }

boost::json::value parse(std::string_view text) { return boost::json::parse(text); }

// Compares JSON structurally (member order does not matter) and prints both on failure.
void expect_json(std::string_view actual, std::string_view expected) {
  EXPECT_EQ(parse(actual), parse(expected))
      << "actual:   " << actual << "\nexpected: " << boost::json::serialize(parse(expected));
}

ProviderEndpoint endpoint(std::string api_key = "AIza-test-key") {
  ProviderEndpoint result;
  result.name = "gemini-main";
  result.kind = ProviderKind::kGemini;
  result.base_url = "https://generativelanguage.googleapis.com/v1beta";
  result.api_key = std::move(api_key);
  return result;
}

Message text_message(Role role, std::string text) {
  Message message;
  message.role = role;
  message.content.push_back(ContentPart::make_text(std::move(text)));
  return message;
}

ContentPart image(std::string url) {
  ContentPart part;
  part.kind = ContentPart::Kind::kImage;
  part.image_url = std::move(url);
  return part;
}

Message tool_result(std::string call_id, std::string text) {
  Message message = text_message(Role::kTool, std::move(text));
  message.tool_call_id = std::move(call_id);
  return message;
}

Message assistant_calls(std::vector<ToolCall> calls, std::string text = {}) {
  Message message;
  message.role = Role::kAssistant;
  if (!text.empty()) message.content.push_back(ContentPart::make_text(std::move(text)));
  message.tool_calls = std::move(calls);
  return message;
}

ChatRequest user_says(std::string text) {
  ChatRequest request;
  request.model = "gemini-2.0-flash";
  request.messages.push_back(text_message(Role::kUser, std::move(text)));
  return request;
}

std::string body_of(const ChatRequest& request) {
  auto outbound = adapter().chat_request(request, "gemini-2.0-flash", endpoint());
  EXPECT_TRUE(outbound) << outbound.error().message;
  return outbound ? outbound->body : std::string();
}

core::Error refusal_of(const ChatRequest& request) {
  auto outbound = adapter().chat_request(request, "gemini-2.0-flash", endpoint());
  EXPECT_FALSE(outbound);
  if (outbound) return core::Error{};
  return outbound.error();
}

// ---------------------------------------------------------------------------------------
// Requests

TEST(GeminiRequest, WritesAConversationWithSystemToolCallsResultsAndImages) {
  ChatRequest request;
  request.model = "travel";
  request.messages.push_back(text_message(Role::kSystem, "You are a travel assistant."));
  Message question =
      text_message(Role::kUser, "What's the weather in Paris, and what is in these photos?");
  question.content.push_back(image("data:image/png;base64,iVBORw0KGgo="));
  question.content.push_back(image("https://example.com/photos/eiffel.JPG?size=large"));
  question.name = "alice";  // Gemini has no participant names: not sent
  request.messages.push_back(question);
  request.messages.push_back(
      assistant_calls({ToolCall{"call_weather_1", "get_weather", R"({"city":"Paris"})"},
                       ToolCall{"call_time_2", "get_time", R"({"timezone": "Europe/Paris"})"}},
                      "Let me check."));
  request.messages.push_back(
      tool_result("call_weather_1", R"({"temperature": 18, "sky": "cloudy"})"));
  request.messages.push_back(tool_result("call_time_2", "14:05"));
  request.messages.push_back(text_message(Role::kSystem, "Answer in French."));
  request.messages.push_back(text_message(Role::kUser, "Merci!"));
  request.tools.push_back(Tool{"get_weather", "Current weather for a city",
                               R"({"type":"object","properties":{"city":{"type":"string"}},)"
                               R"("required":["city"]})",
                               true});
  request.tools.push_back(Tool{"get_time", "", "", false});
  request.tool_choice = ToolChoice{ToolChoice::Mode::kAuto, ""};
  request.parallel_tool_calls = false;  // Gemini has no switch: ignored
  request.user = "user-42";
  request.metadata["aic_task"] = "travel";

  std::string body = body_of(request);
  expect_json(body, R"({
    "contents": [
      {"role": "user", "parts": [
        {"text": "What's the weather in Paris, and what is in these photos?"},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"fileData": {"mimeType": "image/jpeg",
                      "fileUri": "https://example.com/photos/eiffel.JPG?size=large"}}]},
      {"role": "model", "parts": [
        {"text": "Let me check."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_weather_1"},
         "thoughtSignature": "skip_thought_signature_validator"},
        {"functionCall": {"name": "get_time", "args": {"timezone": "Europe/Paris"},
                          "id": "call_time_2"}}]},
      {"role": "user", "parts": [
        {"functionResponse": {"id": "call_weather_1", "name": "get_weather",
                              "response": {"temperature": 18, "sky": "cloudy"}}},
        {"functionResponse": {"id": "call_time_2", "name": "get_time",
                              "response": {"result": "14:05"}}}]},
      {"role": "user", "parts": [{"text": "Merci!"}]}
    ],
    "systemInstruction": {"parts": [{"text": "You are a travel assistant."},
                                    {"text": "Answer in French."}]},
    "tools": [{"functionDeclarations": [
      {"name": "get_weather", "description": "Current weather for a city",
       "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"]}},
      {"name": "get_time"}]}],
    "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}
  })");
  // Arguments and tool output pass through as the client wrote them.
  EXPECT_NE(body.find(R"("args":{"timezone": "Europe/Paris"})"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("response":{"temperature": 18, "sky": "cloudy"})"), std::string::npos);
}

TEST(GeminiRequest, TargetsTheModelsMethodWithTheKeyHeader) {
  ProviderEndpoint target = endpoint();
  target.extra_headers.emplace_back("x-goog-user-project", "billing-project");
  ChatRequest request = user_says("Hi");

  auto plain = adapter().chat_request(request, "models/gemini-2.0-flash", target);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(
      plain->url,
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent");
  using Headers = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(plain->headers, (Headers{{"x-goog-api-key", "AIza-test-key"},
                                     {"Content-Type", "application/json"},
                                     {"x-goog-user-project", "billing-project"}}));
  expect_json(plain->body, R"({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]})");

  request.stream = true;
  request.include_usage = true;  // Gemini reports usage on every chunk anyway
  auto streamed = adapter().chat_request(request, "gemini-2.5-flash", endpoint(""));
  ASSERT_TRUE(streamed) << streamed.error().message;
  EXPECT_EQ(streamed->url,
            "https://generativelanguage.googleapis.com/v1beta/models/"
            "gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(streamed->headers, (Headers{{"Content-Type", "application/json"}}));
  EXPECT_EQ(streamed->body, plain->body);

  auto tuned = adapter().chat_request(user_says("Hi"), "tunedModels/my-model-7", endpoint());
  ASSERT_TRUE(tuned);
  EXPECT_EQ(
      tuned->url,
      "https://generativelanguage.googleapis.com/v1beta/tunedModels/my-model-7:generateContent");

  for (std::string_view bad : {"", "models/", "gemini/../../v1/files", "gemini?alt=json"}) {
    auto refused = adapter().chat_request(user_says("Hi"), bad, endpoint());
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(refused.error().field, "model");
  }
}

TEST(GeminiRequest, MapsEachToolChoiceToAFunctionCallingMode) {
  struct Case {
    ToolChoice choice;
    std::string_view config;
  };
  const Case cases[] = {
      {{ToolChoice::Mode::kAuto, ""}, R"({"mode": "AUTO"})"},
      {{ToolChoice::Mode::kNone, ""}, R"({"mode": "NONE"})"},
      {{ToolChoice::Mode::kRequired, ""}, R"({"mode": "ANY"})"},
      {{ToolChoice::Mode::kNamed, "get_weather"},
       R"({"mode": "ANY", "allowedFunctionNames": ["get_weather"]})"},
  };
  for (const auto& test : cases) {
    ChatRequest request = user_says("Weather in Oslo?");
    request.tools.push_back(Tool{"get_weather", "", R"({"type":"object"})", false});
    request.tool_choice = test.choice;
    auto body = parse(body_of(request));
    EXPECT_EQ(body.at("toolConfig").at("functionCallingConfig"), parse(test.config)) << test.config;
  }
  EXPECT_FALSE(parse(body_of(user_says("Hi"))).as_object().contains("toolConfig"));
}

TEST(GeminiRequest, WritesGenerationConfig) {
  ChatRequest request = user_says("Write a haiku.");
  request.temperature = 0.7;
  request.top_p = 0.95;
  request.top_k = 40;
  request.max_tokens = 1024;
  request.max_completion_tokens_name = true;  // one name at Gemini whatever the client used
  request.stop = {"END", "\n\n"};
  request.seed = 7;
  request.presence_penalty = 0.5;
  request.frequency_penalty = -0.25;
  request.reasoning_effort = "low";
  request.response_format.type = ResponseFormat::Type::kJsonObject;
  expect_json(boost::json::serialize(parse(body_of(request)).at("generationConfig")),
              R"({"temperature": 0.7, "topP": 0.95, "topK": 40, "maxOutputTokens": 1024,
                  "stopSequences": ["END", "\n\n"], "seed": 7, "presencePenalty": 0.5,
                  "frequencyPenalty": -0.25, "responseMimeType": "application/json",
                  "thinkingConfig": {"thinkingBudget": 1024}})");

  for (auto [effort, budget] :
       {std::pair{"minimal", 512}, std::pair{"medium", 8192}, std::pair{"high", 24576}}) {
    ChatRequest thinking = user_says("Prove it.");
    thinking.reasoning_effort = effort;
    EXPECT_EQ(parse(body_of(thinking)).at("generationConfig").at("thinkingConfig"),
              parse(R"({"thinkingBudget": )" + std::to_string(budget) + "}"));
  }
}

TEST(GeminiRequest, PassesAJsonSchemaThrough) {
  ChatRequest request = user_says("Extract the city.");
  request.response_format.type = ResponseFormat::Type::kJsonSchema;
  request.response_format.name = "city";
  request.response_format.strict = true;
  request.response_format.schema =
      R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"],)"
      R"("additionalProperties":false})";
  std::string body = body_of(request);
  expect_json(boost::json::serialize(parse(body).at("generationConfig")),
              R"({"responseMimeType": "application/json",
                  "responseJsonSchema": {"type": "object",
                                         "properties": {"city": {"type": "string"}},
                                         "required": ["city"], "additionalProperties": false}})");
  EXPECT_NE(body.find(request.response_format.schema), std::string::npos);
  EXPECT_FALSE(parse(body_of(user_says("Hi"))).as_object().contains("generationConfig"));
}

TEST(GeminiRequest, FindsTheFunctionNameOfTheLatestCallWithTheId) {
  // Clients that number calls per turn reuse ids: the result answers the latest call.
  ChatRequest request = user_says("Look up two things.");
  request.messages.push_back(assistant_calls({ToolCall{"call_0", "search", R"({"q":"a"})"}}));
  request.messages.push_back(tool_result("call_0", "[1, 2]"));  // JSON, but not an object
  request.messages.push_back(assistant_calls({ToolCall{"call_0", "fetch", ""}}));
  request.messages.push_back(tool_result("call_0", "done"));
  auto contents = parse(body_of(request)).at("contents");
  expect_json(boost::json::serialize(contents), R"([
    {"role": "user", "parts": [{"text": "Look up two things."}]},
    {"role": "model", "parts": [{"functionCall": {"name": "search", "args": {"q": "a"},
                                                  "id": "call_0"},
                                 "thoughtSignature": "skip_thought_signature_validator"}]},
    {"role": "user", "parts": [{"functionResponse": {"id": "call_0", "name": "search",
                                                     "response": {"result": "[1, 2]"}}}]},
    {"role": "model", "parts": [{"functionCall": {"name": "fetch", "args": {}, "id": "call_0"},
                                 "thoughtSignature": "skip_thought_signature_validator"}]},
    {"role": "user", "parts": [{"functionResponse": {"id": "call_0", "name": "fetch",
                                                     "response": {"result": "done"}}}]}
  ])");
}

TEST(GeminiRequest, SkipsEmptyTurns) {
  ChatRequest request = user_says("Hi");
  Message empty;
  empty.role = Role::kAssistant;  // content null, no tool calls
  request.messages.push_back(empty);
  request.messages.push_back(text_message(Role::kUser, "Hello?"));
  expect_json(boost::json::serialize(parse(body_of(request)).at("contents")), R"([
    {"role": "user", "parts": [{"text": "Hi"}]},
    {"role": "user", "parts": [{"text": "Hello?"}]}
  ])");
}

TEST(GeminiRequest, RefusesWhatGeminiCannotExpress) {
  {
    ChatRequest request = user_says("Weather?");
    request.messages.push_back(assistant_calls({ToolCall{"call_1", "get_weather", "{}"}}));
    request.messages.push_back(tool_result("call_9", "sunny"));
    core::Error error = refusal_of(request);
    EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(error.field, "messages[2].tool_call_id");
    EXPECT_NE(error.message.find("\"call_9\""), std::string::npos) << error.message;
  }
  {
    // A result before its call does not count.
    ChatRequest request = user_says("Weather?");
    request.messages.push_back(tool_result("call_1", "sunny"));
    request.messages.push_back(assistant_calls({ToolCall{"call_1", "get_weather", "{}"}}));
    EXPECT_EQ(refusal_of(request).field, "messages[1].tool_call_id");
  }
  {
    ChatRequest request = user_says("Weather?");
    request.messages.push_back(assistant_calls(
        {ToolCall{"call_1", "get_weather", "{}"}, ToolCall{"call_2", "get_time", "{\"tz\":"}}));
    EXPECT_EQ(refusal_of(request).field, "messages[1].tool_calls[1].function.arguments");
  }
  {
    ChatRequest request = user_says("Weather?");
    request.messages.push_back(assistant_calls({ToolCall{"call_1", "get_weather", "[\"Oslo\"]"}}));
    EXPECT_EQ(refusal_of(request).field, "messages[1].tool_calls[0].function.arguments");
  }
  {
    ChatRequest request = user_says("What is this?");
    request.messages[0].content.push_back(image("https://example.com/render?id=7"));
    core::Error error = refusal_of(request);
    EXPECT_EQ(error.field, "messages[0].content[1].image_url.url");
    EXPECT_NE(error.message.find("extension"), std::string::npos) << error.message;
  }
  {
    ChatRequest request = user_says("What is this?");
    request.messages[0].content.push_back(image("data:image/svg+xml,%3Csvg%3E"));
    EXPECT_EQ(refusal_of(request).field, "messages[0].content[1].image_url.url");
  }
  {
    ChatRequest request = user_says("Hi");
    Message system = text_message(Role::kSystem, "Look:");
    system.content.push_back(image("data:image/png;base64,iVBORw0KGgo="));
    request.messages.insert(request.messages.begin(), system);
    EXPECT_EQ(refusal_of(request).field, "messages[0].content[1]");
  }
  {
    ChatRequest request;
    request.messages.push_back(text_message(Role::kSystem, "Be brief."));
    EXPECT_EQ(refusal_of(request).field, "messages");
  }
}

// ---------------------------------------------------------------------------------------
// Answers

TEST(GeminiResponse, ReadsTextAndUsage) {
  auto response = adapter().chat_response(R"({
    "candidates": [{
      "content": {"parts": [{"text": "The capital of France "}, {"text": "is Paris."}],
                  "role": "model"},
      "finishReason": "STOP",
      "avgLogprobs": -0.0123,
      "index": 0
    }],
    "usageMetadata": {
      "promptTokenCount": 8, "candidatesTokenCount": 7, "totalTokenCount": 15,
      "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
      "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 7}]
    },
    "modelVersion": "gemini-2.0-flash",
    "responseId": "mbRbaM7QOcuv1dkPh-m2qAo"
  })");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->id, "mbRbaM7QOcuv1dkPh-m2qAo");
  EXPECT_EQ(response->model, "gemini-2.0-flash");
  EXPECT_EQ(response->text, "The capital of France is Paris.");
  EXPECT_TRUE(response->tool_calls.empty());
  EXPECT_EQ(response->finish_reason, FinishReason::kStop);
  ASSERT_TRUE(response->usage);
  EXPECT_EQ(response->usage->input_tokens, 8);
  EXPECT_EQ(response->usage->output_tokens, 7);
  EXPECT_EQ(response->usage->total_tokens(), 15);
  EXPECT_EQ(response->usage->cached_input_tokens, 0);
  EXPECT_EQ(response->usage->reasoning_tokens, 0);
}

TEST(GeminiResponse, SkipsThoughtsAndCountsThemAsOutput) {
  auto response = adapter().chat_response(R"({
    "candidates": [{
      "content": {"parts": [
        {"text": "**Weighing the options**\nThe user wants a number...", "thought": true},
        {"text": "42", "thoughtSignature": "CiIBVKhc7oc3"}], "role": "model"},
      "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 2,
                      "totalTokenCount": 1327, "cachedContentTokenCount": 1024,
                      "thoughtsTokenCount": 120, "toolUsePromptTokenCount": 5},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "fXhlaOWdB5mWz7IPqLK_0Qo"
  })");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "42");
  ASSERT_TRUE(response->usage);
  EXPECT_EQ(response->usage->input_tokens, 1205);
  EXPECT_EQ(response->usage->cached_input_tokens, 1024);
  EXPECT_EQ(response->usage->output_tokens, 122);
  EXPECT_EQ(response->usage->reasoning_tokens, 120);
  EXPECT_EQ(response->usage->total_tokens(), 1327);
}

TEST(GeminiResponse, ReadsFunctionCallsWithAndWithoutIds) {
  auto response = adapter().chat_response(R"({
    "candidates": [{
      "content": {"parts": [
        {"text": "Checking both."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris", "unit": "celsius"}},
         "thoughtSignature": "CiQBVKhc7ukbE0Kr1b2b"},
        {"functionCall": {"id": "fc-7b1e", "name": "get_time", "args": {"tz": "Europe/Paris"}}},
        {"functionCall": {"name": "ping"}}], "role": "model"},
      "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 52, "candidatesTokenCount": 31, "totalTokenCount": 83},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "r-42"
  })");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "Checking both.");
  EXPECT_EQ(response->finish_reason, FinishReason::kToolCalls);
  ASSERT_EQ(response->tool_calls.size(), 3u);
  EXPECT_EQ(response->tool_calls[0].id, "call_r-42_0");
  EXPECT_EQ(response->tool_calls[0].name, "get_weather");
  EXPECT_EQ(response->tool_calls[0].arguments, R"({"city":"Paris","unit":"celsius"})");
  EXPECT_EQ(response->tool_calls[1].id, "fc-7b1e");
  EXPECT_EQ(response->tool_calls[1].name, "get_time");
  EXPECT_EQ(response->tool_calls[1].arguments, R"({"tz":"Europe/Paris"})");
  EXPECT_EQ(response->tool_calls[2].id, "call_r-42_2");
  EXPECT_EQ(response->tool_calls[2].arguments, "{}");

  // Without a response id the generated ids are still stable.
  auto anonymous = adapter().chat_response(R"({"candidates": [{"content": {"parts": [
      {"functionCall": {"name": "ping", "args": {}}}], "role": "model"},
      "finishReason": "STOP"}]})");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->tool_calls.at(0).id, "call_0");
  EXPECT_FALSE(anonymous->usage);
}

TEST(GeminiResponse, MapsFinishReasons) {
  struct Case {
    std::string_view gemini;
    FinishReason expected;
  };
  const Case cases[] = {
      {"STOP", FinishReason::kStop},
      {"MAX_TOKENS", FinishReason::kLength},
      {"SAFETY", FinishReason::kContentFilter},
      {"RECITATION", FinishReason::kContentFilter},
      {"BLOCKLIST", FinishReason::kContentFilter},
      {"PROHIBITED_CONTENT", FinishReason::kContentFilter},
      {"SPII", FinishReason::kContentFilter},
      {"LANGUAGE", FinishReason::kStop},
      {"MALFORMED_FUNCTION_CALL", FinishReason::kStop},
      {"OTHER", FinishReason::kStop},
      {"FINISH_REASON_UNSPECIFIED", FinishReason::kStop},
  };
  for (const auto& test : cases) {
    std::string body = R"({"candidates": [{"content": {"parts": [{"text": "x"}], "role": "model"},
                          "finishReason": ")" +
                       std::string(test.gemini) + R"(", "index": 0}]})";
    auto response = adapter().chat_response(body);
    ASSERT_TRUE(response) << test.gemini;
    EXPECT_EQ(response->finish_reason, test.expected) << test.gemini;
  }
  // A call cut off by the token limit is still a length stop.
  auto cut = adapter().chat_response(R"({"candidates": [{"content": {"parts": [
      {"functionCall": {"name": "f", "args": {}}}], "role": "model"},
      "finishReason": "MAX_TOKENS"}]})");
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->finish_reason, FinishReason::kLength);
  // Safety stop with no content at all.
  auto withheld = adapter().chat_response(R"({"candidates": [{"finishReason": "SAFETY", "index": 0,
      "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH",
                         "blocked": true}]}],
      "usageMetadata": {"promptTokenCount": 11, "totalTokenCount": 11}})");
  ASSERT_TRUE(withheld);
  EXPECT_EQ(withheld->text, "");
  EXPECT_EQ(withheld->finish_reason, FinishReason::kContentFilter);
}

TEST(GeminiResponse, ABlockedPromptIsAFilteredAnswer) {
  auto response = adapter().chat_response(R"({
    "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
      {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"}]},
    "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9},
    "modelVersion": "gemini-2.0-flash",
    "responseId": "blk-1"
  })");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->text, "");
  EXPECT_TRUE(response->tool_calls.empty());
  EXPECT_EQ(response->finish_reason, FinishReason::kContentFilter);
  EXPECT_EQ(response->id, "blk-1");
  ASSERT_TRUE(response->usage);
  EXPECT_EQ(response->usage->input_tokens, 9);
}

TEST(GeminiResponse, RefusesBodiesThatAreNotAnswers) {
  for (std::string_view body :
       {std::string_view("<html>502 Bad Gateway</html>"), std::string_view("[]"),
        std::string_view(R"({"candidates": []})"),
        std::string_view(R"({"candidates": [{"content": {"parts": ["text"]}}]})"),
        std::string_view(
            R"({"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]})")}) {
    auto response = adapter().chat_response(body);
    ASSERT_FALSE(response) << body;
    EXPECT_EQ(response.error().code, core::ErrorCode::kUnavailable) << body;
  }
}

// ---------------------------------------------------------------------------------------
// Streams

std::string describe(const StreamEvent& event) {
  switch (event.kind) {
    case StreamEvent::Kind::kStart:
      return "start id=" + event.id + " model=" + event.name;
    case StreamEvent::Kind::kTextDelta:
      return "text " + event.text;
    case StreamEvent::Kind::kRefusalDelta:
      return "refusal " + event.text;
    case StreamEvent::Kind::kToolCallStart:
      return "call#" + std::to_string(event.index) + " id=" + event.id + " name=" + event.name +
             " args=" + event.text;
    case StreamEvent::Kind::kToolCallDelta:
      return "call-delta#" + std::to_string(event.index) + " " + event.text;
    case StreamEvent::Kind::kFinish:
      return "finish " + std::string(to_string(event.finish_reason));
    case StreamEvent::Kind::kUsage:
      return "usage in=" + std::to_string(event.usage.input_tokens) +
             " out=" + std::to_string(event.usage.output_tokens) +
             " cached=" + std::to_string(event.usage.cached_input_tokens) +
             " reasoning=" + std::to_string(event.usage.reasoning_tokens);
  }
  return "?";
}

struct Decoded {
  std::vector<std::string> events;
  core::Status status;
};

// Feeds `transcript` in pieces of `piece` bytes, then ends the stream.
Decoded decode(std::string_view transcript, std::size_t piece) {
  auto decoder = adapter().chat_stream();
  std::vector<StreamEvent> events;
  Decoded decoded;
  for (std::size_t i = 0; i < transcript.size() && decoded.status; i += piece) {
    decoded.status = decoder->feed(transcript.substr(i, piece), events);
  }
  if (decoded.status) decoded.status = decoder->finish(events);
  for (const auto& event : events) decoded.events.push_back(describe(event));
  return decoded;
}

// What streamGenerateContent?alt=sse sends: one GenerateContentResponse per event, CRLF lines.
constexpr std::string_view kTextStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"The\"}],\"role\": "
    "\"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": "
    "9,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 9}]},\"modelVersion\": "
    "\"gemini-2.0-flash\",\"responseId\": \"CuJbaLy2K9WJz7IPyKnH8AU\"}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" quick brown fox jumps "
    "over\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": "
    "9,\"totalTokenCount\": 9},\"modelVersion\": \"gemini-2.0-flash\",\"responseId\": "
    "\"CuJbaLy2K9WJz7IPyKnH8AU\"}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" the lazy dog. "
    "\xC3\xA9t\xC3\xA9\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": "
    "0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": "
    "12,\"totalTokenCount\": 21,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": "
    "9}],\"candidatesTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": "
    "12}]},\"modelVersion\": \"gemini-2.0-flash\",\"responseId\": "
    "\"CuJbaLy2K9WJz7IPyKnH8AU\"}\r\n\r\n";

TEST(GeminiStream, DecodesTextChunksWhateverThePieceSize) {
  const std::vector<std::string> expected = {
      "start id=CuJbaLy2K9WJz7IPyKnH8AU model=gemini-2.0-flash",
      "text The",
      "text  quick brown fox jumps over",
      "text  the lazy dog. \xC3\xA9t\xC3\xA9",
      "finish stop",
      "usage in=9 out=12 cached=0 reasoning=0",
  };
  Decoded whole = decode(kTextStream, kTextStream.size());
  ASSERT_TRUE(whole.status) << whole.status.error().message;
  EXPECT_EQ(whole.events, expected);
  Decoded bytes = decode(kTextStream, 1);
  ASSERT_TRUE(bytes.status) << bytes.status.error().message;
  EXPECT_EQ(bytes.events, expected);
}

TEST(GeminiStream, DecodesThoughtsAndFunctionCalls) {
  constexpr std::string_view kTranscript =
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"**Planning** I should "
      "call the weather tool.\", \"thought\": true}], \"role\": \"model\"}, \"index\": 0}], "
      "\"usageMetadata\": {\"promptTokenCount\": 61, \"totalTokenCount\": 61, "
      "\"thoughtsTokenCount\": 40}, \"modelVersion\": \"gemini-2.5-flash\", \"responseId\": "
      "\"s-9\"}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": "
      "\"get_weather\", \"args\": {\"city\": \"Oslo\"}}, \"thoughtSignature\": \"CiQBVKhc\"}, "
      "{\"functionCall\": {\"id\": \"fc-2\", \"name\": \"get_time\", \"args\": {\"tz\": "
      "\"Europe/Oslo\"}}}], \"role\": \"model\"}, \"finishReason\": \"STOP\", \"index\": 0}], "
      "\"usageMetadata\": {\"promptTokenCount\": 61, \"candidatesTokenCount\": 24, "
      "\"totalTokenCount\": 129, \"thoughtsTokenCount\": 44}, \"modelVersion\": "
      "\"gemini-2.5-flash\", \"responseId\": \"s-9\"}\r\n\r\n";
  const std::vector<std::string> expected = {
      "start id=s-9 model=gemini-2.5-flash",
      "call#0 id=call_s-9_0 name=get_weather args={\"city\":\"Oslo\"}",
      "call#1 id=fc-2 name=get_time args={\"tz\":\"Europe/Oslo\"}",
      "finish tool_calls",
      "usage in=61 out=68 cached=0 reasoning=44",
  };
  EXPECT_EQ(decode(kTranscript, kTranscript.size()).events, expected);
  EXPECT_EQ(decode(kTranscript, 1).events, expected);
  EXPECT_EQ(decode(kTranscript, 7).events, expected);

  // The events add up to the answer a non-streamed call gives.
  auto decoder = adapter().chat_stream();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder->feed(kTranscript, events));
  ASSERT_TRUE(decoder->finish(events));
  StreamAccumulator accumulator;
  for (const auto& event : events) accumulator.add(event);
  ASSERT_TRUE(accumulator.finished());
  ASSERT_EQ(accumulator.response().tool_calls.size(), 2u);
  EXPECT_EQ(accumulator.response().tool_calls[1].arguments, R"({"tz":"Europe/Oslo"})");
}

TEST(GeminiStream, ABlockedPromptFinishesWithContentFilter) {
  constexpr std::string_view kTranscript =
      "data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"}, \"usageMetadata\": "
      "{\"promptTokenCount\": 12, \"totalTokenCount\": 12}, \"modelVersion\": "
      "\"gemini-2.0-flash\", \"responseId\": \"b-1\"}\r\n\r\n";
  Decoded decoded = decode(kTranscript, kTranscript.size());
  ASSERT_TRUE(decoded.status) << decoded.status.error().message;
  EXPECT_EQ(decoded.events, (std::vector<std::string>{"start id=b-1 model=gemini-2.0-flash",
                                                      "finish content_filter",
                                                      "usage in=12 out=0 cached=0 reasoning=0"}));
}

TEST(GeminiStream, ATruncatedStreamIsAnError) {
  // Cut after the second chunk: no finishReason arrived.
  std::size_t second = kTextStream.find("data:", 1);
  std::string_view cut = kTextStream.substr(0, kTextStream.find("data:", second + 1));
  for (std::size_t piece : {cut.size(), std::size_t{1}}) {
    Decoded decoded = decode(cut, piece);
    ASSERT_FALSE(decoded.status);
    EXPECT_EQ(decoded.status.error().code, core::ErrorCode::kUnavailable);
    EXPECT_NE(decoded.status.error().message.find("finishReason"), std::string::npos);
    EXPECT_EQ(decoded.events.size(), 3u);  // start and two text deltas, no finish
  }
  // Cut in the middle of the last event.
  Decoded mid = decode(kTextStream.substr(0, kTextStream.size() - 40), 1);
  ASSERT_FALSE(mid.status);
  EXPECT_EQ(mid.status.error().code, core::ErrorCode::kUnavailable);
}

TEST(GeminiStream, AnErrorChunkEndsTheStream) {
  constexpr std::string_view kTranscript =
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Once\"}], \"role\": "
      "\"model\"}, \"index\": 0}], \"modelVersion\": \"gemini-2.0-flash\", \"responseId\": "
      "\"e-1\"}\r\n\r\n"
      "data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again "
      "later.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n";
  auto decoder = adapter().chat_stream();
  std::vector<StreamEvent> events;
  core::Status fed = decoder->feed(kTranscript, events);
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(fed.error().message, "gemini: The model is overloaded. Please try again later.");
  EXPECT_EQ(events.size(), 2u);  // start, "Once"
  // A failed stream stays failed.
  EXPECT_FALSE(decoder->feed("data: {}\r\n\r\n", events));
  EXPECT_FALSE(decoder->finish(events));
  EXPECT_EQ(events.size(), 2u);

  Decoded malformed = decode("data: {\"candidates\": [\r\n\r\n", 1);
  ASSERT_FALSE(malformed.status);
  EXPECT_EQ(malformed.status.error().code, core::ErrorCode::kUnavailable);
}

// ---------------------------------------------------------------------------------------
// Errors

TEST(GeminiError, MapsStatusesToTheOpenAiVocabulary) {
  struct Case {
    int status;
    std::string_view body;
    std::string_view type;
    std::string_view code;
    std::string_view message;
    bool retryable;
  };
  const Case cases[] = {
      {400,
       R"({"error": {"code": 400, "message": "* GenerateContentRequest.contents: contents is not specified\n", "status": "INVALID_ARGUMENT"}})",
       "invalid_request_error", "INVALID_ARGUMENT",
       "gemini: * GenerateContentRequest.contents: contents is not specified\n", false},
      {400,
       R"({"error": {"code": 400, "message": "User location is not supported for the API use.", "status": "FAILED_PRECONDITION"}})",
       "invalid_request_error", "FAILED_PRECONDITION",
       "gemini: User location is not supported for the API use.", false},
      {400,
       R"({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]}})",
       "authentication_error", "INVALID_ARGUMENT",
       "gemini: API key not valid. Please pass a valid API key.", false},
      {403,
       R"({"error": {"code": 403, "message": "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", "status": "PERMISSION_DENIED"}})",
       "authentication_error", "PERMISSION_DENIED",
       "gemini: Method doesn't allow unregistered callers (callers without established "
       "identity). Please use API Key or other form of API consumer identity to call this API.",
       false},
      {403,
       R"({"error": {"code": 403, "message": "You do not have permission to access tuned model tunedModels/my-model-7.", "status": "PERMISSION_DENIED"}})",
       "permission_error", "PERMISSION_DENIED",
       "gemini: You do not have permission to access tuned model tunedModels/my-model-7.", false},
      {404,
       R"({"error": {"code": 404, "message": "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.", "status": "NOT_FOUND"}})",
       "not_found_error", "NOT_FOUND",
       "gemini: models/gemini-9 is not found for API version v1beta, or is not supported for "
       "generateContent.",
       false},
      {429,
       R"({"error": {"code": 429, "message": "You exceeded your current quota, please check your plan and billing details.", "status": "RESOURCE_EXHAUSTED", "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]}, {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "43s"}]}})",
       "rate_limit_error", "RESOURCE_EXHAUSTED",
       "gemini: You exceeded your current quota, please check your plan and billing details.",
       true},
      {500,
       R"({"error": {"code": 500, "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "status": "INTERNAL"}})",
       "server_error", "INTERNAL",
       "gemini: An internal error has occurred. Please retry or report in "
       "https://developers.generativeai.google/guide/troubleshooting",
       true},
      {503,
       R"({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}})",
       "server_error", "UNAVAILABLE", "gemini: The model is overloaded. Please try again later.",
       true},
      {504,
       R"([{"error": {"code": 504, "message": "Deadline expired before operation could complete.", "status": "DEADLINE_EXCEEDED"}}])",
       "server_error", "DEADLINE_EXCEEDED",
       "gemini: Deadline expired before operation could complete.", true},
  };
  for (const auto& test : cases) {
    UpstreamError error = adapter().error(test.status, test.body);
    EXPECT_EQ(error.status, test.status) << test.body;
    EXPECT_EQ(error.type, test.type) << test.body;
    EXPECT_EQ(error.code, test.code) << test.body;
    EXPECT_EQ(error.message, test.message) << test.body;
    EXPECT_EQ(error.retryable, test.retryable) << test.body;
  }
}

TEST(GeminiError, NamesTheFieldAtFault) {
  UpstreamError error = adapter().error(400, R"({"error": {"code": 400,
    "message": "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
    "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
      "fieldViolations": [{"field": "generation_config.temperature",
                           "description": "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""}]}]}})");
  EXPECT_EQ(error.type, "invalid_request_error");
  EXPECT_EQ(error.param, "generation_config.temperature");
}

TEST(GeminiError, DescribesBodiesThatAreNotGeminiErrors) {
  UpstreamError html = adapter().error(
      502, "<html><head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>");
  EXPECT_EQ(html.type, "server_error");
  EXPECT_TRUE(html.retryable);
  EXPECT_EQ(html.code, "");
  EXPECT_EQ(html.message,
            "gemini: HTTP 502: <html><head><title>502 Bad Gateway</title></head>  "
            "<body>nginx</body></html>");

  UpstreamError empty = adapter().error(503, "");
  EXPECT_EQ(empty.message, "gemini: HTTP 503 with an empty body");
  EXPECT_TRUE(empty.retryable);

  UpstreamError status_only =
      adapter().error(429, R"({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}})");
  EXPECT_EQ(status_only.message, "gemini: HTTP 429 RESOURCE_EXHAUSTED");

  // A long body is cut without splitting a UTF-8 character.
  std::string long_body(199, 'x');
  long_body += "\xC3\xA9 and more";
  UpstreamError cut = adapter().error(400, long_body);
  EXPECT_EQ(cut.message, "gemini: HTTP 400: " + std::string(199, 'x') + "\xE2\x80\xA6");  // …
  EXPECT_EQ(cut.type, "invalid_request_error");
  EXPECT_FALSE(cut.retryable);
}

// ---------------------------------------------------------------------------------------
// Embeddings

TEST(GeminiEmbeddings, WritesABatchRequest) {
  EmbeddingRequest request;
  request.model = "embed";
  request.inputs = {"What is the meaning of life?", "How does a bicycle work?"};
  request.dimensions = 768;
  request.user = "user-42";  // not sent
  request.base64 = true;     // the gateway encodes the answer itself
  auto outbound = adapter().embedding_request(request, "models/gemini-embedding-001", endpoint());
  ASSERT_TRUE(outbound) << outbound.error().message;
  EXPECT_EQ(outbound->url,
            "https://generativelanguage.googleapis.com/v1beta/models/"
            "gemini-embedding-001:batchEmbedContents");
  EXPECT_EQ(outbound->headers.front(),
            (std::pair<std::string, std::string>{"x-goog-api-key", "AIza-test-key"}));
  expect_json(outbound->body, R"({"requests": [
    {"model": "models/gemini-embedding-001",
     "content": {"parts": [{"text": "What is the meaning of life?"}]},
     "outputDimensionality": 768},
    {"model": "models/gemini-embedding-001",
     "content": {"parts": [{"text": "How does a bicycle work?"}]},
     "outputDimensionality": 768}]})");

  request.dimensions.reset();
  auto plain = adapter().embedding_request(request, "text-embedding-004", endpoint());
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body.find("outputDimensionality"), std::string::npos);
  EXPECT_NE(plain->body.find(R"("model":"models/text-embedding-004")"), std::string::npos);

  request.inputs.clear();
  auto none = adapter().embedding_request(request, "text-embedding-004", endpoint());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().field, "input");
}

TEST(GeminiEmbeddings, ReadsTheVectors) {
  auto response = adapter().embedding_response(R"({"embeddings": [
    {"values": [0.013168523, -0.008711934, -0.046782676, 0.00069968984]},
    {"values": [-0.02124694, 0.0015193, 1, -3e-05]}]})");
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_EQ(response->vectors.size(), 2u);
  EXPECT_EQ(response->vectors[0],
            (std::vector<double>{0.013168523, -0.008711934, -0.046782676, 0.00069968984}));
  EXPECT_EQ(response->vectors[1], (std::vector<double>{-0.02124694, 0.0015193, 1.0, -3e-05}));
  EXPECT_EQ(response->usage.input_tokens, 0);  // Gemini does not count them here

  for (std::string_view body : {std::string_view("{}"), std::string_view("not json"),
                                std::string_view(R"({"embeddings": [{"values": [0.1, "x"]}]})"),
                                std::string_view(R"({"embeddings": [{}]})")}) {
    auto refused = adapter().embedding_response(body);
    ASSERT_FALSE(refused) << body;
    EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  }
}

}  // namespace
}  // namespace aic::ai
