#include "ai/formats/openai_format.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <cmath>
#include <cstring>
#include <set>

#include "ai/formats/json_fields.hpp"
#include "ai/sse.hpp"
#include "core/json_writer.hpp"

namespace aic::ai {

namespace {

using json::get_array;
using json::get_bool;
using json::get_integer;
using json::get_number;
using json::get_object;
using json::get_string;
using json::index_path;
using json::member_path;
using json::view;

std::string number_text(double value) {
  std::string text;
  core::JsonWriter(text).number(value);
  return text;
}

core::Error unsupported(std::string path, std::string_view what) {
  return core::Error::invalid("`" + path + "` " + std::string(what), path);
}

// ---------------------------------------------------------------------------------------
// Requests (ingress: parse; provider: write)

core::Status parse_content(const boost::json::value& value, const std::string& path,
                           Message& message) {
  if (value.is_null()) return core::Status();
  if (value.is_string()) {
    message.content.push_back(ContentPart::make_text(std::string(view(value.get_string()))));
    return core::Status();
  }
  if (!value.is_array()) {
    return core::Error::invalid("`" + path + "` must be a string or an array of content parts",
                                path);
  }
  const auto& parts = value.get_array();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string part_path = index_path(path, i);
    if (!parts[i].is_object())
      return core::Error::invalid("`" + part_path + "` must be an object", part_path);
    const auto& part = parts[i].get_object();
    AIC_TRY_ASSIGN(type, get_string(part, "type", part_path));
    if (type == nullptr) {
      return core::Error::invalid("`" + member_path(part_path, "type") + "` is required",
                                  member_path(part_path, "type"));
    }
    if (*type == "text") {
      AIC_TRY_ASSIGN(text, get_string(part, "text", part_path));
      if (text == nullptr) {
        return core::Error::invalid("`" + member_path(part_path, "text") + "` is required",
                                    member_path(part_path, "text"));
      }
      message.content.push_back(ContentPart::make_text(std::string(view(*text))));
    } else if (*type == "image_url") {
      if (message.role != Role::kUser) {
        return unsupported(part_path, "is an image; only user messages may contain images");
      }
      AIC_TRY_ASSIGN(image, get_object(part, "image_url", part_path));
      std::string image_path = member_path(part_path, "image_url");
      if (image == nullptr)
        return core::Error::invalid("`" + image_path + "` is required", image_path);
      AIC_TRY_ASSIGN(url, get_string(*image, "url", image_path));
      std::string url_path = member_path(image_path, "url");
      if (url == nullptr) return core::Error::invalid("`" + url_path + "` is required", url_path);
      std::string_view url_text = view(*url);
      if (!url_text.starts_with("https://") && !url_text.starts_with("http://") &&
          !url_text.starts_with("data:")) {
        return core::Error::invalid("`" + url_path + "` must be an http(s) URL or a data: URI",
                                    url_path);
      }
      AIC_TRY_ASSIGN(detail, get_string(*image, "detail", image_path));
      ContentPart content;
      content.kind = ContentPart::Kind::kImage;
      content.image_url.assign(url_text);
      if (detail != nullptr) {
        if (*detail != "low" && *detail != "high" && *detail != "auto") {
          std::string detail_path = member_path(image_path, "detail");
          return core::Error::invalid("`" + detail_path + "` must be low, high or auto",
                                      detail_path);
        }
        content.image_detail.assign(view(*detail));
      }
      message.content.push_back(std::move(content));
    } else if (*type == "refusal" && message.role == Role::kAssistant) {
      // An earlier refusal sent back as history: it carries no content for the model.
    } else {
      std::string type_path = member_path(part_path, "type");
      return core::Error::invalid("`" + type_path + "` \"" + std::string(view(*type)) +
                                      "\" is not supported by the gateway (text and image_url are)",
                                  type_path);
    }
  }
  return core::Status();
}

core::Status parse_tool_calls(const boost::json::array& calls, const std::string& path,
                              Message& message) {
  for (std::size_t i = 0; i < calls.size(); ++i) {
    std::string call_path = index_path(path, i);
    if (!calls[i].is_object())
      return core::Error::invalid("`" + call_path + "` must be an object", call_path);
    const auto& call = calls[i].get_object();
    AIC_TRY_ASSIGN(id, get_string(call, "id", call_path));
    AIC_TRY_ASSIGN(type, get_string(call, "type", call_path));
    AIC_TRY_ASSIGN(function, get_object(call, "function", call_path));
    if (id == nullptr || id->empty()) {
      return core::Error::invalid("`" + member_path(call_path, "id") + "` is required",
                                  member_path(call_path, "id"));
    }
    if (type != nullptr && *type != "function") {
      return unsupported(member_path(call_path, "type"), "must be \"function\"");
    }
    std::string function_path = member_path(call_path, "function");
    if (function == nullptr)
      return core::Error::invalid("`" + function_path + "` is required", function_path);
    AIC_TRY_ASSIGN(name, get_string(*function, "name", function_path));
    AIC_TRY_ASSIGN(arguments, get_string(*function, "arguments", function_path));
    if (name == nullptr || name->empty()) {
      return core::Error::invalid("`" + member_path(function_path, "name") + "` is required",
                                  member_path(function_path, "name"));
    }
    message.tool_calls.push_back(
        ToolCall{std::string(view(*id)), std::string(view(*name)),
                 arguments == nullptr ? std::string() : std::string(view(*arguments))});
  }
  return core::Status();
}

core::Result<Message> parse_message(const boost::json::value& value, const std::string& path) {
  if (!value.is_object()) return core::Error::invalid("`" + path + "` must be an object", path);
  const auto& object = value.get_object();
  AIC_TRY_ASSIGN(role, get_string(object, "role", path));
  std::string role_path = member_path(path, "role");
  if (role == nullptr) return core::Error::invalid("`" + role_path + "` is required", role_path);
  Message message;
  if (*role == "system" || *role == "developer") {
    message.role = Role::kSystem;
  } else if (*role == "user") {
    message.role = Role::kUser;
  } else if (*role == "assistant") {
    message.role = Role::kAssistant;
  } else if (*role == "tool") {
    message.role = Role::kTool;
  } else {
    return core::Error::invalid(
        "`" + role_path + "` must be system, developer, user, assistant or tool", role_path);
  }
  std::string content_path = member_path(path, "content");
  if (const auto* content = object.if_contains("content")) {
    if (auto parsed = parse_content(*content, content_path, message); !parsed)
      return parsed.error();
  }
  AIC_TRY_ASSIGN(name, get_string(object, "name", path));
  if (name != nullptr) message.name.assign(view(*name));
  AIC_TRY_ASSIGN(tool_calls, get_array(object, "tool_calls", path));
  if (tool_calls != nullptr) {
    if (message.role != Role::kAssistant) {
      return unsupported(member_path(path, "tool_calls"), "is only allowed on assistant messages");
    }
    if (auto parsed = parse_tool_calls(*tool_calls, member_path(path, "tool_calls"), message);
        !parsed) {
      return parsed.error();
    }
  }
  if (object.contains("function_call") && !object.at("function_call").is_null()) {
    return unsupported(member_path(path, "function_call"),
                       "(the deprecated functions API) is not supported; use tool_calls");
  }
  if (message.role == Role::kTool) {
    AIC_TRY_ASSIGN(call_id, get_string(object, "tool_call_id", path));
    if (call_id == nullptr || call_id->empty()) {
      std::string id_path = member_path(path, "tool_call_id");
      return core::Error::invalid("`" + id_path + "` is required on tool messages", id_path);
    }
    message.tool_call_id.assign(view(*call_id));
  }
  if (message.content.empty() && message.tool_calls.empty() && message.role != Role::kAssistant) {
    return core::Error::invalid("`" + content_path + "` is required", content_path);
  }
  return message;
}

core::Status parse_tools(const boost::json::array& tools, ChatRequest& request) {
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < tools.size(); ++i) {
    std::string path = index_path("tools", i);
    if (!tools[i].is_object())
      return core::Error::invalid("`" + path + "` must be an object", path);
    const auto& tool = tools[i].get_object();
    AIC_TRY_ASSIGN(type, get_string(tool, "type", path));
    if (type == nullptr || *type != "function") {
      return unsupported(member_path(path, "type"),
                         "must be \"function\" (the only tool type the gateway supports)");
    }
    AIC_TRY_ASSIGN(function, get_object(tool, "function", path));
    std::string function_path = member_path(path, "function");
    if (function == nullptr)
      return core::Error::invalid("`" + function_path + "` is required", function_path);
    AIC_TRY_ASSIGN(name, get_string(*function, "name", function_path));
    std::string name_path = member_path(function_path, "name");
    if (name == nullptr || name->empty())
      return core::Error::invalid("`" + name_path + "` is required", name_path);
    if (!names.emplace(view(*name)).second) {
      return core::Error::invalid(
          "`" + name_path + "` \"" + std::string(view(*name)) + "\" is declared twice", name_path);
    }
    Tool parsed;
    parsed.name.assign(view(*name));
    AIC_TRY_ASSIGN(description, get_string(*function, "description", function_path));
    if (description != nullptr) parsed.description.assign(view(*description));
    AIC_TRY_ASSIGN(parameters, get_object(*function, "parameters", function_path));
    if (parameters != nullptr) parsed.parameters = json::to_text(*parameters);
    AIC_TRY_ASSIGN(strict, get_bool(*function, "strict", function_path));
    parsed.strict = strict != nullptr && strict->get_bool();
    request.tools.push_back(std::move(parsed));
  }
  return core::Status();
}

