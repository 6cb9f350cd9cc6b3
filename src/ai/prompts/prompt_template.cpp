#include "ai/prompts/prompt_template.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace aic::ai {
namespace {

namespace json = boost::json;
namespace mustache = kainjow::mustache;
using core::Error;

constexpr std::array<std::string_view, 4> kRoles = {"system", "developer", "user", "assistant"};
constexpr std::array<std::string_view, 6> kTypeNames = {"string",  "number", "integer",
                                                        "boolean", "array",  "object"};
constexpr std::size_t kMaxDescriptionBytes = 500;
constexpr std::size_t kMaxModelBytes = 200;
// Deeper values are refused rather than walked: conversion and lookup recurse.
constexpr std::size_t kMaxValueDepth = 64;

// One reference token of a JSON pointer (RFC 6901): "~" and "/" escaped.
std::string pointer_token(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string message_pointer(std::size_t index, std::string_view member = {}) {
  std::string out = "/messages/" + std::to_string(index);
  if (!member.empty()) out.append("/").append(member);
  return out;
}

std::string variable_pointer(std::size_t index, std::string_view member = {}) {
  std::string out = "/variables/" + std::to_string(index);
  if (!member.empty()) out.append("/").append(member);
  return out;
}

std::string with_article(VariableType type) {
  std::string_view name = variable_type_name(type);
  bool vowel = name.front() == 'a' || name.front() == 'i' || name.front() == 'o';
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

bool valid_variable_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!(name.front() == '_' || (name.front() >= 'a' && name.front() <= 'z'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

// Control characters other than tab and line breaks.
bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f;
  });
}

std::size_t depth_of(const json::value& value, std::size_t limit) {
  if (limit == 0) return 1;
  std::size_t deepest = 0;
  if (const auto* array = value.if_array()) {
    for (const auto& item : *array) deepest = std::max(deepest, depth_of(item, limit - 1));
  } else if (const auto* object = value.if_object()) {
    for (const auto& member : *object) {
      deepest = std::max(deepest, depth_of(member.value(), limit - 1));
    }
  } else {
    return 0;
  }
  return deepest + 1;
}

// Numbers print the way JSON writes them, but without JSON's exponent for whole doubles
// (100.0 prints "100").
std::string format_number(const json::value& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  std::array<char, 32> buffer{};
  auto [end, error] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value.get_double());
  if (error != std::errc()) return json::serialize(value);
  return std::string(buffer.data(), end);
}

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// ---- The template's tags ----
//
// kainjow keeps its parse tree private, so the checks below (declared variables, partials)
// and the dry run that bounds rendering read the template with this scanner. It follows
// kainjow's parser step by step (delimiters, triple braces, set-delimiter tags, trimming) and
// runs only on templates kainjow has already accepted.

enum class TagKind { kText, kVariable, kSection, kInverted, kPartial, kComment, kDelimiters };

struct Node {
  TagKind kind = TagKind::kText;
  std::string name;            // as written, trimmed: "customer.name", "."
  std::size_t offset = 0;      // of the tag in the source
  std::size_t text_bytes = 0;  // kText: bytes of literal text
  std::vector<Node> children;  // kSection, kInverted
};

// kainjow's rule for "=<% %>=": two delimiters without whitespace or "=".
bool parse_delimiters(std::string_view contents, std::string& open, std::string& close) {
  if (contents.size() < 5 || contents.back() != '=') return false;
  std::string_view inner = trim(contents.substr(1, contents.size() - 2));
  std::size_t space = inner.find(' ');
  if (space == std::string_view::npos) return false;
  std::size_t second = inner.find_first_not_of(' ', space + 1);
  if (second == std::string_view::npos) return false;
  std::string_view first_delimiter = inner.substr(0, space);
  std::string_view second_delimiter = inner.substr(second);
  auto valid = [](std::string_view delimiter) {
    return !delimiter.empty() && std::none_of(delimiter.begin(), delimiter.end(), [](char c) {
      return c == '=' || std::isspace(static_cast<unsigned char>(c)) != 0;
    });
  };
  if (!valid(first_delimiter) || !valid(second_delimiter)) return false;
  open = std::string(first_delimiter);
  close = std::string(second_delimiter);
  return true;
}

// The tags of `source` nested by section; nullopt when it is not what kainjow accepted.
std::optional<std::vector<Node>> scan(std::string_view source) {
  std::string open = "{{";
  std::string close = "}}";
  std::vector<Node> root;
  std::vector<Node*> sections;  // open sections, innermost last
  auto siblings = [&]() -> std::vector<Node>& {
    return sections.empty() ? root : sections.back()->children;
  };
  std::size_t text = 0;
  auto flush_text = [&] {
    if (text == 0) return;
    Node node;
    node.text_bytes = text;
    siblings().push_back(std::move(node));
    text = 0;
  };
  std::size_t at = 0;
  while (at < source.size()) {
    if (source.compare(at, open.size(), open) != 0) {
      ++text;
      ++at;
      continue;
    }
    flush_text();
    Node node;
    node.offset = at;
    std::size_t contents = at + open.size();
    const bool triple =
        open == "{{" && close == "}}" && contents < source.size() && source[contents] == '{';
    if (triple) ++contents;
    const std::string_view end = triple ? std::string_view("}}}") : std::string_view(close);
    const std::size_t stop = source.find(end, contents);
    if (stop == std::string_view::npos) return std::nullopt;
    const std::string_view inside = trim(source.substr(contents, stop - contents));
    at = stop + end.size();

    bool closes_section = false;
    if (!inside.empty() && inside.front() == '=') {
      if (!parse_delimiters(inside, open, close)) return std::nullopt;
      node.kind = TagKind::kDelimiters;
    } else if (triple || inside.empty()) {
      node.kind = TagKind::kVariable;
      node.name = std::string(inside);
    } else {
      switch (inside.front()) {
        case '#':
          node.kind = TagKind::kSection;
          break;
        case '^':
          node.kind = TagKind::kInverted;
          break;
        case '/':
          closes_section = true;
          break;
        case '>':
          node.kind = TagKind::kPartial;
          break;
        case '&':
          node.kind = TagKind::kVariable;
          break;
        case '!':
          node.kind = TagKind::kComment;
          break;
        default:
          node.kind = TagKind::kVariable;
          node.name = std::string(inside);
          break;
      }
      if (node.name.empty()) node.name = std::string(trim(inside.substr(1)));
    }
    if (closes_section) {
      if (sections.empty() || sections.back()->name != node.name) return std::nullopt;
      sections.pop_back();
      continue;
    }
    const bool opens_section = node.kind == TagKind::kSection || node.kind == TagKind::kInverted;
    siblings().push_back(std::move(node));
    if (opens_section) sections.push_back(&siblings().back());
  }
  flush_text();
  if (!sections.empty()) return std::nullopt;
  return root;
}

// Line and column (both from 1, the column in characters) of byte `offset` of `text`.
std::pair<std::int64_t, std::int64_t> line_and_column(std::string_view text, std::size_t offset) {
  std::int64_t line = 1;
  std::int64_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

Error template_error(std::size_t message_index, std::string_view source, std::size_t offset,
                     const std::string& message) {
  auto [line, column] = line_and_column(source, offset);
  Error error = Error::invalid(
      "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message,
      message_pointer(message_index, "content"));
  error.line = line;
  error.column = column;
  return error;
}

// kainjow's messages end in " at <byte offset>"; the error carries line and column instead.
Error compile_error(std::size_t message_index, std::string_view source,
                    const std::string& engine_message) {
  std::size_t at = engine_message.rfind(" at ");
  std::size_t offset = 0;
  std::string text = engine_message;
  if (at != std::string::npos) {
    std::string_view digits = std::string_view(engine_message).substr(at + 4);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
    if (error == std::errc() && end == digits.data() + digits.size()) text.resize(at);
  }
  return template_error(message_index, source, offset, "is not valid Mustache: " + text);
}

const PromptVariable* find_variable(const PromptTemplate& prompt, std::string_view name) {
  for (const auto& variable : prompt.variables) {
    if (variable.name == name) return &variable;
  }
  return nullptr;
}

// What the tags of one message may name. Outside sections over arrays and objects a name is
// a declared variable; inside one it may also be a member of the item, which only the data
// shows, so it is not checked there.
class TagChecker {
 public:
  TagChecker(const PromptTemplate& prompt, std::size_t message_index, std::string_view source)
      : prompt_(prompt), message_index_(message_index), source_(source) {}

  core::Status check(const std::vector<Node>& nodes, bool item_scope, bool in_section) {
    for (const Node& node : nodes) {
      switch (node.kind) {
        case TagKind::kPartial:
          return fail(node, "partials ({{> " + node.name +
                                "}}) are not supported: a prompt version is one template");
        case TagKind::kVariable:
        case TagKind::kSection:
        case TagKind::kInverted: {
          auto child_item_scope = check_name(node, item_scope, in_section);
          if (!child_item_scope) return std::move(child_item_scope).error();
          if (node.kind == TagKind::kVariable) break;
          // An inverted section renders only when there is no value: it opens no new scope.
          bool opens_scope = node.kind == TagKind::kSection && *child_item_scope;
          if (auto ok = check(node.children, item_scope || opens_scope, true); !ok) return ok;
          break;
        }
        default:
          break;
      }
    }
    return {};
  }

 private:
  // Checks the name of a variable or section tag; returns whether a section over it would
  // make its item's members nameable (the value is an array, an object or unknown).
  core::Result<bool> check_name(const Node& node, bool item_scope, bool in_section) {
    const std::string& name = node.name;
    if (name.empty()) return fail(node, "an empty tag names no variable");
    if (name == ".") {
      if (!in_section) {
        return fail(node, "{{.}} is the current item of a section and means nothing outside one");
      }
      return true;
    }
    std::vector<std::string_view> segments;
    for (std::size_t start = 0;;) {
      std::size_t dot = name.find('.', start);
      segments.push_back(std::string_view(name).substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (std::any_of(segments.begin(), segments.end(),
                    [](std::string_view segment) { return segment.empty(); })) {
      return fail(node, "{{" + name + "}} is not a variable name");
    }
    const bool dotted = segments.size() > 1;
    if (item_scope) return true;
    const PromptVariable* variable = find_variable(prompt_, segments.front());
    if (variable == nullptr) {
      return fail(node, "{{" + name + "}} uses `" + std::string(segments.front()) +
                            "`, which is not a declared variable");
    }
    if (dotted && variable->type != VariableType::kObject) {
      return fail(node, "`" + variable->name + "` is " + with_article(variable->type) +
                            "; only an object has members to name");
    }
    const bool container =
        variable->type == VariableType::kArray || variable->type == VariableType::kObject;
    if (node.kind == TagKind::kVariable && !dotted &&
        (container || variable->type == VariableType::kBoolean)) {
      return fail(node, "`" + variable->name + "` is " + with_article(variable->type) +
                            " and prints nothing; use it as a section: {{#" + variable->name +
                            "}}…{{/" + variable->name + "}}");
    }
    return dotted || container;
  }

  Error fail(const Node& node, const std::string& message) const {
    return template_error(message_index_, source_, node.offset, message);
  }

  const PromptTemplate& prompt_;
  std::size_t message_index_;
  std::string_view source_;
};

// ---- Rendering ----

using Scope = std::vector<const json::value*>;  // innermost last

// kainjow's name resolution: "." is the innermost item; a plain name is the innermost
// object's member of that name; "a.b" is the innermost item in which the whole path exists.
const json::value* resolve(const Scope& scope, std::string_view name) {
  if (name == ".") return scope.back();
  const bool dotted = name.find('.') != std::string_view::npos;
  for (auto item = scope.rbegin(); item != scope.rend(); ++item) {
    const json::value* value = *item;
    if (!dotted) {
      const auto* object = value->if_object();
      const json::value* member = object ? object->if_contains(name) : nullptr;
      if (member != nullptr) return member;
      continue;
    }
    for (std::size_t start = 0; value != nullptr;) {
      std::size_t dot = name.find('.', start);
      const auto* object = value->if_object();
      value = object ? object->if_contains(name.substr(start, dot - start)) : nullptr;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (value != nullptr) return value;
  }
  return nullptr;
}

// kainjow's truth: false, null (converted to false) and the empty list are false.
bool truthy(const json::value& value) {
  if (value.is_bool()) return value.get_bool();
  if (value.is_null()) return false;
  if (const auto* array = value.if_array()) return !array->empty();
  return true;
}

std::size_t printed_size(const json::value& value) {
  if (const auto* text = value.if_string()) return text->size();
  if (value.is_number()) return format_number(value).size();
  return 0;  // kainjow prints only strings (numbers are converted to strings)
}

struct Budget {
  std::size_t bytes = 0;
  std::size_t steps = 0;
};

// A dry run of the render: the bytes it would produce (an upper bound: kainjow also drops
// lines that hold only section tags) and the tags it would visit. False as soon as either is
// over its limit.
bool measure(const std::vector<Node>& nodes, Scope& scope, Budget& budget) {
  for (const Node& node : nodes) {
    if (++budget.steps > kMaxRenderSteps) return false;
    switch (node.kind) {
      case TagKind::kText:
        budget.bytes += node.text_bytes;
        break;
      case TagKind::kVariable:
        if (const json::value* value = resolve(scope, node.name)) {
          budget.bytes += printed_size(*value);
        }
        break;
      case TagKind::kSection: {
        const json::value* value = resolve(scope, node.name);
        if (value == nullptr || !truthy(*value)) break;
        if (const auto* items = value->if_array()) {
          for (const auto& item : *items) {
            // Each item is work even when the section prints nothing.
            if (++budget.steps > kMaxRenderSteps) return false;
            scope.push_back(&item);
            bool within = measure(node.children, scope, budget);
            scope.pop_back();
            if (!within) return false;
          }
        } else {
          scope.push_back(value);
          bool within = measure(node.children, scope, budget);
          scope.pop_back();
          if (!within) return false;
        }
        break;
      }
      case TagKind::kInverted: {
        const json::value* value = resolve(scope, node.name);
        if (value != nullptr && truthy(*value)) break;
        if (value != nullptr) scope.push_back(value);
        bool within = measure(node.children, scope, budget);
        if (value != nullptr) scope.pop_back();
        if (!within) return false;
        break;
      }
      default:
        break;
    }
    if (budget.bytes > kMaxRenderedBytes) return false;
  }
  return true;
}

mustache::data to_data(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return mustache::data(std::string(value.get_string()));
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return mustache::data(format_number(value));
    case json::kind::bool_:
      return mustache::data(value.get_bool());
    case json::kind::null:
      return mustache::data(false);
    case json::kind::array: {
      mustache::data list(mustache::data::type::list);
      for (const auto& item : value.get_array()) list.push_back(to_data(item));
      return list;
    }
    case json::kind::object: {
      mustache::data object(mustache::data::type::object);
      for (const auto& member : value.get_object()) {
        object[std::string(member.key())] = to_data(member.value());
      }
      return object;
    }
  }
  return mustache::data(false);
}

// The variables a render uses: the caller's, checked against the declarations, and the
// defaults of those it left out.
core::Result<json::value> bind_variables(const PromptTemplate& prompt,
                                         const json::object& variables) {
  json::object bound;
  for (const auto& member : variables) {
    std::string field = "/variables/" + pointer_token(member.key());
    const PromptVariable* variable = find_variable(prompt, member.key());
    if (variable == nullptr) {
      std::string declared;
      for (const auto& each : prompt.variables) {
        declared += declared.empty() ? "" : ", ";
        declared += each.name;
      }
      return Error::invalid("is not a variable of this prompt version (declared: " +
                                (declared.empty() ? std::string("none") : declared) + ")",
                            field);
    }
    if (!has_type(member.value(), variable->type)) {
      return Error::invalid("must be " + with_article(variable->type) +
                                (member.value().is_null() ? ", not null" : ""),
                            field);
    }
    if (depth_of(member.value(), kMaxValueDepth) > kMaxValueDepth) {
      return Error::invalid("is nested more than 64 levels deep", field);
    }
    bound[member.key()] = member.value();
  }
  for (const auto& variable : prompt.variables) {
    if (bound.contains(variable.name)) continue;
    if (variable.default_value) {
      bound[variable.name] = *variable.default_value;
    } else if (variable.required) {
      return Error::invalid("is required (" + with_article(variable.type) + ")",
                            "/variables/" + variable.name);
    }
  }
  return json::value(std::move(bound));
}

// ---- Reading ----

Error not_a_field(const std::string& pointer, std::string_view what) {
  return Error::invalid("is not a field of " + std::string(what), pointer);
}

core::Result<std::string> read_string(const json::value& value, const std::string& pointer) {
  if (!value.is_string()) return Error::invalid("must be a string", pointer);
  return std::string(value.get_string());
}

core::Result<PromptMessage> read_message(const json::value& value, std::size_t index) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    return Error::invalid("must be an object with role and content", message_pointer(index));
  }
  PromptMessage message;
  bool has_role = false;
  bool has_content = false;
  for (const auto& member : *object) {
    std::string pointer = message_pointer(index, pointer_token(member.key()));
    if (member.key() == "role") {
      auto role = read_string(member.value(), pointer);
      if (!role) return std::move(role).error();
      message.role = std::move(*role);
      has_role = true;
    } else if (member.key() == "content") {
      auto content = read_string(member.value(), pointer);
      if (!content) return std::move(content).error();
      message.content = std::move(*content);
      has_content = true;
    } else {
      return not_a_field(pointer, "a message");
    }
  }
  if (!has_role) return Error::invalid("is required", message_pointer(index, "role"));
  if (!has_content) return Error::invalid("is required", message_pointer(index, "content"));
  return message;
}

core::Result<PromptVariable> read_variable(const json::value& value, std::size_t index) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    return Error::invalid("must be an object with name and type", variable_pointer(index));
  }
  PromptVariable variable;
  bool has_name = false;
  bool has_type_member = false;
  std::optional<bool> required;
  for (const auto& member : *object) {
    std::string pointer = variable_pointer(index, pointer_token(member.key()));
    const json::value& item = member.value();
    if (member.key() == "name") {
      auto name = read_string(item, pointer);
      if (!name) return std::move(name).error();
      variable.name = std::move(*name);
      has_name = true;
    } else if (member.key() == "type") {
      auto type_name = read_string(item, pointer);
      if (!type_name) return std::move(type_name).error();
      auto type = parse_variable_type(*type_name);
      if (!type) {
        return Error::invalid("must be one of string, number, integer, boolean, array, object",
                              pointer);
      }
      variable.type = *type;
      has_type_member = true;
    } else if (member.key() == "required") {
      if (!item.is_bool()) return Error::invalid("must be true or false", pointer);
      required = item.get_bool();
    } else if (member.key() == "default") {
      variable.default_value = item;
    } else if (member.key() == "description") {
      auto description = read_string(item, pointer);
      if (!description) return std::move(description).error();
      variable.description = std::move(*description);
    } else {
      return not_a_field(pointer, "a variable");
    }
  }
  if (!has_name) return Error::invalid("is required", variable_pointer(index, "name"));
  if (!has_type_member) return Error::invalid("is required", variable_pointer(index, "type"));
  variable.required = required.value_or(!variable.default_value.has_value());
  return variable;
}

