#include "identity/token_service.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "identity/permissions.hpp"

namespace aic::identity {
namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::Transaction;

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::seconds kReloadInterval{60};
constexpr std::chrono::seconds kUnknownKidReloadInterval{5};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> items;
  std::istringstream stream{std::string(scope)};
  std::string item;
  while (stream >> item) items.push_back(item);
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

}  // namespace

TokenSettings token_settings(const core::AuthConfig& config) {
  TokenSettings settings;
  settings.issuer = config.token_issuer;
  settings.audience = config.token_audience;
  settings.lifetime = std::chrono::duration_cast<std::chrono::seconds>(config.token_lifetime);
  if (!config.master_key.empty()) {
    auto box = core::SecretBox::from_hex(config.master_key, "auth.master_key");
    if (!box) throw std::invalid_argument(box.error().message);
    settings.master_key = std::make_shared<const core::SecretBox>(std::move(*box));
  }
  return settings;
}

struct TokenService::KeySet {
  std::vector<VerificationKey> verifiers;
  std::optional<SigningKey> active;
  SteadyClock::time_point loaded_at;
};

TokenService::TokenService(store::Database& database, core::Random& random, audit::AuditLog& audit,
                           IdentityStore& identities, TokenSettings settings)
    : database_(database),
      random_(random),
      audit_(audit),
      identities_(identities),
      settings_(std::move(settings)) {}

TokenService::~TokenService() = default;

Result<std::shared_ptr<const TokenService::KeySet>> TokenService::load_keys() {
  // Keys retired longer ago than a token can live verify nothing any more.
  const std::string verify_since =
      format_utc_timestamp(std::chrono::system_clock::now() - kMaxTokenLifetime - settings_.leeway);
  std::vector<std::pair<SigningKey, bool>> rows_read;  // key, retired
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    rows_read.clear();
    auto rows = tx.execute(
        "SELECT kid, private_pem, retired_at FROM signing_keys "
        "WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid DESC",
        {verify_since});
    if (!rows) return std::move(rows).error();
    for (std::size_t i = 0; i < rows->rows.size(); ++i) {
      rows_read.emplace_back(SigningKey{rows->text(i, 0), rows->text(i, 1)}, !rows->is_null(i, 2));
    }
    return {};
  });
  if (!status) return std::move(status).error();
  for (auto& [key, retired] : rows_read) {
    if (!core::SecretBox::is_sealed(key.private_pem)) continue;  // stored before a master key
    if (!settings_.master_key) {
      return Error::make(ErrorCode::kUnavailable,
                         "signing key " + key.kid +
                             " is encrypted and no master key is configured (auth.master_key)");
    }
    auto opened = settings_.master_key->open(key.private_pem, "signing_key:" + key.kid);
    if (!opened) {
      return Error::make(ErrorCode::kUnavailable, "signing key " + key.kid +
                                                      " does not decrypt with the configured "
                                                      "master key");
    }
    key.private_pem = std::move(*opened);
  }
  auto set = std::make_shared<KeySet>();
  set->loaded_at = SteadyClock::now();
  for (auto& [key, retired] : rows_read) {
    auto verifier = VerificationKey::from_pem(key.kid, key.private_pem);
    if (!verifier) return std::move(verifier).error();
    set->verifiers.push_back(std::move(*verifier));
    if (!retired && !set->active) set->active = std::move(key);
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

Result<std::shared_ptr<const TokenService::KeySet>> TokenService::keys(bool unknown_kid) {
  std::lock_guard lock(mutex_);
  const auto now = SteadyClock::now();
  if (keys_) {
    auto age = now - keys_->loaded_at;
    if (age < (unknown_kid ? kUnknownKidReloadInterval : kReloadInterval)) return keys_;
  }
  auto loaded = load_keys();
  if (!loaded) return std::move(loaded).error();
  keys_ = std::move(*loaded);
  return keys_;
}

Result<SigningKey> TokenService::active_key(const audit::Origin& origin) {
  auto current = keys(false);
  if (!current) return std::move(current).error();
  if ((*current)->active) return *(*current)->active;
  // The first token this installation issues: make its first key. Two replicas racing here
  // each create one; both verify, and the newer one signs from then on.
  auto created = rotate_signing_key(origin);
  if (!created) return std::move(created).error();
  current = keys(true);
  if (!current) return std::move(current).error();
  if (!(*current)->active)
    return Error::make(ErrorCode::kInternal, "no signing key after creating one");
  return *(*current)->active;
}

Result<std::string> TokenService::rotate_signing_key(const audit::Origin& origin) {
  auto key = generate_signing_key(random_);
  if (!key) return std::move(key).error();
  const std::string now = utc_now();
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto retired =
        tx.execute("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL", {now});
    if (!retired) return std::move(retired).error();
    std::string stored =
        settings_.master_key
            ? settings_.master_key->seal(key->private_pem, "signing_key:" + key->kid, random_)
            : key->private_pem;
    auto inserted =
        tx.execute("INSERT INTO signing_keys (kid, private_pem, created_at) VALUES ($1, $2, $3)",
                   {key->kid, stored, now});
    if (!inserted) return std::move(inserted).error();
    audit::Event event;
    event.action = "signing_key.created";
    event.actor_kind = "system";
    event.actor_id = "token service";
    event.target_type = "signing_key";
    event.target_id = key->kid;
    event.origin = origin;
    auto appended = audit_.append(tx, event);
    if (!appended) return std::move(appended).error();
    return {};
  });
  if (!status) return std::move(status).error();
  {
    std::lock_guard lock(mutex_);
    keys_.reset();  // this process signs with the new key from its next token
  }
  return key->kid;
}

