// AI budgets in the database: the tenant's budgets (GET/POST/PATCH/DELETE /v1/ai/budgets), the
// monthly spend counters they are checked against, and the threshold events.
//
// Tenant isolation as in identity/: every function on budgets takes the acting Principal;
// another tenant's budget is kNotFound. Changes are audited in their transaction.
//
// Threading: thread-safe; every call blocks on the database.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/budget.hpp"
#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "events/event_log.hpp"
#include "store/database.hpp"
#include "store/page.hpp"

namespace aic::ai {

struct NewBudget {
  BudgetScope scope = BudgetScope::kTenant;
  std::string subject_id;  // the API key or service account id; "" for the tenant
  std::int64_t monthly_limit_microdollars = 0;
  std::vector<int> thresholds_percent = default_thresholds();
};

// What an update changes; absent members stay as they are.
struct BudgetChanges {
  std::optional<std::int64_t> monthly_limit_microdollars;
  std::optional<std::vector<int>> thresholds_percent;
};

// A budget with the current month's spend.
struct BudgetStatus {
  Budget budget;
  std::string month;       // "2026-12"
  std::int64_t spent = 0;  // the month's committed spend counter
};

// One request's spend, for the counters.
struct SpendItem {
  std::string tenant_id;
  std::vector<std::string> scopes;  // spend_scopes()
  std::string month;
  std::int64_t cost = 0;
};

class BudgetStore {
 public:
  BudgetStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
              events::EventLog& events);

  // kInvalidArgument naming the field; kNotFound naming `subject_id` for a key or service
  // account the tenant does not have; kConflict when the subject has a budget already.
  core::Result<BudgetStatus> create(const core::Principal& actor, const NewBudget& request,
                                    const audit::Origin& origin);
  core::Result<store::PageOf<BudgetStatus>> list(const core::Principal& actor,
                                                 const store::PageRequest& page);
  core::Result<BudgetStatus> get(const core::Principal& actor, std::string_view budget_id);
  // kPreconditionFailed when `if_match` is set and is not the current version. A new limit
  // or new thresholds re-arm this month's threshold events.
  core::Result<BudgetStatus> update(const core::Principal& actor, std::string_view budget_id,
                                    const BudgetChanges& changes,
                                    std::optional<std::int64_t> if_match,
                                    const audit::Origin& origin);
  core::Status remove(const core::Principal& actor, std::string_view budget_id,
                      const audit::Origin& origin);

  // The budgets and spend counters of `scopes` of a tenant in `month`, one per scope, for
  // the ledger.
  core::Result<std::vector<ScopeSnapshot>> snapshot(const std::string& tenant_id,
                                                    const std::vector<std::string>& scopes,
                                                    const std::string& month);

  // In the usage writer's transaction: adds `items` to the spend counters and sends the
  // threshold events they cross (once per budget, month and threshold). Returns the new
  // counters, for BudgetLedger::committed() after the commit.
  core::Result<std::vector<CommittedSpend>> add_spend(store::Transaction& tx,
                                                      const std::vector<SpendItem>& items);

 private:
  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  events::EventLog& events_;
};

}  // namespace aic::ai
