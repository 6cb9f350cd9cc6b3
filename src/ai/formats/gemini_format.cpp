#include "ai/formats/gemini_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ai/formats/json_fields.hpp"
#include "ai/sse.hpp"
#include "core/json_writer.hpp"

// Mapping decisions, for whoever reads an answer that surprised them:
//  - System messages become systemInstruction, one text part each, in order, wherever they
//    stand in the conversation (Gemini has one system instruction; a late system message is
//    folded into it rather than refused, because clients commonly inject them mid-way).
//  - Tool messages become user turns of functionResponse parts; consecutive ones share a
//    turn. Gemini needs the function's name, found from the earlier assistant tool call with
//    the same id. The response is the tool's content when that is a JSON object, otherwise
//    {"result": "<content as text>"}.
//  - Images: data: URIs → inlineData; http(s) URLs → fileData with the MIME type guessed from
//    the file extension (refused when unknown: Gemini requires one). image_detail is ignored.
//  - Not sent because Gemini has no equivalent and they do not change the answer's meaning:
//    parallel_tool_calls, user, metadata, tool and schema `strict`, the schema's name,
//    participant names, cache breakpoints (Gemini caches implicitly).
//  - reasoning_effort → thinkingConfig.thinkingBudget (minimal 512, low 1024, medium 8192,
//    high 24576 tokens); a model that cannot think refuses it upstream.
//  - A prompt blocked by promptFeedback.blockReason is an answer with empty text and
//    finish_reason content_filter (as OpenAI reports filtered output), not an error.
//  - Gemini returns no token counts for embeddings: their usage is zero.

