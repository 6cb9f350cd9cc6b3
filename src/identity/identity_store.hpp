// Tenants, users and API keys in the database, and turning a presented credential into a
// core::Principal.
//
// Tenant isolation lives here: every tenant-owned row carries tenant_id, and every function
// that reads or changes one takes the acting Principal and filters by its tenant. There is no
// way to name another tenant's object: asking for one is the same kNotFound as asking for
// one that does not exist.
//
// Every change is written to the audit log in the transaction that makes it; `origin` says
// where the request came from.
//
// Threading: thread-safe; every call blocks on the database, so run it on the worker pool.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/database.hpp"

namespace aic::identity {

struct Tenant {
  std::string id;  // "ten_…"
  std::string slug;
  std::string name;
  std::string plan;
  std::string created_at;  // RFC 3339 UTC
};

struct ApiKey {
  std::string id;              // the public part of the token
  std::string tenant_id;       // empty for the platform operator's keys
  std::string principal_kind;  // "operator", "user", "service_account"
  std::string principal_id;
  std::string name;
  std::string role;
  std::string created_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> revoked_at;
};

// A key just created: `token` is shown once and never stored.
struct IssuedKey {
  ApiKey key;
  std::string token;
};

struct NewTenant {
  std::string name;
  std::string slug;  // derived from the name when empty
  std::string plan = "standard";
  std::string owner_email;
};

struct CreatedTenant {
  Tenant tenant;
  std::string owner_user_id;
  IssuedKey owner_key;
};

struct NewApiKey {
  std::string name;
  std::string role;
  std::optional<std::string> expires_at;  // RFC 3339 UTC
};

// The current time as RFC 3339 UTC with seconds ("2026-11-22T08:00:00Z"); such strings
// order as the times they name.
std::string utc_now();
// Whether `text` is exactly that format.
bool is_utc_timestamp(std::string_view text);

class IdentityStore {
 public:
  IdentityStore(store::Database& database, core::Random& random, audit::AuditLog& audit)
      : database_(database), random_(random), audit_(audit) {}

  // Creates the platform operator and a key for it. kConflict when an operator key already
  // exists, unless `issue_new_key`.
  core::Result<IssuedKey> bootstrap_operator(bool issue_new_key, const audit::Origin& origin);
  // Whether the platform operator has a key that is not revoked.
  core::Result<bool> operator_bootstrapped();

  // Operator actions: a tenant with its owner user and the owner's first API key.
  core::Result<CreatedTenant> create_tenant(const core::Principal& actor, const NewTenant& request,
                                            const audit::Origin& origin);
  core::Result<std::vector<Tenant>> list_tenants();
  core::Result<Tenant> get_tenant(std::string_view tenant_id);

  // The principal a bearer token stands for. kUnauthenticated for a malformed, unknown,
  // wrong, revoked or expired key.
  core::Result<core::Principal> authenticate(std::string_view token);

  // Tenant-scoped: `actor` must belong to a tenant; the key's role may not grant more than
  // the actor holds (kPermissionDenied).
  core::Result<IssuedKey> create_api_key(const core::Principal& actor, const NewApiKey& request,
                                         const audit::Origin& origin);
  core::Result<std::vector<ApiKey>> list_api_keys(const core::Principal& actor);
  core::Result<ApiKey> get_api_key(const core::Principal& actor, std::string_view key_id);
  core::Result<ApiKey> revoke_api_key(const core::Principal& actor, std::string_view key_id,
                                      const audit::Origin& origin);

 private:
  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
};

}  // namespace aic::identity
