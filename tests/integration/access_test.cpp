// Rate limits, key rotation and the credential cache over real HTTP.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <thread>

#include "tenant_world.hpp"

namespace aic::test {
namespace {

// Calls GET /v1/api-keys with `token` until the first 429; returns how many were allowed.
int calls_until_limited(World& world, const std::string& token, RawResponse& limited) {
  for (int i = 0; i < 100; ++i) {
    auto response = world.call("GET", "/v1/api-keys", token);
    if (!response) return -1;
    if (response->status == 429) {
      limited = *response;
      return i;
    }
    EXPECT_EQ(response->status, 200) << response->body;
  }
  return 100;
}

TEST(Owasp_API4_UnrestrictedResourceConsumption, TenantAndKeyLimitsAnswer429WithHeaders) {
  World world([](core::Config& config) { config.rate_limits.standard = 8; });
  // One request of the tenant's 8: creating a key limited to 2 per minute.
  auto created = world.call("POST", "/v1/api-keys", world.owner_a,
                            R"({"name":"batch","role":"admin","rate_limit_per_minute":2})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->header("RateLimit-Policy"), "\"tenant\";q=8;w=60");
  EXPECT_EQ(created->header("RateLimit"), "\"tenant\";r=7;t=8");
  auto body = body_of(*created);
  EXPECT_EQ(body["rate_limit_per_minute"], 2);
  std::string limited_key(body["token"].as_string());

  // The key's own limit: 2 calls, then 429 naming both policies.
  RawResponse limited;
  EXPECT_EQ(calls_until_limited(world, limited_key, limited), 2);
  EXPECT_EQ(limited.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(body_of(limited)["type"], "urn:aic:problem:quota-exceeded");
  ASSERT_TRUE(limited.header("Retry-After"));
  EXPECT_GE(std::stoi(*limited.header("Retry-After")), 1);
  EXPECT_EQ(limited.header("RateLimit-Policy"), "\"key\";q=2;w=60");
  ASSERT_TRUE(limited.header("RateLimit"));
  EXPECT_TRUE(limited.header("RateLimit")->starts_with("\"key\";r=0;"))
      << *limited.header("RateLimit");

  // The tenant's budget: 8 − 1 (create) − 2 (the key's calls) = 5 left for the owner.
  EXPECT_EQ(calls_until_limited(world, world.owner_a, limited), 5);
  EXPECT_EQ(body_of(limited)["type"], "urn:aic:problem:quota-exceeded");
  EXPECT_TRUE(limited.header("RateLimit")->starts_with("\"tenant\";r=0;"));

  // Another tenant is not affected, and public routes are not limited.
  auto other = world.call("GET", "/v1/api-keys", world.owner_b);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->header("RateLimit"), "\"tenant\";r=7;t=8");
  auto health = http_request(world.server.port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_FALSE(health->header("RateLimit"));

  // Bad per-key limits name the field.
  auto bad = world.call("POST", "/v1/api-keys", world.owner_b,
                        R"({"name":"x","role":"viewer","rate_limit_per_minute":0})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(problem_field(*bad), "/rate_limit_per_minute");
  auto wrong_type = world.call("POST", "/v1/api-keys", world.owner_b,
                               R"({"name":"x","role":"viewer","rate_limit_per_minute":"ten"})");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_EQ(problem_field(*wrong_type), "/rate_limit_per_minute");
}

TEST(Owasp_API4_UnrestrictedResourceConsumption, FailedAuthenticationsAreThrottledPerAddress) {
  World world([](core::Config& config) { config.rate_limits.failed_authentications = 3; });
  // The operator's key was verified while the world was built: it is in the cache.
  for (int i = 0; i < 3; ++i) {
    auto guess = world.call("GET", "/v1/api-keys", "aic_live_nosuchkey_" + std::to_string(i));
    ASSERT_TRUE(guess);
    EXPECT_EQ(guess->status, 401);
  }
  auto throttled = world.call("GET", "/v1/api-keys", "aic_live_nosuchkey_4");
  ASSERT_TRUE(throttled);
  EXPECT_EQ(throttled->status, 429) << throttled->body;
  EXPECT_EQ(body_of(*throttled)["header"], "Authorization");
  EXPECT_TRUE(throttled->header("Retry-After"));
  // A credential not verified recently is not even looked up; one in the cache still works.
  EXPECT_EQ(world.call("GET", "/v1/api-keys", world.owner_a)->status, 429);
  EXPECT_EQ(world.call("GET", "/v1/tenants", world.operator_key)->status, 200);
  // The token endpoint shares the budget.
  auto token = http_request(world.server.port(), "POST", "/oauth/token",
                            "grant_type=client_credentials&client_id=sa_x&client_secret=y",
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 429) << token->body;
}

TEST(ApiKeys, RotationKeepsTheOldKeyWorkingForTheGracePeriod) {
  World world;
  auto [old_id, old_token] = world.create_key(world.owner_a, "analyst");
  auto rotated = world.call("POST", "/v1/api-keys/" + old_id + "/rotate", world.owner_a,
                            R"({"grace_period_seconds":3600})");
  ASSERT_TRUE(rotated);
  ASSERT_EQ(rotated->status, 201) << rotated->body;
  auto body = body_of(*rotated);
  EXPECT_EQ(body["rotated_from"].as_string(), old_id);
  EXPECT_EQ(body["role"], "analyst");
  std::string new_id(body["id"].as_string());
  std::string new_token(body["token"].as_string());
  EXPECT_NE(new_id, old_id);

  // Both authenticate during the grace period: an analyst may not list keys, so 403 (not
  // 401) shows the credential itself was accepted.
  EXPECT_EQ(world.call("GET", "/v1/api-keys", new_token)->status, 403);
  EXPECT_EQ(world.call("GET", "/v1/api-keys", old_token)->status, 403);
  auto old_key = world.call("GET", "/v1/api-keys/" + old_id, world.owner_a);
  ASSERT_TRUE(old_key);
  auto old_body = body_of(*old_key);
  EXPECT_EQ(old_body["replaced_by"].as_string(), new_id);
  EXPECT_FALSE(old_body["expires_at"].is_null());

  // A key is rotated once; the rotation chain continues from the new key.
  auto again = world.call("POST", "/v1/api-keys/" + old_id + "/rotate", world.owner_a, "");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;

  // No grace: the old key stops at once.
  auto immediate = world.call("POST", "/v1/api-keys/" + new_id + "/rotate", world.owner_a,
                              R"({"grace_period_seconds":0})");
  ASSERT_TRUE(immediate);
  ASSERT_EQ(immediate->status, 201) << immediate->body;
  EXPECT_EQ(world.call("GET", "/v1/api-keys", new_token)->status, 401);

  auto too_long = world.call("POST", "/v1/api-keys/" + old_id + "/rotate", world.owner_a,
                             R"({"grace_period_seconds":99999999})");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 400);
  EXPECT_EQ(problem_field(*too_long), "/grace_period_seconds");
}

TEST(ApiKeys, CachedKeysAreStillCheckedAndRevocationIsImmediate) {
  World world(
      [](core::Config& config) { config.auth.credential_cache_ttl = std::chrono::minutes(5); });
  auto [key_id, token] = world.create_key(world.owner_a, "admin");
  EXPECT_EQ(world.call("GET", "/v1/api-keys", token)->status, 200);  // now cached
  EXPECT_EQ(world.call("GET", "/v1/api-keys", token)->status, 200);  // from the cache
  std::string forged = token.substr(0, token.size() - 1) + (token.ends_with("A") ? "B" : "A");
  EXPECT_EQ(world.call("GET", "/v1/api-keys", forged)->status, 401);

  auto used = world.call("GET", "/v1/api-keys/" + key_id, world.owner_a);
  ASSERT_TRUE(used);
  EXPECT_FALSE(body_of(*used)["last_used_at"].is_null());

  ASSERT_EQ(world.call("DELETE", "/v1/api-keys/" + key_id, world.owner_a)->status, 200);
  auto revoked = world.call("GET", "/v1/api-keys", token);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 401);
}

TEST(ApiKeys, ListsPageWithOpaqueCursors) {
  World world;
  for (int i = 0; i < 4; ++i) world.create_key(world.owner_a, "viewer");
  std::vector<std::string> ids;
  std::string target = "/v1/api-keys?limit=2";
  for (int page = 0; page < 10; ++page) {
    auto response = world.call("GET", target, world.owner_a);
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << response->body;
    auto body = body_of(*response);
    for (auto& item : body["data"].as_array()) ids.emplace_back(item.at("id").as_string());
    if (body["next_cursor"].is_null()) break;
    target = "/v1/api-keys?limit=2&cursor=" + std::string(body["next_cursor"].as_string());
  }
  EXPECT_EQ(ids.size(), 5u);
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"limit=0", "limit"},
                                                        {"limit=500", "limit"},
                                                        {"cursor=bm9wZQ", "cursor"},
                                                        {"sort=name", "sort"}}) {
    auto response = world.call("GET", "/v1/api-keys?" + query, world.owner_a);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << query;
    EXPECT_EQ(problem_field(*response), field) << query;
  }
}