namespace aic::ai {

namespace {

using json::index_path;
using json::member_path;
using json::view;

constexpr std::string_view kProvider = "gemini";

// Gemini 3 refuses a history whose function calls lack the thought signature the model
// attached to them. The gateway's model carries no signatures across turns, so the first call
// of each model turn gets the value Google documents for histories it did not produce itself;
// models that do not validate signatures ignore it.
constexpr std::string_view kSkipSignatureCheck = "skip_thought_signature_validator";

core::Error refuse(const std::string& path, std::string_view what) {
  return core::Error::invalid("`" + path + "` " + std::string(what), path);
}

core::Error bad_answer(std::string_view detail) {
  return core::Error::make(
      core::ErrorCode::kUnavailable,
      std::string(kProvider) + " sent an answer the gateway cannot read: " + std::string(detail));
}

// boost::json's default depth limit (32) is lower than some real tool schemas and arguments.
boost::json::value parse_json(std::string_view text, boost::system::error_code& error) {
  boost::json::parse_options options;
  options.max_depth = 256;
  return boost::json::parse(text, error, {}, options);
}

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// ---------------------------------------------------------------------------------------
// Requests

// "gemini-2.0-flash" and "models/gemini-2.0-flash" → "models/gemini-2.0-flash"; a tuned
// model ("tunedModels/…") keeps its collection. The id lands in the URL path, so only the
// characters Gemini model ids use are accepted.
core::Result<std::string> resource_name(std::string_view model) {
  std::string_view collection = "models/";
  std::string_view id = model;
  if (id.starts_with("models/")) {
    id.remove_prefix(collection.size());
  } else if (id.starts_with("tunedModels/")) {
    collection = "tunedModels/";
    id.remove_prefix(collection.size());
  }
  bool valid = !id.empty();
  for (char c : id) {
    valid = valid &&
            (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_');
  }
  if (!valid) {
    return core::Error::invalid("gemini: \"" + std::string(model) +
                                    "\" is not a Gemini model id (letters, digits, '.', '-', '_')",
                                "model");
  }
  return std::string(collection) + std::string(id);
}

std::string method_url(const ProviderEndpoint& endpoint, std::string_view resource,
                       std::string_view method) {
  std::string_view base = endpoint.base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  std::string url;
  url.reserve(base.size() + resource.size() + method.size() + 2);
  url.append(base).push_back('/');
  url.append(resource).push_back(':');
  url.append(method);
  return url;
}

void add_headers(OutboundRequest& request, const ProviderEndpoint& endpoint) {
  if (!endpoint.api_key.empty()) request.headers.emplace_back("x-goog-api-key", endpoint.api_key);
  request.headers.emplace_back("Content-Type", "application/json");
  for (const auto& header : endpoint.extra_headers) request.headers.push_back(header);
}

struct ImageReference {
  bool inline_data = false;  // base64 bytes in the request, else a URL Gemini fetches
  std::string mime_type;
  std::string_view payload;  // the base64 data or the URL
};

// Gemini's image types (PNG, JPEG, WEBP, HEIC, HEIF) by file extension.
std::optional<std::string_view> mime_type_of_url(std::string_view url) {
  std::string_view path = url.substr(0, url.find_first_of("?#"));
  std::size_t scheme_end = path.find("://");
  std::size_t path_start =
      path.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  if (path_start == std::string_view::npos) return std::nullopt;
  path.remove_prefix(path_start);
  std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string extension = lowercase(path.substr(dot + 1));
  if (extension == "png") return "image/png";
  if (extension == "jpg" || extension == "jpeg") return "image/jpeg";
  if (extension == "webp") return "image/webp";
  if (extension == "heic") return "image/heic";
  if (extension == "heif") return "image/heif";
  return std::nullopt;
}

core::Result<ImageReference> image_reference(std::string_view url, const std::string& path) {
  ImageReference image;
  if (url.starts_with("data:")) {
    // data:<mime>[;param…];base64,<data>
    std::size_t comma = url.find(',');
    if (comma == std::string_view::npos) return refuse(path, "is a data: URI without data");
    std::string_view header = url.substr(5, comma - 5);
    std::string_view mime = header.substr(0, header.find(';'));
    if (mime.find('/') == std::string_view::npos || !header.ends_with(";base64")) {
      return refuse(path, "must be a base64 data: URI with a MIME type (data:image/png;base64,…)");
    }
    image.inline_data = true;
    image.mime_type = lowercase(mime);
    image.payload = url.substr(comma + 1);
    if (image.payload.empty()) return refuse(path, "is a data: URI without data");
    return image;
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    auto mime = mime_type_of_url(url);
    if (!mime) {
      return refuse(path,
                    "is a URL whose image type the gateway cannot tell from its extension; Gemini "
                    "needs one (.png, .jpg, .jpeg, .webp, .heic, .heif), or send a data: URI");
    }
    image.mime_type = std::string(*mime);
    image.payload = url;
    return image;
  }
  return refuse(path, "must be an http(s) URL or a data: URI");
}

bool has_parts(const Message& message) {
  if (!message.tool_calls.empty()) return true;
  for (const auto& part : message.content) {
    if (part.kind == ContentPart::Kind::kImage || !part.text.empty()) return true;
  }
  return false;
}

// The text and image parts of a user or assistant message (empty texts skipped: Gemini
// refuses them).
core::Status write_content_parts(core::JsonWriter& out, const Message& message,
                                 const std::string& path) {
  for (std::size_t j = 0; j < message.content.size(); ++j) {
    const ContentPart& part = message.content[j];
    if (part.kind == ContentPart::Kind::kText) {
      if (part.text.empty()) continue;
      out.begin_object();
      out.member("text", part.text);
      out.end_object();
      continue;
    }
    std::string part_path = member_path(index_path(member_path(path, "content"), j), "image_url");
    AIC_TRY_ASSIGN(image, image_reference(part.image_url, member_path(part_path, "url")));
    out.begin_object();
    if (image.inline_data) {
      out.key("inlineData");
      out.begin_object();
      out.member("mimeType", image.mime_type);
      out.member("data", image.payload);
      out.end_object();
    } else {
      out.key("fileData");
      out.begin_object();
      out.member("mimeType", image.mime_type);
      out.member("fileUri", image.payload);
      out.end_object();
    }
    out.end_object();
  }
  return core::Status();
}

core::Status write_function_calls(core::JsonWriter& out, const Message& message,
                                  const std::string& path,
                                  std::map<std::string, std::string, std::less<>>& call_names) {
  for (std::size_t k = 0; k < message.tool_calls.size(); ++k) {
    const ToolCall& call = message.tool_calls[k];
    std::string arguments_path = member_path(
        member_path(index_path(member_path(path, "tool_calls"), k), "function"), "arguments");
    std::string_view arguments = call.arguments;
    if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos) arguments = "{}";
    boost::system::error_code error;
    boost::json::value parsed = parse_json(arguments, error);
    if (error) return refuse(arguments_path, "is not valid JSON");
    if (!parsed.is_object()) {
      return refuse(arguments_path, "must be a JSON object (Gemini's functionCall.args is one)");
    }
    out.begin_object();
    out.key("functionCall");
    out.begin_object();
    out.member("name", call.name);
    out.key("args");
    out.raw(arguments);
    if (!call.id.empty()) out.member("id", call.id);
    out.end_object();
    if (k == 0) out.member("thoughtSignature", kSkipSignatureCheck);
    out.end_object();
    // A later call reusing an id shadows the earlier one: results answer the latest call.
    if (!call.id.empty()) call_names.insert_or_assign(call.id, call.name);
  }
  return core::Status();
}

core::Status write_function_response(
    core::JsonWriter& out, const Message& message, const std::string& path,
    const std::map<std::string, std::string, std::less<>>& call_names) {
  for (std::size_t j = 0; j < message.content.size(); ++j) {
    if (message.content[j].kind == ContentPart::Kind::kImage) {
      return refuse(index_path(member_path(path, "content"), j),
                    "is an image; Gemini function responses carry JSON only");
    }
  }
  auto name = call_names.find(message.tool_call_id);
  if (name == call_names.end()) {
    return refuse(member_path(path, "tool_call_id"),
                  "\"" + message.tool_call_id +
                      "\" answers no tool call of an earlier assistant message; Gemini needs the "
                      "called function's name");
  }
  std::string text = message.text();
  boost::system::error_code error;
  boost::json::value parsed = parse_json(text, error);
  out.begin_object();
  out.key("functionResponse");
  out.begin_object();
  if (!message.tool_call_id.empty()) out.member("id", message.tool_call_id);
  out.member("name", name->second);
  out.key("response");
  if (!error && parsed.is_object()) {
    out.raw(text);
  } else {
    out.begin_object();
    out.member("result", text);
    out.end_object();
  }
  out.end_object();
  out.end_object();
  return core::Status();
}

core::Status write_system_instruction(core::JsonWriter& out, const ChatRequest& request) {
  bool open = false;
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const Message& message = request.messages[i];
    if (message.role != Role::kSystem) continue;
    for (std::size_t j = 0; j < message.content.size(); ++j) {
      const ContentPart& part = message.content[j];
      if (part.kind == ContentPart::Kind::kImage) {
        return refuse(index_path(member_path(index_path("messages", i), "content"), j),
                      "is an image; Gemini's system instruction is text only");
      }
      if (part.text.empty()) continue;
      if (!open) {
        out.key("systemInstruction");
        out.begin_object();
        out.key("parts");
        out.begin_array();
        open = true;
      }
      out.begin_object();
      out.member("text", part.text);
      out.end_object();
    }
  }
  if (open) {
    out.end_array();
    out.end_object();
  }
  return core::Status();
}

// The conversation as Gemini turns; the number of turns written.
core::Result<std::size_t> write_contents(core::JsonWriter& out, const ChatRequest& request) {
  std::map<std::string, std::string, std::less<>> call_names;  // tool-call id → function name
  std::size_t turns = 0;
  bool turn_open = false;
  bool open_turn_is_tool_results = false;
  auto close_turn = [&] {
    if (!turn_open) return;
    out.end_array();
    out.end_object();
    turn_open = false;
  };
  auto open_turn = [&](std::string_view role, bool tool_results) {
    out.begin_object();
    out.member("role", role);
    out.key("parts");
    out.begin_array();
    turn_open = true;
    open_turn_is_tool_results = tool_results;
    ++turns;
  };
  out.key("contents");
  out.begin_array();
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const Message& message = request.messages[i];
    std::string path = index_path("messages", i);
    switch (message.role) {
      case Role::kSystem:
        break;  // in systemInstruction
      case Role::kTool:
        if (!turn_open || !open_turn_is_tool_results) {
          close_turn();
          open_turn("user", true);
        }
        if (auto written = write_function_response(out, message, path, call_names); !written) {
          return written.error();
        }
        break;
      case Role::kUser:
      case Role::kAssistant:
        close_turn();
        if (!has_parts(message)) break;  // nothing to say; Gemini refuses empty turns
        open_turn(message.role == Role::kUser ? "user" : "model", false);
        if (auto written = write_content_parts(out, message, path); !written) {
          return written.error();
        }
        if (auto written = write_function_calls(out, message, path, call_names); !written) {
          return written.error();
        }
        close_turn();
        break;
    }
  }
  close_turn();
  out.end_array();
  return turns;
}

