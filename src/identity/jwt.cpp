#include "identity/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>

namespace aic::identity {
namespace {

constexpr std::size_t kKidBytes = 8;  // 16 hex characters
constexpr std::size_t kCoordinateBytes = 32;
constexpr std::size_t kSignatureBytes = 2 * kCoordinateBytes;
// 9999-12-31T23:59:59Z. Bounding NumericDates keeps exp + leeway and exp - iat far from
// overflow without checked arithmetic at every use.
constexpr std::int64_t kMaxNumericDate = 253402300799;
// OpenSSL's name for P-256; EVP_PKEY_get_group_name reports this one, not "P-256".
constexpr const char* kCurveName = "prime256v1";

template <auto Free>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* pointer) const {
    Free(pointer);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using PkeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX_free>>;
using DigestContextPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;
using EcdsaSignaturePtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG_free>>;

// Failed OpenSSL calls leave entries on the thread's error queue; clearing it keeps a stale
// entry from being reported by the next, unrelated OpenSSL user on this thread.
core::Error openssl_error(core::ErrorCode code, std::string message) {
  ERR_clear_error();
  return core::Error::make(code, std::move(message));
}

core::Error unauthenticated(std::string message) {
  ERR_clear_error();
  return core::Error::make(core::ErrorCode::kUnauthenticated, std::move(message));
}

// The default PEM callback prompts on the terminal for a passphrase; a server must fail
// instead.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*user*/) { return 0; }

BioPtr memory_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &length) != 1) return false;
  return std::string_view(group, length) == kCurveName;
}

PkeyPtr read_private_key(std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  if (!bio) return nullptr;
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
}

core::Result<PkeyPtr> load_signing_key(const SigningKey& key) {
  PkeyPtr private_key = read_private_key(key.private_pem);
  if (!private_key || !is_p256(private_key.get())) {
    return openssl_error(core::ErrorCode::kInvalidArgument,
                         "the signing key is not an unencrypted P-256 private key");
  }
  return private_key;
}

bool coordinate(EVP_PKEY* key, const char* name, std::array<std::uint8_t, 32>& out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return false;
  BignumPtr value(raw);
  return BN_bn2binpad(value.get(), out.data(), static_cast<int>(out.size())) ==
         static_cast<int>(out.size());
}

// The public point as an EVP_PKEY with no private part, checked to lie on P-256.
PkeyPtr public_key_from_coordinates(const std::array<std::uint8_t, 32>& x,
                                    const std::array<std::uint8_t, 32>& y) {
  std::array<unsigned char, 1 + 2 * kCoordinateBytes> point;
  point[0] = 0x04;  // SEC 1 uncompressed point
  std::copy(x.begin(), x.end(), point.begin() + 1);
  std::copy(y.begin(), y.end(), point.begin() + 1 + kCoordinateBytes);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(kCurveName),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyContextPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  PkeyPtr key(raw);
  // Import already refuses points off the curve; the full check (not infinity, correct
  // order) costs microseconds once per key and does not depend on that detail.
  PkeyContextPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t byte) { return byte == 0; });
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> kBase64UrlValues = [] {
  std::array<std::int8_t, 256> values{};
  values.fill(-1);
  for (std::size_t index = 0; index < kBase64UrlAlphabet.size(); ++index) {
    values[static_cast<unsigned char>(kBase64UrlAlphabet[index])] = static_cast<std::int8_t>(index);
  }
  return values;
}();

// Boost.JSON keeps the last of repeated member names. A header or claim set that repeats a
// name can mean one thing to us and another to a different parser (which may keep the
// first), so such tokens are refused. This handler for boost::json::basic_parser sees every
// member name as it is parsed and stops at the first repeat within one object.
class DuplicateNameCheck {
 public:
  // Names required by basic_parser.
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();   // NOLINT
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();  // NOLINT
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();  // NOLINT
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();     // NOLINT

