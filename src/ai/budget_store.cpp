#include "ai/budget_store.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <string_view>
#include <tuple>

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"

namespace aic::ai {

namespace {

using core::Error;
using core::ErrorCode;
using store::Transaction;
using store::Value;

// Past any limit (10^15): spend is compared with limits after clamping to this.
constexpr std::int64_t kMaxSpend = 10'000'000'000'000'000;

constexpr std::string_view kBudgetColumns =
    "id, tenant_id, scope, subject_id, monthly_limit_microdollars, thresholds, version, "
    "created_at, updated_at";

// The month's spend counter of the budget's subject, as the last column of a budget row.
constexpr std::string_view kSpendColumn =
    "COALESCE((SELECT cost_microdollars FROM ai_spend s WHERE s.tenant_id = ai_budgets.tenant_id "
    "AND s.scope = ai_budgets.subject_id AND s.month = $2), 0)";

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "budgets belong to a tenant; the platform operator has none");
  }
  return {};
}

Error not_found(std::string_view budget_id) {
  return Error::make(ErrorCode::kNotFound, "budget " + std::string(budget_id) + " not found");
}

std::string join_thresholds(const std::vector<int>& thresholds) {
  std::string out;
  for (int value : thresholds) out += (out.empty() ? "" : ",") + std::to_string(value);
  return out;
}

std::vector<int> split_thresholds(std::string_view text) {
  std::vector<int> out;
  while (!text.empty()) {
    std::size_t comma = std::min(text.find(','), text.size());
    int value = 0;
    std::from_chars(text.data(), text.data() + comma, value);
    out.push_back(value);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return out;
}

BudgetScope scope_named(std::string_view name) {
  if (name == "api_key") return BudgetScope::kApiKey;
  if (name == "service_account") return BudgetScope::kServiceAccount;
  return BudgetScope::kTenant;
}

// A row of kBudgetColumns followed by kSpendColumn.
BudgetStatus status_from_row(store::QueryResult& rows, std::size_t row, const std::string& month) {
  BudgetStatus status;
  Budget& budget = status.budget;
  budget.id = rows.take_text(row, 0);
  budget.tenant_id = rows.take_text(row, 1);
  budget.scope = scope_named(rows.text(row, 2));
  budget.subject_id = rows.take_text(row, 3);
  budget.monthly_limit_microdollars = rows.integer(row, 4);
  budget.thresholds_percent = split_thresholds(rows.text(row, 5));
  budget.version = rows.integer(row, 6);
  budget.created_at = rows.take_text(row, 7);
  budget.updated_at = rows.take_text(row, 8);
  status.month = month;
  status.spent = rows.integer(row, 9);
  return status;
}

core::Result<BudgetStatus> find_budget(Transaction& tx, const std::string& tenant_id,
                                       std::string_view budget_id, const std::string& month) {
  auto rows =
      tx.execute("SELECT " + std::string(kBudgetColumns) + ", " + std::string(kSpendColumn) +
                     " FROM ai_budgets WHERE tenant_id = $1 AND id = $3",
                 {tenant_id, month, std::string(budget_id)});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return not_found(budget_id);
  return status_from_row(*rows, 0, month);
}

core::Status append_audit(audit::AuditLog& log, Transaction& tx, const core::Principal& actor,
                          const audit::Origin& origin, std::string action, const Budget& budget) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = "ai_budget";
  event.target_id = budget.id;
  std::string limit = std::to_string(budget.monthly_limit_microdollars);
  std::string thresholds = join_thresholds(budget.thresholds_percent);
  event.details = audit::details_json({{"scope", to_string(budget.scope)},
                                       {"subject_id", budget.subject_id},
                                       {"monthly_limit_microdollars", limit},
                                       {"thresholds_percent", thresholds}});
  auto appended = log.append(tx, event);
  if (!appended) return std::move(appended).error();
  return {};
}

std::string current_month() { return month_of(core::utc_now_millis()); }

}  // namespace

BudgetStore::BudgetStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
                         events::EventLog& events)
    : database_(database), random_(random), audit_(audit), events_(events) {}

