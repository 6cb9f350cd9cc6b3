// A tenant's own providers and routes in the database, on SQLite and PostgreSQL: every table
// is checked against the operator's catalogue before it is stored, keys are sealed and never
// returned, the extended catalogue routes to them, and tenants never see each other's.
#include "ai/tenant_catalog.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::ai {
namespace {

namespace json = boost::json;
using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

// The operator's catalogue: one provider with a chat model "gpt-op".
std::shared_ptr<const Catalog> operator_catalog() {
  core::AiConfig config;
  config.catalog_json =
      R"({"providers":[{"name":"op","kind":"openai","base_url":"https://op.example/v1","api_key":"sk-op"}],
                            "models":[{"name":"gpt-op","provider":"op","input_price":1.0}]})";
  std::vector<core::ConfigIssue> issues;
  auto catalog = std::make_shared<const Catalog>(Catalog::load(
      config, [](std::string_view) { return std::optional<std::string>(); }, issues));
  EXPECT_TRUE(issues.empty());
  return catalog;
}

constexpr std::string_view kProvider = R"({"name":"mine","kind":"anthropic",
  "base_url":"https://llm.example.com/v1","api_key":"sk-tenant-secret",
  "models":[{"name":"claude-mine","upstream_model":"claude-x","aliases":["cm"],"output_price":3}]})";

class TenantCatalogTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(ok(store::apply_migrations(db(), store::builtin_migrations())));
    for (const char* tenant : {"ten_a", "ten_b"}) {
      ASSERT_TRUE(
          ok(store::testing::write(db(),
                                   "INSERT INTO tenants (id, slug, name, plan, created_at) "
                                   "VALUES ($1, $1, $1, 'standard', '2026-01-01T00:00:00Z')",
                                   {std::string(tenant)})));
    }
    audit_ = std::make_unique<audit::AuditLog>(db(), core::system_random());
    key_ = std::make_shared<const core::SecretBox>(
        *core::SecretBox::from_hex(std::string(64, 'a'), "key"));
    store_ = make_store(key_);
    a_.id = "usr_a";
    a_.tenant_id = "ten_a";
    b_.id = "usr_b";
    b_.tenant_id = "ten_b";
  }
  void TearDown() override {
    store_.reset();
    audit_.reset();
    BackendTest::TearDown();
  }

  std::unique_ptr<TenantCatalogStore> make_store(std::shared_ptr<const core::SecretBox> key) {
    return std::make_unique<TenantCatalogStore>(
        db(), core::system_random(), *audit_,
        TenantCatalogOptions{operator_catalog(), std::move(key),
                             [](std::string_view host) { return host == "10.1.2.3"; }});
  }

  // The field a refused table was refused for.
  std::string refused_field(const core::Principal& actor, TenantEntryKind kind,
                            std::string_view table) {
    auto created = store_->create(actor, kind, table, {});
    EXPECT_FALSE(created) << table;
    return created ? "(stored)" : created.error().field;
  }

  std::unique_ptr<audit::AuditLog> audit_;
  std::shared_ptr<const core::SecretBox> key_;
  std::unique_ptr<TenantCatalogStore> store_;
  core::Principal a_;
  core::Principal b_;
};

TEST_P(TenantCatalogTest, KeysAreSealedAndNeverReturned) {
  auto created = store_->create(a_, TenantEntryKind::kProvider, kProvider, {});
  ASSERT_TRUE(ok(created));
  EXPECT_TRUE(created->has_api_key);
  EXPECT_EQ(created->config.find("sk-tenant-secret"), std::string::npos);
  auto stored = store::testing::read(db(), "SELECT api_key, config FROM ai_tenant_providers");
  ASSERT_TRUE(ok(stored));
  std::string sealed = stored->text(0, 0);
  EXPECT_TRUE(core::SecretBox::is_sealed(sealed));
  EXPECT_EQ(sealed.find("sk-tenant-secret"), std::string::npos);
  EXPECT_EQ(stored->text(0, 1).find("sk-tenant-secret"), std::string::npos);
  auto fetched = store_->get(a_, TenantEntryKind::kProvider, "mine");
  ASSERT_TRUE(ok(fetched));
  EXPECT_EQ(fetched->config.find("sk-tenant-secret"), std::string::npos);

  // The extended catalogue has the tenant's model on the tenant's provider, key opened.
  auto catalog = store_->catalog_of("ten_a");
  ASSERT_TRUE(ok(catalog));
  const ModelEntry* model = (*catalog)->model("cm");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->name, "claude-mine");
  EXPECT_EQ(model->prices.output, 3'000'000);
  const ProviderEndpoint* provider = (*catalog)->provider("mine");
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->owner, "ten_a");
  EXPECT_EQ(provider->api_key, "sk-tenant-secret");
  EXPECT_NE((*catalog)->model("gpt-op"), nullptr);
  // Another tenant gets the operator's catalogue alone.
  auto other = store_->catalog_of("ten_b");
  ASSERT_TRUE(ok(other));
  EXPECT_EQ((*other)->model("claude-mine"), nullptr);
  EXPECT_EQ(store_->get(b_, TenantEntryKind::kProvider, "mine").error().code,
            core::ErrorCode::kNotFound);

  // Replacing without api_key keeps it; "" removes it.
  auto kept = store_->replace(
      a_, TenantEntryKind::kProvider, "mine",
      R"({"name":"mine","kind":"anthropic","base_url":"https://llm2.example.com/v1"})", 1, {});
  ASSERT_TRUE(ok(kept));
  EXPECT_TRUE(kept->has_api_key);
  EXPECT_EQ(kept->version, 2);
  auto removed = store_->replace(
      a_, TenantEntryKind::kProvider, "mine",
      R"({"name":"mine","kind":"anthropic","base_url":"https://llm2.example.com/v1","api_key":""})",
      std::nullopt, {});
  ASSERT_TRUE(ok(removed));
  EXPECT_FALSE(removed->has_api_key);
  auto stale = store_->replace(a_, TenantEntryKind::kProvider, "mine", kProvider, 1, {});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, core::ErrorCode::kPreconditionFailed);
}

