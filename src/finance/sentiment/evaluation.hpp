// Measuring the scorer against labelled sentences: accuracy, per-class precision, recall and
// F1, macro-F1 and the confusion matrix. Input is text with one `sentence@label` per line,
// the label after the last '@' (positive, negative or neutral, any case); blank lines are
// skipped. Used by `aic finance eval-sentiment` and by the unit test that guards the
// development set (data/sentiment/). Pure; no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.hpp"
#include "core/result.hpp"
#include "finance/sentiment/sentiment.hpp"

namespace aic::finance::sentiment {

inline constexpr std::array<Label, 3> kLabels{Label::kPositive, Label::kNegative, Label::kNeutral};

// "positive", "Negative", "NEUTRAL" (surrounding spaces allowed) → the label; else nullopt.
std::optional<Label> label_from_string(std::string_view text);

struct ClassMetrics {
  std::size_t support = 0;    // lines labelled with the class
  std::size_t predicted = 0;  // lines the scorer gave the class
  std::size_t correct = 0;    // both
  // correct / predicted, correct / support, and their harmonic mean; 0 when the
  // denominator is 0 (a class never predicted has precision 0).
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

struct Misclassified {
  std::int64_t line = 0;  // 1-based
  std::string text;       // the sentence; bytes that are not UTF-8 become U+FFFD
  Label expected = Label::kNeutral;
  Label predicted = Label::kNeutral;
  double score = 0;
};

struct EvalReport {
  std::size_t examples = 0;
  std::size_t correct = 0;
  double accuracy = 0;
  double macro_f1 = 0;                    // the mean of the three classes' F1
  std::array<ClassMetrics, 3> classes{};  // indexed by Label
  // confusion[expected][predicted], indexed by Label.
  std::array<std::array<std::size_t, 3>, 3> confusion{};
  std::vector<Misclassified> errors;  // in line order
};

// Scores every line and compares. Errors (kInvalidArgument, `line` set, the message naming
// it): a line without '@', an empty sentence, an unknown label; also a text with no labelled
// line at all.
core::Result<EvalReport> evaluate(std::string_view lines);

// The report as aligned text: accuracy, macro-F1, a table per class, the confusion matrix,
// and with `with_errors` every misclassified line.
std::string to_text(const EvalReport& report, bool with_errors);

// {"examples","correct","accuracy","macro_f1","classes":{"positive":{…},…},
//  "confusion":{"labels":[…],"rows":[[…],…]},"errors":[…]} ("errors" only with_errors).
void write_json(core::JsonWriter& json, const EvalReport& report, bool with_errors);
std::string to_json(const EvalReport& report, bool with_errors);

}  // namespace aic::finance::sentiment
