#include "ai/formats/anthropic_format.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "ai/formats/json_fields.hpp"
#include "ai/sse.hpp"
#include "core/json_writer.hpp"

namespace aic::ai {

namespace {

using core::Error;
using core::ErrorCode;
using core::JsonWriter;
using core::Result;
using core::Status;
using json::get_array;
using json::get_bool;
using json::get_integer;
using json::get_number;
using json::get_object;
using json::get_string;
using json::index_path;
using json::member_path;
using json::view;

constexpr std::string_view kDefaultApiVersion = "2023-06-01";
// Anthropic requires max_tokens and OpenAI-style requests often leave it out. 4096 is the
// largest output every Claude model accepts (Claude 3 Haiku's limit), so the default itself
// never makes a request fail; clients wanting longer answers say so.
constexpr std::int64_t kDefaultMaxTokens = 4096;

Error required(const std::string& path) {
  return Error::invalid("`" + path + "` is required", path);
}

Error invalid(const std::string& path, std::string_view what) {
  return Error::invalid("`" + path + "` " + std::string(what), path);
}

// An answer from Anthropic that does not have the promised shape.
Error bad_answer(std::string_view what) {
  return Error::make(ErrorCode::kUnavailable, "anthropic: unexpected answer: " + std::string(what));
}

std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error);
  if (error) return std::nullopt;
  return value;
}

bool is_json_object(std::string_view text) {
  std::optional<boost::json::value> value = parse_json(text);
  return value && value->is_object();
}

// Anthropic reports cache reads and writes beside input_tokens; ours counts them in.
struct AnthropicUsage {
  std::int64_t input_tokens = 0;
  std::int64_t cache_creation_input_tokens = 0;
  std::int64_t cache_read_input_tokens = 0;
  std::int64_t output_tokens = 0;

  // Takes the members present in `usage` (a stream's message_delta repeats only some).
  void update(const boost::json::object& usage) {
    auto take = [&usage](std::string_view key, std::int64_t& target) {
      const boost::json::value* found = usage.if_contains(key);
      if (found != nullptr && found->is_number()) target = json::count_or_zero(usage, key);
    };
    take("input_tokens", input_tokens);
    take("cache_creation_input_tokens", cache_creation_input_tokens);
    take("cache_read_input_tokens", cache_read_input_tokens);
    take("output_tokens", output_tokens);
  }

  Usage to_usage() const {
    Usage usage;
    usage.input_tokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens;
    usage.cached_input_tokens = cache_read_input_tokens;
    usage.cache_write_tokens = cache_creation_input_tokens;
    usage.output_tokens = output_tokens;
    return usage;
  }
};

FinishReason finish_reason_from(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return FinishReason::kLength;
  }
  if (stop_reason == "tool_use") return FinishReason::kToolCalls;
  if (stop_reason == "refusal") return FinishReason::kContentFilter;
  return FinishReason::kStop;  // end_turn, stop_sequence, pause_turn and any new reason
}

std::string_view stop_reason_for(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop:
      return "end_turn";
    case FinishReason::kLength:
      return "max_tokens";
    case FinishReason::kToolCalls:
      return "tool_use";
    case FinishReason::kContentFilter:
      return "refusal";
  }
  return "end_turn";
}

// Anthropic's error type for an HTTP status (errors the gateway itself reports).
std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

