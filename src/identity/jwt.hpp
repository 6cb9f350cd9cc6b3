// JWT access tokens for the OAuth2 client-credentials grant: ES256 (ECDSA P-256 + SHA-256)
// in the JWS compact form, RFC 7515/7518/7519, with a JWK Set (RFC 7517) to publish the
// public keys.
//
// Only ES256 is ever accepted: the algorithm is fixed by the key type, never chosen by the
// token, so "alg":"none" and HS256-with-the-public-key (algorithm confusion) cannot pass.
// Every verification failure is kUnauthenticated with a message that names the rule broken
// and never echoes token content.
//
// Everything here is a pure function of its arguments (time is `VerifyOptions::now`) and is
// safe to call from any thread. A VerificationKey is immutable once built, so one may be
// shared by concurrent verifications. ECDSA signatures are malleable ((r, s) and (r, n - s)
// both verify), so the token text is not an identifier: use `jti`.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "core/result.hpp"

namespace aic::identity {

// Larger tokens are refused before any decoding or parsing.
inline constexpr std::size_t kMaxTokenBytes = 8192;

// A private signing key. Owns a secret: keep it out of logs and responses.
struct SigningKey {
  std::string kid;          // published in the JWK Set and in every token header
  std::string private_pem;  // PKCS#8 PEM ("BEGIN PRIVATE KEY"), unencrypted
};

// A fresh P-256 key (the scalar comes from OpenSSL's CSPRNG) with a kid of 16 hex characters
// drawn from `random`. Errors: kInternal if OpenSSL fails.
core::Result<SigningKey> generate_signing_key(core::Random& random);

// A P-256 public key and its kid, ready to verify. Holds only the public point, even when
// built from a private key. Move-only; the OpenSSL handle stays inside jwt.cpp.
class VerificationKey {
 public:
  // From a PEM public key ("BEGIN PUBLIC KEY") or private key (PKCS#8 or SEC1, unencrypted).
  // Errors: kInvalidArgument if the PEM is not a P-256 key or `kid` is empty.
  static core::Result<VerificationKey> from_pem(std::string kid, std::string_view pem);
  // From a JWK's "x" and "y" (base64url, 32 bytes each). Errors: kInvalidArgument if they do
  // not name a point on P-256 or `kid` is empty.
  static core::Result<VerificationKey> from_jwk_coordinates(std::string kid, std::string_view x,
                                                            std::string_view y);

  VerificationKey(VerificationKey&&) noexcept;
  VerificationKey& operator=(VerificationKey&&) noexcept;
  ~VerificationKey();

  const std::string& kid() const;
  // The affine coordinates, big-endian, left-padded to 32 bytes.
  const std::array<std::uint8_t, 32>& x() const;
  const std::array<std::uint8_t, 32>& y() const;

 private:
  struct Impl;
  explicit VerificationKey(std::unique_ptr<Impl> impl);
  friend core::Status verify_es256_signature(const VerificationKey& key,
                                             std::string_view signing_input,
                                             std::span<const std::uint8_t> signature);
  std::unique_ptr<Impl> impl_;
};

// {"keys":[{"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"use":"sig","alg":"ES256"}, …]},
// in the order given; x and y are unpadded base64url of exactly 32 bytes.
std::string jwks_json(std::span<const VerificationKey> keys);

// The claims of an access token. Empty strings and nullopt are left out of a signed token,
// and are what `verify` reports for claims the token does not carry.
struct Claims {
  std::string issuer;                      // iss
  std::string subject;                     // sub: the client id
  std::string audience;                    // aud; after `verify`, the expected audience
  std::int64_t expires_at = 0;             // exp, unix seconds
  std::optional<std::int64_t> issued_at;   // iat, unix seconds
  std::optional<std::int64_t> not_before;  // nbf, unix seconds
  std::string token_id;                    // jti
  std::string tenant_id;                   // tenant_id (private claim)
  std::string scope;                       // scope: space-separated, RFC 8693 §4.2
  std::string plan;                        // plan (private claim): the tenant's, for rate limits
};

// Signs `claims` as header {"alg":"ES256","typ":"JWT","kid":key.kid}. The signature is the raw
// 64-byte R||S of RFC 7518 §3.4, not DER. Errors: kInvalidArgument if the key is not a P-256
// private key or iss, aud or exp is missing; kInternal if OpenSSL fails.
core::Result<std::string> sign_es256(const SigningKey& key, const Claims& claims);

struct VerifyOptions {
  std::string issuer;    // `iss` must equal this
  std::string audience;  // `aud` must equal this, or be an array that contains it
  std::int64_t now = 0;  // unix seconds
  // Tolerated clock difference between issuer and verifier, applied to exp, nbf and iat.
  std::int64_t leeway_seconds = 60;
  // exp - iat may not exceed this, nor may exp be further than this (plus leeway) from now.
  std::int64_t max_lifetime_seconds = 3600;
};

// Checks a compact JWS and returns its claims. `keys` are the trusted keys (several during a
// rotation); the header's kid selects one, the first if kids repeat. Checked, in order: size,
// three strict base64url segments, header (a JSON object without duplicate names; alg exactly
// ES256; no jku, jwk, x5u, x5c or crit; typ, if present, JWT or at+jwt; kid naming a key), the
// signature, then the payload (a JSON object without duplicate names; iss, aud, exp, nbf, iat
// and lifetime as described on VerifyOptions; NumericDates must be integers). Errors:
// kUnauthenticated, always.
core::Result<Claims> verify(std::string_view token, std::span<const VerificationKey> keys,
                            const VerifyOptions& options);

// The signature layer alone: `signature` is the 64-byte R||S over `signing_input`
// ("<header>.<payload>" as sent). For known-answer tests and callers with their own claim
// rules. Errors: kUnauthenticated.
core::Status verify_es256_signature(const VerificationKey& key, std::string_view signing_input,
                                    std::span<const std::uint8_t> signature);

// The 64-byte R||S ES256 signature of `signing_input`, for callers building their own JWS.
// Errors: kInvalidArgument if the key is not a P-256 private key; kInternal if OpenSSL fails.
core::Result<std::array<std::uint8_t, 64>> es256_signature(const SigningKey& key,
                                                           std::string_view signing_input);

// Unpadded base64url (RFC 4648 §5), as JWS uses it.
std::string base64url_encode(std::span<const std::uint8_t> bytes);
std::string base64url_encode(std::string_view bytes);
// Strict: only the 64 URL-safe characters, no '=', no whitespace, and unused trailing bits
// must be zero, so each byte string has exactly one accepted encoding. nullopt otherwise.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace aic::identity
