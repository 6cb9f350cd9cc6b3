// Financial ratios of one period: liquidity, leverage, profitability, efficiency, cash flow and
// growth. Pure functions on values; every formula is written out in docs/finance/methods.md.
//
// A ratio never holds NaN or infinity: a missing input, a zero denominator or an overflow gives
// value nullopt and a reason naming the input. Where a prior period is passed (may be null),
// balance-sheet denominators are the average of the two period ends; otherwise the period-end
// balance. Inputs of the prior period are named "prior.<field>".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finance/analytics/period.hpp"

namespace aic::finance {

struct Ratio {
  std::string name;  // stable snake_case key: "current_ratio", "days_sales_outstanding", …
  std::optional<double> value;       // finite when present
  std::string reason_if_null;        // e.g. "current_liabilities is zero"; empty when value is set
  std::vector<std::string> inputs;   // statement fields used: "revenue", "prior.total_assets"
  std::vector<std::string> missing;  // those of `inputs` the period does not have
};

// current_ratio, quick_ratio, cash_ratio.
std::vector<Ratio> liquidity_ratios(const FinancialPeriod& period);
// debt_to_assets, debt_to_equity, interest_coverage.
std::vector<Ratio> leverage_ratios(const FinancialPeriod& period);
// gross_margin, operating_margin, net_margin, return_on_assets, return_on_equity.
std::vector<Ratio> profitability_ratios(const FinancialPeriod& period,
                                        const FinancialPeriod* prior);
// asset_turnover, days_sales_outstanding, days_inventory_outstanding,
// days_payables_outstanding, cash_conversion_cycle. Days use days_in_period(period.length).
std::vector<Ratio> efficiency_ratios(const FinancialPeriod& period, const FinancialPeriod* prior);
// operating_cash_flow_to_net_income, free_cash_flow (an amount, not a ratio).
std::vector<Ratio> cash_flow_ratios(const FinancialPeriod& period);
// revenue_growth, net_income_growth, total_assets_growth: (current − prior) / |prior|.
std::vector<Ratio> growth_ratios(const FinancialPeriod& period, const FinancialPeriod& prior);

// All of the above in that order; growth only when `prior` is not null.
std::vector<Ratio> all_ratios(const FinancialPeriod& period, const FinancialPeriod* prior);

// The ratio called `name` in `ratios`, or nullptr.
const Ratio* find_ratio(const std::vector<Ratio>& ratios, std::string_view name);

}  // namespace aic::finance
