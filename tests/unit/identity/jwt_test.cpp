#include "identity/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

namespace aic::identity {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::string_view kIssuer = "https://aic.example";
constexpr std::string_view kAudience = "aic-api";

// RFC 7515 Appendix A.3: the P-256 public key and the compact JWS signed with it.
constexpr std::string_view kRfcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kRfcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view kRfcSigningInput =
    "eyJhbGciOiJFUzI1NiJ9"
    "."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr std::string_view kRfcSignature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

class CountingRandom final : public core::Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& byte : out) byte = next_++;
  }

 private:
  std::uint8_t next_ = 0;
};

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string decode(std::string_view text) {
  std::optional<std::string> bytes = base64url_decode(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or("");
}

std::vector<std::string> segments(std::string_view token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = token.find('.', start);
    parts.emplace_back(token.substr(start, dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// Replaces one character with another base64url character. Not for the last character of a
// segment, whose unused low bits must stay zero.
std::string flip_character(std::string text, std::size_t index) {
  text[index] = text[index] == 'A' ? 'B' : 'A';
  return text;
}

// OpenSSL directly, for what the library deliberately does not offer.
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

PkeyPtr read_private_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string public_pem(const std::string& private_pem) {
  PkeyPtr key = read_private_key(private_pem);
  BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key.get()), 1);
  return bio_text(bio.get());
}

std::string p384_private_pem() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  return bio_text(bio.get());
}

// What a naive ES256 signer emits: OpenSSL's DER SEQUENCE instead of R||S.
std::string der_signature(const std::string& private_pem, std::string_view input) {
  PkeyPtr key = read_private_key(private_pem);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> digest(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string der(72, '\0');
  std::size_t size = der.size();
  EXPECT_EQ(EVP_DigestSignInit(digest.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
  EXPECT_EQ(EVP_DigestSign(digest.get(), reinterpret_cast<unsigned char*>(der.data()), &size,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  der.resize(size);
  return der;
}

std::string hmac_sha256(std::string_view secret, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size),
            nullptr);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

::testing::AssertionResult rejected(const core::Result<Claims>& result, std::string_view message) {
  if (result) return ::testing::AssertionFailure() << "the token was accepted";
  if (result.error().code != core::ErrorCode::kUnauthenticated) {
    return ::testing::AssertionFailure() << "code " << core::error_code_name(result.error().code)
                                         << ": " << result.error().message;
  }
  if (result.error().message != message) {
    return ::testing::AssertionFailure() << "message \"" << result.error().message << "\"";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult accepted(const core::Result<Claims>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.error().message;
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto generated = generate_signing_key(core::system_random());
    ASSERT_TRUE(generated) << generated.error().message;
    key_ = *generated;
    auto verification = VerificationKey::from_pem(key_.kid, key_.private_pem);
    ASSERT_TRUE(verification) << verification.error().message;
    keys_.push_back(std::move(verification).value());
  }

  static Claims claims() {
    Claims claims;
    claims.issuer = kIssuer;
    claims.subject = "client-7";
    claims.audience = kAudience;
    claims.expires_at = kNow + 900;
    claims.issued_at = kNow;
    claims.token_id = "4f1c2a9e";
    claims.tenant_id = "tenant-42";
    claims.scope = "entities:read ai:invoke";
    return claims;
  }

  static VerifyOptions options() {
    VerifyOptions options;
    options.issuer = kIssuer;
    options.audience = kAudience;
    options.now = kNow;
    return options;
  }

  core::Result<Claims> check(std::string_view token) const {
    return verify(token, keys_, options());
  }

  std::string sign(const Claims& claims) const {
    auto token = sign_es256(key_, claims);
    EXPECT_TRUE(token) << token.error().message;
    return token ? *token : std::string();
  }

  std::string header(std::string_view extra = "") const {
    return R"({"alg":"ES256","typ":"JWT","kid":")" + key_.kid + "\"" + std::string(extra) + "}";
  }

  static std::string payload(std::string_view extra = "") {
    return R"({"iss":"https://aic.example","aud":"aic-api","sub":"client-7","exp":)" +
           std::to_string(kNow + 900) + R"(,"iat":)" + std::to_string(kNow) + std::string(extra) +
           "}";
  }

  // A token with exactly this header and payload text, validly ES256-signed by `key`.
  static std::string forge(std::string_view header_json, std::string_view payload_json,
                           const SigningKey& key) {
    std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
    auto signature = es256_signature(key, input);
    EXPECT_TRUE(signature) << signature.error().message;
    return input + "." + (signature ? base64url_encode(*signature) : std::string());
  }
  std::string forge(std::string_view header_json, std::string_view payload_json) const {
    return forge(header_json, payload_json, key_);
  }

  SigningKey key_;
  std::vector<VerificationKey> keys_;
};

TEST(Base64Url, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(base64url_decode(encoded), std::optional<std::string>(plain)) << encoded;
  }
}

TEST(Base64Url, DecodeIsStrict) {
  for (std::string_view text :
       {"Zg==", "Zm8=", "Z", "Zm9vY", "Zm9v+w", "Zm9v/w", "Zm 9v", "Zm9v\n", "Zh", "Zm9"}) {
    EXPECT_FALSE(base64url_decode(text).has_value()) << text;
  }
}

TEST(SigningKeys, GeneratedKeyIsPkcs8P256WithKidFromRandom) {
  CountingRandom random;
  auto key = generate_signing_key(random);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->kid, "0001020304050607");
  EXPECT_TRUE(key->private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  EXPECT_TRUE(VerificationKey::from_pem(key->kid, key->private_pem));
}

TEST(SigningKeys, FromPemRefusesOtherKeysAndText) {
  for (const std::string& pem : {p384_private_pem(), std::string("not a key"), std::string()}) {
    auto key = VerificationKey::from_pem("kid-1", pem);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, core::ErrorCode::kInvalidArgument);
  }
  auto unnamed = generate_signing_key(core::system_random());
  ASSERT_TRUE(unnamed);
  EXPECT_FALSE(VerificationKey::from_pem("", unnamed->private_pem));
}

TEST(SigningKeys, SigningRefusesAForeignKey) {
  SigningKey p384{"kid-1", p384_private_pem()};
  Claims claims;
  claims.issuer = "a";
  claims.audience = "b";
  claims.expires_at = kNow;
  auto token = sign_es256(p384, claims);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, core::ErrorCode::kInvalidArgument);
}

TEST_F(JwtTest, SigningRequiresIssuerAudienceAndExpiry) {
  Claims missing_issuer = claims();
  missing_issuer.issuer.clear();
  Claims missing_expiry = claims();
  missing_expiry.expires_at = 0;
  for (const Claims& incomplete : {missing_issuer, missing_expiry}) {
    auto token = sign_es256(key_, incomplete);
    ASSERT_FALSE(token);
    EXPECT_EQ(token.error().code, core::ErrorCode::kInvalidArgument);
  }
}

TEST_F(JwtTest, RoundTripPreservesClaims) {
  Claims original = claims();
  original.not_before = kNow - 5;
  auto verified = check(sign(original));
  ASSERT_TRUE(accepted(verified));
  EXPECT_EQ(verified->issuer, original.issuer);
  EXPECT_EQ(verified->subject, original.subject);
  EXPECT_EQ(verified->audience, original.audience);
  EXPECT_EQ(verified->expires_at, original.expires_at);
  EXPECT_EQ(verified->issued_at, original.issued_at);
  EXPECT_EQ(verified->not_before, original.not_before);
  EXPECT_EQ(verified->token_id, original.token_id);
  EXPECT_EQ(verified->tenant_id, original.tenant_id);
  EXPECT_EQ(verified->scope, original.scope);
}

TEST_F(JwtTest, OptionalClaimsStayAbsent) {
  Claims minimal;
  minimal.issuer = kIssuer;
  minimal.audience = kAudience;
  minimal.expires_at = kNow + 60;
  std::string token = sign(minimal);
  EXPECT_EQ(decode(segments(token)[1]),
            R"({"iss":"https://aic.example","aud":"aic-api","exp":1700000060})");
  auto verified = check(token);
  ASSERT_TRUE(accepted(verified));
  EXPECT_FALSE(verified->issued_at.has_value());
  EXPECT_FALSE(verified->not_before.has_value());
  EXPECT_EQ(verified->subject, "");
  EXPECT_EQ(verified->tenant_id, "");
}

TEST_F(JwtTest, TokenHasJwsHeaderAndRawSignature) {
  std::vector<std::string> parts = segments(sign(claims()));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(decode(parts[0]), R"({"alg":"ES256","typ":"JWT","kid":")" + key_.kid + "\"}");
  EXPECT_EQ(decode(parts[2]).size(), 64u);
  EXPECT_EQ(parts[2].size(), 86u);
}

TEST_F(JwtTest, JwksPublishesTheKey) {
  auto document = boost::json::parse(jwks_json(keys_));
  const boost::json::array& list = document.at("keys").as_array();
  ASSERT_EQ(list.size(), 1u);
  const boost::json::object& jwk = list[0].as_object();
  EXPECT_EQ(jwk.at("kty").as_string(), "EC");
  EXPECT_EQ(jwk.at("crv").as_string(), "P-256");
  EXPECT_EQ(jwk.at("kid").as_string(), key_.kid);
  EXPECT_EQ(jwk.at("use").as_string(), "sig");
  EXPECT_EQ(jwk.at("alg").as_string(), "ES256");
  EXPECT_EQ(jwk.size(), 7u);
  std::string x = decode(jwk.at("x").as_string());
  std::string y = decode(jwk.at("y").as_string());
  ASSERT_EQ(x.size(), 32u);
  ASSERT_EQ(y.size(), 32u);
  EXPECT_TRUE(std::equal(x.begin(), x.end(), keys_[0].x().begin(),
                         [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }));

  // A verifier that knows the key only from the JWK Set accepts our tokens.
  auto from_jwks = VerificationKey::from_jwk_coordinates(
      std::string(jwk.at("kid").as_string()), jwk.at("x").as_string(), jwk.at("y").as_string());
  ASSERT_TRUE(from_jwks) << from_jwks.error().message;
  std::vector<VerificationKey> published;
  published.push_back(std::move(from_jwks).value());
  EXPECT_TRUE(accepted(verify(sign(claims()), published, options())));
}

TEST_F(JwtTest, PublicPemVerifies) {
  auto from_public = VerificationKey::from_pem(key_.kid, public_pem(key_.private_pem));
  ASSERT_TRUE(from_public) << from_public.error().message;
  std::vector<VerificationKey> keys;
  keys.push_back(std::move(from_public).value());
  EXPECT_TRUE(accepted(verify(sign(claims()), keys, options())));
}

TEST_F(JwtTest, RotationKeepsTheOldKidValid) {
  auto next = generate_signing_key(core::system_random());
  ASSERT_TRUE(next);
  std::string old_token = sign(claims());
  auto next_token = sign_es256(*next, claims());
  ASSERT_TRUE(next_token);

  std::vector<VerificationKey> both;
  both.push_back(std::move(VerificationKey::from_pem(next->kid, next->private_pem)).value());
  both.push_back(std::move(VerificationKey::from_pem(key_.kid, key_.private_pem)).value());
  EXPECT_TRUE(accepted(verify(old_token, both, options())));
  EXPECT_TRUE(accepted(verify(*next_token, both, options())));
  EXPECT_NE(jwks_json(both).find(key_.kid), std::string::npos);
  EXPECT_NE(jwks_json(both).find(next->kid), std::string::npos);

  both.pop_back();  // the old key is retired
  EXPECT_TRUE(rejected(verify(old_token, both, options()), "unknown kid"));
}

TEST(KnownAnswer, Rfc7515AppendixA3) {
  auto key = VerificationKey::from_jwk_coordinates("rfc7515-a3", kRfcX, kRfcY);
  ASSERT_TRUE(key) << key.error().message;
  std::string signature = decode(kRfcSignature);
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_TRUE(verify_es256_signature(*key, kRfcSigningInput, as_bytes(signature)));
  EXPECT_EQ(decode(kRfcSigningInput.substr(kRfcSigningInput.find('.') + 1)),
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");

  std::string altered_input(kRfcSigningInput);
  altered_input[30] = altered_input[30] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_es256_signature(*key, altered_input, as_bytes(signature)));
  signature[10] = static_cast<char>(signature[10] ^ 1);
  EXPECT_FALSE(verify_es256_signature(*key, kRfcSigningInput, as_bytes(signature)));

  // The coordinates come back out exactly as the RFC prints them.
  std::vector<VerificationKey> keys;
  keys.push_back(std::move(key).value());
  EXPECT_EQ(jwks_json(keys), R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + std::string(kRfcX) +
                                 R"(","y":")" + std::string(kRfcY) +
                                 R"(","kid":"rfc7515-a3","use":"sig","alg":"ES256"}]})");
}

