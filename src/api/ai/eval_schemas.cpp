#include "api/ai/eval_schemas.hpp"

namespace aic::api::ai {

namespace {

constexpr const char* kGrader = R"({
  "type": "object",
  "description": "How each answer is scored (0 to 1) and passed (score ≥ `threshold`). Each kind reads only its own settings; another kind's is refused. exact: `expected` is a string, compared after `trim` (default true), `collapse_whitespace` and `ignore_case` (ASCII). contains: `expected` is a string or an array of strings, the score the fraction found. regex: `pattern`, or each item's `expected`, searched (ECMAScript; `full_match` for the whole answer; no back-references; at most 1 KiB and 2,000 states; the first 64 KiB of an answer). json_field_equals: the value at JSON pointer `pointer` of the answer parsed as JSON equals `expected`. numeric_tolerance: the first number of the answer is within `absolute` of `expected` or `relative` × |expected| (equal when neither is set). label_match: the answer names exactly one of `labels`, which must be `expected`. llm_judge: `model` grades the answer by `rubric` with a fixed prompt and replies {\"score\": 0..1, \"reason\"}; an unreadable reply scores 0.",
  "additionalProperties": false,
  "required": ["kind"],
  "properties": {
    "kind": {"enum": ["exact", "contains", "regex", "json_field_equals", "numeric_tolerance", "label_match", "llm_judge"]},
    "threshold": {"type": "number", "minimum": 0, "maximum": 1, "description": "The pass mark: default 1 (0.5 for llm_judge)."},
    "trim": {"type": "boolean", "description": "exact: drop surrounding whitespace first (default true)."},
    "collapse_whitespace": {"type": "boolean", "description": "exact: each run of whitespace is one space (default false)."},
    "ignore_case": {"type": "boolean", "description": "exact, contains, regex: ASCII letters compare without case (default false)."},
    "pattern": {"type": "string", "minLength": 1, "maxLength": 1024, "description": "regex: the pattern; absent: each item's `expected`."},
    "full_match": {"type": "boolean", "description": "regex: the pattern must match the whole answer (default false: anywhere)."},
    "pointer": {"type": "string", "maxLength": 1024, "description": "json_field_equals: an RFC 6901 JSON pointer (\"/answer\"); \"\" is the whole document (the default)."},
    "absolute": {"type": "number", "minimum": 0, "description": "numeric_tolerance: the largest absolute difference that passes."},
    "relative": {"type": "number", "minimum": 0, "description": "numeric_tolerance: the largest difference as a fraction of |expected|."},
    "labels": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string", "minLength": 1, "maxLength": 100},
               "description": "label_match: the labels; distinct without ASCII case."},
    "model": {"type": "string", "minLength": 1, "maxLength": 200, "description": "llm_judge: the model, alias or route that grades."},
    "rubric": {"type": "string", "minLength": 1, "maxLength": 8192, "description": "llm_judge: what a good answer is."}
  }
})";

constexpr const char* kParameters = R"({
  "type": "object",
  "description": "Chat request members sent with every item, as in Chat Completions.",
  "additionalProperties": false,
  "properties": {
    "temperature": {"type": "number", "minimum": 0, "maximum": 2},
    "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    "max_tokens": {"type": "integer", "minimum": 1},
    "max_completion_tokens": {"type": "integer", "minimum": 1},
    "seed": {"type": "integer"},
    "stop": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "maxItems": 4}]},
    "response_format": {"type": "object", "description": "As in Chat Completions: {\"type\": \"json_object\"} or a json_schema."},
    "reasoning_effort": {"enum": ["minimal", "low", "medium", "high"]},
    "aic_prompt": {
      "type": "object",
      "description": "A stored prompt template whose messages each dataset line's `variables` fill (then every line has `variables` and no `messages` or `input`). Checked against every line when the eval is created; a run renders the template as it is when the run starts (a label resolves to its version then). Not sent to the model.",
      "additionalProperties": false,
      "required": ["name"],
      "properties": {
        "name": {"type": "string", "minLength": 1},
        "label": {"type": "string", "minLength": 1, "description": "Default: production, else the newest version."},
        "version": {"type": "integer", "minimum": 1}
      }
    }
  }
})";

