// Schema migrations, run against both backends.
#include "store/migrations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store_test_support.hpp"

namespace aic::store::testing {
namespace {

using core::ErrorCode;

bool is_lower_hex(const std::string& text, std::size_t length) {
  return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// RFC 3339 in UTC to the second: 2024-02-29T12:34:56Z.
bool is_utc_timestamp(const std::string& text) {
  constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != kPattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kPattern[i] == 'd' ? !digit : text[i] != kPattern[i]) return false;
  }
  return true;
}

class MigrationsTest : public BackendTest {
 protected:
  // The built-in migrations followed by `extra` (numbered on from the last built-in one).
  static std::vector<Migration> builtin_plus(std::vector<Migration> extra) {
    std::vector<Migration> all(builtin_migrations().begin(), builtin_migrations().end());
    for (Migration& migration : extra) {
      migration.version = static_cast<int>(all.size()) + 1;
      all.push_back(std::move(migration));
    }
    return all;
  }
  static Migration same_sql(std::string name, std::string sql) {
    return Migration{0, std::move(name), sql, sql};
  }
  bool table_exists(const std::string& table) {
    return read(db(), "SELECT count(*) FROM " + table).has_value();
  }
};

TEST_P(MigrationsTest, BuiltinMigrationsAreNumberedFromOne) {
  std::span<const Migration> migrations = builtin_migrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].sqlite_sql.empty());
    EXPECT_FALSE(migrations[i].postgres_sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "create_instance");
}

TEST_P(MigrationsTest, FreshDatabaseHasEveryMigrationPending) {
  Result<MigrationStatus> status = migration_status(db(), builtin_migrations());
  ASSERT_TRUE(ok(status));
  EXPECT_EQ(status->current_version, 0);
  EXPECT_EQ(status->latest_version, static_cast<int>(builtin_migrations().size()));
  EXPECT_EQ(status->pending.size(), builtin_migrations().size());
  EXPECT_FALSE(status->up_to_date());
  EXPECT_FALSE(table_exists("schema_migrations"));  // reading the status changes nothing
}

