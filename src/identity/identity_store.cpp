#include "identity/identity_store.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iterator>

#include "core/json_writer.hpp"
#include "identity/api_keys.hpp"
#include "identity/passwords.hpp"
#include "identity/permissions.hpp"

namespace aic::identity {
namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::append_page;
using store::read_page;
using store::Transaction;
using store::Value;

constexpr std::string_view kKeyColumns =
    "id, tenant_id, principal_kind, principal_id, name, role, created_at, expires_at, "
    "revoked_at, last_used_at, replaced_by, rate_limit_per_minute";
constexpr std::size_t kKeyColumnCount = 12;

// last_used_at is written at most this often per key, so that using a key is not a write.
constexpr std::chrono::seconds kLastUsedResolution{60};
constexpr std::chrono::hours kMaxRotationGrace{24 * 7};

// Moves the row's values out of `result`.
ApiKey key_from_row(store::QueryResult& result, std::size_t row) {
  ApiKey key;
  key.id = result.take_text(row, 0);
  key.tenant_id = result.take_text(row, 1);
  key.principal_kind = result.take_text(row, 2);
  key.principal_id = result.take_text(row, 3);
  key.name = result.take_text(row, 4);
  key.role = result.take_text(row, 5);
  key.created_at = result.take_text(row, 6);
  if (!result.is_null(row, 7)) key.expires_at = result.take_text(row, 7);
  if (!result.is_null(row, 8)) key.revoked_at = result.take_text(row, 8);
  if (!result.is_null(row, 9)) key.last_used_at = result.take_text(row, 9);
  if (!result.is_null(row, 10)) key.replaced_by = result.take_text(row, 10);
  if (!result.is_null(row, 11)) key.rate_limit_per_minute = result.integer(row, 11);
  return key;
}

Tenant tenant_from_row(const store::QueryResult& result, std::size_t row) {
  return Tenant{result.text(row, 0), result.text(row, 1), result.text(row, 2), result.text(row, 3),
                result.text(row, 4)};
}

Value text_or_null(const std::optional<std::string>& text) {
  return text ? Value(*text) : Value(nullptr);
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

core::Status check_name(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > 200 || has_control_characters(name)) {
    return Error::invalid("must be 1 to 200 characters without control characters",
                          std::string(field));
  }
  return {};
}

bool valid_slug(std::string_view slug) {
  if (slug.empty() || slug.size() > 48 || slug.front() == '-' || slug.back() == '-') return false;
  return std::all_of(slug.begin(), slug.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string slug_from_name(std::string_view name) {
  std::string slug;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() == 48) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

bool valid_email(std::string_view email) {
  auto at = email.find('@');
  if (email.size() > 254 || at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  auto domain = email.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return false;
  }
  return std::none_of(email.begin(), email.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

Error not_found(std::string_view what, std::string_view id) {
  return Error::make(ErrorCode::kNotFound,
                     std::string(what) + " " + std::string(id) + " not found");
}

// Inserts a key row for `issued` (its id, role and owner already set) and fills created_at.
// Only the hash of the token's secret is stored.
core::Status insert_key(Transaction& tx, IssuedKey& issued) {
  issued.key.created_at = utc_now();
  const ApiKey& key = issued.key;
  auto inserted = tx.execute(
      "INSERT INTO api_keys (id, tenant_id, principal_kind, principal_id, name, role, "
      "secret_hash, created_at, expires_at, rate_limit_per_minute) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {key.id, key.tenant_id.empty() ? Value(nullptr) : Value(key.tenant_id), key.principal_kind,
       key.principal_id, key.name, key.role, hash_secret(parse_api_key(issued.token)->secret),
       key.created_at, text_or_null(key.expires_at),
       key.rate_limit_per_minute ? Value(*key.rate_limit_per_minute) : Value(nullptr)});
  if (!inserted) return std::move(inserted).error();
  return {};
}

IssuedKey new_key(core::Random& random) {
  ApiKeyToken token = generate_api_key(random);
  IssuedKey issued;
  issued.key.id = token.id;
  issued.token = token.token();
  return issued;
}

// The key `key_id` of `tenant_id` into `key`, left empty when there is none.
core::Status find_key(Transaction& tx, const std::string& tenant_id, std::string_view key_id,
                      std::optional<ApiKey>& key) {
  auto rows = tx.execute(
      "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE tenant_id = $1 AND id = $2",
      {tenant_id, std::string(key_id)});
  if (!rows) return std::move(rows).error();
  if (!rows->rows.empty()) key = key_from_row(*rows, 0);
  return {};
}

audit::Event key_event(const core::Principal& actor, const audit::Origin& origin,
                       std::string action, const ApiKey& key) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = "api_key";
  event.target_id = key.id;
  event.details = audit::details_json({{"name", key.name}, {"role", key.role}});
  return event;
}

core::Status append(audit::AuditLog& log, Transaction& tx, const audit::Event& event) {
  auto appended = log.append(tx, event);
  if (!appended) return std::move(appended).error();
  return {};
}

std::vector<std::string> split_permissions(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    std::size_t space = std::min(text.find(' '), text.size());
    if (space > 0) items.emplace_back(text.substr(0, space));
    text.remove_prefix(std::min(space + 1, text.size()));
  }
  std::sort(items.begin(), items.end());
  return items;
}

// The permissions `role` grants in `tenant_id`: a built-in role's, or the tenant's custom
// role's; nullopt for a name that is neither.
core::Status grants_of(Transaction& tx, const std::string& tenant_id, const std::string& role,
                       std::optional<std::vector<std::string>>& out) {
  out.reset();
  if (const auto* builtin = role_permissions(role)) {
    out = *builtin;
    return {};
  }
  if (tenant_id.empty()) return {};
  auto rows = tx.execute("SELECT permissions FROM custom_roles WHERE tenant_id = $1 AND name = $2",
                         {tenant_id, role});
  if (!rows) return std::move(rows).error();
  if (!rows->rows.empty()) out = split_permissions(rows->text(0, 0));
  return {};
}

// Whether `actor` is the principal of kind `kind` ("user", "service_account") and id `id`.
bool is_self(const core::Principal& actor, std::string_view kind, std::string_view id) {
  std::string_view actor_kind = actor.kind == core::Principal::Kind::kUser ? "user"
                                : actor.kind == core::Principal::Kind::kServiceAccount
                                    ? "service_account"
                                    : "operator";
  return actor_kind == kind && actor.id == id;
}

// Fills `denial` and fails when `role` grants a permission `actor` lacks. A role that no
// longer exists grants nothing and is covered.
core::Status require_covers(Transaction& tx, const core::Principal& actor, const std::string& role,
                            std::optional<Denial>& denial) {
  std::optional<std::vector<std::string>> grants;
  if (auto found = grants_of(tx, actor.tenant_id, role, grants); !found) return found;
  if (!grants) return {};
  for (const auto& permission : *grants) {
    if (!actor.has(permission)) {
      denial = Denial{role, permission};
      return Error::make(ErrorCode::kPermissionDenied, "denied");
    }
  }
  return {};
}

// The current role of a key's owner (a user or service account), nullopt for the operator
// or an owner that is gone.
core::Status owner_role(Transaction& tx, const ApiKey& key, std::optional<std::string>& role) {
  role.reset();
  std::string_view table = key.principal_kind == "user"              ? "users"
                           : key.principal_kind == "service_account" ? "service_accounts"
                                                                     : "";
  if (table.empty()) return {};
  auto rows =
      tx.execute("SELECT role FROM " + std::string(table) + " WHERE tenant_id = $1 AND id = $2",
                 {key.tenant_id, key.principal_id});
  if (!rows) return std::move(rows).error();
  if (!rows->rows.empty()) role = rows->text(0, 0);
  return {};
}

// Revoking or rotating a key needs every permission of the key's role, so a weaker key
// cannot obtain (by rotation) a successor stronger than itself, even of its own user. Another
// principal's key also needs every permission of that owner's role, so an admin cannot take
// over or cut off an owner's key.
core::Status require_may_manage_key(Transaction& tx, const core::Principal& actor,
                                    const ApiKey& key, std::optional<Denial>& denial) {
  if (auto covered = require_covers(tx, actor, key.role, denial); !covered) return covered;
  if (is_self(actor, key.principal_kind, key.principal_id)) return {};
  std::optional<std::string> role;
  if (auto found = owner_role(tx, key, role); !found) return found;
  if (role) return require_covers(tx, actor, *role, denial);
  return {};
}

// Revokes every live key of one owner inside `tx`; their ids go to `revoked`.
core::Status revoke_keys_of(Transaction& tx, const std::string& tenant_id, std::string_view kind,
                            const std::string& owner_id, const std::string& now,
                            std::vector<std::string>& revoked) {
  revoked.clear();
  auto keys = tx.execute(
      "SELECT id FROM api_keys WHERE tenant_id = $1 AND principal_kind = $2 AND "
      "principal_id = $3 AND revoked_at IS NULL",
      {tenant_id, std::string(kind), owner_id});
  if (!keys) return std::move(keys).error();
  for (std::size_t i = 0; i < keys->rows.size(); ++i) revoked.push_back(keys->text(i, 0));
  auto updated = tx.execute(
      "UPDATE api_keys SET revoked_at = $4 WHERE tenant_id = $1 AND principal_kind = $2 "
      "AND principal_id = $3 AND revoked_at IS NULL",
      {tenant_id, std::string(kind), owner_id, now});
  if (!updated) return std::move(updated).error();
  return {};
}

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "this operation acts inside a tenant; the platform operator has none");
  }
  return {};
}

