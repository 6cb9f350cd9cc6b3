// A tenant's own AI providers (with their models) and routes, configured through the API
// (/v1/ai/providers, /v1/ai/routes) beside the operator's config file.
//
// Each is stored as the same table the config file uses (docs/ai-gateway.md), checked by
// Catalog::extend() against the operator's catalogue and the tenant's other entries before it
// is written, so a stored entry is always one the gateway can load. A provider's API key is
// sealed with the master key (AES-256-GCM, core::SecretBox, bound to the tenant and provider
// name) and never returned; without a master key, keys are refused rather than stored in the
// clear.
//
// A tenant's providers are reached through the gateway's address-restricted client: never
// loopback, private, link-local or metadata addresses unless the operator allows a range
// (ai.tenant_allow_addresses), and plain http:// only to an address in such a range.
//
// TenantCatalogs keeps, per tenant, the operator's catalogue extended with the tenant's
// entries, re-read every `refresh` (changes made on other replicas) and at once after a change
// made here.
//
// Threading: both classes are thread-safe; TenantCatalogStore's calls block on the database.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/catalog.hpp"
#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "core/secret_box.hpp"
#include "store/database.hpp"

namespace aic::ai {

// A provider or route as the tenant configured it.
struct TenantEntry {
  std::string name;
  std::string config;  // the table as JSON, without the provider's key
  bool has_api_key = false;
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

enum class TenantEntryKind { kProvider, kRoute };

struct TenantCatalogOptions {
  std::shared_ptr<const Catalog> base;                // the operator's catalogue
  std::shared_ptr<const core::SecretBox> master_key;  // null: provider keys are refused
  // Whether a provider may be reached over plain http:// at `host` (an address the operator
  // allowed); https:// is required otherwise.
  std::function<bool(std::string_view host)> plain_http_allowed;
};

class TenantCatalogStore {
 public:
  static constexpr std::size_t kMaxEntries = 100;  // providers, and routes, per tenant

  TenantCatalogStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
                     TenantCatalogOptions options);

  // `table` is the request body: a provider table (name, kind, base_url, api_key,
  // api_version, headers, models) or a route table (name, strategy, targets, weights).
  // kInvalidArgument naming the member (a JSON pointer) for a table the gateway could not
  // load; kConflict for a name in use; kUnavailable for a key without a master key.
  core::Result<TenantEntry> create(const core::Principal& actor, TenantEntryKind kind,
                                   std::string_view table, const audit::Origin& origin);
  // Replaces the entry `name` with `table` (same name). A provider keeps its stored key when
  // the new table has none. kPreconditionFailed when `if_match` is not the current version.
  core::Result<TenantEntry> replace(const core::Principal& actor, TenantEntryKind kind,
                                    std::string_view name, std::string_view table,
                                    std::optional<std::int64_t> if_match,
                                    const audit::Origin& origin);
  // kConflict when a route of the tenant still needs the provider's models.
  core::Status remove(const core::Principal& actor, TenantEntryKind kind, std::string_view name,
                      const audit::Origin& origin);
  core::Result<std::vector<TenantEntry>> list(const core::Principal& actor, TenantEntryKind kind);
  core::Result<TenantEntry> get(const core::Principal& actor, TenantEntryKind kind,
                                std::string_view name);

  // The operator's catalogue extended with the tenant's entries (their keys opened). Entries
  // that no longer load (the operator took their name since) are left out and logged.
  core::Result<std::shared_ptr<const Catalog>> catalog_of(const std::string& tenant_id);

  const std::shared_ptr<const Catalog>& base() const { return options_.base; }

 private:
  struct Stored;
  core::Result<std::vector<Stored>> read_all(store::Transaction& tx, const std::string& tenant_id);
  // Checks the tenant's entries as they would be after a change; `focus` is the changed
  // entry's position, whose issues name request members.
  core::Status check(const std::string& tenant_id, const std::vector<Stored>& entries,
                     std::size_t focus) const;
  core::Status write(const core::Principal& actor, TenantEntryKind kind, std::string_view table,
                     std::optional<std::string> replacing, std::optional<std::int64_t> if_match,
                     const audit::Origin& origin, TenantEntry& written);

  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  TenantCatalogOptions options_;
};

class TenantCatalogs {
 public:
  using Clock = std::chrono::steady_clock;

  TenantCatalogs(TenantCatalogStore& store, std::chrono::milliseconds refresh)
      : store_(store), refresh_(refresh) {}

  // The tenant's catalogue when it is fresh; null when it must be loaded (load()).
  std::shared_ptr<const Catalog> cached(const std::string& tenant_id, Clock::time_point now) const;
  // Reads the tenant's entries (blocks on the database) and keeps the result.
  core::Result<std::shared_ptr<const Catalog>> load(const std::string& tenant_id,
                                                    Clock::time_point now);
  void invalidate(const std::string& tenant_id);
  const std::shared_ptr<const Catalog>& base() const { return store_.base(); }

 private:
  struct Entry {
    std::shared_ptr<const Catalog> catalog;
    Clock::time_point loaded_at;
  };
  TenantCatalogStore& store_;
  const std::chrono::milliseconds refresh_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;  // GUARDED_BY(mutex_)
};

}  // namespace aic::ai
