// Prompts, versions and labels in the database, on SQLite and PostgreSQL: numbering under
// concurrent writers, label moves, the selection rule of render(), tenant isolation and the
// audit trail.
#include "ai/prompts/prompt_store.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::ai {
namespace {

namespace json = boost::json;
using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

PromptTemplate greeting(std::string text) {
  PromptTemplate prompt;
  prompt.messages.push_back({"system", "You write short greetings."});
  prompt.messages.push_back({"user", std::move(text)});
  prompt.variables.push_back({"name", VariableType::kString, true, std::nullopt, "who"});
  prompt.model = "gpt-test";
  return prompt;
}

class PromptStoreTest : public store::testing::BackendTest {
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
    store_ = std::make_unique<PromptStore>(db(), core::system_random(), *audit_);
    a_ = principal("ten_a");
    b_ = principal("ten_b");
  }
  void TearDown() override {
    store_.reset();
    audit_.reset();
    BackendTest::TearDown();
  }

  static core::Principal principal(const std::string& tenant) {
    core::Principal actor;
    actor.id = "usr_" + tenant;
    actor.tenant_id = tenant;
    actor.role = "owner";
    actor.credential_id = "key_" + tenant;
    return actor;
  }

  PromptWithLatest create(const core::Principal& actor, const std::string& name) {
    auto created =
        store_->create_prompt(actor, {name, "greets people", greeting("Hi {{name}}")}, {});
    EXPECT_TRUE(ok(created));
    return created ? *created : PromptWithLatest{};
  }

  std::int64_t count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = store::testing::read(db(), sql, params);
    EXPECT_TRUE(ok(rows));
    return rows ? rows->integer(0, 0) : -1;
  }

  std::string render_text(const std::string& name, PromptSelector selector,
                          std::int64_t* version = nullptr) {
    auto rendered = store_->render(a_, name, selector, json::object{{"name", "Ana"}});
    EXPECT_TRUE(ok(rendered));
    if (!rendered) return {};
    if (version != nullptr) *version = rendered->version;
    return rendered->messages.back().content;
  }

  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<PromptStore> store_;
  core::Principal a_, b_;
};

TEST_P(PromptStoreTest, CreatesReadsAndListsPrompts) {
  PromptWithLatest created = create(a_, "greeting");
  EXPECT_TRUE(created.prompt.id.starts_with("prm_"));
  EXPECT_EQ(created.prompt.latest_version, 1);
  EXPECT_EQ(created.latest.version, 1);
  EXPECT_EQ(created.latest.created_by, "usr_ten_a");

  auto read = store_->get_prompt(a_, "greeting");
  ASSERT_TRUE(ok(read));
  EXPECT_EQ(read->prompt.id, created.prompt.id);
  EXPECT_EQ(read->prompt.description, "greets people");
  EXPECT_EQ(read->latest.content.messages[1].content, "Hi {{name}}");
  EXPECT_EQ(read->latest.content.model, "gpt-test");
  EXPECT_EQ(read->latest.content.variables[0].description, "who");

  auto again = store_->create_prompt(a_, {"greeting", "", greeting("x {{name}}")}, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "/name");
  EXPECT_EQ(store_->create_prompt(a_, {"Bad Name", "", greeting("x")}, {}).error().field, "/name");
  EXPECT_EQ(store_->create_prompt(a_, {"ok", "", greeting("{{undeclared}}")}, {}).error().field,
            "/messages/1/content");

  create(a_, "second");
  create(a_, "third");
  store::PageRequest page;
  page.limit = 2;
  auto first = store_->list_prompts(a_, page);
  ASSERT_TRUE(ok(first));
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_TRUE(first->more);
  page.after.emplace(first->items.back().created_at, first->items.back().id);
  auto rest = store_->list_prompts(a_, page);
  ASSERT_TRUE(ok(rest));
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_FALSE(rest->more);
  std::set<std::string> names{first->items[0].name, first->items[1].name, rest->items[0].name};
  EXPECT_EQ(names, (std::set<std::string>{"greeting", "second", "third"}));
}

