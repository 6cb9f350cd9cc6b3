// The gateway's usage writer (ai::UsageLog::write, one transaction per batch with the spend
// counters), against the same rows inserted by SQLite's own C API: one prepared single-row
// INSERT bound column by column and stepped per row, in one transaction per batch, into a
// table of the same columns and key in the same database file. That baseline is what SQLite
// itself needs for these rows; the ratio is what our store layer and the spend counters add.
// A second baseline inserts into the layout before migration 18 (a rowid table with an id key
// and a tenant-day index), to show what the layout saves. All commit with the server's
// settings (WAL, synchronous = FULL).
//
//   aic_usage_log_bench [RECORDS] [BATCH]      (defaults 50000 and 270: the batch the
//                                               25 ms linger gathers at ~11,000 requests/s)
//
// Prints CPU µs per record (this thread's CPU time, so the fsync wait is left out; wall
// time is printed beside it) and the ratios.
#include <sqlite3.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ai/budget.hpp"
#include "ai/budget_store.hpp"
#include "ai/usage_log.hpp"
#include "audit/audit_log.hpp"
#include "core/logging.hpp"
#include "core/random.hpp"
#include "core/utc_time.hpp"
#include "events/event_log.hpp"
#include "store/database.hpp"
#include "support/bench_database.hpp"

namespace {

using namespace aic;

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<ai::UsageRecord> make_records(const std::string& tenant, int count) {
  std::vector<ai::UsageRecord> records;
  records.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    ai::UsageRecord record;
    record.tenant_id = tenant;
    record.credential_id = "key_0123456789abcdef";
    record.model = "bench";
    record.provider = "mock";
    record.outcome = "ok";
    record.usage.input_tokens = 12;
    record.usage.output_tokens = 9;
    record.cost_microdollars = 7;
    record.duration_us = 95 + i % 50;
    record.request_id = "req_" + std::to_string(1'000'000 + i);
    record.occurred_at = core::format_utc_millis(std::chrono::system_clock::now());
    records.push_back(std::move(record));
  }
  return records;
}

struct Measured {
  double cpu = 0;
  double wall = 0;
};

constexpr const char* kUsageColumns =
    "id TEXT NOT NULL, tenant_id TEXT NOT NULL, credential_id TEXT NOT NULL, model TEXT NOT "
    "NULL, provider TEXT NOT NULL, route TEXT NOT NULL, outcome TEXT NOT NULL, stream INTEGER "
    "NOT NULL, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cached_input_tokens "
    "BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL, cost_microdollars BIGINT NOT NULL, "
    "duration_us BIGINT NOT NULL, request_id TEXT NOT NULL, day TEXT NOT NULL, occurred_at TEXT "
    "NOT NULL";

// The server's layout (migration 18) and the one before it.
const std::string kKeyedLayout[] = {std::string("CREATE TABLE baseline_usage (") + kUsageColumns +
                                    ", PRIMARY KEY (tenant_id, day, id)) WITHOUT ROWID"};
const std::string kRowidLayout[] = {
    std::string("CREATE TABLE baseline_usage (") + kUsageColumns + ", UNIQUE (id))",
    "CREATE INDEX baseline_usage_by_tenant_day ON baseline_usage (tenant_id, day)"};