TEST(KnownAnswer, CoordinatesMustBeAPointOnP256) {
  std::string y = decode(kRfcY);
  y[31] = static_cast<char>(y[31] ^ 1);
  EXPECT_FALSE(VerificationKey::from_jwk_coordinates("k", kRfcX, base64url_encode(y)));
  EXPECT_FALSE(VerificationKey::from_jwk_coordinates("k", kRfcX, kRfcX.substr(0, 42)));
  EXPECT_FALSE(VerificationKey::from_jwk_coordinates("k", kRfcX, ""));
  std::string zeros(43, 'A');
  EXPECT_FALSE(VerificationKey::from_jwk_coordinates("k", zeros, zeros));
}

TEST_F(JwtTest, RejectsAlgNone) {
  std::string header_none = R"({"alg":"none","typ":"JWT","kid":")" + key_.kid + "\"}";
  std::string input = base64url_encode(header_none) + "." + base64url_encode(payload());
  EXPECT_TRUE(rejected(check(input + "."), "alg must be ES256"));
  EXPECT_TRUE(rejected(check(forge(header_none, payload())), "alg must be ES256"));
  for (std::string_view variant : {"None", "NONE", "es256", "ES256 ", ""}) {
    std::string variant_header =
        R"({"alg":")" + std::string(variant) + R"(","typ":"JWT","kid":")" + key_.kid + "\"}";
    EXPECT_TRUE(rejected(check(forge(variant_header, payload())), "alg must be ES256")) << variant;
  }
}