core::Status parse_tool_choice(const boost::json::value& value, ChatRequest& request) {
  ToolChoice choice;
  if (value.is_string()) {
    std::string_view mode = view(value.get_string());
    if (mode == "auto") {
      choice.mode = ToolChoice::Mode::kAuto;
    } else if (mode == "none") {
      choice.mode = ToolChoice::Mode::kNone;
    } else if (mode == "required") {
      choice.mode = ToolChoice::Mode::kRequired;
    } else {
      return core::Error::invalid("`tool_choice` must be auto, none, required or a function",
                                  "tool_choice");
    }
  } else if (value.is_object()) {
    AIC_TRY_ASSIGN(function, get_object(value.get_object(), "function", "tool_choice"));
    const boost::json::string* name = nullptr;
    if (function != nullptr) {
      AIC_TRY_ASSIGN(named, get_string(*function, "name", "tool_choice.function"));
      name = named;
    }
    if (name == nullptr || name->empty()) {
      return core::Error::invalid("`tool_choice.function.name` is required",
                                  "tool_choice.function.name");
    }
    choice.mode = ToolChoice::Mode::kNamed;
    choice.name.assign(view(*name));
    bool declared = false;
    for (const auto& tool : request.tools) declared = declared || tool.name == choice.name;
    if (!declared) {
      return core::Error::invalid(
          "`tool_choice.function.name` \"" + choice.name + "\" is not one of the declared tools",
          "tool_choice.function.name");
    }
  } else {
    return core::Error::invalid("`tool_choice` must be a string or an object", "tool_choice");
  }
  request.tool_choice = choice;
  return core::Status();
}

core::Status parse_response_format(const boost::json::object& format, ChatRequest& request) {
  AIC_TRY_ASSIGN(type, get_string(format, "type", "response_format"));
  if (type == nullptr)
    return core::Error::invalid("`response_format.type` is required", "response_format.type");
  if (*type == "text") {
    request.response_format.type = ResponseFormat::Type::kText;
  } else if (*type == "json_object") {
    request.response_format.type = ResponseFormat::Type::kJsonObject;
  } else if (*type == "json_schema") {
    AIC_TRY_ASSIGN(spec, get_object(format, "json_schema", "response_format"));
    if (spec == nullptr) {
      return core::Error::invalid("`response_format.json_schema` is required",
                                  "response_format.json_schema");
    }
    AIC_TRY_ASSIGN(name, get_string(*spec, "name", "response_format.json_schema"));
    if (name == nullptr || name->empty()) {
      return core::Error::invalid("`response_format.json_schema.name` is required",
                                  "response_format.json_schema.name");
    }
    AIC_TRY_ASSIGN(schema, get_object(*spec, "schema", "response_format.json_schema"));
    AIC_TRY_ASSIGN(strict, get_bool(*spec, "strict", "response_format.json_schema"));
    request.response_format.type = ResponseFormat::Type::kJsonSchema;
    request.response_format.name.assign(view(*name));
    request.response_format.schema = schema == nullptr ? "{}" : json::to_text(*schema);
    request.response_format.strict = strict != nullptr && strict->get_bool();
  } else {
    return core::Error::invalid("`response_format.type` must be text, json_object or json_schema",
                                "response_format.type");
  }
  return core::Status();
}

