#include "finance/analytics/benchmark.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aic::finance {

Better better_direction(std::string_view metric) {
  static constexpr std::string_view kHigher[] = {"current_ratio",
                                                 "quick_ratio",
                                                 "cash_ratio",
                                                 "interest_coverage",
                                                 "gross_margin",
                                                 "operating_margin",
                                                 "net_margin",
                                                 "return_on_assets",
                                                 "return_on_equity",
                                                 "asset_turnover",
                                                 "operating_cash_flow_to_net_income",
                                                 "free_cash_flow_margin",
                                                 "revenue_growth",
                                                 "net_income_growth",
                                                 "health_score",
                                                 "altman_z",
                                                 "piotroski_f"};
  static constexpr std::string_view kLower[] = {"debt_to_assets",
                                                "debt_to_equity",
                                                "days_sales_outstanding",
                                                "days_inventory_outstanding",
                                                "cash_conversion_cycle",
                                                "ohlson_probability",
                                                "beneish_m"};
  if (std::find(std::begin(kHigher), std::end(kHigher), metric) != std::end(kHigher)) {
    return Better::kHigher;
  }
  if (std::find(std::begin(kLower), std::end(kLower), metric) != std::end(kLower)) {
    return Better::kLower;
  }
  return Better::kNeither;
}

MetricBenchmark benchmark_metric(std::string_view metric, std::optional<double> value,
                                 std::span<const double> peer_values) {
  MetricBenchmark result;
  result.metric = std::string(metric);
  result.better = better_direction(metric);
  result.value = value;
  std::vector<double> peers;
  peers.reserve(peer_values.size());
  for (double peer : peer_values) {
    if (std::isfinite(peer)) peers.push_back(peer);
  }
  result.peers = static_cast<int>(peers.size());
  if (peers.empty()) {
    result.reason_if_null = "no peer has a value for " + result.metric;
    return result;
  }
  std::sort(peers.begin(), peers.end());
  const std::size_t n = peers.size();
  result.peer_median = n % 2 == 1 ? peers[n / 2] : (peers[n / 2 - 1] + peers[n / 2]) / 2.0;
  const double mean = std::accumulate(peers.begin(), peers.end(), 0.0) / static_cast<double>(n);
  result.peer_mean = mean;
  if (result.better == Better::kHigher) result.best_in_class = peers.back();
  if (result.better == Better::kLower) result.best_in_class = peers.front();
  if (!value || !std::isfinite(*value)) {
    result.value.reset();
    result.reason_if_null = "the entity has no value for " + result.metric;
    return result;
  }
  const auto below =
      static_cast<double>(std::lower_bound(peers.begin(), peers.end(), *value) - peers.begin());
  const auto ties =
      static_cast<double>(std::upper_bound(peers.begin(), peers.end(), *value) - peers.begin()) -
      below;
  const double above = static_cast<double>(n) - below - ties;
  const double better_than = result.better == Better::kLower ? above : below;
  result.percentile = 100.0 * (better_than + ties / 2.0) / static_cast<double>(n);
  result.quartile = *result.percentile >= 75.0   ? 1
                    : *result.percentile >= 50.0 ? 2
                    : *result.percentile >= 25.0 ? 3
                                                 : 4;
  if (n >= 2) {
    double squares = 0.0;
    for (double peer : peers) squares += (peer - mean) * (peer - mean);
    const double deviation = std::sqrt(squares / static_cast<double>(n - 1));
    if (deviation > 0.0) {
      result.z_score = (*value - mean) / deviation;
    } else {
      result.reason_if_null = "every peer has the same value, so there is no z-score";
    }
  } else {
    result.reason_if_null = "one peer is too few for a z-score";
  }
  return result;
}

std::vector<std::pair<std::string, std::optional<double>>> metric_values(
    const PeriodScores& scores) {
  std::vector<std::pair<std::string, std::optional<double>>> values;
  values.reserve(scores.ratios.size() + 4);
  for (const Ratio& ratio : scores.ratios) values.emplace_back(ratio.name, ratio.value);
  values.emplace_back("health_score", scores.health.score);
  values.emplace_back("altman_z", scores.altman.score);
  values.emplace_back("piotroski_f", scores.piotroski && scores.piotroski->score
                                         ? std::optional<double>(*scores.piotroski->score)
                                         : std::nullopt);
  values.emplace_back("ohlson_probability",
                      scores.ohlson ? scores.ohlson->probability : std::nullopt);
  return values;
}

void write_benchmark_members(core::JsonWriter& json, const MetricBenchmark& benchmark) {
  json.member("metric", benchmark.metric);
  json.member("better", benchmark.better == Better::kHigher  ? "higher"
                        : benchmark.better == Better::kLower ? "lower"
                                                             : "neither");
  json.number_member("value", benchmark.value, 4);
  json.member("peers", static_cast<std::int64_t>(benchmark.peers));
  json.number_member("peer_median", benchmark.peer_median, 4);
  json.number_member("peer_mean", benchmark.peer_mean, 4);
  json.number_member("best_in_class", benchmark.best_in_class, 4);
  json.number_member("percentile", benchmark.percentile, 1);
  json.number_member("z_score", benchmark.z_score, 2);
  json.key("quartile");
  if (benchmark.quartile) {
    json.value(static_cast<std::int64_t>(*benchmark.quartile));
  } else {
    json.null();
  }
  json.member("reason_if_null", benchmark.reason_if_null);
}

}  // namespace aic::finance