// The OpenAI-vocabulary type of an Anthropic error; `status` decides for unknown types.
std::string openai_error_type(std::string_view anthropic_type, int status) {
  if (anthropic_type == "invalid_request_error" || anthropic_type == "authentication_error" ||
      anthropic_type == "permission_error" || anthropic_type == "not_found_error" ||
      anthropic_type == "rate_limit_error") {
    return std::string(anthropic_type);
  }
  if (anthropic_type == "request_too_large") return "invalid_request_error";
  if (anthropic_type == "billing_error") return "insufficient_quota";
  if (anthropic_type == "api_error" || anthropic_type == "overloaded_error" ||
      anthropic_type == "timeout_error") {
    return "server_error";
  }
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "insufficient_quota";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

void write_error_body(JsonWriter& json, std::string_view type, std::string_view message) {
  json.begin_object();
  json.member("type", "error");
  json.key("error");
  json.begin_object();
  json.member("type", type);
  json.member("message", message);
  json.end_object();
  json.end_object();
}

// ---------------------------------------------------------------------------------------
// Provider: ChatRequest → Messages request

void write_cache_control(JsonWriter& json) {
  json.key("cache_control");
  json.begin_object();
  json.member("type", "ephemeral");
  json.end_object();
}

struct DataUri {
  std::string_view media_type;
  std::string_view data;
};

// "data:image/png;base64,iVBOR…"; parameters before ";base64" (charset) are dropped.
std::optional<DataUri> parse_data_uri(std::string_view uri) {
  if (!uri.starts_with("data:")) return std::nullopt;
  std::size_t comma = uri.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view header = uri.substr(5, comma - 5);
  if (!header.ends_with(";base64")) return std::nullopt;
  header.remove_suffix(7);
  std::string_view media_type = header.substr(0, header.find(';'));
  if (media_type.empty()) return std::nullopt;
  return DataUri{media_type, uri.substr(comma + 1)};
}

// A text or image block. REQUIRES: an image part (text parts cannot fail).
Status write_part(JsonWriter& json, const ContentPart& part, const std::string& path) {
  json.begin_object();
  if (part.kind == ContentPart::Kind::kText) {
    json.member("type", "text");
    json.member("text", part.text);
  } else {
    json.member("type", "image");
    json.key("source");
    json.begin_object();
    if (part.image_url.starts_with("data:")) {
      std::optional<DataUri> uri = parse_data_uri(part.image_url);
      if (!uri) {
        return invalid(path, "is a data: URI without base64 data (\"data:image/png;base64,…\")");
      }
      json.member("type", "base64");
      json.member("media_type", uri->media_type);
      json.member("data", uri->data);
    } else {
      json.member("type", "url");
      json.member("url", part.image_url);
    }
    json.end_object();
    // image_detail is OpenAI's resolution hint; Anthropic sizes images on its own.
  }
  if (part.cache_breakpoint) write_cache_control(json);
  json.end_object();
  return Status();
}

// The system instructions: a string when they are one plain text, else text blocks (several
// system messages, or a cache breakpoint to keep).
void write_system(JsonWriter& json, const std::vector<const ContentPart*>& parts) {
  json.key("system");
  if (parts.size() == 1 && !parts.front()->cache_breakpoint) {
    json.value(parts.front()->text);
    return;
  }
  json.begin_array();
  for (const ContentPart* part : parts) {
    json.begin_object();
    json.member("type", "text");
    json.member("text", part->text);
    if (part->cache_breakpoint) write_cache_control(json);
    json.end_object();
  }
  json.end_array();
}

Status write_tool_use(JsonWriter& json, const ToolCall& call, const std::string& path) {
  // Anthropic takes the input as an object; the text passes through as the model wrote it.
  std::string_view input = call.arguments;
  bool blank = input.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (!blank && !is_json_object(input)) {
    return invalid(path, "must be a JSON object (anthropic takes tool input as an object)");
  }
  json.begin_object();
  json.member("type", "tool_use");
  json.member("id", call.id);
  json.member("name", call.name);
  json.key("input");
  json.raw(blank ? std::string_view("{}") : input);
  json.end_object();
  return Status();
}

Status write_tool_result(JsonWriter& json, const Message& message, const std::string& path) {
  if (message.tool_call_id.empty()) return required(member_path(path, "tool_call_id"));
  json.begin_object();
  json.member("type", "tool_result");
  json.member("tool_use_id", message.tool_call_id);
  const auto& parts = message.content;
  if (parts.size() == 1 && parts.front().kind == ContentPart::Kind::kText &&
      parts.front().text.empty()) {
    // No content: Anthropic rejects empty text, and an empty result needs none.
  } else if (parts.size() == 1 && parts.front().kind == ContentPart::Kind::kText &&
             !parts.front().cache_breakpoint) {
    json.member("content", parts.front().text);
  } else if (!parts.empty()) {
    json.key("content");
    json.begin_array();
    std::string content_path = member_path(path, "content");
    for (std::size_t j = 0; j < parts.size(); ++j) {
      if (parts[j].kind == ContentPart::Kind::kText && parts[j].text.empty()) continue;
      if (auto written = write_part(json, parts[j], index_path(content_path, j)); !written) {
        return written;
      }
    }
    json.end_array();
  }
  json.end_object();
  return Status();
}

// Writes the conversation as Anthropic turns. Consecutive messages that map to the same role
// share one turn (tool results must arrive as a user turn, and several results answering one
// assistant turn belong in one); a message that yields no block at all (an assistant turn
// with content "" and no calls) is left out, as Anthropic rejects empty turns.
class TurnWriter {
 public:
  explicit TurnWriter(JsonWriter& json) : json_(json) {}

  // Opens a turn for `role` unless one is open; call before each block.
  void block_for(std::string_view role) {
    if (open_role_ == role) return;
    close();
    json_.begin_object();
    json_.member("role", role);
    json_.key("content");
    json_.begin_array();
    open_role_ = role;
  }
  void close() {
    if (open_role_.empty()) return;
    json_.end_array();
    json_.end_object();
    open_role_ = {};
  }

 private:
  JsonWriter& json_;
  std::string_view open_role_;
};

Status write_messages(JsonWriter& json, const std::vector<Message>& messages, std::size_t first) {
  json.key("messages");
  json.begin_array();
  TurnWriter turns(json);
  for (std::size_t i = first; i < messages.size(); ++i) {
    const Message& message = messages[i];
    std::string path = index_path("messages", i);
    switch (message.role) {
      case Role::kSystem:
        return invalid(path,
                       "is a system message after the conversation started; anthropic only "
                       "accepts system instructions before the first user or assistant "
                       "message");
      case Role::kUser:
        for (std::size_t j = 0; j < message.content.size(); ++j) {
          const ContentPart& part = message.content[j];
          if (part.kind == ContentPart::Kind::kText && part.text.empty()) continue;
          turns.block_for("user");
          std::string part_path = index_path(member_path(path, "content"), j);
          if (auto written = write_part(json, part, part_path); !written) return written;
        }
        break;
      case Role::kAssistant:
        for (std::size_t j = 0; j < message.content.size(); ++j) {
          const ContentPart& part = message.content[j];
          std::string part_path = index_path(member_path(path, "content"), j);
          if (part.kind == ContentPart::Kind::kImage) {
            return invalid(part_path, "is an image; anthropic accepts images only from the user");
          }
          if (part.text.empty()) continue;  // Anthropic rejects empty text blocks
          turns.block_for("assistant");
          if (auto written = write_part(json, part, part_path); !written) return written;
        }
        for (std::size_t j = 0; j < message.tool_calls.size(); ++j) {
          turns.block_for("assistant");
          std::string arguments_path =
              member_path(index_path(member_path(path, "tool_calls"), j), "function.arguments");
          if (auto written = write_tool_use(json, message.tool_calls[j], arguments_path);
              !written) {
            return written;
          }
        }
        break;
      case Role::kTool:
        turns.block_for("user");
        if (auto written = write_tool_result(json, message, path); !written) return written;
        break;
    }
  }
  turns.close();
  json.end_array();
  return Status();
}

Status write_tools(JsonWriter& json, const std::vector<Tool>& tools) {
  json.key("tools");
  json.begin_array();
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const Tool& tool = tools[i];
    json.begin_object();
    json.member("name", tool.name);
    if (!tool.description.empty()) json.member("description", tool.description);
    json.key("input_schema");
    if (tool.parameters.empty()) {
      json.raw(R"({"type":"object","properties":{}})");
    } else if (is_json_object(tool.parameters)) {
      json.raw(tool.parameters);
    } else {
      return invalid(member_path(index_path("tools", i), "function.parameters"),
                     "must be a JSON Schema object");
    }
    // Tool::strict is not forwarded: Anthropic follows the schema without a strict mode in
    // the stable API, and refusing it would turn away most OpenAI agent frameworks.
    json.end_object();
  }
  json.end_array();
  return Status();
}

Status write_tool_choice(JsonWriter& json, const ChatRequest& request) {
  if (request.tools.empty()) {
    // Without tools, "none" and "auto" mean what Anthropic does anyway.
    if (request.tool_choice && (request.tool_choice->mode == ToolChoice::Mode::kRequired ||
                                request.tool_choice->mode == ToolChoice::Mode::kNamed)) {
      return invalid("tool_choice", "asks for a tool call but the request declares no tools");
    }
    return Status();
  }
  bool serial = request.parallel_tool_calls.has_value() && !*request.parallel_tool_calls;
  if (!request.tool_choice && !serial) return Status();
  ToolChoice::Mode mode = request.tool_choice ? request.tool_choice->mode : ToolChoice::Mode::kAuto;
  json.key("tool_choice");
  json.begin_object();
  switch (mode) {
    case ToolChoice::Mode::kAuto:
      json.member("type", "auto");
      break;
    case ToolChoice::Mode::kRequired:
      json.member("type", "any");
      break;
    case ToolChoice::Mode::kNamed:
      json.member("type", "tool");
      json.member("name", request.tool_choice->name);
      break;
    case ToolChoice::Mode::kNone:
      json.member("type", "none");
      break;
  }
  // Anthropic's "none" takes no other member; there is no call to serialize then anyway.
  if (serial && mode != ToolChoice::Mode::kNone) json.member("disable_parallel_tool_use", true);
  json.end_object();
  return Status();
}

// Structured output as Anthropic's JSON outputs, generally available without a beta header
// (https://platform.claude.com/docs/en/build-with-claude/structured-outputs):
// "output_config": {"format": {"type": "json_schema", "schema": {…}}}. The answer is ordinary
// text holding the JSON, so answers need no translation. The schema's name has no place in
// it and is dropped; so is `strict`, as Anthropic always constrains decoding to the schema.
// json_object is refused rather than mapped: Anthropic has no JSON mode without a schema,
// and its schemas must set `additionalProperties: false` on every object, so the permissive
// {"type":"object"} is not one it takes, and {"type":"object","additionalProperties":false}
// would allow only {}.
Status write_output_config(JsonWriter& json, const ResponseFormat& format) {
  switch (format.type) {
    case ResponseFormat::Type::kText:
      return Status();
    case ResponseFormat::Type::kJsonObject:
      return invalid("response_format.type",
                     "json_object is not supported by anthropic, which has no JSON mode without "
                     "a schema; use type json_schema with a schema instead");
    case ResponseFormat::Type::kJsonSchema:
      break;
  }
  if (!is_json_object(format.schema)) {
    return invalid("response_format.json_schema.schema", "must be a JSON Schema object");
  }
  json.key("output_config");
  json.begin_object();
  json.key("format");
  json.begin_object();
  json.member("type", "json_schema");
  json.key("schema");
  json.raw(format.schema);
  json.end_object();
  json.end_object();
  return Status();
}