// Event data for a key: who holds it and with what role, never its secret.
std::string key_data(const ApiKey& key) {
  std::string out;
  core::JsonWriter json(out);
  json.begin_object();
  json.member("id", key.id);
  json.member("name", key.name);
  json.member("role", key.role);
  json.member("principal_kind", key.principal_kind);
  json.member("principal_id", key.principal_id);
  json.member_or_null("expires_at", key.expires_at);
  json.end_object();
  return out;
}

}  // namespace

core::Status IdentityStore::publish(Transaction& tx, const std::string& tenant_id,
                                    std::string_view type, std::string data) {
  auto published = events_.publish(tx, tenant_id, type, std::move(data));
  if (!published) return std::move(published).error();
  return {};
}

std::string utc_now() { return format_utc_timestamp(std::chrono::system_clock::now()); }

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text) {
  if (!is_utc_timestamp(text)) return std::nullopt;
  auto number = [&](std::size_t at, std::size_t digits) {
    int value = 0;
    for (std::size_t i = at; i < at + digits; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm parts{};
  parts.tm_year = number(0, 4) - 1900;
  parts.tm_mon = number(5, 2) - 1;
  parts.tm_mday = number(8, 2);
  parts.tm_hour = number(11, 2);
  parts.tm_min = number(14, 2);
  parts.tm_sec = number(17, 2);
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

std::string format_utc_timestamp(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(buffer, length);
}

bool is_utc_timestamp(std::string_view text) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return false;
  }
  auto number = [&](std::size_t at, std::size_t digits) {
    unsigned value = 0;
    for (std::size_t i = at; i < at + digits; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  // A real calendar day (no 31 February) and time (no leap second), in years that a
  // nanosecond clock can hold.
  const std::chrono::year_month_day day{std::chrono::year(static_cast<int>(number(0, 4))),
                                        std::chrono::month(number(5, 2)),
                                        std::chrono::day(number(8, 2))};
  return day.ok() && day.year() >= std::chrono::year(1970) &&
         day.year() <= std::chrono::year(2200) && number(11, 2) < 24 && number(14, 2) < 60 &&
         number(17, 2) < 60;
}

namespace {

constexpr std::string_view kCountOperatorKeys =
    "SELECT count(*) FROM api_keys WHERE principal_kind = 'operator' AND revoked_at IS NULL";

}  // namespace

Result<bool> IdentityStore::operator_bootstrapped() {
  bool exists = false;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto count = tx.execute(kCountOperatorKeys);
    if (!count) return std::move(count).error();
    exists = count->integer(0, 0) > 0;
    return {};
  });
  if (!status) return std::move(status).error();
  return exists;
}

Result<IssuedKey> IdentityStore::bootstrap_operator(bool issue_new_key,
                                                    const audit::Origin& origin) {
  IssuedKey issued = new_key(random_);
  issued.key.principal_kind = "operator";
  issued.key.principal_id = "operator";
  issued.key.name = "platform operator";
  issued.key.role = std::string(kOperatorRole);
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto existing = tx.execute(kCountOperatorKeys);
    if (!existing) return std::move(existing).error();
    if (existing->integer(0, 0) > 0 && !issue_new_key) {
      return Error::make(ErrorCode::kConflict,
                         "the platform operator already has a key; pass --new-key to issue "
                         "another");
    }
    if (auto inserted = insert_key(tx, issued); !inserted) return inserted;
    audit::Event event;
    event.action = "operator.key_created";
    event.actor_kind = "system";
    event.actor_id = "aic admin bootstrap";
    event.target_type = "api_key";
    event.target_id = issued.key.id;
    event.origin = origin;
    return append(audit_, tx, event);
  });
  if (!status) return std::move(status).error();
  return issued;
}

