// OAuth2 client credentials (RFC 6749 §4.4): a service account trades its client id and
// secret for a short-lived ES256 JWT access token, and every replica verifies such tokens
// without the database, from the signing keys it has loaded.
//
// Signing keys live in the database (table signing_keys), so every replica signs with the
// same key and publishes the same JWK Set. The newest key that is not retired signs;
// rotate_signing_key() retires it and creates another. A retired key keeps verifying until
// every token it signed has expired (the longest token lifetime plus the clock leeway), then
// leaves the JWK Set. A replica reloads keys every minute, and at once (at most every five
// seconds) when it meets a token whose kid it does not know, so tokens signed by a key another
// replica just created verify everywhere.
//
// Tokens are stateless: disabling a service account stops new tokens, and the ones already
// issued run out within their lifetime (at most one hour, 15 minutes by default).
//
// Private keys are sealed with the operator's master key (core::SecretBox, AES-256-GCM, bound
// to their kid) when one is configured. Without one they are stored as plain PEM and whoever
// can read the database or a backup can mint tokens; `aic serve` warns about that.
//
// Threading: thread-safe; issue(), jwks() and rotate_signing_key() block on the database,
// authenticate() only when it must reload keys.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/config.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "core/secret_box.hpp"
#include "identity/identity_store.hpp"
#include "identity/jwt.hpp"
#include "store/database.hpp"

namespace aic::identity {

struct TokenSettings {
  // Encrypts private keys at rest; null stores them unencrypted (see the note above).
  std::shared_ptr<const core::SecretBox> master_key;
  std::string issuer = "aic";        // iss
  std::string audience = "aic-api";  // aud
  std::chrono::seconds lifetime{900};
  std::chrono::seconds leeway{60};  // clock skew allowed between replicas and clients
};

// The settings `config` describes. REQUIRES: config was validated (a malformed master key
// is refused when the configuration loads).
TokenSettings token_settings(const core::AuthConfig& config);

// The longest lifetime a token may be given.
inline constexpr std::chrono::seconds kMaxTokenLifetime{3600};

struct AccessToken {
  std::string token;
  std::int64_t expires_in = 0;  // seconds
  std::string scope;            // space-separated permissions granted
  std::string token_id;         // jti
};

class TokenService {
 public:
  TokenService(store::Database& database, core::Random& random, audit::AuditLog& audit,
               IdentityStore& identities, TokenSettings settings);
  ~TokenService();

  // The client-credentials grant. `requested_scope` (space-separated permissions) must be a
  // subset of the account's role; empty grants the whole role. Errors: kUnauthenticated
  // (invalid_client), kInvalidArgument with field "scope" (invalid_scope).
  core::Result<AccessToken> issue(std::string_view client_id, std::string_view client_secret,
                                  std::string_view requested_scope, const audit::Origin& origin);

  // The principal a bearer JWT stands for. kUnauthenticated for anything that does not verify.
  core::Result<core::Principal> authenticate(std::string_view token);

  // The public keys that verify current tokens, as a JWK Set document.
  core::Result<std::string> jwks();

  // Retires the signing key and creates a new one; returns its kid.
  core::Result<std::string> rotate_signing_key(const audit::Origin& origin);

  const TokenSettings& settings() const { return settings_; }

 private:
  struct KeySet;
  // The loaded keys, reloaded when older than a minute or, with `unknown_kid`, when older
  // than five seconds.
  core::Result<std::shared_ptr<const KeySet>> keys(bool unknown_kid);
  core::Result<std::shared_ptr<const KeySet>> load_keys();
  // The key that signs now, created if there is none.
  core::Result<SigningKey> active_key(const audit::Origin& origin);

  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  IdentityStore& identities_;
  const TokenSettings settings_;
  std::mutex mutex_;
  std::shared_ptr<const KeySet> keys_;  // guarded by mutex_
};

}  // namespace aic::identity