  bool duplicate() const { return duplicate_; }

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_array_begin(boost::json::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) {
    names_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::json::error_code&) {
    names_.pop_back();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, boost::json::error_code&) {
    return true;
  }
  bool on_string(boost::json::string_view, std::size_t, boost::json::error_code&) { return true; }
  bool on_key_part(boost::json::string_view part, std::size_t, boost::json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(boost::json::string_view last, std::size_t, boost::json::error_code& ec) {
    key_.append(last.data(), last.size());
    bool inserted = names_.back().insert(std::move(key_)).second;
    key_.clear();
    if (inserted) return true;
    duplicate_ = true;
    // basic_parser stops only when the handler both returns false and sets an error.
    ec = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    return false;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_double(double, boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_bool(bool, boost::json::error_code&) { return true; }
  bool on_null(boost::json::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  std::vector<std::unordered_set<std::string>> names_;  // one set per open object
  std::string key_;
  bool duplicate_ = false;
};

// A JSON object with no repeated member name at any depth.
core::Result<boost::json::object> parse_object(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    return unauthenticated("token " + std::string(what) + " is not a JSON object");
  }
  boost::json::basic_parser<DuplicateNameCheck> check{boost::json::parse_options{}};
  check.write_some(false, text.data(), text.size(), ec);
  if (check.handler().duplicate()) {
    return unauthenticated("token " + std::string(what) + " repeats a member name");
  }
  return std::move(value.as_object());
}

bool iequals_ascii(std::string_view left, std::string_view right) {
  return left.size() == right.size() &&
         std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(a) == lower(b);
         });
}

// RFC 7515 §4.1.9: typ is a media type, compared case-insensitively, whose "application/"
// prefix may be left out. RFC 9068 access tokens use at+jwt.
bool acceptable_type(std::string_view type) {
  constexpr std::string_view kApplication = "application/";
  if (type.size() > kApplication.size() &&
      iequals_ascii(type.substr(0, kApplication.size()), kApplication)) {
    type.remove_prefix(kApplication.size());
  }
  return iequals_ascii(type, "jwt") || iequals_ascii(type, "at+jwt");
}

core::Status check_header(const boost::json::object& header) {
  const boost::json::value* algorithm = header.if_contains("alg");
  if (algorithm == nullptr || !algorithm->is_string() || algorithm->get_string() != "ES256") {
    return unauthenticated("alg must be ES256");
  }
  // Each of these would let the token name its own key or demand processing we do not do.
  for (std::string_view name : {"jku", "jwk", "x5u", "x5c", "crit"}) {
    if (header.contains(name)) {
      return unauthenticated("header parameter " + std::string(name) + " is not accepted");
    }
  }
  if (const boost::json::value* type = header.if_contains("typ")) {
    if (!type->is_string() || !acceptable_type(type->get_string())) {
      return unauthenticated("typ must be JWT or at+jwt");
    }
  }
  return {};
}

core::Result<std::int64_t> numeric_date(const boost::json::value& value, std::string_view name) {
  // Integers only: our issuer never writes fractions, and doubles bring rounding questions
  // to a security decision.
  if (value.is_int64() && value.get_int64() >= 0 && value.get_int64() <= kMaxNumericDate) {
    return value.get_int64();
  }
  return unauthenticated(std::string(name) + " must be an integer NumericDate");
}

core::Result<std::optional<std::int64_t>> optional_date(const boost::json::object& payload,
                                                        std::string_view name) {
  const boost::json::value* value = payload.if_contains(name);
  if (value == nullptr) return std::optional<std::int64_t>();
  auto date = numeric_date(*value, name);
  if (!date) return std::move(date).error();
  return std::optional<std::int64_t>(*date);
}

core::Status optional_string(const boost::json::object& payload, std::string_view name,
                             std::string& out) {
  const boost::json::value* value = payload.if_contains(name);
  if (value == nullptr) return {};
  if (!value->is_string()) return unauthenticated(std::string(name) + " must be a string");
  out.assign(value->get_string().data(), value->get_string().size());
  return {};
}

bool audience_matches(const boost::json::value& audience, std::string_view expected) {
  if (audience.is_string()) return audience.get_string() == expected;
  if (!audience.is_array()) return false;
  const boost::json::array& list = audience.get_array();
  bool all_strings = std::all_of(list.begin(), list.end(),
                                 [](const boost::json::value& item) { return item.is_string(); });
  return all_strings && std::any_of(list.begin(), list.end(), [&](const boost::json::value& item) {
           return item.get_string() == expected;
         });
}

core::Result<Claims> check_claims(const boost::json::object& payload,
                                  const VerifyOptions& options) {
  Claims claims;
  const boost::json::value* issuer = payload.if_contains("iss");
  if (issuer == nullptr) return unauthenticated("iss is required");
  // An empty expectation is a misconfigured verifier; it must not accept "iss":"".
  if (options.issuer.empty() || !issuer->is_string() || issuer->get_string() != options.issuer) {
    return unauthenticated("iss does not match");
  }
  claims.issuer = options.issuer;

  const boost::json::value* audience = payload.if_contains("aud");
  if (audience == nullptr) return unauthenticated("aud is required");
  if (options.audience.empty() || !audience_matches(*audience, options.audience)) {
    return unauthenticated("aud does not match");
  }
  claims.audience = options.audience;

  const boost::json::value* expires_at = payload.if_contains("exp");
  if (expires_at == nullptr) return unauthenticated("exp is required");
  auto exp = numeric_date(*expires_at, "exp");
  if (!exp) return std::move(exp).error();
  claims.expires_at = *exp;
  auto nbf = optional_date(payload, "nbf");
  if (!nbf) return std::move(nbf).error();
  claims.not_before = *nbf;
  auto iat = optional_date(payload, "iat");
  if (!iat) return std::move(iat).error();
  claims.issued_at = *iat;

  const std::int64_t now = options.now;
  const std::int64_t leeway = options.leeway_seconds;
  if (claims.expires_at + leeway <= now) return unauthenticated("token is expired");
  if (claims.not_before && *claims.not_before > now + leeway) {
    return unauthenticated("token is not yet valid (nbf)");
  }
  if (claims.issued_at && *claims.issued_at > now + leeway) {
    return unauthenticated("token is issued in the future (iat)");
  }
  // The second test also bounds tokens without iat: one that still has more than a lifetime
  // to run cannot have been issued recently.
  if ((claims.issued_at && claims.expires_at - *claims.issued_at > options.max_lifetime_seconds) ||
      claims.expires_at - now > options.max_lifetime_seconds + leeway) {
    return unauthenticated("token lifetime exceeds the maximum");
  }

  for (auto [name, out] : {std::pair{"sub", &claims.subject}, std::pair{"jti", &claims.token_id},
                           std::pair{"tenant_id", &claims.tenant_id},
                           std::pair{"scope", &claims.scope}, std::pair{"plan", &claims.plan}}) {
    if (auto status = optional_string(payload, name, *out); !status)
      return std::move(status).error();
  }
  return claims;
}

}  // namespace

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64UrlAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64UrlAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::string base64url_encode(std::string_view bytes) { return base64url_encode(as_bytes(bytes)); }

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    std::int8_t value = kBase64UrlValues[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // Nonzero leftover bits would give one byte string several encodings, and so one token
  // several spellings.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

core::Result<SigningKey> generate_signing_key(core::Random& random) {
  PkeyContextPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!context || EVP_PKEY_keygen_init(context.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(context.get(), kCurveName) != 1 ||
      EVP_PKEY_generate(context.get(), &raw) != 1) {
    return openssl_error(core::ErrorCode::kInternal, "P-256 key generation failed");
  }
  PkeyPtr key(raw);
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY").
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return openssl_error(core::ErrorCode::kInternal, "cannot encode the private key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) {
    return openssl_error(core::ErrorCode::kInternal, "cannot encode the private key");
  }
  SigningKey signing_key;
  signing_key.kid = core::random_hex(random, kKidBytes);
  signing_key.private_pem.assign(data, static_cast<std::size_t>(size));
  // The BIO's copy of the key is freed by BIO_free without being wiped.
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));
  return signing_key;
}

