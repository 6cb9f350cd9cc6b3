// OAuth2 client credentials over real HTTP: service accounts, the token endpoint, JWKS, and
// every way a bearer JWT must fail (OWASP API2: broken authentication).
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

#include "identity/jwt.hpp"
#include "tenant_world.hpp"

namespace aic::test {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string base64(std::string_view text) {
  std::string out = identity::base64url_encode(text);
  for (char& c : out) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  while (out.size() % 4 != 0) out += '=';
  return out;
}

struct OAuthWorld : World {
  std::string client_id, client_secret;

  explicit OAuthWorld(TestServer::Configure configure = {}) : World(std::move(configure)) {
    auto created =
        call("POST", "/v1/service-accounts", owner_a, R"({"name":"ledger sync","role":"admin"})");
    if (!created || created->status != 201) {
      throw std::runtime_error("create service account: " + (created ? created->body : ""));
    }
    auto body = body_of(*created);
    client_id = body["client_id"].as_string();
    client_secret = body["client_secret"].as_string();
  }

  std::optional<RawResponse> token_request(const std::string& form, Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return http_request(server.port(), "POST", "/oauth/token", form, headers);
  }

  std::string access_token(const std::string& scope = "") {
    return access_token_of(client_id, client_secret, scope);
  }

  std::string access_token_of(const std::string& id, const std::string& secret,
                              const std::string& scope = "") {
    std::string form = "grant_type=client_credentials";
    if (!scope.empty()) form += "&scope=" + scope;
    auto response = token_request(form, {{"Authorization", "Basic " + base64(id + ":" + secret)}});
    if (!response || response->status != 200) {
      throw std::runtime_error("token: " + (response ? response->body : ""));
    }
    return std::string(body_of(*response)["access_token"].as_string());
  }

  // The key that signs tokens now, read the way an attacker with the database would.
  identity::SigningKey signing_key() {
    identity::SigningKey key;
    auto status = server.database().transact(store::Access::kReadOnly, [&](store::Transaction& tx) {
      auto rows = tx.execute(
          "SELECT kid, private_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at "
          "DESC LIMIT 1");
      if (!rows) return core::Status(std::move(rows).error());
      key = identity::SigningKey{rows->text(0, 0), rows->text(0, 1)};
      return core::Status();
    });
    if (!status) throw std::runtime_error(status.error().message);
    return key;
  }

  identity::Claims good_claims() {
    identity::Claims claims;
    claims.issuer = "aic";
    claims.audience = "aic-api";
    claims.subject = client_id;
    claims.tenant_id = tenant_a;
    claims.scope = "api_keys:read";
    claims.issued_at = std::time(nullptr);
    claims.expires_at = *claims.issued_at + 600;
    claims.token_id = "tok_test";
    return claims;
  }

  int status_with(const std::string& token) {
    auto response = call("GET", "/v1/api-keys", token);
    return response ? response->status : -1;
  }
};

TEST(OAuth, ClientCredentialsGrantIssuesAWorkingToken) {
  OAuthWorld world;
  EXPECT_TRUE(world.client_id.starts_with("sa_"));
  auto listed = world.call("GET", "/v1/service-accounts", world.owner_a);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(listed->body.find(world.client_secret), std::string::npos);

  // HTTP Basic, as most client libraries send it.
  auto basic = world.token_request(
      "grant_type=client_credentials",
      {{"Authorization", "Basic " + base64(world.client_id + ":" + world.client_secret)}});
  ASSERT_TRUE(basic);
  ASSERT_EQ(basic->status, 200) << basic->body;
  EXPECT_EQ(basic->header("Cache-Control"), "no-store");
  auto body = body_of(*basic);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 900);
  std::string token(body["access_token"].as_string());
  EXPECT_NE(std::string(body["scope"].as_string()).find("api_keys:read"), std::string::npos);
  EXPECT_EQ(world.status_with(token), 200);