core::Result<PromptTemplate> read_template(const json::object& body) {
  PromptTemplate prompt;
  const json::value* messages = body.if_contains("messages");
  if (messages == nullptr || messages->is_null()) return Error::invalid("is required", "/messages");
  if (!messages->is_array()) return Error::invalid("must be an array of messages", "/messages");
  for (std::size_t i = 0; i < messages->get_array().size(); ++i) {
    auto message = read_message(messages->get_array()[i], i);
    if (!message) return std::move(message).error();
    prompt.messages.push_back(std::move(*message));
  }
  if (const json::value* variables = body.if_contains("variables");
      variables != nullptr && !variables->is_null()) {
    if (!variables->is_array())
      return Error::invalid("must be an array of variables", "/variables");
    for (std::size_t i = 0; i < variables->get_array().size(); ++i) {
      auto variable = read_variable(variables->get_array()[i], i);
      if (!variable) return std::move(variable).error();
      prompt.variables.push_back(std::move(*variable));
    }
  }
  if (const json::value* model = body.if_contains("model"); model != nullptr && !model->is_null()) {
    auto text = read_string(*model, "/model");
    if (!text) return std::move(text).error();
    prompt.model = std::move(*text);
  }
  if (const json::value* description = body.if_contains("description");
      description != nullptr && !description->is_null()) {
    auto text = read_string(*description, "/description");
    if (!text) return std::move(text).error();
    prompt.description = std::move(*text);
  }
  return prompt;
}