struct VerificationKey::Impl {
  std::string kid;
  std::array<std::uint8_t, 32> x{};
  std::array<std::uint8_t, 32> y{};
  PkeyPtr key;
};

VerificationKey::VerificationKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VerificationKey::VerificationKey(VerificationKey&&) noexcept = default;
VerificationKey& VerificationKey::operator=(VerificationKey&&) noexcept = default;
VerificationKey::~VerificationKey() = default;

const std::string& VerificationKey::kid() const { return impl_->kid; }
const std::array<std::uint8_t, 32>& VerificationKey::x() const { return impl_->x; }
const std::array<std::uint8_t, 32>& VerificationKey::y() const { return impl_->y; }

core::Result<VerificationKey> VerificationKey::from_pem(std::string kid, std::string_view pem) {
  if (kid.empty()) return core::Error::invalid("a verification key needs a kid", "kid");
  PkeyPtr parsed;
  if (BioPtr bio = memory_bio(pem)) {
    parsed.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  }
  if (!parsed) {
    ERR_clear_error();  // not a public key; try a private one
    parsed = read_private_key(pem);
  }
  auto impl = std::make_unique<Impl>();
  // Rebuilding from the coordinates drops the private scalar: a verifier never holds it.
  if (!parsed || !is_p256(parsed.get()) ||
      !coordinate(parsed.get(), OSSL_PKEY_PARAM_EC_PUB_X, impl->x) ||
      !coordinate(parsed.get(), OSSL_PKEY_PARAM_EC_PUB_Y, impl->y) ||
      !(impl->key = public_key_from_coordinates(impl->x, impl->y))) {
    return openssl_error(core::ErrorCode::kInvalidArgument, "not a P-256 key in unencrypted PEM");
  }
  impl->kid = std::move(kid);
  return VerificationKey(std::move(impl));
}