Result<CreatedTenant> IdentityStore::create_tenant(const core::Principal& actor,
                                                   const NewTenant& request,
                                                   const audit::Origin& origin) {
  if (!actor.is_operator()) {
    return Error::make(ErrorCode::kPermissionDenied, "only the platform operator creates tenants");
  }
  if (auto ok = check_name(request.name, "/name"); !ok) return std::move(ok).error();
  std::string slug = request.slug.empty() ? slug_from_name(request.name) : request.slug;
  if (!valid_slug(slug)) {
    return Error::invalid(
        "must be 1 to 48 lower-case letters, digits or '-', not starting or ending with '-'",
        "/slug");
  }
  if (request.plan != "free" && request.plan != "standard" && request.plan != "enterprise") {
    return Error::invalid("must be one of free, standard, enterprise", "/plan");
  }
  if (!valid_email(request.owner_email)) {
    return Error::invalid("must be an email address", "/owner_email");
  }

  CreatedTenant created;
  created.tenant =
      Tenant{"ten_" + core::random_hex(random_, 8), slug, request.name, request.plan, utc_now()};
  created.owner_user_id = "usr_" + core::random_hex(random_, 8);
  created.owner_key = new_key(random_);
  ApiKey& key = created.owner_key.key;
  key.tenant_id = created.tenant.id;
  key.principal_kind = "user";
  key.principal_id = created.owner_user_id;
  key.name = "owner key";
  key.role = "owner";

  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    const Tenant& tenant = created.tenant;
    auto taken = tx.execute("SELECT count(*) FROM tenants WHERE slug = $1", {tenant.slug});
    if (!taken) return std::move(taken).error();
    if (taken->integer(0, 0) > 0) {
      core::Error error = Error::make(ErrorCode::kConflict,
                                      "a tenant with slug '" + tenant.slug + "' already exists");
      error.field = "/slug";
      return error;
    }
    auto inserted = tx.execute(
        "INSERT INTO tenants (id, slug, name, plan, created_at) VALUES ($1, $2, $3, $4, $5)",
        {tenant.id, tenant.slug, tenant.name, tenant.plan, tenant.created_at});
    if (!inserted) return std::move(inserted).error();
    auto user = tx.execute(
        "INSERT INTO users (id, tenant_id, email, role, created_at) VALUES ($1, $2, $3, $4, $5)",
        {created.owner_user_id, tenant.id, request.owner_email, "owner", tenant.created_at});
    if (!user) return std::move(user).error();
    if (auto key_row = insert_key(tx, created.owner_key); !key_row) return key_row;
    // Once in the operator's chain (what the operator did) and once as the first event of
    // the tenant's own chain.
    audit::Event event = audit::event_by(actor, origin, "tenant.created");
    event.target_type = "tenant";
    event.target_id = tenant.id;
    event.details = audit::details_json({{"slug", tenant.slug},
                                         {"plan", tenant.plan},
                                         {"owner_user_id", created.owner_user_id},
                                         {"owner_key_id", created.owner_key.key.id}});
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    event.tenant_id = tenant.id;
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    return publish(tx, tenant.id, "api_key.created", key_data(created.owner_key.key));
  });
  if (!status) return std::move(status).error();
  return created;
}

Result<PageOf<Tenant>> IdentityStore::list_tenants(const PageRequest& page) {
  std::string sql = "SELECT id, slug, name, plan, created_at FROM tenants WHERE 1 = 1";
  std::vector<Value> params;
  append_page(page, sql, params);
  PageOf<Tenant> tenants;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return read_page(tx, sql, params, page.limit, tenant_from_row, tenants);
  });
  if (!status) return std::move(status).error();
  return tenants;
}

Result<Tenant> IdentityStore::get_tenant(std::string_view tenant_id) {
  std::optional<Tenant> tenant;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto rows = tx.execute("SELECT id, slug, name, plan, created_at FROM tenants WHERE id = $1",
                           {std::string(tenant_id)});
    if (!rows) return std::move(rows).error();
    if (!rows->rows.empty()) tenant = tenant_from_row(*rows, 0);
    return {};
  });
  if (!status) return std::move(status).error();
  if (!tenant) return not_found("tenant", tenant_id);
  return *tenant;
}

bool IdentityStore::is_cached(std::string_view token) const {
  auto parsed = split_api_key(token);
  return parsed && cache_.fresh(parsed->id, CredentialCache::Clock::now());
}

std::optional<Result<core::SharedPrincipal>> IdentityStore::authenticate_cached(
    std::string_view token) const {
  auto parsed = split_api_key(token);
  if (!parsed) return std::nullopt;
  return cache_.authenticate(parsed->id, parsed->secret, CredentialCache::Clock::now());
}

