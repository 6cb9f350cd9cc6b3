// Standard Webhooks signatures: the specification's own test vector, secrets and base64.
#include "webhooks/signature.hpp"

#include <gtest/gtest.h>

namespace aic::webhooks {
namespace {

TEST(Signature, MatchesTheStandardWebhooksTestVector) {
  auto key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(sign(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(Signature, AnyChangeToIdTimestampOrBodyChangesTheSignature) {
  auto key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  const std::string base = sign(*key, "msg_1", 1614265330, "{}");
  EXPECT_NE(sign(*key, "msg_2", 1614265330, "{}"), base);
  EXPECT_NE(sign(*key, "msg_1", 1614265331, "{}"), base);
  EXPECT_NE(sign(*key, "msg_1", 1614265330, "{ }"), base);
}

TEST(Signature, GeneratedSecretsAreWellFormedAndDistinct) {
  std::string first = generate_secret(core::system_random());
  std::string second = generate_secret(core::system_random());
  EXPECT_NE(first, second);
  EXPECT_EQ(first.rfind("whsec_", 0), 0u);
  auto key = secret_key(first);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), kSecretBytes);
}

TEST(Signature, MalformedSecretsAreRefused) {
  for (const char* secret :
       {"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!",
        "whsec_AAAA" /* 3 bytes: too short */, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"}) {
    EXPECT_FALSE(secret_key(secret)) << secret;
  }
}

TEST(Base64, RoundTripsAndRefusesNonCanonicalText) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::vector<std::uint8_t> bytes(text.begin(), text.end());
    std::string encoded = base64_encode(bytes);
    if (text.empty()) {
      EXPECT_EQ(encoded, "");
      continue;
    }
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), text);
  }
  EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{'f', 'o', 'o', 'b', 'a', 'r'}), "Zm9vYmFy");
  EXPECT_FALSE(base64_decode("Zm9=YmFy"));
  EXPECT_FALSE(base64_decode("Zm9vYmF"));
  EXPECT_FALSE(base64_decode("Zh=="));  // stray bits in the padding
}

}  // namespace
}  // namespace aic::webhooks
