#include "api/ai/prompt_schemas.hpp"

namespace aic::api::ai {

namespace {

constexpr const char* kMessage = R"({
  "type": "object",
  "description": "A chat message of a prompt template.",
  "additionalProperties": false,
  "required": ["role", "content"],
  "properties": {
    "role": {"enum": ["system", "developer", "user", "assistant"]},
    "content": {"type": "string", "minLength": 1, "description": "Mustache (no partials, no HTML escaping) in a template; plain text once rendered."}
  }
})";

constexpr const char* kVariableDeclaration = R"({
  "type": "object",
  "description": "A variable the template's messages may use.",
  "additionalProperties": false,
  "required": ["name", "type"],
  "properties": {
    "name": {"type": "string", "pattern": "^[a-z_][a-z0-9_]{0,63}$"},
    "type": {"enum": ["string", "number", "integer", "boolean", "array", "object"],
             "description": "integer: a JSON number without fraction or exponent; number: any JSON number. Booleans, arrays and objects are used as sections."},
    "required": {"type": "boolean", "description": "Default: true, or false when `default` is given (a variable with a default is never required)."},
    "default": {"description": "A value of `type`, used when a render leaves the variable out (at most 16 KiB of JSON)."},
    "description": {"type": "string", "maxLength": 500}
  }
})";

constexpr const char* kVariable = R"({
  "type": "object",
  "description": "A declared variable of a prompt version.",
  "additionalProperties": false,
  "required": ["name", "type", "required", "description"],
  "properties": {
    "name": {"type": "string"},
    "type": {"enum": ["string", "number", "integer", "boolean", "array", "object"]},
    "required": {"type": "boolean"},
    "default": {"description": "Present when the variable has a default."},
    "description": {"type": "string"}
  }
})";

constexpr const char* kCreatePromptRequest = R"({
  "type": "object",
  "description": "A new prompt template with its version 1. Every name a message uses outside a section over an array or object must be declared in `variables`.",
  "additionalProperties": false,
  "required": ["name", "messages"],
  "properties": {
    "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,99}$", "description": "Unique in the tenant; part of the prompt's URL."},
    "description": {"type": "string", "maxLength": 500, "description": "What the prompt is for."},
    "messages": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/components/schemas/AiPromptMessage"},
                 "description": "At most 64 KiB of template text in all."},
    "variables": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/AiPromptVariableDeclaration"}},
    "model": {"type": ["string", "null"], "maxLength": 200, "description": "The model, alias or route to call when the caller names none."}
  }
})";

constexpr const char* kCreateVersionRequest = R"({
  "type": "object",
  "description": "The next version of a prompt template; the same rules as a prompt's version 1.",
  "additionalProperties": false,
  "required": ["messages"],
  "properties": {
    "messages": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"$ref": "#/components/schemas/AiPromptMessage"}},
    "variables": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/AiPromptVariableDeclaration"}},
    "model": {"type": ["string", "null"], "maxLength": 200},
    "description": {"type": "string", "maxLength": 500, "description": "What changed in this version."}
  }
})";

constexpr const char* kSetLabelRequest = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["version"],
  "properties": {
    "version": {"type": "integer", "minimum": 1, "description": "An existing version of the prompt."}
  }
})";

constexpr const char* kRenderRequest = R"({
  "type": "object",
  "description": "Which version to render (`label` or `version`, not both; neither: the `production` label if the prompt has it, else the newest version) and its variables.",
  "additionalProperties": false,
  "properties": {
    "label": {"type": "string", "description": "A label of the prompt, or `latest`."},
    "version": {"type": "integer", "minimum": 1},
    "variables": {"type": "object", "description": "The declared variables by name; optional ones left out take their default."}
  }
})";

constexpr const char* kLabel = R"({
  "type": "object",
  "description": "A name for one version of a prompt; moves when set again.",
  "additionalProperties": false,
  "required": ["name", "version", "updated_at"],
  "properties": {
    "name": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$"},
    "version": {"type": "integer", "minimum": 1},
    "updated_at": {"type": "string", "format": "date-time", "description": "When it was last pointed at a version."}
  }
})";