TEST_F(JwtTest, RejectsHs256WithThePublicKeyAsSecret) {
  // The classic algorithm confusion: a verifier that lets the token pick HMAC would check it
  // with the public key's PEM text as the shared secret, and accept it.
  std::string header_hs256 = R"({"alg":"HS256","typ":"JWT","kid":")" + key_.kid + "\"}";
  std::string input = base64url_encode(header_hs256) + "." + base64url_encode(payload());
  std::string token =
      input + "." + base64url_encode(hmac_sha256(public_pem(key_.private_pem), input));
  EXPECT_TRUE(rejected(check(token), "alg must be ES256"));
}

TEST_F(JwtTest, RejectsOtherAndMissingAlgorithms) {
  std::string rs256 = R"({"alg":"RS256","typ":"JWT","kid":")" + key_.kid + "\"}";
  EXPECT_TRUE(rejected(check(forge(rs256, payload())), "alg must be ES256"));
  std::string no_alg = R"({"typ":"JWT","kid":")" + key_.kid + "\"}";
  EXPECT_TRUE(rejected(check(forge(no_alg, payload())), "alg must be ES256"));
  std::string alg_not_string = R"({"alg":["ES256"],"kid":")" + key_.kid + "\"}";
  EXPECT_TRUE(rejected(check(forge(alg_not_string, payload())), "alg must be ES256"));
}

