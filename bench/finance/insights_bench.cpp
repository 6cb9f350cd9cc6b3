// Insights latency for a large entity: 40 quarters of statements, 10,000 bank transactions and
// 1,000 news items on SQLite. Cold is a full computation (every read, every score, forecast,
// runway and the narrative); cached is the stored document while the data is unchanged. The
// baseline is the cheapest read of the same entity (GET /v1/entities/{id}'s store call), so
// the ratios say how far each is from a single indexed read.
//
//   build/bench/bench/finance/aic_insights_bench [DATABASE_URL] [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/logging.hpp"
#include "core/random.hpp"
#include "events/event_log.hpp"
#include "finance/entity_store.hpp"
#include "store/database.hpp"
#include "support/bench_database.hpp"

namespace {

using namespace aic;
using Clock = std::chrono::steady_clock;

struct Percentiles {
  double p50 = 0, p95 = 0, p99 = 0;
};

template <typename Work>
Percentiles measure(int rounds, Work&& work) {
  std::vector<double> millis;
  millis.reserve(static_cast<std::size_t>(rounds));
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    work();
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(millis.begin(), millis.end());
  auto at = [&](double q) {
    return millis[std::min(millis.size() - 1, static_cast<std::size_t>(q * millis.size()))];
  };
  return {at(0.50), at(0.95), at(0.99)};
}

std::string quarters_csv() {
  std::string csv =
      "period_end,length,revenue,cogs,sga,ebit,interest_expense,net_income,cash,receivables,"
      "inventory,current_assets,total_assets,payables,current_liabilities,long_term_debt,"
      "total_liabilities,retained_earnings,equity,shares_outstanding,operating_cash_flow,"
      "capex\n";
  static constexpr const char* kQuarterEnds[] = {"03-31", "06-30", "09-30", "12-31"};
  for (int q = 0; q < 40; ++q) {
    const double revenue = 1000.0 * (1.0 + 0.015 * q) * (q % 4 == 3 ? 1.2 : 1.0);
    char row[512];
    std::snprintf(row, sizeof row,
                  "%d-%s,quarter,%.0f,%.0f,%.0f,%.0f,12,%.0f,%.0f,300,250,900,4000,200,600,"
                  "900,2000,%.0f,2000,1000000,%.0f,40\n",
                  2016 + q / 4, kQuarterEnds[q % 4], revenue, revenue * 0.6, revenue * 0.25,
                  revenue * 0.15, revenue * 0.1, 300.0 + q, 500.0 + 10 * q, revenue * 0.12);
    csv += row;
  }
  return csv;
}

std::vector<finance::BankStatement> bank_statements() {
  finance::BankStatement statement;
  statement.account = "DE89370400440532013000";
  statement.currency = "EUR";
  std::int64_t balance = 50'000'000;
  for (int i = 0; i < 10'000; ++i) {
    finance::BankTransaction t;
    const int day = i / 9;  // about nine entries a day over three years
    const auto date =
        std::chrono::sys_days(std::chrono::year(2023) / 1 / 1) + std::chrono::days(day);
    t.booking_date = std::chrono::year_month_day(date);
    t.amount = (i % 3 == 0) ? 250'000 : -140'000;
    t.reference = "BR" + std::to_string(i);
    t.description = i % 3 == 0 ? "Customer receipt" : "Supplier payment";
    balance += t.amount;
    statement.transactions.push_back(std::move(t));
  }
  statement.closing = finance::Balance{statement.transactions.back().booking_date, balance};
  return {statement};
}

std::string news_json() {
  static constexpr const char* kHeadlines[] = {
      "Benchmark Corp operating profit rose to EUR 12.1 mn",
      "Benchmark Corp to cut 120 jobs at its Lyon plant",
      "Benchmark Corp opens a new office in Madrid",
      "Benchmark Corp net sales decreased by 4 % in the quarter",
      "Benchmark Corp signs a supply agreement with a rail operator"};
  std::string json = "[";
  for (int i = 0; i < 1000; ++i) {
    const auto date = std::chrono::year_month_day(
        std::chrono::sys_days(std::chrono::year(2023) / 1 / 1) + std::chrono::days(i));
    char item[400];
    std::snprintf(item, sizeof item,
                  "%s{\"id\":\"n%d\",\"headline\":\"%s\",\"body\":\"The company said so in a "
                  "statement on its results and outlook.\",\"published_at\":\"%sT09:00:00Z\"}",
                  i == 0 ? "" : ",", i, kHeadlines[i % 5], finance::format_date(date).c_str());
    json += item;
  }
  return json + "]";
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("aic-insights-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(directory);
  const std::string url = argc > 1 ? argv[1] : "sqlite://" + (directory / "aic.db").string();
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 200;
  core::LogConfig quiet;
  quiet.level = "warn";
  core::configure_logging(quiet);

  const std::string tenant = "ten_bench" + core::random_hex(core::system_random(), 4);
  auto database = bench::open_bench_database(url, tenant);
  if (!database) return 1;
  store::Database& db = *database;
  audit::AuditLog audit(db, core::system_random());
  events::EventLog events(db, core::system_random());
  finance::EntityStore entities(db, core::system_random(), audit, events);
  core::Principal owner;
  owner.id = "usr_bench";
  owner.tenant_id = tenant;
  owner.role = "owner";

  finance::NewEntity company;
  company.name = "Benchmark Corp";
  company.currency = "EUR";
  company.is_public = true;
  company.manufacturing = true;
  auto entity = entities.create_entity(owner, company, {});
  if (!entity) return 1;
  const std::string& id = entity->id;
  const auto statements = bank_statements();
  if (!entities.import_statements_csv(owner, id, quarters_csv(), {}) ||
      !entities.import_bank_statements(owner, id, "mt940", "bench", statements, {}) ||
      !entities.import_news_json(owner, id, news_json(), {})) {
    std::cerr << "import failed\n";
    return 1;
  }
  const auto length = finance::PeriodLength::kQuarter;
  std::size_t bytes = 0;
  const Percentiles baseline = measure(rounds, [&] { (void)entities.get_entity(owner, id); });
  const Percentiles cold = measure(rounds, [&] {
    auto document = entities.refresh_insights(owner, id, length);
    bytes = document ? document->size() : 0;
  });
  const Percentiles cached = measure(rounds, [&] { (void)entities.insights(owner, id, length); });

  std::printf(
      "insights of 40 quarters, 10,000 bank transactions, 1,000 news items (%zu bytes), "
      "%d rounds each, milliseconds\n",
      bytes, rounds);
  std::printf("%-30s %8s %8s %8s %14s\n", "", "p50", "p95", "p99", "p95/baseline");
  auto row = [&](const char* name, const Percentiles& p) {
    std::printf("%-30s %8.3f %8.3f %8.3f %14.1f\n", name, p.p50, p.p95, p.p99,
                p.p95 / baseline.p95);
  };
  row("baseline: get_entity", baseline);
  row("cold: computed", cold);
  row("cached", cached);
  std::filesystem::remove_all(directory);
  return 0;
}
