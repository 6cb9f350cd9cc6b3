// What a run comes to per model, and the leaderboard across evaluations of a task.
//
// Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
// ⌈p/100 × n⌉ (1-based), so it is always one of the measured values. Latency counts answered
// items only (an item whose call failed has no meaningful latency); scores count every item,
// a failed one as 0, so a model that cannot answer does not look good. Money is integer
// micro-dollars ($1 = 1,000,000), tokens are the gateway's counts.
//
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aic::ai::evals {

// One item's result for one model, as far as the summary needs it.
struct ItemOutcome {
  bool error = false;  // the model's call failed: no answer was graded
  double score = 0;
  bool passed = false;
  std::int64_t latency_us = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_microdollars = 0;        // the model's answer
  std::int64_t judge_cost_microdollars = 0;  // the judge's grading of it (llm_judge)
};

struct ModelSummary {
  std::string model;
  std::int64_t items = 0;     // results recorded
  std::int64_t answered = 0;  // items − errors
  std::int64_t passed = 0;
  std::int64_t errors = 0;
  double mean_score = 0;  // over every item, an error as 0
  std::int64_t latency_p50_us = 0;
  std::int64_t latency_p95_us = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cost_microdollars = 0;
  std::int64_t judge_cost_microdollars = 0;
};

// The nearest-rank `percentile` (0 < percentile ≤ 100) of `values`; 0 when there are none.
std::int64_t nearest_rank(std::vector<std::int64_t> values, int percentile);

ModelSummary summarize(std::string model, std::span<const ItemOutcome> outcomes);

// One evaluation's latest succeeded run that included a model, as the leaderboard reads it.
struct LeaderboardEntry {
  std::string eval_id;
  std::string model;
  std::string finished_at;
  double mean_score = 0;
  std::int64_t items = 0;
  std::int64_t passed = 0;
  std::int64_t errors = 0;
  std::int64_t cost_microdollars = 0;
  std::vector<std::int64_t> latencies_us;  // of the run's answered items
};

// A model on the leaderboard of a task. Plain values, for `auto` routing.
struct ModelScore {
  std::string model;
  double score = 0;       // the mean over evaluations of each one's mean score
  double pass_rate = 0;   // passed / items over the runs counted
  std::int64_t runs = 0;  // runs counted: one per evaluation of the task (its latest
                          // succeeded run with this model)
  std::int64_t items = 0;
  std::int64_t errors = 0;
  std::int64_t latency_p50_us = 0;  // over every answered item of the runs counted
  std::int64_t latency_p95_us = 0;
  std::int64_t cost_per_item_microdollars = 0;  // total cost / items, rounded to nearest
  std::string last_run_at;                      // the newest of those runs' finish times
};

// Scores per model, best first: by score, then pass rate, then cost per item (cheaper first),
// then name.
std::vector<ModelScore> rank_models(std::span<const LeaderboardEntry> entries);

// At most `limit` bytes of `text`, cut at a character boundary (never inside a UTF-8
// sequence).
std::string utf8_prefix(std::string_view text, std::size_t limit);

}  // namespace aic::ai::evals