TEST(Idempotency, RetriesReplayTheFirstAnswerAndMismatchesAreRefused) {
  World world;
  auto post = [&](const std::string& body, const std::string& key) {
    Headers headers = bearer(world.owner_a, true);
    headers.emplace_back("Idempotency-Key", key);
    return http_request(world.server.port(), "POST", "/v1/api-keys", body, headers);
  };
  const std::string body = R"({"name":"nightly export","role":"viewer"})";
  auto first = post(body, "export-2026-11-22");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  EXPECT_FALSE(first->header("Idempotent-Replayed"));
  auto again = post(body, "export-2026-11-22");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201);
  EXPECT_EQ(again->header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again->body, first->body);  // the same key and token, not a second key

  auto keys = world.call("GET", "/v1/api-keys", world.owner_a);
  EXPECT_EQ(body_of(*keys)["data"].as_array().size(), 2u);  // owner key + one

  auto different = post(R"({"name":"something else","role":"viewer"})", "export-2026-11-22");
  ASSERT_TRUE(different);
  EXPECT_EQ(different->status, 422);
  EXPECT_EQ(body_of(*different)["type"], "urn:aic:problem:idempotency-key-reused");
  EXPECT_EQ(body_of(*different)["header"], "Idempotency-Key");

  // Errors the client caused are kept too: the retry gets the same 400.
  auto bad = post(R"({"name":"x","role":"no-such-role"})", "bad-role");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto bad_again = post(R"({"name":"x","role":"no-such-role"})", "bad-role");
  ASSERT_TRUE(bad_again);
  EXPECT_EQ(bad_again->header("Idempotent-Replayed"), "true");

  // Another tenant's identical key is its own.
  Headers other = bearer(world.owner_b, true);
  other.emplace_back("Idempotency-Key", "export-2026-11-22");
  auto tenant_b = http_request(world.server.port(), "POST", "/v1/api-keys", body, other);
  ASSERT_TRUE(tenant_b);
  EXPECT_EQ(tenant_b->status, 201);
  EXPECT_FALSE(tenant_b->header("Idempotent-Replayed"));

  auto invalid = post(body, std::string(300, 'k'));
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_EQ(body_of(*invalid)["header"], "Idempotency-Key");
}