TEST_P(PromptStoreTest, VersionsAreNumberedOnceUnderConcurrentWriters) {
  create(a_, "greeting");
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::int64_t> numbers;
  std::vector<std::string> failures;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto version = store_->add_version(
            a_, "greeting",
            greeting("v" + std::to_string(t) + "." + std::to_string(i) + " {{name}}"), {});
        std::lock_guard lock(mutex);
        if (version) {
          numbers.push_back(version->version);
        } else {
          failures.push_back(version.error().message);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  std::set<std::int64_t> unique(numbers.begin(), numbers.end());
  EXPECT_EQ(unique.size(), numbers.size());
  EXPECT_EQ(*unique.begin(), 2);
  EXPECT_EQ(*unique.rbegin(), 1 + kThreads * kEach);
  EXPECT_EQ(store_->get_prompt(a_, "greeting")->prompt.latest_version, 1 + kThreads * kEach);

  // Listed in version order, in pages.
  store::PageRequest page;
  page.limit = 15;
  auto first = store_->list_versions(a_, "greeting", page);
  ASSERT_TRUE(ok(first));
  ASSERT_EQ(first->items.size(), 15u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->items.front().version, 1);
  EXPECT_TRUE(first->items.front().content.messages.empty());  // a summary
  EXPECT_EQ(first->items.front().content.model, "gpt-test");
  page.after.emplace(first->items.back().created_at, std::to_string(first->items.back().version));
  auto rest = store_->list_versions(a_, "greeting", page);
  ASSERT_TRUE(ok(rest));
  ASSERT_EQ(rest->items.size(), 6u);
  EXPECT_EQ(rest->items.front().version, 16);
  EXPECT_FALSE(rest->more);
  page.after.emplace("2026-01-01T00:00:00.000Z", "not-a-version");
  EXPECT_EQ(store_->list_versions(a_, "greeting", page).error().field, "cursor");

  auto fifth = store_->get_version(a_, "greeting", 5);
  ASSERT_TRUE(ok(fifth));
  EXPECT_EQ(fifth->version, 5);
  EXPECT_EQ(fifth->content.messages.size(), 2u);
  EXPECT_EQ(store_->get_version(a_, "greeting", 99).error().code, core::ErrorCode::kNotFound);
}

TEST_P(PromptStoreTest, LabelsMoveAndRenderFollowsTheSelectionRule) {
  create(a_, "greeting");
  ASSERT_TRUE(ok(store_->add_version(a_, "greeting", greeting("Hello {{name}}"), {})));
  ASSERT_TRUE(ok(store_->add_version(a_, "greeting", greeting("Dear {{name}}"), {})));

  // No "production" label: the newest version.
  std::int64_t version = 0;
  EXPECT_EQ(render_text("greeting", {}, &version), "Dear Ana");
  EXPECT_EQ(version, 3);

  auto set = store_->set_label(a_, "greeting", "production", 2, {});
  ASSERT_TRUE(ok(set));
  EXPECT_EQ(set->version, 2);
  EXPECT_EQ(render_text("greeting", {}, &version), "Hello Ana");
  EXPECT_EQ(version, 2);
  EXPECT_EQ(render_text("greeting", {.label = "latest"}), "Dear Ana");
  EXPECT_EQ(render_text("greeting", {.version = 1}), "Hi Ana");

  // Moving the label; setting it again to the same version changes nothing.
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "production", 1, {})));
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "production", 1, {})));
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "staging", 3, {})));
  EXPECT_EQ(render_text("greeting", {}), "Hi Ana");
  EXPECT_EQ(render_text("greeting", {.label = "staging"}), "Dear Ana");
  auto read = store_->get_prompt(a_, "greeting");
  ASSERT_TRUE(ok(read));
  ASSERT_EQ(read->prompt.labels.size(), 2u);
  EXPECT_EQ(read->prompt.labels[0].name, "production");
  EXPECT_EQ(read->prompt.labels[0].version, 1);
  EXPECT_EQ(read->latest.labels, std::vector<std::string>{"staging"});
  EXPECT_EQ(store_->get_version(a_, "greeting", 1)->labels, std::vector<std::string>{"production"});

  // Refusals.
  EXPECT_EQ(store_->set_label(a_, "greeting", "latest", 1, {}).error().field, "label");
  EXPECT_EQ(store_->set_label(a_, "greeting", "Prod", 1, {}).error().field, "label");
  EXPECT_EQ(store_->set_label(a_, "greeting", "canary", 4, {}).error().field, "/version");
  EXPECT_EQ(store_->set_label(a_, "greeting", "canary", 0, {}).error().field, "/version");
  EXPECT_EQ(store_->set_label(a_, "nope", "canary", 1, {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->render(a_, "greeting", {.label = "canary"}, {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->render(a_, "greeting", {.version = 7}, {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->render(a_, "greeting", {.label = "staging", .version = 1}, {}).error().field,
            "/version");
  EXPECT_EQ(store_->render(a_, "greeting", {.label = "Bad Label"}, {}).error().field, "/label");
  auto missing = store_->render(a_, "greeting", {}, json::object{});
  EXPECT_EQ(missing.error().field, "/variables/name");

  // Deleting the production label: back to the newest version.
  ASSERT_TRUE(ok(store_->delete_label(a_, "greeting", "production", {})));
  EXPECT_EQ(store_->delete_label(a_, "greeting", "production", {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(render_text("greeting", {}), "Dear Ana");

  auto rendered = store_->render(a_, "greeting", {}, json::object{{"name", "Bo"}});
  ASSERT_TRUE(ok(rendered));
  EXPECT_EQ(rendered->name, "greeting");
  EXPECT_EQ(rendered->model, "gpt-test");
  ASSERT_EQ(rendered->messages.size(), 2u);
  EXPECT_EQ(rendered->messages[0].role, "system");
}

TEST_P(PromptStoreTest, AnotherTenantsPromptIsNotFound) {
  create(a_, "greeting");
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "production", 1, {})));
  auto not_found = [](const core::Status& status) {
    return !status && status.error().code == core::ErrorCode::kNotFound;
  };
  EXPECT_TRUE(not_found(store_->require_prompt(b_, "greeting")));
  EXPECT_EQ(store_->get_prompt(b_, "greeting").error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->add_version(b_, "greeting", greeting("x {{name}}"), {}).error().code,
            core::ErrorCode::kNotFound);
  // Not found wins over what is wrong with the version itself.
  EXPECT_EQ(store_->add_version(b_, "greeting", greeting("{{undeclared}}"), {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->add_version(a_, "greeting", greeting("{{undeclared}}"), {}).error().field,
            "/messages/1/content");
  EXPECT_EQ(store_->list_versions(b_, "greeting", {}).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->get_version(b_, "greeting", 1).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->set_label(b_, "greeting", "production", 1, {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_TRUE(not_found(store_->delete_label(b_, "greeting", "production", {})));
  EXPECT_EQ(store_->render(b_, "greeting", {}, json::object{{"name", "x"}}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_TRUE(not_found(store_->delete_prompt(b_, "greeting", {})));
  EXPECT_TRUE(store_->list_prompts(b_, {})->items.empty());

  // B has a namespace of its own.
  PromptWithLatest b_prompt = create(b_, "greeting");
  EXPECT_NE(b_prompt.prompt.id, store_->get_prompt(a_, "greeting")->prompt.id);

  core::Principal platform;
  platform.kind = core::Principal::Kind::kOperator;
  platform.id = "key_operator";
  EXPECT_EQ(store_->list_prompts(platform, {}).error().code, core::ErrorCode::kPermissionDenied);
}

TEST_P(PromptStoreTest, DeletingAPromptTakesItsVersionsAndLabelsAndEveryChangeIsAudited) {
  PromptWithLatest created = create(a_, "greeting");
  ASSERT_TRUE(ok(store_->add_version(a_, "greeting", greeting("Hello {{name}}"), {})));
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "production", 2, {})));
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "production", 1, {})));
  ASSERT_TRUE(ok(store_->delete_label(a_, "greeting", "production", {})));
  ASSERT_TRUE(ok(store_->set_label(a_, "greeting", "staging", 2, {})));
  ASSERT_TRUE(ok(store_->delete_prompt(a_, "greeting", {})));

  EXPECT_EQ(store_->get_prompt(a_, "greeting").error().code, core::ErrorCode::kNotFound);
  for (std::string table : {"ai_prompts", "ai_prompt_versions", "ai_prompt_labels"}) {
    EXPECT_EQ(count("SELECT COUNT(*) FROM " + table), 0) << table;
  }
  // The name is free again.
  EXPECT_EQ(create(a_, "greeting").prompt.latest_version, 1);

  auto events = store::testing::read(
      db(),
      "SELECT action, details FROM audit_events WHERE chain = 'ten_a' AND target_id = $1 "
      "ORDER BY seq",
      {created.prompt.id});
  ASSERT_TRUE(ok(events));
  std::vector<std::string> actions;
  for (std::size_t i = 0; i < events->rows.size(); ++i) actions.push_back(events->text(i, 0));
  EXPECT_EQ(actions, (std::vector<std::string>{"ai_prompt.created", "ai_prompt.version_created",
                                               "ai_prompt.label_set", "ai_prompt.label_set",
                                               "ai_prompt.label_deleted", "ai_prompt.label_set",
                                               "ai_prompt.deleted"}));
  json::object moved = json::parse(events->text(3, 1)).as_object();
  EXPECT_EQ(moved["label"], "production");
  EXPECT_EQ(moved["version"], "1");
  EXPECT_EQ(moved["previous_version"], "2");
}

INSTANTIATE_TEST_SUITE_P(Backends, PromptStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::ai
