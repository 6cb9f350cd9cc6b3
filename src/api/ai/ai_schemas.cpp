#include "api/ai/ai_schemas.hpp"

namespace aic::api::ai {

namespace {

constexpr const char* kAiProblem = R"({
  "type": "object",
  "description": "An RFC 9457 problem that also carries OpenAI's error object, so OpenAI SDKs read it.",
  "additionalProperties": false,
  "required": ["type", "title", "status", "detail", "request_id", "error"],
  "properties": {
    "type": {"type": "string", "pattern": "^urn:aic:problem:[a-z][a-z0-9_-]*$"},
    "title": {"type": "string"},
    "status": {"type": "integer", "minimum": 400, "maximum": 599},
    "detail": {"type": "string"},
    "request_id": {"type": "string"},
    "field": {"type": "string", "description": "The request member at fault."},
    "budget_id": {"type": "string", "description": "402: the budget the request does not fit."},
    "limit_microdollars": {"type": "integer", "description": "402: the budget's monthly limit."},
    "spent_microdollars": {"type": "integer", "description": "402: spent or reserved by requests in flight this month."},
    "estimate_microdollars": {"type": "integer", "description": "402: the most this request could cost."},
    "resets_on": {"type": "string", "format": "date", "description": "402: when the budget starts again (UTC)."},
    "header": {"type": "string", "description": "The request header at fault."},
    "line": {"type": "integer", "minimum": 1},
    "column": {"type": "integer", "minimum": 1},
    "error": {
      "type": "object",
      "additionalProperties": false,
      "required": ["message", "type", "param", "code"],
      "properties": {
        "message": {"type": "string"},
        "type": {"type": "string", "description": "OpenAI's error type, e.g. invalid_request_error, rate_limit_error."},
        "param": {"type": ["string", "null"]},
        "code": {"type": ["string", "null"]}
      }
    }
  }
})";

// `aic_prompt` in a chat or messages request: a stored prompt instead of `messages`.
constexpr const char* kAiPromptReference = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["name"],
  "description": "A prompt template of the tenant instead of `messages`; the answer's aic-prompt header names the version used.",
  "properties": {
    "name": {"type": "string"},
    "label": {"type": "string", "description": "Default: `production` when the prompt has it, else the newest version."},
    "version": {"type": "integer", "minimum": 1},
    "variables": {"type": "object"}
  }
})";

constexpr const char* kChatCompletionRequest = R"({
  "type": "object",
  "description": "OpenAI Chat Completions request. Members the gateway does not support are refused with 400 naming them. Either `messages` or `aic_prompt` (a stored prompt template, rendered into messages; its model is used when `model` is absent).",
  "properties": {
    "model": {"type": "string", "description": "A model, alias or route from GET /v1/models."},
    "aic_prompt": {"$ref": "#/components/schemas/AiPromptReference"},
    "messages": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["role"],
      "properties": {"role": {"enum": ["system", "developer", "user", "assistant", "tool"]}}}},
    "tools": {"type": "array", "items": {"type": "object"}},
    "tool_choice": {"oneOf": [{"enum": ["auto", "none", "required"]}, {"type": "object"}]},
    "parallel_tool_calls": {"type": "boolean"},
    "response_format": {"type": "object"},
    "temperature": {"type": "number", "minimum": 0, "maximum": 2},
    "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    "max_tokens": {"type": "integer", "minimum": 1},
    "max_completion_tokens": {"type": "integer", "minimum": 1},
    "stop": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "maxItems": 4}]},
    "seed": {"type": "integer"},
    "user": {"type": "string"},
    "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    "stream": {"type": "boolean"},
    "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}},
    "n": {"const": 1},
    "frequency_penalty": {"type": "number"},
    "presence_penalty": {"type": "number"},
    "reasoning_effort": {"enum": ["minimal", "low", "medium", "high"]},
    "top_k": {"type": "integer", "minimum": 1}
  }
})";