Result<core::Principal> IdentityStore::authenticate(std::string_view token) {
  auto parsed = parse_api_key(token);
  if (!parsed) {
    return Error::make(ErrorCode::kUnauthenticated, "the bearer token is not an aic API key");
  }
  // Only a fresh entry answers here. One past ttl but within its grace second would answer
  // too, but then nothing reloads it: every request of that second would come through this
  // (slower, off-thread) path instead of the cache, and none would refresh the entry.
  if (const auto now = CredentialCache::Clock::now(); cache_.fresh(parsed->id, now)) {
    if (auto cached = cache_.authenticate(parsed->id, parsed->secret, now)) {
      if (!*cached) return std::move(*cached).error();
      return core::Principal(***cached);
    }
  }
  const auto loaded_at = CredentialCache::Clock::now();
  std::optional<ApiKey> key;
  std::string stored_hash;
  std::string plan;
  // The current role of the key's owner (user or service account) while the owner is active.
  std::optional<std::string> owner_role;
  std::optional<std::vector<std::string>> key_grants;
  std::optional<std::vector<std::string>> owner_grants;
  // A revocation that lands while this runs must not be undone by caching what was read.
  const auto cache_generation = cache_.generation();
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto rows = tx.execute(
        "SELECT " + std::string(kKeyColumns) +
            ", secret_hash, (SELECT plan FROM tenants WHERE tenants.id = api_keys.tenant_id), "
            "CASE api_keys.principal_kind "
            "WHEN 'user' THEN (SELECT role FROM users WHERE users.id = api_keys.principal_id "
            "AND users.disabled_at IS NULL) "
            "WHEN 'service_account' THEN (SELECT role FROM service_accounts s WHERE "
            "s.id = api_keys.principal_id AND s.disabled_at IS NULL) END "
            "FROM api_keys WHERE id = $1",
        {parsed->id});
    if (!rows) return std::move(rows).error();
    if (!rows->rows.empty()) {
      key = key_from_row(*rows, 0);
      stored_hash = rows->text(0, kKeyColumnCount);
      plan = rows->text(0, kKeyColumnCount + 1);
      if (!rows->is_null(0, kKeyColumnCount + 2)) owner_role = rows->text(0, kKeyColumnCount + 2);
      if (auto found = grants_of(tx, key->tenant_id, key->role, key_grants); !found) return found;
      if (owner_role) {
        if (auto found = grants_of(tx, key->tenant_id, *owner_role, owner_grants); !found) {
          return found;
        }
      }
    }
    return {};
  });
  if (!status) return std::move(status).error();
  // An unknown id still costs a hash, so timing does not tell which ids exist.
  bool matches = secret_matches(
      parsed->secret, key ? std::string_view(stored_hash) : std::string_view(hash_secret("")));
  if (!key || !matches) {
    return Error::make(ErrorCode::kUnauthenticated, "the API key is not valid");
  }
  if (key->revoked_at) {
    return Error::make(ErrorCode::kUnauthenticated, "the API key was revoked");
  }
  const auto now = std::chrono::system_clock::now();
  std::optional<std::chrono::system_clock::time_point> expires_at;
  if (key->expires_at) expires_at = parse_utc_timestamp(*key->expires_at);
  if (expires_at && *expires_at <= now) {
    return Error::make(ErrorCode::kUnauthenticated, "the API key has expired");
  }
  if (!key_grants) {
    return Error::make(ErrorCode::kUnauthenticated, "the API key's role no longer exists");
  }
  std::vector<std::string> granted = std::move(*key_grants);
  if (key->principal_kind != "operator") {
    // A key never does more than its owner may do now: a demoted user's keys shrink with
    // them, and a disabled owner's keys stop.
    if (!owner_role) {
      return Error::make(ErrorCode::kUnauthenticated,
                         key->principal_kind == "user"
                             ? "the API key's user is disabled"
                             : "the API key's service account is disabled");
    }
    std::vector<std::string> both;
    if (owner_grants) {
      std::set_intersection(granted.begin(), granted.end(), owner_grants->begin(),
                            owner_grants->end(), std::back_inserter(both));
    }
    granted = std::move(both);
  }
  core::Principal principal;
  principal.kind = key->principal_kind == "operator" ? core::Principal::Kind::kOperator
                   : key->principal_kind == "service_account"
                       ? core::Principal::Kind::kServiceAccount
                       : core::Principal::Kind::kUser;
  principal.id = key->principal_id;
  principal.tenant_id = key->tenant_id;
  principal.role = key->role;
  principal.credential_id = key->id;
  principal.permissions = std::move(granted);
  principal.plan = principal.is_operator() ? std::string(kOperatorRole) : plan;
  principal.rate_limit_per_minute = key->rate_limit_per_minute.value_or(0);

  auto last_used = key->last_used_at ? parse_utc_timestamp(*key->last_used_at) : std::nullopt;
  if (!last_used || now - *last_used >= kLastUsedResolution) {
    // Best effort: a busy database must not turn a valid key into a failed request.
    (void)database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
      auto updated = tx.execute("UPDATE api_keys SET last_used_at = $2 WHERE id = $1",
                                {key->id, format_utc_timestamp(now)});
      if (!updated) return std::move(updated).error();
      return {};
    });
  }
  cache_.put(key->id,
             CredentialCache::Entry{stored_hash, std::make_shared<core::Principal>(principal),
                                    expires_at, loaded_at},
             cache_generation);
  return principal;
}

core::Error IdentityStore::refuse(const core::Principal& actor, const audit::Origin& origin,
                                  std::string action, std::string_view target_type,
                                  std::string_view target_id, const Denial& denial) {
  // An attempted escalation is a security event in its own right.
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.outcome = "denied";
  event.target_type = std::string(target_type);
  event.target_id = std::string(target_id);
  event.details = audit::details_json(
      {{"role", denial.role}, {"missing_permission", denial.missing_permission}});
  if (auto recorded = audit_.record(event); !recorded) return std::move(recorded).error();
  return Error::make(ErrorCode::kPermissionDenied, "role '" + denial.role + "' grants " +
                                                       denial.missing_permission +
                                                       ", which the caller does not hold");
}

core::Status IdentityStore::check_grantable(const core::Principal& actor, const std::string& role,
                                            const audit::Origin& origin,
                                            std::string_view target_type) {
  std::optional<std::vector<std::string>> permissions;
  if (role != kOperatorRole) {
    auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
      return grants_of(tx, actor.tenant_id, role, permissions);
    });
    if (!status) return status;
  }
  if (!permissions) return Error::invalid("unknown role '" + role + "'", "/role");
  for (const auto& granted : *permissions) {
    if (!actor.has(granted)) {
      return refuse(actor, origin, std::string(target_type) + ".created", target_type, "",
                    Denial{role, granted});
    }
  }
  return {};
}

Result<IssuedKey> IdentityStore::create_api_key(const core::Principal& actor,
                                                const NewApiKey& request,
                                                const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = check_name(request.name, "/name"); !ok) return std::move(ok).error();
  if (auto ok = check_grantable(actor, request.role, origin, "api_key"); !ok) {
    return std::move(ok).error();
  }
  if (request.expires_at &&
      (!is_utc_timestamp(*request.expires_at) || *request.expires_at <= utc_now())) {
    return Error::invalid("must be a future time like 2030-01-31T00:00:00Z", "/expires_at");
  }
  if (request.rate_limit_per_minute &&
      (*request.rate_limit_per_minute < 1 || *request.rate_limit_per_minute > 1'000'000'000)) {
    return Error::invalid("must be from 1 to 1000000000 requests per minute",
                          "/rate_limit_per_minute");
  }
  IssuedKey issued = new_key(random_);
  issued.key.tenant_id = actor.tenant_id;
  issued.key.rate_limit_per_minute = request.rate_limit_per_minute;
  issued.key.principal_kind =
      actor.kind == core::Principal::Kind::kServiceAccount ? "service_account" : "user";
  issued.key.principal_id = actor.id;
  issued.key.name = request.name;
  issued.key.role = request.role;
  issued.key.expires_at = request.expires_at;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    if (auto inserted = insert_key(tx, issued); !inserted) return inserted;
    if (auto ok = append(audit_, tx, key_event(actor, origin, "api_key.created", issued.key));
        !ok) {
      return ok;
    }
    return publish(tx, actor.tenant_id, "api_key.created", key_data(issued.key));
  });
  if (!status) return std::move(status).error();
  return issued;
}

Result<PageOf<ApiKey>> IdentityStore::list_api_keys(const core::Principal& actor,
                                                    const PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql = "SELECT " + std::string(kKeyColumns) + " FROM api_keys WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  append_page(page, sql, params);
  PageOf<ApiKey> keys;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return read_page(tx, sql, params, page.limit, key_from_row, keys);
  });
  if (!status) return std::move(status).error();
  return keys;
}

