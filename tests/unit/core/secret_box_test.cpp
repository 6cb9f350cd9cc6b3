// AES-256-GCM sealing of secrets at rest: round trip, and every way opening must fail.
#include "core/secret_box.hpp"

#include <gtest/gtest.h>

namespace aic::core {
namespace {

constexpr std::string_view kKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kOtherKey =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(SecretBox, SealsAndOpens) {
  auto box = SecretBox::from_hex(kKey, "auth.master_key");
  ASSERT_TRUE(box);
  std::string sealed = box->seal("-----BEGIN PRIVATE KEY-----", "signing_key:k1", system_random());
  EXPECT_TRUE(SecretBox::is_sealed(sealed));
  EXPECT_EQ(sealed.find("PRIVATE"), std::string::npos);
  auto opened = box->open(sealed, "signing_key:k1");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "-----BEGIN PRIVATE KEY-----");
  // A fresh nonce each time.
  EXPECT_NE(sealed, box->seal("-----BEGIN PRIVATE KEY-----", "signing_key:k1", system_random()));
  EXPECT_EQ(*box->open(box->seal("", "c", system_random()), "c"), "");
}

TEST(SecretBox, RefusesWrongKeyContextOrAlteredValues) {
  auto box = SecretBox::from_hex(kKey, "auth.master_key");
  auto other = SecretBox::from_hex(kOtherKey, "auth.master_key");
  std::string sealed = box->seal("secret", "signing_key:k1", system_random());
  EXPECT_FALSE(other->open(sealed, "signing_key:k1"));
  EXPECT_FALSE(box->open(sealed, "signing_key:k2"));
  std::string altered = sealed;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(box->open(altered, "signing_key:k1"));
  EXPECT_FALSE(box->open(sealed.substr(0, sealed.size() - 2), "signing_key:k1"));
  EXPECT_FALSE(box->open("secret", "signing_key:k1"));
  EXPECT_FALSE(box->open("aes256gcm:v1:zz", "signing_key:k1"));
  EXPECT_FALSE(box->open("aes256gcm:v1:", "signing_key:k1"));
}

TEST(SecretBox, KeysAre32BytesOfHex) {
  EXPECT_FALSE(SecretBox::from_hex("", "auth.master_key"));
  EXPECT_FALSE(SecretBox::from_hex(kKey.substr(2), "auth.master_key"));
  EXPECT_FALSE(SecretBox::from_hex(std::string(kKey.substr(2)) + "zz", "auth.master_key"));
  EXPECT_EQ(SecretBox::from_hex("nope", "auth.master_key").error().field, "auth.master_key");
}

}  // namespace
}  // namespace aic::core