TEST_P(MigrationsTest, ApplyBringsTheDatabaseUpToDate) {
  Result<std::vector<int>> applied = apply_migrations(db(), builtin_migrations());
  ASSERT_TRUE(ok(applied));
  std::vector<int> expected;
  for (const Migration& migration : builtin_migrations()) expected.push_back(migration.version);
  EXPECT_EQ(*applied, expected);

  Result<MigrationStatus> status = migration_status(db(), builtin_migrations());
  ASSERT_TRUE(ok(status));
  EXPECT_TRUE(status->up_to_date());
  EXPECT_EQ(status->current_version, status->latest_version);

  Result<QueryResult> recorded = read(
      db(), "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(ok(recorded));
  ASSERT_EQ(recorded->rows.size(), builtin_migrations().size());
  EXPECT_EQ(recorded->text(0, 1), "create_instance");
  EXPECT_TRUE(is_lower_hex(recorded->text(0, 2), 64));
  EXPECT_TRUE(is_utc_timestamp(recorded->text(0, 3))) << recorded->text(0, 3);
}

TEST_P(MigrationsTest, CreateInstanceStoresOneRandomInstanceRow) {
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  Result<QueryResult> instance = read(db(), "SELECT id, created_at FROM instance");
  ASSERT_TRUE(ok(instance));
  ASSERT_EQ(instance->rows.size(), 1u);
  EXPECT_TRUE(is_lower_hex(instance->text(0, 0), 32)) << instance->text(0, 0);
  EXPECT_TRUE(is_utc_timestamp(instance->text(0, 1))) << instance->text(0, 1);
  Result<QueryResult> second =
      write(db(), "INSERT INTO instance (id, created_at) VALUES ('0123', '2024-01-01T00:00:00Z')");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
}

TEST_P(MigrationsTest, ApplyingAgainDoesNothing) {
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  Result<std::vector<int>> again = apply_migrations(db(), builtin_migrations());
  ASSERT_TRUE(ok(again));
  EXPECT_TRUE(again->empty());
}

TEST_P(MigrationsTest, LaterMigrationsApplyInOrder) {
  const std::vector<Migration> known =
      builtin_plus({same_sql("create_widgets", "CREATE TABLE widgets (id BIGINT PRIMARY KEY)"),
                    same_sql("add_widget_name", "ALTER TABLE widgets ADD COLUMN name TEXT")});
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  Result<std::vector<int>> applied = apply_migrations(db(), known);
  ASSERT_TRUE(ok(applied));
  const int first_new = static_cast<int>(builtin_migrations().size()) + 1;
  EXPECT_EQ(*applied, (std::vector<int>{first_new, first_new + 1}));
  EXPECT_TRUE(ok(read(db(), "SELECT id, name FROM widgets")));
}

TEST_P(MigrationsTest, ConcurrentCallersApplyEachMigrationOnce) {
  // Two Database instances, as two replicas starting at the same time would have.
  std::unique_ptr<Database> other = open(options());
  ASSERT_NE(other, nullptr);
  Rendezvous start(2);
  std::vector<Result<std::vector<int>>> results(2, std::vector<int>{});
  std::thread one([&] {
    EXPECT_TRUE(start.arrive_and_wait());
    results[0] = apply_migrations(db(), builtin_migrations());
  });
  std::thread two([&] {
    EXPECT_TRUE(start.arrive_and_wait());
    results[1] = apply_migrations(*other, builtin_migrations());
  });
  one.join();
  two.join();
  ASSERT_TRUE(ok(results[0]));
  ASSERT_TRUE(ok(results[1]));
  std::vector<int> all = *results[0];
  all.insert(all.end(), results[1]->begin(), results[1]->end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected;
  for (const Migration& migration : builtin_migrations()) expected.push_back(migration.version);
  EXPECT_EQ(all, expected);
  Result<QueryResult> instances = read(db(), "SELECT count(*) FROM instance");
  ASSERT_TRUE(ok(instances));
  EXPECT_EQ(instances->integer(0, 0), 1);
}

TEST_P(MigrationsTest, NewerDatabaseIsRefused) {
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  ASSERT_TRUE(ok(write(db(),
                       "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                       "VALUES (999, 'from_the_future', 'x', '2030-01-01T00:00:00Z')")));
  const std::string expected = "database schema version 999 is newer than this binary supports (" +
                               std::to_string(builtin_migrations().size()) + "); upgrade aic";
  Result<MigrationStatus> status = migration_status(db(), builtin_migrations());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(status.error().message, expected);

  Result<std::vector<int>> applied = apply_migrations(db(), builtin_migrations());
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kConflict);
  EXPECT_EQ(applied.error().message, expected);
}

TEST_P(MigrationsTest, NewerVersionFromALaterBinaryIsRefused) {
  ASSERT_TRUE(ok(apply_migrations(
      db(), builtin_plus({same_sql("create_widgets", "CREATE TABLE widgets (id BIGINT)")}))));
  Result<MigrationStatus> status = migration_status(db(), builtin_migrations());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_NE(status.error().message.find("upgrade aic"), std::string::npos);
}

TEST_P(MigrationsTest, EditedChecksumIsRefused) {
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  ASSERT_TRUE(
      ok(write(db(), "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")));
  Result<MigrationStatus> status = migration_status(db(), builtin_migrations());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_NE(status.error().message.find("migration 1 (create_instance)"), std::string::npos)
      << status.error().message;
  Result<std::vector<int>> applied = apply_migrations(db(), builtin_migrations());
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kConflict);
}

TEST_P(MigrationsTest, EditedScriptIsRefused) {
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  std::vector<Migration> edited(builtin_migrations().begin(), builtin_migrations().end());
  edited[0].sqlite_sql += "\n-- a harmless-looking edit\n";
  edited[0].postgres_sql += "\n-- a harmless-looking edit\n";
  Result<MigrationStatus> status = migration_status(db(), edited);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_NE(status.error().message.find("migration 1"), std::string::npos);
}

TEST_P(MigrationsTest, FailedMigrationLeavesNoTrace) {
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  const std::vector<Migration> known = builtin_plus(
      {same_sql("half_done", "CREATE TABLE first_half (id BIGINT); CREATE TABLE broken (")});
  Result<std::vector<int>> applied = apply_migrations(db(), known);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(applied.error().message.find("(half_done)"), std::string::npos)
      << applied.error().message;
  EXPECT_FALSE(table_exists("first_half"));
  Result<MigrationStatus> status = migration_status(db(), known);
  ASSERT_TRUE(ok(status));
  EXPECT_EQ(status->current_version, static_cast<int>(builtin_migrations().size()));
  ASSERT_EQ(status->pending.size(), 1u);
  EXPECT_EQ(status->pending[0].name, "half_done");
}

TEST_P(MigrationsTest, GapsInKnownMigrationsAreAProgrammerError) {
  std::vector<Migration> gap = {same_sql("one", "SELECT 1"), same_sql("three", "SELECT 1")};
  gap[0].version = 1;
  gap[1].version = 3;
  EXPECT_THROW((void)migration_status(db(), gap), std::logic_error);
  EXPECT_THROW((void)apply_migrations(db(), gap), std::logic_error);
}

TEST_P(MigrationsTest, FanOutCursorsStartAtTheFirstEventNotFannedOut) {
  // Migration 10 replaced the per-event fanned_out flag with a cursor per tenant.
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations().first(9))));
  const std::string statements[] = {
      "INSERT INTO tenants (id, slug, name, plan, created_at) VALUES "
      "('ten_a', 'a', 'A', 'free', '2026-01-01T00:00:00Z'), "
      "('ten_b', 'b', 'B', 'free', '2026-01-01T00:00:00Z')",
      "INSERT INTO event_streams (tenant_id, last_seq) VALUES ('ten_a', 3), ('ten_b', 2)",
      "INSERT INTO events (id, tenant_id, seq, type, occurred_at, data, fanned_out) VALUES "
      "('evt_a1', 'ten_a', 1, 't', '2026-01-01T00:00:00.000Z', '{}', 1), "
      "('evt_a2', 'ten_a', 2, 't', '2026-01-01T00:00:00.000Z', '{}', 0), "
      "('evt_a3', 'ten_a', 3, 't', '2026-01-01T00:00:00.000Z', '{}', 0), "
      "('evt_b1', 'ten_b', 1, 't', '2026-01-01T00:00:00.000Z', '{}', 1), "
      "('evt_b2', 'ten_b', 2, 't', '2026-01-01T00:00:00.000Z', '{}', 1)",
  };
  for (const std::string& sql : statements) ASSERT_TRUE(ok(write(db(), sql))) << sql;
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));
  Result<QueryResult> cursors =
      read(db(), "SELECT tenant_id, seq FROM event_fan_out ORDER BY tenant_id");
  ASSERT_TRUE(ok(cursors));
  ASSERT_EQ(cursors->rows.size(), 2u);
  EXPECT_EQ(cursors->integer(0, 1), 1);  // ten_a: events 2 and 3 still to fan out
  EXPECT_EQ(cursors->integer(1, 1), 2);  // ten_b: all done
  EXPECT_FALSE(read(db(), "SELECT fanned_out FROM events"));
}

