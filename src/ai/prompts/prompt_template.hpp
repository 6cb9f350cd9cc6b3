// Prompt templates: chat messages written in Mustache, with declared, typed variables.
//
// A template is checked when it is saved (parse_prompt_template, validate_prompt_template):
// every message compiles, none uses a partial, and every variable a message reads outside a
// section over an array or object is declared. Rendering (render_prompt) checks the caller's
// variables against the declarations (unknown, missing, wrong type), fills in defaults and
// substitutes values WITHOUT HTML escaping: prompts are not HTML, and `<b> & "x"` must reach the
// model as written.
//
// Rendering is bounded: before any output is produced, a dry run over the template measures
// the output and the work, and refuses the render when it would exceed kMaxRenderedBytes or
// kMaxRenderSteps (nested sections over arrays multiply both).
//
// Errors are kInvalidArgument naming a JSON pointer into the request that was at fault:
// "/messages/3/content" (with line and column of the tag), "/variables/2/default",
// "/variables/customer" (a render variable).
//
// Pure functions on values; thread-safe. The Mustache engine is kainjow's, kept out of this
// header.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace aic::ai {

enum class VariableType { kString, kNumber, kInteger, kBoolean, kArray, kObject };

// "string", "number", "integer", "boolean", "array", "object" (JSON Schema's names).
std::string_view variable_type_name(VariableType type);
std::optional<VariableType> parse_variable_type(std::string_view name);
// Whether `value` is of `type`. An integer is a JSON number written without fraction or
// exponent; a number is any JSON number (integers included).
bool has_type(const boost::json::value& value, VariableType type);

struct PromptVariable {
  std::string name;  // ^[a-z_][a-z0-9_]{0,63}$
  VariableType type = VariableType::kString;
  bool required = true;  // a variable with a default is never required
  std::optional<boost::json::value> default_value;
  std::string description;
};

struct PromptMessage {
  std::string role;     // "system", "developer", "user" or "assistant"
  std::string content;  // Mustache source in a template; plain text once rendered
};

// One version of a prompt: what is rendered, and the model it is meant for.
struct PromptTemplate {
  std::vector<PromptMessage> messages;
  std::vector<PromptVariable> variables;
  std::optional<std::string> model;  // the model (alias, route) to call when the caller names none
  std::string description;           // what changed in this version
};

inline constexpr std::size_t kMaxPromptMessages = 100;
inline constexpr std::size_t kMaxPromptVariables = 100;
inline constexpr std::size_t kMaxTemplateBytes = 64 * 1024;    // all messages' content together
inline constexpr std::size_t kMaxDefaultBytes = 16 * 1024;     // one default, as JSON
inline constexpr std::size_t kMaxRenderedBytes = 1024 * 1024;  // all rendered messages together
inline constexpr std::size_t kMaxRenderSteps = 200'000;  // tags visited, section items included

// Reads a template from a request body's members `messages`, `variables`, `model` and
// `description` (other members are the caller's to check): the shape only, cheap enough for
// an I/O thread. Members of messages and variables that are not defined are refused, naming
// them.
core::Result<PromptTemplate> read_prompt_template(const boost::json::object& body);
// read_prompt_template(), then validate_prompt_template().
core::Result<PromptTemplate> parse_prompt_template(const boost::json::object& body);

// The checks described above (compiling every message); the error names the member at fault.
core::Status validate_prompt_template(const PromptTemplate& prompt);

// {"messages", "variables", "model", "description"}: what parse_prompt_template() reads, with
// every default spelled out ("required" always present, "model" null when absent).
boost::json::object to_json(const PromptTemplate& prompt);
// A template as stored by to_json(), read without validate_prompt_template(), so that a
// version saved under older rules stays readable. kInternal when it is not in that shape.
core::Result<PromptTemplate> read_stored_prompt_template(std::string_view json_text);

// The messages with `variables` substituted. `variables` holds the declared variables by
// name; absent optional ones take their default (or stay unset: a section over them is
// skipped, an interpolation prints nothing).
core::Result<std::vector<PromptMessage>> render_prompt(const PromptTemplate& prompt,
                                                       const boost::json::object& variables);

}  // namespace aic::ai