  // Credentials in the body work too.
  auto in_body = world.token_request("grant_type=client_credentials&client_id=" + world.client_id +
                                     "&client_secret=" + world.client_secret);
  ASSERT_TRUE(in_body);
  EXPECT_EQ(in_body->status, 200) << in_body->body;

  // A narrower scope grants only that.
  std::string narrow = world.access_token("tenant:read");
  EXPECT_EQ(world.status_with(narrow), 403);

  // The JWK Set publishes the key named in the token's header.
  auto jwks = http_request(world.server.port(), "GET", "/.well-known/jwks.json");
  ASSERT_TRUE(jwks);
  ASSERT_EQ(jwks->status, 200);
  auto header = json::parse(*identity::base64url_decode(token.substr(0, token.find('.'))));
  EXPECT_NE(jwks->body.find(std::string(header.at("kid").as_string())), std::string::npos);

  // Issuing is audited in the tenant's chain.
  world.server.security_events().flush();
  auto events = world.call("GET", "/v1/audit-events?action=token.issued", world.owner_a);
  ASSERT_TRUE(events);
  EXPECT_EQ(body_of(*events)["data"].as_array().size(), 3u);
}

TEST(OAuth, TokenEndpointErrorsFollowRfc6749) {
  OAuthWorld world;
  struct Case {
    std::string form;
    Headers headers;
    int status;
    std::string error;
  };
  std::string basic = "Basic " + base64(world.client_id + ":" + world.client_secret);
  std::string wrong = "Basic " + base64(world.client_id + ":not-the-secret");
  std::vector<Case> cases = {
      {"grant_type=client_credentials", {{"Authorization", wrong}}, 401, "invalid_client"},
      {"grant_type=client_credentials&client_id=sa_0000000000000000&client_secret=x",
       {},
       401,
       "invalid_client"},
      {"grant_type=client_credentials", {}, 401, "invalid_client"},
      {"grant_type=password&username=a&password=b",
       {{"Authorization", basic}},
       400,
       "invalid_request"},
      {"grant_type=authorization_code", {{"Authorization", basic}}, 400, "unsupported_grant_type"},
      {"scope=api_keys:read", {{"Authorization", basic}}, 400, "invalid_request"},
      {"grant_type=client_credentials&scope=tenants:manage",
       {{"Authorization", basic}},
       400,
       "invalid_scope"},
      {"grant_type=client_credentials&client_id=" + world.client_id,
       {{"Authorization", basic}},
       400,
       "invalid_request"},
      {"grant_type=client_credentials", {{"Authorization", "Basic !!!"}}, 401, "invalid_client"},
  };
  for (const auto& c : cases) {
    auto response = world.token_request(c.form, c.headers);
    ASSERT_TRUE(response) << c.form;
    EXPECT_EQ(response->status, c.status) << c.form << " " << response->body;
    EXPECT_EQ(response->header("Content-Type"), "application/problem+json") << c.form;
    EXPECT_EQ(body_of(*response)["error"].as_string(), c.error) << c.form << " " << response->body;
  }
  auto json_body = http_request(world.server.port(), "POST", "/oauth/token",
                                R"({"grant_type":"client_credentials"})",
                                {{"Content-Type", "application/json"}});
  ASSERT_TRUE(json_body);
  EXPECT_EQ(json_body->status, 415);

  // A failed client authentication is a security event on the platform chain.
  world.server.security_events().flush();
  auto failed =
      world.call("GET", "/v1/audit-events?action=authentication.failed", world.operator_key);
  ASSERT_TRUE(failed);
  EXPECT_GE(body_of(*failed)["data"].as_array().size(), 2u);
}