void write_tools(core::JsonWriter& out, const ChatRequest& request) {
  if (!request.tools.empty()) {
    out.key("tools");
    out.begin_array();
    out.begin_object();
    out.key("functionDeclarations");
    out.begin_array();
    for (const auto& tool : request.tools) {
      out.begin_object();
      out.member("name", tool.name);
      if (!tool.description.empty()) out.member("description", tool.description);
      if (!tool.parameters.empty()) {
        out.key("parametersJsonSchema");
        out.raw(tool.parameters);
      }
      out.end_object();
    }
    out.end_array();
    out.end_object();
    out.end_array();
  }
  if (request.tool_choice) {
    out.key("toolConfig");
    out.begin_object();
    out.key("functionCallingConfig");
    out.begin_object();
    switch (request.tool_choice->mode) {
      case ToolChoice::Mode::kAuto:
        out.member("mode", "AUTO");
        break;
      case ToolChoice::Mode::kNone:
        out.member("mode", "NONE");
        break;
      case ToolChoice::Mode::kRequired:
        out.member("mode", "ANY");
        break;
      case ToolChoice::Mode::kNamed:
        out.member("mode", "ANY");
        out.key("allowedFunctionNames");
        out.begin_array();
        out.value(request.tool_choice->name);
        out.end_array();
        break;
    }
    out.end_object();
    out.end_object();
  }
}