core::Status validate_variables(const PromptTemplate& prompt) {
  if (prompt.variables.size() > kMaxPromptVariables) {
    return Error::invalid("at most 100 variables", "/variables");
  }
  for (std::size_t i = 0; i < prompt.variables.size(); ++i) {
    const PromptVariable& variable = prompt.variables[i];
    if (!valid_variable_name(variable.name)) {
      return Error::invalid(
          "must be 1 to 64 of a-z, 0-9 and _, not starting with a digit (a Mustache name "
          "without dots)",
          variable_pointer(i, "name"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (prompt.variables[j].name == variable.name) {
        return Error::invalid("declares `" + variable.name + "` a second time",
                              variable_pointer(i, "name"));
      }
    }
    if (variable.description.size() > kMaxDescriptionBytes ||
        has_control_characters(variable.description)) {
      return Error::invalid("must be at most 500 bytes without control characters",
                            variable_pointer(i, "description"));
    }
    if (variable.default_value) {
      const std::string pointer = variable_pointer(i, "default");
      if (variable.required) {
        return Error::invalid("must be false (or left out) for a variable with a default",
                              variable_pointer(i, "required"));
      }
      if (!has_type(*variable.default_value, variable.type)) {
        return Error::invalid("must be " + with_article(variable.type) + ", the variable's type",
                              pointer);
      }
      if (depth_of(*variable.default_value, kMaxValueDepth) > kMaxValueDepth) {
        return Error::invalid("is nested more than 64 levels deep", pointer);
      }
      if (json::serialize(*variable.default_value).size() > kMaxDefaultBytes) {
        return Error::invalid("must be at most 16384 bytes of JSON", pointer);
      }
    }
  }
  return {};
}

core::Status validate_message_fields(const PromptTemplate& prompt) {
  if (prompt.messages.empty() || prompt.messages.size() > kMaxPromptMessages) {
    return Error::invalid("must hold 1 to 100 messages", "/messages");
  }
  std::size_t template_bytes = 0;
  for (std::size_t i = 0; i < prompt.messages.size(); ++i) {
    const PromptMessage& message = prompt.messages[i];
    if (std::find(kRoles.begin(), kRoles.end(), message.role) == kRoles.end()) {
      return Error::invalid("must be one of system, developer, user, assistant",
                            message_pointer(i, "role"));
    }
    if (message.content.empty()) {
      return Error::invalid("must not be empty", message_pointer(i, "content"));
    }
    if (has_control_characters(message.content)) {
      return Error::invalid("must not contain control characters other than tab and line breaks",
                            message_pointer(i, "content"));
    }
    template_bytes += message.content.size();
  }
  if (template_bytes > kMaxTemplateBytes) {
    return Error::invalid("the messages' content adds up to " + std::to_string(template_bytes) +
                              " bytes; at most 65536 are allowed per version",
                          "/messages");
  }
  return {};
}

}  // namespace

std::string_view variable_type_name(VariableType type) {
  return kTypeNames[static_cast<std::size_t>(type)];
}

std::optional<VariableType> parse_variable_type(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<VariableType>(i);
  }
  return std::nullopt;
}