core::Result<BudgetStatus> BudgetStore::create(const core::Principal& actor,
                                               const NewBudget& request,
                                               const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = validate_limit(request.monthly_limit_microdollars, "/monthly_limit_microdollars");
      !ok) {
    return std::move(ok).error();
  }
  if (auto ok = validate_thresholds(request.thresholds_percent, "/thresholds_percent"); !ok)
    return std::move(ok).error();
  if ((request.scope == BudgetScope::kTenant) != request.subject_id.empty()) {
    return Error::invalid(request.scope == BudgetScope::kTenant
                              ? "a tenant budget names no subject"
                              : "names the API key or service account the budget limits",
                          "/subject_id");
  }
  Budget budget;
  budget.id = core::time_ordered_id("bud_", random_);
  budget.tenant_id = actor.tenant_id;
  budget.scope = request.scope;
  budget.subject_id = request.subject_id;
  budget.monthly_limit_microdollars = request.monthly_limit_microdollars;
  budget.thresholds_percent = request.thresholds_percent;
  budget.created_at = budget.updated_at = core::utc_now_millis();
  const std::string month = current_month();
  std::optional<BudgetStatus> created;
  auto status = database_.transact(store::Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    if (budget.scope != BudgetScope::kTenant) {
      std::string sql = budget.scope == BudgetScope::kApiKey
                            ? "SELECT 1 FROM api_keys WHERE id = $1 AND tenant_id = $2"
                            : "SELECT 1 FROM service_accounts WHERE id = $1 AND tenant_id = $2";
      auto found = tx.execute(sql, {budget.subject_id, budget.tenant_id});
      if (!found) return std::move(found).error();
      if (found->rows.empty()) {
        Error error = Error::make(
            ErrorCode::kNotFound,
            std::string(budget.scope == BudgetScope::kApiKey ? "API key " : "service account ") +
                budget.subject_id + " not found");
        error.field = "/subject_id";
        return error;
      }
    }
    auto existing = tx.execute("SELECT id FROM ai_budgets WHERE tenant_id = $1 AND subject_id = $2",
                               {budget.tenant_id, budget.subject_id});
    if (!existing) return std::move(existing).error();
    if (!existing->rows.empty()) {
      Error error =
          Error::make(ErrorCode::kConflict, "this " + std::string(to_string(budget.scope)) +
                                                " has a budget already: " + existing->text(0, 0) +
                                                " (change it with PATCH)");
      error.field = budget.scope == BudgetScope::kTenant ? "/scope" : "/subject_id";
      return error;
    }
    auto inserted = tx.execute("INSERT INTO ai_budgets (" + std::string(kBudgetColumns) +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
                               {budget.id, budget.tenant_id, std::string(to_string(budget.scope)),
                                budget.subject_id, budget.monthly_limit_microdollars,
                                join_thresholds(budget.thresholds_percent), budget.created_at});
    if (!inserted) return std::move(inserted).error();
    if (auto ok = append_audit(audit_, tx, actor, origin, "ai_budget.created", budget); !ok)
      return ok;
    auto found = find_budget(tx, budget.tenant_id, budget.id, month);
    if (!found) return std::move(found).error();
    created = std::move(*found);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*created);
}

core::Result<store::PageOf<BudgetStatus>> BudgetStore::list(const core::Principal& actor,
                                                            const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  const std::string month = current_month();
  std::string sql = "SELECT " + std::string(kBudgetColumns) + ", " + std::string(kSpendColumn) +
                    " FROM ai_budgets WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id, month};
  store::append_page(page, sql, params);
  store::PageOf<BudgetStatus> budgets;
  auto status = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) {
    return store::read_page(
        tx, sql, params, page.limit,
        [&](store::QueryResult& rows, std::size_t row) {
          return status_from_row(rows, row, month);
        },
        budgets);
  });
  if (!status) return std::move(status).error();
  return budgets;
}

core::Result<BudgetStatus> BudgetStore::get(const core::Principal& actor,
                                            std::string_view budget_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<BudgetStatus> found;
  auto status = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto budget = find_budget(tx, actor.tenant_id, budget_id, current_month());
    if (!budget) return std::move(budget).error();
    found = std::move(*budget);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*found);
}

