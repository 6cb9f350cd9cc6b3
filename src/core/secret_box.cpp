#include "core/secret_box.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace aic::core {
namespace {

constexpr std::string_view kPrefix = "aes256gcm:v1:";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes `hex` spells; nullopt for an odd length or a non-hex character.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int high = hex_digit(hex[2 * i]);
    int low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return out;
}

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};

}  // namespace

Result<SecretBox> SecretBox::from_hex(std::string_view hex, std::string_view field) {
  auto bytes = core::from_hex(hex);
  if (!bytes || bytes->size() != 32) {
    return Error::invalid(
        "must be 64 hex characters (32 random bytes, e.g. `openssl rand -hex 32`)",
        std::string(field));
  }
  std::array<std::uint8_t, 32> key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return SecretBox(key);
}

SecretBox SecretBox::generate(Random& random) {
  std::array<std::uint8_t, 32> key{};
  random.fill(key);
  return SecretBox(key);
}

bool SecretBox::is_sealed(std::string_view value) { return value.starts_with(kPrefix); }

std::string SecretBox::seal(std::string_view plaintext, std::string_view context,
                            Random& random) const {
  std::vector<std::uint8_t> out(kNonceBytes + plaintext.size() + kTagBytes);
  random.fill(std::span<std::uint8_t>(out.data(), kNonceBytes));
  std::unique_ptr<EVP_CIPHER_CTX, CipherFree> cipher(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok =
      cipher != nullptr &&
      EVP_EncryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data()) == 1 &&
      EVP_EncryptUpdate(cipher.get(), nullptr, &length,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_EncryptUpdate(cipher.get(), out.data() + kNonceBytes, &length,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(cipher.get(), out.data() + kNonceBytes + length, &length) == 1 &&
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out.data() + kNonceBytes + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed in OpenSSL");
  return std::string(kPrefix) + to_hex(out);
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view context) const {
  auto refuse = [] {
    return Error::invalid("cannot decrypt a sealed secret: wrong master key or altered value");
  };
  if (!is_sealed(sealed)) return refuse();
  auto bytes = core::from_hex(sealed.substr(kPrefix.size()));
  if (!bytes || bytes->size() < kNonceBytes + kTagBytes) return refuse();
  const std::size_t text_size = bytes->size() - kNonceBytes - kTagBytes;
  std::string plaintext(text_size, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, CipherFree> cipher(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok =
      cipher != nullptr &&
      EVP_DecryptInit_ex(cipher.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes->data()) ==
          1 &&
      EVP_DecryptUpdate(cipher.get(), nullptr, &length,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(cipher.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &length,
                        bytes->data() + kNonceBytes, static_cast<int>(text_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          bytes->data() + kNonceBytes + text_size) == 1;
  int final_length = 0;
  // The tag is checked here: a wrong key, context or byte fails.
  ok = ok && EVP_DecryptFinal_ex(cipher.get(),
                                 reinterpret_cast<unsigned char*>(plaintext.data()) + length,
                                 &final_length) == 1;
  if (!ok) return refuse();
  return plaintext;
}

}  // namespace aic::core