TEST_F(JwtTest, RejectsMissingAndUnknownKid) {
  EXPECT_TRUE(
      rejected(check(forge(R"({"alg":"ES256","typ":"JWT"})", payload())), "kid is required"));
  EXPECT_TRUE(
      rejected(check(forge(R"({"alg":"ES256","kid":7})", payload())), "kid must be a string"));
  EXPECT_TRUE(rejected(check(forge(R"({"alg":"ES256","kid":"0123456789abcdef"})", payload())),
                       "unknown kid"));
  EXPECT_TRUE(rejected(verify(sign(claims()), {}, options()), "unknown kid"));
}

TEST_F(JwtTest, RejectsHeadersThatNameTheirOwnKeyOrDemandExtensions) {
  const std::pair<std::string_view, std::string_view> parameters[] = {
      {"jku", R"("https://attacker.example/jwks")"},
      {"jwk", R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})"},
      {"x5u", R"("https://attacker.example/cert")"},
      {"x5c", R"(["MIIB"])"},
      {"crit", R"(["exp"])"},
  };
  for (auto [name, value] : parameters) {
    std::string extra = ",\"" + std::string(name) + "\":" + std::string(value);
    EXPECT_TRUE(rejected(check(forge(header(extra), payload())),
                         "header parameter " + std::string(name) + " is not accepted"))
        << name;
  }
}

TEST_F(JwtTest, AcceptsJwtMediaTypesOnly) {
  for (std::string_view type : {"JWT", "jwt", "at+jwt", "AT+JWT", "application/at+jwt"}) {
    std::string typed =
        R"({"alg":"ES256","typ":")" + std::string(type) + R"(","kid":")" + key_.kid + "\"}";
    EXPECT_TRUE(accepted(check(forge(typed, payload())))) << type;
  }
  EXPECT_TRUE(accepted(check(forge(R"({"alg":"ES256","kid":")" + key_.kid + "\"}", payload()))));
  for (std::string_view type : {"JOSE", "application/json", "jwt+at", ""}) {
    std::string typed =
        R"({"alg":"ES256","typ":")" + std::string(type) + R"(","kid":")" + key_.kid + "\"}";
    EXPECT_TRUE(rejected(check(forge(typed, payload())), "typ must be JWT or at+jwt")) << type;
  }
}