bool has_type(const json::value& value, VariableType type) {
  switch (type) {
    case VariableType::kString:
      return value.is_string();
    case VariableType::kNumber:
      return value.is_number();
    case VariableType::kInteger:
      return value.is_int64() || value.is_uint64();
    case VariableType::kBoolean:
      return value.is_bool();
    case VariableType::kArray:
      return value.is_array();
    case VariableType::kObject:
      return value.is_object();
  }
  return false;
}

core::Status validate_prompt_template(const PromptTemplate& prompt) {
  if (auto ok = validate_message_fields(prompt); !ok) return ok;
  if (auto ok = validate_variables(prompt); !ok) return ok;
  if (prompt.model && (prompt.model->empty() || prompt.model->size() > kMaxModelBytes ||
                       has_control_characters(*prompt.model) ||
                       prompt.model->find_first_of("\t\r\n") != std::string::npos)) {
    return Error::invalid("must be 1 to 200 bytes without control characters", "/model");
  }
  if (prompt.description.size() > kMaxDescriptionBytes ||
      has_control_characters(prompt.description)) {
    return Error::invalid("must be at most 500 bytes without control characters", "/description");
  }
  for (std::size_t i = 0; i < prompt.messages.size(); ++i) {
    const std::string& source = prompt.messages[i].content;
    mustache::mustache compiled(source);
    if (!compiled.is_valid()) return compile_error(i, source, compiled.error_message());
    auto nodes = scan(source);
    if (!nodes) {
      return Error::invalid("uses tags this server cannot analyse", message_pointer(i, "content"));
    }
    if (auto ok = TagChecker(prompt, i, source).check(*nodes, false, false); !ok) return ok;
  }
  return {};
}