constexpr const char* kChatCompletion = R"({
  "type": "object",
  "description": "OpenAI Chat Completions answer.",
  "additionalProperties": false,
  "required": ["id", "object", "created", "model", "choices"],
  "properties": {
    "id": {"type": "string"},
    "object": {"const": "chat.completion"},
    "created": {"type": "integer"},
    "model": {"type": "string"},
    "choices": {"type": "array", "minItems": 1, "items": {
      "type": "object", "additionalProperties": false,
      "required": ["index", "message", "finish_reason", "logprobs"],
      "properties": {
        "index": {"type": "integer"},
        "logprobs": {"type": "null"},
        "finish_reason": {"enum": ["stop", "length", "tool_calls", "content_filter"]},
        "message": {"type": "object", "additionalProperties": false, "required": ["role", "content", "refusal"],
          "properties": {
            "role": {"const": "assistant"},
            "content": {"type": ["string", "null"]},
            "refusal": {"type": ["string", "null"]},
            "tool_calls": {"type": "array", "items": {"type": "object", "additionalProperties": false,
              "required": ["id", "type", "function"],
              "properties": {"id": {"type": "string"}, "type": {"const": "function"},
                "function": {"type": "object", "additionalProperties": false, "required": ["name", "arguments"],
                  "properties": {"name": {"type": "string"}, "arguments": {"type": "string"}}}}}}}}}}},
    "usage": {"$ref": "#/components/schemas/ChatUsage"}
  }
})";

constexpr const char* kChatUsage = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
  "properties": {
    "prompt_tokens": {"type": "integer", "minimum": 0},
    "completion_tokens": {"type": "integer", "minimum": 0},
    "total_tokens": {"type": "integer", "minimum": 0},
    "prompt_tokens_details": {"type": "object", "properties": {"cached_tokens": {"type": "integer"}}},
    "completion_tokens_details": {"type": "object", "properties": {"reasoning_tokens": {"type": "integer"}}}
  }
})";

constexpr const char* kMessagesRequest = R"({
  "type": "object",
  "description": "Anthropic Messages request. Either `messages` or `aic_prompt` (a stored prompt template, rendered into messages; its system messages become `system`, its model is used when `model` is absent).",
  "required": ["max_tokens"],
  "properties": {
    "model": {"type": "string"},
    "aic_prompt": {"$ref": "#/components/schemas/AiPromptReference"},
    "max_tokens": {"type": "integer", "minimum": 1},
    "system": {"oneOf": [{"type": "string"}, {"type": "array"}]},
    "messages": {"type": "array", "minItems": 1, "items": {"type": "object"}},
    "tools": {"type": "array"},
    "tool_choice": {"type": "object"},
    "stop_sequences": {"type": "array", "items": {"type": "string"}},
    "temperature": {"type": "number"},
    "top_p": {"type": "number"},
    "top_k": {"type": "integer"},
    "metadata": {"type": "object"},
    "stream": {"type": "boolean"},
    "output_config": {"type": "object", "additionalProperties": false,
      "description": "Structured output. Members other than format (effort) are refused with 400.",
      "properties": {
        "format": {"type": "object", "additionalProperties": false, "required": ["type", "schema"],
          "description": "The answer's text is JSON that follows `schema`, whichever provider answers.",
          "properties": {"type": {"const": "json_schema"}, "schema": {"type": "object"}}}}}
  }
})";

