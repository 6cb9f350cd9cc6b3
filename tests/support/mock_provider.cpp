#include "mock_provider.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/result.hpp"

namespace aic::test {

namespace detail {
struct MockShared {
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> hung{0};
  std::atomic<std::size_t> abandoned_holds{0};
  std::atomic<std::size_t> abandoned{0};
  std::atomic<std::int64_t> event_delay_ms{0};
  std::atomic<std::uint64_t> next_id{1};
};
}  // namespace detail

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using detail::MockShared;
using http::Response;
using FaultKind = MockFault::Kind;

constexpr std::string_view kToolArguments = R"({"city":"Oslo"})";
// The same text in the fragments a stream sends.
constexpr std::string_view kToolArgumentFragments[] = {R"({"city":)", R"("Oslo"})"};
constexpr std::string_view kJsonReply = R"({"answer":"mock"})";
constexpr std::int64_t kCreated = 1700000000;  // a fixed "created" timestamp
constexpr auto kHoldStep = std::chrono::milliseconds(20);

enum class Format { kOpenAi, kAnthropic, kGemini };

// What a request wants of the body once kStatus, kHang and kDelay are dealt with.
struct BodyFault {
  std::optional<FaultKind> kind;          // kTruncatedStream, kMalformedJson or kMidStreamError
  int status = 500;                       // kMidStreamError
  std::optional<std::string> reply_text;  // kReply: the model's text instead of the usual
};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::int64_t count_words(std::string_view text) {
  std::int64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = is_space(c);
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// `text` in pieces that each start at a word (with the whitespace before it), so that joining
// them gives `text` back. A text of one word is split in the middle, so a stream always has
// two content events when the text has two bytes.
std::vector<std::string> split_pieces(std::string_view text) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (is_space(text[i]) && !is_space(text[i - 1])) {
      pieces.emplace_back(text.substr(start, i - start));
      start = i;
    }
  }
  if (start < text.size()) pieces.emplace_back(text.substr(start));
  if (pieces.size() == 1 && text.size() >= 2) {
    std::size_t middle = text.size() / 2;
    // Not inside a UTF-8 sequence.
    while (middle < text.size() && (static_cast<unsigned char>(text[middle]) & 0xC0) == 0x80) {
      ++middle;
    }
    if (middle < text.size()) {
      pieces = {std::string(text.substr(0, middle)), std::string(text.substr(middle))};
    }
  }
  return pieces;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned value = (static_cast<unsigned char>(bytes[i]) << 16) |
                     (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += kAlphabet[(value >> 6) & 63];
    out += kAlphabet[value & 63];
  }
  if (i < bytes.size()) {
    unsigned value = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) value |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(value >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A JSON array of numbers in their shortest round-trip decimal form ("0.5", "-1"), as the
// providers write embeddings (Boost.JSON would write "5E-1").
std::string number_array(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    char buffer[32];
    out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, values[i]).ptr);
  }
  out += ']';
  return out;
}

// ---- reading requests -------------------------------------------------------------------

// The member `name` (or its snake_case `alias`, which Google's APIs accept too).
const json::value* member(const json::object& object, std::string_view name,
                          std::string_view alias = {}) {
  if (const json::value* value = object.if_contains(name)) return value;
  return alias.empty() ? nullptr : object.if_contains(alias);
}
const json::object* object_member(const json::object& object, std::string_view name,
                                  std::string_view alias = {}) {
  const json::value* value = member(object, name, alias);
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}
const json::array* array_member(const json::object& object, std::string_view name,
                                std::string_view alias = {}) {
  const json::value* value = member(object, name, alias);
  return value != nullptr && value->is_array() ? &value->get_array() : nullptr;
}
std::string_view string_member(const json::object& object, std::string_view name,
                               std::string_view alias = {}) {
  const json::value* value = member(object, name, alias);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                : std::string_view();
}

// What the mock needs from a chat request, in any format.
struct Conversation {
  std::string model;
  std::string last_user_text;
  std::int64_t input_words = 0;
  std::string first_tool;  // empty: no tools declared
  bool json_output = false;
  bool stream = false;
};