// SQLite alone: the rows in a table of its own made by `layout`, one prepared statement.
Measured run_baseline(const std::string& path, std::span<const std::string> layout,
                      const std::vector<ai::UsageRecord>& records, std::size_t batch) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::exit(1);
  auto exec = [&](const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "baseline: %s: %s\n", sql, sqlite3_errmsg(db));
      std::exit(1);
    }
  };
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = FULL");
  exec("DROP TABLE IF EXISTS baseline_usage");
  for (const std::string& statement : layout) exec(statement.c_str());
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO baseline_usage VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     -1, &insert, nullptr);
  core::Random& random = core::system_random();
  const double cpu_from = thread_cpu_seconds();
  const double wall_from = wall_seconds();
  for (std::size_t start = 0; start < records.size(); start += batch) {
    exec("BEGIN IMMEDIATE");
    for (std::size_t i = start; i < std::min(records.size(), start + batch); ++i) {
      const ai::UsageRecord& r = records[i];
      const std::string id = core::time_ordered_id("aiu_", random);
      auto text = [&](int column, const std::string& value) {
        sqlite3_bind_text(insert, column, value.data(), static_cast<int>(value.size()),
                          SQLITE_STATIC);
      };
      text(1, id);
      text(2, r.tenant_id);
      text(3, r.credential_id);
      text(4, r.model);
      text(5, r.provider);
      text(6, r.route);
      text(7, r.outcome);
      sqlite3_bind_int64(insert, 8, r.stream ? 1 : 0);
      sqlite3_bind_int64(insert, 9, r.usage.input_tokens);
      sqlite3_bind_int64(insert, 10, r.usage.output_tokens);
      sqlite3_bind_int64(insert, 11, r.usage.cached_input_tokens);
      sqlite3_bind_int64(insert, 12, r.usage.reasoning_tokens);
      sqlite3_bind_int64(insert, 13, r.cost_microdollars);
      sqlite3_bind_int64(insert, 14, r.duration_us);
      text(15, r.request_id);
      sqlite3_bind_text(insert, 16, r.occurred_at.data(), 10, SQLITE_STATIC);
      text(17, r.occurred_at);
      if (sqlite3_step(insert) != SQLITE_DONE) std::exit(1);
      sqlite3_reset(insert);
    }
    exec("COMMIT");
  }
  Measured measured{thread_cpu_seconds() - cpu_from, wall_seconds() - wall_from};
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return measured;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 50'000;
  const std::size_t batch = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 270;
  if (count <= 0 || batch == 0) {
    std::fprintf(stderr, "usage: aic_usage_log_bench [RECORDS] [BATCH]\n");
    return 2;
  }
  core::LogConfig quiet;
  quiet.level = "warn";
  core::configure_logging(quiet);

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("aic-usage-bench-" + core::random_hex(core::system_random(), 4));
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite://" + (dir / "aic.db").string();
  const std::string tenant = "ten_bench";
  auto database = bench::open_bench_database(url, tenant);
  if (!database) return 1;
  store::Database& db = *database;

  const std::vector<ai::UsageRecord> records = make_records(tenant, count);

  // The writer as the server runs it (budgets and ledger included), fed one batch at a time
  // so every commit carries `batch` records. Its thread's CPU is read from /proc after.
  audit::AuditLog audit(db, core::system_random());
  events::EventLog events(db, core::system_random());
  ai::BudgetStore budgets(db, core::system_random(), audit, events);
  ai::BudgetLedger ledger(std::chrono::milliseconds(1000));
  Measured ours;
  {
    ai::UsageLog log(db, core::system_random(), &budgets, &ledger);
    const double wall_from = wall_seconds();
    const double process_from = [] {
      timespec now{};
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
      return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
    }();
    const double own_from = thread_cpu_seconds();
    for (std::size_t start = 0; start < records.size(); start += batch) {
      for (std::size_t i = start; i < std::min(records.size(), start + batch); ++i)
        log.record(records[i]);
      log.flush();
    }
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    const double process_to =
        static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
    // The writer's CPU: the process's, less this thread's (which only queued the records).
    ours.cpu = (process_to - process_from) - (thread_cpu_seconds() - own_from);
    ours.wall = wall_seconds() - wall_from;
  }

  const std::string path = (dir / "aic.db").string();
  Measured keyed = run_baseline(path, kKeyedLayout, records, batch);
  Measured rowid = run_baseline(path, kRowidLayout, records, batch);
  std::filesystem::remove_all(dir);

  const double per_record = 1e6 / count;
  std::printf("%d records, %zu per commit (SQLite, WAL, synchronous = FULL)\n", count, batch);
  auto print = [&](const char* what, const Measured& measured) {
    std::printf("%-44s %8.2f us CPU/record  %8.2f us wall/record\n", what,
                measured.cpu * per_record, measured.wall * per_record);
  };
  print("baseline: SQLite prepared INSERT", keyed);
  print("layout before migration 18, SQLite alone", rowid);
  print("aic: UsageLog::write", ours);
  std::printf("ratio aic/baseline (CPU): %.2f\n", ours.cpu / keyed.cpu);
  std::printf("ratio layout before/after migration 18 (CPU): %.2f\n", rowid.cpu / keyed.cpu);
  return 0;
}