Result<ApiKey> IdentityStore::get_api_key(const core::Principal& actor, std::string_view key_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<ApiKey> key;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return find_key(tx, actor.tenant_id, key_id, key);
  });
  if (!status) return std::move(status).error();
  if (!key) return not_found("API key", key_id);
  return *key;
}

Result<ApiKey> IdentityStore::revoke_api_key(const core::Principal& actor, std::string_view key_id,
                                             const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<ApiKey> key;
  std::optional<Denial> denial;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    key.reset();
    denial.reset();
    if (auto found = find_key(tx, actor.tenant_id, key_id, key); !found || !key) return found;
    // Revoking twice changes nothing the second time, and records nothing.
    if (key->revoked_at) return {};
    if (auto allowed = require_may_manage_key(tx, actor, *key, denial); !allowed) return allowed;
    key->revoked_at = utc_now();
    auto updated =
        tx.execute("UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2",
                   {actor.tenant_id, key->id, *key->revoked_at});
    if (!updated) return std::move(updated).error();
    if (auto ok = append(audit_, tx, key_event(actor, origin, "api_key.revoked", *key)); !ok) {
      return ok;
    }
    return publish(tx, actor.tenant_id, "api_key.revoked", audit::details_json({{"id", key->id}}));
  });
  if (!status && denial)
    return refuse(actor, origin, "api_key.revoked", "api_key", key_id, *denial);
  if (!status) return std::move(status).error();
  if (!key) return not_found("API key", key_id);
  cache_.invalidate(key->id);
  return *key;
}

Result<IssuedKey> IdentityStore::rotate_api_key(const core::Principal& actor,
                                                std::string_view key_id, std::chrono::seconds grace,
                                                const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (grace.count() < 0 || grace > kMaxRotationGrace) {
    return Error::invalid("must be from 0 to 604800 seconds (7 days)", "/grace_period_seconds");
  }
  const auto now = std::chrono::system_clock::now();
  IssuedKey issued = new_key(random_);
  std::optional<ApiKey> old;
  std::optional<Denial> denial;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    old.reset();
    denial.reset();
    if (auto found = find_key(tx, actor.tenant_id, key_id, old); !found || !old) return found;
    if (old->revoked_at) {
      return Error::make(ErrorCode::kConflict, "API key " + old->id + " is revoked");
    }
    if (old->replaced_by) {
      return Error::make(ErrorCode::kConflict,
                         "API key " + old->id + " was already rotated to " + *old->replaced_by);
    }
    // The successor is a working credential with the old key's role and owner: only whoever
    // may manage that key gets one.
    if (auto allowed = require_may_manage_key(tx, actor, *old, denial); !allowed) return allowed;
    // The old key's last moment: the end of the grace period, or its own expiry if sooner.
    std::string until = format_utc_timestamp(now + grace);
    if (old->expires_at && *old->expires_at < until) until = *old->expires_at;
    issued.key.tenant_id = old->tenant_id;
    issued.key.principal_kind = old->principal_kind;
    issued.key.principal_id = old->principal_id;
    issued.key.name = old->name;
    issued.key.role = old->role;
    issued.key.expires_at = old->expires_at;
    issued.key.rate_limit_per_minute = old->rate_limit_per_minute;
    if (auto inserted = insert_key(tx, issued); !inserted) return inserted;
    // The conditions make a concurrent rotation or revocation (on PostgreSQL, where both
    // may have read the key) match no row, so one key never gets two successors.
    auto updated = tx.execute(
        "UPDATE api_keys SET expires_at = $3, replaced_by = $4 WHERE tenant_id = $1 AND id = $2 "
        "AND replaced_by IS NULL AND revoked_at IS NULL",
        {actor.tenant_id, old->id, until, issued.key.id});
    if (!updated) return std::move(updated).error();
    if (updated->affected_rows == 0) {
      return Error::make(ErrorCode::kConflict,
                         "API key " + old->id + " was rotated or revoked meanwhile; reload it");
    }
    audit::Event event = key_event(actor, origin, "api_key.rotated", *old);
    event.details = audit::details_json(
        {{"replaced_by", issued.key.id}, {"old_key_expires_at", until}, {"role", old->role}});
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    return publish(tx, actor.tenant_id, "api_key.rotated",
                   audit::details_json(
                       {{"id", issued.key.id}, {"replaces", old->id}, {"grace_until", until}}));
  });
  if (!status && denial)
    return refuse(actor, origin, "api_key.rotated", "api_key", key_id, *denial);
  if (!status) return std::move(status).error();
  if (!old) return not_found("API key", key_id);
  cache_.invalidate(old->id);
  return issued;
}

namespace {

constexpr std::string_view kAccountColumns = "id, tenant_id, name, role, created_at, disabled_at";

ServiceAccount account_from_row(const store::QueryResult& rows, std::size_t row) {
  ServiceAccount account;
  account.id = rows.text(row, 0);
  account.tenant_id = rows.text(row, 1);
  account.name = rows.text(row, 2);
  account.role = rows.text(row, 3);
  account.created_at = rows.text(row, 4);
  if (!rows.is_null(row, 5)) account.disabled_at = rows.text(row, 5);
  return account;
}

core::Status find_account(Transaction& tx, const std::string& tenant_id,
                          std::string_view account_id, std::optional<ServiceAccount>& account) {
  auto rows = tx.execute("SELECT " + std::string(kAccountColumns) +
                             " FROM service_accounts WHERE tenant_id = $1 AND id = $2",
                         {tenant_id, std::string(account_id)});
  if (!rows) return std::move(rows).error();
  if (!rows->rows.empty()) account = account_from_row(*rows, 0);
  return {};
}

audit::Event account_event(const core::Principal& actor, const audit::Origin& origin,
                           std::string action, const ServiceAccount& account) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = "service_account";
  event.target_id = account.id;
  event.details = audit::details_json({{"name", account.name}, {"role", account.role}});
  return event;
}

}  // namespace

Result<CreatedServiceAccount> IdentityStore::create_service_account(
    const core::Principal& actor, const NewServiceAccount& request, const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = check_name(request.name, "/name"); !ok) return std::move(ok).error();
  if (auto ok = check_grantable(actor, request.role, origin, "service_account"); !ok) {
    return std::move(ok).error();
  }
  // The same shape of randomness as an API key: a public id and a 256-bit secret.
  ApiKeyToken token = generate_api_key(random_);
  CreatedServiceAccount created;
  created.account = ServiceAccount{"sa_" + token.id, actor.tenant_id, request.name,
                                   request.role,     utc_now(),       std::nullopt};
  created.client_secret = token.secret;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    const ServiceAccount& account = created.account;
    auto inserted = tx.execute(
        "INSERT INTO service_accounts (id, tenant_id, name, role, secret_hash, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {account.id, account.tenant_id, account.name, account.role, hash_secret(token.secret),
         account.created_at});
    if (!inserted) return std::move(inserted).error();
    if (auto ok =
            append(audit_, tx, account_event(actor, origin, "service_account.created", account));
        !ok) {
      return ok;
    }
    return publish(
        tx, actor.tenant_id, "service_account.created",
        audit::details_json({{"id", account.id}, {"name", account.name}, {"role", account.role}}));
  });
  if (!status) return std::move(status).error();
  return created;
}

