// The budget ledger: what a request may reserve, how settling replaces a reservation, and how
// commits and refreshes from the database move spend.
#include "ai/budget.hpp"

#include <gtest/gtest.h>

namespace aic::ai {
namespace {

using Clock = BudgetLedger::Clock;

Budget budget(std::string id, std::string subject, std::int64_t limit) {
  Budget out;
  out.id = std::move(id);
  out.tenant_id = "ten_a";
  out.scope = subject.empty() ? BudgetScope::kTenant : BudgetScope::kApiKey;
  out.subject_id = std::move(subject);
  out.monthly_limit_microdollars = limit;
  out.thresholds_percent = default_thresholds();
  return out;
}

// A ledger that knows the tenant's budget ($1) and key k1's ($0.40), with `spent` recorded.
struct Fixture {
  BudgetLedger ledger{std::chrono::seconds(5)};
  Clock::time_point now = Clock::now();
  std::vector<std::string> scopes = spend_scopes("k1", "");

  explicit Fixture(std::int64_t tenant_spent = 0, std::int64_t key_spent = 0) {
    ledger.apply("ten_a", "2026-12",
                 {{"", budget("bud_t", "", 1'000'000), tenant_spent},
                  {"k1", budget("bud_k", "k1", 400'000), key_spent}},
                 now);
  }
  std::unique_ptr<BudgetHold> admit(std::int64_t estimate) {
    auto result = ledger.reserve("ten_a", scopes, "2026-12", estimate);
    if (auto* hold = std::get_if<std::unique_ptr<BudgetHold>>(&result)) return std::move(*hold);
    return nullptr;
  }
  std::optional<BudgetRefusal> refusal(std::int64_t estimate) {
    auto result = ledger.reserve("ten_a", scopes, "2026-12", estimate);
    if (auto* refused = std::get_if<BudgetRefusal>(&result)) return *refused;
    return std::nullopt;
  }
};

TEST(BudgetValues, ScopesLeaveOutTokensAndAddServiceAccounts) {
  EXPECT_EQ(spend_scopes("k1", ""), (std::vector<std::string>{"", "k1"}));
  EXPECT_EQ(spend_scopes("tok_abc", "sa_1"), (std::vector<std::string>{"", "sa_1"}));
  EXPECT_EQ(spend_scopes("k2", "sa_1"), (std::vector<std::string>{"", "k2", "sa_1"}));
  EXPECT_EQ(spend_scopes("", ""), (std::vector<std::string>{""}));
}

TEST(BudgetValues, MonthsAndDollars) {
  EXPECT_EQ(month_of("2026-12-04T10:11:12.345Z"), "2026-12");
  EXPECT_EQ(next_month_start("2026-12"), "2027-01-01");
  EXPECT_EQ(next_month_start("2026-02"), "2026-03-01");
  EXPECT_EQ(format_dollars(1'234'567), "1.234567");
  EXPECT_EQ(format_dollars(5), "0.000005");
  EXPECT_EQ(format_dollars(-1'500'000), "-1.500000");
}

TEST(BudgetValues, ThresholdsAndLimitsAreChecked) {
  EXPECT_TRUE(validate_thresholds({50, 80, 100}, "/t"));
  EXPECT_TRUE(validate_thresholds({}, "/t"));
  auto repeated = validate_thresholds({50, 50}, "/t");
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().field, "/t/1");
  EXPECT_EQ(validate_thresholds({0}, "/t").error().field, "/t/0");
  EXPECT_EQ(validate_thresholds({101}, "/t").error().field, "/t/0");
  EXPECT_FALSE(validate_thresholds({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "/t"));
  EXPECT_TRUE(validate_limit(0, "/l"));
  EXPECT_FALSE(validate_limit(-1, "/l"));
  EXPECT_FALSE(validate_limit(1'000'000'000'000'001, "/l"));
}

TEST(BudgetLedger, ScopesWithoutBudgetsNeedNoHold) {
  BudgetLedger ledger(std::chrono::seconds(5));
  auto now = Clock::now();
  std::vector<std::string> scopes = spend_scopes("k9", "");
  EXPECT_EQ(ledger.stale("ten_b", scopes, "2026-12", now).size(), 2u);
  ledger.apply("ten_b", "2026-12", {{"", std::nullopt, 0}, {"k9", std::nullopt, 0}}, now);
  EXPECT_TRUE(ledger.stale("ten_b", scopes, "2026-12", now).empty());
  auto result = ledger.reserve("ten_b", scopes, "2026-12", 1'000'000'000);
  auto* hold = std::get_if<std::unique_ptr<BudgetHold>>(&result);
  ASSERT_NE(hold, nullptr);
  EXPECT_EQ(*hold, nullptr);
}

TEST(BudgetLedger, ReservationsAddUpSoConcurrentRequestsCannotOverrun) {
  Fixture f;
  auto first = f.admit(150'000);
  auto second = f.admit(150'000);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  // 300,000 of the key's 400,000 are held: a third 150,000 does not fit.
  auto refused = f.refusal(150'000);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->budget.id, "bud_k");
  EXPECT_EQ(refused->spent, 300'000);
  EXPECT_EQ(refused->estimate, 150'000);
  EXPECT_EQ(f.ledger.in_flight("ten_a", "k1", "2026-12"), 300'000);
  // The first request ends having cost less than it reserved: the difference is free again.
  first->settle(20'000, "2026-12");
  EXPECT_EQ(f.ledger.in_flight("ten_a", "k1", "2026-12"), 170'000);
  EXPECT_NE(f.admit(150'000), nullptr);
}

TEST(BudgetLedger, AnUnsettledHoldReleasesItsReservation) {
  Fixture f;
  { auto hold = f.admit(390'000); }
  EXPECT_EQ(f.ledger.in_flight("ten_a", "k1", "2026-12"), 0);
  EXPECT_NE(f.admit(390'000), nullptr);
}

TEST(BudgetLedger, TheTenantBudgetLimitsEveryKey) {
  Fixture f(/*tenant_spent=*/950'000, /*key_spent=*/0);
  auto refused = f.refusal(60'000);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->budget.id, "bud_t");
  EXPECT_EQ(refused->spent, 950'000);
  EXPECT_NE(f.admit(50'000), nullptr);  // exactly the rest fits
}

TEST(BudgetLedger, ASpentBudgetRefusesEvenFreeRequests) {
  Fixture f(0, 400'000);
  EXPECT_TRUE(f.refusal(1).has_value());
  EXPECT_NE(f.admit(0), nullptr);  // nothing to pay (an unpriced model) is still admitted
}

TEST(BudgetLedger, CommitsMovePendingSpendToCommitted) {
  Fixture f;
  auto hold = f.admit(100'000);
  hold->settle(70'000, "2026-12");
  EXPECT_EQ(f.ledger.in_flight("ten_a", "k1", "2026-12"), 70'000);
  // The usage writer committed it; another replica had spent 10,000 meanwhile.
  f.ledger.committed({{"ten_a", "k1", "2026-12", 80'000, 70'000}});
  EXPECT_EQ(f.ledger.in_flight("ten_a", "k1", "2026-12"), 0);
  auto refused = f.refusal(400'000 - 80'000 + 1);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->spent, 80'000);
}

TEST(BudgetLedger, ARefreshNeverLowersSpend) {
  Fixture f(0, 300'000);
  // A read that started before a commit and finished after it.
  f.ledger.apply("ten_a", "2026-12", {{"k1", budget("bud_k", "k1", 400'000), 250'000}}, f.now);
  EXPECT_TRUE(f.refusal(100'001).has_value());
  EXPECT_NE(f.admit(100'000), nullptr);
}

TEST(BudgetLedger, ScopesGoStaleAfterTheRefreshIntervalOrAChange) {
  Fixture f;
  EXPECT_TRUE(f.ledger.stale("ten_a", f.scopes, "2026-12", f.now).empty());
  EXPECT_EQ(f.ledger.stale("ten_a", f.scopes, "2026-12", f.now + std::chrono::seconds(5)).size(),
            2u);
  f.ledger.invalidate("ten_a");
  EXPECT_EQ(f.ledger.stale("ten_a", f.scopes, "2026-12", f.now).size(), 2u);
  // Another tenant's entries are not touched.
  f.ledger.apply("ten_b", "2026-12", {{"", std::nullopt, 0}}, f.now);
  f.ledger.invalidate("ten_a");
  EXPECT_TRUE(f.ledger.stale("ten_b", {""}, "2026-12", f.now).empty());
}

TEST(BudgetLedger, ANewMonthStartsFromItsOwnSpend) {
  Fixture f(0, 400'000);
  EXPECT_TRUE(f.refusal(1).has_value());
  f.ledger.apply("ten_a", "2027-01", {{"k1", budget("bud_k", "k1", 400'000), 0}}, f.now);
  auto result = f.ledger.reserve("ten_a", {"k1"}, "2027-01", 1);
  EXPECT_NE(std::get_if<std::unique_ptr<BudgetHold>>(&result), nullptr);
  // December's entries were dropped: a request still reading them would reload them.
  EXPECT_EQ(f.ledger.stale("ten_a", {"k1"}, "2026-12", f.now).size(), 1u);
}

TEST(BudgetLedger, ARequestEndingInTheNextMonthCountsThere) {
  Fixture f;
  auto hold = f.admit(100'000);
  f.ledger.apply("ten_a", "2027-01", {{"k1", budget("bud_k", "k1", 400'000), 0}}, f.now);
  hold->settle(50'000, "2027-01");
  EXPECT_EQ(f.ledger.in_flight("ten_a", "k1", "2027-01"), 50'000);
}

}  // namespace
}  // namespace aic::ai