core::Result<VerificationKey> VerificationKey::from_jwk_coordinates(std::string kid,
                                                                    std::string_view x,
                                                                    std::string_view y) {
  if (kid.empty()) return core::Error::invalid("a verification key needs a kid", "kid");
  auto impl = std::make_unique<Impl>();
  for (auto [text, out] : {std::pair{x, &impl->x}, std::pair{y, &impl->y}}) {
    std::optional<std::string> bytes = base64url_decode(text);
    if (!bytes || bytes->size() != kCoordinateBytes) {
      return core::Error::invalid("x and y must be base64url of 32 bytes each");
    }
    std::memcpy(out->data(), bytes->data(), kCoordinateBytes);
  }
  impl->key = public_key_from_coordinates(impl->x, impl->y);
  if (!impl->key) {
    return openssl_error(core::ErrorCode::kInvalidArgument, "x and y are not a point on P-256");
  }
  impl->kid = std::move(kid);
  return VerificationKey(std::move(impl));
}

std::string jwks_json(std::span<const VerificationKey> keys) {
  boost::json::array list;
  list.reserve(keys.size());
  for (const VerificationKey& key : keys) {
    list.push_back(boost::json::object{
        {"kty", "EC"},
        {"crv", "P-256"},
        {"x", base64url_encode(key.x())},
        {"y", base64url_encode(key.y())},
        {"kid", key.kid()},
        {"use", "sig"},
        {"alg", "ES256"},
    });
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(list)}});
}

core::Result<std::array<std::uint8_t, 64>> es256_signature(const SigningKey& key,
                                                           std::string_view signing_input) {
  auto private_key = load_signing_key(key);
  if (!private_key) return std::move(private_key).error();
  DigestContextPtr digest(EVP_MD_CTX_new());
  // P-256 DER signatures are at most 72 bytes; EVP_PKEY_get_size gives that bound.
  std::vector<unsigned char> der(static_cast<std::size_t>(EVP_PKEY_get_size(private_key->get())));
  std::size_t der_size = der.size();
  if (!digest ||
      EVP_DigestSignInit(digest.get(), nullptr, EVP_sha256(), nullptr, private_key->get()) != 1 ||
      EVP_DigestSign(digest.get(), der.data(), &der_size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return openssl_error(core::ErrorCode::kInternal, "ES256 signing failed");
  }
  // OpenSSL produces the DER SEQUENCE {r, s}; JWS wants the two integers as fixed-width
  // big-endian octets (RFC 7518 §3.4).
  const unsigned char* cursor = der.data();
  EcdsaSignaturePtr signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_size)));
  std::array<std::uint8_t, 64> raw{};
  if (!signature) return openssl_error(core::ErrorCode::kInternal, "ES256 signing failed");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  constexpr int kWidth = static_cast<int>(kCoordinateBytes);
  if (BN_bn2binpad(r, raw.data(), kWidth) != kWidth ||
      BN_bn2binpad(s, raw.data() + kCoordinateBytes, kWidth) != kWidth) {
    return openssl_error(core::ErrorCode::kInternal, "ES256 signing failed");
  }
  return raw;
}