Result<AccessToken> TokenService::issue(std::string_view client_id, std::string_view client_secret,
                                        std::string_view requested_scope,
                                        const audit::Origin& origin) {
  auto client = identities_.authenticate_client(client_id, client_secret);
  if (!client) {
    audit::Event event;
    event.action = "authentication.failed";
    event.outcome = "failure";
    event.actor_kind = "anonymous";
    event.target_type = "service_account";
    event.target_id = std::string(client_id.substr(0, 64));
    event.origin = origin;
    event.details = audit::details_json({{"reason", client.error().message}});
    (void)audit_.record(event);
    return std::move(client).error();
  }
  const std::vector<std::string>* role_grants = &client->permissions;
  if (role_grants->empty()) {
    return Error::make(ErrorCode::kUnauthenticated, "the service account's role no longer exists");
  }
  std::vector<std::string> scope = split_scope(requested_scope);
  if (scope.empty()) scope = *role_grants;
  for (const auto& item : scope) {
    if (!std::binary_search(role_grants->begin(), role_grants->end(), item)) {
      return Error::invalid(
          "'" + item + "' is not a permission of role '" + client->account.role + "'", "scope");
    }
  }

  auto key = active_key(origin);
  if (!key) return std::move(key).error();
  Claims claims;
  claims.issuer = settings_.issuer;
  claims.audience = settings_.audience;
  claims.subject = client->account.id;
  claims.tenant_id = client->account.tenant_id;
  claims.plan = client->plan;
  claims.scope = join(scope);
  claims.issued_at = unix_now();
  claims.expires_at = *claims.issued_at + settings_.lifetime.count();
  claims.token_id = "tok_" + core::random_hex(random_, 12);
  auto token = sign_es256(*key, claims);
  if (!token) return std::move(token).error();

  audit::Event event;
  event.tenant_id = client->account.tenant_id;
  event.action = "token.issued";
  event.actor_kind = "service_account";
  event.actor_id = client->account.id;
  event.credential_id = client->account.id;
  event.target_type = "access_token";
  event.target_id = claims.token_id;
  event.origin = origin;
  event.details = audit::details_json({{"scope", claims.scope}, {"kid", key->kid}});
  auto recorded = audit_.record(event);
  if (!recorded) return std::move(recorded).error();
  return AccessToken{std::move(*token), settings_.lifetime.count(), claims.scope, claims.token_id};
}

Result<core::Principal> TokenService::authenticate(std::string_view token) {
  VerifyOptions options;
  options.issuer = settings_.issuer;
  options.audience = settings_.audience;
  options.now = unix_now();
  options.leeway_seconds = settings_.leeway.count();
  options.max_lifetime_seconds = kMaxTokenLifetime.count();
  auto current = keys(false);
  if (!current) return std::move(current).error();
  auto claims = verify(token, (*current)->verifiers, options);
  if (!claims && claims.error().message == "unknown kid") {
    // Perhaps another replica created a key since we loaded ours.
    current = keys(true);
    if (!current) return std::move(current).error();
    claims = verify(token, (*current)->verifiers, options);
  }
  if (!claims) return std::move(claims).error();
  if (claims->subject.empty() || claims->tenant_id.empty()) {
    return Error::make(ErrorCode::kUnauthenticated, "the token names no client or tenant");
  }
  core::Principal principal;
  principal.kind = core::Principal::Kind::kServiceAccount;
  principal.id = claims->subject;
  principal.tenant_id = claims->tenant_id;
  principal.role = "oauth_token";
  principal.credential_id = claims->token_id;
  principal.plan = claims->plan;
  // The scope was checked against the account's role when the token was issued and is
  // covered by the signature.
  for (auto& item : split_scope(claims->scope)) principal.permissions.push_back(std::move(item));
  return principal;
}

Result<std::string> TokenService::jwks() {
  auto current = keys(false);
  if (!current) return std::move(current).error();
  return jwks_json((*current)->verifiers);
}

}  // namespace aic::identity
