// libFuzzer target for the sentiment scorer and the evaluation of `sentence@label` lines: the
// input is any bytes, valid UTF-8 or not. Scoring never fails and gives a score in [-1, 1]
// whose label agrees with the evidence's sum, every contribution finite, in valid JSON;
// evaluation either fails with an invalid-argument error naming a line or gives metrics
// that add up, in valid JSON.
#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "finance/sentiment/evaluation.hpp"
#include "finance/sentiment/sentiment.hpp"

namespace {

using namespace aic::finance::sentiment;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_json(const std::string& json) {
  boost::system::error_code error;
  (void)boost::json::parse(json, error);
  check(!error);
}

void check_score(std::string_view text) {
  const SentimentResult result = score(text);
  check(std::isfinite(result.sum) && result.score >= -1 && result.score <= 1);
  double sum = 0;
  for (const Evidence& evidence : result.evidence) {
    check(std::isfinite(evidence.contribution) && !evidence.terms.empty());
    sum += evidence.contribution;
  }
  check(sum == result.sum);
  const Label expected = result.sum >= kPolarThreshold    ? Label::kPositive
                         : result.sum <= -kPolarThreshold ? Label::kNegative
                                                          : Label::kNeutral;
  check(result.label == expected);
  check_json(to_json(result));
}

void check_evaluation(std::string_view lines) {
  const auto report = evaluate(lines);
  if (!report) {
    check(report.error().code == aic::core::ErrorCode::kInvalidArgument);
    check(report.error().line.has_value() && *report.error().line >= 0);
    return;
  }
  std::size_t total = 0;
  for (const auto& row : report->confusion) {
    for (std::size_t count : row) total += count;
  }
  check(total == report->examples && report->examples > 0);
  check(report->correct + report->errors.size() == report->examples);
  check(report->accuracy >= 0 && report->accuracy <= 1);
  check(report->macro_f1 >= 0 && report->macro_f1 <= 1);
  for (const ClassMetrics& metrics : report->classes) {
    check(metrics.precision >= 0 && metrics.precision <= 1 && metrics.recall >= 0 &&
          metrics.recall <= 1 && metrics.f1 >= 0 && metrics.f1 <= 1);
  }
  check(!to_text(*report, true).empty());
  check_json(to_json(*report, true));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_score(input);
  check_evaluation(input);
  return 0;
}