TEST(Owasp_API2_BrokenAuthentication, ForgedExpiredAndMisdirectedTokensAreRefused) {
  OAuthWorld world;
  std::string real = world.access_token();
  ASSERT_EQ(world.status_with(real), 200);
  identity::SigningKey key = world.signing_key();

  auto sign = [&](const identity::Claims& claims) { return *identity::sign_es256(key, claims); };
  // Our own signature over good claims verifies: the cases below fail for their one reason.
  EXPECT_EQ(world.status_with(sign(world.good_claims())), 200);

  auto expired = world.good_claims();
  expired.issued_at = std::time(nullptr) - 1000;
  expired.expires_at = std::time(nullptr) - 120;  // beyond the 60 s leeway
  EXPECT_EQ(world.status_with(sign(expired)), 401);

  auto audience = world.good_claims();
  audience.audience = "someone-else";
  EXPECT_EQ(world.status_with(sign(audience)), 401);

  auto issuer = world.good_claims();
  issuer.issuer = "https://evil.example";
  EXPECT_EQ(world.status_with(sign(issuer)), 401);

  auto too_long = world.good_claims();
  too_long.expires_at = *too_long.issued_at + 7200;
  EXPECT_EQ(world.status_with(sign(too_long)), 401);

  // A key we never published.
  auto foreign = *identity::generate_signing_key(core::system_random());
  foreign.kid = key.kid;
  EXPECT_EQ(world.status_with(*identity::sign_es256(foreign, world.good_claims())), 401);
  auto unknown = *identity::generate_signing_key(core::system_random());
  EXPECT_EQ(world.status_with(*identity::sign_es256(unknown, world.good_claims())), 401);

  // Header tricks: alg none, HS256 keyed with the public JWK Set, a jku pointing elsewhere.
  std::string payload = real.substr(real.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  auto forge = [&](const std::string& header) {
    return identity::base64url_encode(header) + "." + payload + ".";
  };
  EXPECT_EQ(world.status_with(forge(R"({"alg":"none","kid":")" + key.kid + "\"}")), 401);
  std::string hs_input =
      identity::base64url_encode(R"({"alg":"HS256","kid":")" + key.kid + "\"}") + "." + payload;
  auto jwks = http_request(world.server.port(), "GET", "/.well-known/jwks.json")->body;
  unsigned char mac[32];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), jwks.data(), static_cast<int>(jwks.size()),
       reinterpret_cast<const unsigned char*>(hs_input.data()), hs_input.size(), mac, &mac_length);
  std::string hs_token =
      hs_input + "." + identity::base64url_encode(std::span<const std::uint8_t>(mac, mac_length));
  EXPECT_EQ(world.status_with(hs_token), 401);
  std::string signature = real.substr(real.rfind('.') + 1);
  std::string jku = identity::base64url_encode(R"({"alg":"ES256","kid":")" + key.kid +
                                               R"(","jku":"https://evil.example/jwks"})") +
                    "." + payload + "." + signature;
  EXPECT_EQ(world.status_with(jku), 401);

  // A flipped payload byte.
  std::string tampered = real;
  tampered[real.find('.') + 5] = tampered[real.find('.') + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(world.status_with(tampered), 401);

  auto refused = world.call("GET", "/v1/api-keys", tampered);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->header("WWW-Authenticate"), "Bearer realm=\"aic\", error=\"invalid_token\"");
}

TEST(OAuth, RotatedSigningKeysKeepOldTokensValid) {
  OAuthWorld world;
  std::string before = world.access_token();
  std::string old_kid = world.signing_key().kid;
  auto rotated = world.server.tokens().rotate_signing_key({});
  ASSERT_TRUE(rotated);
  EXPECT_NE(*rotated, old_kid);
  std::string after = world.access_token();
  EXPECT_EQ(world.status_with(before), 200);
  EXPECT_EQ(world.status_with(after), 200);
  auto jwks = http_request(world.server.port(), "GET", "/.well-known/jwks.json");
  ASSERT_TRUE(jwks);
  EXPECT_NE(jwks->body.find(old_kid), std::string::npos);
  EXPECT_NE(jwks->body.find(*rotated), std::string::npos);
}

