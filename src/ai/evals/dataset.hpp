// Evaluation datasets: JSON Lines, one test case per line.
//
//   {"id": "q1", "messages": [{"role": "user", "content": "2+2?"}], "expected": "4"}
//   {"input": "Classify: great service", "expected": "positive", "metadata": {"source": "x"}}
//
// A line is an object with either `messages` (OpenAI chat messages, checked exactly as
// POST /v1/chat/completions checks them) or `input` (text sent as one user message), or —
// when the eval names a prompt template in `parameters.aic_prompt` — `variables` (an object,
// rendered into the template's messages when a run starts), plus
// `expected` (any JSON; which shapes a grader accepts is the grader's business, see
// graders.hpp), and optionally `id` (a string or integer, unique in the dataset) and
// `metadata` (an object kept with the item). Blank lines are skipped; line numbers count
// every line from 1, so an error names the line an editor shows.
//
// Pure: no I/O. Errors are kInvalidArgument with `field` the request member that held the
// dataset and `line` the line at fault; the message names the member of that line.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace aic::ai::evals {

inline constexpr std::size_t kMaxDatasetItems = 10'000;
inline constexpr std::size_t kMaxDatasetBytes = 8 * 1024 * 1024;
inline constexpr std::size_t kMaxItemIdBytes = 200;

struct DatasetItem {
  std::int64_t line = 0;  // where it is in the dataset, from 1
  std::string id;         // as given (an integer id as its decimal text); "" when none
  // The conversation to send: a JSON array of OpenAI chat messages (compact text), already
  // checked by the chat request parser. An `input` line becomes one user message.
  // Empty for a `variables` line until its template is rendered into it.
  std::string messages;
  std::optional<boost::json::object> variables;  // a template dataset's line
  std::optional<boost::json::value> expected;    // absent when the line has none
  std::optional<boost::json::object> metadata;
};

// Parses a whole dataset. `field` is what errors name ("/dataset"). `templated`: the eval
// names a prompt template, so every line has `variables` and none `messages` or `input`
// (and the other way round). Errors: more than kMaxDatasetBytes or kMaxDatasetItems, no item
// at all, a line that is not a JSON object, an unknown member, a bad
// `messages`/`input`/`variables`/`id`/`metadata`, a repeated `id`.
core::Result<std::vector<DatasetItem>> parse_dataset(std::string_view jsonl,
                                                     std::string_view field = "/dataset",
                                                     bool templated = false);

// The prompt template an eval renders its `variables` lines with: parameters.aic_prompt,
// {"name", "label" | "version"} (neither: the "production" label, else the newest version).
struct PromptReference {
  std::string name;
  std::optional<std::string> label;
  std::optional<std::int64_t> version;
};
// nullopt when `parameters` (already checked) names no template.
std::optional<PromptReference> prompt_reference(const boost::json::object& parameters);

// The request members an eval may set for every item, checked as the chat parser checks
// them: temperature, top_p, max_tokens, max_completion_tokens, seed, stop, response_format,
// reasoning_effort; and aic_prompt (see PromptReference), which is not sent. Errors name
// "/parameters/<member>".
core::Status check_parameters(const boost::json::object& parameters);
// The chat request body (OpenAI's shape) asking `model` to continue `messages` (as
// DatasetItem::messages) with `parameters` (aic_prompt left out).
std::string item_request_body(std::string_view model, std::string_view messages,
                              const boost::json::object& parameters);

// The text of a conversation for people and judges: one "role: text" line per message
// (images and tool calls left out). `messages` is DatasetItem::messages.
std::string transcript(std::string_view messages);

}  // namespace aic::ai::evals