Result<PageOf<ServiceAccount>> IdentityStore::list_service_accounts(const core::Principal& actor,
                                                                    const PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql =
      "SELECT " + std::string(kAccountColumns) + " FROM service_accounts WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  append_page(page, sql, params);
  PageOf<ServiceAccount> accounts;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return read_page(tx, sql, params, page.limit, account_from_row, accounts);
  });
  if (!status) return std::move(status).error();
  return accounts;
}

Result<ServiceAccount> IdentityStore::get_service_account(const core::Principal& actor,
                                                          std::string_view account_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<ServiceAccount> account;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return find_account(tx, actor.tenant_id, account_id, account);
  });
  if (!status) return std::move(status).error();
  if (!account) return not_found("service account", account_id);
  return *account;
}

Result<ServiceAccount> IdentityStore::disable_service_account(const core::Principal& actor,
                                                              std::string_view account_id,
                                                              const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<ServiceAccount> account;
  std::optional<Denial> denial;
  std::vector<std::string> revoked_keys;
  const std::string now = utc_now();
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    account.reset();
    denial.reset();
    revoked_keys.clear();
    if (auto found = find_account(tx, actor.tenant_id, account_id, account); !found || !account) {
      return found;
    }
    if (account->disabled_at) return {};
    if (auto covered = require_covers(tx, actor, account->role, denial); !covered) {
      return covered;
    }
    // The account's API keys stop with it, like a disabled user's.
    if (auto revoked =
            revoke_keys_of(tx, actor.tenant_id, "service_account", account->id, now, revoked_keys);
        !revoked) {
      return revoked;
    }
    auto updated =
        tx.execute("UPDATE service_accounts SET disabled_at = $3 WHERE tenant_id = $1 AND id = $2",
                   {actor.tenant_id, account->id, now});
    if (!updated) return std::move(updated).error();
    account->disabled_at = now;
    audit::Event event = account_event(actor, origin, "service_account.disabled", *account);
    event.details =
        audit::details_json({{"name", account->name},
                             {"role", account->role},
                             {"revoked_api_keys", std::to_string(revoked_keys.size())}});
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    return publish(tx, actor.tenant_id, "service_account.disabled",
                   audit::details_json({{"id", account->id}}));
  });
  if (!status && denial) {
    return refuse(actor, origin, "service_account.disabled", "service_account", account_id,
                  *denial);
  }
  if (!status) return std::move(status).error();
  if (!account) return not_found("service account", account_id);
  for (const auto& key : revoked_keys) cache_.invalidate(key);
  return *account;
}

Result<AuthenticatedClient> IdentityStore::authenticate_client(std::string_view client_id,
                                                               std::string_view client_secret) {
  std::optional<AuthenticatedClient> client;
  std::string stored_hash;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto rows = tx.execute(
        "SELECT s.id, s.tenant_id, s.name, s.role, s.created_at, s.disabled_at, s.secret_hash, "
        "t.plan FROM service_accounts s JOIN tenants t ON t.id = s.tenant_id WHERE s.id = $1",
        {std::string(client_id)});
    if (!rows) return std::move(rows).error();
    if (!rows->rows.empty()) {
      client = AuthenticatedClient{account_from_row(*rows, 0), rows->text(0, 7), {}};
      stored_hash = rows->text(0, 6);
      std::optional<std::vector<std::string>> grants;
      if (auto found = grants_of(tx, client->account.tenant_id, client->account.role, grants);
          !found) {
        return found;
      }
      if (grants) client->permissions = std::move(*grants);
    }
    return {};
  });
  if (!status) return std::move(status).error();
  // An unknown client still costs a hash, so timing does not tell which ids exist.
  bool matches = secret_matches(
      client_secret, client ? std::string_view(stored_hash) : std::string_view(hash_secret("")));
  if (!client || !matches) {
    return Error::make(ErrorCode::kUnauthenticated, "the client id or secret is not valid");
  }
  if (client->account.disabled_at) {
    return Error::make(ErrorCode::kUnauthenticated, "the service account is disabled");
  }
  return std::move(*client);
}

namespace {

constexpr std::string_view kUserColumns =
    "id, tenant_id, email, role, created_at, disabled_at, password_hash IS NOT NULL, version";

User user_from_row(const store::QueryResult& rows, std::size_t row) {
  User user;
  user.id = rows.text(row, 0);
  user.tenant_id = rows.text(row, 1);
  user.email = rows.text(row, 2);
  user.role = rows.text(row, 3);
  user.created_at = rows.text(row, 4);
  if (!rows.is_null(row, 5)) user.disabled_at = rows.text(row, 5);
  user.has_password = rows.integer(row, 6) != 0;
  user.version = rows.integer(row, 7);
  return user;
}

core::Status find_user(Transaction& tx, const std::string& tenant_id, std::string_view user_id,
                       std::optional<User>& user) {
  user.reset();
  auto rows = tx.execute(
      "SELECT " + std::string(kUserColumns) + " FROM users WHERE tenant_id = $1 AND id = $2",
      {tenant_id, std::string(user_id)});
  if (!rows) return std::move(rows).error();
  if (!rows->rows.empty()) user = user_from_row(*rows, 0);
  return {};
}

audit::Event user_event(const core::Principal& actor, const audit::Origin& origin,
                        std::string action, const User& user) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = "user";
  event.target_id = user.id;
  event.details = audit::details_json({{"email", user.email}, {"role", user.role}});
  return event;
}

// kConflict when `user` is the tenant's only active owner. Checked inside the change's
// transaction after locking the tenant's row: SQLite has one writer anyway, and on PostgreSQL
// (READ COMMITTED) two owners demoting each other at once are serialized, the second counting
// after the first committed.
core::Status keep_an_owner(Transaction& tx, const User& user) {
  if (user.role != "owner" || user.disabled_at) return {};
  auto locked = tx.execute("UPDATE tenants SET id = id WHERE id = $1", {user.tenant_id});
  if (!locked) return std::move(locked).error();
  auto owners = tx.execute(
      "SELECT count(*) FROM users WHERE tenant_id = $1 AND role = 'owner' AND disabled_at IS NULL",
      {user.tenant_id});
  if (!owners) return std::move(owners).error();
  if (owners->integer(0, 0) <= 1) {
    return Error::make(ErrorCode::kConflict, "user " + user.id +
                                                 " is the tenant's last owner; make someone else "
                                                 "owner first");
  }
  return {};
}

}  // namespace

