#include "webhooks/signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace aic::webhooks {

namespace {
constexpr std::string_view kSecretPrefix = "whsec_";
}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  int written = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t padding = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  out.resize(static_cast<std::size_t>(written) - padding);
  // Canonical only: re-encoding must give the same text (no stray bits, no whitespace).
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

std::string generate_secret(core::Random& random) {
  std::array<std::uint8_t, kSecretBytes> bytes{};
  random.fill(bytes);
  return std::string(kSecretPrefix) + base64_encode(bytes);
}

core::Result<std::vector<std::uint8_t>> secret_key(std::string_view secret) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return core::Error::invalid("a webhook secret starts with whsec_");
  }
  auto key = base64_decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < 24 || key->size() > 64) {
    return core::Error::invalid("a webhook secret is whsec_ and the base64 of 24 to 64 bytes");
  }
  return std::move(*key);
}

std::string sign(std::span<const std::uint8_t> key, std::string_view message_id,
                 std::int64_t timestamp, std::string_view body) {
  std::string content;
  content.reserve(message_id.size() + body.size() + 24);
  content.append(message_id);
  content += '.';
  content += std::to_string(timestamp);
  content += '.';
  content.append(body);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac.data(),
       &mac_size);
  return "v1," + base64_encode(std::span<const std::uint8_t>(mac.data(), mac_size));
}

}  // namespace aic::webhooks