core::Result<std::optional<double>> bounded_number(const boost::json::object& body,
                                                   std::string_view key, double low, double high) {
  AIC_TRY_ASSIGN(number, get_number(body, key, ""));
  if (number == nullptr) return std::optional<double>();
  double value = json::as_double(*number);
  if (!(value >= low && value <= high)) {
    std::string field(key);
    return core::Error::invalid(
        "`" + field + "` must be between " + number_text(low) + " and " + number_text(high), field);
  }
  return std::optional<double>(value);
}

core::Status parse_stop(const boost::json::value& value, ChatRequest& request) {
  if (value.is_null()) return core::Status();
  if (value.is_string()) {
    request.stop.emplace_back(view(value.get_string()));
    return core::Status();
  }
  if (!value.is_array() || value.get_array().size() > 4) {
    return core::Error::invalid("`stop` must be a string or an array of up to 4 strings", "stop");
  }
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    const auto& item = value.get_array()[i];
    if (!item.is_string() || item.get_string().empty()) {
      return core::Error::invalid("`" + index_path("stop", i) + "` must be a non-empty string",
                                  index_path("stop", i));
    }
    request.stop.emplace_back(view(item.get_string()));
  }
  return core::Status();
}

core::Status parse_chat_options(const boost::json::object& body, ChatRequest& request) {
  AIC_TRY_ASSIGN(temperature, bounded_number(body, "temperature", 0, 2));
  request.temperature = temperature;
  AIC_TRY_ASSIGN(top_p, bounded_number(body, "top_p", 0, 1));
  request.top_p = top_p;
  AIC_TRY_ASSIGN(frequency_penalty, bounded_number(body, "frequency_penalty", -2, 2));
  request.frequency_penalty = frequency_penalty;
  AIC_TRY_ASSIGN(presence_penalty, bounded_number(body, "presence_penalty", -2, 2));
  request.presence_penalty = presence_penalty;
  for (std::string_view key : {"max_tokens", "max_completion_tokens"}) {
    AIC_TRY_ASSIGN(limit, get_integer(body, key, ""));
    if (!limit) continue;
    if (*limit < 1)
      return core::Error::invalid("`" + std::string(key) + "` must be at least 1",
                                  std::string(key));
    request.max_tokens = limit;
    request.max_completion_tokens_name = key == "max_completion_tokens";
  }
  AIC_TRY_ASSIGN(top_k, get_integer(body, "top_k", ""));
  if (top_k && *top_k < 1) return core::Error::invalid("`top_k` must be at least 1", "top_k");
  request.top_k = top_k;
  AIC_TRY_ASSIGN(seed, get_integer(body, "seed", ""));
  request.seed = seed;
  AIC_TRY_ASSIGN(n, get_integer(body, "n", ""));
  if (n && *n != 1) {
    return core::Error::invalid("`n` must be 1: the gateway returns one choice per request", "n");
  }
  if (const auto* stop = body.if_contains("stop")) {
    if (auto parsed = parse_stop(*stop, request); !parsed) return parsed.error();
  }
  AIC_TRY_ASSIGN(user, get_string(body, "user", ""));
  if (user != nullptr) request.user.assign(view(*user));
  AIC_TRY_ASSIGN(effort, get_string(body, "reasoning_effort", ""));
  if (effort != nullptr) {
    std::string_view text = view(*effort);
    if (text != "minimal" && text != "low" && text != "medium" && text != "high") {
      return core::Error::invalid("`reasoning_effort` must be minimal, low, medium or high",
                                  "reasoning_effort");
    }
    request.reasoning_effort.assign(text);
  }
  AIC_TRY_ASSIGN(metadata, get_object(body, "metadata", ""));
  if (metadata != nullptr) {
    for (const auto& [key, value] : *metadata) {
      if (!value.is_string()) {
        std::string path = member_path("metadata", std::string_view(key.data(), key.size()));
        return core::Error::invalid("`" + path + "` must be a string", path);
      }
      request.metadata.emplace(std::string(key.data(), key.size()),
                               std::string(view(value.get_string())));
    }
  }
  AIC_TRY_ASSIGN(stream, get_bool(body, "stream", ""));
  request.stream = stream != nullptr && stream->get_bool();
  AIC_TRY_ASSIGN(stream_options, get_object(body, "stream_options", ""));
  if (stream_options != nullptr) {
    AIC_TRY_ASSIGN(include_usage, get_bool(*stream_options, "include_usage", "stream_options"));
    request.include_usage = include_usage != nullptr && include_usage->get_bool();
  }
  AIC_TRY_ASSIGN(parallel, get_bool(body, "parallel_tool_calls", ""));
  if (parallel != nullptr) request.parallel_tool_calls = parallel->get_bool();
  return core::Status();
}

// ---------------------------------------------------------------------------------------
// Writing requests to OpenAI-compatible providers

// "tool_calls": [...] as OpenAI writes them. A provider may refuse empty arguments, so a
// request says "{}" for them (`empty_as_object`); an answer passes them on as they came.
void write_tool_calls(core::JsonWriter& out, const std::vector<ToolCall>& calls,
                      bool empty_as_object) {
  out.key("tool_calls");
  out.begin_array();
  for (const auto& call : calls) {
    out.begin_object();
    out.member("id", call.id);
    out.member("type", "function");
    out.key("function");
    out.begin_object();
    out.member("name", call.name);
    out.member("arguments", empty_as_object && call.arguments.empty()
                                ? std::string_view("{}")
                                : std::string_view(call.arguments));
    out.end_object();
    out.end_object();
  }
  out.end_array();
}

void write_content(core::JsonWriter& out, const Message& message) {
  bool only_text = true;
  for (const auto& part : message.content)
    only_text = only_text && part.kind == ContentPart::Kind::kText;
  if (message.content.empty()) {
    out.null();
  } else if (only_text && message.content.size() == 1) {
    out.value(message.content.front().text);
  } else {
    out.begin_array();
    for (const auto& part : message.content) {
      out.begin_object();
      if (part.kind == ContentPart::Kind::kText) {
        out.member("type", "text");
        out.member("text", part.text);
      } else {
        out.member("type", "image_url");
        out.key("image_url");
        out.begin_object();
        out.member("url", part.image_url);
        if (!part.image_detail.empty()) out.member("detail", part.image_detail);
        out.end_object();
      }
      out.end_object();
    }
    out.end_array();
  }
}

