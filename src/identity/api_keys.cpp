#include "identity/api_keys.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace aic::identity {
namespace {

constexpr std::size_t kIdBytes = 8;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretChars = 43;  // base64url of 32 bytes, no padding

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::span<const std::uint8_t> bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return out;
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

ApiKeyToken generate_api_key(core::Random& random) {
  std::array<std::uint8_t, kIdBytes + kSecretBytes> bytes;
  random.fill(bytes);
  ApiKeyToken key;
  key.id = core::to_hex(std::span<const std::uint8_t>(bytes).subspan(0, kIdBytes));
  key.secret = base64url(std::span<const std::uint8_t>(bytes).subspan(kIdBytes));
  return key;
}

std::optional<ApiKeyToken> parse_api_key(std::string_view token) {
  if (!token.starts_with(kApiKeyPrefix)) return std::nullopt;
  token.remove_prefix(kApiKeyPrefix.size());
  if (token.size() != 2 * kIdBytes + 1 + kSecretChars || token[2 * kIdBytes] != '_') {
    return std::nullopt;
  }
  auto id = token.substr(0, 2 * kIdBytes);
  auto secret = token.substr(2 * kIdBytes + 1);
  if (!is_lower_hex(id) || secret.find_first_not_of(kBase64Url) != std::string_view::npos) {
    return std::nullopt;
  }
  return ApiKeyToken{std::string(id), std::string(secret)};
}

std::string hash_secret(std::string_view secret) {
  std::array<std::uint8_t, 32> digest;
  unsigned int length = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
          1 ||
      length != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return core::to_hex(digest);
}

bool secret_matches(std::string_view secret, std::string_view stored_hash) {
  std::string presented = hash_secret(secret);
  return presented.size() == stored_hash.size() &&
         CRYPTO_memcmp(presented.data(), stored_hash.data(), presented.size()) == 0;
}

}  // namespace aic::identity