core::Status write_generation_config(core::JsonWriter& out, const ChatRequest& request) {
  std::optional<std::int64_t> thinking_budget;
  if (!request.reasoning_effort.empty()) {
    const std::string& effort = request.reasoning_effort;
    if (effort == "minimal") {
      thinking_budget = 512;
    } else if (effort == "low") {
      thinking_budget = 1024;
    } else if (effort == "medium") {
      thinking_budget = 8192;
    } else if (effort == "high") {
      thinking_budget = 24576;
    } else {
      return refuse("reasoning_effort", "must be minimal, low, medium or high");
    }
  }
  bool any = request.temperature || request.top_p || request.top_k || request.max_tokens ||
             !request.stop.empty() || request.seed || request.presence_penalty ||
             request.frequency_penalty || thinking_budget ||
             request.response_format.type != ResponseFormat::Type::kText;
  if (!any) return core::Status();
  out.key("generationConfig");
  out.begin_object();
  if (request.temperature) out.number_member("temperature", request.temperature);
  if (request.top_p) out.number_member("topP", request.top_p);
  if (request.top_k) out.member("topK", *request.top_k);
  if (request.max_tokens) out.member("maxOutputTokens", *request.max_tokens);
  if (!request.stop.empty()) {
    out.key("stopSequences");
    out.begin_array();
    for (const auto& stop : request.stop) out.value(stop);
    out.end_array();
  }
  if (request.seed) out.member("seed", *request.seed);
  if (request.presence_penalty) out.number_member("presencePenalty", request.presence_penalty);
  if (request.frequency_penalty) out.number_member("frequencyPenalty", request.frequency_penalty);
  switch (request.response_format.type) {
    case ResponseFormat::Type::kText:
      break;
    case ResponseFormat::Type::kJsonObject:
      out.member("responseMimeType", "application/json");
      break;
    case ResponseFormat::Type::kJsonSchema:
      out.member("responseMimeType", "application/json");
      out.key("responseJsonSchema");
      out.raw(request.response_format.schema.empty()
                  ? std::string_view("{}")
                  : std::string_view(request.response_format.schema));
      break;
  }
  if (thinking_budget) {
    out.key("thinkingConfig");
    out.begin_object();
    out.member("thinkingBudget", *thinking_budget);
    out.end_object();
  }
  out.end_object();
  return core::Status();
}