core::Result<PromptTemplate> read_prompt_template(const json::object& body) {
  return read_template(body);
}

core::Result<PromptTemplate> parse_prompt_template(const json::object& body) {
  auto prompt = read_template(body);
  if (!prompt) return prompt;
  if (auto ok = validate_prompt_template(*prompt); !ok) return std::move(ok).error();
  return prompt;
}

json::object to_json(const PromptTemplate& prompt) {
  json::array messages;
  for (const auto& message : prompt.messages) {
    messages.push_back(json::object{{"role", message.role}, {"content", message.content}});
  }
  json::array variables;
  for (const auto& variable : prompt.variables) {
    json::object out{{"name", variable.name},
                     {"type", variable_type_name(variable.type)},
                     {"required", variable.required}};
    if (variable.default_value) out["default"] = *variable.default_value;
    out["description"] = variable.description;
    variables.push_back(std::move(out));
  }
  json::object out{{"messages", std::move(messages)}, {"variables", std::move(variables)}};
  out["model"] = prompt.model ? json::value(*prompt.model) : json::value(nullptr);
  out["description"] = prompt.description;
  return out;
}

core::Result<PromptTemplate> read_stored_prompt_template(std::string_view json_text) {
  boost::system::error_code error;
  json::value parsed = json::parse(json_text, error);
  if (error || !parsed.is_object()) {
    return Error::make(core::ErrorCode::kInternal, "a stored prompt version is not a JSON object");
  }
  auto prompt = read_template(parsed.get_object());
  if (!prompt) {
    return Error::make(core::ErrorCode::kInternal,
                       "a stored prompt version is unreadable: " + prompt.error().field + " " +
                           prompt.error().message);
  }
  return prompt;
}