core::Result<std::string> write_chat_body(const ChatRequest& request, std::string_view model) {
  std::string body;
  body.reserve(256 + request.messages.size() * 128);
  core::JsonWriter out(body);
  out.begin_object();
  out.member("model", model);
  out.key("messages");
  out.begin_array();
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const Message& message = request.messages[i];
    out.begin_object();
    out.member("role", to_string(message.role));
    if (message.role != Role::kUser) {
      for (const auto& part : message.content) {
        if (part.kind == ContentPart::Kind::kImage) {
          return unsupported(index_path("messages", i),
                             "contains an image; OpenAI accepts images only in user messages");
        }
      }
    }
    out.key("content");
    write_content(out, message);
    if (!message.name.empty() && message.role != Role::kTool) out.member("name", message.name);
    if (!message.tool_calls.empty()) write_tool_calls(out, message.tool_calls, true);
    if (message.role == Role::kTool) out.member("tool_call_id", message.tool_call_id);
    out.end_object();
  }
  out.end_array();
  if (!request.tools.empty()) {
    out.key("tools");
    out.begin_array();
    for (const auto& tool : request.tools) {
      out.begin_object();
      out.member("type", "function");
      out.key("function");
      out.begin_object();
      out.member("name", tool.name);
      if (!tool.description.empty()) out.member("description", tool.description);
      if (!tool.parameters.empty()) {
        out.key("parameters");
        out.raw(tool.parameters);
      }
      if (tool.strict) out.member("strict", true);
      out.end_object();
      out.end_object();
    }
    out.end_array();
  }
  if (request.tool_choice) {
    out.key("tool_choice");
    switch (request.tool_choice->mode) {
      case ToolChoice::Mode::kAuto:
        out.value("auto");
        break;
      case ToolChoice::Mode::kNone:
        out.value("none");
        break;
      case ToolChoice::Mode::kRequired:
        out.value("required");
        break;
      case ToolChoice::Mode::kNamed:
        out.begin_object();
        out.member("type", "function");
        out.key("function");
        out.begin_object();
        out.member("name", request.tool_choice->name);
        out.end_object();
        out.end_object();
        break;
    }
  }
  if (request.parallel_tool_calls && !request.tools.empty()) {
    out.member("parallel_tool_calls", *request.parallel_tool_calls);
  }
  switch (request.response_format.type) {
    case ResponseFormat::Type::kText:
      break;
    case ResponseFormat::Type::kJsonObject:
      out.key("response_format");
      out.begin_object();
      out.member("type", "json_object");
      out.end_object();
      break;
    case ResponseFormat::Type::kJsonSchema:
      out.key("response_format");
      out.begin_object();
      out.member("type", "json_schema");
      out.key("json_schema");
      out.begin_object();
      out.member("name", request.response_format.name);
      out.key("schema");
      out.raw(request.response_format.schema);
      if (request.response_format.strict) out.member("strict", true);
      out.end_object();
      out.end_object();
      break;
  }
  if (request.temperature) out.number_member("temperature", request.temperature);
  if (request.top_p) out.number_member("top_p", request.top_p);
  if (request.frequency_penalty) out.number_member("frequency_penalty", request.frequency_penalty);
  if (request.presence_penalty) out.number_member("presence_penalty", request.presence_penalty);
  if (request.max_tokens) {
    out.member(request.max_completion_tokens_name ? "max_completion_tokens" : "max_tokens",
               *request.max_tokens);
  }
  if (request.top_k) out.member("top_k", *request.top_k);  // vLLM, llama.cpp, Ollama read it
  if (!request.stop.empty()) {
    out.key("stop");
    out.begin_array();
    for (const auto& stop : request.stop) out.value(stop);
    out.end_array();
  }
  if (request.seed) out.member("seed", *request.seed);
  if (!request.user.empty()) out.member("user", request.user);
  if (!request.reasoning_effort.empty()) out.member("reasoning_effort", request.reasoning_effort);
  if (request.stream) {
    // Usage is always asked for: the gateway meters streams from it.
    out.member("stream", true);
    out.key("stream_options");
    out.begin_object();
    out.member("include_usage", true);
    out.end_object();
  }
  out.end_object();
  return body;
}

// ---------------------------------------------------------------------------------------
// Reading provider answers

core::Error bad_answer(std::string_view provider, std::string_view detail) {
  return core::Error::make(
      core::ErrorCode::kUnavailable,
      std::string(provider) + " sent an answer the gateway cannot read: " + std::string(detail));
}

FinishReason finish_from_text(std::string_view text) {
  if (text == "length") return FinishReason::kLength;
  if (text == "tool_calls" || text == "function_call") return FinishReason::kToolCalls;
  if (text == "content_filter") return FinishReason::kContentFilter;
  return FinishReason::kStop;
}

std::optional<Usage> read_usage(const boost::json::object& answer) {
  const auto* usage_value = answer.if_contains("usage");
  if (usage_value == nullptr || !usage_value->is_object()) return std::nullopt;
  const auto& usage = usage_value->get_object();
  Usage result;
  result.input_tokens = json::count_or_zero(usage, "prompt_tokens");
  result.output_tokens = json::count_or_zero(usage, "completion_tokens");
  if (const auto* details = usage.if_contains("prompt_tokens_details");
      details && details->is_object()) {
    result.cached_input_tokens = json::count_or_zero(details->get_object(), "cached_tokens");
  }
  if (const auto* details = usage.if_contains("completion_tokens_details");
      details && details->is_object()) {
    result.reasoning_tokens = json::count_or_zero(details->get_object(), "reasoning_tokens");
  }
  return result;
}

std::string string_or_empty(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(view(value->get_string()))
                                                : std::string();
}

