#include "identity/passwords.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <vector>

#include "identity/jwt.hpp"

namespace aic::identity {
namespace {

// N = 2^15, r = 8: 128 × r × N = 32 MiB per hash (OWASP's scrypt recommendation).
constexpr int kLogN = 15;
constexpr int kR = 8;
constexpr int kP = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint64_t kMaxMemory = 64ull * 1024 * 1024;

bool derive(std::string_view password, std::string_view salt, int log_n, int r, int p,
            std::span<std::uint8_t> out) {
  return EVP_PBE_scrypt(password.data(), password.size(),
                        reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                        std::uint64_t{1} << log_n, static_cast<std::uint64_t>(r),
                        static_cast<std::uint64_t>(p), kMaxMemory, out.data(), out.size()) == 1;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

std::optional<int> small_number(std::string_view text, int maximum) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > maximum) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

core::Status check_password(std::string_view password, std::string_view field) {
  if (password.size() < 12 || password.size() > 1024 ||
      password.find('\0') != std::string_view::npos) {
    return core::Error::invalid("must be 12 to 1024 characters", std::string(field));
  }
  return {};
}

core::Result<std::string> hash_password(std::string_view password, core::Random& random) {
  std::array<std::uint8_t, kSaltBytes> salt{};
  random.fill(salt);
  std::array<std::uint8_t, kHashBytes> hash{};
  std::string_view salt_view(reinterpret_cast<const char*>(salt.data()), salt.size());
  if (!derive(password, salt_view, kLogN, kR, kP, hash)) {
    return core::Error::make(core::ErrorCode::kInternal, "scrypt failed in OpenSSL");
  }
  return "scrypt$" + std::to_string(kLogN) + "$" + std::to_string(kR) + "$" + std::to_string(kP) +
         "$" + base64url_encode(salt) + "$" + base64url_encode(hash);
}

bool password_matches(std::string_view password, std::string_view stored) {
  auto parts = split(stored, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  auto log_n = small_number(parts[1], 20);
  auto r = small_number(parts[2], 32);
  auto p = small_number(parts[3], 16);
  auto salt = base64url_decode(parts[4]);
  auto expected = base64url_decode(parts[5]);
  if (!log_n || !r || !p || !salt || !expected || expected->empty() || expected->size() > 64) {
    return false;
  }
  std::vector<std::uint8_t> actual(expected->size());
  if (!derive(password, *salt, *log_n, *r, *p, actual)) return false;
  return CRYPTO_memcmp(actual.data(), expected->data(), actual.size()) == 0;
}

}  // namespace aic::identity