// The kept answer to a key's creation holds its token: it must not lie in the database in
// plain text, nor be handed to a weaker credential of the same user.
TEST(Idempotency, KeptAnswersAreSealedAndBelongToTheCredential) {
  World world;
  const std::string body = R"({"name":"nightly export","role":"viewer"})";
  auto post = [&](const std::string& token) {
    Headers headers = bearer(token, true);
    headers.emplace_back("Idempotency-Key", "export-1");
    return http_request(world.server.port(), "POST", "/v1/api-keys", body, headers);
  };
  auto first = post(world.owner_a);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  const std::string token(body_of(*first)["token"].as_string());

  std::string stored;
  auto read =
      world.server.database().transact(store::Access::kReadOnly, [&](store::Transaction& tx) {
        auto rows = tx.execute("SELECT body FROM idempotency_keys");
        if (!rows) return core::Status(std::move(rows).error());
        stored = rows->text(0, 0);
        return core::Status();
      });
  ASSERT_TRUE(read);
  EXPECT_TRUE(stored.starts_with("aes256gcm:v1:")) << stored.substr(0, 40);
  EXPECT_EQ(stored.find(token.substr(token.size() - 20)), std::string::npos);

  // The owner's admin-only key sends the same key and body: its own request, not a replay.
  auto admin = world.create_key(world.owner_a, "admin").second;
  auto weaker = post(admin);
  ASSERT_TRUE(weaker);
  EXPECT_EQ(weaker->status, 201) << weaker->body;
  EXPECT_FALSE(weaker->header("Idempotent-Replayed"));
  EXPECT_EQ(weaker->body.find(token), std::string::npos);

  // An answer this process cannot open (kept by another one, or altered) is not replayed and
  // the request does not run twice.
  auto altered =
      world.server.database().transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
        auto rows = tx.execute("UPDATE idempotency_keys SET body = 'aes256gcm:v1:00'");
        if (!rows) return core::Status(std::move(rows).error());
        return core::Status();
      });
  ASSERT_TRUE(altered);
  auto retry = post(world.owner_a);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 409) << retry->body;
  EXPECT_EQ(body_of(*retry)["header"], "Idempotency-Key");
  auto keys = world.call("GET", "/v1/api-keys", world.owner_a);
  EXPECT_EQ(body_of(*keys)["data"].as_array().size(), 4u);  // owner, first, admin, weaker's
}