core::Result<std::vector<PromptMessage>> render_prompt(const PromptTemplate& prompt,
                                                       const json::object& variables) {
  auto bound = bind_variables(prompt, variables);
  if (!bound) return std::move(bound).error();

  std::vector<std::vector<Node>> trees;
  trees.reserve(prompt.messages.size());
  Budget budget;
  for (std::size_t i = 0; i < prompt.messages.size(); ++i) {
    auto nodes = scan(prompt.messages[i].content);
    if (!nodes) {
      return Error::invalid("uses tags this server cannot analyse", message_pointer(i, "content"));
    }
    Scope scope{&*bound};
    if (!measure(*nodes, scope, budget)) {
      return Error::invalid(
          budget.steps > kMaxRenderSteps
              ? "would make the template visit more than 200000 tags and section items; send "
                "smaller arrays"
              : "would make the rendered messages longer than 1 MiB (1048576 bytes); send "
                "smaller values",
          "/variables");
    }
  }

  const mustache::data data = to_data(*bound);
  std::vector<PromptMessage> rendered;
  rendered.reserve(prompt.messages.size());
  for (std::size_t i = 0; i < prompt.messages.size(); ++i) {
    const std::string& source = prompt.messages[i].content;
    mustache::mustache compiled(source);
    if (!compiled.is_valid()) return compile_error(i, source, compiled.error_message());
    // Prompts are not HTML: values go in as they are.
    compiled.set_custom_escape([](const std::string& text) { return text; });
    std::string content;
    compiled.render(data, [&content](const std::string& piece) { content += piece; });
    if (!compiled.is_valid()) return compile_error(i, source, compiled.error_message());
    rendered.push_back(PromptMessage{prompt.messages[i].role, std::move(content)});
  }
  return rendered;
}

}  // namespace aic::ai
