// One fiscal period's statement values in canonical form, the input of every ratio and score.
//
// All amounts are in one currency unit (the caller converts statements first). A value the
// filing does not report is std::nullopt, never 0: the analytics report which inputs were
// missing instead of computing on an invented zero. Plain value type; no thread affinity.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace aic::finance {

enum class PeriodLength { kAnnual, kQuarter };

// Days the period covers, the scale of the days-based ratios: 365 for a year, 365 / 4 =
// 91.25 for a quarter (so four quarters add up to a year).
double days_in_period(PeriodLength length);

// "annual" or "quarter": the name the API, the database and the CSV layout use.
std::string_view to_string(PeriodLength length);

// Sign conventions: expenses, interest, tax, capital expenditure, dividends and equity issued
// are positive amounts; incomes and equity may be negative (a loss, a deficit).
struct FinancialPeriod {
  std::chrono::year_month_day period_end{};
  PeriodLength length = PeriodLength::kAnnual;

  // Income statement.
  std::optional<double> revenue;
  std::optional<double> cogs;          // cost of goods sold
  std::optional<double> sga;           // selling, general and administrative expense
  std::optional<double> depreciation;  // depreciation and amortisation expense
  std::optional<double> ebit;          // operating income
  std::optional<double> interest_expense;
  std::optional<double> pretax_income;
  std::optional<double> income_tax;
  std::optional<double> net_income;

  // Balance sheet at period end.
  std::optional<double> cash;
  std::optional<double> short_term_investments;
  std::optional<double> receivables;
  std::optional<double> inventory;
  std::optional<double> current_assets;
  std::optional<double> ppe_net;  // property, plant and equipment after depreciation
  std::optional<double> total_assets;
  std::optional<double> payables;
  std::optional<double> current_liabilities;
  std::optional<double> long_term_debt;
  std::optional<double> total_liabilities;
  std::optional<double> retained_earnings;
  std::optional<double> equity;  // book value of shareholders' equity
  std::optional<double> shares_outstanding;

  // Cash flow statement.
  std::optional<double> operating_cash_flow;
  std::optional<double> capex;          // capital expenditure, the amount spent (positive)
  std::optional<double> dividends;      // dividends paid (positive)
  std::optional<double> shares_issued;  // proceeds of common equity issued in the period

  // Market value of equity at period end (price × shares); only listed companies have one.
  std::optional<double> market_value_equity;
};

// A statement value's canonical name ("total_assets") and its member, for storing and printing
// periods item by item.
struct PeriodItem {
  std::string_view name;
  std::optional<double> FinancialPeriod::*field;
};

// Every value of FinancialPeriod, in declaration order.
std::span<const PeriodItem> period_items();

// When total assets, total liabilities and equity are all present and assets differ from
// liabilities + equity by more than 0.5 % of assets (rounding in filings stays below that): a
// sentence saying by how much. Otherwise nullopt. Minority interests that a filing keeps
// outside equity also show up here, which is why it is a warning, never an error.
std::optional<std::string> balance_sheet_mismatch(const FinancialPeriod& period);

}  // namespace aic::finance