constexpr const char* kVersionSummary = R"({
  "type": "object",
  "description": "A version of a prompt without its messages and variables.",
  "additionalProperties": false,
  "required": ["prompt", "version", "description", "model", "labels", "created_at", "created_by"],
  "properties": {
    "prompt": {"type": "string", "description": "The prompt's name."},
    "version": {"type": "integer", "minimum": 1},
    "description": {"type": "string", "description": "What changed in this version."},
    "model": {"type": ["string", "null"]},
    "labels": {"type": "array", "items": {"type": "string"}, "description": "The labels naming this version."},
    "created_at": {"type": "string", "format": "date-time"},
    "created_by": {"type": "string", "description": "The user or service account that added it."}
  }
})";

constexpr const char* kVersion = R"({
  "type": "object",
  "description": "A version of a prompt; versions never change.",
  "additionalProperties": false,
  "required": ["prompt", "version", "description", "model", "labels", "created_at", "created_by",
               "messages", "variables"],
  "properties": {
    "prompt": {"type": "string", "description": "The prompt's name."},
    "version": {"type": "integer", "minimum": 1},
    "description": {"type": "string", "description": "What changed in this version."},
    "model": {"type": ["string", "null"]},
    "labels": {"type": "array", "items": {"type": "string"}, "description": "The labels naming this version."},
    "created_at": {"type": "string", "format": "date-time"},
    "created_by": {"type": "string", "description": "The user or service account that added it."},
    "messages": {"type": "array", "items": {"$ref": "#/components/schemas/AiPromptMessage"}},
    "variables": {"type": "array", "items": {"$ref": "#/components/schemas/AiPromptVariable"}}
  }
})";

constexpr const char* kPrompt = R"({
  "type": "object",
  "description": "A named prompt template of the tenant.",
  "additionalProperties": false,
  "required": ["id", "name", "description", "latest_version", "labels", "created_at", "updated_at"],
  "properties": {
    "id": {"type": "string", "description": "`prm_…`"},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "latest_version": {"type": "integer", "minimum": 1, "description": "The newest version's number."},
    "labels": {"type": "array", "items": {"$ref": "#/components/schemas/AiPromptLabel"}},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time", "description": "When a version was last added or a label last moved."},
    "latest": {"$ref": "#/components/schemas/AiPromptVersion", "description": "The newest version in full (not in lists)."}
  }
})";

constexpr const char* kListOfPrompts = R"({
  "type": "object",
  "description": "A page of the tenant's prompts, oldest first.",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiPrompt"}},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
  }
})";

constexpr const char* kListOfVersions = R"({
  "type": "object",
  "description": "A page of a prompt's versions, oldest first.",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiPromptVersionSummary"}},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
  }
})";

constexpr const char* kRendered = R"({
  "type": "object",
  "description": "A prompt version's messages with the variables filled in.",
  "additionalProperties": false,
  "required": ["name", "version", "model", "messages"],
  "properties": {
    "name": {"type": "string", "description": "The prompt's name."},
    "version": {"type": "integer", "minimum": 1, "description": "The version that was rendered."},
    "model": {"type": ["string", "null"], "description": "The version's model, if it names one."},
    "messages": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["role", "content"],
      "properties": {"role": {"enum": ["system", "developer", "user", "assistant"]},
                     "content": {"type": "string", "description": "May be empty: a message's template can render to nothing."}}}}
  }
})";

}  // namespace

std::vector<NamedSchema> prompt_schemas() {
  return {{"AiPromptMessage", kMessage},
          {"AiPromptVariableDeclaration", kVariableDeclaration},
          {"AiPromptVariable", kVariable},
          {"CreateAiPromptRequest", kCreatePromptRequest},
          {"CreateAiPromptVersionRequest", kCreateVersionRequest},
          {"SetAiPromptLabelRequest", kSetLabelRequest},
          {"RenderAiPromptRequest", kRenderRequest},
          {"AiPromptLabel", kLabel},
          {"AiPromptVersionSummary", kVersionSummary},
          {"AiPromptVersion", kVersion},
          {"AiPrompt", kPrompt},
          {"ListOfAiPrompts", kListOfPrompts},
          {"ListOfAiPromptVersions", kListOfVersions},
          {"RenderedAiPrompt", kRendered}};
}

}  // namespace aic::api::ai