Result<std::string> write_messages_request(const ChatRequest& request,
                                           std::string_view upstream_model) {
  if (request.temperature && (*request.temperature < 0 || *request.temperature > 1)) {
    return invalid("temperature", "must be between 0 and 1 for anthropic");
  }

  // Anthropic has one top-level system prompt: the system messages before the conversation.
  std::vector<const ContentPart*> system_parts;
  std::size_t first = 0;
  for (; first < request.messages.size() && request.messages[first].role == Role::kSystem;
       ++first) {
    const auto& content = request.messages[first].content;
    for (std::size_t j = 0; j < content.size(); ++j) {
      if (content[j].kind == ContentPart::Kind::kImage) {
        return invalid(index_path(member_path(index_path("messages", first), "content"), j),
                       "is an image; anthropic accepts only text in system instructions");
      }
      if (!content[j].text.empty()) system_parts.push_back(&content[j]);
    }
  }

  std::string body;
  body.reserve(256);
  JsonWriter json(body);
  json.begin_object();
  json.member("model", upstream_model);
  json.member("max_tokens", request.max_tokens.value_or(kDefaultMaxTokens));
  if (!system_parts.empty()) write_system(json, system_parts);
  if (auto written = write_messages(json, request.messages, first); !written) {
    return std::move(written).error();
  }
  if (!request.tools.empty()) {
    if (auto written = write_tools(json, request.tools); !written)
      return std::move(written).error();
  }
  if (auto written = write_tool_choice(json, request); !written) return std::move(written).error();
  if (auto written = write_output_config(json, request.response_format); !written) {
    return std::move(written).error();
  }
  if (request.temperature) json.number_member("temperature", request.temperature);
  if (request.top_p) json.number_member("top_p", request.top_p);
  if (request.top_k) json.member("top_k", *request.top_k);
  if (!request.stop.empty()) {
    json.key("stop_sequences");
    json.begin_array();
    for (const auto& stop : request.stop) json.value(stop);
    json.end_array();
  }
  // request.metadata is OpenAI's (stored completions) and the gateway's own: Anthropic's
  // metadata takes user_id only. request.seed is dropped: Anthropic has none, and even at
  // OpenAI a seed is best effort, so ignoring it changes no guarantee.
  if (!request.user.empty()) {
    json.key("metadata");
    json.begin_object();
    json.member("user_id", request.user);
    json.end_object();
  }
  if (request.stream) json.member("stream", true);
  json.end_object();
  return body;
}

// ---------------------------------------------------------------------------------------
// Provider: answers

Result<ChatResponse> parse_messages_response(std::string_view body) {
  Result<boost::json::object> parsed = json::parse_object(body);
  if (!parsed) return bad_answer(parsed.error().message);
  const boost::json::object& object = *parsed;
  Result<const boost::json::string*> type = get_string(object, "type", "");
  if (!type) return bad_answer(type.error().message);
  if (*type != nullptr && **type == "error") {
    const boost::json::value* error = object.if_contains("error");
    std::string message = error != nullptr ? json::to_text(*error) : std::string("(no detail)");
    return Error::make(ErrorCode::kUnavailable,
                       "anthropic: error in a successful answer: " + message);
  }
  ChatResponse response;
  auto take_string = [&object](std::string_view key, std::string& target) -> Status {
    Result<const boost::json::string*> found = get_string(object, key, "");
    if (!found) return bad_answer(found.error().message);
    if (*found != nullptr) target.assign(view(**found));
    return Status();
  };
  if (auto taken = take_string("id", response.id); !taken) return std::move(taken).error();
  if (auto taken = take_string("model", response.model); !taken) return std::move(taken).error();

  Result<const boost::json::array*> content = get_array(object, "content", "");
  if (!content) return bad_answer(content.error().message);
  if (*content == nullptr) return bad_answer("`content` is missing");
  for (std::size_t i = 0; i < (*content)->size(); ++i) {
    const boost::json::value& block_value = (**content)[i];
    std::string path = index_path("content", i);
    if (!block_value.is_object()) return bad_answer("`" + path + "` is not an object");
    const boost::json::object& block = block_value.get_object();
    const boost::json::value* block_type = block.if_contains("type");
    if (block_type == nullptr || !block_type->is_string()) {
      return bad_answer("`" + path + ".type` is not a string");
    }
    if (block_type->get_string() == "text") {
      Result<const boost::json::string*> text = get_string(block, "text", path);
      if (!text) return bad_answer(text.error().message);
      if (*text != nullptr) response.text.append(view(**text));
    } else if (block_type->get_string() == "tool_use") {
      Result<const boost::json::string*> id = get_string(block, "id", path);
      Result<const boost::json::string*> name = get_string(block, "name", path);
      if (!id) return bad_answer(id.error().message);
      if (!name) return bad_answer(name.error().message);
      if (*id == nullptr || *name == nullptr) {
        return bad_answer("`" + path + "` is a tool_use without id or name");
      }
      ToolCall call{std::string(view(**id)), std::string(view(**name)), "{}"};
      if (const boost::json::value* input = block.if_contains("input");
          input != nullptr && !input->is_null()) {
        call.arguments = json::to_text(*input);
      }
      response.tool_calls.push_back(std::move(call));
    }
    // thinking, redacted_thinking and server-tool blocks carry nothing for our model.
  }

  Result<const boost::json::string*> stop_reason = get_string(object, "stop_reason", "");
  if (!stop_reason) return bad_answer(stop_reason.error().message);
  if (*stop_reason != nullptr) response.finish_reason = finish_reason_from(view(**stop_reason));

  Result<const boost::json::object*> usage = get_object(object, "usage", "");
  if (!usage) return bad_answer(usage.error().message);
  if (*usage != nullptr) {
    AnthropicUsage counts;
    counts.update(**usage);
    response.usage = counts.to_usage();
  }
  return response;
}

class AnthropicStreamDecoder final : public ChatStreamDecoder {
 public:
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override {
    if (failure_) return *failure_;
    events_.clear();
    if (!reader_.feed(bytes, events_)) {
      return fail(
          Error::make(ErrorCode::kUnavailable, "anthropic: a stream event exceeds the size limit"));
    }
    for (const SseEvent& event : events_) {
      if (stopped_) break;  // nothing after message_stop belongs to the answer
      if (auto handled = handle(event, out); !handled) return fail(std::move(handled).error());
    }
    return Status();
  }

  Status finish(std::vector<StreamEvent>& /*out*/) override {
    if (failure_) return *failure_;
    if (!stopped_) {
      return fail(Error::make(ErrorCode::kUnavailable,
                              "anthropic stream ended before message_stop (truncated answer)"));
    }
    return Status();
  }

 private:
  static constexpr int kTextBlock = -1;
  static constexpr int kIgnoredBlock = -2;  // thinking and server-tool blocks

  Status fail(Error error) {
    failure_ = error;
    return error;
  }

