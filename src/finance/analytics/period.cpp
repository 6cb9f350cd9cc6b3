#include "finance/analytics/period.hpp"

#include <cmath>
#include <cstdio>

namespace aic::finance {

double days_in_period(PeriodLength length) {
  switch (length) {
    case PeriodLength::kAnnual:
      return 365.0;
    case PeriodLength::kQuarter:
      return 365.0 / 4.0;
  }
  return 365.0;
}

std::string_view to_string(PeriodLength length) {
  return length == PeriodLength::kAnnual ? "annual" : "quarter";
}

std::span<const PeriodItem> period_items() {
  static constexpr PeriodItem kItems[] = {
      {"revenue", &FinancialPeriod::revenue},
      {"cogs", &FinancialPeriod::cogs},
      {"sga", &FinancialPeriod::sga},
      {"depreciation", &FinancialPeriod::depreciation},
      {"ebit", &FinancialPeriod::ebit},
      {"interest_expense", &FinancialPeriod::interest_expense},
      {"pretax_income", &FinancialPeriod::pretax_income},
      {"income_tax", &FinancialPeriod::income_tax},
      {"net_income", &FinancialPeriod::net_income},
      {"cash", &FinancialPeriod::cash},
      {"short_term_investments", &FinancialPeriod::short_term_investments},
      {"receivables", &FinancialPeriod::receivables},
      {"inventory", &FinancialPeriod::inventory},
      {"current_assets", &FinancialPeriod::current_assets},
      {"ppe_net", &FinancialPeriod::ppe_net},
      {"total_assets", &FinancialPeriod::total_assets},
      {"payables", &FinancialPeriod::payables},
      {"current_liabilities", &FinancialPeriod::current_liabilities},
      {"long_term_debt", &FinancialPeriod::long_term_debt},
      {"total_liabilities", &FinancialPeriod::total_liabilities},
      {"retained_earnings", &FinancialPeriod::retained_earnings},
      {"equity", &FinancialPeriod::equity},
      {"shares_outstanding", &FinancialPeriod::shares_outstanding},
      {"operating_cash_flow", &FinancialPeriod::operating_cash_flow},
      {"capex", &FinancialPeriod::capex},
      {"dividends", &FinancialPeriod::dividends},
      {"shares_issued", &FinancialPeriod::shares_issued},
      {"market_value_equity", &FinancialPeriod::market_value_equity},
  };
  return kItems;
}

std::optional<std::string> balance_sheet_mismatch(const FinancialPeriod& period) {
  if (!period.total_assets || !period.total_liabilities || !period.equity) return std::nullopt;
  const double difference = *period.total_assets - (*period.total_liabilities + *period.equity);
  if (std::fabs(difference) <= 0.005 * std::fabs(*period.total_assets)) return std::nullopt;
  char text[160];
  std::snprintf(text, sizeof text,
                "total assets (%.0f) differ from total liabilities + equity (%.0f) by %.0f",
                *period.total_assets, *period.total_liabilities + *period.equity, difference);
  return std::string(text);
}

}  // namespace aic::finance
