#include "identity/api_keys.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
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

bool is_base64url(std::string_view text) {
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

using Digest = std::array<std::uint8_t, 32>;

// SHA-256 on every authenticated request, so the costs OpenSSL 3 adds around the hash itself
// are paid once: the algorithm is fetched once per process (EVP_sha256() would look it up
// again on every call) and each thread reuses one digest context.
Digest sha256(std::string_view data) {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(),
                                                                                EVP_MD_CTX_free);
  Digest digest;
  unsigned int length = 0;
  if (algorithm == nullptr || context == nullptr ||
      EVP_DigestInit_ex2(context.get(), algorithm, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1 || length != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return digest;
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

std::optional<ApiKeyParts> split_api_key(std::string_view token) {
  if (!token.starts_with(kApiKeyPrefix)) return std::nullopt;
  token.remove_prefix(kApiKeyPrefix.size());
  if (token.size() != 2 * kIdBytes + 1 + kSecretChars || token[2 * kIdBytes] != '_') {
    return std::nullopt;
  }
  ApiKeyParts parts{token.substr(0, 2 * kIdBytes), token.substr(2 * kIdBytes + 1)};
  if (!is_lower_hex(parts.id) || !is_base64url(parts.secret)) return std::nullopt;
  return parts;
}

std::optional<ApiKeyToken> parse_api_key(std::string_view token) {
  auto parts = split_api_key(token);
  if (!parts) return std::nullopt;
  return ApiKeyToken{std::string(parts->id), std::string(parts->secret)};
}

std::string hash_secret(std::string_view secret) { return core::to_hex(sha256(secret)); }

bool secret_matches(std::string_view secret, std::string_view stored_hash) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  const Digest digest = sha256(secret);
  std::array<char, 2 * std::tuple_size_v<Digest>> presented;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    presented[2 * i] = kHexDigits[digest[i] >> 4];
    presented[2 * i + 1] = kHexDigits[digest[i] & 0x0f];
  }
  return presented.size() == stored_hash.size() &&
         CRYPTO_memcmp(presented.data(), stored_hash.data(), presented.size()) == 0;
}

}  // namespace aic::identity
