#include "finance/insights/risk.hpp"

namespace aic::finance {

namespace {

// The values of one item over the periods, as long as each period has it: a forecast needs
// a series without holes, so it starts after the last missing value.
std::vector<double> series_of(const std::vector<FinancialPeriod>& periods,
                              std::optional<double> FinancialPeriod::*field) {
  std::vector<double> series;
  for (const FinancialPeriod& period : periods) {
    if (const auto& value = period.*field) {
      series.push_back(*value);
    } else {
      series.clear();
    }
  }
  return series;
}

}  // namespace

RiskReport assess_risk(const RiskInput& input) {
  RiskReport report;
  report.currency = input.currency;
  report.cash_balance_source = input.cash_balance_source;
  if (!input.periods.empty()) report.length = input.periods.back().length;
  if (input.latest_scores) {
    report.altman = input.latest_scores->altman;
    if (input.latest_scores->ohlson && input.latest_scores->ohlson->probability) {
      report.distress_probability = input.latest_scores->ohlson->probability;
    } else {
      report.distress_reason_if_null = input.latest_scores->ohlson
                                           ? input.latest_scores->ohlson->reason_if_null
                                           : "Ohlson's model needs the period a year before";
    }
  } else {
    report.distress_reason_if_null = "no statements are imported";
  }
  if (input.as_of) {
    report.runway = cash_runway(input.cash_flows, input.cash_balance, *input.as_of);
  } else {
    report.runway_reason_if_null = "no bank transactions are imported";
  }
  const ForecastOptions options{.horizon = input.horizon,
                                .season_length = report.length == PeriodLength::kQuarter ? 4 : 0};
  const std::vector<double> revenue = series_of(input.periods, &FinancialPeriod::revenue);
  report.revenue_forecast = forecast(revenue, options);
  report.cash_forecast = forecast(series_of(input.periods, &FinancialPeriod::cash), options);
  if (report.revenue_forecast.model) {
    report.revenue_backtest =
        backtest(revenue, *report.revenue_forecast.model,
                 BacktestOptions{.horizon = input.horizon,
                                 .season_length = report.revenue_forecast.season_length});
  }
  return report;
}

void write_risk_members(core::JsonWriter& json, const RiskReport& report) {
  json.member("length", to_string(report.length));
  json.member("currency", report.currency);
  json.key("distress");
  json.begin_object();
  json.number_member("probability", report.distress_probability, 4);
  json.key("altman_z");
  if (report.altman && report.altman->score) {
    json.number(*report.altman->score, 2);
  } else {
    json.null();
  }
  json.key("altman_zone");
  if (report.altman && report.altman->zone) {
    json.value(to_string(*report.altman->zone));
  } else {
    json.null();
  }
  json.member("reason_if_null", report.distress_reason_if_null);
  json.end_object();
  json.key("runway");
  if (report.runway) {
    json.begin_object();
    json.member("cash_balance_source", report.cash_balance_source);
    write_runway_members(json, *report.runway);
    json.end_object();
  } else {
    json.null();
  }
  json.member("runway_reason_if_null", report.runway_reason_if_null);
  json.key("forecasts");
  json.begin_object();
  json.key("revenue");
  json.begin_object();
  write_forecast_members(json, report.revenue_forecast);
  json.end_object();
  json.key("cash");
  json.begin_object();
  write_forecast_members(json, report.cash_forecast);
  json.end_object();
  json.end_object();
  json.key("revenue_backtest");
  if (report.revenue_backtest) {
    json.begin_object();
    write_backtest_members(json, *report.revenue_backtest);
    json.end_object();
  } else {
    json.null();
  }
}

}  // namespace aic::finance
