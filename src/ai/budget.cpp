#include "ai/budget.hpp"

#include <algorithm>
#include <cstdio>

namespace aic::ai {

namespace {

constexpr std::int64_t kMaxLimit = 1'000'000'000'000'000;  // $1,000,000,000
constexpr std::size_t kMaxThresholds = 10;

}  // namespace

std::string_view to_string(BudgetScope scope) {
  switch (scope) {
    case BudgetScope::kTenant:
      return "tenant";
    case BudgetScope::kApiKey:
      return "api_key";
    case BudgetScope::kServiceAccount:
      return "service_account";
  }
  return "tenant";
}

std::vector<int> default_thresholds() { return {50, 80, 100}; }

core::Status validate_thresholds(const std::vector<int>& thresholds, std::string_view field) {
  if (thresholds.size() > kMaxThresholds)
    return core::Error::invalid("at most 10 thresholds", std::string(field));
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    std::string at = std::string(field) + "/" + std::to_string(i);
    if (thresholds[i] < 1 || thresholds[i] > 100)
      return core::Error::invalid("a threshold is a percentage from 1 to 100", at);
    if (i > 0 && thresholds[i] <= thresholds[i - 1])
      return core::Error::invalid("thresholds must be ascending without repeats", at);
  }
  return {};
}

core::Status validate_limit(std::int64_t microdollars, std::string_view field) {
  if (microdollars < 0 || microdollars > kMaxLimit) {
    return core::Error::invalid("must be from 0 to 1000000000000000 micro-dollars ($1,000,000,000)",
                                std::string(field));
  }
  return {};
}

std::vector<std::string> spend_scopes(std::string_view credential_id,
                                      std::string_view service_account_id) {
  std::vector<std::string> scopes{""};
  // OAuth tokens live an hour at most: a counter per token would only grow the table.
  if (!credential_id.empty() && !credential_id.starts_with("tok_"))
    scopes.emplace_back(credential_id);
  if (!service_account_id.empty() && service_account_id != credential_id)
    scopes.emplace_back(service_account_id);
  return scopes;
}

std::string month_of(std::string_view utc_time) { return std::string(utc_time.substr(0, 7)); }

std::string next_month_start(std::string_view month) {
  int year = 0;
  int number = 0;
  if (std::sscanf(std::string(month).c_str(), "%4d-%2d", &year, &number) != 2) return "";
  if (++number > 12) {
    number = 1;
    ++year;
  }
  char out[32];  // room for any int year, so -O3 cannot warn of truncation
  std::snprintf(out, sizeof out, "%04d-%02d-01", year, number);
  return out;
}

std::string format_dollars(std::int64_t microdollars) {
  std::string sign = microdollars < 0 ? "-" : "";
  std::uint64_t magnitude = microdollars < 0 ? 0 - static_cast<std::uint64_t>(microdollars)
                                             : static_cast<std::uint64_t>(microdollars);
  std::string fraction = std::to_string(magnitude % 1'000'000);
  return sign + std::to_string(magnitude / 1'000'000) + "." +
         std::string(6 - fraction.size(), '0') + fraction;
}

// ---------------------------------------------------------------------------------------

BudgetHold::~BudgetHold() {
  if (!settled_) ledger_.release(*this, std::nullopt, month_);
}

void BudgetHold::settle(std::int64_t cost, const std::string& month) {
  if (settled_) return;
  settled_ = true;
  ledger_.release(*this, std::max<std::int64_t>(0, cost), month);
}

std::string BudgetLedger::key(std::string_view tenant_id, std::string_view scope,
                              std::string_view month) {
  std::string out;
  out.reserve(tenant_id.size() + scope.size() + month.size() + 2);
  out.append(month).push_back('\x1f');
  out.append(tenant_id).push_back('\x1f');
  out.append(scope);
  return out;
}

std::vector<std::string> BudgetLedger::stale(const std::string& tenant_id,
                                             const std::vector<std::string>& scopes,
                                             const std::string& month,
                                             Clock::time_point now) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& scope : scopes) {
    auto it = entries_.find(key(tenant_id, scope, month));
    if (it == entries_.end() || !it->second.loaded || now - it->second.loaded_at >= refresh_)
      out.push_back(scope);
  }
  return out;
}

