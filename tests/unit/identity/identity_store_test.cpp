// The identity store on SQLite and PostgreSQL: tenant creation, authentication of every
// kind of bad key, and tenant scoping of API keys.
#include "identity/identity_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "identity/api_keys.hpp"
#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::identity {
namespace {

using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

class IdentityStoreTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(ok(store::apply_migrations(db(), store::builtin_migrations())));
    audit_ = std::make_unique<audit::AuditLog>(db(), core::system_random());
    events_ = std::make_unique<events::EventLog>(db(), core::system_random());
    identities_ = std::make_unique<IdentityStore>(db(), core::system_random(), *audit_, *events_);
  }
  void TearDown() override {
    identities_.reset();
    events_.reset();
    audit_.reset();
    BackendTest::TearDown();
  }
  IdentityStore& identities() { return *identities_; }
  audit::AuditLog& audit() { return *audit_; }
  events::EventLog& events() { return *events_; }

  static core::Principal platform_operator() {
    core::Principal principal;
    principal.kind = core::Principal::Kind::kOperator;
    principal.id = "operator";
    principal.role = "platform_operator";
    return principal;
  }
  static inline const audit::Origin kOrigin{"192.0.2.1", "identity-test", "req-1"};

  CreatedTenant tenant(const std::string& name) {
    auto created = identities().create_tenant(
        platform_operator(), {.name = name, .owner_email = "o@x.example"}, kOrigin);
    EXPECT_TRUE(ok(created));
    return *created;
  }

 private:
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<events::EventLog> events_;
  std::unique_ptr<IdentityStore> identities_;
};

TEST_P(IdentityStoreTest, CreatesTenantsWithUniqueSlugs) {
  CreatedTenant created = tenant("Alpha Bank & Co.");
  EXPECT_EQ(created.tenant.slug, "alpha-bank-co");
  EXPECT_TRUE(created.tenant.id.starts_with("ten_"));
  EXPECT_TRUE(is_utc_timestamp(created.tenant.created_at));
  auto duplicate = identities().create_tenant(
      platform_operator(), {.name = "alpha bank co", .owner_email = "p@x.example"}, kOrigin);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(duplicate.error().field, "/slug");
  auto listed = identities().list_tenants();
  ASSERT_TRUE(ok(listed));
  EXPECT_EQ(listed->items.size(), 1u);
  auto fetched = identities().get_tenant(created.tenant.id);
  ASSERT_TRUE(ok(fetched));
  EXPECT_EQ(fetched->name, "Alpha Bank & Co.");
  EXPECT_EQ(identities().get_tenant("ten_nope").error().code, core::ErrorCode::kNotFound);
}

TEST_P(IdentityStoreTest, AuthenticatesOnlyGoodKeys) {
  CreatedTenant created = tenant("Alpha");
  auto principal = identities().authenticate(created.owner_key.token);
  ASSERT_TRUE(ok(principal));
  EXPECT_EQ(principal->tenant_id, created.tenant.id);
  EXPECT_EQ(principal->id, created.owner_user_id);
  EXPECT_EQ(principal->role, "owner");
  EXPECT_TRUE(principal->has("api_keys:manage"));
  EXPECT_FALSE(principal->has("tenants:manage"));

  std::string token = created.owner_key.token;
  std::string wrong_secret = token.substr(0, token.size() - 1) + (token.back() == 'A' ? "B" : "A");
  for (const std::string& bad :
       {std::string("garbage"), wrong_secret, generate_api_key(core::system_random()).token()}) {
    auto result = identities().authenticate(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, core::ErrorCode::kUnauthenticated) << bad;
  }

  auto revoked = identities().revoke_api_key(*principal, created.owner_key.key.id, kOrigin);
  ASSERT_TRUE(ok(revoked));
  EXPECT_TRUE(revoked->revoked_at);
  auto after = identities().authenticate(token);
  ASSERT_FALSE(after);
  EXPECT_NE(after.error().message.find("revoked"), std::string::npos);
}