  Status handle(const SseEvent& event, std::vector<StreamEvent>& out) {
    std::optional<boost::json::value> data = parse_json(event.data);
    if (!data || !data->is_object()) {
      return Error::make(ErrorCode::kUnavailable, "anthropic: malformed stream event `" +
                                                      event.event + "`: not a JSON object");
    }
    const boost::json::object& object = data->get_object();
    // The data's own type names the event; the SSE event name is the same when both exist.
    std::string_view type = event.event;
    if (const auto* own = object.if_contains("type"); own != nullptr && own->is_string()) {
      type = view(own->get_string());
    }
    if (type == "message_start") return message_start(object, out);
    if (type == "content_block_start") return block_start(object, out);
    if (type == "content_block_delta") return block_delta(object, out);
    if (type == "message_delta") return message_delta(object);
    if (type == "message_stop") {
      StreamEvent finish;
      finish.kind = StreamEvent::Kind::kFinish;
      finish.finish_reason = finish_reason_;
      out.push_back(std::move(finish));
      StreamEvent usage;
      usage.kind = StreamEvent::Kind::kUsage;
      usage.usage = usage_.to_usage();
      out.push_back(std::move(usage));
      stopped_ = true;
      return Status();
    }
    if (type == "error") return stream_error(object);
    // ping, content_block_stop and event types added later carry nothing we need.
    return Status();
  }

  Status message_start(const boost::json::object& object, std::vector<StreamEvent>& out) {
    const boost::json::value* message = object.if_contains("message");
    if (message == nullptr || !message->is_object()) {
      return Error::make(ErrorCode::kUnavailable, "anthropic: message_start without a message");
    }
    const boost::json::object& fields = message->get_object();
    StreamEvent start;
    start.kind = StreamEvent::Kind::kStart;
    if (const auto* id = fields.if_contains("id"); id != nullptr && id->is_string()) {
      start.id.assign(view(id->get_string()));
    }
    if (const auto* model = fields.if_contains("model"); model != nullptr && model->is_string()) {
      start.name.assign(view(model->get_string()));
    }
    if (const auto* usage = fields.if_contains("usage"); usage != nullptr && usage->is_object()) {
      usage_.update(usage->get_object());
    }
    out.push_back(std::move(start));
    return Status();
  }

  static std::optional<std::int64_t> block_index(const boost::json::object& object) {
    const boost::json::value* index = object.if_contains("index");
    if (index == nullptr || !index->is_number()) return std::nullopt;
    return json::count_or_zero(object, "index");
  }

  Status block_start(const boost::json::object& object, std::vector<StreamEvent>& out) {
    std::optional<std::int64_t> index = block_index(object);
    const boost::json::value* block_value = object.if_contains("content_block");
    if (!index || block_value == nullptr || !block_value->is_object()) {
      return Error::make(ErrorCode::kUnavailable,
                         "anthropic: content_block_start without index or content_block");
    }
    const boost::json::object& block = block_value->get_object();
    const boost::json::value* type = block.if_contains("type");
    std::string_view block_type =
        type != nullptr && type->is_string() ? view(type->get_string()) : std::string_view();
    auto text_of = [&block](std::string_view key) {
      const boost::json::value* found = block.if_contains(key);
      return found != nullptr && found->is_string() ? std::string(view(found->get_string()))
                                                    : std::string();
    };
    if (block_type == "text") {
      blocks_[*index] = kTextBlock;
      if (std::string text = text_of("text"); !text.empty()) {
        StreamEvent delta;
        delta.kind = StreamEvent::Kind::kTextDelta;
        delta.text = std::move(text);
        out.push_back(std::move(delta));
      }
    } else if (block_type == "tool_use") {
      // Our index counts tool calls only; Anthropic's counts text blocks too.
      int ordinal = tool_calls_++;
      blocks_[*index] = ordinal;
      StreamEvent start;
      start.kind = StreamEvent::Kind::kToolCallStart;
      start.index = ordinal;
      start.id = text_of("id");
      start.name = text_of("name");
      // The block's "input" is always {} here; the arguments follow as input_json_delta.
      out.push_back(std::move(start));
    } else {
      blocks_[*index] = kIgnoredBlock;
    }
    return Status();
  }

  Status block_delta(const boost::json::object& object, std::vector<StreamEvent>& out) {
    std::optional<std::int64_t> index = block_index(object);
    const boost::json::value* delta_value = object.if_contains("delta");
    if (!index || delta_value == nullptr || !delta_value->is_object()) {
      return Error::make(ErrorCode::kUnavailable,
                         "anthropic: content_block_delta without index or delta");
    }
    const boost::json::object& delta = delta_value->get_object();
    const boost::json::value* type = delta.if_contains("type");
    if (type == nullptr || !type->is_string()) return Status();
    auto found = blocks_.find(*index);
    int block = found == blocks_.end() ? kTextBlock : found->second;
    if (type->get_string() == "text_delta" && block == kTextBlock) {
      const boost::json::value* text = delta.if_contains("text");
      if (text == nullptr || !text->is_string()) {
        return Error::make(ErrorCode::kUnavailable, "anthropic: text_delta without text");
      }
      if (text->get_string().empty()) return Status();
      StreamEvent event;
      event.kind = StreamEvent::Kind::kTextDelta;
      event.text.assign(view(text->get_string()));
      out.push_back(std::move(event));
    } else if (type->get_string() == "input_json_delta" && block >= 0) {
      const boost::json::value* partial = delta.if_contains("partial_json");
      if (partial == nullptr || !partial->is_string()) {
        return Error::make(ErrorCode::kUnavailable,
                           "anthropic: input_json_delta without partial_json");
      }
      if (partial->get_string().empty()) return Status();
      StreamEvent event;
      event.kind = StreamEvent::Kind::kToolCallDelta;
      event.index = block;
      event.text.assign(view(partial->get_string()));
      out.push_back(std::move(event));
    }
    // thinking_delta, signature_delta, citations_delta: nothing for our model.
    return Status();
  }

  Status message_delta(const boost::json::object& object) {
    if (const auto* delta = object.if_contains("delta"); delta != nullptr && delta->is_object()) {
      const boost::json::value* stop_reason = delta->get_object().if_contains("stop_reason");
      if (stop_reason != nullptr && stop_reason->is_string()) {
        finish_reason_ = finish_reason_from(view(stop_reason->get_string()));
      }
    }
    // Counts here are cumulative: they replace those of message_start.
    if (const auto* usage = object.if_contains("usage"); usage != nullptr && usage->is_object()) {
      usage_.update(usage->get_object());
    }
    return Status();
  }

  static Status stream_error(const boost::json::object& object) {
    std::string type = "error";
    std::string message = "(no message)";
    if (const auto* error = object.if_contains("error"); error != nullptr && error->is_object()) {
      const boost::json::object& fields = error->get_object();
      if (const auto* found = fields.if_contains("type"); found != nullptr && found->is_string()) {
        type.assign(view(found->get_string()));
      }
      if (const auto* found = fields.if_contains("message");
          found != nullptr && found->is_string()) {
        message.assign(view(found->get_string()));
      }
    }
    return Error::make(ErrorCode::kUnavailable, "anthropic: " + message + " (" + type + ")");
  }

  SseReader reader_;
  std::vector<SseEvent> events_;
  std::map<std::int64_t, int> blocks_;  // Anthropic block index → tool ordinal or k*Block
  int tool_calls_ = 0;
  AnthropicUsage usage_;
  FinishReason finish_reason_ = FinishReason::kStop;
  bool stopped_ = false;
  std::optional<Error> failure_;
};

class AnthropicAdapter final : public ProviderAdapter {
 public:
  ProviderKind kind() const override { return ProviderKind::kAnthropic; }