core::Result<ChatResponse> read_chat_answer(std::string_view provider, std::string_view body) {
  boost::system::error_code error;
  json::ParseArena arena;
  boost::json::value parsed = json::parse_value(body, arena.storage(), error);
  if (error || !parsed.is_object()) return bad_answer(provider, "the body is not a JSON object");
  const auto& answer = parsed.get_object();
  ChatResponse response;
  response.id = string_or_empty(answer, "id");
  response.model = string_or_empty(answer, "model");
  response.created = json::count_or_zero(answer, "created");
  response.usage = read_usage(answer);
  const auto* choices = answer.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->get_array().empty() ||
      !choices->get_array().front().is_object()) {
    return bad_answer(provider, "`choices` is missing or empty");
  }
  const auto& choice = choices->get_array().front().get_object();
  response.finish_reason = finish_from_text(string_or_empty(choice, "finish_reason"));
  const auto* message_value = choice.if_contains("message");
  if (message_value == nullptr || !message_value->is_object()) {
    return bad_answer(provider, "`choices[0].message` is missing");
  }
  const auto& message = message_value->get_object();
  response.text = string_or_empty(message, "content");
  response.refusal = string_or_empty(message, "refusal");
  if (const auto* calls = message.if_contains("tool_calls");
      calls != nullptr && calls->is_array()) {
    for (const auto& call_value : calls->get_array()) {
      if (!call_value.is_object()) return bad_answer(provider, "a tool call is not an object");
      const auto& call = call_value.get_object();
      const auto* function = call.if_contains("function");
      if (function == nullptr || !function->is_object()) {
        return bad_answer(provider, "a tool call has no `function`");
      }
      response.tool_calls.push_back(ToolCall{string_or_empty(call, "id"),
                                             string_or_empty(function->get_object(), "name"),
                                             string_or_empty(function->get_object(), "arguments")});
    }
  }
  return response;
}

UpstreamError read_error(std::string_view provider, int status, std::string_view body) {
  UpstreamError error;
  error.status = status;
  error.retryable = status == 408 || status == 409 || status == 429 || status >= 500;
  error.type = openai_error_type(status);
  std::string message;
  boost::system::error_code parse_error;
  boost::json::value parsed = boost::json::parse(body, parse_error);
  if (!parse_error && parsed.is_object()) {
    const auto* inner = parsed.get_object().if_contains("error");
    if (inner != nullptr && inner->is_object()) {
      const auto& fields = inner->get_object();
      message = string_or_empty(fields, "message");
      if (std::string type = string_or_empty(fields, "type"); !type.empty()) error.type = type;
      error.param = string_or_empty(fields, "param");
      if (const auto* code = fields.if_contains("code"); code != nullptr) {
        if (code->is_string()) error.code.assign(view(code->get_string()));
        if (code->is_int64()) error.code = std::to_string(code->get_int64());
      }
    } else if (inner != nullptr && inner->is_string()) {
      message.assign(view(inner->get_string()));  // Ollama and some proxies: {"error": "…"}
    }
  }
  if (message.empty()) {
    std::string excerpt = json::body_excerpt(body);
    message = excerpt.empty() ? "HTTP " + std::to_string(status) + " with an empty body"
                              : "HTTP " + std::to_string(status) + ": " + excerpt;
  }
  error.message = std::string(provider) + ": " + message;
  return error;
}

// The chunks of an OpenAI-compatible stream: `data: {chunk}` events ending in `data: [DONE]`.
class OpenAiStreamDecoder final : public ChatStreamDecoder {
 public:
  explicit OpenAiStreamDecoder(std::string_view provider) : provider_(provider) {}

  core::Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override {
    if (!reader_.feed(bytes, events_)) return bad_answer(provider_, "a stream event is too large");
    for (auto& event : events_) {
      if (auto handled = handle(event, out); !handled) {
        events_.clear();
        return handled;
      }
    }
    events_.clear();
    return core::Status();
  }

  core::Status finish(std::vector<StreamEvent>& out) override {
    if (!done_ && !finished_) {
      return core::Error::make(core::ErrorCode::kUnavailable,
                               std::string(provider_) + " ended the stream before it was complete");
    }
    flush_usage(out);
    return core::Status();
  }

 private:
  void flush_usage(std::vector<StreamEvent>& out) {
    if (!usage_) return;
    StreamEvent event;
    event.kind = StreamEvent::Kind::kUsage;
    event.usage = *usage_;
    out.push_back(std::move(event));
    usage_.reset();
  }

  core::Status handle(const SseEvent& event, std::vector<StreamEvent>& out) {
    if (done_) return core::Status();
    if (event.data == "[DONE]") {
      done_ = true;
      if (!finished_) {
        return core::Error::make(
            core::ErrorCode::kUnavailable,
            std::string(provider_) + " ended the stream without a finish reason");
      }
      flush_usage(out);
      return core::Status();
    }
    boost::system::error_code error;
    json::ParseArena arena;
    boost::json::value parsed = json::parse_value(event.data, arena.storage(), error);
    if (error || !parsed.is_object())
      return bad_answer(provider_, "a stream chunk is not a JSON object");
    const auto& chunk = parsed.get_object();
    if (const auto* failure = chunk.if_contains("error");
        failure != nullptr && !failure->is_null()) {
      UpstreamError described = read_error(provider_, 500, event.data);
      return core::Error::make(core::ErrorCode::kUnavailable, described.message);
    }
    if (!started_) {
      started_ = true;
      StreamEvent start;
      start.kind = StreamEvent::Kind::kStart;
      start.id = string_or_empty(chunk, "id");
      start.name = string_or_empty(chunk, "model");
      out.push_back(std::move(start));
    }
    if (auto usage = read_usage(chunk)) usage_ = usage;  // the last report counts
    const auto* choices = chunk.if_contains("choices");
    if (choices == nullptr || !choices->is_array()) return core::Status();
    for (const auto& choice_value : choices->get_array()) {
      if (!choice_value.is_object()) continue;
      const auto& choice = choice_value.get_object();
      if (const auto* delta_value = choice.if_contains("delta");
          delta_value && delta_value->is_object()) {
        if (auto handled = handle_delta(delta_value->get_object(), out); !handled) return handled;
      }
      const auto* finish = choice.if_contains("finish_reason");
      if (finish != nullptr && finish->is_string() && !finished_) {
        finished_ = true;
        StreamEvent done;
        done.kind = StreamEvent::Kind::kFinish;
        done.finish_reason = finish_from_text(view(finish->get_string()));
        out.push_back(std::move(done));
      }
    }
    return core::Status();
  }

