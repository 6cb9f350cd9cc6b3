// Budgets and spend counters in the database, on SQLite and PostgreSQL: the migration's
// back-fill from recorded usage, counters added to by concurrent writers (replicas), threshold
// events sent exactly once, and the budget API's checks and tenant isolation.
#include "ai/budget_store.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "core/utc_time.hpp"

#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::ai {
namespace {

namespace json = boost::json;
using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

class BudgetStoreTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(ok(store::apply_migrations(db(), migrations())));
    for (const char* tenant : {"ten_a", "ten_b"}) {
      ASSERT_TRUE(
          ok(store::testing::write(db(),
                                   "INSERT INTO tenants (id, slug, name, plan, created_at) "
                                   "VALUES ($1, $1, $1, 'standard', '2026-01-01T00:00:00Z')",
                                   {std::string(tenant)})));
    }
    ASSERT_TRUE(ok(store::testing::write(
        db(),
        "INSERT INTO api_keys (id, tenant_id, principal_kind, principal_id, name, role, "
        "secret_hash, created_at) VALUES ('k1', 'ten_a', 'user', 'usr_a', 'k', 'analyst', 'h', "
        "'2026-01-01T00:00:00Z'), ('k2', 'ten_b', 'user', 'usr_b', 'k', 'analyst', 'h', "
        "'2026-01-01T00:00:00Z')")));
    audit_ = std::make_unique<audit::AuditLog>(db(), core::system_random());
    events_ = std::make_unique<events::EventLog>(db(), core::system_random());
    store_ = std::make_unique<BudgetStore>(db(), core::system_random(), *audit_, *events_);
    a_.id = "usr_a";
    a_.tenant_id = "ten_a";
    a_.credential_id = "k0";
    b_.id = "usr_b";
    b_.tenant_id = "ten_b";
  }
  // The schema SetUp creates: all of it, unless a test starts from an older one.
  virtual std::span<const store::Migration> migrations() const {
    return store::builtin_migrations();
  }

  void TearDown() override {
    store_.reset();
    events_.reset();
    audit_.reset();
    BackendTest::TearDown();
  }

  std::int64_t integer(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = store::testing::read(db(), sql, params);
    EXPECT_TRUE(ok(rows));
    return rows && !rows->rows.empty() ? rows->integer(0, 0) : -1;
  }

  std::vector<json::object> threshold_events(const std::string& tenant) {
    std::vector<json::object> out;
    auto events = events_->read_after(tenant, 0, 1000);
    EXPECT_TRUE(ok(events));
    if (!events) return out;
    for (const auto& event : *events) {
      if (event.type == "ai.budget.threshold_reached")
        out.push_back(json::parse(event.data).as_object());
    }
    return out;
  }

  core::Result<std::vector<CommittedSpend>> add(BudgetStore& store, store::Database& database,
                                                std::vector<SpendItem> items) {
    std::vector<CommittedSpend> out;
    auto status = database.transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
      auto added = store.add_spend(tx, items);
      if (!added) return core::Status(std::move(added).error());
      out = std::move(*added);
      return core::Status();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<events::EventLog> events_;
  std::unique_ptr<BudgetStore> store_;
  core::Principal a_;
  core::Principal b_;
};

// A database that recorded usage before budgets existed: migrations 1–13, then the rest.
class BudgetMigrationTest : public BudgetStoreTest {
 protected:
  std::span<const store::Migration> migrations() const override {
    return store::builtin_migrations().first(13);
  }
};