// With a credential cache, a key revoked by another replica (straight in the database, no
// invalidation here) stops working once the entry is older than the ttl: the slow path
// reloads it instead of answering from an entry in its grace second.
TEST_P(IdentityStoreTest, AStaleCacheEntryIsReloadedNotReused) {
  IdentityStore cached(db(), core::system_random(), audit(), events(),
                       std::chrono::milliseconds(200));
  CreatedTenant created = tenant("Alpha");
  const std::string& token = created.owner_key.token;
  ASSERT_TRUE(ok(cached.authenticate(token)));
  EXPECT_TRUE(cached.is_cached(token));
  auto revoked =
      db().transact(store::Access::kReadWrite, [&](store::Transaction& tx) -> core::Status {
        auto updated =
            tx.execute("UPDATE api_keys SET revoked_at = $1 WHERE id = $2",
                       {std::string("2026-01-01T00:00:00.000Z"), created.owner_key.key.id});
        if (!updated) return std::move(updated).error();
        return {};
      });
  ASSERT_TRUE(ok(revoked));
  EXPECT_TRUE(ok(cached.authenticate(token)));  // fresh: the cache answers
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(cached.is_cached(token));
  auto after = cached.authenticate(token);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_P(IdentityStoreTest, ServiceAccountKeysAreNoStrongerThanTheirAccountAndStopWithIt) {
  CreatedTenant created = tenant("Alpha");
  auto owner = identities().authenticate(created.owner_key.token);
  ASSERT_TRUE(ok(owner));
  auto account = identities().create_service_account(*owner, {"sync", "admin"}, kOrigin);
  ASSERT_TRUE(ok(account));
  auto client = identities().authenticate_client(account->account.id, account->client_secret);
  ASSERT_TRUE(ok(client));
  core::Principal admin;
  admin.kind = core::Principal::Kind::kServiceAccount;
  admin.id = client->account.id;
  admin.tenant_id = client->account.tenant_id;
  admin.role = client->account.role;
  admin.permissions = client->permissions;

  auto key = identities().create_api_key(admin, {.name = "k", .role = "viewer"}, kOrigin);
  ASSERT_TRUE(ok(key));
  auto as_key = identities().authenticate(key->token);
  ASSERT_TRUE(ok(as_key));
  EXPECT_EQ(as_key->kind, core::Principal::Kind::kServiceAccount);

  // The admin may not rotate (take over) or revoke the owner's key.
  auto rotated =
      identities().rotate_api_key(admin, created.owner_key.key.id, std::chrono::hours(1), kOrigin);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, core::ErrorCode::kPermissionDenied);
  auto revoked = identities().revoke_api_key(admin, created.owner_key.key.id, kOrigin);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_TRUE(ok(identities().authenticate(created.owner_key.token)));

  ASSERT_TRUE(ok(identities().disable_service_account(*owner, account->account.id, kOrigin)));
  auto after = identities().authenticate(key->token);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, core::ErrorCode::kUnauthenticated);
}

TEST_P(IdentityStoreTest, TwoOwnersDemotingEachOtherAtOnceLeaveAnOwner) {
  CreatedTenant created = tenant("Alpha");
  auto first = identities().authenticate(created.owner_key.token);
  ASSERT_TRUE(ok(first));
  auto second_user =
      identities().create_user(*first, {.email = "b@x.example", .role = "owner"}, kOrigin);
  ASSERT_TRUE(ok(second_user));
  core::Principal second = *first;
  second.id = second_user->id;
  const std::string first_id = first->id;
  const std::string second_id = second.id;

  for (int round = 0; round < 20; ++round) {
    std::optional<core::Result<User>> a, b;
    std::thread one(
        [&] { a = identities().update_user(*first, second_id, {.role = "viewer"}, kOrigin); });
    std::thread two(
        [&] { b = identities().update_user(second, first_id, {.role = "viewer"}, kOrigin); });
    one.join();
    two.join();
    auto owners = identities().list_users(*first);
    ASSERT_TRUE(ok(owners));
    int count = 0;
    for (const auto& user : owners->items) count += user.role == "owner" && !user.disabled_at;
    ASSERT_EQ(count, 1) << "round " << round;
    EXPECT_NE(a->has_value(), b->has_value()) << "round " << round;
    // Make both owners again for the next round.
    const std::string& demoted = *a ? second_id : first_id;
    const core::Principal& survivor = *a ? *first : second;
    ASSERT_TRUE(ok(identities().update_user(survivor, demoted, {.role = "owner"}, kOrigin)));
  }
}