  core::Status handle_delta(const boost::json::object& delta, std::vector<StreamEvent>& out) {
    if (std::string text = string_or_empty(delta, "content"); !text.empty()) {
      StreamEvent piece;
      piece.kind = StreamEvent::Kind::kTextDelta;
      piece.text = std::move(text);
      out.push_back(std::move(piece));
    }
    if (std::string refusal = string_or_empty(delta, "refusal"); !refusal.empty()) {
      StreamEvent piece;
      piece.kind = StreamEvent::Kind::kRefusalDelta;
      piece.text = std::move(refusal);
      out.push_back(std::move(piece));
    }
    const auto* calls = delta.if_contains("tool_calls");
    if (calls == nullptr || !calls->is_array()) return core::Status();
    for (const auto& call_value : calls->get_array()) {
      if (!call_value.is_object())
        return bad_answer(provider_, "a streamed tool call is not an object");
      const auto& call = call_value.get_object();
      StreamEvent piece;
      piece.index = static_cast<int>(json::count_or_zero(call, "index"));
      std::string id = string_or_empty(call, "id");
      const auto* function = call.if_contains("function");
      if (function != nullptr && function->is_object()) {
        piece.name = string_or_empty(function->get_object(), "name");
        piece.text = string_or_empty(function->get_object(), "arguments");
      }
      bool known = std::find(started_calls_.begin(), started_calls_.end(), piece.index) !=
                   started_calls_.end();
      if (!known) {
        started_calls_.push_back(piece.index);
        piece.kind = StreamEvent::Kind::kToolCallStart;
        piece.id = std::move(id);
      } else {
        piece.kind = StreamEvent::Kind::kToolCallDelta;
        piece.name.clear();
        if (piece.text.empty()) continue;
      }
      out.push_back(std::move(piece));
    }
    return core::Status();
  }

  std::string_view provider_;
  SseReader reader_;
  std::vector<SseEvent> events_;
  std::vector<int> started_calls_;
  std::optional<Usage> usage_;
  bool started_ = false;
  bool finished_ = false;
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------
// Embeddings

core::Result<EmbeddingResponse> read_embeddings(std::string_view provider, std::string_view body) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(body, error);
  if (error || !parsed.is_object()) return bad_answer(provider, "the body is not a JSON object");
  const auto& answer = parsed.get_object();
  EmbeddingResponse response;
  response.model = string_or_empty(answer, "model");
  if (auto usage = read_usage(answer)) response.usage = *usage;
  const auto* data = answer.if_contains("data");
  if (data == nullptr || !data->is_array()) return bad_answer(provider, "`data` is missing");
  response.vectors.resize(data->get_array().size());
  for (const auto& item_value : data->get_array()) {
    if (!item_value.is_object()) return bad_answer(provider, "an embedding is not an object");
    const auto& item = item_value.get_object();
    std::int64_t index = json::count_or_zero(item, "index");
    const auto* vector = item.if_contains("embedding");
    if (index < 0 || static_cast<std::size_t>(index) >= response.vectors.size() ||
        vector == nullptr || !vector->is_array()) {
      return bad_answer(provider, "an embedding has no vector or a bad index");
    }
    auto& target = response.vectors[static_cast<std::size_t>(index)];
    target.reserve(vector->get_array().size());
    for (const auto& number : vector->get_array()) target.push_back(json::as_double(number));
  }
  return response;
}

std::string write_embedding_body(const EmbeddingRequest& request, std::string_view model) {
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  out.member("model", model);
  out.key("input");
  out.begin_array();
  for (const auto& input : request.inputs) out.value(input);
  out.end_array();
  if (request.dimensions) out.member("dimensions", *request.dimensions);
  if (!request.user.empty()) out.member("user", request.user);
  out.member("encoding_format", "float");
  out.end_object();
  return body;
}

// ---------------------------------------------------------------------------------------
// The adapters

void add_common_headers(OutboundRequest& request, const ProviderEndpoint& endpoint) {
  request.headers.emplace_back("Content-Type", "application/json");
  for (const auto& header : endpoint.extra_headers) request.headers.push_back(header);
}

class OpenAiAdapter : public ProviderAdapter {
 public:
  ProviderKind kind() const override { return ProviderKind::kOpenAi; }

  core::Result<OutboundRequest> chat_request(const ChatRequest& request,
                                             std::string_view upstream_model,
                                             const ProviderEndpoint& endpoint) const override {
    auto body = write_chat_body(request, upstream_model);
    if (!body) return body.error();
    OutboundRequest outbound;
    outbound.url = url(endpoint, upstream_model, "chat/completions");
    add_auth(outbound, endpoint);
    add_common_headers(outbound, endpoint);
    outbound.body = std::move(body).value();
    return outbound;
  }

  core::Result<ChatResponse> chat_response(std::string_view body) const override {
    return read_chat_answer(name(), body);
  }

  std::unique_ptr<ChatStreamDecoder> chat_stream() const override {
    return std::make_unique<OpenAiStreamDecoder>(name());
  }

  UpstreamError error(int status, std::string_view body) const override {
    return read_error(name(), status, body);
  }

  core::Result<OutboundRequest> embedding_request(const EmbeddingRequest& request,
                                                  std::string_view upstream_model,
                                                  const ProviderEndpoint& endpoint) const override {
    OutboundRequest outbound;
    outbound.url = url(endpoint, upstream_model, "embeddings");
    add_auth(outbound, endpoint);
    add_common_headers(outbound, endpoint);
    outbound.body = write_embedding_body(request, upstream_model);
    return outbound;
  }

  core::Result<EmbeddingResponse> embedding_response(std::string_view body) const override {
    return read_embeddings(name(), body);
  }

 protected:
  virtual std::string_view name() const { return "openai"; }
  virtual std::string url(const ProviderEndpoint& endpoint, std::string_view,
                          std::string_view operation) const {
    return endpoint.base_url + "/" + std::string(operation);
  }
  virtual void add_auth(OutboundRequest& request, const ProviderEndpoint& endpoint) const {
    if (!endpoint.api_key.empty())
      request.headers.emplace_back("Authorization", "Bearer " + endpoint.api_key);
  }
};

class AzureOpenAiAdapter final : public OpenAiAdapter {
 public:
  ProviderKind kind() const override { return ProviderKind::kAzureOpenAi; }

 protected:
  std::string_view name() const override { return "azure-openai"; }
  // The model is the deployment's name; the API version is a query parameter.
  std::string url(const ProviderEndpoint& endpoint, std::string_view deployment,
                  std::string_view operation) const override {
    std::string version = endpoint.api_version.empty() ? "2024-10-21" : endpoint.api_version;
    return endpoint.base_url + "/openai/deployments/" + std::string(deployment) + "/" +
           std::string(operation) + "?api-version=" + version;
  }
  void add_auth(OutboundRequest& request, const ProviderEndpoint& endpoint) const override {
    if (!endpoint.api_key.empty()) request.headers.emplace_back("api-key", endpoint.api_key);
  }
};

// ---------------------------------------------------------------------------------------
// Writing answers to clients

