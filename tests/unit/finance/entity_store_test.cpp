// EntityStore on SQLite and PostgreSQL: statements, prices, bank data and news imported, and
// what is computed from them — risk, sentiment, benchmarks, cached insights and the
// insights.updated events.
#include "finance/entity_store.hpp"

#include <gtest/gtest.h>

#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::finance {
namespace {

using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

constexpr std::string_view kStatements =
    "period_end,length,revenue,cogs,ebit,interest_expense,net_income,cash,current_assets,"
    "total_assets,current_liabilities,total_liabilities,retained_earnings,equity,"
    "shares_outstanding\n"
    "2023-12-31,annual,1000,600,100,10,70,50,300,1000,150,500,200,500,100\n"
    "2024-12-31,annual,1100,650,120,10,85,60,330,1050,150,520,260,530,100\n";

class EntityStoreTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(ok(store::apply_migrations(db(), store::builtin_migrations())));
    ASSERT_TRUE(ok(store::testing::write(db(),
                                         "INSERT INTO tenants (id, slug, name, plan, created_at) "
                                         "VALUES ('ten_a', 'a', 'a', 'standard', "
                                         "'2026-01-01T00:00:00Z')")));
    audit_ = std::make_unique<audit::AuditLog>(db(), core::system_random());
    events_ = std::make_unique<events::EventLog>(db(), core::system_random());
    store_ = std::make_unique<EntityStore>(db(), core::system_random(), *audit_, *events_);
    owner_.id = "usr_a";
    owner_.tenant_id = "ten_a";
    owner_.role = "owner";
  }
  void TearDown() override {
    store_.reset();
    events_.reset();
    audit_.reset();
    BackendTest::TearDown();
  }

  std::string entity(const std::string& name, const std::string& industry) {
    NewEntity request;
    request.name = name;
    request.currency = "EUR";
    request.industry_code = industry;
    request.is_public = true;
    request.manufacturing = true;
    auto created = store_->create_entity(owner_, request, {});
    EXPECT_TRUE(ok(created));
    return created ? created->id : "";
  }

  std::int64_t count(const std::string& sql) {
    auto rows = store::testing::read(db(), sql, {});
    EXPECT_TRUE(ok(rows));
    return rows ? rows->integer(0, 0) : -1;
  }

  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<events::EventLog> events_;
  std::unique_ptr<EntityStore> store_;
  core::Principal owner_;
};

TEST_P(EntityStoreTest, ImportsFeedRiskSentimentAndCachedInsights) {
  const std::string id = entity("Store Test AG", "3327");
  ASSERT_TRUE(ok(store_->import_statements_csv(owner_, id, kStatements, {})));
  auto prices = store_->import_prices_csv(owner_, id, "date,close\n2024-12-31,12.5\n", {});
  ASSERT_TRUE(ok(prices));
  EXPECT_EQ(prices->added, 1);
  auto corrected = store_->import_prices_csv(owner_, id, "date,close\n2024-12-31,12.75\n", {});
  ASSERT_TRUE(ok(corrected));
  EXPECT_EQ(corrected->updated, 1);
  auto scores = store_->scores(owner_, id, PeriodLength::kAnnual, std::nullopt);
  ASSERT_TRUE(ok(scores));
  ASSERT_TRUE(scores->price.has_value());
  EXPECT_EQ(scores->price->close, 12'750'000);
  EXPECT_DOUBLE_EQ(*scores->scores.period.market_value_equity, 1275.0);

  // Two months of 100.00 EUR net out each, 500.00 left.
  BankStatement statement;
  statement.account = "DE89370400440532013000";
  statement.currency = "EUR";
  for (int month = 1; month <= 3; ++month) {
    BankTransaction t;
    t.booking_date = *make_date(2025, month, 10);
    t.amount = -10'000;
    t.reference = "R" + std::to_string(month);
    statement.transactions.push_back(t);
  }
  statement.closing = Balance{*make_date(2025, 3, 31), 50'000};
  ASSERT_TRUE(ok(store_->import_bank_statements(owner_, id, "mt940", "file", {statement}, {})));
  auto risk = store_->risk(owner_, id, PeriodLength::kAnnual);
  ASSERT_TRUE(ok(risk));
  ASSERT_TRUE(risk->runway.has_value());
  EXPECT_EQ(risk->runway->cash_balance, 50'000);
  ASSERT_TRUE(risk->runway->runway_months.has_value());
  EXPECT_NEAR(*risk->runway->runway_months, 5.0, 1e-9);

  auto news = store_->import_news_json(
      owner_, id,
      R"([{"headline":"Store Test AG operating profit rose to EUR 5 mn","published_at":"2025-03-01T10:00:00Z"},)"
      R"({"headline":"Store Test AG to cut 50 jobs","published_at":"2025-03-01T12:00:00Z"},)"
      R"({"headline":"Store Test AG is based in Ulm","published_at":"2025-03-02T08:00:00Z"}])",
      {});
  ASSERT_TRUE(ok(news));
  EXPECT_EQ(news->added, 3);
  auto sentiment = store_->news_sentiment(owner_, id, 30);
  ASSERT_TRUE(ok(sentiment));
  EXPECT_EQ(sentiment->items, 3);
  EXPECT_EQ(sentiment->positive, 1);
  EXPECT_EQ(sentiment->negative, 1);
  ASSERT_EQ(sentiment->days.size(), 2u);
  EXPECT_EQ(sentiment->days[0].items, 2);

  // One insights.updated per new data version and length; none for an unchanged one.
  const std::int64_t before = count("SELECT COUNT(*) FROM events WHERE type = 'insights.updated'");
  auto first = store_->insights(owner_, id, PeriodLength::kAnnual);
  ASSERT_TRUE(ok(first));
  auto again = store_->insights(owner_, id, PeriodLength::kAnnual);
  ASSERT_TRUE(ok(again));
  EXPECT_EQ(*first, *again);
  ASSERT_TRUE(ok(store_->refresh_insights(owner_, id, PeriodLength::kAnnual)));
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE type = 'insights.updated'"), before + 1);
  EXPECT_NE(first->find("\"insights.runway_burning\""), std::string::npos) << *first;
}

TEST_P(EntityStoreTest, AutomaticPeersShareTheLongestIndustryPrefix) {
  const std::string id = entity("Target", "332722");
  ASSERT_TRUE(ok(store_->import_statements_csv(owner_, id, kStatements, {})));
  for (const char* code : {"332710", "332720", "332799", "331100"}) {
    const std::string peer = entity(std::string("Peer ") + code, code);
    ASSERT_TRUE(ok(store_->import_statements_csv(owner_, peer, kStatements, {})));
  }
  auto benchmark = store_->benchmark(owner_, id, {}, PeriodLength::kAnnual);
  ASSERT_TRUE(ok(benchmark));
  // "3327" has three peers, "33272" only one.
  EXPECT_EQ(benchmark->peer_ids.size(), 3u);
  EXPECT_EQ(benchmark->peer_group, "industry 3327, total assets 0.25x to 4x");
  for (const MetricBenchmark& metric : benchmark->metrics) {
    if (metric.metric != "current_ratio") continue;
    EXPECT_EQ(metric.peers, 3);
    EXPECT_DOUBLE_EQ(*metric.percentile, 50.0);  // identical statements: all ties
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EntityStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::finance