TEST(OAuth, DisabledServiceAccountsGetNoTokens) {
  OAuthWorld world;
  auto disabled = world.call("DELETE", "/v1/service-accounts/" + world.client_id, world.owner_a);
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_FALSE(body_of(*disabled)["disabled_at"].is_null());
  auto response = world.token_request(
      "grant_type=client_credentials",
      {{"Authorization", "Basic " + base64(world.client_id + ":" + world.client_secret)}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  // Another tenant cannot see or disable it.
  EXPECT_EQ(world.call("GET", "/v1/service-accounts/" + world.client_id, world.owner_b)->status,
            404);
  // A viewer cannot create one with more power than it holds.
  auto viewer = world.create_key(world.owner_a, "viewer").second;
  EXPECT_EQ(
      world.call("POST", "/v1/service-accounts", viewer, R"({"name":"x","role":"admin"})")->status,
      403);
}

// The owner's user id and the id of the key tenant creation issued to them.
std::pair<std::string, std::string> owner_ids(World& world) {
  std::pair<std::string, std::string> ids;
  auto users = body_of(*world.call("GET", "/v1/users", world.owner_a));
  for (auto& item : users["data"].as_array()) {
    if (item.at("role") == "owner") ids.first = item.at("id").as_string();
  }
  auto keys = body_of(*world.call("GET", "/v1/api-keys", world.owner_a));
  for (auto& item : keys["data"].as_array()) {
    if (item.at("role") == "owner") ids.second = item.at("id").as_string();
  }
  return ids;
}

TEST(Owasp_API5_FunctionLevelAuthorization, AnAdminCannotTakeOverOrCutOffAnOwner) {
  OAuthWorld world;  // its service account is an admin
  const std::string admin = world.access_token();
  auto [owner_user, owner_key] = owner_ids(world);
  ASSERT_FALSE(owner_user.empty());
  ASSERT_FALSE(owner_key.empty());
  auto [owners_viewer_key, owners_viewer_token] = world.create_key(world.owner_a, "viewer");

  struct Attempt {
    std::string method, target, body;
  };
  for (const auto& attempt : std::vector<Attempt>{
           // Rotating the owner's key would hand the admin a working owner credential.
           {"POST", "/v1/api-keys/" + owner_key + "/rotate", ""},
           {"DELETE", "/v1/api-keys/" + owner_key, ""},
           // Even the owner's weak keys: they belong to someone the admin may not manage.
           {"DELETE", "/v1/api-keys/" + owners_viewer_key, ""},
           {"PATCH", "/v1/users/" + owner_user, R"({"password":"correct horse battery staple"})"},
           {"PATCH", "/v1/users/" + owner_user, R"({"role":"viewer"})"},
           {"DELETE", "/v1/users/" + owner_user, ""}}) {
    auto response = world.call(attempt.method, attempt.target, admin, attempt.body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 403)
        << attempt.method << " " << attempt.target << " " << response->body;
  }
  // Nothing changed: the owner's keys still work and nothing was rotated.
  EXPECT_EQ(world.call("GET", "/v1/api-keys", world.owner_a)->status, 200);
  // (A viewer may not list keys: 403, not 401, shows the key itself still works.)
  EXPECT_EQ(world.call("GET", "/v1/api-keys", owners_viewer_token)->status, 403);
  auto key = world.call("GET", "/v1/api-keys/" + owner_key, world.owner_a);
  EXPECT_TRUE(body_of(*key)["replaced_by"].is_null());
  // Each refusal is in the audit log.
  auto denied =
      world.call("GET", "/v1/audit-events?outcome=denied&target_id=" + owner_key, world.owner_a);
  ASSERT_TRUE(denied);
  EXPECT_EQ(body_of(*denied)["data"].as_array().size(), 2u) << denied->body;

  // An admin still manages what is no stronger than itself: another admin's viewer key.
  auto second = world.call("POST", "/v1/service-accounts", world.owner_a,
                           R"({"name":"second","role":"admin"})");
  ASSERT_EQ(second->status, 201);
  const std::string second_id(body_of(*second)["client_id"].as_string());
  const std::string second_admin =
      world.access_token_of(second_id, std::string(body_of(*second)["client_secret"].as_string()));
  auto their_key = world.create_key(second_admin, "viewer").first;
  auto rotated = world.call("POST", "/v1/api-keys/" + their_key + "/rotate", admin, "");
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->status, 201) << rotated->body;
  EXPECT_EQ(world.call("DELETE", "/v1/service-accounts/" + second_id, admin)->status, 200);
}

TEST(Owasp_API5_FunctionLevelAuthorization, AWeakerKeyCannotRotateItsWayToAStrongerOne) {
  World world;
  // Both keys belong to the owner's user; one carries only admin permissions.
  auto [admin_key_id, admin_token] = world.create_key(world.owner_a, "admin");
  auto [viewer_key_id, viewer_token] = world.create_key(world.owner_a, "viewer");
  auto [owner_user, owner_key] = owner_ids(world);
  auto escalation = world.call("POST", "/v1/api-keys/" + owner_key + "/rotate", admin_token,
                               R"({"grace_period_seconds":3600})");
  ASSERT_TRUE(escalation);
  EXPECT_EQ(escalation->status, 403) << escalation->body;
  auto password = world.call("PATCH", "/v1/users/" + owner_user, admin_token,
                             R"({"password":"correct horse battery staple"})");
  ASSERT_TRUE(password);
  EXPECT_EQ(password->status, 403) << password->body;
  // Its own user's keys no stronger than itself it may rotate and revoke.
  auto rotated = world.call("POST", "/v1/api-keys/" + viewer_key_id + "/rotate", admin_token, "");
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->status, 201) << rotated->body;
  EXPECT_EQ(world.call("DELETE", "/v1/api-keys/" + admin_key_id, admin_token)->status, 200);
  EXPECT_EQ(world.call("GET", "/v1/api-keys", admin_token)->status, 401);
}