core::Result<std::string> write_chat_body(const ChatRequest& request) {
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  AIC_TRY_ASSIGN(turns, write_contents(out, request));
  if (turns == 0) {
    return core::Error::invalid("`messages` must contain a user or assistant message for Gemini",
                                "messages");
  }
  if (auto written = write_system_instruction(out, request); !written) return written.error();
  write_tools(out, request);
  if (auto written = write_generation_config(out, request); !written) return written.error();
  out.end_object();
  return body;
}

// ---------------------------------------------------------------------------------------
// Answers

std::string string_or_empty(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(view(value->get_string()))
                                                : std::string();
}

// The gateway's convention (see Usage): tool-use prompt tokens are prompt tokens, thoughts
// are output tokens.
std::optional<Usage> read_usage(const boost::json::object& answer) {
  const auto* metadata_value = answer.if_contains("usageMetadata");
  if (metadata_value == nullptr || !metadata_value->is_object()) return std::nullopt;
  const auto& metadata = metadata_value->get_object();
  Usage usage;
  std::int64_t thoughts = json::count_or_zero(metadata, "thoughtsTokenCount");
  usage.input_tokens = json::count_or_zero(metadata, "promptTokenCount") +
                       json::count_or_zero(metadata, "toolUsePromptTokenCount");
  usage.cached_input_tokens = json::count_or_zero(metadata, "cachedContentTokenCount");
  usage.output_tokens = json::count_or_zero(metadata, "candidatesTokenCount") + thoughts;
  usage.reasoning_tokens = thoughts;
  return usage;
}

FinishReason finish_from_gemini(std::string_view reason, bool has_calls) {
  if (reason == "MAX_TOKENS") return FinishReason::kLength;
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
      reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY" ||
      reason == "IMAGE_PROHIBITED_CONTENT" || reason == "IMAGE_RECITATION") {
    return FinishReason::kContentFilter;
  }
  return has_calls ? FinishReason::kToolCalls : FinishReason::kStop;
}

// Gemini may omit call ids; a generated one is stable for the answer and differs between
// answers that carry a response id, so a client's history keeps its calls apart.
std::string generated_call_id(std::string_view response_id, std::size_t index) {
  std::string id = "call_";
  if (!response_id.empty()) id.append(response_id).push_back('_');
  id += std::to_string(index);
  return id;
}

const boost::json::object* first_candidate(const boost::json::object& answer) {
  const auto* candidates = answer.if_contains("candidates");
  if (candidates == nullptr || !candidates->is_array() || candidates->get_array().empty()) {
    return nullptr;
  }
  const auto& first = candidates->get_array().front();
  return first.is_object() ? &first.get_object() : nullptr;
}

bool prompt_blocked(const boost::json::object& answer) {
  const auto* feedback = answer.if_contains("promptFeedback");
  return feedback != nullptr && feedback->is_object() &&
         !string_or_empty(feedback->get_object(), "blockReason").empty();
}

// Calls `on_text(text)` for each answer text part (thoughts skipped) and
// `on_call(id_or_empty, name, arguments_json)` for each function call, in order.
template <typename OnText, typename OnCall>
core::Status read_parts(const boost::json::object& candidate, OnText&& on_text, OnCall&& on_call) {
  const auto* content = candidate.if_contains("content");
  if (content == nullptr || !content->is_object()) return core::Status();
  const auto* parts = content->get_object().if_contains("parts");
  if (parts == nullptr || !parts->is_array()) return core::Status();
  for (const auto& part_value : parts->get_array()) {
    if (!part_value.is_object()) return bad_answer("a content part is not an object");
    const auto& part = part_value.get_object();
    const auto* thought = part.if_contains("thought");
    if (thought != nullptr && thought->is_bool() && thought->get_bool()) continue;
    if (const auto* text = part.if_contains("text"); text != nullptr && text->is_string()) {
      if (!text->get_string().empty()) on_text(view(text->get_string()));
    }
    if (const auto* call_value = part.if_contains("functionCall"); call_value != nullptr) {
      if (!call_value->is_object()) return bad_answer("a functionCall is not an object");
      const auto& call = call_value->get_object();
      std::string name = string_or_empty(call, "name");
      if (name.empty()) return bad_answer("a functionCall has no name");
      const auto* args = call.if_contains("args");
      std::string arguments = args == nullptr || args->is_null() ? "{}" : json::to_text(*args);
      on_call(string_or_empty(call, "id"), std::move(name), std::move(arguments));
    }
    // Other parts (executableCode, inlineData output) answer features the gateway never asks for.
  }
  return core::Status();
}

