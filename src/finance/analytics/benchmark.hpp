// Peer benchmarking: where an entity's metric stands among its peers' values of the same
// metric — percentile, z-score, quartile, peer median and the best in class.
//
// Pure functions on values; no thread affinity. See docs/finance/methods.md ("Peer
// benchmark") for the definitions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.hpp"
#include "finance/analytics/scores.hpp"

namespace aic::finance {

enum class Better { kHigher, kLower, kNeither };

// Which way is better for a metric of metric_values(): "current_ratio" higher, "debt_to_equity"
// lower, "days_payables_outstanding" neither (long can mean strength or strain).
Better better_direction(std::string_view metric);

struct MetricBenchmark {
  std::string metric;
  Better better = Better::kNeither;
  std::optional<double> value;  // the entity's own
  int peers = 0;                // peers with a value (the entity not among them)
  std::optional<double> peer_median;
  std::optional<double> peer_mean;
  std::optional<double> best_in_class;  // the best peer value; null when neither is better
  // 0–100: the share of peers the entity does better than (ties count half). For "neither"
  // metrics, the share of peers below the entity's value.
  std::optional<double> percentile;
  std::optional<double> z_score;  // (value − peer mean) / peer standard deviation (n − 1)
  // 1 is the best quarter of the group (percentile ≥ 75), 4 the worst (< 25).
  std::optional<int> quartile;
  std::string reason_if_null;
};

// The entity's `value` among `peer_values` (the peers' values, missing ones left out).
MetricBenchmark benchmark_metric(std::string_view metric, std::optional<double> value,
                                 std::span<const double> peer_values);

// The metrics benchmarked, by name, from one period's scores: every ratio plus health_score,
// altman_z, piotroski_f, ohlson_probability. Null values are kept (the metric is reported with
// a reason).
std::vector<std::pair<std::string, std::optional<double>>> metric_values(
    const PeriodScores& scores);

void write_benchmark_members(core::JsonWriter& json, const MetricBenchmark& benchmark);

}  // namespace aic::finance