TEST(Owasp_API4_UnrestrictedResourceConsumption, ConcurrencyCapsRefuseTheRequestOverTheCap) {
  std::atomic<int> entered{0};
  std::atomic<bool> release{false};
  TestServer::AddRoutes slow_route = [&](http::Router& router, TestServer& server) {
    // Holds its request until the test releases it: a stand-in for an expensive export.
    auto slow = [&](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
      entered.fetch_add(1);
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      while (!release.load()) {
        timer.expires_after(std::chrono::milliseconds(2));
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
      co_return http::Response::json(200, "{}");
    };
    router.add(http::Method::kGet, "/test/slow", server.caps().wrap("slow", 1, slow),
               http::RouteOptions{.permission = "tenant:read"});
  };
  TestServer server({}, slow_route);
  auto operator_key = server.identities().bootstrap_operator(false, {})->token;
  core::Principal operator_principal = *server.identities().authenticate(operator_key);
  auto tenant = server.identities().create_tenant(
      operator_principal, {.name = "Capped", .owner_email = "o@capped.example"}, {});
  ASSERT_TRUE(tenant);
  Headers auth{{"Authorization", "Bearer " + tenant->owner_key.token}};

  std::optional<RawResponse> first;
  std::thread holder([&] { first = http_request(server.port(), "GET", "/test/slow", "", auth); });
  for (int i = 0; i < 10000 && entered.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(entered.load(), 1);
  auto second = http_request(server.port(), "GET", "/test/slow", "", auth);
  release = true;
  holder.join();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429);
  EXPECT_EQ(second->header("Retry-After"), "1");
  EXPECT_EQ(body_of(*second)["type"], "urn:aic:problem:quota-exceeded");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  // The permit was returned with the first answer.
  auto third = http_request(server.port(), "GET", "/test/slow", "", auth);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 200);
}

}  // namespace
}  // namespace aic::test
