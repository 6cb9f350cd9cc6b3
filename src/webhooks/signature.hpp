// Standard Webhooks signatures (https://www.standardwebhooks.com): a receiver checks
// `webhook-signature` against HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>"
// with the endpoint's secret, so it knows the delivery came from us and was not replayed
// with another body or time.
//
// A secret is "whsec_" followed by the standard base64 of its random bytes; the bytes are
// the HMAC key.
//
// Threading: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "core/result.hpp"

namespace aic::webhooks {

inline constexpr std::size_t kSecretBytes = 32;  // the spec asks for 24 to 64

// A fresh "whsec_…" secret.
std::string generate_secret(core::Random& random);
// The HMAC key inside a "whsec_…" secret. kInvalidArgument when it is not one.
core::Result<std::vector<std::uint8_t>> secret_key(std::string_view secret);

// "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>".
std::string sign(std::span<const std::uint8_t> key, std::string_view message_id,
                 std::int64_t timestamp, std::string_view body);

// Standard base64 with padding (RFC 4648 §4), as the spec uses it.
std::string base64_encode(std::span<const std::uint8_t> bytes);
// nullopt for anything but canonical padded base64.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace aic::webhooks