  Result<OutboundRequest> chat_request(const ChatRequest& request, std::string_view upstream_model,
                                       const ProviderEndpoint& endpoint) const override {
    AIC_TRY_ASSIGN(body, write_messages_request(request, upstream_model));
    OutboundRequest outbound;
    outbound.url = endpoint.base_url + "/messages";
    if (!endpoint.api_key.empty()) outbound.headers.emplace_back("x-api-key", endpoint.api_key);
    outbound.headers.emplace_back("anthropic-version", endpoint.api_version.empty()
                                                           ? std::string(kDefaultApiVersion)
                                                           : endpoint.api_version);
    outbound.headers.emplace_back("content-type", "application/json");
    for (const auto& header : endpoint.extra_headers) outbound.headers.push_back(header);
    outbound.body = std::move(body);
    return outbound;
  }

  Result<ChatResponse> chat_response(std::string_view body) const override {
    return parse_messages_response(body);
  }

  std::unique_ptr<ChatStreamDecoder> chat_stream() const override {
    return std::make_unique<AnthropicStreamDecoder>();
  }

  UpstreamError error(int status, std::string_view body) const override {
    UpstreamError error;
    error.status = status;
    error.retryable = status == 408 || status == 409 || status == 429 || status >= 500;
    std::string anthropic_type;
    std::string message;
    if (std::optional<boost::json::value> parsed = parse_json(body);
        parsed && parsed->is_object()) {
      const auto* detail = parsed->get_object().if_contains("error");
      if (detail != nullptr && detail->is_object()) {
        const auto& fields = detail->get_object();
        if (const auto* type = fields.if_contains("type"); type != nullptr && type->is_string()) {
          anthropic_type.assign(view(type->get_string()));
        }
        if (const auto* text = fields.if_contains("message");
            text != nullptr && text->is_string()) {
          message.assign(view(text->get_string()));
        }
      }
    }
    error.type = openai_error_type(anthropic_type, status);
    error.code = anthropic_type;
    if (message.empty()) {
      std::string shown = anthropic_type.empty() ? json::body_excerpt(body) : anthropic_type;
      message = "HTTP " + std::to_string(status) + (shown.empty() ? "" : ": " + shown);
    }
    error.message = "anthropic: " + message;
    return error;
  }

  Result<OutboundRequest> embedding_request(const EmbeddingRequest& /*request*/,
                                            std::string_view /*upstream_model*/,
                                            const ProviderEndpoint& /*endpoint*/) const override {
    return Error::invalid("anthropic has no embeddings API", "model");
  }

  Result<EmbeddingResponse> embedding_response(std::string_view /*body*/) const override {
    return Error::invalid("anthropic has no embeddings API", "model");
  }
};

// ---------------------------------------------------------------------------------------
// Ingress: Messages request → ChatRequest

// cache_control on a block: {"type":"ephemeral"} (a "ttl" is accepted and not kept).
Result<bool> parse_cache_control(const boost::json::object& block, const std::string& path) {
  AIC_TRY_ASSIGN(cache_control, get_object(block, "cache_control", path));
  if (cache_control == nullptr) return false;
  std::string control_path = member_path(path, "cache_control");
  AIC_TRY_ASSIGN(type, get_string(*cache_control, "type", control_path));
  if (type == nullptr || *type != "ephemeral") {
    return invalid(member_path(control_path, "type"), "must be \"ephemeral\"");
  }
  return true;
}

Result<std::string_view> required_string(const boost::json::object& object, std::string_view key,
                                         const std::string& parent) {
  AIC_TRY_ASSIGN(found, get_string(object, key, parent));
  if (found == nullptr || found->empty()) return required(member_path(parent, key));
  return view(*found);
}

Result<const boost::json::object*> object_at(const boost::json::value& value,
                                             const std::string& path) {
  if (!value.is_object()) return invalid(path, "must be an object");
  return &value.get_object();
}

Result<ContentPart> parse_text_block(const boost::json::object& block, const std::string& path) {
  AIC_TRY_ASSIGN(text, get_string(block, "text", path));
  if (text == nullptr) return required(member_path(path, "text"));
  ContentPart part = ContentPart::make_text(std::string(view(*text)));
  AIC_TRY_ASSIGN(breakpoint, parse_cache_control(block, path));
  part.cache_breakpoint = breakpoint;
  return part;
}

Result<ContentPart> parse_image_block(const boost::json::object& block, const std::string& path) {
  AIC_TRY_ASSIGN(source, get_object(block, "source", path));
  std::string source_path = member_path(path, "source");
  if (source == nullptr) return required(source_path);
  AIC_TRY_ASSIGN(type, required_string(*source, "type", source_path));
  ContentPart part;
  part.kind = ContentPart::Kind::kImage;
  if (type == "base64") {
    AIC_TRY_ASSIGN(media_type, required_string(*source, "media_type", source_path));
    if (media_type != "image/jpeg" && media_type != "image/png" && media_type != "image/gif" &&
        media_type != "image/webp") {
      return invalid(member_path(source_path, "media_type"),
                     "must be image/jpeg, image/png, image/gif or image/webp");
    }
    AIC_TRY_ASSIGN(data, required_string(*source, "data", source_path));
    part.image_url.reserve(media_type.size() + data.size() + 13);
    part.image_url.append("data:").append(media_type).append(";base64,").append(data);
  } else if (type == "url") {
    AIC_TRY_ASSIGN(url, required_string(*source, "url", source_path));
    if (!url.starts_with("https://") && !url.starts_with("http://")) {
      return invalid(member_path(source_path, "url"), "must be an http(s) URL");
    }
    part.image_url.assign(url);
  } else {
    return invalid(member_path(source_path, "type"),
                   "must be \"base64\" or \"url\" (file sources are not supported by this "
                   "gateway)");
  }
  AIC_TRY_ASSIGN(breakpoint, parse_cache_control(block, path));
  part.cache_breakpoint = breakpoint;
  return part;
}

Error unsupported_block(const std::string& path, std::string_view type, std::string_view allowed) {
  return invalid(member_path(path, "type"), "\"" + std::string(type) +
                                                "\" is not supported by this gateway here (" +
                                                std::string(allowed) + " are)");
}

// A tool_result block → a kTool message. is_error is not kept: the gateway's model has no
// place for it; the result's text (which says what failed) goes to the model unchanged.
Result<Message> parse_tool_result(const boost::json::object& block, const std::string& path) {
  Message message;
  message.role = Role::kTool;
  AIC_TRY_ASSIGN(tool_use_id, required_string(block, "tool_use_id", path));
  message.tool_call_id.assign(tool_use_id);
  AIC_TRY_ASSIGN(is_error, get_bool(block, "is_error", path));
  (void)is_error;  // type-checked only, see above
  std::string content_path = member_path(path, "content");
  if (const boost::json::value* content = block.if_contains("content");
      content != nullptr && !content->is_null()) {
    if (content->is_string()) {
      message.content.push_back(ContentPart::make_text(std::string(view(content->get_string()))));
    } else if (content->is_array()) {
      const auto& parts = content->get_array();
      for (std::size_t k = 0; k < parts.size(); ++k) {
        std::string part_path = index_path(content_path, k);
        AIC_TRY_ASSIGN(part, object_at(parts[k], part_path));
        AIC_TRY_ASSIGN(type, required_string(*part, "type", part_path));
        if (type == "text") {
          AIC_TRY_ASSIGN(text, parse_text_block(*part, part_path));
          message.content.push_back(std::move(text));
        } else if (type == "image") {
          AIC_TRY_ASSIGN(image, parse_image_block(*part, part_path));
          message.content.push_back(std::move(image));
        } else {
          return unsupported_block(part_path, type, "text and image");
        }
      }
    } else {
      return invalid(content_path, "must be a string or an array of content blocks");
    }
  }
  AIC_TRY_ASSIGN(breakpoint, parse_cache_control(block, path));
  if (breakpoint && !message.content.empty()) message.content.back().cache_breakpoint = true;
  return message;
}