constexpr const char* kCreateEvalRequest = R"({
  "type": "object",
  "description": "A new evaluation. The dataset travels as one JSON string holding JSON Lines.",
  "additionalProperties": false,
  "required": ["name", "task", "grader", "dataset"],
  "properties": {
    "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,99}$", "description": "Unique in the tenant."},
    "task": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$", "description": "What the eval measures (classify, extract, summarize, reason, chat …); the leaderboard groups by it."},
    "description": {"type": "string", "maxLength": 500},
    "grader": {"$ref": "#/components/schemas/AiEvalGrader"},
    "parameters": {"$ref": "#/components/schemas/AiEvalParameters"},
    "dataset": {"type": "string", "minLength": 1, "description": "JSON Lines, at most 8 MiB and 10,000 items: one object per line with `messages` (OpenAI chat messages), `input` (one user message) or, with parameters.aic_prompt, `variables` (the template's variables), `expected` (any JSON; what the grader needs), and optionally `id` (string or integer, unique) and `metadata` (an object). Blank lines are skipped. An error names its line (`line` in the problem)."}
  }
})";

constexpr const char* kEval = R"({
  "type": "object",
  "description": "An evaluation: a dataset, a grader and the request parameters. The dataset itself is not returned; `dataset_sha256` identifies it.",
  "additionalProperties": false,
  "required": ["id", "name", "task", "description", "grader", "parameters", "item_count", "dataset_bytes", "dataset_sha256", "created_at", "created_by"],
  "properties": {
    "id": {"type": "string"},
    "name": {"type": "string"},
    "task": {"type": "string"},
    "description": {"type": "string"},
    "grader": {"$ref": "#/components/schemas/AiEvalGrader", "description": "With every setting spelled out, defaults included."},
    "parameters": {"$ref": "#/components/schemas/AiEvalParameters"},
    "item_count": {"type": "integer", "minimum": 1},
    "dataset_bytes": {"type": "integer", "minimum": 1},
    "dataset_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the dataset exactly as sent."},
    "created_at": {"type": "string", "format": "date-time"},
    "created_by": {"type": "string", "description": "The user or service account that created it."}
  }
})";

constexpr const char* kListOfEvals = R"({
  "type": "object",
  "description": "A page of the tenant's evaluations, oldest first.",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiEval"}},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
  }
})";

constexpr const char* kCreateRunRequest = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["models"],
  "properties": {
    "models": {"type": "array", "minItems": 1, "maxItems": 10, "uniqueItems": true,
               "items": {"type": "string", "minLength": 1, "maxLength": 200},
               "description": "Chat models, aliases or routes of the caller's catalogue; every item is asked of each."},
    "concurrency": {"type": "integer", "minimum": 1, "maximum": 16, "description": "Calls in flight at once for the run (default 4)."}
  }
})";

constexpr const char* kSummary = R"({
  "type": "object",
  "description": "What a run came to for one model. Scores count every item (a failed call as 0); latency counts answered items (nearest-rank percentiles).",
  "additionalProperties": false,
  "required": ["model", "items", "answered", "passed", "errors", "mean_score", "pass_rate", "latency_p50_us", "latency_p95_us", "input_tokens", "output_tokens", "cost_microdollars", "judge_cost_microdollars"],
  "properties": {
    "model": {"type": "string"},
    "items": {"type": "integer", "minimum": 0, "description": "Results recorded (fewer than the dataset's items when the run was cancelled)."},
    "answered": {"type": "integer", "minimum": 0},
    "passed": {"type": "integer", "minimum": 0},
    "errors": {"type": "integer", "minimum": 0, "description": "Items whose call (or the judge's) failed."},
    "mean_score": {"type": "number", "minimum": 0, "maximum": 1},
    "pass_rate": {"type": "number", "minimum": 0, "maximum": 1},
    "latency_p50_us": {"type": "integer", "minimum": 0},
    "latency_p95_us": {"type": "integer", "minimum": 0},
    "input_tokens": {"type": "integer", "minimum": 0},
    "output_tokens": {"type": "integer", "minimum": 0},
    "cost_microdollars": {"type": "integer", "minimum": 0, "description": "What the model's answers cost."},
    "judge_cost_microdollars": {"type": "integer", "minimum": 0, "description": "What grading them with llm_judge cost."}
  }
})";

constexpr const char* kRun = R"({
  "type": "object",
  "description": "A run of an evaluation across models.",
  "additionalProperties": false,
  "required": ["id", "eval_id", "status", "models", "concurrency", "item_count", "total", "completed", "error", "created_at", "created_by", "started_at", "finished_at", "summaries"],
  "properties": {
    "id": {"type": "string"},
    "eval_id": {"type": "string"},
    "status": {"enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
    "models": {"type": "array", "items": {"type": "string"}},
    "concurrency": {"type": "integer", "minimum": 1},
    "item_count": {"type": "integer", "minimum": 0, "description": "Items per model."},
    "total": {"type": "integer", "minimum": 0, "description": "Items × models."},
    "completed": {"type": "integer", "minimum": 0, "description": "Results recorded so far."},
    "error": {"type": ["string", "null"], "description": "Why the run failed (a failed item is not a failed run)."},
    "created_at": {"type": "string", "format": "date-time"},
    "created_by": {"type": "string"},
    "started_at": {"type": ["string", "null"], "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "summaries": {"type": "array", "items": {"$ref": "#/components/schemas/AiEvalModelSummary"},
                  "description": "One per model, in `models` order, once the run has ended; empty before."}
  }
})";

