// Peer benchmarks, drivers of change, the sentiment summary, the narrative and risk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "finance/analytics/benchmark.hpp"
#include "finance/bank/bank_statement.hpp"
#include "finance/insights/insights.hpp"
#include "finance/insights/risk.hpp"

namespace aic::finance {
namespace {

TEST(Benchmark, PercentileQuartileZScoreMedianAndBest) {
  const double peers[] = {1.0, 2.0, 3.0, 4.0};
  const MetricBenchmark higher = benchmark_metric("current_ratio", 3.0, peers);
  EXPECT_EQ(higher.better, Better::kHigher);
  EXPECT_EQ(higher.peers, 4);
  EXPECT_DOUBLE_EQ(*higher.peer_median, 2.5);
  EXPECT_DOUBLE_EQ(*higher.peer_mean, 2.5);
  EXPECT_DOUBLE_EQ(*higher.best_in_class, 4.0);
  // Better than 2 peers, tied with 1: (2 + 0.5) / 4.
  EXPECT_DOUBLE_EQ(*higher.percentile, 62.5);
  EXPECT_EQ(*higher.quartile, 2);
  // Sample standard deviation of 1, 2, 3, 4 is sqrt(5/3).
  EXPECT_NEAR(*higher.z_score, 0.5 / std::sqrt(5.0 / 3.0), 1e-12);

  const MetricBenchmark lower = benchmark_metric("debt_to_equity", 0.5, peers);
  EXPECT_EQ(lower.better, Better::kLower);
  EXPECT_DOUBLE_EQ(*lower.best_in_class, 1.0);
  EXPECT_DOUBLE_EQ(*lower.percentile, 100.0);
  EXPECT_EQ(*lower.quartile, 1);

  const MetricBenchmark neither = benchmark_metric("days_payables_outstanding", 10.0, peers);
  EXPECT_FALSE(neither.best_in_class.has_value());
  EXPECT_DOUBLE_EQ(*neither.percentile, 100.0);
}

TEST(Benchmark, MissingValuesAndDegenerateGroupsSayWhy) {
  const double none[] = {0.0};
  const MetricBenchmark no_peers = benchmark_metric("net_margin", 0.1, std::span(none, 0));
  EXPECT_FALSE(no_peers.percentile.has_value());
  EXPECT_NE(no_peers.reason_if_null.find("no peer"), std::string::npos);

  const double same[] = {2.0, 2.0, 2.0};
  const MetricBenchmark flat = benchmark_metric("net_margin", 2.0, same);
  EXPECT_DOUBLE_EQ(*flat.percentile, 50.0);
  EXPECT_FALSE(flat.z_score.has_value());
  EXPECT_FALSE(flat.reason_if_null.empty());

  const MetricBenchmark no_value = benchmark_metric("net_margin", std::nullopt, same);
  EXPECT_FALSE(no_value.percentile.has_value());
  EXPECT_DOUBLE_EQ(*no_value.peer_median, 2.0);
}

FinancialPeriod year(int y, double revenue, double net_income, double current_assets) {
  FinancialPeriod period;
  period.period_end = *make_date(y, 12, 31);
  period.revenue = revenue;
  period.cogs = revenue * 0.6;
  period.ebit = revenue * 0.1;
  period.net_income = net_income;
  period.interest_expense = 5;
  period.cash = 50;
  period.receivables = 80;
  period.inventory = 60;
  period.current_assets = current_assets;
  period.total_assets = 1000;
  period.payables = 40;
  period.current_liabilities = 100;
  period.long_term_debt = 200;
  period.total_liabilities = 500;
  period.retained_earnings = 300;
  period.equity = 500;
  period.operating_cash_flow = net_income * 1.2;
  period.capex = 20;
  period.shares_outstanding = 100;
  return period;
}

TEST(Drivers, RankTheRatiosThatMovedTheHealthScoreMost) {
  // Current assets from 1.1 to 1.6 times current liabilities (liquidity up), net income
  // falls (profitability down).
  const FinancialPeriod before = year(2023, 1000, 50, 110);
  const FinancialPeriod now = year(2024, 1000, 10, 160);
  const HealthScore health_before = health_score(before, nullptr);
  const HealthScore health_now = health_score(now, &before);
  const auto drivers = drivers_of_change(health_now, health_before, 3);
  ASSERT_FALSE(drivers.empty());
  ASSERT_LE(drivers.size(), 3u);
  for (std::size_t i = 1; i < drivers.size(); ++i) {
    EXPECT_GE(std::fabs(drivers[i - 1].health_points), std::fabs(drivers[i].health_points));
  }
  bool current_ratio_up = false;
  for (const ChangeDriver& driver : drivers) {
    if (driver.ratio == "current_ratio") {
      current_ratio_up = driver.health_points > 0 && *driver.now > *driver.before;
    }
  }
  EXPECT_TRUE(current_ratio_up);
}

TEST(SentimentSummary, WindowCountsMeanAndTrend) {
  const SentimentDay days[] = {
      {*make_date(2026, 1, 1), 2, 0, 2, 0, -0.5},  // the window before
      {*make_date(2026, 2, 1), 1, 1, 0, 0, 0.8},   // in the window
      {*make_date(2026, 2, 10), 3, 1, 0, 2, 0.2},  // in the window
      {*make_date(2026, 2, 11), 5, 5, 0, 0, 0.9},  // after as_of: left out
  };
  const SentimentSummary summary = summarize_sentiment(days, *make_date(2026, 2, 10), 30);
  EXPECT_EQ(summary.items, 4);
  EXPECT_EQ(summary.positive, 2);
  EXPECT_EQ(summary.neutral, 2);
  EXPECT_NEAR(*summary.mean_score, (0.8 + 3 * 0.2) / 4, 1e-12);
  EXPECT_NEAR(*summary.previous_mean_score, -0.5, 1e-12);
  EXPECT_EQ(summary.label, "positive");
  EXPECT_EQ(summary.trend, "improving");
  EXPECT_EQ(summary.days.size(), 2u);
}

TEST(Narrative, TemplatesRenderTheirParameters) {
  const std::pair<std::string, std::string> params[] = {{"points", "4.5"}, {"direction", "above"}};
  EXPECT_EQ(render_message("insights.health_change", params),
            "That is 4.5 points above the period before.");
  EXPECT_TRUE(message_template("insights.no_such_key").empty());
}

TEST(Narrative, ComposesFromScoresRiskAndSentiment) {
  const FinancialPeriod before = year(2023, 1000, 50, 200);
  const FinancialPeriod now = year(2024, 1100, 60, 260);
  InsightsInput input;
  input.entity_name = "Fjordline Tools";
  input.currency = "EUR";
  input.latest = score_period(now, before, FirmProfile{false, true});
  input.previous = score_period(before, std::nullopt, FirmProfile{false, true});
  RiskInput risk;
  risk.currency = "EUR";
  risk.periods = {year(2020, 800, 40, 200), year(2021, 900, 45, 200), before, now};
  risk.latest_scores = input.latest;
  // Three months of a 1,000.00 EUR net outflow and 6,000.00 EUR in the bank.
  risk.cash_flows = {{*make_date(2026, 1, 15), -100000},
                     {*make_date(2026, 2, 15), -100000},
                     {*make_date(2026, 3, 15), -100000}};
  risk.cash_balance = 600000;
  risk.as_of = *make_date(2026, 3, 31);
  input.risk = assess_risk(risk);
  ASSERT_TRUE(input.risk.runway.has_value());
  EXPECT_TRUE(input.risk.runway->burning);
  EXPECT_NEAR(*input.risk.runway->runway_months, 6.0, 1e-9);
  ASSERT_TRUE(input.risk.revenue_forecast.model.has_value());

  const Insights insights = compose_insights(input);
  std::vector<std::string> keys;
  for (const Message& message : insights.narrative) keys.push_back(message.key);
  EXPECT_EQ(keys.front(), "insights.health");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "insights.health_change"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "insights.runway_burning"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "insights.revenue_forecast"), keys.end());
  for (const Message& message : insights.narrative) {
    EXPECT_EQ(message.text.find('{'), std::string::npos) << message.text;
  }
  const std::string json = insights_json(input, insights, "ent_1", "imp_1/v1", "now");
  EXPECT_NE(json.find("\"summary\":\"Fjordline Tools's financial health is"), std::string::npos);
  EXPECT_NE(json.find("about 6.0 months"), std::string::npos);
}

TEST(Narrative, SaysWhenThereAreNoStatements) {
  InsightsInput input;
  input.entity_name = "Empty Co";
  input.risk = assess_risk(RiskInput{});
  const Insights insights = compose_insights(input);
  ASSERT_EQ(insights.narrative.size(), 1u);
  EXPECT_EQ(insights.narrative[0].key, "insights.no_statements");
  EXPECT_FALSE(input.risk.runway.has_value());
  EXPECT_FALSE(input.risk.revenue_forecast.model.has_value());
}

}  // namespace
}  // namespace aic::finance