TEST_F(JwtTest, ExpiryHonoursLeeway) {
  Claims just_expired = claims();
  just_expired.issued_at = kNow - 900;
  just_expired.expires_at = kNow - 59;
  EXPECT_TRUE(accepted(check(sign(just_expired))));
  just_expired.expires_at = kNow - 60;
  EXPECT_TRUE(rejected(check(sign(just_expired)), "token is expired"));
  just_expired.expires_at = kNow - 3600;
  EXPECT_TRUE(rejected(check(sign(just_expired)), "token is expired"));
}

TEST_F(JwtTest, RejectsNotBeforeAndIssuedAtInTheFuture) {
  Claims early = claims();
  early.not_before = kNow + 60;
  EXPECT_TRUE(accepted(check(sign(early))));
  early.not_before = kNow + 61;
  EXPECT_TRUE(rejected(check(sign(early)), "token is not yet valid (nbf)"));

  Claims future = claims();
  future.issued_at = kNow + 61;
  EXPECT_TRUE(rejected(check(sign(future)), "token is issued in the future (iat)"));
}

TEST_F(JwtTest, RejectsLifetimeOverTheMaximum) {
  Claims long_lived = claims();
  long_lived.expires_at = kNow + 3600;
  EXPECT_TRUE(accepted(check(sign(long_lived))));
  long_lived.expires_at = kNow + 3601;
  EXPECT_TRUE(rejected(check(sign(long_lived)), "token lifetime exceeds the maximum"));

  // Without iat the remaining lifetime still bounds it.
  Claims undated = claims();
  undated.issued_at.reset();
  undated.expires_at = kNow + 3660;
  EXPECT_TRUE(accepted(check(sign(undated))));
  undated.expires_at = kNow + 3661;
  EXPECT_TRUE(rejected(check(sign(undated)), "token lifetime exceeds the maximum"));
}

TEST_F(JwtTest, RejectsWrongIssuerAndAudience) {
  Claims other = claims();
  other.issuer = "https://evil.example";
  EXPECT_TRUE(rejected(check(sign(other)), "iss does not match"));
  other = claims();
  other.audience = "other-api";
  EXPECT_TRUE(rejected(check(sign(other)), "aud does not match"));

  std::string no_iss = R"({"aud":"aic-api","exp":)" + std::to_string(kNow + 60) + "}";
  EXPECT_TRUE(rejected(check(forge(header(), no_iss)), "iss is required"));
  std::string no_aud = R"({"iss":"https://aic.example","exp":)" + std::to_string(kNow + 60) + "}";
  EXPECT_TRUE(rejected(check(forge(header(), no_aud)), "aud is required"));

  VerifyOptions unconfigured = options();
  unconfigured.issuer.clear();
  Claims empty_issuer = claims();
  EXPECT_TRUE(rejected(verify(sign(empty_issuer), keys_, unconfigured), "iss does not match"));
}