core::Result<ChatResponse> read_chat_answer(std::string_view body) {
  boost::system::error_code error;
  boost::json::value parsed = parse_json(body, error);
  if (error || !parsed.is_object()) return bad_answer("the body is not a JSON object");
  const auto& answer = parsed.get_object();
  ChatResponse response;
  response.id = string_or_empty(answer, "responseId");
  response.model = string_or_empty(answer, "modelVersion");
  response.usage = read_usage(answer);
  const boost::json::object* candidate = first_candidate(answer);
  if (candidate == nullptr) {
    if (!prompt_blocked(answer)) return bad_answer("`candidates` is missing or empty");
    response.finish_reason = FinishReason::kContentFilter;
    return response;
  }
  auto read = read_parts(
      *candidate, [&](std::string_view text) { response.text.append(text); },
      [&](std::string id, std::string name, std::string arguments) {
        if (id.empty()) id = generated_call_id(response.id, response.tool_calls.size());
        response.tool_calls.push_back(
            ToolCall{std::move(id), std::move(name), std::move(arguments)});
      });
  if (!read) return read.error();
  response.finish_reason =
      finish_from_gemini(string_or_empty(*candidate, "finishReason"), !response.tool_calls.empty());
  return response;
}

// "API key not valid", reason API_KEY_INVALID, "Please use API Key or other form of API
// consumer identity": the caller's key is at fault, not its permissions.
bool mentions_api_key(std::string_view text) {
  std::string lower = lowercase(text);
  return lower.find("api key") != std::string::npos || lower.find("api_key") != std::string::npos;
}

// {"error":{"code","message","status","details":[…]}}, also as the first element of an array
// (how Gemini reports errors of a stream not in SSE form).
UpstreamError read_error(int status, std::string_view body) {
  UpstreamError error;
  error.status = status;
  error.retryable = status == 408 || status == 409 || status == 429 || status >= 500;
  std::string message;
  bool key_problem = false;
  boost::system::error_code parse_error;
  boost::json::value parsed = parse_json(body, parse_error);
  if (!parse_error && parsed.is_array() && !parsed.get_array().empty()) {
    boost::json::value first = parsed.get_array().front();
    parsed = std::move(first);
  }
  const boost::json::value* inner =
      !parse_error && parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
  if (inner != nullptr && inner->is_object()) {
    const auto& fields = inner->get_object();
    message = string_or_empty(fields, "message");
    error.code = string_or_empty(fields, "status");
    key_problem = mentions_api_key(message);
    if (const auto* details = fields.if_contains("details"); details && details->is_array()) {
      for (const auto& detail_value : details->get_array()) {
        if (!detail_value.is_object()) continue;
        const auto& detail = detail_value.get_object();
        key_problem = key_problem || mentions_api_key(string_or_empty(detail, "reason"));
        const auto* violations = detail.if_contains("fieldViolations");
        if (error.param.empty() && violations != nullptr && violations->is_array() &&
            !violations->get_array().empty() && violations->get_array().front().is_object()) {
          error.param = string_or_empty(violations->get_array().front().get_object(), "field");
        }
      }
    }
  }
  if (status == 401 || ((status == 400 || status == 403) && key_problem)) {
    error.type = "authentication_error";  // Gemini answers a bad key with 400 API_KEY_INVALID
  } else if (status == 403) {
    error.type = "permission_error";
  } else if (status == 404) {
    error.type = "not_found_error";
  } else if (status == 429) {
    error.type = "rate_limit_error";
  } else if (status == 408 || status >= 500) {
    error.type = "server_error";
  } else {
    error.type = "invalid_request_error";
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(status);
    if (!error.code.empty()) {
      message += " " + error.code;
    } else if (std::string text = json::body_excerpt(body); !text.empty()) {
      message += ": " + text;
    } else {
      message += " with an empty body";
    }
  }
  error.message = std::string(kProvider) + ": " + message;
  return error;
}

