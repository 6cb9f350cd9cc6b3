// Cash runway from bank transactions: the net cash flow of each recent calendar month, a
// recency-weighted monthly burn, and how many months the current balance lasts at that burn,
// with an 80 % range from the spread of the monthly flows.
//
// Money stays in integer minor units (flows, balance, burn); only rates and months are
// doubles. Nothing is ever NaN or infinite: "not burning" (an infinite runway) is a flag and
// a null with a reason. The method and its choices (window, half-life, interval) are in
// docs/finance/methods.md. Pure function on values; no thread affinity.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json_writer.hpp"

namespace aic::finance {

// One bank transaction: credit (inflow) > 0, debit (outflow) < 0, minor units.
struct CashTransaction {
  std::chrono::year_month_day date{};
  std::int64_t amount = 0;
};

// z of the runway range: a two-sided 80 % normal interval.
inline constexpr double kRunwayIntervalZ = 1.2816;

struct RunwayOptions {
  int months = 12;  // complete calendar months looked at, 1 … 120
  // A month's weight halves every half_life_months months back from the latest complete
  // month; nullopt weighs every month equally. Must be > 0.
  std::optional<double> half_life_months = 3.0;
};

struct MonthlyFlow {
  std::chrono::year_month month{};
  std::int64_t inflow = 0;   // Σ credits, ≥ 0
  std::int64_t outflow = 0;  // Σ debits, ≤ 0
  std::int64_t net = 0;      // inflow + outflow
  int transactions = 0;
  double weight = 0.0;  // 0.5^(months before the latest complete month / half-life)
};

struct RunwayResult {
  std::chrono::year_month_day as_of{};
  std::int64_t cash_balance = 0;
  int months_requested = 0;
  std::optional<double> half_life_months;
  std::vector<MonthlyFlow> monthly;  // oldest first; months without transactions count as 0
  int months_used = 0;
  // Weighted mean of the monthly net flows, rounded to a minor unit; null without months.
  std::optional<std::int64_t> net_flow_per_month;
  // −net_flow_per_month: positive when burning. `burning` is burn_per_month > 0.
  std::optional<std::int64_t> burn_per_month;
  bool burning = false;
  // Weighted standard deviation of the monthly net flows (reliability weights); null with
  // fewer than 2 months.
  std::optional<std::int64_t> flow_std_dev;
  // burn ∓ 1.2816 · flow_std_dev: the 80 % range of the burn; either may be ≤ 0 (not burning).
  std::optional<std::int64_t> burn_low;
  std::optional<std::int64_t> burn_high;
  // cash / burn in months (0 when the balance is not positive); null when not burning.
  std::optional<double> runway_months;
  std::optional<double> runway_months_low;   // cash / burn_high; null when burn_high ≤ 0
  std::optional<double> runway_months_high;  // cash / burn_low; null when burn_low ≤ 0
  // The long end of the range is "not burning" (burn_low ≤ 0): runway_months_high is null
  // because the runway there is unbounded, not because it is unknown.
  bool runway_high_unbounded = false;
  // as_of + runway months (a month is 365.2425 / 12 days); null when the runway is null or
  // beyond 100 years.
  std::optional<std::chrono::year_month_day> cash_out_date;
  std::optional<std::chrono::year_month_day> cash_out_date_earliest;  // from runway_months_low
  std::optional<std::chrono::year_month_day> cash_out_date_latest;    // from runway_months_high
  std::vector<std::string> notes;       // what was left out and why (the incomplete month, …)
  std::string runway_reason_if_null;    // why runway_months is null
  std::string interval_reason_if_null;  // why the range is null
  std::string reason_if_null;           // why nothing could be computed
};

// The runway of `cash_balance` (minor units, at the end of `as_of`) given the account's
// transactions. Months: the `options.months` calendar months up to the latest complete one
// (the month of `as_of` counts only when `as_of` is its last day), starting no earlier than
// the month of the first transaction. Transactions after `as_of`, in the incomplete current
// month or before the window are left out, and a note says so. No transactions in the
// window, an invalid date or option, or totals beyond 64 bits give a reason instead.
RunwayResult cash_runway(std::span<const CashTransaction> transactions, std::int64_t cash_balance,
                         std::chrono::year_month_day as_of, const RunwayOptions& options = {});

// {"as_of","cash_balance","months_requested","months_used","half_life_months",
//  "monthly":[{"month":"2024-05","inflow","outflow","net","transactions","weight"}],
//  "net_flow_per_month","burn_per_month","burning","flow_std_dev","interval_level",
//  "burn_low","burn_high","runway_months","runway_months_low","runway_months_high",
//  "runway_high_unbounded","cash_out_date","cash_out_date_earliest","cash_out_date_latest",
//  "notes","runway_reason_if_null","interval_reason_if_null","reason_if_null"}. Money as
// integer minor units, months to 2 decimals, weights to 4.
std::string to_json(const RunwayResult& result);
void write_runway_members(core::JsonWriter& json, const RunwayResult& result);

}  // namespace aic::finance