Result<User> IdentityStore::create_user(const core::Principal& actor, const NewUser& request,
                                        const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (!valid_email(request.email)) return Error::invalid("must be an email address", "/email");
  if (request.password) {
    if (auto ok = check_password(*request.password, "/password"); !ok) return std::move(ok).error();
  }
  if (auto ok = check_grantable(actor, request.role, origin, "user"); !ok) {
    return std::move(ok).error();
  }
  std::optional<std::string> password_hash;
  if (request.password) {
    auto hashed = hash_password(*request.password, random_);
    if (!hashed) return std::move(hashed).error();
    password_hash = std::move(*hashed);
  }
  User user;
  user.id = "usr_" + core::random_hex(random_, 8);
  user.tenant_id = actor.tenant_id;
  user.email = request.email;
  user.role = request.role;
  user.created_at = utc_now();
  user.has_password = password_hash.has_value();
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto taken = tx.execute("SELECT count(*) FROM users WHERE tenant_id = $1 AND email = $2",
                            {user.tenant_id, user.email});
    if (!taken) return std::move(taken).error();
    if (taken->integer(0, 0) > 0) {
      core::Error error =
          Error::make(ErrorCode::kConflict, "a user with email " + user.email + " already exists");
      error.field = "/email";
      return error;
    }
    auto inserted = tx.execute(
        "INSERT INTO users (id, tenant_id, email, role, password_hash, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {user.id, user.tenant_id, user.email, user.role, text_or_null(password_hash),
         user.created_at});
    if (!inserted) return std::move(inserted).error();
    if (auto ok = append(audit_, tx, user_event(actor, origin, "user.created", user)); !ok) {
      return ok;
    }
    return publish(
        tx, actor.tenant_id, "user.created",
        audit::details_json({{"id", user.id}, {"email", user.email}, {"role", user.role}}));
  });
  if (!status) return std::move(status).error();
  return user;
}

Result<PageOf<User>> IdentityStore::list_users(const core::Principal& actor,
                                               const PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  append_page(page, sql, params);
  PageOf<User> users;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return read_page(tx, sql, params, page.limit, user_from_row, users);
  });
  if (!status) return std::move(status).error();
  return users;
}

Result<User> IdentityStore::get_user(const core::Principal& actor, std::string_view user_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<User> user;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return find_user(tx, actor.tenant_id, user_id, user);
  });
  if (!status) return std::move(status).error();
  if (!user) return not_found("user", user_id);
  return *user;
}

Result<User> IdentityStore::update_user(const core::Principal& actor, std::string_view user_id,
                                        const UserChange& change, const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (change.role) {
    if (auto ok = check_grantable(actor, *change.role, origin, "user"); !ok) {
      return std::move(ok).error();
    }
  }
  std::optional<std::string> password_hash;
  if (change.password) {
    if (auto ok = check_password(*change.password, "/password"); !ok) return std::move(ok).error();
    auto hashed = hash_password(*change.password, random_);
    if (!hashed) return std::move(hashed).error();
    password_hash = std::move(*hashed);
  }
  std::optional<User> user;
  std::optional<Denial> denial;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    denial.reset();
    if (auto found = find_user(tx, actor.tenant_id, user_id, user); !found || !user) return found;
    // Changing a user's role or password needs everything their current role grants, even
    // for the user themselves: a weaker key of theirs must not set the password.
    if (auto covered = require_covers(tx, actor, user->role, denial); !covered) return covered;
    if (change.expected_version && *change.expected_version != user->version) {
      return Error::make(ErrorCode::kPreconditionFailed,
                         "user " + user->id + " is at version " + std::to_string(user->version) +
                             ", not " + std::to_string(*change.expected_version));
    }
    if (change.role && *change.role != user->role) {
      if (auto kept = keep_an_owner(tx, *user); !kept) return kept;
    }
    // The version in the WHERE clause makes a concurrent writer's update match no row.
    auto updated = tx.execute(
        "UPDATE users SET role = COALESCE($4, role), password_hash = COALESCE($5, password_hash), "
        "version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3",
        {actor.tenant_id, user->id, user->version, text_or_null(change.role),
         text_or_null(password_hash)});
    if (!updated) return std::move(updated).error();
    if (updated->affected_rows == 0) {
      return Error::make(ErrorCode::kPreconditionFailed,
                         "user " + user->id + " changed while this update ran; retry");
    }
    std::string before_role = user->role;
    if (change.role) user->role = *change.role;
    if (password_hash) user->has_password = true;
    ++user->version;
    audit::Event event = user_event(actor, origin, "user.updated", *user);
    event.details = audit::details_json({{"email", user->email},
                                         {"role", user->role},
                                         {"previous_role", before_role},
                                         {"password_changed", password_hash ? "true" : "false"}});
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    std::string data;
    core::JsonWriter json(data);
    json.begin_object();
    json.member("id", user->id);
    json.member("role", user->role);
    json.member("password_changed", password_hash.has_value());
    json.end_object();
    return publish(tx, actor.tenant_id, "user.updated", std::move(data));
  });
  if (!status && denial) return refuse(actor, origin, "user.updated", "user", user_id, *denial);
  if (!status) return std::move(status).error();
  if (!user) return not_found("user", user_id);
  if (change.role) invalidate_user_keys(user->tenant_id, user->id);
  return *user;
}

void IdentityStore::invalidate_user_keys(const std::string& tenant_id, const std::string& user_id) {
  // Best effort: entries this fails to drop expire within the cache's ttl anyway.
  (void)database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto keys = tx.execute(
        "SELECT id FROM api_keys WHERE tenant_id = $1 AND principal_kind = 'user' AND "
        "principal_id = $2",
        {tenant_id, user_id});
    if (!keys) return std::move(keys).error();
    for (std::size_t i = 0; i < keys->rows.size(); ++i) cache_.invalidate(keys->text(i, 0));
    return {};
  });
}

