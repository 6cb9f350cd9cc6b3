// scrypt password hashes: round trip, wrong passwords, malformed stored values.
#include "identity/passwords.hpp"

#include <gtest/gtest.h>

namespace aic::identity {
namespace {

TEST(Passwords, HashVerifiesOnlyItsPassword) {
  auto hash = hash_password("correct horse battery staple", core::system_random());
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("scrypt$15$8$1$"));
  EXPECT_EQ(hash->find("horse"), std::string::npos);
  EXPECT_TRUE(password_matches("correct horse battery staple", *hash));
  EXPECT_FALSE(password_matches("correct horse battery stapler", *hash));
  EXPECT_FALSE(password_matches("", *hash));
  // The same password hashes differently each time (random salt).
  auto again = hash_password("correct horse battery staple", core::system_random());
  EXPECT_NE(*hash, *again);
  EXPECT_TRUE(password_matches("correct horse battery staple", *again));
}

TEST(Passwords, MalformedStoredValuesNeverMatch) {
  for (const char* stored :
       {"", "scrypt", "scrypt$15$8$1$AAAA", "bcrypt$15$8$1$AAAA$AAAA", "scrypt$99$8$1$AAAA$AAAA",
        "scrypt$15$8$1$!!$AAAA", "scrypt$15$8$1$AAAA$"}) {
    EXPECT_FALSE(password_matches("anything at all", stored)) << stored;
  }
}

TEST(Passwords, LengthRules) {
  EXPECT_FALSE(check_password("short", "/password"));
  EXPECT_EQ(check_password("short", "/password").error().field, "/password");
  EXPECT_TRUE(check_password("twelve chars", "/password"));
  EXPECT_FALSE(check_password(std::string(1025, 'x'), "/password"));
  EXPECT_FALSE(check_password(std::string("with a\0nul inside", 17), "/password"));
}

}  // namespace
}  // namespace aic::identity