std::string chat_id(std::string_view provider_id) {
  if (provider_id.starts_with("chatcmpl")) return std::string(provider_id);
  return "chatcmpl-" + std::string(provider_id);
}

void write_usage(core::JsonWriter& out, const Usage& usage) {
  out.key("usage");
  out.begin_object();
  out.member("prompt_tokens", usage.input_tokens);
  out.member("completion_tokens", usage.output_tokens);
  out.member("total_tokens", usage.total_tokens());
  out.key("prompt_tokens_details");
  out.begin_object();
  out.member("cached_tokens", usage.cached_input_tokens);
  out.end_object();
  out.key("completion_tokens_details");
  out.begin_object();
  out.member("reasoning_tokens", usage.reasoning_tokens);
  out.end_object();
  out.end_object();
}

void write_tool_call_delta(core::JsonWriter& out, const StreamEvent& event) {
  out.key("tool_calls");
  out.begin_array();
  out.begin_object();
  out.member("index", static_cast<std::int64_t>(event.index));
  if (event.kind == StreamEvent::Kind::kToolCallStart) {
    out.member("id", event.id);
    out.member("type", "function");
  }
  out.key("function");
  out.begin_object();
  if (event.kind == StreamEvent::Kind::kToolCallStart) out.member("name", event.name);
  out.member("arguments", event.text);
  out.end_object();
  out.end_object();
  out.end_array();
}

class OpenAiStreamWriter final : public ChatStreamWriter {
 public:
  OpenAiStreamWriter(bool include_usage, std::int64_t created)
      : include_usage_(include_usage), created_(created) {}

  void event(const StreamEvent& event, std::string& out) override {
    switch (event.kind) {
      case StreamEvent::Kind::kStart:
        id_ = chat_id(event.id);
        model_ = event.name;
        chunk(
            out,
            [&](core::JsonWriter& json) {
              json.member("role", "assistant");
              json.member("content", "");
            },
            nullptr);
        break;
      case StreamEvent::Kind::kTextDelta:
        chunk(
            out, [&](core::JsonWriter& json) { json.member("content", event.text); }, nullptr);
        break;
      case StreamEvent::Kind::kRefusalDelta:
        chunk(
            out, [&](core::JsonWriter& json) { json.member("refusal", event.text); }, nullptr);
        break;
      case StreamEvent::Kind::kToolCallStart:
      case StreamEvent::Kind::kToolCallDelta:
        chunk(
            out, [&](core::JsonWriter& json) { write_tool_call_delta(json, event); }, nullptr);
        break;
      case StreamEvent::Kind::kFinish:
        chunk(
            out, [](core::JsonWriter&) {}, &event);
        break;
      case StreamEvent::Kind::kUsage:
        if (include_usage_) usage_chunk(out, event.usage);
        break;
    }
  }

  void error(const UpstreamError& error, std::string& out) override {
    out += "data: ";
    out += write_openai_error(error.message, error.type, error.param, error.code);
    out += "\n\n";
  }

  void end(std::string& out) override { out += "data: [DONE]\n\n"; }

 private:
  template <typename WriteDelta>
  void chunk(std::string& out, WriteDelta write_delta, const StreamEvent* finish) {
    out += "data: ";
    core::JsonWriter json(out);
    json.begin_object();
    head(json);
    json.key("choices");
    json.begin_array();
    json.begin_object();
    json.member("index", std::int64_t{0});
    json.key("delta");
    json.begin_object();
    write_delta(json);
    json.end_object();
    json.key("logprobs");
    json.null();
    json.key("finish_reason");
    if (finish != nullptr) {
      json.value(to_string(finish->finish_reason));
    } else {
      json.null();
    }
    json.end_object();
    json.end_array();
    if (include_usage_) {
      json.key("usage");
      json.null();
    }
    json.end_object();
    out += "\n\n";
  }

  void usage_chunk(std::string& out, const Usage& usage) {
    out += "data: ";
    core::JsonWriter json(out);
    json.begin_object();
    head(json);
    json.key("choices");
    json.begin_array();
    json.end_array();
    write_usage(json, usage);
    json.end_object();
    out += "\n\n";
  }

  void head(core::JsonWriter& json) {
    json.member("id", id_);
    json.member("object", "chat.completion.chunk");
    json.member("created", created_);
    json.member("model", model_);
  }

  bool include_usage_;
  std::int64_t created_;
  std::string id_ = "chatcmpl-";
  std::string model_;
};

// Standard base64 (with padding), as OpenAI's encoding_format "base64" uses it.
std::string base64_encode(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(written));
  return text;
}

}  // namespace

core::Result<ChatRequest> parse_chat_request(std::string_view text) {
  json::ParseArena arena;
  AIC_TRY_ASSIGN(body, json::parse_object(text, arena.storage()));
  if (auto checked = json::only_known_members(body, {"model",
                                                     "messages",
                                                     "tools",
                                                     "tool_choice",
                                                     "parallel_tool_calls",
                                                     "response_format",
                                                     "temperature",
                                                     "top_p",
                                                     "max_tokens",
                                                     "max_completion_tokens",
                                                     "stop",
                                                     "seed",
                                                     "user",
                                                     "metadata",
                                                     "stream",
                                                     "stream_options",
                                                     "n",
                                                     "frequency_penalty",
                                                     "presence_penalty",
                                                     "reasoning_effort",
                                                     "top_k"});
      !checked) {
    return checked.error();
  }
  ChatRequest request;
  AIC_TRY_ASSIGN(model, get_string(body, "model", ""));
  if (model == nullptr || model->empty())
    return core::Error::invalid("`model` is required", "model");
  request.model.assign(view(*model));
  AIC_TRY_ASSIGN(messages, get_array(body, "messages", ""));
  if (messages == nullptr || messages->empty()) {
    return core::Error::invalid("`messages` must be a non-empty array", "messages");
  }
  request.messages.reserve(messages->size());
  for (std::size_t i = 0; i < messages->size(); ++i) {
    AIC_TRY_ASSIGN(message, parse_message((*messages)[i], index_path("messages", i)));
    request.messages.push_back(std::move(message));
  }
  AIC_TRY_ASSIGN(tools, get_array(body, "tools", ""));
  if (tools != nullptr) {
    if (auto parsed = parse_tools(*tools, request); !parsed) return parsed.error();
  }
  if (const auto* choice = body.if_contains("tool_choice");
      choice != nullptr && !choice->is_null()) {
    if (auto parsed = parse_tool_choice(*choice, request); !parsed) return parsed.error();
  }
  AIC_TRY_ASSIGN(format, get_object(body, "response_format", ""));
  if (format != nullptr) {
    if (auto parsed = parse_response_format(*format, request); !parsed) return parsed.error();
  }
  if (auto parsed = parse_chat_options(body, request); !parsed) return parsed.error();
  return request;
}

