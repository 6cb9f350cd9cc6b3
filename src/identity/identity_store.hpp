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

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "events/event_log.hpp"
#include "identity/credential_cache.hpp"
#include "store/database.hpp"
#include "store/page.hpp"

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
  std::optional<std::string> last_used_at;            // accurate to about a minute
  std::optional<std::string> replaced_by;             // the key that rotated this one out
  std::optional<std::int64_t> rate_limit_per_minute;  // below the tenant's plan, if set
};

// A key just created: `token` is shown once and never stored.
struct IssuedKey {
  ApiKey key;
  std::string token;
};

// A named set of permissions: built in, or a tenant's own.
struct Role {
  std::string name;
  std::string description;
  std::vector<std::string> permissions;  // sorted
  bool builtin = false;
  std::string created_at;  // empty for built-in roles
};

struct NewRole {
  std::string name;
  std::string description;
  std::vector<std::string> permissions;
};

// A person in a tenant.
struct User {
  std::string id;  // "usr_…"
  std::string tenant_id;
  std::string email;
  std::string role;
  std::string created_at;
  std::optional<std::string> disabled_at;
  bool has_password = false;
  std::int64_t version = 1;  // increases with every change; the API's ETag
};

struct NewUser {
  std::string email;
  std::string role;
  std::optional<std::string> password;
};

struct UserChange {
  std::optional<std::string> role;
  std::optional<std::string> password;
  std::optional<std::int64_t> expected_version;  // from If-Match; kPreconditionFailed if stale
};

// A machine client of one tenant: the OAuth2 client of the client-credentials grant.
struct ServiceAccount {
  std::string id;  // "sa_…", also the OAuth2 client_id
  std::string tenant_id;
  std::string name;
  std::string role;
  std::string created_at;
  std::optional<std::string> disabled_at;
};

struct NewServiceAccount {
  std::string name;
  std::string role;
};

// A service account just created: `client_secret` is shown once and never stored.
struct CreatedServiceAccount {
  ServiceAccount account;
  std::string client_secret;
};

// The client behind a verified client_id and secret, with its tenant's plan.
struct AuthenticatedClient {
  ServiceAccount account;
  std::string plan;
  std::vector<std::string> permissions;  // of the account's role, sorted
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
  std::optional<std::int64_t> rate_limit_per_minute;
};

using store::PageOf;
using store::PageRequest;

// The current time as RFC 3339 UTC with seconds ("2026-11-22T08:00:00Z"); such strings
// order as the times they name.
std::string utc_now();
// Whether `text` is exactly that format.
bool is_utc_timestamp(std::string_view text);
// The time such a string names; nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);
// `time` in that format.
std::string format_utc_timestamp(std::chrono::system_clock::time_point time);

// Why a change was refused: its target holds `role`, which grants `missing_permission`, and
// the caller lacks that permission.
struct Denial {
  std::string role;
  std::string missing_permission;
};

