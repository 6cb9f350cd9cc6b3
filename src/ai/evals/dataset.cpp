#include "ai/evals/dataset.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <iterator>
#include <map>

#include "ai/formats/openai_format.hpp"

namespace aic::ai::evals {
namespace {

namespace json = boost::json;
using core::Error;

Error line_error(std::string_view field, std::int64_t line, std::string message) {
  Error error = Error::invalid("line " + std::to_string(line) + ": " + std::move(message),
                               std::string(field));
  error.line = line;
  return error;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The messages as a request the chat parser checks; its errors name "messages[1].role".
core::Result<ChatRequest> parse_messages(const std::string& messages) {
  return parse_chat_request(R"({"model":"eval","messages":)" + messages + "}");
}

core::Result<DatasetItem> parse_line(std::string_view text, std::int64_t line,
                                     std::string_view field, bool templated) {
  json::parser parser;
  boost::system::error_code code;
  std::size_t used = parser.write(text.data(), text.size(), code);
  if (code) {
    return line_error(field, line,
                      "not valid JSON (" + code.message() + " at byte " + std::to_string(used + 1) +
                          " of the line)");
  }
  json::value value = parser.release();
  if (!value.is_object()) return line_error(field, line, "must be a JSON object");
  json::object& object = value.as_object();
  DatasetItem item;
  item.line = line;
  for (const auto& member : object) {
    std::string_view key(member.key().data(), member.key().size());
    if (key != "messages" && key != "input" && key != "variables" && key != "expected" &&
        key != "id" && key != "metadata") {
      return line_error(field, line,
                        "`" + std::string(key) +
                            "` is not a member of a dataset line (messages, input, variables, "
                            "expected, id, metadata)");
    }
  }
  const json::value* messages = object.if_contains("messages");
  const json::value* input = object.if_contains("input");
  const json::value* variables = object.if_contains("variables");
  if (templated) {
    if (messages != nullptr || input != nullptr || variables == nullptr) {
      return line_error(field, line,
                        "needs `variables` (and no `messages` or `input`): the eval renders "
                        "the prompt template in parameters.aic_prompt");
    }
    if (!variables->is_object()) return line_error(field, line, "`variables` must be an object");
    item.variables = variables->get_object();
  } else if (variables != nullptr) {
    return line_error(field, line,
                      "`variables` needs a prompt template: name it in parameters.aic_prompt");
  } else if ((messages == nullptr) == (input == nullptr)) {
    return line_error(field, line, "needs exactly one of `messages` and `input`");
  } else if (input != nullptr) {
    if (!input->is_string() || input->get_string().empty()) {
      return line_error(field, line, "`input` must be a non-empty string");
    }
    json::array conversation{json::object{{"role", "user"}, {"content", input->get_string()}}};
    item.messages = json::serialize(conversation);
  } else {
    if (!messages->is_array() || messages->get_array().empty()) {
      return line_error(field, line, "`messages` must be a non-empty array of chat messages");
    }
    item.messages = json::serialize(*messages);
    if (auto parsed = parse_messages(item.messages); !parsed) {
      return line_error(field, line, "`" + parsed.error().field + "`: " + parsed.error().message);
    }
  }
  if (const json::value* expected = object.if_contains("expected")) item.expected = *expected;
  if (const json::value* id = object.if_contains("id"); id != nullptr && !id->is_null()) {
    if (id->is_string()) {
      item.id = std::string(id->get_string());
    } else if (id->is_int64() || id->is_uint64()) {
      item.id = json::serialize(*id);
    } else {
      return line_error(field, line, "`id` must be a string or an integer");
    }
    if (item.id.empty() || item.id.size() > kMaxItemIdBytes) {
      return line_error(field, line,
                        "`id` must have 1 to " + std::to_string(kMaxItemIdBytes) + " bytes");
    }
  }
  if (const json::value* metadata = object.if_contains("metadata");
      metadata != nullptr && !metadata->is_null()) {
    if (!metadata->is_object()) return line_error(field, line, "`metadata` must be an object");
    item.metadata = metadata->get_object();
  }
  return item;
}

}  // namespace

core::Result<std::vector<DatasetItem>> parse_dataset(std::string_view jsonl, std::string_view field,
                                                     bool templated) {
  if (jsonl.size() > kMaxDatasetBytes) {
    return Error::invalid("a dataset has at most " + std::to_string(kMaxDatasetBytes) +
                              " bytes; this one has " + std::to_string(jsonl.size()),
                          std::string(field));
  }
  std::vector<DatasetItem> items;
  std::map<std::string, std::int64_t, std::less<>> ids;  // id → its line
  std::int64_t line = 0;
  std::size_t at = 0;
  while (at < jsonl.size()) {
    std::size_t end = jsonl.find('\n', at);
    if (end == std::string_view::npos) end = jsonl.size();
    std::string_view text = jsonl.substr(at, end - at);
    at = end + 1;
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (is_blank(text)) continue;
    if (items.size() == kMaxDatasetItems) {
      return line_error(field, line,
                        "a dataset has at most " + std::to_string(kMaxDatasetItems) + " items");
    }
    auto item = parse_line(text, line, field, templated);
    if (!item) return std::move(item).error();
    if (!item->id.empty()) {
      auto [seen, inserted] = ids.emplace(item->id, line);
      if (!inserted) {
        return line_error(field, line,
                          "`id` \"" + item->id + "\" is used on line " +
                              std::to_string(seen->second) + " already");
      }
    }
    items.push_back(std::move(*item));
  }
  if (items.empty()) {
    return Error::invalid("the dataset has no items: give one JSON object per line",
                          std::string(field));
  }
  return items;
}

core::Status check_parameters(const boost::json::object& parameters) {
  static constexpr std::string_view kAllowed[] = {
      "temperature", "top_p", "max_tokens",      "max_completion_tokens",
      "seed",        "stop",  "response_format", "reasoning_effort",
      "aic_prompt"};
  for (const auto& member : parameters) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(std::begin(kAllowed), std::end(kAllowed), key) == std::end(kAllowed)) {
      return Error::invalid(
          "is not a parameter an eval sets (temperature, top_p, max_tokens, "
          "max_completion_tokens, seed, stop, response_format, reasoning_effort, aic_prompt)",
          "/parameters/" + std::string(key));
    }
  }
  if (const json::value* prompt = parameters.if_contains("aic_prompt")) {
    if (!prompt->is_object()) return Error::invalid("must be an object", "/parameters/aic_prompt");
    for (const auto& member : prompt->get_object()) {
      std::string_view key(member.key().data(), member.key().size());
      if (key != "name" && key != "label" && key != "version") {
        return Error::invalid(
            "is not a member of aic_prompt (name, label, version; the variables are each "
            "line's)",
            "/parameters/aic_prompt/" + std::string(key));
      }
    }
    const json::value* name = prompt->get_object().if_contains("name");
    if (name == nullptr || !name->is_string() || name->get_string().empty())
      return Error::invalid("must name a prompt template", "/parameters/aic_prompt/name");
    const json::value* label = prompt->get_object().if_contains("label");
    const json::value* version = prompt->get_object().if_contains("version");
    if (label != nullptr && (!label->is_string() || label->get_string().empty()))
      return Error::invalid("must be a label's name", "/parameters/aic_prompt/label");
    if (version != nullptr && !(version->is_int64() && version->get_int64() >= 1))
      return Error::invalid("must be a version number (1 or more)",
                            "/parameters/aic_prompt/version");
    if (label != nullptr && version != nullptr)
      return Error::invalid("name a label or a version, not both",
                            "/parameters/aic_prompt/version");
  }
  auto parsed = parse_chat_request(
      item_request_body("eval", R"([{"role":"user","content":"x"}])", parameters));
  if (!parsed) {
    // "response_format.json_schema.name" → "/parameters/response_format/json_schema/name".
    std::string pointer = "/parameters";
    if (!parsed.error().field.empty()) {
      pointer += "/";
      for (char c : parsed.error().field) {
        if (c == '.' || c == '[') {
          pointer += '/';
        } else if (c != ']') {
          pointer += c;
        }
      }
    }
    return Error::invalid(parsed.error().message, pointer);
  }
  return {};
}

