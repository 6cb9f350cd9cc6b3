#include "ai/evals/summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace aic::ai::evals {

namespace {

// Sums clamp here, far above any real total, so they cannot overflow.
constexpr std::int64_t kMaxTotal = 1'000'000'000'000'000'000;

std::int64_t plus(std::int64_t total, std::int64_t value) {
  value = std::clamp<std::int64_t>(value, 0, kMaxTotal);
  return total > kMaxTotal - value ? kMaxTotal : total + value;
}

}  // namespace

std::int64_t nearest_rank(std::vector<std::int64_t> values, int percentile) {
  if (values.empty()) return 0;
  percentile = std::clamp(percentile, 1, 100);
  // ⌈p × n / 100⌉ in integers.
  std::size_t rank = (static_cast<std::size_t>(percentile) * values.size() + 99) / 100;
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  auto at = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

ModelSummary summarize(std::string model, std::span<const ItemOutcome> outcomes) {
  ModelSummary summary;
  summary.model = std::move(model);
  std::vector<std::int64_t> latencies;
  double score_sum = 0;
  for (const ItemOutcome& outcome : outcomes) {
    ++summary.items;
    summary.input_tokens = plus(summary.input_tokens, outcome.input_tokens);
    summary.output_tokens = plus(summary.output_tokens, outcome.output_tokens);
    summary.cost_microdollars = plus(summary.cost_microdollars, outcome.cost_microdollars);
    summary.judge_cost_microdollars =
        plus(summary.judge_cost_microdollars, outcome.judge_cost_microdollars);
    if (outcome.error) {
      ++summary.errors;
      continue;
    }
    ++summary.answered;
    if (outcome.passed) ++summary.passed;
    score_sum += std::clamp(outcome.score, 0.0, 1.0);
    latencies.push_back(std::max<std::int64_t>(0, outcome.latency_us));
  }
  if (summary.items > 0) summary.mean_score = score_sum / static_cast<double>(summary.items);
  summary.latency_p50_us = nearest_rank(latencies, 50);
  summary.latency_p95_us = nearest_rank(std::move(latencies), 95);
  return summary;
}

std::vector<ModelScore> rank_models(std::span<const LeaderboardEntry> entries) {
  struct Totals {
    double score_sum = 0;
    std::int64_t passed = 0;
    std::int64_t cost = 0;
    std::vector<std::int64_t> latencies;
    ModelScore score;
  };
  std::map<std::string, Totals, std::less<>> by_model;
  for (const LeaderboardEntry& entry : entries) {
    Totals& totals = by_model[entry.model];
    totals.score.model = entry.model;
    ++totals.score.runs;
    totals.score.items = plus(totals.score.items, entry.items);
    totals.score.errors = plus(totals.score.errors, entry.errors);
    totals.passed = plus(totals.passed, entry.passed);
    totals.cost = plus(totals.cost, entry.cost_microdollars);
    totals.score_sum += std::clamp(entry.mean_score, 0.0, 1.0);
    totals.latencies.insert(totals.latencies.end(), entry.latencies_us.begin(),
                            entry.latencies_us.end());
    totals.score.last_run_at = std::max(totals.score.last_run_at, entry.finished_at);
  }
  std::vector<ModelScore> out;
  out.reserve(by_model.size());
  for (auto& [model, totals] : by_model) {
    ModelScore score = std::move(totals.score);
    score.score = totals.score_sum / static_cast<double>(score.runs);
    if (score.items > 0) {
      score.pass_rate = static_cast<double>(totals.passed) / static_cast<double>(score.items);
      score.cost_per_item_microdollars = static_cast<std::int64_t>(
          std::llround(static_cast<double>(totals.cost) / static_cast<double>(score.items)));
    }
    score.latency_p50_us = nearest_rank(totals.latencies, 50);
    score.latency_p95_us = nearest_rank(std::move(totals.latencies), 95);
    out.push_back(std::move(score));
  }
  std::sort(out.begin(), out.end(), [](const ModelScore& a, const ModelScore& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.pass_rate != b.pass_rate) return a.pass_rate > b.pass_rate;
    if (a.cost_per_item_microdollars != b.cost_per_item_microdollars)
      return a.cost_per_item_microdollars < b.cost_per_item_microdollars;
    return a.model < b.model;
  });
  return out;
}

std::string utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace aic::ai::evals
