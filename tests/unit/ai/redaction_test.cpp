// The request log's redaction (ai.log_bodies): secrets, e-mail addresses and long digit runs
// never reach the log; ordinary text does.
#include "ai/redaction.hpp"

#include <gtest/gtest.h>

namespace aic::ai {
namespace {

TEST(Redaction, CredentialsByShapeAndBearerTokens) {
  EXPECT_EQ(redact_text("key sk-proj-abcdef1234567890XYZ here"), "key [credential] here");
  EXPECT_EQ(redact_text("aic_live_6cd0f4bb167e2404_8pYNOOapUEk5FSLv"), "[credential]");
  EXPECT_EQ(redact_text("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw."), "[credential]");
  EXPECT_EQ(redact_text("Authorization: Bearer abc.def-ghi"), "Authorization: Bearer [credential]");
  EXPECT_EQ(redact_text("AKIAIOSFODNN7EXAMPLE1"), "[credential]");
  EXPECT_EQ(redact_text("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"), "jwt [credential]");
  // 32+ characters mixing letters and digits: a secret by its look.
  EXPECT_EQ(redact_text("id 0123456789abcdef0123456789abcdef!"), "id [credential]!");
  // Ordinary words, short ids and a long word without digits stay.
  EXPECT_EQ(redact_text("Sales rose 5 % to EUR 90 mn (ref A-17)."),
            "Sales rose 5 % to EUR 90 mn (ref A-17).");
  EXPECT_EQ(redact_text("antidisestablishmentarianismsupercalifragilistic"),
            "antidisestablishmentarianismsupercalifragilistic");
}

TEST(Redaction, EmailAddressesAndLongDigitRuns) {
  EXPECT_EQ(redact_text("write to jane.doe+q@example.co.uk."), "write to [email].");
  EXPECT_EQ(redact_text("@handle and a@b"), "@handle and a@b");  // no domain with a dot
  EXPECT_EQ(redact_text("card 4111 1111 1111 1111 exp"), "card [number] exp");
  EXPECT_EQ(redact_text("IBAN digits 370400440532013000"), "IBAN digits [number]");
  EXPECT_EQ(redact_text("in 2024-12-31 we sold 1,234,567 units"),
            "in 2024-12-31 we sold 1,234,567 units");
}

TEST(Redaction, JsonBodiesLoseSecretMembersAndKeepTheirShape) {
  const std::string body =
      R"({"model":"gpt","api_key":"plain","Password":"x","max_tokens":5,)"
      R"("messages":[{"role":"user","content":"mail me at a.b@c.io, key sk-abcdefgh12345678"}],)"
      R"("metadata":{"token":null,"nested":{"secret":["a"]}}})";
  EXPECT_EQ(redacted_excerpt(body),
            R"({"model":"gpt","api_key":"[redacted]","Password":"[redacted]","max_tokens":5,)"
            R"("messages":[{"role":"user","content":"mail me at [email], key [credential]"}],)"
            R"("metadata":{"token":null,"nested":{"secret":"[redacted]"}}})");
  // Not JSON: the text scan alone, and the cut.
  EXPECT_EQ(redacted_excerpt("data: sk-abcdefgh12345678 {", 100), "data: [credential] {");
  std::string cut = redacted_excerpt(std::string(10'000, 'x'), 64);
  EXPECT_LE(cut.size(), 64u + 3);  // "…" is three bytes
}

}  // namespace
}  // namespace aic::ai