// One Anthropic turn → one or more messages: a user turn's tool results become kTool
// messages (in order) followed by a user message with the turn's other blocks, if any.
Status parse_turn(const boost::json::value& value, const std::string& path,
                  std::vector<Message>& messages) {
  AIC_TRY_ASSIGN(object, object_at(value, path));
  AIC_TRY_ASSIGN(role, get_string(*object, "role", path));
  std::string role_path = member_path(path, "role");
  if (role == nullptr) return required(role_path);
  Message message;
  if (*role == "user") {
    message.role = Role::kUser;
  } else if (*role == "assistant") {
    message.role = Role::kAssistant;
  } else {
    return invalid(role_path,
                   "must be \"user\" or \"assistant\" (system instructions go in the "
                   "top-level `system`)");
  }
  bool user = message.role == Role::kUser;
  std::string content_path = member_path(path, "content");
  const boost::json::value* content = object->if_contains("content");
  if (content == nullptr || content->is_null()) return required(content_path);
  if (content->is_string()) {
    message.content.push_back(ContentPart::make_text(std::string(view(content->get_string()))));
    messages.push_back(std::move(message));
    return Status();
  }
  if (!content->is_array()) {
    return invalid(content_path, "must be a string or an array of content blocks");
  }
  const auto& blocks = content->get_array();
  for (std::size_t j = 0; j < blocks.size(); ++j) {
    std::string block_path = index_path(content_path, j);
    AIC_TRY_ASSIGN(block, object_at(blocks[j], block_path));
    AIC_TRY_ASSIGN(type, required_string(*block, "type", block_path));
    if (type == "text") {
      AIC_TRY_ASSIGN(part, parse_text_block(*block, block_path));
      message.content.push_back(std::move(part));
    } else if (type == "image" && user) {
      AIC_TRY_ASSIGN(part, parse_image_block(*block, block_path));
      message.content.push_back(std::move(part));
    } else if (type == "tool_result" && user) {
      AIC_TRY_ASSIGN(result, parse_tool_result(*block, block_path));
      messages.push_back(std::move(result));
    } else if (type == "tool_use" && !user) {
      AIC_TRY_ASSIGN(id, required_string(*block, "id", block_path));
      AIC_TRY_ASSIGN(name, required_string(*block, "name", block_path));
      AIC_TRY_ASSIGN(input, get_object(*block, "input", block_path));
      if (input == nullptr) return required(member_path(block_path, "input"));
      message.tool_calls.push_back(
          ToolCall{std::string(id), std::string(name), json::to_text(boost::json::value(*input))});
    } else if (type == "thinking" || type == "redacted_thinking") {
      return invalid(
          member_path(block_path, "type"),
          "\"" + std::string(type) + "\": extended thinking is not supported by this gateway yet");
    } else {
      return unsupported_block(block_path, type,
                               user ? "text, image and tool_result" : "text and tool_use");
    }
  }
  if (!message.content.empty() || !message.tool_calls.empty() || blocks.empty()) {
    messages.push_back(std::move(message));
  }
  return Status();
}

Status parse_system(const boost::json::value& value, ChatRequest& request) {
  Message system;
  system.role = Role::kSystem;
  if (value.is_string()) {
    if (value.get_string().empty()) return Status();
    system.content.push_back(ContentPart::make_text(std::string(view(value.get_string()))));
  } else if (value.is_array()) {
    const auto& blocks = value.get_array();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      std::string path = index_path("system", i);
      AIC_TRY_ASSIGN(block, object_at(blocks[i], path));
      AIC_TRY_ASSIGN(type, required_string(*block, "type", path));
      if (type != "text") return invalid(member_path(path, "type"), "must be \"text\"");
      AIC_TRY_ASSIGN(part, parse_text_block(*block, path));
      system.content.push_back(std::move(part));
    }
    if (system.content.empty()) return Status();
  } else {
    return invalid("system", "must be a string or an array of text blocks");
  }
  request.messages.push_back(std::move(system));
  return Status();
}

Status parse_tools(const boost::json::array& tools, ChatRequest& request) {
  for (std::size_t i = 0; i < tools.size(); ++i) {
    std::string path = index_path("tools", i);
    AIC_TRY_ASSIGN(object, object_at(tools[i], path));
    AIC_TRY_ASSIGN(type, get_string(*object, "type", path));
    if (type != nullptr && *type != "custom") {
      return invalid(member_path(path, "type"),
                     "\"" + std::string(view(*type)) +
                         "\": Anthropic's server and client tools are not supported by this "
                         "gateway (custom tools with an input_schema are)");
    }
    Tool tool;
    AIC_TRY_ASSIGN(name, required_string(*object, "name", path));
    tool.name.assign(name);
    AIC_TRY_ASSIGN(description, get_string(*object, "description", path));
    if (description != nullptr) tool.description.assign(view(*description));
    AIC_TRY_ASSIGN(schema, get_object(*object, "input_schema", path));
    if (schema == nullptr) return required(member_path(path, "input_schema"));
    tool.parameters = json::to_text(boost::json::value(*schema));
    AIC_TRY_ASSIGN(strict, get_bool(*object, "strict", path));
    tool.strict = strict != nullptr && strict->get_bool();
    // cache_control on a tool: the model has no place for it; a hint, dropped.
    request.tools.push_back(std::move(tool));
  }
  return Status();
}

Status parse_tool_choice(const boost::json::object& object, ChatRequest& request) {
  AIC_TRY_ASSIGN(type, required_string(object, "type", "tool_choice"));
  ToolChoice choice;
  if (type == "auto") {
    choice.mode = ToolChoice::Mode::kAuto;
  } else if (type == "any") {
    choice.mode = ToolChoice::Mode::kRequired;
  } else if (type == "tool") {
    choice.mode = ToolChoice::Mode::kNamed;
    AIC_TRY_ASSIGN(name, required_string(object, "name", "tool_choice"));
    choice.name.assign(name);
  } else if (type == "none") {
    choice.mode = ToolChoice::Mode::kNone;
  } else {
    return invalid("tool_choice.type", "must be auto, any, tool or none");
  }
  AIC_TRY_ASSIGN(serial, get_bool(object, "disable_parallel_tool_use", "tool_choice"));
  if (serial != nullptr && serial->get_bool()) request.parallel_tool_calls = false;
  request.tool_choice = std::move(choice);
  return Status();
}

Status parse_metadata(const boost::json::object& metadata, ChatRequest& request) {
  for (const auto& member : metadata) {
    if (member.key() != "user_id") {
      return invalid(member_path("metadata", member.key()),
                     "is not a metadata field anthropic knows (only user_id is)");
    }
  }
  AIC_TRY_ASSIGN(user_id, get_string(metadata, "user_id", "metadata"));
  if (user_id != nullptr) request.user.assign(view(*user_id));
  return Status();
}

// OpenAI requires a name for a json_schema response format, Anthropic has none: this one is
// sent when an Anthropic client's schema goes to an OpenAI-compatible provider.
constexpr std::string_view kStructuredOutputName = "output";

