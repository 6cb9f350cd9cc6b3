// Password hashing with scrypt (RFC 7914), a memory-hard function: each guess costs an
// attacker 32 MiB of memory as well as time, which is what makes GPU and ASIC cracking of a
// stolen database expensive. Parameters travel with the hash, so they can be raised later
// without invalidating existing passwords:
//
//   scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<hash, base64url>
//
// Threading: thread-safe. Hashing takes tens of milliseconds: call it on a worker thread.
#pragma once

#include <string>
#include <string_view>

#include "core/random.hpp"
#include "core/result.hpp"

namespace aic::identity {

// kInvalidArgument naming `field` unless 12 to 1024 bytes without NUL.
core::Status check_password(std::string_view password, std::string_view field);

core::Result<std::string> hash_password(std::string_view password, core::Random& random);

// Whether `password` matches `stored`, compared in constant time. False for a malformed
// `stored` value.
bool password_matches(std::string_view password, std::string_view stored);

}  // namespace aic::identity