// streamGenerateContent?alt=sse: each event is a whole GenerateContentResponse whose text parts
// are deltas; function calls arrive whole; the last chunk carries finishReason.
class GeminiStreamDecoder final : public ChatStreamDecoder {
 public:
  core::Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override {
    if (failure_) return *failure_;
    if (!reader_.feed(bytes, events_)) return fail(bad_answer("a stream event is too large"));
    for (const auto& event : events_) {
      if (auto handled = handle(event, out); !handled) return fail(handled.error());
    }
    events_.clear();
    return core::Status();
  }

  core::Status finish(std::vector<StreamEvent>& out) override {
    if (failure_) return *failure_;
    if (!finished_) {
      return fail(core::Error::make(
          core::ErrorCode::kUnavailable,
          std::string(kProvider) + " ended the stream before its last chunk (no finishReason)"));
    }
    if (usage_) {
      StreamEvent event;
      event.kind = StreamEvent::Kind::kUsage;
      event.usage = *usage_;
      out.push_back(std::move(event));
      usage_.reset();
    }
    return core::Status();
  }

 private:
  core::Status fail(core::Error error) {
    events_.clear();
    failure_ = error;
    return error;
  }

  core::Status handle(const SseEvent& event, std::vector<StreamEvent>& out) {
    if (event.data.empty()) return core::Status();
    boost::system::error_code error;
    boost::json::value parsed = parse_json(event.data, error);
    if (error || !parsed.is_object()) return bad_answer("a stream chunk is not a JSON object");
    const auto& chunk = parsed.get_object();
    if (const auto* failure = chunk.if_contains("error");
        failure != nullptr && !failure->is_null()) {
      int status = 500;
      if (failure->is_object()) {
        const auto* code = failure->get_object().if_contains("code");
        if (code != nullptr && code->is_int64() && code->get_int64() >= 400 &&
            code->get_int64() <= 599) {
          status = static_cast<int>(code->get_int64());
        }
      }
      return core::Error::make(core::ErrorCode::kUnavailable,
                               read_error(status, event.data).message);
    }
    if (!started_) {
      started_ = true;
      response_id_ = string_or_empty(chunk, "responseId");
      StreamEvent start;
      start.kind = StreamEvent::Kind::kStart;
      start.id = response_id_;
      start.name = string_or_empty(chunk, "modelVersion");
      out.push_back(std::move(start));
    }
    if (auto usage = read_usage(chunk)) usage_ = usage;  // each chunk reports the total so far
    if (finished_) return core::Status();
    const boost::json::object* candidate = first_candidate(chunk);
    if (candidate == nullptr) {
      if (prompt_blocked(chunk)) finish_with(FinishReason::kContentFilter, out);
      return core::Status();
    }
    auto read = read_parts(
        *candidate,
        [&](std::string_view text) {
          StreamEvent piece;
          piece.kind = StreamEvent::Kind::kTextDelta;
          piece.text.assign(text);
          out.push_back(std::move(piece));
        },
        [&](std::string id, std::string name, std::string arguments) {
          StreamEvent piece;
          piece.kind = StreamEvent::Kind::kToolCallStart;
          piece.index = calls_;
          piece.id = id.empty() ? generated_call_id(response_id_, static_cast<std::size_t>(calls_))
                                : std::move(id);
          piece.name = std::move(name);
          piece.text = std::move(arguments);
          out.push_back(std::move(piece));
          ++calls_;
        });
    if (!read) return read;
    std::string reason = string_or_empty(*candidate, "finishReason");
    if (!reason.empty() && reason != "FINISH_REASON_UNSPECIFIED") {
      finish_with(finish_from_gemini(reason, calls_ > 0), out);
    }
    return core::Status();
  }