TEST_P(TenantCatalogTest, TablesAreCheckedLikeTheConfigFile) {
  using K = TenantEntryKind;
  EXPECT_EQ(refused_field(a_, K::kProvider, R"({"kind":"openai","base_url":"https://x"})"),
            "/name");
  EXPECT_EQ(
      refused_field(a_, K::kProvider, R"({"name":"a/b","kind":"openai","base_url":"https://x"})"),
      "/name");
  EXPECT_EQ(
      refused_field(a_, K::kProvider, R"({"name":"p","kind":"cohere","base_url":"https://x"})"),
      "/kind");
  // Plain http only to an address the operator allowed; never to a name.
  EXPECT_EQ(refused_field(a_, K::kProvider,
                          R"({"name":"p","kind":"openai","base_url":"http://169.254.169.254/v1"})"),
            "/base_url");
  EXPECT_EQ(refused_field(a_, K::kProvider,
                          R"({"name":"p","kind":"openai","base_url":"http://llm.internal/v1"})"),
            "/base_url");
  EXPECT_TRUE(ok(store_->create(
      a_, K::kProvider, R"({"name":"lan","kind":"openai","base_url":"http://10.1.2.3:8000/v1"})",
      {})));
  EXPECT_EQ(
      refused_field(
          a_, K::kProvider,
          R"({"name":"p","kind":"openai","base_url":"https://x","models":[{"name":"ok"},{"name":"m","type":"sound"}]})"),
      "/models/1/type");
  // The operator's names are taken.
  EXPECT_EQ(
      refused_field(
          a_, K::kProvider,
          R"({"name":"p","kind":"openai","base_url":"https://x","models":[{"name":"gpt-op"}]})"),
      "/models/0/name");
  EXPECT_EQ(
      refused_field(
          a_, K::kProvider,
          R"({"name":"p","kind":"openai","base_url":"https://x","models":[{"name":"m","provider":"op"}]})"),
      "/models/0/provider");
  EXPECT_EQ(
      refused_field(a_, K::kProvider,
                    R"({"name":"p","kind":"openai","base_url":"https://x","api_key_env":"HOME"})"),
      "/api_key_env");
  EXPECT_EQ(refused_field(a_, K::kRoute, R"({"name":"r","targets":["nope"]})"), "/targets");
  EXPECT_EQ(
      refused_field(a_, K::kRoute, R"({"name":"r","strategy":"weighted","targets":["gpt-op"]})"),
      "/weights");
  EXPECT_EQ(refused_field(a_, K::kRoute, R"({"name":"gpt-op","targets":["gpt-op"]})"), "/name");
  EXPECT_EQ(refused_field(a_, K::kRoute, R"({"name":"r","targets":["gpt-op"],"models":[]})"),
            "/models");
  auto twice = store_->create(a_, K::kProvider,
                              R"({"name":"lan","kind":"openai","base_url":"https://y"})", {});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, core::ErrorCode::kConflict);
}

TEST_P(TenantCatalogTest, RoutesSpanTheTenantsAndTheOperatorsModels) {
  ASSERT_TRUE(ok(store_->create(a_, TenantEntryKind::kProvider, kProvider, {})));
  auto route = store_->create(
      a_, TenantEntryKind::kRoute,
      R"({"name":"smart","strategy":"fallback","targets":["claude-mine","gpt-op"]})", {});
  ASSERT_TRUE(ok(route));
  auto catalog = store_->catalog_of("ten_a");
  ASSERT_TRUE(ok(catalog));
  ASSERT_NE((*catalog)->route("smart"), nullptr);
  // The provider cannot go while the route needs its model; the route first, then it can.
  auto blocked = store_->remove(a_, TenantEntryKind::kProvider, "mine", {});
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(blocked.error().message.find("smart"), std::string::npos) << blocked.error().message;
  // Another tenant cannot route over this tenant's model.
  auto foreign = store_->create(b_, TenantEntryKind::kRoute,
                                R"({"name":"steal","targets":["claude-mine"]})", {});
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().field, "/targets");
  ASSERT_TRUE(ok(store_->remove(a_, TenantEntryKind::kRoute, "smart", {})));
  ASSERT_TRUE(ok(store_->remove(a_, TenantEntryKind::kProvider, "mine", {})));
  auto empty = store_->list(a_, TenantEntryKind::kProvider);
  ASSERT_TRUE(ok(empty));
  EXPECT_TRUE(empty->empty());
  auto actions = store::testing::read(db(), "SELECT action FROM audit_events ORDER BY seq");
  ASSERT_TRUE(ok(actions));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < actions->rows.size(); ++i) names.push_back(actions->text(i, 0));
  EXPECT_EQ(names, (std::vector<std::string>{"ai_provider.created", "ai_route.created",
                                             "ai_route.deleted", "ai_provider.deleted"}));
}

TEST_P(TenantCatalogTest, WithoutAMasterKeyKeysAreRefused) {
  auto keyless = make_store(nullptr);
  auto refused = keyless->create(a_, TenantEntryKind::kProvider, kProvider, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  // A provider that needs no key (a local server) is fine.
  EXPECT_TRUE(ok(keyless->create(
      a_, TenantEntryKind::kProvider,
      R"({"name":"local","kind":"openai","base_url":"http://10.1.2.3/v1","models":[{"name":"llama"}]})",
      {})));
}

INSTANTIATE_TEST_SUITE_P(Backends, TenantCatalogTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::ai