TEST_P(BudgetMigrationTest, StartsTheCountersFromRecordedUsage) {
  store::Database& older = db();
  const char* insert =
      "INSERT INTO ai_usage (id, tenant_id, credential_id, model, provider, route, outcome, "
      "stream, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, "
      "cost_microdollars, duration_us, request_id, day, occurred_at) VALUES ($1, 'ten_a', $2, "
      "'m', 'p', '', 'ok', 0, 1, 1, 0, 0, $3, 1, 'r', $4, $4)";
  struct Row {
    const char* id;
    const char* credential;
    std::int64_t cost;
    const char* day;
  };
  for (const Row& row :
       {Row{"u1", "k1", 100, "2026-11-30"}, Row{"u2", "k1", 5, "2026-12-01"},
        Row{"u3", "k1", 7, "2026-12-03"}, Row{"u4", "tok_abc", 11, "2026-12-03"}}) {
    ASSERT_TRUE(ok(store::testing::write(
        older, insert,
        {std::string(row.id), std::string(row.credential), row.cost, std::string(row.day)})));
  }
  ASSERT_TRUE(ok(store::apply_migrations(older, store::builtin_migrations())));
  auto spend = [&](const std::string& scope, const std::string& month) {
    auto rows = store::testing::read(
        older, "SELECT cost_microdollars, requests FROM ai_spend WHERE scope = $1 AND month = $2",
        {scope, month});
    EXPECT_TRUE(ok(rows));
    return rows && !rows->rows.empty() ? std::pair(rows->integer(0, 0), rows->integer(0, 1))
                                       : std::pair(std::int64_t{-1}, std::int64_t{-1});
  };
  EXPECT_EQ(spend("", "2026-11"), std::pair(std::int64_t{100}, std::int64_t{1}));
  EXPECT_EQ(spend("", "2026-12"), std::pair(std::int64_t{23}, std::int64_t{3}));
  EXPECT_EQ(spend("k1", "2026-12"), std::pair(std::int64_t{12}, std::int64_t{2}));
  // OAuth tokens get no counter of their own.
  EXPECT_EQ(spend("tok_abc", "2026-12").first, -1);
}

TEST_P(BudgetStoreTest, CountersAddUpAcrossReplicasAndThresholdsFireOnce) {
  auto created = store_->create(a_, {BudgetScope::kTenant, "", 1000, {50, 80, 100}}, {});
  ASSERT_TRUE(ok(created));
  // Two "replicas", each with its own connections, add 10 × 10 micro-dollars at once.
  auto other_db = open(options());
  ASSERT_NE(other_db, nullptr);
  BudgetStore other(*other_db, core::system_random(), *audit_, *events_);
  auto work = [&](BudgetStore& store, store::Database& database) {
    for (int i = 0; i < 10; ++i) {
      // The tenant, its key k1: one request each time.
      auto added = add(store, database, {{"ten_a", {"", "k1"}, "2026-12", 50}});
      EXPECT_TRUE(ok(added));
    }
  };
  std::thread first([&] { work(*store_, db()); });
  std::thread second([&] { work(other, *other_db); });
  first.join();
  second.join();
  EXPECT_EQ(integer("SELECT cost_microdollars FROM ai_spend WHERE tenant_id = 'ten_a' AND "
                    "scope = '' AND month = '2026-12'"),
            1000);
  EXPECT_EQ(integer("SELECT requests FROM ai_spend WHERE scope = 'k1'"), 20);
  auto events = threshold_events("ten_a");
  ASSERT_EQ(events.size(), 3u);
  std::set<std::int64_t> thresholds;
  for (auto& data : events) {
    thresholds.insert(data["threshold_percent"].as_int64());
    EXPECT_EQ(data["budget_id"], json::value(created->budget.id));
    EXPECT_EQ(data["scope"], "tenant");
    EXPECT_TRUE(data["subject_id"].is_null());
    EXPECT_EQ(data["month"], "2026-12");
    EXPECT_EQ(data["limit_microdollars"], 1000);
    EXPECT_GE(data["spent_microdollars"].as_int64(),
              1000 * data["threshold_percent"].as_int64() / 100);
  }
  EXPECT_EQ(thresholds, (std::set<std::int64_t>{50, 80, 100}));
  // Another month starts again from zero.
  auto next = add(*store_, db(), {{"ten_a", {""}, "2027-01", 400}});
  ASSERT_TRUE(ok(next));
  EXPECT_EQ((*next)[0].total, 400);
  EXPECT_EQ(threshold_events("ten_a").size(), 3u);
}

