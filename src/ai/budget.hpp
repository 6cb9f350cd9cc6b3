// Monthly AI spending limits: per tenant, per API key and per service account, in integer
// micro-dollars, with a hard stop.
//
// A request is admitted only if what it may cost fits what is left of every budget it counts
// against (reserve), and its real cost replaces the reservation when it ends (settle). A
// stream holds its reservation until its last byte, so concurrent streams cannot overrun a
// budget between them. The reservation is the input's size in bytes / 4 tokens (an estimate)
// plus the request's max_tokens (or a configured default; a bound, providers stop there) at
// the dearest target's prices; a request can overrun only by the input it under-estimated.
//
// The ledger is this process's view of spend per scope and month:
//   committed  read from the database's spend counters (ai_spend), which the usage writer
//              increments in the transaction that records each request;
//   pending    settled here but not yet committed by the usage writer;
//   reserved   held by requests in flight.
// Other replicas' spend reaches the ledger when it refreshes a scope (every `refresh`) or
// when the usage writer commits a batch. Spend only grows within a month, so a refreshed
// value never lowers `committed`.
//
// Threading: BudgetLedger is thread-safe; everything else here is plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace aic::ai {

enum class BudgetScope { kTenant, kApiKey, kServiceAccount };
std::string_view to_string(BudgetScope scope);

struct Budget {
  std::string id;  // "bud_…"
  std::string tenant_id;
  BudgetScope scope = BudgetScope::kTenant;
  std::string subject_id;  // the API key or service account; "" for the tenant
  std::int64_t monthly_limit_microdollars = 0;
  std::vector<int> thresholds_percent;  // ascending, 1–100: when threshold events are sent
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

// The default thresholds: 50 %, 80 % and 100 % of the limit.
std::vector<int> default_thresholds();
// Ascending, without duplicates, each 1–100, at most 10; errors name `field`.
core::Status validate_thresholds(const std::vector<int>& thresholds, std::string_view field);
// 0 (nothing may be spent) up to 10^15 micro-dollars ($1,000,000,000).
core::Status validate_limit(std::int64_t microdollars, std::string_view field);

// The spend counters a request adds to: the tenant's (""), its API key's (the credential id,
// unless the credential is an OAuth token: "tok_…"), and its service account's ("sa_…").
std::vector<std::string> spend_scopes(std::string_view credential_id,
                                      std::string_view service_account_id);

// "2026-12" of a UTC time "2026-12-04T10:11:12.345Z" (or a day "2026-12-04").
std::string month_of(std::string_view utc_time);
// "2027-01-01" for "2026-12": when a month's budgets start again.
std::string next_month_start(std::string_view month);

// Micro-dollars as dollars, exactly: 1234567 → "1.234567".
std::string format_dollars(std::int64_t microdollars);

// What the ledger knows of one scope in one month, read from the database.
struct ScopeSnapshot {
  std::string scope;             // "" (tenant), an API key or a service account id
  std::optional<Budget> budget;  // none: this scope has no limit
  std::int64_t committed = 0;    // the month's spend counter; 0 without a budget
};

// A request that does not fit: which budget, and by how much.
struct BudgetRefusal {
  Budget budget;
  std::string month;
  std::int64_t spent = 0;     // committed + pending + reserved by others
  std::int64_t estimate = 0;  // what this request may cost
};

class BudgetLedger;

// The reservation of one admitted request. settle() records the real cost; a hold destroyed
// without settling releases its reservation (the request spent nothing).
class BudgetHold {
 public:
  BudgetHold(const BudgetHold&) = delete;
  BudgetHold& operator=(const BudgetHold&) = delete;
  ~BudgetHold();

  // Replaces the reservation with `cost` spent in `month` (the month of the usage record).
  void settle(std::int64_t cost, const std::string& month);

 private:
  friend class BudgetLedger;
  BudgetHold(BudgetLedger& ledger, std::string tenant_id, std::vector<std::string> scopes,
             std::string month, std::int64_t reserved)
      : ledger_(ledger),
        tenant_id_(std::move(tenant_id)),
        scopes_(std::move(scopes)),
        month_(std::move(month)),
        reserved_(reserved) {}

  BudgetLedger& ledger_;
  std::string tenant_id_;
  std::vector<std::string> scopes_;  // the budgeted ones
  std::string month_;
  std::int64_t reserved_;
  bool settled_ = false;
};

// What the usage writer committed for one scope: its new counter, and how much of it was
// this process's pending spend.
struct CommittedSpend {
  std::string tenant_id;
  std::string scope;
  std::string month;
  std::int64_t total = 0;  // the counter after the commit
  std::int64_t added = 0;  // this batch's share
};

class BudgetLedger {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BudgetLedger(std::chrono::milliseconds refresh) : refresh_(refresh) {}

  // The scopes of `tenant_id` (among `scopes`) whose snapshot for `month` is missing or
  // older than the refresh interval: read them (BudgetStore::snapshot) and apply() them
  // before reserve().
  std::vector<std::string> stale(const std::string& tenant_id,
                                 const std::vector<std::string>& scopes, const std::string& month,
                                 Clock::time_point now) const;
  void apply(const std::string& tenant_id, const std::string& month,
             const std::vector<ScopeSnapshot>& snapshots, Clock::time_point now);

  // Admits a request that may cost `estimate`: a hold when it fits every budget among
  // `scopes` (null when none of them has a budget), a refusal naming the first that it does
  // not fit. Scopes must be fresh (stale() empty).
  std::variant<std::unique_ptr<BudgetHold>, BudgetRefusal> reserve(
      const std::string& tenant_id, const std::vector<std::string>& scopes,
      const std::string& month, std::int64_t estimate);

  // Told by the usage writer after each commit.
  void committed(const std::vector<CommittedSpend>& spend);

  // Forgets the tenant's budgets (after a change through the API), so the next request reads
  // them again.
  void invalidate(const std::string& tenant_id);

  // For GET /v1/ai/budgets: what is held by requests in flight and settled but not yet
  // committed here, for a scope and month.
  std::int64_t in_flight(const std::string& tenant_id, const std::string& scope,
                         const std::string& month) const;

 private:
  friend class BudgetHold;
  struct Entry {
    std::optional<Budget> budget;
    std::int64_t committed = 0;
    std::int64_t pending = 0;
    std::int64_t reserved = 0;
    Clock::time_point loaded_at;
    bool loaded = false;
  };
  static std::string key(std::string_view tenant_id, std::string_view scope,
                         std::string_view month);
  void release(const BudgetHold& hold, std::optional<std::int64_t> cost,
               const std::string& cost_month);
  void forget_months_before(const std::string& month);  // REQUIRES: mutex_ held

  const std::chrono::milliseconds refresh_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;  // GUARDED_BY(mutex_)
  std::string newest_month_;                           // GUARDED_BY(mutex_)
};

}  // namespace aic::ai