constexpr const char* kListOfRuns = R"({
  "type": "object",
  "description": "A page of an evaluation's runs, oldest first.",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiEvalRun"}},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
  }
})";

constexpr const char* kResult = R"({
  "type": "object",
  "description": "One item's result for one model.",
  "additionalProperties": false,
  "required": ["model", "item_index", "item_id", "answer", "answered_by", "score", "passed", "reason", "latency_us", "input_tokens", "output_tokens", "cost_microdollars", "judge_cost_microdollars", "error"],
  "properties": {
    "model": {"type": "string"},
    "item_index": {"type": "integer", "minimum": 0, "description": "The item's position in the dataset, from 0."},
    "item_id": {"type": ["string", "null"], "description": "The item's `id`, when it has one."},
    "answer": {"type": "string", "description": "The first 4 KiB of the answer (tool calls as JSON)."},
    "answered_by": {"type": ["string", "null"], "description": "MODEL@PROVIDER that answered; null when the call failed."},
    "score": {"type": "number", "minimum": 0, "maximum": 1},
    "passed": {"type": "boolean"},
    "reason": {"type": "string"},
    "latency_us": {"type": "integer", "minimum": 0},
    "input_tokens": {"type": "integer", "minimum": 0},
    "output_tokens": {"type": "integer", "minimum": 0},
    "cost_microdollars": {"type": "integer", "minimum": 0},
    "judge_cost_microdollars": {"type": "integer", "minimum": 0},
    "error": {"type": ["string", "null"], "description": "Why the call (or the judge's) failed; the item then scores 0."}
  }
})";

constexpr const char* kListOfResults = R"({
  "type": "object",
  "description": "A page of a run's results in item order, the models of each item by name.",
  "additionalProperties": false,
  "required": ["data", "next_cursor"],
  "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiEvalResult"}},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
  }
})";

constexpr const char* kModelScore = R"({
  "type": "object",
  "description": "A model on a task's leaderboard.",
  "additionalProperties": false,
  "required": ["model", "score", "pass_rate", "runs", "items", "errors", "latency_p50_us", "latency_p95_us", "cost_per_item_microdollars", "last_run_at"],
  "properties": {
    "model": {"type": "string"},
    "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "The mean over the task's evaluations of each one's mean score."},
    "pass_rate": {"type": "number", "minimum": 0, "maximum": 1},
    "runs": {"type": "integer", "minimum": 1, "description": "Runs counted: per evaluation of the task, its latest succeeded run with this model."},
    "items": {"type": "integer", "minimum": 0},
    "errors": {"type": "integer", "minimum": 0},
    "latency_p50_us": {"type": "integer", "minimum": 0, "description": "Over every answered item of the runs counted."},
    "latency_p95_us": {"type": "integer", "minimum": 0},
    "cost_per_item_microdollars": {"type": "integer", "minimum": 0},
    "last_run_at": {"type": "string", "format": "date-time"}
  }
})";

constexpr const char* kLeaderboard = R"({
  "type": "object",
  "description": "The models that ran evaluations of a task, best first (score, then pass rate, then cost per item).",
  "additionalProperties": false,
  "required": ["task", "data"],
  "properties": {
    "task": {"type": "string"},
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AiModelScore"}}
  }
})";

}  // namespace

std::vector<NamedSchema> eval_schemas() {
  return {{"AiEvalGrader", kGrader},
          {"AiEvalParameters", kParameters},
          {"CreateAiEvalRequest", kCreateEvalRequest},
          {"AiEval", kEval},
          {"ListOfAiEvals", kListOfEvals},
          {"CreateAiEvalRunRequest", kCreateRunRequest},
          {"AiEvalModelSummary", kSummary},
          {"AiEvalRun", kRun},
          {"ListOfAiEvalRuns", kListOfRuns},
          {"AiEvalResult", kResult},
          {"ListOfAiEvalResults", kListOfResults},
          {"AiModelScore", kModelScore},
          {"AiLeaderboard", kLeaderboard}};
}

}  // namespace aic::api::ai