Result<User> IdentityStore::disable_user(const core::Principal& actor, std::string_view user_id,
                                         const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<User> user;
  std::vector<std::string> revoked_keys;
  const std::string now = utc_now();
  std::optional<Denial> denial;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    revoked_keys.clear();
    denial.reset();
    if (auto found = find_user(tx, actor.tenant_id, user_id, user); !found || !user) return found;
    if (user->disabled_at) return {};
    if (auto covered = require_covers(tx, actor, user->role, denial); !covered) return covered;
    if (auto kept = keep_an_owner(tx, *user); !kept) return kept;
    if (auto revoked = revoke_keys_of(tx, actor.tenant_id, "user", user->id, now, revoked_keys);
        !revoked) {
      return revoked;
    }
    auto updated = tx.execute(
        "UPDATE users SET disabled_at = $3, version = version + 1 WHERE tenant_id = $1 AND id = $2",
        {actor.tenant_id, user->id, now});
    if (!updated) return std::move(updated).error();
    user->disabled_at = now;
    ++user->version;
    audit::Event event = user_event(actor, origin, "user.disabled", *user);
    event.details = audit::details_json(
        {{"email", user->email}, {"revoked_api_keys", std::to_string(revoked_keys.size())}});
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    return publish(tx, actor.tenant_id, "user.disabled", audit::details_json({{"id", user->id}}));
  });
  if (!status && denial) return refuse(actor, origin, "user.disabled", "user", user_id, *denial);
  if (!status) return std::move(status).error();
  if (!user) return not_found("user", user_id);
  for (const auto& key : revoked_keys) cache_.invalidate(key);
  return *user;
}

Result<std::vector<Role>> IdentityStore::list_roles(const core::Principal& actor) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::vector<Role> roles;
  for (const auto& name : builtin_roles()) {
    roles.push_back(Role{name, "Built-in role.", *role_permissions(name), true, ""});
  }
  const std::size_t builtin_count = roles.size();
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    roles.resize(builtin_count);
    auto rows = tx.execute(
        "SELECT name, description, permissions, created_at FROM custom_roles "
        "WHERE tenant_id = $1 ORDER BY name",
        {actor.tenant_id});
    if (!rows) return std::move(rows).error();
    for (std::size_t i = 0; i < rows->rows.size(); ++i) {
      roles.push_back(Role{rows->text(i, 0), rows->text(i, 1), split_permissions(rows->text(i, 2)),
                           false, rows->text(i, 3)});
    }
    return {};
  });
  if (!status) return std::move(status).error();
  return roles;
}

Result<Role> IdentityStore::create_role(const core::Principal& actor, const NewRole& request,
                                        const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (!valid_custom_role_name(request.name)) {
    return Error::invalid(
        "must be 1 to 48 of a-z, 0-9 and '_', start with a letter, and not be a built-in role",
        "/name");
  }
  if (request.description.size() > 500) {
    return Error::invalid("must be at most 500 characters", "/description");
  }
  std::vector<std::string> permissions = request.permissions;
  std::sort(permissions.begin(), permissions.end());
  permissions.erase(std::unique(permissions.begin(), permissions.end()), permissions.end());
  if (permissions.empty())
    return Error::invalid("must name at least one permission", "/permissions");
  const auto& known = tenant_permissions();
  for (std::size_t i = 0; i < permissions.size(); ++i) {
    if (!std::binary_search(known.begin(), known.end(), permissions[i])) {
      return Error::invalid("'" + permissions[i] + "' is not a tenant permission", "/permissions");
    }
    if (!actor.has(permissions[i])) {
      audit::Event event = audit::event_by(actor, origin, "role.created");
      event.outcome = "denied";
      event.target_type = "role";
      event.target_id = request.name;
      event.details = audit::details_json({{"missing_permission", permissions[i]}});
      if (auto recorded = audit_.record(event); !recorded) return std::move(recorded).error();
      return Error::make(ErrorCode::kPermissionDenied, "the role would grant " + permissions[i] +
                                                           ", which the caller does not hold");
    }
  }
  std::string joined;
  for (const auto& permission : permissions) {
    if (!joined.empty()) joined += ' ';
    joined += permission;
  }
  Role role{request.name, request.description, permissions, false, utc_now()};
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto taken = tx.execute("SELECT count(*) FROM custom_roles WHERE tenant_id = $1 AND name = $2",
                            {actor.tenant_id, role.name});
    if (!taken) return std::move(taken).error();
    if (taken->integer(0, 0) > 0) {
      core::Error error =
          Error::make(ErrorCode::kConflict, "a role named '" + role.name + "' already exists");
      error.field = "/name";
      return error;
    }
    auto inserted = tx.execute(
        "INSERT INTO custom_roles (tenant_id, name, description, permissions, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        {actor.tenant_id, role.name, role.description, joined, role.created_at});
    if (!inserted) return std::move(inserted).error();
    audit::Event event = audit::event_by(actor, origin, "role.created");
    event.target_type = "role";
    event.target_id = role.name;
    event.details = audit::details_json({{"permissions", joined}});
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    std::string data;
    core::JsonWriter json(data);
    json.begin_object();
    json.member("name", role.name);
    json.key("permissions");
    json.begin_array();
    for (const std::string& permission : role.permissions) json.value(permission);
    json.end_array();
    json.end_object();
    return publish(tx, actor.tenant_id, "role.created", std::move(data));
  });
  if (!status) return std::move(status).error();
  return role;
}

Result<Role> IdentityStore::delete_role(const core::Principal& actor, std::string_view name,
                                        const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Role> role;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    role.reset();
    auto rows = tx.execute(
        "SELECT name, description, permissions, created_at FROM custom_roles "
        "WHERE tenant_id = $1 AND name = $2",
        {actor.tenant_id, std::string(name)});
    if (!rows) return std::move(rows).error();
    if (rows->rows.empty()) return {};
    role = Role{rows->text(0, 0), rows->text(0, 1), split_permissions(rows->text(0, 2)), false,
                rows->text(0, 3)};
    // Whoever holds the role would be left with an unknown one: refuse instead.
    auto used = tx.execute(
        "SELECT (SELECT count(*) FROM users WHERE tenant_id = $1 AND role = $2 AND "
        "disabled_at IS NULL) + (SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND "
        "role = $2 AND revoked_at IS NULL) + (SELECT count(*) FROM service_accounts WHERE "
        "tenant_id = $1 AND role = $2 AND disabled_at IS NULL)",
        {actor.tenant_id, role->name});
    if (!used) return std::move(used).error();
    if (used->integer(0, 0) > 0) {
      return Error::make(ErrorCode::kConflict, "role '" + role->name + "' is still held by " +
                                                   std::to_string(used->integer(0, 0)) +
                                                   " active users, API keys or service accounts");
    }
    auto deleted = tx.execute("DELETE FROM custom_roles WHERE tenant_id = $1 AND name = $2",
                              {actor.tenant_id, role->name});
    if (!deleted) return std::move(deleted).error();
    audit::Event event = audit::event_by(actor, origin, "role.deleted");
    event.target_type = "role";
    event.target_id = role->name;
    if (auto ok = append(audit_, tx, event); !ok) return ok;
    return publish(tx, actor.tenant_id, "role.deleted",
                   audit::details_json({{"name", role->name}}));
  });
  if (!status) return std::move(status).error();
  if (!role) return not_found("role", name);
  return *role;
}

}  // namespace aic::identity