core::Result<std::string> sign_es256(const SigningKey& key, const Claims& claims) {
  if (key.kid.empty()) return core::Error::invalid("the signing key has no kid", "kid");
  if (claims.issuer.empty() || claims.audience.empty() || claims.expires_at <= 0) {
    return core::Error::invalid("iss, aud and exp are required");
  }
  boost::json::object header{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", key.kid}};
  boost::json::object payload;
  payload["iss"] = claims.issuer;
  if (!claims.subject.empty()) payload["sub"] = claims.subject;
  payload["aud"] = claims.audience;
  payload["exp"] = claims.expires_at;
  if (claims.issued_at) payload["iat"] = *claims.issued_at;
  if (claims.not_before) payload["nbf"] = *claims.not_before;
  if (!claims.token_id.empty()) payload["jti"] = claims.token_id;
  if (!claims.tenant_id.empty()) payload["tenant_id"] = claims.tenant_id;
  if (!claims.scope.empty()) payload["scope"] = claims.scope;
  if (!claims.plan.empty()) payload["plan"] = claims.plan;

  std::string token = base64url_encode(boost::json::serialize(header));
  token += '.';
  token += base64url_encode(boost::json::serialize(payload));
  auto signature = es256_signature(key, token);
  if (!signature) return std::move(signature).error();
  token += '.';
  token += base64url_encode(*signature);
  return token;
}

core::Status verify_es256_signature(const VerificationKey& key, std::string_view signing_input,
                                    std::span<const std::uint8_t> signature) {
  if (signature.size() != kSignatureBytes) {
    return unauthenticated("signature must be 64 bytes (R||S)");
  }
  std::span<const std::uint8_t> r = signature.first(kCoordinateBytes);
  std::span<const std::uint8_t> s = signature.last(kCoordinateBytes);
  // Zero is never a valid R or S; refusing it here does not rely on the library to.
  if (all_zero(r) || all_zero(s)) return unauthenticated("signature has a zero R or S");

  // EVP_DigestVerify takes the DER form, so the raw pair is re-encoded.
  EcdsaSignaturePtr pair(ECDSA_SIG_new());
  BignumPtr r_value(BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr));
  BignumPtr s_value(BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr));
  if (!pair || !r_value || !s_value ||
      ECDSA_SIG_set0(pair.get(), r_value.get(), s_value.get()) != 1) {
    return unauthenticated("signature cannot be checked");
  }
  // ECDSA_SIG_set0 took ownership on success.
  static_cast<void>(r_value.release());
  static_cast<void>(s_value.release());
  unsigned char* der = nullptr;
  int der_size = i2d_ECDSA_SIG(pair.get(), &der);
  if (der_size <= 0) return unauthenticated("signature cannot be checked");
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* pointer) { OPENSSL_free(pointer); });

  DigestContextPtr digest(EVP_MD_CTX_new());
  if (!digest ||
      EVP_DigestVerifyInit(digest.get(), nullptr, EVP_sha256(), nullptr, key.impl_->key.get()) !=
          1 ||
      EVP_DigestVerify(digest.get(), der, static_cast<std::size_t>(der_size),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
    return unauthenticated("signature is invalid");
  }
  return {};
}

core::Result<Claims> verify(std::string_view token, std::span<const VerificationKey> keys,
                            const VerifyOptions& options) {
  if (token.size() > kMaxTokenBytes) return unauthenticated("token is too large");
  std::size_t first_dot = token.find('.');
  std::size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return unauthenticated("token must have three segments");
  }
  std::string_view signing_input = token.substr(0, second_dot);
  std::optional<std::string> header_json = base64url_decode(token.substr(0, first_dot));
  std::optional<std::string> payload_json =
      base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  std::optional<std::string> signature = base64url_decode(token.substr(second_dot + 1));
  if (!header_json || !payload_json || !signature) {
    return unauthenticated("token segments must be unpadded base64url");
  }

  auto header = parse_object(*header_json, "header");
  if (!header) return std::move(header).error();
  if (auto status = check_header(*header); !status) return std::move(status).error();
  const boost::json::value* kid = header->if_contains("kid");
  if (kid == nullptr) return unauthenticated("kid is required");
  if (!kid->is_string()) return unauthenticated("kid must be a string");
  auto key = std::find_if(keys.begin(), keys.end(), [&](const VerificationKey& candidate) {
    return candidate.kid() == kid->get_string();
  });
  if (key == keys.end()) return unauthenticated("unknown kid");

  // Claims are parsed only once the signature shows the issuer wrote them.
  if (auto status = verify_es256_signature(*key, signing_input, as_bytes(*signature)); !status) {
    return std::move(status).error();
  }
  auto payload = parse_object(*payload_json, "payload");
  if (!payload) return std::move(payload).error();
  return check_claims(*payload, options);
}

}  // namespace aic::identity