  void finish_with(FinishReason reason, std::vector<StreamEvent>& out) {
    finished_ = true;
    StreamEvent done;
    done.kind = StreamEvent::Kind::kFinish;
    done.finish_reason = reason;
    out.push_back(std::move(done));
  }

  SseReader reader_;
  std::vector<SseEvent> events_;
  std::optional<core::Error> failure_;  // a failed stream stays failed
  std::optional<Usage> usage_;
  std::string response_id_;
  int calls_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

// ---------------------------------------------------------------------------------------
// Embeddings

std::string write_embedding_body(const EmbeddingRequest& request, std::string_view resource) {
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  out.key("requests");
  out.begin_array();
  for (const auto& input : request.inputs) {
    out.begin_object();
    out.member("model", resource);
    out.key("content");
    out.begin_object();
    out.key("parts");
    out.begin_array();
    out.begin_object();
    out.member("text", input);
    out.end_object();
    out.end_array();
    out.end_object();
    if (request.dimensions) out.member("outputDimensionality", *request.dimensions);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return body;
}

core::Result<EmbeddingResponse> read_embeddings(std::string_view body) {
  boost::system::error_code error;
  boost::json::value parsed = parse_json(body, error);
  if (error || !parsed.is_object()) return bad_answer("the body is not a JSON object");
  const auto* embeddings = parsed.get_object().if_contains("embeddings");
  if (embeddings == nullptr || !embeddings->is_array())
    return bad_answer("`embeddings` is missing");
  EmbeddingResponse response;
  response.vectors.reserve(embeddings->get_array().size());
  for (const auto& item : embeddings->get_array()) {
    const boost::json::value* values =
        item.is_object() ? item.get_object().if_contains("values") : nullptr;
    if (values == nullptr || !values->is_array()) return bad_answer("an embedding has no `values`");
    auto& vector = response.vectors.emplace_back();
    vector.reserve(values->get_array().size());
    for (const auto& number : values->get_array()) {
      if (!number.is_number()) return bad_answer("an embedding value is not a number");
      vector.push_back(json::as_double(number));
    }
  }
  return response;
}

// ---------------------------------------------------------------------------------------
// The adapter

class GeminiAdapter final : public ProviderAdapter {
 public:
  ProviderKind kind() const override { return ProviderKind::kGemini; }

  core::Result<OutboundRequest> chat_request(const ChatRequest& request,
                                             std::string_view upstream_model,
                                             const ProviderEndpoint& endpoint) const override {
    AIC_TRY_ASSIGN(resource, resource_name(upstream_model));
    AIC_TRY_ASSIGN(body, write_chat_body(request));
    OutboundRequest outbound;
    outbound.url = method_url(endpoint, resource,
                              request.stream ? "streamGenerateContent?alt=sse" : "generateContent");
    add_headers(outbound, endpoint);
    outbound.body = std::move(body);
    return outbound;
  }

  core::Result<ChatResponse> chat_response(std::string_view body) const override {
    return read_chat_answer(body);
  }

  std::unique_ptr<ChatStreamDecoder> chat_stream() const override {
    return std::make_unique<GeminiStreamDecoder>();
  }

  UpstreamError error(int status, std::string_view body) const override {
    return read_error(status, body);
  }

  core::Result<OutboundRequest> embedding_request(const EmbeddingRequest& request,
                                                  std::string_view upstream_model,
                                                  const ProviderEndpoint& endpoint) const override {
    AIC_TRY_ASSIGN(resource, resource_name(upstream_model));
    if (request.inputs.empty()) return core::Error::invalid("`input` must not be empty", "input");
    OutboundRequest outbound;
    outbound.url = method_url(endpoint, resource, "batchEmbedContents");
    add_headers(outbound, endpoint);
    outbound.body = write_embedding_body(request, resource);
    return outbound;
  }

  core::Result<EmbeddingResponse> embedding_response(std::string_view body) const override {
    return read_embeddings(body);
  }
};

}  // namespace

const ProviderAdapter& gemini_adapter() {
  static const GeminiAdapter adapter;
  return adapter;
}

}  // namespace aic::ai
