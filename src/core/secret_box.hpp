// Encryption of secrets at rest (token signing keys today, provider credentials later) with
// AES-256-GCM under the operator's master key. A sealed value is text:
//
//   aes256gcm:v1:<hex of 12-byte nonce || ciphertext || 16-byte tag>
//
// `context` is authenticated but not stored: a value sealed for one row ("signing_key:K1")
// does not open for another, so sealed values cannot be swapped between rows unnoticed.
//
// Threading: immutable after construction; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/random.hpp"
#include "core/result.hpp"

namespace aic::core {

class SecretBox {
 public:
  // The key from 64 hex characters. kInvalidArgument naming `field` otherwise.
  static Result<SecretBox> from_hex(std::string_view hex, std::string_view field);
  // A fresh random key, for values that only this process needs to open again.
  static SecretBox generate(Random& random);

  std::string seal(std::string_view plaintext, std::string_view context, Random& random) const;
  // kInvalidArgument for a value that is not sealed or fails authentication (wrong key,
  // wrong context, tampered).
  Result<std::string> open(std::string_view sealed, std::string_view context) const;

  static bool is_sealed(std::string_view value);

 private:
  explicit SecretBox(const std::array<std::uint8_t, 32>& key) : key_(key) {}
  std::array<std::uint8_t, 32> key_;
};

}  // namespace aic::core