// The text of a message's content: a string, or the text parts of an array (OpenAI parts
// and Anthropic blocks carry "type":"text"; Gemini parts have no type), joined by a space.
// Counts its words into `words`.
std::string text_of(const json::value& content, std::int64_t& words) {
  if (content.is_string()) {
    words += count_words(content.get_string());
    return std::string(content.get_string());
  }
  std::string text;
  if (!content.is_array()) return text;
  for (const json::value& part : content.get_array()) {
    if (!part.is_object()) continue;
    const json::object& object = part.get_object();
    const json::value* type = object.if_contains("type");
    if (type != nullptr && !(type->is_string() && type->get_string() == "text")) continue;
    const json::value* part_text = object.if_contains("text");
    if (part_text == nullptr || !part_text->is_string()) continue;
    if (!text.empty()) text += ' ';
    text += part_text->get_string();
    words += count_words(part_text->get_string());
  }
  return text;
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

// Each returns an error message for a request the real provider would refuse, or "".
std::string read_openai_chat(const json::object& body, Conversation& out) {
  out.model = std::string(string_member(body, "model"));
  if (out.model.empty()) return "you must provide a model parameter";
  const json::array* messages = array_member(body, "messages");
  if (messages == nullptr) return "Missing required parameter: 'messages'.";
  for (const json::value& message : *messages) {
    if (!message.is_object()) return "Invalid type for 'messages': expected an object.";
    const json::value* content = message.get_object().if_contains("content");
    if (content == nullptr) continue;
    std::string text = text_of(*content, out.input_words);
    if (string_member(message.get_object(), "role") == "user") out.last_user_text = text;
  }
  if (const json::array* tools = array_member(body, "tools"); tools && !tools->empty()) {
    if (const json::value& tool = tools->front(); tool.is_object()) {
      if (const json::object* function = object_member(tool.get_object(), "function")) {
        out.first_tool = std::string(string_member(*function, "name"));
      }
    }
  }
  if (const json::object* format = object_member(body, "response_format")) {
    std::string_view type = string_member(*format, "type");
    out.json_output = type == "json_object" || type == "json_schema";
  }
  const json::value* stream = body.if_contains("stream");
  out.stream = stream != nullptr && stream->is_bool() && stream->get_bool();
  return {};
}

std::string read_anthropic(const json::object& body, Conversation& out) {
  out.model = std::string(string_member(body, "model"));
  if (out.model.empty()) return "model: Field required";
  const json::value* max_tokens = body.if_contains("max_tokens");
  if (max_tokens == nullptr || !max_tokens->is_int64()) return "max_tokens: Field required";
  const json::array* messages = array_member(body, "messages");
  if (messages == nullptr) return "messages: Field required";
  if (const json::value* system = body.if_contains("system")) text_of(*system, out.input_words);
  for (const json::value& message : *messages) {
    if (!message.is_object()) return "messages: Input should be an object";
    const json::value* content = message.get_object().if_contains("content");
    if (content == nullptr) return "messages.content: Field required";
    std::string text = text_of(*content, out.input_words);
    if (string_member(message.get_object(), "role") == "user") out.last_user_text = text;
  }
  if (const json::array* tools = array_member(body, "tools")) {
    for (const json::value& tool : *tools) {
      if (!tool.is_object()) continue;
      out.first_tool = std::string(string_member(tool.get_object(), "name"));
      if (!out.first_tool.empty()) break;
    }
  }
  const json::object* format = object_member(body, "output_format");
  if (const json::object* config = object_member(body, "output_config")) {
    if (const json::object* config_format = object_member(*config, "format")) {
      format = config_format;
    }
  }
  out.json_output = format != nullptr && string_member(*format, "type") == "json_schema";
  const json::value* stream = body.if_contains("stream");
  out.stream = stream != nullptr && stream->is_bool() && stream->get_bool();
  return {};
}

std::string read_gemini(const json::object& body, Conversation& out) {
  const json::array* contents = array_member(body, "contents");
  if (contents == nullptr) return "* GenerateContentRequest.contents: contents is not specified";
  if (const json::object* system = object_member(body, "systemInstruction", "system_instruction")) {
    if (const json::value* parts = system->if_contains("parts")) {
      text_of(*parts, out.input_words);
    }
  }
  for (const json::value& content : *contents) {
    if (!content.is_object()) return "Invalid value at 'contents': expected an object";
    const json::value* parts = content.get_object().if_contains("parts");
    if (parts == nullptr) continue;
    std::string text = text_of(*parts, out.input_words);
    std::string_view role = string_member(content.get_object(), "role");
    if (role.empty() || role == "user") out.last_user_text = text;
  }
  if (const json::array* tools = array_member(body, "tools")) {
    for (const json::value& tool : *tools) {
      if (!tool.is_object()) continue;
      const json::array* declarations =
          array_member(tool.get_object(), "functionDeclarations", "function_declarations");
      if (declarations == nullptr || declarations->empty()) continue;
      if (declarations->front().is_object()) {
        out.first_tool = std::string(string_member(declarations->front().get_object(), "name"));
      }
      if (!out.first_tool.empty()) break;
    }
  }
  if (const json::object* config = object_member(body, "generationConfig", "generation_config")) {
    out.json_output =
        string_member(*config, "responseMimeType", "response_mime_type") == "application/json" ||
        member(*config, "responseSchema", "response_schema") != nullptr ||
        member(*config, "responseJsonSchema", "response_json_schema") != nullptr;
  }
  return {};
}

// The mock's answer to a conversation, in no format yet.
struct Reply {
  std::uint64_t id = 0;
  std::string model;
  bool tool_call = false;
  std::string tool_name;
  std::string text;  // when not a tool call
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

Reply reply_to(const Conversation& conversation, MockShared& shared, const BodyFault& fault) {
  Reply reply;
  reply.id = shared.next_id.fetch_add(1);
  reply.model = conversation.model;
  reply.tool_call = !conversation.first_tool.empty() &&
                    conversation.last_user_text.find("CALL_TOOL") != std::string::npos;
  if (reply.tool_call) {
    reply.tool_name = conversation.first_tool;
  } else if (fault.reply_text) {
    reply.text = *fault.reply_text;
  } else if (conversation.json_output) {
    reply.text = std::string(kJsonReply);
  } else {
    reply.text = "mock reply: " + conversation.last_user_text;
  }
  reply.input_tokens = conversation.input_words;
  reply.output_tokens = count_words(reply.tool_call ? kToolArguments : reply.text);
  return reply;
}

json::object tool_arguments_object() {
  json::object arguments;
  arguments["city"] = "Oslo";
  return arguments;
}

// ---- errors -----------------------------------------------------------------------------

std::string error_body(Format format, int status, std::string_view message) {
  json::object error;
  switch (format) {
    case Format::kOpenAi: {
      std::string_view type = "invalid_request_error";
      json::value code = nullptr;
      if (status == 401) code = "invalid_api_key";
      if (status == 404) code = "model_not_found";
      if (status == 429) {
        type = "requests";
        code = "rate_limit_exceeded";
      }
      if (status >= 500) type = "server_error";
      error["message"] = message;
      error["type"] = type;
      error["param"] = nullptr;
      error["code"] = code;
      json::object body;
      body["error"] = std::move(error);
      return json::serialize(body);
    }
    case Format::kAnthropic: {
      std::string_view type = status >= 500 ? "api_error" : "invalid_request_error";
      if (status == 401) type = "authentication_error";
      if (status == 403) type = "permission_error";
      if (status == 404) type = "not_found_error";
      if (status == 413) type = "request_too_large";
      if (status == 429) type = "rate_limit_error";
      if (status == 529) type = "overloaded_error";
      error["type"] = type;
      error["message"] = message;
      json::object body;
      body["type"] = "error";
      body["error"] = std::move(error);
      body["request_id"] = "req_mock";
      return json::serialize(body);
    }
    case Format::kGemini: {
      std::string_view name = "UNKNOWN";
      switch (status) {
        case 400:
          name = "INVALID_ARGUMENT";
          break;
        case 401:
          name = "UNAUTHENTICATED";
          break;
        case 403:
          name = "PERMISSION_DENIED";
          break;
        case 404:
          name = "NOT_FOUND";
          break;
        case 409:
          name = "ABORTED";
          break;
        case 429:
          name = "RESOURCE_EXHAUSTED";
          break;
        case 499:
          name = "CANCELLED";
          break;
        case 500:
          name = "INTERNAL";
          break;
        case 501:
          name = "UNIMPLEMENTED";
          break;
        case 503:
          name = "UNAVAILABLE";
          break;
        case 504:
          name = "DEADLINE_EXCEEDED";
          break;
        default:
          break;
      }
      error["code"] = status;
      error["message"] = message;
      error["status"] = name;
      json::object body;
      body["error"] = std::move(error);
      return json::serialize(body);
    }
  }
  return {};
}

std::string_view json_content_type(Format format) {
  return format == Format::kGemini ? "application/json; charset=UTF-8" : "application/json";
}

Response error_response(Format format, int status, std::string_view message,
                        std::string_view retry_after = {}) {
  Response response =
      Response::make(status, error_body(format, status, message), json_content_type(format));
  if (!retry_after.empty()) response.headers.set("Retry-After", retry_after);
  return response;
}

std::string fault_message(int status) {
  if (status == 429) return "mock fault: rate limit reached, please retry later";
  if (status == 529) return "Overloaded";
  return "mock fault: status " + std::to_string(status);
}

// ---- answers ----------------------------------------------------------------------------

// A streamed body: one event per next(), after the stream event delay (not before the first).
// Counts itself abandoned when destroyed before it ended, unless the mock is shutting down.
class ScriptedStream final : public http::BodyStream {
 public:
  ScriptedStream(std::vector<std::string> events, std::shared_ptr<MockShared> shared)
      : events_(std::move(events)), shared_(std::move(shared)) {}
  ~ScriptedStream() override {
    if (!ended_ && !shared_->stopping) shared_->abandoned.fetch_add(1);
  }

  asio::awaitable<std::optional<std::string>> next() override {
    auto delay = std::chrono::milliseconds(shared_->event_delay_ms.load());
    if (!stopped_ && next_ > 0 && next_ < events_.size() && delay.count() > 0) {
      if (!timer_) timer_.emplace(co_await asio::this_coro::executor);
      timer_->expires_after(delay);
      co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (stopped_ || next_ >= events_.size()) {
      ended_ = true;
      co_return std::nullopt;
    }
    co_return events_[next_++];
  }

  void stop() override {
    stopped_ = true;
    if (timer_) timer_->cancel();
  }

 private:
  std::vector<std::string> events_;
  std::shared_ptr<MockShared> shared_;
  std::optional<asio::steady_timer> timer_;
  std::size_t next_ = 0;
  bool stopped_ = false;
  bool ended_ = false;
};

// A stream's events and what a fault puts in place of some of them.
struct StreamPlan {
  std::vector<std::string> events;  // at least one; the last is the final event
  std::size_t keep = 2;             // events sent before a truncation, error or malformed event
  std::string error_event;
  std::string malformed_event;
};

Response stream_response(StreamPlan plan, const BodyFault& fault, std::string_view content_type,
                         std::shared_ptr<MockShared> shared) {
  std::vector<std::string> events = std::move(plan.events);
  if (fault.kind) {
    std::size_t keep = std::min(plan.keep, events.size() - 1);
    std::string last = events.back();
    events.resize(keep);
    if (*fault.kind == FaultKind::kMidStreamError) events.push_back(plan.error_event);
    if (*fault.kind == FaultKind::kMalformedJson) {
      events.push_back(plan.malformed_event);
      events.push_back(last);
    }
  }
  Response response;
  response.status = 200;
  response.headers.set("Content-Type", content_type);
  response.headers.set("Cache-Control", "no-cache");
  response.stream = std::make_shared<ScriptedStream>(std::move(events), std::move(shared));
  return response;
}

// A whole body, as a body fault changes it.
Response plain_response(Format format, std::string body, const BodyFault& fault) {
  if (fault.kind == FaultKind::kMidStreamError) {
    return error_response(format, fault.status, fault_message(fault.status));
  }
  if (fault.kind == FaultKind::kTruncatedStream) body.resize(body.size() / 2);
  if (fault.kind == FaultKind::kMalformedJson) body = "mock: this body is not JSON {";
  return Response::make(200, std::move(body), json_content_type(format));
}

// OpenAI ---------------------------------------------------------------------------------

json::object openai_usage(const Reply& reply) {
  json::object usage;
  usage["prompt_tokens"] = reply.input_tokens;
  usage["completion_tokens"] = reply.output_tokens;
  usage["total_tokens"] = reply.input_tokens + reply.output_tokens;
  return usage;
}

std::string openai_event(const json::object& data) {
  return "data: " + json::serialize(data) + "\n\n";
}

json::object openai_chunk(const Reply& reply) {
  json::object chunk;
  chunk["id"] = "chatcmpl-mock" + std::to_string(reply.id);
  chunk["object"] = "chat.completion.chunk";
  chunk["created"] = kCreated;
  chunk["model"] = reply.model;
  chunk["system_fingerprint"] = "fp_mock";
  return chunk;
}

std::string openai_choice_event(const Reply& reply, bool include_usage, json::object delta,
                                json::value finish_reason = nullptr) {
  json::object choice;
  choice["index"] = 0;
  choice["delta"] = std::move(delta);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = std::move(finish_reason);
  json::object chunk = openai_chunk(reply);
  chunk["choices"] = json::array{std::move(choice)};
  if (include_usage) chunk["usage"] = nullptr;
  return openai_event(chunk);
}

json::object openai_tool_call_delta(const Reply& reply, std::string_view arguments, bool first) {
  json::object function;
  if (first) function["name"] = reply.tool_name;
  function["arguments"] = arguments;
  json::object call;
  call["index"] = 0;
  if (first) {
    call["id"] = "call_mock" + std::to_string(reply.id);
    call["type"] = "function";
  }
  call["function"] = std::move(function);
  return call;
}

Response openai_chat(const http::Request& request, const BodyFault& fault,
                     const std::shared_ptr<MockShared>& shared) {
  auto body = parse_object(request.body);
  if (!body) {
    return error_response(Format::kOpenAi, 400,
                          "We could not parse the JSON body of your request.");
  }
  Conversation conversation;
  if (std::string error = read_openai_chat(*body, conversation); !error.empty()) {
    return error_response(Format::kOpenAi, 400, error);
  }
  Reply reply = reply_to(conversation, *shared, fault);
  const std::string_view finish_reason = reply.tool_call ? "tool_calls" : "stop";

  if (!conversation.stream) {
    json::object message;
    message["role"] = "assistant";
    if (reply.tool_call) {
      json::object function;
      function["name"] = reply.tool_name;
      function["arguments"] = kToolArguments;
      json::object call;
      call["id"] = "call_mock" + std::to_string(reply.id);
      call["type"] = "function";
      call["function"] = std::move(function);
      message["content"] = nullptr;
      message["tool_calls"] = json::array{std::move(call)};
    } else {
      message["content"] = reply.text;
    }
    message["refusal"] = nullptr;
    message["annotations"] = json::array();
    json::object choice;
    choice["index"] = 0;
    choice["message"] = std::move(message);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = finish_reason;
    json::object completion;
    completion["id"] = "chatcmpl-mock" + std::to_string(reply.id);
    completion["object"] = "chat.completion";
    completion["created"] = kCreated;
    completion["model"] = reply.model;
    completion["choices"] = json::array{std::move(choice)};
    completion["usage"] = openai_usage(reply);
    completion["system_fingerprint"] = "fp_mock";
    return plain_response(Format::kOpenAi, json::serialize(completion), fault);
  }

  bool include_usage = false;
  if (const json::object* options = object_member(*body, "stream_options")) {
    const json::value* flag = options->if_contains("include_usage");
    include_usage = flag != nullptr && flag->is_bool() && flag->get_bool();
  }
  StreamPlan plan;
  json::object first;
  first["role"] = "assistant";
  if (reply.tool_call) {
    first["content"] = nullptr;
    first["tool_calls"] = json::array{openai_tool_call_delta(reply, "", true)};
    first["refusal"] = nullptr;
    plan.events.push_back(openai_choice_event(reply, include_usage, std::move(first)));
    for (std::string_view fragment : kToolArgumentFragments) {
      json::object delta;
      delta["tool_calls"] = json::array{openai_tool_call_delta(reply, fragment, false)};
      plan.events.push_back(openai_choice_event(reply, include_usage, std::move(delta)));
    }
  } else {
    first["content"] = "";
    first["refusal"] = nullptr;
    plan.events.push_back(openai_choice_event(reply, include_usage, std::move(first)));
    for (const std::string& piece : split_pieces(reply.text)) {
      json::object delta;
      delta["content"] = piece;
      plan.events.push_back(openai_choice_event(reply, include_usage, std::move(delta)));
    }
  }
  plan.events.push_back(openai_choice_event(reply, include_usage, {}, json::string(finish_reason)));
  if (include_usage) {
    json::object chunk = openai_chunk(reply);
    chunk["choices"] = json::array();
    chunk["usage"] = openai_usage(reply);
    plan.events.push_back(openai_event(chunk));
  }
  plan.events.emplace_back("data: [DONE]\n\n");
  plan.error_event =
      "data: " + error_body(Format::kOpenAi, fault.status, fault_message(fault.status)) + "\n\n";
  plan.malformed_event = "data: {\"id\":\"chatcmpl-mock\",\"choices\":[{not json\n\n";
  return stream_response(std::move(plan), fault, "text/event-stream; charset=utf-8", shared);
}

Response openai_embeddings(const http::Request& request, const BodyFault& fault) {
  auto body = parse_object(request.body);
  if (!body) {
    return error_response(Format::kOpenAi, 400,
                          "We could not parse the JSON body of your request.");
  }
  std::string_view model = string_member(*body, "model");
  if (model.empty()) return error_response(Format::kOpenAi, 400, "you must provide a model");
  std::vector<std::string> inputs;
  const json::value* input = body->if_contains("input");
  if (input != nullptr && input->is_string()) {
    inputs.emplace_back(input->get_string());
  } else if (input != nullptr && input->is_array() && !input->get_array().empty()) {
    for (const json::value& item : input->get_array()) {
      // Token arrays are embedded by their JSON text.
      inputs.push_back(item.is_string() ? std::string(item.get_string()) : json::serialize(item));
    }
  } else {
    return error_response(Format::kOpenAi, 400, "'input' must be a string or a non-empty array");
  }
  std::size_t dimensions = MockProvider::kDefaultDimensions;
  if (const json::value* value = body->if_contains("dimensions")) {
    if (!value->is_int64() || value->get_int64() < 1 || value->get_int64() > 4096) {
      return error_response(Format::kOpenAi, 400, "'dimensions' must be between 1 and 4096");
    }
    dimensions = static_cast<std::size_t>(value->get_int64());
  }
  const bool as_base64 = string_member(*body, "encoding_format") == "base64";
  std::int64_t words = 0;
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    words += count_words(inputs[i]);
    std::vector<double> vector = MockProvider::embedding_of(inputs[i], dimensions);
    if (i > 0) out += ',';
    out += R"({"object":"embedding","index":)" + std::to_string(i) + R"(,"embedding":)";
    if (as_base64) {
      std::string bytes;
      for (double value : vector) {
        float single = static_cast<float>(value);
        char raw[sizeof single];
        std::memcpy(raw, &single, sizeof single);  // little-endian on every host we build for
        bytes.append(raw, sizeof raw);
      }
      out += '"' + base64(bytes) + '"';
    } else {
      out += number_array(vector);
    }
    out += '}';
  }
  out += R"(],"model":)" + json::serialize(json::value(model)) + R"(,"usage":{"prompt_tokens":)" +
         std::to_string(words) + R"(,"total_tokens":)" + std::to_string(words) + "}}";
  return plain_response(Format::kOpenAi, std::move(out), fault);
}

Response openai_models(const BodyFault& fault) {
  json::array data;
  for (std::string_view id : {"gpt-4o-mini", "gpt-4o", "text-embedding-3-small"}) {
    json::object model;
    model["id"] = id;
    model["object"] = "model";
    model["created"] = kCreated;
    model["owned_by"] = "openai";
    data.push_back(std::move(model));
  }
  json::object list;
  list["object"] = "list";
  list["data"] = std::move(data);
  return plain_response(Format::kOpenAi, json::serialize(list), fault);
}

// Anthropic ------------------------------------------------------------------------------

std::string anthropic_event(std::string_view name, const json::object& data) {
  return "event: " + std::string(name) + "\ndata: " + json::serialize(data) + "\n\n";
}

Response anthropic_messages(const http::Request& request, const BodyFault& fault,
                            const std::shared_ptr<MockShared>& shared) {
  auto body = parse_object(request.body);
  if (!body) {
    return error_response(Format::kAnthropic, 400, "There was an error parsing the body");
  }
  Conversation conversation;
  if (std::string error = read_anthropic(*body, conversation); !error.empty()) {
    return error_response(Format::kAnthropic, 400, error);
  }
  Reply reply = reply_to(conversation, *shared, fault);
  const std::string id = "msg_mock" + std::to_string(reply.id);
  const std::string tool_id = "toolu_mock" + std::to_string(reply.id);
  const std::string_view stop_reason = reply.tool_call ? "tool_use" : "end_turn";

  if (!conversation.stream) {
    json::object block;
    if (reply.tool_call) {
      block["type"] = "tool_use";
      block["id"] = tool_id;
      block["name"] = reply.tool_name;
      block["input"] = tool_arguments_object();
    } else {
      block["type"] = "text";
      block["text"] = reply.text;
    }
    json::object usage;
    usage["input_tokens"] = reply.input_tokens;
    usage["output_tokens"] = reply.output_tokens;
    json::object message;
    message["id"] = id;
    message["type"] = "message";
    message["role"] = "assistant";
    message["model"] = reply.model;
    message["content"] = json::array{std::move(block)};
    message["stop_reason"] = stop_reason;
    message["stop_sequence"] = nullptr;
    message["usage"] = std::move(usage);
    return plain_response(Format::kAnthropic, json::serialize(message), fault);
  }

  StreamPlan plan;
  plan.keep = 4;  // message_start, content_block_start, ping and the first delta
  {
    json::object usage;
    usage["input_tokens"] = reply.input_tokens;
    usage["output_tokens"] = 1;
    json::object message;
    message["id"] = id;
    message["type"] = "message";
    message["role"] = "assistant";
    message["model"] = reply.model;
    message["content"] = json::array();
    message["stop_reason"] = nullptr;
    message["stop_sequence"] = nullptr;
    message["usage"] = std::move(usage);
    json::object start;
    start["type"] = "message_start";
    start["message"] = std::move(message);
    plan.events.push_back(anthropic_event("message_start", start));
  }
  {
    json::object block;
    if (reply.tool_call) {
      block["type"] = "tool_use";
      block["id"] = tool_id;
      block["name"] = reply.tool_name;
      block["input"] = json::object();
    } else {
      block["type"] = "text";
      block["text"] = "";
    }
    json::object start;
    start["type"] = "content_block_start";
    start["index"] = 0;
    start["content_block"] = std::move(block);
    plan.events.push_back(anthropic_event("content_block_start", start));
  }
  plan.events.emplace_back("event: ping\ndata: {\"type\": \"ping\"}\n\n");
  std::vector<std::string> pieces;
  if (reply.tool_call) {
    pieces.assign(std::begin(kToolArgumentFragments), std::end(kToolArgumentFragments));
  } else {
    pieces = split_pieces(reply.text);
  }
  for (const std::string& piece : pieces) {
    json::object delta;
    if (reply.tool_call) {
      delta["type"] = "input_json_delta";
      delta["partial_json"] = piece;
    } else {
      delta["type"] = "text_delta";
      delta["text"] = piece;
    }
    json::object event;
    event["type"] = "content_block_delta";
    event["index"] = 0;
    event["delta"] = std::move(delta);
    plan.events.push_back(anthropic_event("content_block_delta", event));
  }
  {
    json::object stop;
    stop["type"] = "content_block_stop";
    stop["index"] = 0;
    plan.events.push_back(anthropic_event("content_block_stop", stop));
  }
  {
    json::object delta;
    delta["stop_reason"] = stop_reason;
    delta["stop_sequence"] = nullptr;
    json::object usage;
    usage["output_tokens"] = reply.output_tokens;
    json::object event;
    event["type"] = "message_delta";
    event["delta"] = std::move(delta);
    event["usage"] = std::move(usage);
    plan.events.push_back(anthropic_event("message_delta", event));
  }
  plan.events.emplace_back("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  plan.error_event = "event: error\ndata: " +
                     error_body(Format::kAnthropic, fault.status, fault_message(fault.status)) +
                     "\n\n";
  plan.malformed_event =
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",{\n\n";
  return stream_response(std::move(plan), fault, "text/event-stream; charset=utf-8", shared);
}

// Gemini ---------------------------------------------------------------------------------

json::object gemini_usage(const Reply& reply, bool final) {
  json::object usage;
  usage["promptTokenCount"] = reply.input_tokens;
  if (final) usage["candidatesTokenCount"] = reply.output_tokens;
  usage["totalTokenCount"] = reply.input_tokens + (final ? reply.output_tokens : 0);
  return usage;
}

// One GenerateContentResponse with `parts`; the final one carries the finish reason and the
// whole usage, earlier stream chunks only the prompt's.
json::object gemini_response(const Reply& reply, json::array parts, bool final) {
  json::object content;
  content["parts"] = std::move(parts);
  content["role"] = "model";
  json::object candidate;
  candidate["content"] = std::move(content);
  if (final) candidate["finishReason"] = "STOP";
  candidate["index"] = 0;
  json::object response;
  response["candidates"] = json::array{std::move(candidate)};
  response["usageMetadata"] = gemini_usage(reply, final);
  response["modelVersion"] = reply.model;
  response["responseId"] = "mock" + std::to_string(reply.id);
  return response;
}

json::object gemini_text_part(std::string_view text) {
  json::object part;
  part["text"] = text;
  return part;
}

// The text of an embedding request's `content` ({"parts":[{"text":…}]}), parts joined by a space.
std::string gemini_content_text(const json::object& request) {
  std::int64_t ignored = 0;
  const json::object* content = object_member(request, "content");
  if (content == nullptr) return {};
  const json::value* parts = content->if_contains("parts");
  return parts != nullptr ? text_of(*parts, ignored) : std::string();
}

std::size_t gemini_dimensions(const json::object& request) {
  const json::value* value = member(request, "outputDimensionality", "output_dimensionality");
  if (value == nullptr || !value->is_int64() || value->get_int64() < 1) {
    return MockProvider::kDefaultDimensions;
  }
  return static_cast<std::size_t>(std::min<std::int64_t>(value->get_int64(), 4096));
}

Response gemini(const http::Request& request, std::string_view spec, const BodyFault& fault,
                const std::shared_ptr<MockShared>& shared) {
  std::size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return error_response(Format::kGemini, 404, "mock: expected models/{model}:{method}");
  }
  const std::string model(spec.substr(0, colon));
  const std::string_view method = spec.substr(colon + 1);
  auto body = parse_object(request.body);
  if (!body) {
    return error_response(Format::kGemini, 400, "Invalid JSON payload received.");
  }

  if (method == "embedContent") {
    std::string text = gemini_content_text(*body);
    return plain_response(
        Format::kGemini,
        R"({"embedding":{"values":)" +
            number_array(MockProvider::embedding_of(text, gemini_dimensions(*body))) + "}}",
        fault);
  }
  if (method == "batchEmbedContents") {
    const json::array* requests = array_member(*body, "requests");
    if (requests == nullptr || requests->empty()) {
      return error_response(Format::kGemini, 400,
                            "* BatchEmbedContentsRequest.requests: requests is not specified");
    }
    std::string out = R"({"embeddings":[)";
    for (std::size_t i = 0; i < requests->size(); ++i) {
      const json::value& each = (*requests)[i];
      if (!each.is_object()) {
        return error_response(Format::kGemini, 400, "Invalid value at 'requests'");
      }
      if (i > 0) out += ',';
      out += R"({"values":)" +
             number_array(MockProvider::embedding_of(gemini_content_text(each.get_object()),
                                                     gemini_dimensions(each.get_object()))) +
             "}";
    }
    out += "]}";
    return plain_response(Format::kGemini, std::move(out), fault);
  }
  const bool stream = method == "streamGenerateContent";
  if (!stream && method != "generateContent") {
    return error_response(Format::kGemini, 404,
                          "mock: unknown method " + std::string(method) + " for models/" + model);
  }

  Conversation conversation;
  if (std::string error = read_gemini(*body, conversation); !error.empty()) {
    return error_response(Format::kGemini, 400, error);
  }
  conversation.model = model;
  Reply reply = reply_to(conversation, *shared, fault);

  json::object call_part;
  if (reply.tool_call) {
    json::object call;
    call["name"] = reply.tool_name;
    call["args"] = tool_arguments_object();
    call_part["functionCall"] = std::move(call);
  }
  if (!stream) {
    json::array parts{reply.tool_call ? json::value(call_part) : gemini_text_part(reply.text)};
    return plain_response(Format::kGemini,
                          json::serialize(gemini_response(reply, std::move(parts), true)), fault);
  }

  std::vector<json::object> chunks;
  if (reply.tool_call) {
    chunks.push_back(gemini_response(reply, json::array{std::move(call_part)}, true));
  } else {
    std::vector<std::string> pieces = split_pieces(reply.text);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      chunks.push_back(
          gemini_response(reply, json::array{gemini_text_part(pieces[i])}, i + 1 == pieces.size()));
    }
  }
  if (request.query().find("alt=sse") == std::string_view::npos) {
    // Without alt=sse the chunks come as one JSON array.
    std::string out = "[";
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (i > 0) out += ",\r\n";
      out += json::serialize(chunks[i]);
    }
    out += "]";
    return plain_response(Format::kGemini, std::move(out), fault);
  }
  StreamPlan plan;
  plan.keep = 1;
  for (const json::object& chunk : chunks) {
    plan.events.push_back("data: " + json::serialize(chunk) + "\r\n\r\n");
  }
  plan.error_event =
      "data: " + error_body(Format::kGemini, fault.status, fault_message(fault.status)) +
      "\r\n\r\n";
  plan.malformed_event = "data: {\"candidates\": [{\"content\": {not json\r\n\r\n";
  return stream_response(std::move(plan), fault, "text/event-stream", shared);
}