TEST_P(IdentityStoreTest, AKeyIsRotatedOnce) {
  CreatedTenant created = tenant("Alpha");
  auto owner = identities().authenticate(created.owner_key.token);
  ASSERT_TRUE(ok(owner));
  auto first =
      identities().rotate_api_key(*owner, created.owner_key.key.id, std::chrono::hours(1), kOrigin);
  ASSERT_TRUE(ok(first));
  auto second =
      identities().rotate_api_key(*owner, created.owner_key.key.id, std::chrono::hours(1), kOrigin);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::ErrorCode::kConflict);
}

TEST_P(IdentityStoreTest, KeysAreScopedToTheActorsTenant) {
  CreatedTenant a = tenant("Alpha");
  CreatedTenant b = tenant("Beta");
  auto owner_a = *identities().authenticate(a.owner_key.token);
  auto owner_b = *identities().authenticate(b.owner_key.token);
  auto issued =
      identities().create_api_key(owner_a, {.name = "reporting", .role = "viewer"}, kOrigin);
  ASSERT_TRUE(ok(issued));
  EXPECT_EQ(identities().list_api_keys(owner_a)->items.size(), 2u);
  EXPECT_EQ(identities().list_api_keys(owner_b)->items.size(), 1u);
  EXPECT_EQ(identities().get_api_key(owner_b, issued->key.id).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(identities().revoke_api_key(owner_b, issued->key.id, kOrigin).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_FALSE(identities().get_api_key(owner_a, issued->key.id)->revoked_at);

  auto viewer = *identities().authenticate(issued->token);
  auto escalate = identities().create_api_key(viewer, {.name = "x", .role = "admin"}, kOrigin);
  ASSERT_FALSE(escalate);
  EXPECT_EQ(escalate.error().code, core::ErrorCode::kPermissionDenied);
  auto past = identities().create_api_key(
      owner_a, {.name = "x", .role = "viewer", .expires_at = "2001-01-01T00:00:00Z"}, kOrigin);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().field, "/expires_at");
}

TEST_P(IdentityStoreTest, OperatorBootstrapAndScope) {
  auto first = identities().bootstrap_operator(false, kOrigin);
  ASSERT_TRUE(ok(first));
  EXPECT_EQ(identities().bootstrap_operator(false, kOrigin).error().code,
            core::ErrorCode::kConflict);
  auto operator_principal = identities().authenticate(first->token);
  ASSERT_TRUE(ok(operator_principal));
  EXPECT_TRUE(operator_principal->is_operator());
  EXPECT_TRUE(operator_principal->tenant_id.empty());
  EXPECT_TRUE(operator_principal->has("tenants:manage"));
  // The operator has no tenant, so tenant-scoped calls refuse rather than see everything.
  EXPECT_EQ(identities().list_api_keys(*operator_principal).error().code,
            core::ErrorCode::kPermissionDenied);
}

TEST_P(IdentityStoreTest, ListsPageInCreationOrder) {
  CreatedTenant a = tenant("Alpha");
  auto owner = *identities().authenticate(a.owner_key.token);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(ok(identities().create_api_key(
        owner, {.name = "key " + std::to_string(i), .role = "viewer"}, kOrigin)));
  }
  std::vector<std::string> seen;
  PageRequest page{.limit = 2};
  for (int round = 0; round < 20; ++round) {
    auto listed = identities().list_api_keys(owner, page);
    ASSERT_TRUE(ok(listed));
    for (const auto& key : listed->items) seen.push_back(key.id);
    if (!listed->more) break;
    page.after.emplace(listed->items.back().created_at, listed->items.back().id);
  }
  ASSERT_EQ(seen.size(), 5u);  // the owner key and four more, each once
  std::vector<std::string> unique = seen;
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end());
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::identity