TEST_P(MigrationsTest, UsageRowsSurviveTheMoveToATenantDayKey) {
  // Migration 18 rebuilt ai_usage (SQLite) or swapped its key (PostgreSQL).
  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations().first(17))));
  auto usage_row = [](const std::string& id, const std::string& tenant, const std::string& day,
                      int cost) {
    return "('" + id + "', '" + tenant +
           "', 'key_1', 'gpt', 'openai', 'r', 'ok', 1, 10, 5, 2, 1, " + std::to_string(cost) +
           ", 900, 'req_" + id + "', '" + day + "', '" + day + "T10:00:00.000Z')";
  };
  const std::string columns =
      "INSERT INTO ai_usage (id, tenant_id, credential_id, model, provider, route, outcome, "
      "stream, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, "
      "cost_microdollars, duration_us, request_id, day, occurred_at) VALUES ";
  ASSERT_TRUE(ok(write(db(),
                       "INSERT INTO tenants (id, slug, name, plan, created_at) VALUES "
                       "('ten_a', 'a', 'A', 'free', '2026-01-01T00:00:00Z'), "
                       "('ten_b', 'b', 'B', 'free', '2026-01-01T00:00:00Z')")));
  ASSERT_TRUE(ok(write(db(), columns + usage_row("aiu_1", "ten_a", "2026-03-01", 7) + ", " +
                                 usage_row("aiu_2", "ten_a", "2026-03-02", 11) + ", " +
                                 usage_row("aiu_3", "ten_b", "2026-03-01", 13))));

  ASSERT_TRUE(ok(apply_migrations(db(), builtin_migrations())));

  Result<QueryResult> rows = read(db(),
                                  "SELECT id, tenant_id, day, cost_microdollars, request_id, "
                                  "occurred_at, cached_input_tokens FROM ai_usage ORDER BY id");
  ASSERT_TRUE(ok(rows));
  ASSERT_EQ(rows->rows.size(), 3u);
  EXPECT_EQ(rows->text(0, 0), "aiu_1");
  EXPECT_EQ(rows->text(1, 2), "2026-03-02");
  EXPECT_EQ(rows->integer(2, 3), 13);
  EXPECT_EQ(rows->text(2, 4), "req_aiu_3");
  EXPECT_EQ(rows->text(1, 5), "2026-03-02T10:00:00.000Z");
  EXPECT_EQ(rows->integer(0, 6), 2);
  // The key is (tenant, day, id): the same id again for that tenant and day is refused, and
  // the tenant must exist.
  EXPECT_FALSE(write(db(), columns + usage_row("aiu_1", "ten_a", "2026-03-01", 1)));
  EXPECT_TRUE(ok(write(db(), columns + usage_row("aiu_1", "ten_a", "2026-03-03", 1))));
  EXPECT_FALSE(write(db(), columns + usage_row("aiu_9", "ten_missing", "2026-03-01", 1)));
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::store::testing
