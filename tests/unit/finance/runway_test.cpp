// Cash runway on small transaction lists worked by hand: a constant burn, an inflow, an
// incomplete current month, no transactions, and the direction recency weighting moves the
// burn. Amounts are minor units (cents).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "finance/analytics/runway.hpp"

namespace aic::finance {
namespace {

using std::chrono::year_month_day;

constexpr double kTolerance = 1e-9;

year_month_day date(int year, unsigned month, unsigned day) {
  return std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
}

// January … June 2024: 50 000 in on the 5th and 150 000 out on the 20th: net −100 000 a month.
std::vector<CashTransaction> constant_burn() {
  std::vector<CashTransaction> transactions;
  for (unsigned month = 1; month <= 6; ++month) {
    transactions.push_back({date(2024, month, 5), 50'000});
    transactions.push_back({date(2024, month, 20), -150'000});
  }
  return transactions;
}

bool has_note(const RunwayResult& result, const std::string& text) {
  for (const std::string& note : result.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

// Every month burns 100 000, so any weighting gives 100 000, the spread is 0 and
// 1 200 000 lasts exactly 12 months: 30 June 2024 + ⌊12 · 30.436875⌋ = 365 days.
TEST(Runway, ConstantBurnGivesExactMonths) {
  const auto transactions = constant_burn();
  const RunwayResult result = cash_runway(transactions, 1'200'000, date(2024, 6, 30));
  EXPECT_TRUE(result.reason_if_null.empty()) << result.reason_if_null;
  EXPECT_EQ(result.months_used, 6);
  ASSERT_EQ(result.monthly.size(), 6u);
  EXPECT_EQ(result.monthly[0].month, std::chrono::year{2024} / std::chrono::January);
  EXPECT_EQ(result.monthly[5].month, std::chrono::year{2024} / std::chrono::June);
  for (const MonthlyFlow& flow : result.monthly) {
    EXPECT_EQ(flow.inflow, 50'000);
    EXPECT_EQ(flow.outflow, -150'000);
    EXPECT_EQ(flow.net, -100'000);
    EXPECT_EQ(flow.transactions, 2);
  }
  EXPECT_NEAR(result.monthly[5].weight, 1, kTolerance);
  EXPECT_NEAR(result.monthly[2].weight, 0.5, kTolerance);  // three months back: one half-life
  EXPECT_EQ(result.net_flow_per_month, -100'000);
  EXPECT_EQ(result.burn_per_month, 100'000);
  EXPECT_TRUE(result.burning);
  EXPECT_EQ(result.flow_std_dev, 0);
  EXPECT_EQ(result.burn_low, 100'000);
  EXPECT_EQ(result.burn_high, 100'000);
  ASSERT_TRUE(result.runway_months);
  EXPECT_NEAR(*result.runway_months, 12, kTolerance);
  EXPECT_NEAR(*result.runway_months_low, 12, kTolerance);
  EXPECT_NEAR(*result.runway_months_high, 12, kTolerance);
  EXPECT_FALSE(result.runway_high_unbounded);
  EXPECT_EQ(result.cash_out_date, date(2025, 6, 30));
  EXPECT_EQ(result.cash_out_date_earliest, date(2025, 6, 30));
  EXPECT_EQ(result.cash_out_date_latest, date(2025, 6, 30));
  // The account starts in January: 6 months, not 12, and the note says so.
  EXPECT_TRUE(has_note(result, "transactions start in 2024-01: 6 complete months used of 12"));
}

TEST(Runway, InflowIsNotBurning) {
  std::vector<CashTransaction> transactions;
  for (unsigned month = 1; month <= 4; ++month) {
    transactions.push_back({date(2024, month, 10), 300'000});
    transactions.push_back({date(2024, month, 11), -100'000});
  }
  const RunwayResult result = cash_runway(transactions, 500'000, date(2024, 4, 30));
  EXPECT_TRUE(result.reason_if_null.empty());
  EXPECT_EQ(result.net_flow_per_month, 200'000);
  EXPECT_EQ(result.burn_per_month, -200'000);
  EXPECT_FALSE(result.burning);
  EXPECT_FALSE(result.runway_months);
  EXPECT_EQ(result.runway_reason_if_null,
            "not burning: the weighted net flow is +200000 per month");
  EXPECT_FALSE(result.cash_out_date);
  // No spread: the whole range is an inflow, the long end explicitly unbounded.
  EXPECT_TRUE(result.runway_high_unbounded);
  EXPECT_FALSE(result.runway_months_low);
  EXPECT_FALSE(result.runway_months_high);
  EXPECT_TRUE(has_note(result, "not burning anywhere"));
}

// As of 15 July the month of July is incomplete: its large payment is left out and the note
// says so; the burn is June's and earlier's.
TEST(Runway, IncompleteCurrentMonthIsLeftOut) {
  auto transactions = constant_burn();
  transactions.push_back({date(2024, 7, 3), -5'000'000});
  transactions.push_back({date(2024, 7, 20), -1});  // after the as-of date
  const RunwayResult result = cash_runway(transactions, 1'200'000, date(2024, 7, 15));
  EXPECT_EQ(result.months_used, 6);
  EXPECT_EQ(result.monthly.back().month, std::chrono::year{2024} / std::chrono::June);
  EXPECT_EQ(result.burn_per_month, 100'000);
  EXPECT_NEAR(*result.runway_months, 12, kTolerance);
  EXPECT_TRUE(has_note(result, "2024-07 is incomplete on 2024-07-15: its 1 transactions"));
  EXPECT_TRUE(has_note(result, "1 transactions after 2024-07-15 are not used"));
  // 15 July 2024 + 365 days.
  EXPECT_EQ(result.cash_out_date, date(2025, 7, 15));

  // On the last day of June, June is complete and counts.
  const RunwayResult june = cash_runway(constant_burn(), 1'200'000, date(2024, 6, 29));
  EXPECT_EQ(june.months_used, 5);
  EXPECT_TRUE(has_note(june, "2024-06 is incomplete"));
}

TEST(Runway, NoTransactionsGiveAReason) {
  const std::vector<CashTransaction> none;
  const RunwayResult result = cash_runway(none, 1'000'000, date(2024, 6, 30));
  EXPECT_EQ(result.reason_if_null, "no transactions on or before 2024-06-30");
  EXPECT_FALSE(result.burn_per_month);
  EXPECT_FALSE(result.runway_months);
  EXPECT_FALSE(result.net_flow_per_month);
  EXPECT_EQ(result.months_used, 0);

  // Only in the current, incomplete month.
  const std::vector<CashTransaction> current = {{date(2024, 6, 3), -500}};
  const RunwayResult only_current = cash_runway(current, 1'000, date(2024, 6, 15));
  EXPECT_EQ(only_current.reason_if_null,
            "no complete month of transactions: they start in 2024-06");

  // Only long before the window.
  const std::vector<CashTransaction> old = {{date(2020, 1, 3), -500}};
  const RunwayResult stale = cash_runway(old, 1'000, date(2024, 6, 30));
  EXPECT_EQ(stale.reason_if_null, "no transactions in the 12 complete months up to 2024-06");

  const boost::json::object json = boost::json::parse(to_json(result)).as_object();
  EXPECT_TRUE(json.at("burn_per_month").is_null());
  EXPECT_TRUE(json.at("runway_months").is_null());
  EXPECT_EQ(json.at("reason_if_null").as_string(), "no transactions on or before 2024-06-30");
}

// Burn 50 000 a month in January – March, 150 000 in April – June. Equal weights: 100 000.
// Half-life 3: each month of the first quarter weighs half its counterpart three months
// later, so the burn is (50 000 · ½ + 150 000 · 1) / (½ + 1) = 116 666.67 → 116 667. A burn
// that has been rising counts the recent, higher months more and shortens the runway.
TEST(Runway, RecencyWeightingFavoursRecentMonths) {
  std::vector<CashTransaction> transactions;
  for (unsigned month = 1; month <= 6; ++month) {
    transactions.push_back({date(2024, month, 15), month <= 3 ? -50'000 : -150'000});
  }
  const RunwayResult equal = cash_runway(transactions, 1'400'000, date(2024, 6, 30),
                                         {.months = 12, .half_life_months = std::nullopt});
  const RunwayResult weighted = cash_runway(transactions, 1'400'000, date(2024, 6, 30));
  EXPECT_EQ(equal.burn_per_month, 100'000);
  EXPECT_NEAR(*equal.runway_months, 14, kTolerance);
  EXPECT_EQ(weighted.burn_per_month, 116'667);
  EXPECT_NEAR(*weighted.runway_months, 1'400'000.0 / 116'667, kTolerance);
  EXPECT_LT(*weighted.runway_months, *equal.runway_months);
  // Reliability-weighted standard deviation of the six flows: 52 432.97 → 52 433.
  EXPECT_EQ(weighted.flow_std_dev, 52'433);
  EXPECT_EQ(weighted.burn_low, 49'469);    // 116 666.67 − 1.2816 · 52 432.97
  EXPECT_EQ(weighted.burn_high, 183'865);  // 116 666.67 + 1.2816 · 52 432.97

  // Falling burn: the other way round.
  for (CashTransaction& transaction : transactions)
    transaction.amount = -200'000 - transaction.amount;
  const RunwayResult falling = cash_runway(transactions, 1'400'000, date(2024, 6, 30));
  EXPECT_EQ(falling.burn_per_month, 83'333);  // (150 000 · ½ + 50 000) / 1.5
}

// Two months, −100 000 and −200 000, equal weights: burn 150 000, standard deviation
// √(2 · 50 000²) = 70 710.68; range 150 000 ∓ 90 622.81 = 59 377 … 240 623.
TEST(Runway, IntervalFromTheSpreadOfMonthlyFlows) {
  const std::vector<CashTransaction> transactions = {{date(2024, 5, 10), -100'000},
                                                     {date(2024, 6, 10), -200'000}};
  const RunwayResult result = cash_runway(transactions, 1'200'000, date(2024, 6, 30),
                                          {.months = 12, .half_life_months = std::nullopt});
  EXPECT_EQ(result.burn_per_month, 150'000);
  EXPECT_EQ(result.flow_std_dev, 70'711);
  EXPECT_EQ(result.burn_low, 59'377);
  EXPECT_EQ(result.burn_high, 240'623);
  EXPECT_NEAR(*result.runway_months, 8, kTolerance);
  EXPECT_NEAR(*result.runway_months_low, 1'200'000.0 / 240'623, kTolerance);
  EXPECT_NEAR(*result.runway_months_high, 1'200'000.0 / 59'377, kTolerance);
  EXPECT_LT(*result.cash_out_date_earliest, *result.cash_out_date);
  EXPECT_LT(*result.cash_out_date, *result.cash_out_date_latest);
}

// −300 000 then +100 000: burn 100 000 but a spread of 282 842.71, so the low end of the burn
// is an inflow and the long end of the runway is "not burning", never a division by ≤ 0.
TEST(Runway, UpperBoundNotBurningIsExplicit) {
  const std::vector<CashTransaction> transactions = {{date(2024, 5, 10), -300'000},
                                                     {date(2024, 6, 10), 100'000}};
  const RunwayResult result = cash_runway(transactions, 1'000'000, date(2024, 6, 30),
                                          {.months = 12, .half_life_months = std::nullopt});
  EXPECT_EQ(result.burn_per_month, 100'000);
  EXPECT_EQ(result.burn_low, -262'491);
  EXPECT_EQ(result.burn_high, 462'491);
  EXPECT_NEAR(*result.runway_months, 10, kTolerance);
  EXPECT_NEAR(*result.runway_months_low, 1'000'000.0 / 462'491, kTolerance);
  EXPECT_FALSE(result.runway_months_high);
  EXPECT_TRUE(result.runway_high_unbounded);
  EXPECT_FALSE(result.cash_out_date_latest);
}

TEST(Runway, EdgeCases) {
  // One month: a burn but no spread.
  const std::vector<CashTransaction> one = {{date(2024, 6, 10), -10'000}};
  const RunwayResult single = cash_runway(one, 25'000, date(2024, 6, 30));
  EXPECT_EQ(single.burn_per_month, 10'000);
  EXPECT_NEAR(*single.runway_months, 2.5, kTolerance);
  EXPECT_FALSE(single.flow_std_dev);
  EXPECT_FALSE(single.runway_months_low);
  EXPECT_FALSE(single.interval_reason_if_null.empty());

  // An overdrawn account that burns has no runway left: 0 months, out of cash today.
  const RunwayResult overdrawn = cash_runway(one, -5'000, date(2024, 6, 30));
  EXPECT_NEAR(*overdrawn.runway_months, 0, kTolerance);
  EXPECT_EQ(overdrawn.cash_out_date, date(2024, 6, 30));
  EXPECT_TRUE(has_note(overdrawn, "not positive"));

  // A burn of less than half a minor unit a month rounds to 0: not burning, no division.
  const std::vector<CashTransaction> tiny = {{date(2024, 5, 10), -1}, {date(2024, 6, 10), 0}};
  const RunwayResult almost = cash_runway(tiny, 100, date(2024, 6, 30));
  EXPECT_FALSE(almost.burning);
  EXPECT_FALSE(almost.runway_months);

  // A runway beyond 100 years has no date.
  const RunwayResult far = cash_runway(one, 1'000'000'000'000, date(2024, 6, 30));
  EXPECT_TRUE(far.runway_months);
  EXPECT_FALSE(far.cash_out_date);

  // Invalid options and dates.
  EXPECT_FALSE(cash_runway(one, 1, date(2024, 6, 30), {.months = 0}).reason_if_null.empty());
  EXPECT_FALSE(cash_runway(one, 1, date(2024, 6, 30), {.months = 12, .half_life_months = 0})
                   .reason_if_null.empty());
  EXPECT_FALSE(cash_runway(one, 1, date(2024, 2, 30)).reason_if_null.empty());

  // Transactions whose sum leaves 64 bits: a reason, not a wrapped number.
  const std::vector<CashTransaction> huge = {{date(2024, 6, 1), INT64_MAX},
                                             {date(2024, 6, 2), INT64_MAX}};
  EXPECT_FALSE(cash_runway(huge, 0, date(2024, 6, 30)).reason_if_null.empty());

  // A window of 3 months ignores older transactions and says so.
  const RunwayResult short_window =
      cash_runway(constant_burn(), 600'000, date(2024, 6, 30), {.months = 3});
  EXPECT_EQ(short_window.months_used, 3);
  EXPECT_TRUE(has_note(short_window, "6 transactions before 2024-04"));
}

TEST(RunwayJson, MoneyAsIntegersAndExplicitNulls) {
  const RunwayResult result = cash_runway(constant_burn(), 1'200'000, date(2024, 7, 15));
  const boost::json::object json = boost::json::parse(to_json(result)).as_object();
  EXPECT_EQ(json.at("as_of").as_string(), "2024-07-15");
  EXPECT_EQ(json.at("cash_balance").as_int64(), 1'200'000);
  EXPECT_EQ(json.at("burn_per_month").as_int64(), 100'000);
  EXPECT_EQ(json.at("net_flow_per_month").as_int64(), -100'000);
  EXPECT_TRUE(json.at("burning").as_bool());
  EXPECT_EQ(json.at("runway_months").to_number<double>(), 12);
  EXPECT_EQ(json.at("cash_out_date").as_string(), "2025-07-15");
  EXPECT_EQ(json.at("interval_level").to_number<double>(), 0.8);
  EXPECT_FALSE(json.at("runway_high_unbounded").as_bool());
  const boost::json::array& monthly = json.at("monthly").as_array();
  ASSERT_EQ(monthly.size(), 6u);
  EXPECT_EQ(monthly[0].as_object().at("month").as_string(), "2024-01");
  EXPECT_EQ(monthly[0].as_object().at("outflow").as_int64(), -150'000);
  EXPECT_EQ(monthly[0].as_object().at("weight").to_number<double>(), 0.315);  // 2^(−5/3)
  EXPECT_FALSE(json.at("notes").as_array().empty());
  EXPECT_TRUE(json.at("reason_if_null").is_null());

  std::vector<CashTransaction> inflow = {{date(2024, 6, 1), 10}};
  const boost::json::object not_burning =
      boost::json::parse(to_json(cash_runway(inflow, 5, date(2024, 6, 30)))).as_object();
  EXPECT_TRUE(not_burning.at("runway_months").is_null());
  EXPECT_FALSE(not_burning.at("burning").as_bool());
  EXPECT_EQ(not_burning.at("runway_reason_if_null").as_string(),
            "not burning: the weighted net flow is +10 per month");
}

}  // namespace
}  // namespace aic::finance
