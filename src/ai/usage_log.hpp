// What the AI gateway answered, per request, for accounting: tokens and cost per tenant, key,
// model and day (GET /v1/ai/usage).
//
// Records are written off the request path: queued, then inserted in batches by one thread
// (one transaction per batch), so a request never waits for the database. With budgets, the
// same transaction adds each batch to the monthly spend counters and sends the threshold
// events it crosses (BudgetStore::add_spend), then tells the ledger what was committed. The queue
// is bounded; past the limit records are dropped and counted. A crash loses at most the records of
// the batch being written (a fraction of a second), never an answer's correctness: usage is
// bookkeeping beside the answer, not part of it.
//
// Threading: record(), flush() and summarize() may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ai/budget.hpp"
#include "ai/budget_store.hpp"
#include "ai/chat.hpp"
#include "core/batch_writer.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/database.hpp"

namespace aic::ai {

struct UsageRecord {
  std::string tenant_id;
  std::string credential_id;       // the API key or token that authenticated
  std::string service_account_id;  // when a service account asked; "" for a user
  std::string model;               // the catalogue's model name that answered
  std::string provider;
  std::string route;    // the route's name, or "" when a model was named
  std::string outcome;  // ok | error | cancelled | cache_hit (nothing spent)
  bool stream = false;
  Usage usage;
  std::int64_t cost_microdollars = 0;
  std::int64_t duration_us = 0;
  std::string request_id;
  std::string occurred_at;  // UTC, "2026-12-04T10:11:12.345Z"; the day is its first 10 characters
};

struct UsageQuery {
  std::string from_day;  // inclusive, "2026-12-01"
  std::string to_day;    // inclusive
  // Any of "model", "key", "day", "provider", in the order the rows should be grouped.
  std::vector<std::string> group_by;
};

struct UsageRow {
  std::map<std::string, std::string> group;  // group_by name → value
  std::int64_t requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_input_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  std::int64_t cost_microdollars = 0;
};

class UsageLog {
 public:
  // `budgets` and `ledger` may be null (no spend counters, no threshold events).
  UsageLog(store::Database& database, core::Random& random, BudgetStore* budgets,
           BudgetLedger* ledger, std::size_t queue_limit = 100'000);
  UsageLog(const UsageLog&) = delete;
  UsageLog& operator=(const UsageLog&) = delete;

  // Queues `record`; false when the queue is full and it was dropped.
  bool record(UsageRecord record) { return writer_.submit(std::move(record)); }
  // Blocks until every record queued before the call was written (or failed).
  void flush() { writer_.flush(); }

  // The actor's tenant's usage in the query's days, grouped. kInvalidArgument naming
  // `group_by` for an unknown grouping.
  core::Result<std::vector<UsageRow>> summarize(const core::Principal& actor,
                                                const UsageQuery& query);

  std::uint64_t dropped() const { return writer_.dropped(); }
  std::uint64_t failed() const { return writer_.failed(); }

 private:
  core::Status write(const std::vector<UsageRecord>& batch);

  store::Database& database_;
  core::Random& random_;
  BudgetStore* budgets_;
  BudgetLedger* ledger_;
  core::BatchWriter<UsageRecord> writer_;  // last: its thread uses the members above
};

}  // namespace aic::ai