// The credential check of each provider; an error response when it fails.
std::optional<Response> check_credentials(Format format, const http::Request& request) {
  switch (format) {
    case Format::kOpenAi: {
      auto authorization = request.headers.get("Authorization");
      if (!authorization || !authorization->starts_with("Bearer ") || authorization->size() <= 7) {
        return error_response(format, 401,
                              "You didn't provide an API key. Send it in the Authorization "
                              "header as Bearer auth.");
      }
      return std::nullopt;
    }
    case Format::kAnthropic:
      if (!request.headers.contains("x-api-key")) {
        return error_response(format, 401, "x-api-key header is required");
      }
      if (!request.headers.contains("anthropic-version")) {
        return error_response(format, 400, "anthropic-version: header is required");
      }
      return std::nullopt;
    case Format::kGemini:
      if (!request.headers.contains("x-goog-api-key")) {
        return error_response(format, 403,
                              "Method doesn't allow unregistered callers (callers without "
                              "established identity). Please use API key or other form of API "
                              "consumer identity to call this API.");
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// A fault from the body of POST /__mock/faults; an error message when the body is not one.
core::Result<MockFault> read_fault(std::string_view text) {
  auto body = parse_object(text);
  if (!body) return core::Error::invalid("expected a JSON object");
  static constexpr std::pair<std::string_view, FaultKind> kKinds[] = {
      {"status", FaultKind::kStatus},
      {"hang", FaultKind::kHang},
      {"truncated_stream", FaultKind::kTruncatedStream},
      {"malformed_json", FaultKind::kMalformedJson},
      {"mid_stream_error", FaultKind::kMidStreamError},
      {"delay", FaultKind::kDelay},
      {"reply", FaultKind::kReply}};
  std::string_view kind = string_member(*body, "kind");
  const auto* found = std::find_if(std::begin(kKinds), std::end(kKinds),
                                   [&](const auto& each) { return each.first == kind; });
  if (found == std::end(kKinds)) {
    return core::Error::invalid("unknown kind \"" + std::string(kind) + "\"");
  }
  MockFault fault;
  fault.kind = found->second;
  if (const json::value* status = body->if_contains("status")) {
    if (!status->is_int64() || status->get_int64() < 100 || status->get_int64() > 599) {
      return core::Error::invalid("status: expected an integer from 100 to 599");
    }
    fault.status = static_cast<int>(status->get_int64());
  }
  if (const json::value* retry_after = body->if_contains("retry_after")) {
    if (!retry_after->is_string()) return core::Error::invalid("retry_after: expected a string");
    fault.retry_after = std::string(retry_after->get_string());
  }
  if (const json::value* delay = body->if_contains("delay_ms")) {
    if (!delay->is_int64() || delay->get_int64() < 0) {
      return core::Error::invalid("delay_ms: expected a non-negative integer");
    }
    fault.delay = std::chrono::milliseconds(delay->get_int64());
  }
  if (const json::value* reply = body->if_contains("text")) {
    if (!reply->is_string()) return core::Error::invalid("text: expected a string");
    fault.reply_text = std::string(reply->get_string());
  }
  return fault;
}

}  // namespace

std::string MockProvider::Recorded::header(std::string_view name) const {
  auto value = headers.get(name);
  return value ? std::string(*value) : std::string();
}

MockProvider::MockProvider() : shared_(std::make_shared<MockShared>()) {
  config_.server.listen = "127.0.0.1:0";
  config_.server.io_threads = 1;
  config_.server.shutdown_grace = std::chrono::milliseconds(500);
  config_.server.shutdown_delay = std::chrono::milliseconds(0);
  metrics_ = std::make_unique<http::HttpMetrics>(registry_);
  auto add = [this](http::Method method, std::string path, Endpoint endpoint) {
    router_.add(
        method, std::move(path),
        [this, endpoint](http::RequestContext& context) { return handle(endpoint, context); },
        {.max_body_bytes = 16 * 1024 * 1024,
         .permission = std::string(http::kPublic),
         .watch_client = true});  // held requests notice the gateway leaving
  };
  add(http::Method::kPost, "/v1/chat/completions", Endpoint::kOpenAiChat);
  add(http::Method::kPost, "/v1/embeddings", Endpoint::kOpenAiEmbeddings);
  add(http::Method::kGet, "/v1/models", Endpoint::kOpenAiModels);
  add(http::Method::kPost, "/v1/messages", Endpoint::kAnthropicMessages);
  // Our router has no "{model}:method" segments: the whole segment is one parameter.
  add(http::Method::kPost, "/v1beta/models/{spec}", Endpoint::kGemini);
  router_.add(http::Method::kPost, "/__mock/faults",
              [this](http::RequestContext& context) -> asio::awaitable<Response> {
                co_return control_fault(context.request);
              },
              {.max_body_bytes = 64 * 1024, .permission = std::string(http::kPublic)});
  pipeline_ =
      std::make_unique<http::Pipeline>(std::vector<std::unique_ptr<http::Filter>>{}, router_);
  server_ = std::make_unique<http::Server>(config_, *pipeline_, *metrics_);
  if (auto started = server_->start(); !started) {
    throw std::runtime_error("mock provider: " + started.error().message);
  }
}

MockProvider::~MockProvider() {
  shared_->stopping = true;  // held requests answer, and nothing counts as abandoned
  server_->begin_shutdown();
  server_->wait();
}

std::uint16_t MockProvider::port() const { return server_->port(); }

std::string MockProvider::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

void MockProvider::push_fault(MockFault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

void MockProvider::set_stream_event_delay(std::chrono::milliseconds delay) {
  shared_->event_delay_ms = delay.count();
}

std::vector<MockProvider::Recorded> MockProvider::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t MockProvider::count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

bool MockProvider::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

Response MockProvider::control_fault(const http::Request& request) {
  auto fault = read_fault(request.body);
  if (!fault) return Response::make(400, "mock: " + fault.error().message + "\n", "text/plain");
  push_fault(std::move(fault).value());
  return Response::empty(204);
}

std::size_t MockProvider::hung_requests() const { return shared_->hung.load(); }

std::size_t MockProvider::abandoned_streams() const { return shared_->abandoned.load(); }

std::size_t MockProvider::abandoned_holds() const { return shared_->abandoned_holds.load(); }

std::vector<double> MockProvider::embedding_of(std::string_view text, std::size_t dimensions) {
  std::uint64_t state = 14695981039346656037ull;  // FNV-1a of the text seeds an LCG
  for (char c : text) {
    state ^= static_cast<unsigned char>(c);
    state *= 1099511628211ull;
  }
  std::vector<double> values;
  values.reserve(dimensions);
  for (std::size_t i = 0; i < dimensions; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    values.push_back(static_cast<double>(state >> 54) / 512.0 - 1.0);
  }
  return values;
}

asio::awaitable<void> MockProvider::hold(std::chrono::milliseconds duration,
                                         const http::RequestContext& context) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const bool forever = duration.count() < 0;
  const auto until = std::chrono::steady_clock::now() + (forever ? kHoldStep : duration);
  while (!shared_->stopping) {
    if (context.client_gone) {
      shared_->abandoned_holds.fetch_add(1);
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (!forever && now >= until) break;
    timer.expires_after(
        forever ? std::chrono::steady_clock::duration(kHoldStep)
                : std::min<std::chrono::steady_clock::duration>(kHoldStep, until - now));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<Response> MockProvider::handle(Endpoint endpoint, http::RequestContext& context) {
  const http::Request& request = context.request;
  std::optional<MockFault> fault;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back({request.method_text, request.target, request.headers, request.body});
    if (!faults_.empty()) {
      fault = std::move(faults_.front());
      faults_.pop_front();
    }
  }
  arrived_.notify_all();
  const Format format = endpoint == Endpoint::kAnthropicMessages ? Format::kAnthropic
                        : endpoint == Endpoint::kGemini          ? Format::kGemini
                                                                 : Format::kOpenAi;
  BodyFault body_fault;
  if (fault) {
    switch (fault->kind) {
      case FaultKind::kStatus:
        co_return error_response(format, fault->status, fault_message(fault->status),
                                 fault->retry_after);
      case FaultKind::kHang:
        shared_->hung.fetch_add(1);
        co_await hold(std::chrono::milliseconds(-1), context);
        co_return error_response(format, 503, "mock provider shut down");
      case FaultKind::kDelay:
        co_await hold(fault->delay, context);
        if (shared_->stopping) co_return error_response(format, 503, "mock provider shut down");
        break;
      case FaultKind::kTruncatedStream:
      case FaultKind::kMalformedJson:
      case FaultKind::kMidStreamError:
        body_fault = {fault->kind, fault->status};
        break;
      case FaultKind::kReply:
        body_fault.reply_text = std::move(fault->reply_text);
        break;
    }
  }
  if (auto refused = check_credentials(format, request)) co_return std::move(*refused);
  switch (endpoint) {
    case Endpoint::kOpenAiChat:
      co_return openai_chat(request, body_fault, shared_);
    case Endpoint::kOpenAiEmbeddings:
      co_return openai_embeddings(request, body_fault);
    case Endpoint::kOpenAiModels:
      co_return openai_models(body_fault);
    case Endpoint::kAnthropicMessages:
      co_return anthropic_messages(request, body_fault, shared_);
    case Endpoint::kGemini:
      co_return gemini(request, context.param("spec"), body_fault, shared_);
  }
  co_return error_response(format, 500, "mock: unknown endpoint");
}

}  // namespace aic::test