constexpr const char* kMessage = R"({
  "type": "object",
  "description": "Anthropic Messages answer.",
  "additionalProperties": false,
  "required": ["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"],
  "properties": {
    "id": {"type": "string"},
    "type": {"const": "message"},
    "role": {"const": "assistant"},
    "model": {"type": "string"},
    "content": {"type": "array", "items": {"oneOf": [
      {"type": "object", "additionalProperties": false, "required": ["type", "text"],
        "properties": {"type": {"const": "text"}, "text": {"type": "string"}}},
      {"type": "object", "additionalProperties": false, "required": ["type", "id", "name", "input"],
        "properties": {"type": {"const": "tool_use"}, "id": {"type": "string"},
          "name": {"type": "string"}, "input": {"type": "object"}}}]}},
    "stop_reason": {"enum": ["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", null]},
    "stop_sequence": {"type": ["string", "null"]},
    "usage": {"type": "object", "additionalProperties": false,
      "required": ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens"],
      "properties": {
        "input_tokens": {"type": "integer", "minimum": 0, "description": "Input tokens not read from or written to the cache."},
        "cache_creation_input_tokens": {"type": "integer", "minimum": 0},
        "cache_read_input_tokens": {"type": "integer", "minimum": 0},
        "output_tokens": {"type": "integer", "minimum": 0}}}
  }
})";

constexpr const char* kAnthropicError = R"({
  "type": "object",
  "description": "Anthropic's error shape, which Anthropic clients read.",
  "additionalProperties": false,
  "required": ["type", "error"],
  "properties": {
    "type": {"const": "error"},
    "error": {"type": "object", "additionalProperties": false, "required": ["type", "message"],
      "properties": {"type": {"type": "string", "description": "invalid_request_error, not_found_error, rate_limit_error, api_error, …"},
        "message": {"type": "string"}}}
  }
})";

constexpr const char* kEmbeddingRequest = R"({
  "type": "object",
  "description": "OpenAI Embeddings request.",
  "additionalProperties": false,
  "required": ["model", "input"],
  "properties": {
    "model": {"type": "string"},
    "input": {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "maxItems": 2048, "items": {"type": "string"}}]},
    "dimensions": {"type": "integer", "minimum": 1},
    "encoding_format": {"enum": ["float", "base64"]},
    "user": {"type": "string"}
  }
})";

constexpr const char* kEmbeddingList = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["object", "data", "model", "usage"],
  "properties": {
    "object": {"const": "list"},
    "data": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["object", "index", "embedding"],
      "properties": {"object": {"const": "embedding"}, "index": {"type": "integer"},
        "embedding": {"oneOf": [{"type": "array", "items": {"type": "number"}},
                                {"type": "string", "description": "base64 of little-endian float32"}]}}}},
    "model": {"type": "string"},
    "usage": {"type": "object", "additionalProperties": false, "required": ["prompt_tokens", "total_tokens"],
      "properties": {"prompt_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}}
  }
})";

constexpr const char* kModelList = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["object", "data"],
  "properties": {
    "object": {"const": "list"},
    "data": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["id", "object", "created", "owned_by", "aic_kind", "aic_target"],
      "properties": {
        "id": {"type": "string", "description": "What to send as `model`."},
        "object": {"const": "model"},
        "created": {"type": "integer"},
        "owned_by": {"type": "string", "description": "The provider account; aic for routes."},
        "aic_kind": {"enum": ["chat", "embeddings", "alias", "route"]},
        "aic_target": {"type": "string", "description": "Provider model id; for an alias its model; for a route its targets, comma-separated."}}}}
  }
})";

constexpr const char* kAiUsage = R"({
  "type": "object",
  "description": "The tenant's AI gateway usage in a range of UTC days, summed per group.",
  "additionalProperties": false,
  "required": ["from", "to", "group_by", "data"],
  "properties": {
    "from": {"type": "string", "format": "date"},
    "to": {"type": "string", "format": "date"},
    "group_by": {"type": "array", "items": {"enum": ["model", "key", "day", "provider"]}},
    "data": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["requests", "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens",
                   "cost_microdollars", "cost_usd"],
      "properties": {
        "model": {"type": "string"},
        "key": {"type": "string", "description": "The API key (or token) id."},
        "day": {"type": "string", "format": "date"},
        "provider": {"type": "string"},
        "requests": {"type": "integer", "minimum": 0},
        "input_tokens": {"type": "integer", "minimum": 0},
        "output_tokens": {"type": "integer", "minimum": 0},
        "cached_input_tokens": {"type": "integer", "minimum": 0},
        "reasoning_tokens": {"type": "integer", "minimum": 0},
        "cost_microdollars": {"type": "integer", "description": "Millionths of a US dollar, from the configured prices."},
        "cost_usd": {"type": "string", "description": "The same in dollars, exact (\"0.001234\")."}}}}
  }
})";