// output_config.format → the structured-output request (see write_output_config). Anthropic
// always constrains the answer to the schema, so the request is marked strict: an OpenAI
// target then promises the same, or refuses a schema its strict mode cannot enforce, rather
// than quietly following it on a best-effort basis. `effort` (and any other member) is refused:
// the gateway does not translate it.
Status parse_output_config(const boost::json::object& config, ChatRequest& request) {
  if (auto checked = json::only_known_members(config, {"format"}, "output_config"); !checked) {
    return checked;
  }
  AIC_TRY_ASSIGN(format, get_object(config, "format", "output_config"));
  if (format == nullptr) return Status();
  const std::string format_path = "output_config.format";
  if (auto checked = json::only_known_members(*format, {"type", "schema"}, format_path); !checked) {
    return checked;
  }
  AIC_TRY_ASSIGN(type, required_string(*format, "type", format_path));
  if (type != "json_schema") {
    return invalid(member_path(format_path, "type"), "must be \"json_schema\"");
  }
  AIC_TRY_ASSIGN(schema, get_object(*format, "schema", format_path));
  if (schema == nullptr) return required(member_path(format_path, "schema"));
  request.response_format.type = ResponseFormat::Type::kJsonSchema;
  request.response_format.name = kStructuredOutputName;
  request.response_format.schema = json::to_text(boost::json::value(*schema));
  request.response_format.strict = true;
  return Status();
}

// Top-level members: the Messages API rejects unknown ones and so does the gateway, rather
// than answer a request whose meaning it changed. service_tier is a billing choice for
// Anthropic itself and is ignored; thinking is accepted only as {"type":"disabled"}.
Status check_members(const boost::json::object& object) {
  if (auto checked = json::only_known_members(
          object, {"model", "max_tokens", "messages", "system", "temperature", "top_p", "top_k",
                   "stop_sequences", "stream", "metadata", "tools", "tool_choice", "service_tier",
                   "thinking", "output_config"});
      !checked) {
    return checked;
  }
  AIC_TRY_ASSIGN(thinking, get_object(object, "thinking", ""));
  if (thinking != nullptr) {
    AIC_TRY_ASSIGN(type, get_string(*thinking, "type", "thinking"));
    if (type == nullptr || *type != "disabled") {
      return invalid("thinking", "(extended thinking) is not supported by this gateway yet");
    }
  }
  return Status();
}

Result<ChatRequest> parse_request(const boost::json::object& object) {
  if (auto checked = check_members(object); !checked) return std::move(checked).error();
  ChatRequest request;
  AIC_TRY_ASSIGN(model, required_string(object, "model", ""));
  request.model.assign(model);
  AIC_TRY_ASSIGN(max_tokens, get_integer(object, "max_tokens", ""));
  if (!max_tokens) return required("max_tokens");
  if (*max_tokens < 1) return invalid("max_tokens", "must be a positive integer");
  request.max_tokens = max_tokens;

  if (const boost::json::value* system = object.if_contains("system");
      system != nullptr && !system->is_null()) {
    if (auto parsed = parse_system(*system, request); !parsed) return std::move(parsed).error();
  }
  AIC_TRY_ASSIGN(messages, get_array(object, "messages", ""));
  if (messages == nullptr) return required("messages");
  if (messages->empty()) return invalid("messages", "must contain at least one message");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    if (auto parsed = parse_turn((*messages)[i], index_path("messages", i), request.messages);
        !parsed) {
      return std::move(parsed).error();
    }
  }

  AIC_TRY_ASSIGN(temperature, get_number(object, "temperature", ""));
  if (temperature != nullptr) {
    double number = json::as_double(*temperature);
    if (number < 0 || number > 1) return invalid("temperature", "must be between 0 and 1");
    request.temperature = number;
  }
  AIC_TRY_ASSIGN(top_p, get_number(object, "top_p", ""));
  if (top_p != nullptr) {
    double number = json::as_double(*top_p);
    if (number < 0 || number > 1) return invalid("top_p", "must be between 0 and 1");
    request.top_p = number;
  }
  AIC_TRY_ASSIGN(top_k, get_integer(object, "top_k", ""));
  if (top_k && *top_k < 0) return invalid("top_k", "must not be negative");
  request.top_k = top_k;
  AIC_TRY_ASSIGN(stop, get_array(object, "stop_sequences", ""));
  if (stop != nullptr) {
    for (std::size_t i = 0; i < stop->size(); ++i) {
      if (!(*stop)[i].is_string())
        return invalid(index_path("stop_sequences", i), "must be a string");
      request.stop.emplace_back(view((*stop)[i].get_string()));
    }
  }
  AIC_TRY_ASSIGN(stream, get_bool(object, "stream", ""));
  request.stream = stream != nullptr && stream->get_bool();
  AIC_TRY_ASSIGN(metadata, get_object(object, "metadata", ""));
  if (metadata != nullptr) {
    if (auto parsed = parse_metadata(*metadata, request); !parsed) return std::move(parsed).error();
  }
  AIC_TRY_ASSIGN(tools, get_array(object, "tools", ""));
  if (tools != nullptr) {
    if (auto parsed = parse_tools(*tools, request); !parsed) return std::move(parsed).error();
  }
  AIC_TRY_ASSIGN(tool_choice, get_object(object, "tool_choice", ""));
  if (tool_choice != nullptr) {
    if (auto parsed = parse_tool_choice(*tool_choice, request); !parsed) {
      return std::move(parsed).error();
    }
  }
  AIC_TRY_ASSIGN(output_config, get_object(object, "output_config", ""));
  if (output_config != nullptr) {
    if (auto parsed = parse_output_config(*output_config, request); !parsed) {
      return std::move(parsed).error();
    }
  }
  AIC_TRY_ASSIGN(service_tier, get_string(object, "service_tier", ""));
  (void)service_tier;  // type-checked only, see check_members
  return request;
}

// ---------------------------------------------------------------------------------------
// Ingress: answers

std::string message_id(std::string_view id) {
  if (id.starts_with("msg_")) return std::string(id);
  return "msg_" + std::string(id);
}

void write_usage(JsonWriter& json, const Usage& usage) {
  json.key("usage");
  json.begin_object();
  json.member("input_tokens",
              usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens);
  json.member("cache_creation_input_tokens", usage.cache_write_tokens);
  json.member("cache_read_input_tokens", usage.cached_input_tokens);
  json.member("output_tokens", usage.output_tokens);
  json.end_object();
}

// A tool call's arguments as the tool_use input: the text itself when it is an object.
void write_input(JsonWriter& json, std::string_view arguments) {
  json.key("input");
  json.raw(is_json_object(arguments) ? arguments : std::string_view("{}"));
}

void write_event(std::string& out, std::string_view name) {
  out.append("event: ").append(name).append("\ndata: ");
}