TEST_F(JwtTest, AudienceMayBeAnArray) {
  std::string payload_json = R"({"iss":"https://aic.example","aud":["other","aic-api"],"exp":)" +
                             std::to_string(kNow + 60) + "}";
  auto verified = check(forge(header(), payload_json));
  ASSERT_TRUE(accepted(verified));
  EXPECT_EQ(verified->audience, kAudience);

  std::string without =
      R"({"iss":"https://aic.example","aud":["other"],"exp":)" + std::to_string(kNow + 60) + "}";
  EXPECT_TRUE(rejected(check(forge(header(), without)), "aud does not match"));
  std::string mixed = R"({"iss":"https://aic.example","aud":["aic-api",1],"exp":)" +
                      std::to_string(kNow + 60) + "}";
  EXPECT_TRUE(rejected(check(forge(header(), mixed)), "aud does not match"));
}

TEST_F(JwtTest, ExpiryMustBeAnIntegerNumericDate) {
  std::string base = R"({"iss":"https://aic.example","aud":"aic-api")";
  EXPECT_TRUE(rejected(check(forge(header(), base + "}")), "exp is required"));
  for (const std::string& exp :
       {std::string("\"1700000900\""), std::to_string(kNow + 60) + ".5", std::string("-1"),
        std::string("1e10"), std::string("null"), std::string("18446744073709551615")}) {
    EXPECT_TRUE(rejected(check(forge(header(), base + ",\"exp\":" + exp + "}")),
                         "exp must be an integer NumericDate"))
        << exp;
  }
  EXPECT_TRUE(rejected(check(forge(header(), payload(R"(,"nbf":"soon")"))),
                       "nbf must be an integer NumericDate"));
}

TEST_F(JwtTest, RejectsNonStringSubjectTenantAndScope) {
  // `payload()` already has sub; a second one would be a duplicate, so build fresh payloads.
  std::string base =
      R"({"iss":"https://aic.example","aud":"aic-api","exp":)" + std::to_string(kNow + 60);
  EXPECT_TRUE(rejected(check(forge(header(), base + R"(,"sub":42})")), "sub must be a string"));
  EXPECT_TRUE(rejected(check(forge(header(), base + R"(,"tenant_id":{"id":"t"}})")),
                       "tenant_id must be a string"));
  EXPECT_TRUE(
      rejected(check(forge(header(), base + R"(,"scope":["a","b"]})")), "scope must be a string"));
  EXPECT_TRUE(rejected(check(forge(header(), base + R"(,"jti":null})")), "jti must be a string"));
}

TEST_F(JwtTest, RejectsTamperedPayloadAndSignature) {
  std::vector<std::string> parts = segments(sign(claims()));
  std::string tampered_payload =
      parts[0] + "." + flip_character(parts[1], parts[1].size() / 2) + "." + parts[2];
  EXPECT_TRUE(rejected(check(tampered_payload), "signature is invalid"));
  std::string tampered_signature = parts[0] + "." + parts[1] + "." + flip_character(parts[2], 20);
  EXPECT_TRUE(rejected(check(tampered_signature), "signature is invalid"));
  std::string tampered_header = flip_character(parts[0], 1) + "." + parts[1] + "." + parts[2];
  EXPECT_FALSE(check(tampered_header));
}

TEST_F(JwtTest, RejectsASignatureFromAnotherKeyUnderTheSameKid) {
  auto impostor = generate_signing_key(core::system_random());
  ASSERT_TRUE(impostor);
  impostor->kid = key_.kid;
  auto token = sign_es256(*impostor, claims());
  ASSERT_TRUE(token);
  EXPECT_TRUE(rejected(check(*token), "signature is invalid"));
}

TEST_F(JwtTest, RejectsDerSignatures) {
  std::string input = base64url_encode(header()) + "." + base64url_encode(payload());
  std::string der = der_signature(key_.private_pem, input);
  EXPECT_EQ(der[0], '\x30');  // a DER SEQUENCE, 70 to 72 bytes
  EXPECT_TRUE(
      rejected(check(input + "." + base64url_encode(der)), "signature must be 64 bytes (R||S)"));
}

