#include "finance/analytics/health.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>

#include "finance/analytics/quantity.hpp"
#include "finance/analytics/ratios.hpp"

namespace aic::finance {

namespace {

// One ratio of a pillar and the values it is scored between.
struct DriverSpec {
  std::string_view ratio;
  double weak;    // scored 0 (and anything worse)
  double strong;  // scored 100 (and anything better)
};

struct PillarSpec {
  std::string_view name;
  double weight;
  std::array<DriverSpec, 5> drivers;  // unused slots have an empty ratio name
};

// The thresholds are judgement, not a published model: roughly where analysts' rules of thumb
// put "comfortable" and "alarming" for a non-financial company. docs/finance/methods.md lists
// them; change both together.
constexpr std::array<PillarSpec, 6> kPillars = {{
    {"liquidity",
     0.20,
     {{{"current_ratio", 1.0, 2.0}, {"quick_ratio", 0.5, 1.2}, {"cash_ratio", 0.1, 0.6}}}},
    {"solvency",
     0.20,
     {{{"debt_to_assets", 0.8, 0.3},
       {"debt_to_equity", 3.0, 0.5},
       {"interest_coverage", 1.5, 8.0}}}},
    {"profitability",
     0.20,
     {{{"gross_margin", 0.10, 0.50},
       {"operating_margin", -0.05, 0.20},
       {"net_margin", -0.05, 0.15},
       {"return_on_assets", -0.05, 0.10},
       {"return_on_equity", -0.05, 0.20}}}},
    {"efficiency",
     0.10,
     {{{"asset_turnover", 0.3, 1.5},
       {"days_sales_outstanding", 90.0, 30.0},
       {"cash_conversion_cycle", 120.0, 15.0}}}},
    {"growth", 0.10, {{{"revenue_growth", -0.10, 0.20}, {"net_income_growth", -0.50, 0.30}}}},
    {"cash_flow",
     0.20,
     {{{"operating_cash_flow_margin", -0.05, 0.20},
       {"free_cash_flow_margin", -0.10, 0.15},
       {"operating_cash_flow_to_net_income", 0.5, 1.2}}}},
}};

// 0 at `weak`, 100 at `strong`, linear between, clamped outside.
double scale(double value, double weak, double strong) {
  const double position = (value - weak) / (strong - weak);
  return 100.0 * std::clamp(position, 0.0, 1.0);
}

Ratio to_ratio(std::string name, Quantity quantity) {
  return Ratio{.name = std::move(name),
               .value = quantity.value,
               .reason_if_null = std::move(quantity.reason_if_null),
               .inputs = std::move(quantity.inputs),
               .missing = std::move(quantity.missing)};
}

// The ratios the pillars score: the standard set plus two cash-flow margins.
std::vector<Ratio> health_ratios(const FinancialPeriod& period, const FinancialPeriod* prior) {
  std::vector<Ratio> ratios = all_ratios(period, prior);
  const Quantity revenue = input("revenue", period.revenue);
  const Quantity operating_cash_flow = input("operating_cash_flow", period.operating_cash_flow);
  Quantity capex = input("capex", period.capex);
  if (capex.value) capex.value = std::fabs(*capex.value);
  ratios.push_back(to_ratio("operating_cash_flow_margin", operating_cash_flow / revenue));
  ratios.push_back(to_ratio("free_cash_flow_margin", (operating_cash_flow - capex) / revenue));
  return ratios;
}

bool not_positive(const std::optional<double>& value) { return value && *value <= 0.0; }

HealthDriver score_driver(const DriverSpec& spec, const std::vector<Ratio>& ratios,
                          const FinancialPeriod& period) {
  HealthDriver driver;
  driver.ratio = std::string(spec.ratio);
  driver.weak = spec.weak;
  driver.strong = spec.strong;
  const Ratio* ratio = find_ratio(ratios, spec.ratio);
  if (ratio == nullptr) {
    driver.reason_if_null = "needs a prior period";
    return driver;
  }
  driver.inputs = ratio->inputs;
  driver.missing = ratio->missing;
  driver.value = ratio->value;
  if (!ratio->value) {
    driver.reason_if_null = ratio->reason_if_null;
    return driver;
  }
  // Ratios over equity or earnings turn meaningless when those are negative: a deficit makes
  // debt-to-equity negative (it would score as "no debt") and a loss over a deficit makes
  // return on equity positive.
  if ((spec.ratio == "debt_to_equity" || spec.ratio == "return_on_equity") &&
      not_positive(period.equity)) {
    driver.score = 0.0;
    driver.note = "equity is not positive: scored 0";
    return driver;
  }
  if (spec.ratio == "operating_cash_flow_to_net_income" && not_positive(period.net_income)) {
    driver.value.reset();
    driver.reason_if_null = "net_income is not positive: cash conversion is not meaningful";
    return driver;
  }
  driver.score = scale(*ratio->value, spec.weak, spec.strong);
  return driver;
}

std::string band_of(double score) {
  if (score >= 80.0) return "strong";
  if (score >= 60.0) return "sound";
  if (score >= 40.0) return "watch";
  if (score >= 20.0) return "weak";
  return "critical";
}

}  // namespace

HealthScore health_score(const FinancialPeriod& period, const FinancialPeriod* prior) {
  const std::vector<Ratio> ratios = health_ratios(period, prior);
  HealthScore health;
  double weighted_sum = 0.0, weight_scored = 0.0;
  for (const PillarSpec& spec : kPillars) {
    HealthPillar pillar;
    pillar.name = std::string(spec.name);
    pillar.weight = spec.weight;
    double sum = 0.0;
    int scored = 0, drivers = 0;
    for (const DriverSpec& driver_spec : spec.drivers) {
      if (driver_spec.ratio.empty()) continue;
      ++drivers;
      HealthDriver driver = score_driver(driver_spec, ratios, period);
      if (driver.score) {
        sum += *driver.score;
        ++scored;
      } else {
        merge_names(pillar.missing_inputs, driver.missing);
      }
      pillar.drivers.push_back(std::move(driver));
    }
    pillar.confidence = static_cast<double>(scored) / drivers;
    if (scored > 0) {
      pillar.score = sum / scored;
      weighted_sum += spec.weight * *pillar.score;
      weight_scored += spec.weight;
    }
    health.confidence += spec.weight * pillar.confidence;
    merge_names(health.missing_inputs, pillar.missing_inputs);
    health.pillars.push_back(std::move(pillar));
  }
  if (weight_scored == 0.0) {
    health.reason_if_null = "no pillar could be scored: the period has too few statement values";
    return health;
  }
  health.score = weighted_sum / weight_scored;
  health.band = band_of(*health.score);
  return health;
}

}  // namespace aic::finance