core::Result<BudgetStatus> BudgetStore::update(const core::Principal& actor,
                                               std::string_view budget_id,
                                               const BudgetChanges& changes,
                                               std::optional<std::int64_t> if_match,
                                               const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (changes.monthly_limit_microdollars) {
    if (auto ok =
            validate_limit(*changes.monthly_limit_microdollars, "/monthly_limit_microdollars");
        !ok) {
      return std::move(ok).error();
    }
  }
  if (changes.thresholds_percent) {
    if (auto ok = validate_thresholds(*changes.thresholds_percent, "/thresholds_percent"); !ok)
      return std::move(ok).error();
  }
  const std::string month = current_month();
  std::optional<BudgetStatus> updated;
  auto status = database_.transact(store::Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_budget(tx, actor.tenant_id, budget_id, month);
    if (!found) return std::move(found).error();
    Budget budget = std::move(found->budget);
    if (if_match && *if_match != budget.version) {
      Error error =
          Error::make(ErrorCode::kPreconditionFailed, "budget " + budget.id + " is at version " +
                                                          std::to_string(budget.version) +
                                                          ", not " + std::to_string(*if_match));
      error.header = "If-Match";
      return error;
    }
    if (changes.monthly_limit_microdollars)
      budget.monthly_limit_microdollars = *changes.monthly_limit_microdollars;
    if (changes.thresholds_percent) budget.thresholds_percent = *changes.thresholds_percent;
    budget.updated_at = core::utc_now_millis();
    auto written = tx.execute(
        "UPDATE ai_budgets SET monthly_limit_microdollars = $1, thresholds = $2, "
        "version = version + 1, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
        {budget.monthly_limit_microdollars, join_thresholds(budget.thresholds_percent),
         budget.updated_at, budget.tenant_id, budget.id});
    if (!written) return std::move(written).error();
    // Thresholds are relative to the limit: after a change they fire again as they are
    // crossed (or at once, for those the spend is already past).
    auto cleared = tx.execute("DELETE FROM ai_budget_alerts WHERE budget_id = $1 AND month = $2",
                              {budget.id, month});
    if (!cleared) return std::move(cleared).error();
    if (auto ok = append_audit(audit_, tx, actor, origin, "ai_budget.updated", budget); !ok)
      return ok;
    auto reread = find_budget(tx, budget.tenant_id, budget.id, month);
    if (!reread) return std::move(reread).error();
    updated = std::move(*reread);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*updated);
}

core::Status BudgetStore::remove(const core::Principal& actor, std::string_view budget_id,
                                 const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return ok;
  return database_.transact(store::Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto found = find_budget(tx, actor.tenant_id, budget_id, current_month());
    if (!found) return std::move(found).error();
    const Budget& budget = found->budget;
    for (std::string_view sql : {"DELETE FROM ai_budget_alerts WHERE budget_id = $1",
                                 "DELETE FROM ai_budgets WHERE id = $1"}) {
      auto deleted = tx.execute(sql, {budget.id});
      if (!deleted) return std::move(deleted).error();
    }
    return append_audit(audit_, tx, actor, origin, "ai_budget.deleted", budget);
  });
}

core::Result<std::vector<ScopeSnapshot>> BudgetStore::snapshot(
    const std::string& tenant_id, const std::vector<std::string>& scopes,
    const std::string& month) {
  std::vector<ScopeSnapshot> out;
  auto status = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    out.clear();
    for (const auto& scope : scopes) {
      ScopeSnapshot snapshot;
      snapshot.scope = scope;
      auto rows =
          tx.execute("SELECT " + std::string(kBudgetColumns) + ", " + std::string(kSpendColumn) +
                         " FROM ai_budgets WHERE tenant_id = $1 AND subject_id = $3",
                     {tenant_id, month, scope});
      if (!rows) return std::move(rows).error();
      if (!rows->rows.empty()) {
        BudgetStatus found = status_from_row(*rows, 0, month);
        snapshot.budget = std::move(found.budget);
        snapshot.committed = found.spent;
      }
      out.push_back(std::move(snapshot));
    }
    return {};
  });
  if (!status) return std::move(status).error();
  return out;
}