class MessagesStreamWriter final : public ChatStreamWriter {
 public:
  void event(const StreamEvent& event, std::string& out) override {
    switch (event.kind) {
      case StreamEvent::Kind::kStart:
        start(event.id, event.name, out);
        break;
      case StreamEvent::Kind::kTextDelta:
      case StreamEvent::Kind::kRefusalDelta:
        if (event.text.empty()) break;
        start({}, {}, out);
        if (open_ != kTextOpen) {
          close_block(out);
          open_text_block(out);
        }
        delta(open_index_, "text_delta", "text", event.text, out);
        break;
      case StreamEvent::Kind::kToolCallStart:
        start({}, {}, out);
        close_block(out);
        open_tool_block(event.index, event.id, event.name, out);
        if (!event.text.empty())
          delta(open_index_, "input_json_delta", "partial_json", event.text, out);
        break;
      case StreamEvent::Kind::kToolCallDelta:
        if (event.text.empty()) break;
        start({}, {}, out);
        if (open_ != event.index) {
          auto known = tool_blocks_.find(event.index);
          if (known != tool_blocks_.end()) {
            // A closed call continued (providers that interleave calls): Anthropic clients
            // apply a delta to the block its index names, open or not.
            delta(known->second, "input_json_delta", "partial_json", event.text, out);
            break;
          }
          close_block(out);
          open_tool_block(event.index, {}, {}, out);
        }
        delta(open_index_, "input_json_delta", "partial_json", event.text, out);
        break;
      case StreamEvent::Kind::kFinish:
        start({}, {}, out);
        close_block(out);
        finish_reason_ = event.finish_reason;
        finish_pending_ = true;
        if (usage_) write_message_delta(out);
        break;
      case StreamEvent::Kind::kUsage:
        usage_ = event.usage;
        if (finish_pending_) write_message_delta(out);
        break;
    }
  }

  void error(const UpstreamError& error, std::string& out) override {
    std::string_view type = anthropic_error_type(error.status);
    if (error.type == "invalid_request_error" || error.type == "authentication_error" ||
        error.type == "permission_error" || error.type == "not_found_error" ||
        error.type == "rate_limit_error") {
      type = error.type;
    }
    write_event(out, "error");
    JsonWriter json(out);
    write_error_body(json, type, error.message);
    out.append("\n\n");
  }

  void end(std::string& out) override {
    start({}, {}, out);
    close_block(out);
    if (!delta_written_) {
      finish_pending_ = true;
      write_message_delta(out);
    }
    write_event(out, "message_stop");
    out.append(R"({"type":"message_stop"})"
               "\n\n");
  }

 private:
  static constexpr int kNothingOpen = -2;
  static constexpr int kTextOpen = -1;

  void start(std::string_view id, std::string_view model, std::string& out) {
    if (started_) return;
    started_ = true;
    write_event(out, "message_start");
    JsonWriter json(out);
    json.begin_object();
    json.member("type", "message_start");
    json.key("message");
    json.begin_object();
    json.member("id", message_id(id));
    json.member("type", "message");
    json.member("role", "assistant");
    json.member("model", model);
    json.key("content");
    json.begin_array();
    json.end_array();
    json.key("stop_reason");
    json.null();
    json.key("stop_sequence");
    json.null();
    // Our streams report usage at the end; message_delta carries all of it.
    json.key("usage");
    json.begin_object();
    json.member("input_tokens", std::int64_t{0});
    json.member("output_tokens", std::int64_t{0});
    json.end_object();
    json.end_object();
    json.end_object();
    out.append("\n\n");
  }

  void open_text_block(std::string& out) {
    open_ = kTextOpen;
    open_index_ = next_index_++;
    write_event(out, "content_block_start");
    JsonWriter json(out);
    json.begin_object();
    json.member("type", "content_block_start");
    json.member("index", std::int64_t{open_index_});
    json.key("content_block");
    json.begin_object();
    json.member("type", "text");
    json.member("text", "");
    json.end_object();
    json.end_object();
    out.append("\n\n");
  }

  void open_tool_block(int tool_index, std::string_view id, std::string_view name,
                       std::string& out) {
    open_ = tool_index;
    open_index_ = next_index_++;
    tool_blocks_[tool_index] = open_index_;
    write_event(out, "content_block_start");
    JsonWriter json(out);
    json.begin_object();
    json.member("type", "content_block_start");
    json.member("index", std::int64_t{open_index_});
    json.key("content_block");
    json.begin_object();
    json.member("type", "tool_use");
    json.member("id", id);
    json.member("name", name);
    json.key("input");
    json.begin_object();
    json.end_object();
    json.end_object();
    json.end_object();
    out.append("\n\n");
  }

  void close_block(std::string& out) {
    if (open_ == kNothingOpen) return;
    write_event(out, "content_block_stop");
    JsonWriter json(out);
    json.begin_object();
    json.member("type", "content_block_stop");
    json.member("index", std::int64_t{open_index_});
    json.end_object();
    out.append("\n\n");
    open_ = kNothingOpen;
  }

  static void delta(int block_index, std::string_view type, std::string_view key,
                    std::string_view text, std::string& out) {
    write_event(out, "content_block_delta");
    JsonWriter json(out);
    json.begin_object();
    json.member("type", "content_block_delta");
    json.member("index", std::int64_t{block_index});
    json.key("delta");
    json.begin_object();
    json.member("type", type);
    json.member(key, text);
    json.end_object();
    json.end_object();
    out.append("\n\n");
  }

  void write_message_delta(std::string& out) {
    if (delta_written_ || !finish_pending_) return;
    delta_written_ = true;
    write_event(out, "message_delta");
    JsonWriter json(out);
    json.begin_object();
    json.member("type", "message_delta");
    json.key("delta");
    json.begin_object();
    json.member("stop_reason", stop_reason_for(finish_reason_));
    json.key("stop_sequence");
    json.null();
    json.end_object();
    if (usage_) {
      write_usage(json, *usage_);
    } else {
      json.key("usage");
      json.begin_object();
      json.member("output_tokens", std::int64_t{0});
      json.end_object();
    }
    json.end_object();
    out.append("\n\n");
  }

  bool started_ = false;
  int open_ = kNothingOpen;  // the open block: kTextOpen, a tool-call index or kNothingOpen
  int open_index_ = 0;       // its Anthropic block index
  int next_index_ = 0;
  std::map<int, int> tool_blocks_;  // tool-call index → block index
  FinishReason finish_reason_ = FinishReason::kStop;
  bool finish_pending_ = false;  // kFinish seen; message_delta waits for the usage
  bool delta_written_ = false;
  std::optional<Usage> usage_;
};

}  // namespace

const ProviderAdapter& anthropic_adapter() {
  static const AnthropicAdapter adapter;
  return adapter;
}

Result<ChatRequest> parse_messages_request(std::string_view body) {
  AIC_TRY_ASSIGN(object, json::parse_object(body));
  return parse_request(object);
}

std::string write_messages_response(const ChatResponse& response) {
  std::string body;
  body.reserve(256 + response.text.size());
  JsonWriter json(body);
  json.begin_object();
  json.member("id", message_id(response.id));
  json.member("type", "message");
  json.member("role", "assistant");
  json.member("model", response.model);
  json.key("content");
  json.begin_array();
  for (const std::string* text : {&response.text, &response.refusal}) {
    if (text->empty()) continue;
    json.begin_object();
    json.member("type", "text");
    json.member("text", *text);
    json.end_object();
  }
  for (const ToolCall& call : response.tool_calls) {
    json.begin_object();
    json.member("type", "tool_use");
    json.member("id", call.id);
    json.member("name", call.name);
    write_input(json, call.arguments);
    json.end_object();
  }
  json.end_array();
  json.member("stop_reason", stop_reason_for(response.finish_reason));
  json.key("stop_sequence");
  json.null();
  write_usage(json, response.usage.value_or(Usage{}));
  json.end_object();
  return body;
}

std::unique_ptr<ChatStreamWriter> messages_stream_writer() {
  return std::make_unique<MessagesStreamWriter>();
}

std::string write_messages_error(int status, std::string_view message) {
  std::string body;
  JsonWriter json(body);
  write_error_body(json, anthropic_error_type(status), message);
  return body;
}

}  // namespace aic::ai