class IdentityStore {
 public:
  // `credential_cache_ttl`: how long a verified API key is trusted without the database
  // (see credential_cache.hpp); zero looks every key up on every request.
  // Changes are published to `events` (in their transactions) as well as audited.
  IdentityStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
                events::EventLog& events,
                std::chrono::milliseconds credential_cache_ttl = std::chrono::milliseconds(0))
      : database_(database),
        random_(random),
        audit_(audit),
        events_(events),
        cache_(credential_cache_ttl) {}

  // Creates the platform operator and a key for it. kConflict when an operator key already
  // exists, unless `issue_new_key`.
  core::Result<IssuedKey> bootstrap_operator(bool issue_new_key, const audit::Origin& origin);
  // Whether the platform operator has a key that is not revoked.
  core::Result<bool> operator_bootstrapped();

  // Operator actions: a tenant with its owner user and the owner's first API key.
  core::Result<CreatedTenant> create_tenant(const core::Principal& actor, const NewTenant& request,
                                            const audit::Origin& origin);
  core::Result<PageOf<Tenant>> list_tenants(const PageRequest& page = {});
  core::Result<Tenant> get_tenant(std::string_view tenant_id);

  // The principal a bearer token stands for. kUnauthenticated for a malformed, unknown,
  // wrong, revoked or expired key.
  core::Result<core::Principal> authenticate(std::string_view token);
  // The same answer without the database when the key was verified recently; nullopt when
  // authenticate() must be called. Cheap enough for an I/O thread.
  std::optional<core::Result<core::SharedPrincipal>> authenticate_cached(
      std::string_view token) const;
  // Whether authenticate_cached() can answer for `token` (an aic API key verified recently).
  bool is_cached(std::string_view token) const;

  // Tenant-scoped: `actor` must belong to a tenant; the key's role may not grant more than
  // the actor holds (kPermissionDenied). Revoking or rotating a key needs every permission
  // of its role and, for another principal's key, of its owner's role; changing or disabling
  // a user or service account needs every permission of its role. So an admin cannot act on
  // an owner, and a weaker key cannot rotate its way to a stronger one.
  core::Result<IssuedKey> create_api_key(const core::Principal& actor, const NewApiKey& request,
                                         const audit::Origin& origin);
  core::Result<PageOf<ApiKey>> list_api_keys(const core::Principal& actor,
                                             const PageRequest& page = {});
  core::Result<ApiKey> get_api_key(const core::Principal& actor, std::string_view key_id);
  core::Result<ApiKey> revoke_api_key(const core::Principal& actor, std::string_view key_id,
                                      const audit::Origin& origin);
  // The built-in roles, then the tenant's own.
  core::Result<std::vector<Role>> list_roles(const core::Principal& actor);
  // A custom role; its permissions must be known tenant permissions the actor holds.
  core::Result<Role> create_role(const core::Principal& actor, const NewRole& request,
                                 const audit::Origin& origin);
  // kConflict while a user, API key or service account still has the role.
  core::Result<Role> delete_role(const core::Principal& actor, std::string_view name,
                                 const audit::Origin& origin);

  core::Result<User> create_user(const core::Principal& actor, const NewUser& request,
                                 const audit::Origin& origin);
  core::Result<PageOf<User>> list_users(const core::Principal& actor, const PageRequest& page = {});
  core::Result<User> get_user(const core::Principal& actor, std::string_view user_id);
  core::Result<User> update_user(const core::Principal& actor, std::string_view user_id,
                                 const UserChange& change, const audit::Origin& origin);
  // Disables the user and revokes every API key they own. The tenant's last active owner
  // cannot be disabled or demoted (kConflict).
  core::Result<User> disable_user(const core::Principal& actor, std::string_view user_id,
                                  const audit::Origin& origin);

  core::Result<CreatedServiceAccount> create_service_account(const core::Principal& actor,
                                                             const NewServiceAccount& request,
                                                             const audit::Origin& origin);
  core::Result<PageOf<ServiceAccount>> list_service_accounts(const core::Principal& actor,
                                                             const PageRequest& page = {});
  core::Result<ServiceAccount> get_service_account(const core::Principal& actor,
                                                   std::string_view account_id);
  // A disabled account can no longer obtain tokens and its API keys are revoked; tokens
  // already issued run out (≤ 1 h).
  core::Result<ServiceAccount> disable_service_account(const core::Principal& actor,
                                                       std::string_view account_id,
                                                       const audit::Origin& origin);
  // kUnauthenticated for an unknown client, a wrong secret or a disabled account.
  core::Result<AuthenticatedClient> authenticate_client(std::string_view client_id,
                                                        std::string_view client_secret);

  // A new key with the same name, role, owner, expiry and limit; the old one keeps working
  // for `grace` (at most 7 days, never past its own expiry) and then expires.
  core::Result<IssuedKey> rotate_api_key(const core::Principal& actor, std::string_view key_id,
                                         std::chrono::seconds grace, const audit::Origin& origin);

 private:
  // Drops the cached entries of every API key of the user (after a role change).
  void invalidate_user_keys(const std::string& tenant_id, const std::string& user_id);
  // Refuses (and audits) granting `role` when it carries a permission `actor` lacks.
  core::Status check_grantable(const core::Principal& actor, const std::string& role,
                               const audit::Origin& origin, std::string_view target_type);
  // Records `action` on the target as denied and returns the kPermissionDenied to answer.
  core::Error refuse(const core::Principal& actor, const audit::Origin& origin, std::string action,
                     std::string_view target_type, std::string_view target_id,
                     const Denial& denial);

  // Publishes the domain event `type` of the actor's tenant in `tx`.
  core::Status publish(store::Transaction& tx, const std::string& tenant_id, std::string_view type,
                       std::string data);

  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  events::EventLog& events_;
  CredentialCache cache_;
};

}  // namespace aic::identity
