// The gateway's own model of a chat request, its answer and the pieces of a streamed answer.
//
// Every ingress format (OpenAI Chat Completions, Anthropic Messages) is parsed into these
// types and every provider format is written from them, so N ingress formats and M providers
// need N + M translators rather than N × M. The types keep everything any of the formats can
// express losslessly: tool-call ids, JSON text exactly as the client sent it (tool
// parameters, schemas, arguments), the cached and reasoning parts of token counts. A feature
// that a provider cannot express is refused by that provider's translator with an error
// naming the field, never dropped silently.
//
// Plain values: no I/O, no HTTP; safe to copy between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aic::ai {

enum class Role { kSystem, kUser, kAssistant, kTool };
std::string_view to_string(Role role);

struct ContentPart {
  enum class Kind { kText, kImage };
  Kind kind = Kind::kText;
  std::string text;  // kText
  // kImage: an https URL or a data: URI ("data:image/png;base64,…").
  std::string image_url;
  std::string image_detail;  // OpenAI's "low" | "high" | "auto"; empty: not given
  // Anthropic's prompt-cache breakpoint ("cache_control": {"type": "ephemeral"}) after this
  // part. A hint: providers that cache on their own ignore it.
  bool cache_breakpoint = false;

  static ContentPart make_text(std::string text) {
    ContentPart part;
    part.text = std::move(text);
    return part;
  }
};

// A call the model asked for. `arguments` is JSON text as the model produced it (usually an
// object); it is passed through unparsed so nothing is lost or reordered.
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

struct Message {
  Role role = Role::kUser;
  std::vector<ContentPart> content;  // may be empty (an assistant turn with only tool calls)
  std::vector<ToolCall> tool_calls;  // kAssistant only
  std::string tool_call_id;          // kTool: the call this message answers
  std::string name;                  // optional participant or tool name

  // The text parts joined (images skipped); what a text-only target receives.
  std::string text() const;
};

struct Tool {
  std::string name;
  std::string description;
  std::string parameters;  // JSON Schema text; empty: no parameters declared
  bool strict = false;
};

struct ToolChoice {
  enum class Mode { kAuto, kNone, kRequired, kNamed };
  Mode mode = Mode::kAuto;
  std::string name;  // kNamed
};

struct ResponseFormat {
  enum class Type { kText, kJsonObject, kJsonSchema };
  Type type = Type::kText;
  std::string name;    // kJsonSchema: the schema's name
  std::string schema;  // kJsonSchema: JSON Schema text
  bool strict = false;
};

struct ChatRequest {
  // What the client asked for: a model id, an alias or "auto". The gateway resolves it to a
  // provider's model before a translator sees the request (see upstream_model).
  std::string model;
  std::vector<Message> messages;  // system messages included, in order
  std::vector<Tool> tools;
  std::optional<ToolChoice> tool_choice;
  std::optional<bool> parallel_tool_calls;
  ResponseFormat response_format;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> max_tokens;  // max_tokens or max_completion_tokens
  // The client named the limit max_completion_tokens (newer OpenAI models refuse max_tokens,
  // older OpenAI-compatible servers know only max_tokens): sent on under the same name.
  bool max_completion_tokens_name = false;
  std::optional<double> frequency_penalty;  // OpenAI-compatible and Gemini only
  std::optional<double> presence_penalty;   // OpenAI-compatible and Gemini only
  std::string reasoning_effort;             // OpenAI reasoning models: "low" | "medium" | "high"
  std::vector<std::string> stop;
  std::optional<std::int64_t> seed;
  std::optional<std::int64_t> top_k;  // Anthropic and Gemini only
  std::string user;                   // end-user id for the provider's abuse tracking
  std::map<std::string, std::string> metadata;
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
};

enum class FinishReason {
  kStop,           // natural end or a stop sequence
  kLength,         // max_tokens reached
  kToolCalls,      // the model asked for tool calls
  kContentFilter,  // the provider withheld content
};
std::string_view to_string(FinishReason reason);  // OpenAI's spelling: "stop", "tool_calls", …

// Token counts in one convention whatever the provider: input_tokens counts every prompt
// token including cached ones, output_tokens every generated token including reasoning.
// Anthropic reports cache reads and writes beside input_tokens and Gemini thoughts beside
// candidates; their translators add them in.
struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_input_tokens = 0;  // part of input_tokens read from a prompt cache
  std::int64_t cache_write_tokens = 0;   // part of input_tokens written to a prompt cache
  std::int64_t reasoning_tokens = 0;     // part of output_tokens spent thinking

  std::int64_t total_tokens() const { return input_tokens + output_tokens; }
};

struct ChatResponse {
  std::string id;            // the provider's id for the answer
  std::string model;         // the model that answered, as the provider names it
  std::int64_t created = 0;  // Unix seconds
  std::string text;
  std::string refusal;  // OpenAI structured-output refusal, when the model refused
  std::vector<ToolCall> tool_calls;
  FinishReason finish_reason = FinishReason::kStop;
  std::optional<Usage> usage;  // absent when the provider did not report it
};

// One piece of a streamed answer. A stream is: kStart, then text, refusal and tool-call
// pieces in the order the provider sent them, then kFinish, then kUsage when the provider
// reported usage. Tool-call pieces carry the call's `index` within the answer; the first
// piece of each call is a kToolCallStart with its id and name, later ones add argument text.
struct StreamEvent {
  enum class Kind {
    kStart,
    kTextDelta,
    kRefusalDelta,
    kToolCallStart,
    kToolCallDelta,
    kFinish,
    kUsage
  };
  Kind kind = Kind::kTextDelta;
  std::string text;  // kTextDelta, kRefusalDelta; kToolCallStart/Delta: argument fragment
  int index = 0;     // kToolCall*: position of the call in the answer
  std::string id;    // kStart: answer id; kToolCallStart: call id
  std::string name;  // kStart: model; kToolCallStart: tool name
  FinishReason finish_reason = FinishReason::kStop;  // kFinish
  Usage usage;                                       // kUsage
};

// Collects a stream's events into the answer they add up to (for usage accounting, the
// response cache and tests).
class StreamAccumulator {
 public:
  void add(const StreamEvent& event);
  const ChatResponse& response() const { return response_; }
  bool finished() const { return finished_; }

 private:
  ChatResponse response_;
  std::vector<std::pair<int, std::size_t>> call_index_;  // stream index → tool_calls position
  bool finished_ = false;
};

// The events of a stream that carries `response` (a cached answer replayed as a stream).
std::vector<StreamEvent> stream_events(const ChatResponse& response);

// What went wrong upstream, in a form every ingress can report in its own error shape.
struct UpstreamError {
  int status = 502;        // the provider's HTTP status, or 502/504 for transport failures
  std::string type;        // OpenAI-style error type ("rate_limit_error", "invalid_request_error")
  std::string message;     // the provider's message, prefixed with the provider's name
  std::string code;        // provider error code when it gave one
  std::string param;       // the field at fault when the provider named one
  bool retryable = false;  // 408, 409, 429, 5xx and transport failures
};

}  // namespace aic::ai
