// Predictive risk of an entity: distress probability (Ohlson) and zone (Altman), cash runway
// from its bank transactions, and forecasts of revenue and cash for the next periods with the
// backtest of the chosen model on the entity's own history.
//
// Pure function on values gathered by the store; no I/O, no thread affinity.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "finance/analytics/forecast.hpp"
#include "finance/analytics/runway.hpp"
#include "finance/analytics/scores.hpp"

namespace aic::finance {

struct RiskInput {
  // Periods of one length, oldest first; the scores are those of the latest (when any).
  std::vector<FinancialPeriod> periods;
  std::optional<PeriodScores> latest_scores;
  // Bank entries (daily sums are fine) and the cash now, in minor units of `currency`.
  std::vector<CashTransaction> cash_flows;
  std::int64_t cash_balance = 0;
  std::string cash_balance_source;  // "bank balances on 2026-03-31", "statement cash", …
  std::string currency;
  std::optional<std::chrono::year_month_day> as_of;  // null: no bank data
  int horizon = 4;
};

struct RiskReport {
  std::optional<double> distress_probability;  // Ohlson, 0–1
  std::string distress_reason_if_null;
  std::optional<AltmanScore> altman;
  std::optional<RunwayResult> runway;  // null without bank data
  std::string runway_reason_if_null;
  std::string cash_balance_source;
  std::string currency;
  ForecastResult revenue_forecast;
  ForecastResult cash_forecast;
  std::optional<BacktestResult> revenue_backtest;  // of the model chosen for revenue
  PeriodLength length = PeriodLength::kAnnual;
};

RiskReport assess_risk(const RiskInput& input);

// {"length","distress":{"probability","altman_z","altman_zone","reason_if_null"},
//  "runway":{…runway members…}|null,"forecasts":{"revenue":{…},"cash":{…}},
//  "backtest":{"revenue":{…}}|null}
void write_risk_members(core::JsonWriter& json, const RiskReport& report);

}  // namespace aic::finance