constexpr const char* kAiBudget = R"({
  "type": "object",
  "description": "A monthly limit on AI spend (UTC calendar months) with this month's spend.",
  "additionalProperties": false,
  "required": ["id", "scope", "subject_id", "monthly_limit_microdollars", "monthly_limit_usd",
               "thresholds_percent", "month", "spent_microdollars", "spent_usd", "in_flight_microdollars",
               "remaining_microdollars", "resets_on", "version", "created_at", "updated_at"],
  "properties": {
    "id": {"type": "string"},
    "scope": {"enum": ["tenant", "api_key", "service_account"]},
    "subject_id": {"type": ["string", "null"], "description": "The API key or service account; null for the tenant."},
    "monthly_limit_microdollars": {"type": "integer", "minimum": 0, "description": "Millionths of a US dollar; 0 refuses every priced request."},
    "monthly_limit_usd": {"type": "string"},
    "thresholds_percent": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 100},
      "description": "Spend levels, in percent of the limit, that send ai.budget.threshold_reached once a month."},
    "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
    "spent_microdollars": {"type": "integer", "minimum": 0, "description": "Recorded spend this month (all replicas)."},
    "spent_usd": {"type": "string"},
    "in_flight_microdollars": {"type": "integer", "minimum": 0, "description": "Reserved by requests in flight, or spent and not yet recorded, on the replica that answered."},
    "remaining_microdollars": {"type": "integer", "minimum": 0},
    "resets_on": {"type": "string", "format": "date"},
    "version": {"type": "integer", "minimum": 1},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"}
  }
})";

constexpr const char* kListOfAiBudgets = R"({
  "type": "object",
  "description": "A page of the tenant's AI budgets, oldest first.",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiBudget"}},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
  }
})";

constexpr const char* kCreateAiBudgetRequest = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["scope", "monthly_limit_microdollars"],
  "properties": {
    "scope": {"enum": ["tenant", "api_key", "service_account"]},
    "subject_id": {"type": "string", "description": "The API key or service account id; omitted for the tenant."},
    "monthly_limit_microdollars": {"type": "integer", "minimum": 0, "maximum": 1000000000000000},
    "thresholds_percent": {"type": "array", "maxItems": 10, "items": {"type": "integer", "minimum": 1, "maximum": 100},
      "description": "Ascending; default [50, 80, 100]."}
  }
})";

constexpr const char* kUpdateAiBudgetRequest = R"({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "monthly_limit_microdollars": {"type": "integer", "minimum": 0, "maximum": 1000000000000000},
    "thresholds_percent": {"type": "array", "maxItems": 10, "items": {"type": "integer", "minimum": 1, "maximum": 100}}
  }
})";

// The members of a provider's and a route's table, as in the config file
// (docs/ai-gateway.md), shared by the request and the answer.
constexpr const char* kProviderMembers = R"(
    "name": {"type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"},
    "kind": {"enum": ["openai", "azure-openai", "anthropic", "gemini"]},
    "base_url": {"type": "string", "description": "https:// (plain http:// only to addresses the operator allowed)."},
    "api_version": {"type": "string"},
    "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Sent with every request."},
    "models": {"type": "array", "maxItems": 100, "items": {"type": "object", "additionalProperties": false, "required": ["name"],
      "properties": {
        "name": {"type": "string", "description": "What clients send as `model`; must not be taken by the operator's catalogue."},
        "upstream_model": {"type": "string"},
        "aliases": {"type": "array", "items": {"type": "string"}},
        "type": {"enum": ["chat", "embeddings"]},
        "input_price": {"type": "number", "minimum": 0, "description": "USD per million tokens."},
        "cached_input_price": {"type": "number", "minimum": 0},
        "output_price": {"type": "number", "minimum": 0}}}})";