TEST_P(BudgetStoreTest, AChangedLimitReArmsTheMonthsThresholds) {
  std::string month = month_of(core::utc_now_millis());
  auto created = store_->create(a_, {BudgetScope::kApiKey, "k1", 100, {50}}, {});
  ASSERT_TRUE(ok(created));
  ASSERT_TRUE(ok(add(*store_, db(), {{"ten_a", {"", "k1"}, month, 60}})));
  ASSERT_EQ(threshold_events("ten_a").size(), 1u);
  ASSERT_TRUE(ok(add(*store_, db(), {{"ten_a", {"", "k1"}, month, 1}})));
  ASSERT_EQ(threshold_events("ten_a").size(), 1u);
  auto raised = store_->update(a_, created->budget.id, {1000, std::nullopt}, 1, {});
  ASSERT_TRUE(ok(raised));
  EXPECT_EQ(raised->budget.version, 2);
  EXPECT_EQ(raised->spent, 61);
  ASSERT_TRUE(ok(add(*store_, db(), {{"ten_a", {"", "k1"}, month, 500}})));
  auto events = threshold_events("ten_a");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["limit_microdollars"], 1000);
  EXPECT_EQ(events[1]["spent_microdollars"], 561);
  // A stale version is refused.
  auto stale = store_->update(a_, created->budget.id, {5, std::nullopt}, 1, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, core::ErrorCode::kPreconditionFailed);
}

TEST_P(BudgetStoreTest, BudgetsBelongToTheirTenant) {
  auto missing = store_->create(a_, {BudgetScope::kApiKey, "k2", 5, {}}, {});  // ten_b's key
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().field, "/subject_id");
  auto service = store_->create(a_, {BudgetScope::kServiceAccount, "sa_nobody", 5, {}}, {});
  ASSERT_FALSE(service);
  EXPECT_EQ(service.error().code, core::ErrorCode::kNotFound);
  auto created = store_->create(a_, {BudgetScope::kApiKey, "k1", 5, {}}, {});
  ASSERT_TRUE(ok(created));
  auto twice = store_->create(a_, {BudgetScope::kApiKey, "k1", 9, {}}, {});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(store_->get(b_, created->budget.id).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->remove(b_, created->budget.id, {}).error().code, core::ErrorCode::kNotFound);
  auto listed = store_->list(b_, {});
  ASSERT_TRUE(ok(listed));
  EXPECT_TRUE(listed->items.empty());
  listed = store_->list(a_, {});
  ASSERT_TRUE(ok(listed));
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].budget.subject_id, "k1");
  // The ledger's view: the budget and this month's counter for each scope asked about.
  std::string month = month_of(core::utc_now_millis());
  ASSERT_TRUE(ok(add(*store_, db(), {{"ten_a", {"", "k1"}, month, 3}})));
  auto snapshot = store_->snapshot("ten_a", {"", "k1"}, month);
  ASSERT_TRUE(ok(snapshot));
  ASSERT_EQ(snapshot->size(), 2u);
  EXPECT_FALSE((*snapshot)[0].budget.has_value());
  EXPECT_EQ((*snapshot)[0].committed, 0);  // not read: there is no budget to check it against
  ASSERT_TRUE((*snapshot)[1].budget.has_value());
  EXPECT_EQ((*snapshot)[1].budget->monthly_limit_microdollars, 5);
  EXPECT_EQ((*snapshot)[1].committed, 3);
  ASSERT_TRUE(ok(store_->remove(a_, created->budget.id, {})));
  EXPECT_EQ(integer("SELECT COUNT(*) FROM ai_budgets"), 0);
  // Every change was audited.
  auto actions = store::testing::read(db(), "SELECT action FROM audit_events ORDER BY seq");
  ASSERT_TRUE(ok(actions));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < actions->rows.size(); ++i) names.push_back(actions->text(i, 0));
  EXPECT_EQ(names, (std::vector<std::string>{"ai_budget.created", "ai_budget.deleted"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, BudgetMigrationTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);
INSTANTIATE_TEST_SUITE_P(Backends, BudgetStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::ai
