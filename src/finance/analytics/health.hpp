// The health score: one number from 0 (critical) to 100 (strong) for a period's financial
// condition, built from six pillars — liquidity, solvency, profitability, efficiency, growth and
// cash flow — each the mean of a few ratio scores.
//
// Unlike Altman or Piotroski this is not a published model: it is our own, transparent
// aggregation, and every threshold is written down in docs/finance/methods.md. Each ratio is
// mapped linearly from a "weak" value (score 0) to a "strong" value (score 100) and clamped.
// A pillar with some ratios missing is scored from the rest and its confidence drops; the
// missing inputs are listed. Pure function on values; no thread affinity.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "finance/analytics/period.hpp"

namespace aic::finance {

struct HealthDriver {
  std::string ratio;            // "current_ratio", "free_cash_flow_margin", …
  std::optional<double> value;  // the ratio itself
  std::optional<double> score;  // 0–100; set exactly when value is
  double weak = 0.0;            // the ratio value scored 0
  double strong = 0.0;          // the ratio value scored 100 (may be below `weak`)
  std::string reason_if_null;
  std::string note;  // why a computed value was scored differently (negative equity: 0)
  std::vector<std::string> inputs;
  std::vector<std::string> missing;  // of `inputs`, those the period does not have
};

struct HealthPillar {
  std::string name;             // "liquidity", "solvency", …
  double weight = 0.0;          // share of the overall score; the weights add up to 1
  std::optional<double> score;  // mean of the drivers that have a score
  double confidence = 0.0;      // drivers scored / drivers
  std::vector<HealthDriver> drivers;
  std::vector<std::string> missing_inputs;
};

struct HealthScore {
  std::optional<double> score;  // weighted mean of the pillars that have a score
  std::string band;             // "strong" ≥ 80, "sound" ≥ 60, "watch" ≥ 40, "weak" ≥ 20,
                                // "critical" below; empty when score is null
  double confidence = 0.0;      // Σ pillar weight × pillar confidence, 0–1
  std::vector<HealthPillar> pillars;
  std::vector<std::string> missing_inputs;
  std::string reason_if_null;
};

// The health of `period`; `prior` (may be null) is the period before it, of the same length,
// needed for growth and for average balances.
HealthScore health_score(const FinancialPeriod& period, const FinancialPeriod* prior);

}  // namespace aic::finance