std::string write_chat_response(const ChatResponse& response) {
  std::string body;
  body.reserve(384 + response.text.size());
  core::JsonWriter out(body);
  out.begin_object();
  out.member("id", chat_id(response.id));
  out.member("object", "chat.completion");
  out.member("created", response.created);
  out.member("model", response.model);
  out.key("choices");
  out.begin_array();
  out.begin_object();
  out.member("index", std::int64_t{0});
  out.key("message");
  out.begin_object();
  out.member("role", "assistant");
  out.key("content");
  if (response.text.empty() && !response.tool_calls.empty()) {
    out.null();
  } else {
    out.value(response.text);
  }
  out.key("refusal");
  if (response.refusal.empty()) {
    out.null();
  } else {
    out.value(response.refusal);
  }
  if (!response.tool_calls.empty()) write_tool_calls(out, response.tool_calls, false);
  out.end_object();
  out.key("logprobs");
  out.null();
  out.member("finish_reason", to_string(response.finish_reason));
  out.end_object();
  out.end_array();
  if (response.usage) write_usage(out, *response.usage);
  out.end_object();
  return body;
}

core::Result<std::string> canonical_chat_request(const ChatRequest& request) {
  ChatRequest answer_only = request;
  answer_only.stream = false;
  answer_only.include_usage = false;
  std::string metadata;  // routing hints (aic_task) choose the model, so they are part of it
  for (const auto& [key, value] : request.metadata) metadata += key + "=" + value + "\n";
  auto body = write_chat_body(answer_only, request.model);
  if (!body) return body.error();
  return std::move(body).value() + "\n" + metadata;
}

std::unique_ptr<ChatStreamWriter> chat_stream_writer(bool include_usage, std::int64_t created) {
  return std::make_unique<OpenAiStreamWriter>(include_usage, created);
}

core::Result<EmbeddingRequest> parse_embedding_request(std::string_view text) {
  AIC_TRY_ASSIGN(body, json::parse_object(text));
  if (auto checked = json::only_known_members(
          body, {"model", "input", "dimensions", "encoding_format", "user"});
      !checked) {
    return checked.error();
  }
  EmbeddingRequest request;
  AIC_TRY_ASSIGN(model, get_string(body, "model", ""));
  if (model == nullptr || model->empty())
    return core::Error::invalid("`model` is required", "model");
  request.model.assign(view(*model));
  const auto* input = body.if_contains("input");
  if (input != nullptr && input->is_string()) {
    request.inputs.emplace_back(view(input->get_string()));
  } else if (input != nullptr && input->is_array() && !input->get_array().empty()) {
    for (std::size_t i = 0; i < input->get_array().size(); ++i) {
      const auto& item = input->get_array()[i];
      if (!item.is_string()) {
        return core::Error::invalid(
            "`" + index_path("input", i) + "` must be a string (token arrays are not supported)",
            index_path("input", i));
      }
      request.inputs.emplace_back(view(item.get_string()));
    }
  } else {
    return core::Error::invalid("`input` must be a string or a non-empty array of strings",
                                "input");
  }
  if (request.inputs.size() > 2048)
    return core::Error::invalid("`input` has more than 2048 items", "input");
  AIC_TRY_ASSIGN(dimensions, get_integer(body, "dimensions", ""));
  if (dimensions && *dimensions < 1)
    return core::Error::invalid("`dimensions` must be at least 1", "dimensions");
  request.dimensions = dimensions;
  AIC_TRY_ASSIGN(format, get_string(body, "encoding_format", ""));
  if (format != nullptr) {
    if (*format != "float" && *format != "base64") {
      return core::Error::invalid("`encoding_format` must be float or base64", "encoding_format");
    }
    request.base64 = *format == "base64";
  }
  AIC_TRY_ASSIGN(user, get_string(body, "user", ""));
  if (user != nullptr) request.user.assign(view(*user));
  return request;
}

std::string write_embedding_response(const EmbeddingResponse& response, bool base64) {
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  out.member("object", "list");
  out.key("data");
  out.begin_array();
  for (std::size_t i = 0; i < response.vectors.size(); ++i) {
    out.begin_object();
    out.member("object", "embedding");
    out.member("index", static_cast<std::int64_t>(i));
    out.key("embedding");
    if (base64) {
      std::string bytes(response.vectors[i].size() * sizeof(float), '\0');
      for (std::size_t j = 0; j < response.vectors[i].size(); ++j) {
        float value = static_cast<float>(response.vectors[i][j]);
        std::memcpy(bytes.data() + j * sizeof(float), &value,
                    sizeof(float));  // little-endian hosts
      }
      out.value(base64_encode(bytes));
    } else {
      out.begin_array();
      for (double value : response.vectors[i]) out.number(value);
      out.end_array();
    }
    out.end_object();
  }
  out.end_array();
  out.member("model", response.model);
  out.key("usage");
  out.begin_object();
  out.member("prompt_tokens", response.usage.input_tokens);
  out.member("total_tokens", response.usage.input_tokens);
  out.end_object();
  out.end_object();
  return body;
}

std::string_view openai_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
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

std::string openai_error_object(std::string_view message, std::string_view type,
                                std::string_view param, std::string_view code) {
  std::string body;
  core::JsonWriter out(body);
  out.begin_object();
  out.member("message", message);
  out.member("type", type);
  out.key("param");
  if (param.empty()) {
    out.null();
  } else {
    out.value(param);
  }
  out.key("code");
  if (code.empty()) {
    out.null();
  } else {
    out.value(code);
  }
  out.end_object();
  return body;
}

std::string write_openai_error(std::string_view message, std::string_view type,
                               std::string_view param, std::string_view code) {
  return "{\"error\":" + openai_error_object(message, type, param, code) + "}";
}

const ProviderAdapter& openai_adapter() {
  static const OpenAiAdapter adapter;
  return adapter;
}

const ProviderAdapter& azure_openai_adapter() {
  static const AzureOpenAiAdapter adapter;
  return adapter;
}

}  // namespace aic::ai