core::Result<std::vector<CommittedSpend>> BudgetStore::add_spend(
    Transaction& tx, const std::vector<SpendItem>& items) {
  // One counter update per scope and month, in key order, so concurrent writers (replicas)
  // lock the rows in the same order. The keys view `items`, so summing a batch of hundreds
  // of records copies no strings.
  std::map<std::tuple<std::string_view, std::string_view, std::string_view>,
           std::pair<std::int64_t, std::int64_t>>
      sums;  // (tenant, scope, month) → (cost, requests)
  for (const auto& item : items) {
    for (const auto& scope : item.scopes) {
      auto& [cost, requests] = sums[{item.tenant_id, scope, item.month}];
      cost += item.cost;
      ++requests;
    }
  }
  std::vector<CommittedSpend> committed;
  for (const auto& [key, sum] : sums) {
    const std::string tenant_id(std::get<0>(key));
    const std::string scope(std::get<1>(key));
    const std::string month(std::get<2>(key));
    auto counter = tx.execute(
        "INSERT INTO ai_spend (tenant_id, scope, month, cost_microdollars, requests) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, scope, month) DO UPDATE SET "
        "cost_microdollars = ai_spend.cost_microdollars + excluded.cost_microdollars, "
        "requests = ai_spend.requests + excluded.requests RETURNING cost_microdollars",
        {tenant_id, scope, month, sum.first, sum.second});
    if (!counter) return std::move(counter).error();
    std::int64_t total = counter->rows.empty() ? sum.first : counter->integer(0, 0);
    committed.push_back({tenant_id, scope, month, total, sum.first});
    if (sum.first == 0) continue;  // nothing spent: no threshold can have been crossed
    auto budgets =
        tx.execute("SELECT " + std::string(kBudgetColumns) + ", " + std::string(kSpendColumn) +
                       " FROM ai_budgets WHERE tenant_id = $1 AND subject_id = $3",
                   {tenant_id, month, scope});
    if (!budgets) return std::move(budgets).error();
    if (budgets->rows.empty()) continue;
    Budget budget = status_from_row(*budgets, 0, month).budget;
    for (int threshold : budget.thresholds_percent) {
      // Crossed when spend ≥ limit × threshold / 100, in integers (no rounding; limits are
      // at most 10^15, so neither product overflows).
      if (std::min<std::int64_t>(total, kMaxSpend) * 100 <
          budget.monthly_limit_microdollars * threshold) {
        break;
      }
      std::string now = core::utc_now_millis();
      auto claimed = tx.execute(
          "INSERT INTO ai_budget_alerts (budget_id, month, threshold_percent, event_id, "
          "created_at) VALUES ($1, $2, $3, '', $4) ON CONFLICT DO NOTHING",
          {budget.id, month, std::int64_t{threshold}, now});
      if (!claimed) return std::move(claimed).error();
      if (claimed->affected_rows == 0) continue;  // sent already (here or by another replica)
      std::string data;
      core::JsonWriter out(data);
      out.begin_object();
      out.member("budget_id", budget.id);
      out.member("scope", to_string(budget.scope));
      out.key("subject_id");
      if (budget.subject_id.empty())
        out.null();
      else
        out.value(budget.subject_id);
      out.member("month", month);
      out.member("threshold_percent", std::int64_t{threshold});
      out.member("limit_microdollars", budget.monthly_limit_microdollars);
      out.member("spent_microdollars", total);
      out.end_object();
      auto event = events_.publish(tx, tenant_id, "ai.budget.threshold_reached", std::move(data));
      if (!event) return std::move(event).error();
      auto noted = tx.execute(
          "UPDATE ai_budget_alerts SET event_id = $1 WHERE budget_id = $2 AND month = $3 AND "
          "threshold_percent = $4",
          {event->id, budget.id, month, std::int64_t{threshold}});
      if (!noted) return std::move(noted).error();
    }
  }
  return committed;
}

}  // namespace aic::ai
