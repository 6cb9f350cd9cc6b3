// API key tokens: `aic_live_<id>_<secret>`. The id (16 hex) is public and finds the stored
// row; the secret (32 random bytes, base64url) is shown once and stored only as its SHA-256.
// A fast hash is right here: the secret has 256 bits of entropy, so there is nothing to
// guess, unlike a password.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace aic::identity {

inline constexpr std::string_view kApiKeyPrefix = "aic_live_";

struct ApiKeyToken {
  std::string id;      // public: "3f9a1b2c4d5e6f70"
  std::string secret;  // never stored
  std::string token() const { return std::string(kApiKeyPrefix) + id + "_" + secret; }
};

ApiKeyToken generate_api_key(core::Random& random);

// The parts of a presented token, viewing into it.
struct ApiKeyParts {
  std::string_view id;
  std::string_view secret;
};

// Splits a presented token; nullopt for anything not shaped like one of ours.
std::optional<ApiKeyParts> split_api_key(std::string_view token);
std::optional<ApiKeyToken> parse_api_key(std::string_view token);

// Lower-case hex SHA-256 of `secret`.
std::string hash_secret(std::string_view secret);

// Compares a presented secret with a stored hash in time independent of where they differ.
bool secret_matches(std::string_view secret, std::string_view stored_hash);

}  // namespace aic::identity