std::optional<PromptReference> prompt_reference(const boost::json::object& parameters) {
  const json::value* prompt = parameters.if_contains("aic_prompt");
  if (prompt == nullptr || !prompt->is_object()) return std::nullopt;
  const json::object& members = prompt->get_object();
  PromptReference reference;
  if (const json::value* name = members.if_contains("name"); name && name->is_string())
    reference.name = std::string(name->get_string());
  if (const json::value* label = members.if_contains("label"); label && label->is_string())
    reference.label = std::string(label->get_string());
  if (const json::value* version = members.if_contains("version"); version && version->is_int64())
    reference.version = version->get_int64();
  return reference;
}

std::string item_request_body(std::string_view model, std::string_view messages,
                              const boost::json::object& parameters) {
  json::object body = parameters;
  body.erase("aic_prompt");  // the gateway's member for HTTP requests; rendered already
  body["model"] = model;
  std::string text = json::serialize(body);
  // The messages are already compact JSON text: spliced in rather than parsed again.
  text.pop_back();
  text += R"(,"messages":)";
  text += messages;
  text += '}';
  return text;
}

std::string transcript(std::string_view messages) {
  auto parsed = parse_messages(std::string(messages));
  if (!parsed) return std::string(messages);
  std::string out;
  for (const Message& message : parsed->messages) {
    if (!out.empty()) out += '\n';
    out.append(to_string(message.role)).append(": ").append(message.text());
  }
  return out;
}

}  // namespace aic::ai::evals