TEST(OAuth, DisablingAServiceAccountStopsItsApiKeys) {
  OAuthWorld world(
      [](core::Config& config) { config.auth.credential_cache_ttl = std::chrono::minutes(5); });
  auto [key_id, token] = world.create_key(world.access_token(), "admin");
  EXPECT_EQ(world.call("GET", "/v1/api-keys", token)->status, 200);  // and now cached
  auto disabled = world.call("DELETE", "/v1/service-accounts/" + world.client_id, world.owner_a);
  ASSERT_TRUE(disabled);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_EQ(world.call("GET", "/v1/api-keys", token)->status, 401);
  auto key = world.call("GET", "/v1/api-keys/" + key_id, world.owner_a);
  EXPECT_FALSE(body_of(*key)["revoked_at"].is_null());
}

TEST(OAuth, SigningKeysAreSealedWithTheMasterKey) {
  World world([](core::Config& config) {
    config.auth.master_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  });
  auto created = world.call("POST", "/v1/service-accounts", world.owner_a,
                            R"({"name":"sealed","role":"viewer"})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201);
  auto body = body_of(*created);
  std::string basic = "Basic " + base64(std::string(body["client_id"].as_string()) + ":" +
                                        std::string(body["client_secret"].as_string()));
  auto token = http_request(
      world.server.port(), "POST", "/oauth/token", "grant_type=client_credentials",
      {{"Authorization", basic}, {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(token);
  ASSERT_EQ(token->status, 200) << token->body;
  std::string access(body_of(*token)["access_token"].as_string());
  EXPECT_EQ(world.call("GET", "/v1/audit-events", access)->status, 403);  // viewer: authenticated

  std::string stored;
  auto read =
      world.server.database().transact(store::Access::kReadOnly, [&](store::Transaction& tx) {
        auto rows = tx.execute("SELECT private_pem FROM signing_keys");
        if (!rows) return core::Status(std::move(rows).error());
        stored = rows->text(0, 0);
        return core::Status();
      });
  ASSERT_TRUE(read);
  EXPECT_TRUE(stored.starts_with("aes256gcm:v1:")) << stored.substr(0, 40);
  EXPECT_EQ(stored.find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace aic::test