void BudgetLedger::apply(const std::string& tenant_id, const std::string& month,
                         const std::vector<ScopeSnapshot>& snapshots, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (month > newest_month_) forget_months_before(month);
  for (const auto& snapshot : snapshots) {
    Entry& entry = entries_[key(tenant_id, snapshot.scope, month)];
    entry.budget = snapshot.budget;
    // Spend only grows within a month: a read that raced a newer commit is not news.
    entry.committed = std::max(entry.committed, snapshot.committed);
    entry.loaded_at = now;
    entry.loaded = true;
  }
}

std::variant<std::unique_ptr<BudgetHold>, BudgetRefusal> BudgetLedger::reserve(
    const std::string& tenant_id, const std::vector<std::string>& scopes, const std::string& month,
    std::int64_t estimate) {
  estimate = std::max<std::int64_t>(0, estimate);
  std::vector<std::string> budgeted;
  std::lock_guard lock(mutex_);
  std::vector<Entry*> held;
  for (const auto& scope : scopes) {
    auto it = entries_.find(key(tenant_id, scope, month));
    if (it == entries_.end() || !it->second.budget) continue;
    Entry& entry = it->second;
    std::int64_t spent = entry.committed + entry.pending + entry.reserved;
    if (spent + estimate > entry.budget->monthly_limit_microdollars)
      return BudgetRefusal{*entry.budget, month, spent, estimate};
    held.push_back(&entry);
    budgeted.push_back(scope);
  }
  if (held.empty()) return std::unique_ptr<BudgetHold>();
  for (Entry* entry : held) entry->reserved += estimate;
  return std::unique_ptr<BudgetHold>(
      new BudgetHold(*this, tenant_id, std::move(budgeted), month, estimate));
}

void BudgetLedger::release(const BudgetHold& hold, std::optional<std::int64_t> cost,
                           const std::string& cost_month) {
  std::lock_guard lock(mutex_);
  for (const auto& scope : hold.scopes_) {
    auto it = entries_.find(key(hold.tenant_id_, scope, hold.month_));
    if (it != entries_.end()) it->second.reserved -= hold.reserved_;
    if (!cost || *cost == 0) continue;
    // A request that ended in the next month counts there (like its usage record).
    auto spent = entries_.find(key(hold.tenant_id_, scope, cost_month));
    if (spent != entries_.end()) spent->second.pending += *cost;
  }
}

void BudgetLedger::committed(const std::vector<CommittedSpend>& spend) {
  std::lock_guard lock(mutex_);
  for (const auto& item : spend) {
    auto it = entries_.find(key(item.tenant_id, item.scope, item.month));
    if (it == entries_.end()) continue;
    Entry& entry = it->second;
    entry.pending = std::max<std::int64_t>(0, entry.pending - item.added);
    entry.committed = std::max(entry.committed, item.total);
  }
}

void BudgetLedger::invalidate(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  for (auto& [entry_key, entry] : entries_) {
    std::size_t first = entry_key.find('\x1f');
    std::size_t second = entry_key.find('\x1f', first + 1);
    if (entry_key.compare(first + 1, second - first - 1, tenant_id) == 0) entry.loaded = false;
  }
}

std::int64_t BudgetLedger::in_flight(const std::string& tenant_id, const std::string& scope,
                                     const std::string& month) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key(tenant_id, scope, month));
  return it == entries_.end() ? 0 : it->second.pending + it->second.reserved;
}

void BudgetLedger::forget_months_before(const std::string& month) {
  newest_month_ = month;
  // Keys start with the month, so the old months are one range at the front. Entries still
  // reserved by requests in flight stay until those end.
  for (auto it = entries_.begin(); it != entries_.end() && it->first < month;) {
    if (it->second.reserved == 0)
      it = entries_.erase(it);
    else
      ++it;
  }
}

}  // namespace aic::ai