constexpr const char* kRouteMembers = R"(
    "name": {"type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"},
    "strategy": {"enum": ["fallback", "weighted", "least-latency", "cheapest"]},
    "targets": {"type": "array", "minItems": 1, "items": {"type": "string"}, "description": "Model names (the tenant's or the operator's)."},
    "weights": {"type": "array", "items": {"type": "integer", "minimum": 1}},
    "task": {"type": "string", "description": "cheapest only: the evaluations' task whose scores set the quality floor."},
    "min_quality": {"type": "number", "minimum": 0, "maximum": 1, "description": "With task: the lowest mean score a target needs."})";

constexpr const char* kEntryMetadata = R"(,
    "version": {"type": "integer", "minimum": 1},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"})";

std::string ai_provider_table() {
  return std::string(R"({
  "type": "object",
  "description": "A provider account of the tenant with its models.",
  "additionalProperties": false,
  "required": ["name", "kind", "base_url"],
  "properties": {)") +
         kProviderMembers + R"(,
    "api_key": {"type": "string", "writeOnly": true, "description": "Stored encrypted, never returned; on PUT, absent keeps the stored key and an empty string removes it."}}
})";
}

std::string ai_provider() {
  return std::string(R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["name", "kind", "base_url", "has_api_key", "version", "created_at", "updated_at"],
  "properties": {)") +
         kProviderMembers + R"(,
    "has_api_key": {"type": "boolean"})" +
         kEntryMetadata + "}\n}";
}

std::string ai_route_table() {
  return std::string(R"({
  "type": "object",
  "description": "A route: one name clients send as `model`, spread over several models.",
  "additionalProperties": false,
  "required": ["name", "targets"],
  "properties": {)") +
         kRouteMembers + "}\n}";
}

std::string ai_route() {
  return std::string(R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["name", "targets", "version", "created_at", "updated_at"],
  "properties": {)") +
         kRouteMembers + kEntryMetadata + "}\n}";
}

constexpr const char* kListOfAiProviders = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiProvider"}},
    "next_cursor": {"type": "null", "description": "Always null: a tenant has at most 100."}
  }
})";

constexpr const char* kListOfAiRoutes = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiRoute"}},
    "next_cursor": {"type": "null", "description": "Always null: a tenant has at most 100."}
  }
})";

}  // namespace

std::vector<NamedSchema> ai_schemas() {
  return {{"AiProblem", kAiProblem},
          {"AiPromptReference", kAiPromptReference},
          {"ChatCompletionRequest", kChatCompletionRequest},
          {"ChatCompletion", kChatCompletion},
          {"ChatUsage", kChatUsage},
          {"MessagesRequest", kMessagesRequest},
          {"Message", kMessage},
          {"AnthropicError", kAnthropicError},
          {"EmbeddingRequest", kEmbeddingRequest},
          {"EmbeddingList", kEmbeddingList},
          {"ModelList", kModelList},
          {"AiUsage", kAiUsage},
          {"AiBudget", kAiBudget},
          {"ListOfAiBudgets", kListOfAiBudgets},
          {"CreateAiBudgetRequest", kCreateAiBudgetRequest},
          {"UpdateAiBudgetRequest", kUpdateAiBudgetRequest},
          {"AiProviderTable", ai_provider_table()},
          {"AiProvider", ai_provider()},
          {"ListOfAiProviders", kListOfAiProviders},
          {"AiRouteTable", ai_route_table()},
          {"AiRoute", ai_route()},
          {"ListOfAiRoutes", kListOfAiRoutes}};
}

}  // namespace aic::api::ai