TEST_F(JwtTest, RejectsZeroSignatureHalves) {
  std::vector<std::string> parts = segments(sign(claims()));
  std::string signature = decode(parts[2]);
  std::string zero_s = signature.substr(0, 32) + std::string(32, '\0');
  std::string zero_r = std::string(32, '\0') + signature.substr(32);
  for (const std::string& bad : {zero_s, zero_r, std::string(64, '\0')}) {
    EXPECT_TRUE(rejected(check(parts[0] + "." + parts[1] + "." + base64url_encode(bad)),
                         "signature has a zero R or S"));
  }
}

TEST_F(JwtTest, RejectsPaddingAndForeignAlphabets) {
  std::string token = sign(claims());
  ASSERT_EQ(segments(token)[2].size() % 4, 2u);  // standard base64 would pad with "=="
  EXPECT_TRUE(rejected(check(token + "=="), "token segments must be unpadded base64url"));
  std::string standard = token;
  standard[standard.size() / 2] = '+';
  EXPECT_TRUE(rejected(check(standard), "token segments must be unpadded base64url"));
  std::string spaced = token;
  spaced.insert(10, " ");
  EXPECT_TRUE(rejected(check(spaced), "token segments must be unpadded base64url"));
}

TEST_F(JwtTest, RejectsWrongSegmentCounts) {
  std::string token = sign(claims());
  std::vector<std::string> parts = segments(token);
  EXPECT_TRUE(rejected(check(parts[0] + "." + parts[1]), "token must have three segments"));
  EXPECT_TRUE(rejected(check(token + "." + parts[2]), "token must have three segments"));
  EXPECT_TRUE(rejected(check(token + "."), "token must have three segments"));
  EXPECT_TRUE(rejected(check(parts[0]), "token must have three segments"));
  EXPECT_TRUE(rejected(check(""), "token must have three segments"));
  EXPECT_TRUE(rejected(check(".."), "token header is not a JSON object"));
}

TEST_F(JwtTest, RejectsOversizedTokensBeforeParsing) {
  // Validly signed, but over the cap.
  std::string big = forge(header(), payload(",\"pad\":\"" + std::string(6200, 'x') + "\""));
  ASSERT_GT(big.size(), kMaxTokenBytes);
  EXPECT_TRUE(rejected(check(big), "token is too large"));
  EXPECT_TRUE(rejected(check(std::string(kMaxTokenBytes + 1, '.')), "token is too large"));

  std::string fits = forge(header(), payload(",\"pad\":\"" + std::string(5000, 'x') + "\""));
  ASSERT_LE(fits.size(), kMaxTokenBytes);
  EXPECT_TRUE(accepted(check(fits)));
}

TEST_F(JwtTest, RejectsNonObjectHeaderAndPayload) {
  for (std::string_view json : {"[1,2]", "\"claims\"", "42", "null", "{", "{} {}"}) {
    EXPECT_TRUE(rejected(check(forge(header(), json)), "token payload is not a JSON object"))
        << json;
    EXPECT_TRUE(rejected(check(forge(json, payload())), "token header is not a JSON object"))
        << json;
  }
}

TEST_F(JwtTest, RejectsDuplicateMemberNames) {
  EXPECT_TRUE(rejected(check(forge(header(), payload(R"(,"iss":"https://aic.example")"))),
                       "token payload repeats a member name"));
  // An escaped spelling is the same name.
  EXPECT_TRUE(rejected(check(forge(header(), payload(R"(,"\u0069ss":"https://aic.example")"))),
                       "token payload repeats a member name"));
  EXPECT_TRUE(rejected(check(forge(header(), payload(R"(,"act":{"sub":"a","sub":"b"})"))),
                       "token payload repeats a member name"));
  // The same name in different objects is fine.
  EXPECT_TRUE(accepted(check(forge(header(), payload(R"(,"act":{"sub":"a"})")))));

  // Boost.JSON keeps the last value: without the check this header would pass as ES256.
  std::string twice = R"({"alg":"none","alg":"ES256","kid":")" + key_.kid + "\"}";
  EXPECT_TRUE(rejected(check(forge(twice, payload())), "token header repeats a member name"));
}

}  // namespace
}  // namespace aic::identity
