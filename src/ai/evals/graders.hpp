// Graders: how an answer to a dataset item is scored. Every grade is a score in [0, 1], a
// pass (score ≥ the grader's threshold) and a short reason.
//
//   exact              the answer equals `expected` (a string). `trim` (default true) drops
//                      surrounding whitespace first, `collapse_whitespace` turns each run of
//                      whitespace into one space, `ignore_case` folds ASCII letters.
//   contains           the answer contains `expected` (a string, or an array of strings: the
//                      score is the fraction found). `ignore_case` folds ASCII letters.
//   regex              the answer matches `pattern`, or, without one, the item's `expected`
//                      (a string); ECMAScript syntax, searched anywhere unless `full_match`.
//                      Patterns are at most 1 KiB and may not expand past kMaxRegexStates
//                      (counted repetitions multiply); back-references are refused, and
//                      matching is one breadth-first pass over the answer (time linear in
//                      its length × the pattern's states), so no pattern can backtrack
//                      catastrophically. Only the first 64 KiB of an answer are searched.
//   json_field_equals  the answer parsed as JSON (also inside a ``` fence, or the outermost
//                      {…} / […] in surrounding text) has at JSON pointer `pointer` a value
//                      equal to `expected` (any JSON; numbers compare by value, 1 == 1.0).
//   numeric_tolerance  the first number in the answer ("-1,234.5e3" style; a comma is a
//                      thousands separator only before exactly three digits) is within
//                      `absolute` of `expected` (a JSON number) or within `relative` × |expected|;
//                      with neither given it must be equal.
//   label_match        the answer names one of `labels`: the whole answer (trimmed of spaces,
//                      quotes, `*` and final punctuation; ASCII case ignored) is a label, or
//                      exactly one label occurs in it as a whole word (a label inside a longer
//                      label that also occurs does not count). It passes when that label is
//                      `expected`.
//   llm_judge          `model` is asked, with a fixed prompt, to grade the answer by `rubric`
//                      (with the input and, when the item has one, `expected` as reference)
//                      and to reply {"score": 0..1, "reason": "…"}; see judge_messages().
//
// Deterministic graders score 0 or 1 (contains: a fraction) and pass at 1 by default; the
// judge passes at 0.5. `threshold` (0 to 1) sets another pass mark.
//
// Pure: no I/O. A Grader is checked when parsed; a CompiledGrader may be used from several
// threads at once.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/evals/dataset.hpp"
#include "core/result.hpp"

namespace aic::ai::evals {

enum class GraderKind {
  kExact,
  kContains,
  kRegex,
  kJsonFieldEquals,
  kNumericTolerance,
  kLabelMatch,
  kLlmJudge,
};
std::string_view to_string(GraderKind kind);  // "exact", "json_field_equals", …

inline constexpr std::size_t kMaxRegexBytes = 1024;
inline constexpr std::size_t kMaxRegexStates = 2000;
inline constexpr std::size_t kMaxRegexInputBytes = 64 * 1024;
inline constexpr std::size_t kMaxRubricBytes = 8 * 1024;
inline constexpr std::size_t kMaxLabels = 100;
inline constexpr std::size_t kMaxReasonBytes = 500;

struct Grader {
  GraderKind kind = GraderKind::kExact;
  double threshold = 1.0;            // pass when score ≥ threshold
  bool ignore_case = false;          // exact, contains, regex
  bool trim = true;                  // exact
  bool collapse_whitespace = false;  // exact
  std::string pattern;               // regex; empty: each item's `expected`
  bool full_match = false;           // regex
  std::string pointer;               // json_field_equals ("" is the whole document)
  std::optional<double> absolute;    // numeric_tolerance
  std::optional<double> relative;    // numeric_tolerance
  std::vector<std::string> labels;   // label_match
  std::string model;                 // llm_judge: the judge
  std::string rubric;                // llm_judge
};

// Reads a grader object ({"kind": "exact", …}); members of another kind are refused. Errors
// are kInvalidArgument naming the member as a JSON pointer under `field` ("/grader/pattern").
core::Result<Grader> parse_grader(const boost::json::value& value,
                                  std::string_view field = "/grader");
// The grader with every setting spelled out (defaults included), as parse_grader reads it.
boost::json::object to_json(const Grader& grader);

// Whether `item` can be graded by `grader` (its `expected` has the shape the kind needs, a
// per-item pattern compiles, a label is one of the labels). Errors name `field` and the line.
core::Status check_item(const Grader& grader, const DatasetItem& item,
                        std::string_view field = "/dataset");

struct Grade {
  double score = 0;  // in [0, 1]
  bool passed = false;
  std::string reason;  // short; at most kMaxReasonBytes
};

// A grader with its regular expression compiled once, for a whole run.
class CompiledGrader {
 public:
  // Errors as parse_grader's (a pattern that does not compile names `field`/pattern).
  static core::Result<CompiledGrader> compile(Grader grader, std::string_view field = "/grader");

  const Grader& grader() const { return *grader_; }
  // Grades `answer` to `item`. REQUIRES: the kind is not kLlmJudge, check_item() passed.
  Grade grade(const DatasetItem& item, std::string_view answer) const;

 private:
  struct Compiled;
  std::shared_ptr<const Grader> grader_;
  std::shared_ptr<const Compiled> compiled_;  // the pattern, when the grader has one
};

// The conversation that asks the judge to grade `answer` to `item` (a JSON array of chat
// messages, as DatasetItem::messages): a fixed system prompt, then the rubric, the input, the
// reference (when the item has `expected`) and the answer, each between markers, each cut
// at 32 KiB.
std::string judge_messages(const Grader& grader, const DatasetItem& item, std::string_view answer);
// Reads the judge's reply: a JSON object with a numeric `score` in [0, 1] and an optional
// string `reason`, alone, in a ``` fence, or as the first such object in other text. A reply
// without one scores 0, and the reason says why (with the start of the reply).
Grade read_judge_reply(std::string_view reply, double threshold);

// The first number in `text` (see numeric_tolerance); nullopt when there is none or it is not
// finite.
std::optional<double> first_number(std::string_view text);
// Estimates how many automaton states `pattern` expands to (counted repetitions multiply);
// used to refuse patterns that would make matching slow.
std::size_t regex_states(std::string_view pattern);

}  // namespace aic::ai::evals
