// Webhook endpoints, fan-out from the event log, leases, outcomes and the dispatcher, on
// SQLite and PostgreSQL. The receiver is a Sender written here (no network): what is under
// test is what gets sent, when, and what is recorded.
#include "webhooks/webhook_store.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "core/utc_time.hpp"
#include "store/migrations.hpp"
#include "store_test_support.hpp"
#include "webhooks/dispatcher.hpp"
#include "webhooks/signature.hpp"

namespace aic::webhooks {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;
using Clock = std::chrono::system_clock;

// Answers every request with the next status from a script (the last one repeats) and keeps
// what it was sent.
class ScriptedSender final : public Sender {
 public:
  explicit ScriptedSender(std::vector<int> statuses) : statuses_(std::move(statuses)) {}

  void send(OutgoingRequest request, std::function<void(SenderResult)> done) override {
    SenderResult result;
    {
      std::lock_guard lock(mutex_);
      std::size_t index = std::min(sent_.size(), statuses_.size() - 1);
      result.status = statuses_[index];
      sent_.push_back(std::move(request));
    }
    if (result.status == 0) result.error = "connection refused";
    result.body = "answer " + std::to_string(result.status);
    done(std::move(result));
  }
  std::vector<OutgoingRequest> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  std::vector<int> statuses_;
  std::vector<OutgoingRequest> sent_;
};

std::string header(const OutgoingRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

class WebhookStoreTest : public store::testing::BackendTest {
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
    events_ = std::make_unique<events::EventLog>(db(), core::system_random());
    store_ = std::make_unique<WebhookStore>(db(), core::system_random(), *audit_, *events_,
                                            WebhookStoreOptions{nullptr, seconds(60)});
    owner_a_ = principal("ten_a");
  }
  void TearDown() override {
    store_.reset();
    events_.reset();
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

  EndpointWithSecret endpoint(const core::Principal& actor, std::vector<std::string> types,
                              std::string url = "https://hooks.example/in") {
    NewEndpoint request;
    request.url = std::move(url);
    request.event_types = std::move(types);
    auto created = store_->create_endpoint(actor, request, {});
    EXPECT_TRUE(ok(created));
    return created ? *created : EndpointWithSecret{};
  }

  // Publishes an event of `tenant` in its own transaction (or rolls it back).
  void publish(const std::string& tenant, const std::string& type, bool commit = true) {
    auto status = db().transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
      auto event = events_->publish(tx, tenant, type, R"({"id":"key_1"})");
      if (!event) return core::Status(std::move(event).error());
      if (!commit) return core::Status(core::Error::make(core::ErrorCode::kConflict, "undo"));
      return core::Status{};
    });
    EXPECT_EQ(status.has_value(), commit);
  }

  std::int64_t count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = store::testing::read(db(), sql, params);
    EXPECT_TRUE(ok(rows));
    return rows ? rows->integer(0, 0) : -1;
  }

  DeliveryOutcome outcome(const ClaimedMessage& message, int status) {
    DeliveryOutcome result;
    result.message = message;
    result.attempted_at = Clock::now();
    result.status_code = status;
    result.response_body = std::string(3000, 'x');
    return result;
  }

  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<events::EventLog> events_;
  std::unique_ptr<WebhookStore> store_;
  core::Principal owner_a_;
};

TEST_P(WebhookStoreTest, EventsFanOutToSubscribedEndpointsOfTheirTenantOnly) {
  auto all = endpoint(owner_a_, {"*"});
  auto keys = endpoint(owner_a_, {"api_key.*"});
  auto users = endpoint(owner_a_, {"user.created"});
  auto other_tenant = endpoint(principal("ten_b"), {"*"});
  publish("ten_a", "api_key.created");
  publish("ten_a", "user.disabled");
  publish("ten_a", "role.created", /*commit=*/false);  // rolled back: no event, no delivery

  auto claimed = store_->claim_due(Clock::now(), 100);
  ASSERT_TRUE(ok(claimed));
  std::multiset<std::string> endpoints;
  for (const auto& message : *claimed) endpoints.insert(message.endpoint_id);
  EXPECT_EQ(endpoints,
            (std::multiset<std::string>{all.endpoint.id, all.endpoint.id, keys.endpoint.id}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 2);
  EXPECT_EQ(count("SELECT seq FROM event_fan_out WHERE tenant_id = 'ten_a'"), 2);
  for (const auto& message : *claimed) {
    auto payload = boost::json::parse(message.payload).as_object();
    EXPECT_EQ(payload.at("tenant_id"), "ten_a");
    EXPECT_EQ(message.secrets.size(), 1u);
    EXPECT_EQ(message.url, "https://hooks.example/in");
  }
  (void)users;
  (void)other_tenant;
}

// Fan-out may lag behind publishing (it runs when a worker claims). An endpoint still gets
// only what was published after it was created, or after it was last re-enabled.
TEST_P(WebhookStoreTest, AnEndpointGetsNoEventFromBeforeItsCreationOrWhileDisabled) {
  publish("ten_a", "api_key.created");  // seq 1: before any endpoint
  auto first = endpoint(owner_a_, {"api_key.*"});
  publish("ten_a", "api_key.revoked");  // seq 2: for `first` only
  auto second = endpoint(owner_a_, {"api_key.*"});
  ASSERT_TRUE(ok(store_->set_enabled(owner_a_, second.endpoint.id, false, {})));
  publish("ten_a", "api_key.rotated");  // seq 3: `second` is disabled
  ASSERT_TRUE(ok(store_->set_enabled(owner_a_, second.endpoint.id, true, {})));
  publish("ten_a", "api_key.created");  // seq 4: for both

  auto claimed = store_->claim_due(Clock::now(), 100);
  ASSERT_TRUE(ok(claimed));
  std::multiset<std::pair<std::string, std::int64_t>> sent;  // (endpoint, event seq)
  for (const auto& message : *claimed) {
    auto payload = boost::json::parse(message.payload).as_object();
    auto events = events_->read_after("ten_a", 0, 10);
    ASSERT_TRUE(ok(events));
    for (const auto& event : *events) {
      if (event.id == payload.at("id").as_string()) sent.emplace(message.endpoint_id, event.seq);
    }
  }
  EXPECT_EQ(sent, (std::multiset<std::pair<std::string, std::int64_t>>{
                      {first.endpoint.id, 2},
                      {first.endpoint.id, 3},
                      {first.endpoint.id, 4},
                      {second.endpoint.id, 4},
                  }));
}

TEST_P(WebhookStoreTest, TenantNumbersCountUpInCommitOrder) {
  publish("ten_a", "api_key.created");
  publish("ten_b", "api_key.created");
  publish("ten_a", "api_key.revoked");
  auto events = events_->read_after("ten_a", 0, 10);
  ASSERT_TRUE(ok(events));
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].seq, 1);
  EXPECT_EQ((*events)[1].seq, 2);
  EXPECT_EQ((*events)[1].type, "api_key.revoked");
  auto later = events_->read_after("ten_a", 1, 10);
  ASSERT_TRUE(ok(later));
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(*events_->last_seq("ten_b"), 1);
}

TEST_P(WebhookStoreTest, AClaimIsALeaseThatOutlivesACrashedWorker) {
  endpoint(owner_a_, {"*"});
  publish("ten_a", "api_key.created");
  auto now = Clock::now();
  auto first = store_->claim_due(now, 10);
  ASSERT_TRUE(ok(first));
  ASSERT_EQ(first->size(), 1u);
  // Claimed: nobody else gets it while the lease runs.
  auto again = store_->claim_due(now + seconds(59), 10);
  ASSERT_TRUE(ok(again));
  EXPECT_TRUE(again->empty());
  // The worker died without recording; after the lease the message is due again, same id.
  auto after = store_->claim_due(now + seconds(61), 10);
  ASSERT_TRUE(ok(after));
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].id, (*first)[0].id);
  // The late worker's outcome no longer counts; the current holder's does.
  ASSERT_TRUE(ok(store_->record({outcome((*first)[0], 200)})));
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_attempts"), 0);
  ASSERT_TRUE(ok(store_->record({outcome((*after)[0], 200)})));
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_messages WHERE status = 'delivered'"), 1);
}

TEST_P(WebhookStoreTest, FailuresFollowTheScheduleAndEndAsDeadLetters) {
  auto created = endpoint(owner_a_, {"*"});
  publish("ten_a", "api_key.created");
  auto now = Clock::now();
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    auto claimed = store_->claim_due(now + std::chrono::hours(24 * attempt), 10);
    ASSERT_TRUE(ok(claimed));
    ASSERT_EQ(claimed->size(), 1u) << attempt;
    EXPECT_EQ((*claimed)[0].attempts, attempt - 1);
    auto before = Clock::now();
    ASSERT_TRUE(ok(store_->record({outcome((*claimed)[0], 503)})));
    if (attempt < kMaxAttempts) {
      auto next = count("SELECT next_attempt_at FROM webhook_messages");
      auto delay = milliseconds(next - core::unix_millis(before));
      EXPECT_GE(delay, *scheduled_delay(attempt) * 9 / 10 - milliseconds(50)) << attempt;
      EXPECT_LE(delay, *scheduled_delay(attempt) * 11 / 10 + milliseconds(50)) << attempt;
    }
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_messages WHERE status = 'failed'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_attempts WHERE succeeded = 0"), kMaxAttempts);
  // The response is kept to 1 KiB.
  EXPECT_EQ(count("SELECT MAX(LENGTH(response_body)) FROM webhook_attempts"), 1024);

  auto dead = store_->list_messages(owner_a_, created.endpoint.id, "failed", {});
  ASSERT_TRUE(ok(dead));
  ASSERT_EQ(dead->items.size(), 1u);
  auto replayed = store_->replay(owner_a_, created.endpoint.id,
                                 {.message_id = dead->items[0].id, .since = std::nullopt}, {});
  ASSERT_TRUE(ok(replayed));
  EXPECT_EQ(*replayed, 1);
  auto claimed = store_->claim_due(Clock::now(), 10);
  ASSERT_TRUE(ok(claimed));
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].attempts, 0);
  // Replaying something that is not a dead letter is refused.
  auto twice = store_->replay(owner_a_, created.endpoint.id,
                              {.message_id = dead->items[0].id, .since = std::nullopt}, {});
  EXPECT_EQ(twice.error().code, core::ErrorCode::kConflict);
}

TEST_P(WebhookStoreTest, GoneDisablesTheEndpointAndAnnouncesIt) {
  auto gone = endpoint(owner_a_, {"api_key.*"});
  auto watcher = endpoint(owner_a_, {"webhook.*"});
  publish("ten_a", "api_key.created");
  publish("ten_a", "api_key.revoked");
  auto claimed = store_->claim_due(Clock::now(), 10);
  ASSERT_TRUE(ok(claimed));
  ASSERT_EQ(claimed->size(), 2u);
  ASSERT_TRUE(ok(store_->record({outcome((*claimed)[0], 410)})));

  auto disabled = store_->get_endpoint(owner_a_, gone.endpoint.id);
  ASSERT_TRUE(ok(disabled));
  ASSERT_TRUE(disabled->disabled_at);
  EXPECT_EQ(*disabled->disabled_reason, "the endpoint answered 410 Gone");
  // Everything still owed to it waits as a dead letter.
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_messages WHERE endpoint_id = $1 AND "
                  "status = 'failed'",
                  {gone.endpoint.id}),
            2);
  // The other endpoint hears about it.
  auto announced = store_->claim_due(Clock::now(), 10);
  ASSERT_TRUE(ok(announced));
  ASSERT_EQ(announced->size(), 1u);
  EXPECT_EQ((*announced)[0].endpoint_id, watcher.endpoint.id);
  auto payload = boost::json::parse((*announced)[0].payload).as_object();
  EXPECT_EQ(payload.at("type"), "webhook.endpoint.disabled");
  EXPECT_EQ(payload.at("data").as_object().at("endpoint_id").as_string(), gone.endpoint.id);
  // New events skip the disabled endpoint.
  publish("ten_a", "api_key.created");
  auto later = store_->claim_due(Clock::now(), 10);
  ASSERT_TRUE(ok(later));
  EXPECT_TRUE(later->empty());
}

TEST_P(WebhookStoreTest, FiveDaysOfFailuresDisableTheEndpoint) {
  auto created = endpoint(owner_a_, {"*"});
  publish("ten_a", "api_key.created");
  auto claimed = store_->claim_due(Clock::now(), 10);
  ASSERT_TRUE(ok(claimed));
  ASSERT_TRUE(ok(store_->record({outcome((*claimed)[0], 500)})));
  EXPECT_FALSE(store_->get_endpoint(owner_a_, created.endpoint.id)->disabled_at);
  // The streak started (as if) five days ago; the next failure ends it.
  ASSERT_TRUE(ok(store::testing::write(
      db(), "UPDATE webhook_endpoints SET failing_since = $1",
      {core::unix_millis(Clock::now() - kDisableAfterFailingFor - seconds(1))})));
  auto next = store_->claim_due(Clock::now() + std::chrono::hours(1), 10);
  ASSERT_TRUE(ok(next));
  ASSERT_EQ(next->size(), 1u);
  ASSERT_TRUE(ok(store_->record({outcome((*next)[0], 500)})));
  auto endpoint_now = store_->get_endpoint(owner_a_, created.endpoint.id);
  ASSERT_TRUE(endpoint_now->disabled_at);
  EXPECT_EQ(*endpoint_now->disabled_reason, "every delivery failed for 5 days");
}

TEST_P(WebhookStoreTest, ASuccessEndsTheFailureStreak) {
  endpoint(owner_a_, {"*"});
  publish("ten_a", "api_key.created");
  publish("ten_a", "api_key.revoked");
  auto claimed = store_->claim_due(Clock::now(), 10);
  ASSERT_TRUE(ok(claimed));
  ASSERT_TRUE(ok(store_->record({outcome((*claimed)[0], 500), outcome((*claimed)[1], 204)})));
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_endpoints WHERE failing_since IS NULL"), 1);
}

TEST_P(WebhookStoreTest, EndpointsAreTenantScopedAndValidated) {
  auto created = endpoint(owner_a_, {"*"});
  auto owner_b = principal("ten_b");
  EXPECT_EQ(store_->get_endpoint(owner_b, created.endpoint.id).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_endpoint(owner_b, created.endpoint.id, {}).error().code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->replay(owner_b, created.endpoint.id, {.message_id = "msg_x"}, {}).error().code,
            core::ErrorCode::kNotFound);

  struct Case {
    NewEndpoint request;
    std::string field;
  };
  std::vector<Case> cases = {
      {{.url = "ftp://hooks.example/in"}, "/url"},
      {{.url = "https://user:pw@hooks.example/in"}, "/url"},
      {{.url = "https:///in"}, "/url"},
      {{.url = "not a url"}, "/url"},
      {{.url = "https://hooks.example/in", .event_types = {"api_key.*", "Bad Type"}},
       "/event_types/1"},
      {{.url = "https://hooks.example/in", .event_types = {}}, "/event_types"},
      {{.url = "https://hooks.example/in", .headers = {{"webhook-signature", "x"}}},
       "/headers/webhook-signature"},
      {{.url = "https://hooks.example/in", .headers = {{"Host", "x"}}}, "/headers/Host"},
      {{.url = "https://hooks.example/in", .headers = {{"X-Ok", "a\r\nb"}}}, "/headers/X-Ok"},
      {{.url = "https://hooks.example/in", .rate_limit_per_second = 0}, "/rate_limit_per_second"},
  };
  for (const auto& test : cases) {
    auto refused = store_->create_endpoint(owner_a_, test.request, {});
    ASSERT_FALSE(refused) << test.field;
    EXPECT_EQ(refused.error().code, core::ErrorCode::kInvalidArgument) << test.field;
    EXPECT_EQ(refused.error().field, test.field);
  }
}

TEST_P(WebhookStoreTest, UpdatesAreConditionalOnTheVersion) {
  auto created = endpoint(owner_a_, {"*"});
  EndpointChanges changes;
  changes.description = "billing sync";
  auto updated = store_->update_endpoint(owner_a_, created.endpoint.id, changes, 1, {});
  ASSERT_TRUE(ok(updated));
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->description, "billing sync");
  auto stale = store_->update_endpoint(owner_a_, created.endpoint.id, changes, 1, {});
  EXPECT_EQ(stale.error().code, core::ErrorCode::kPreconditionFailed);
}

TEST_P(WebhookStoreTest, TheDispatcherSignsWithEveryLiveSecretAndRecords) {
  auto created = endpoint(owner_a_, {"*"});
  auto rotated = store_->rotate_secret(owner_a_, created.endpoint.id, {});
  ASSERT_TRUE(ok(rotated));
  ScriptedSender receiver({500, 200});
  Dispatcher dispatcher(*store_, receiver, core::system_random(),
                        {.max_in_flight = 8, .claim_batch = 8, .poll_interval = milliseconds(20)});
  dispatcher.start();
  publish("ten_a", "api_key.created");
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (receiver.sent().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  // The first answer was 500: the retry is 5 s away; bring it forward.
  while (count("SELECT attempts FROM webhook_messages") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_TRUE(ok(store::testing::write(db(), "UPDATE webhook_messages SET next_attempt_at = 0")));
  while (count("SELECT COUNT(*) FROM webhook_messages WHERE status = 'delivered'") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  dispatcher.stop(seconds(5));
  auto sent = receiver.sent();
  ASSERT_EQ(sent.size(), 2u);
  // Same message, same webhook-id on the retry.
  EXPECT_EQ(header(sent[0], "webhook-id"), header(sent[1], "webhook-id"));
  EXPECT_EQ(sent[0].body, sent[1].body);
  std::string signatures = header(sent[1], "webhook-signature");
  auto space = signatures.find(' ');
  ASSERT_NE(space, std::string::npos) << "both secrets sign during a rotation";
  auto timestamp = std::stoll(header(sent[1], "webhook-timestamp"));
  auto new_key = secret_key(rotated->secret);
  auto old_key = secret_key(created.secret);
  EXPECT_EQ(signatures.substr(0, space),
            sign(*new_key, header(sent[1], "webhook-id"), timestamp, sent[1].body));
  EXPECT_EQ(signatures.substr(space + 1),
            sign(*old_key, header(sent[1], "webhook-id"), timestamp, sent[1].body));
  EXPECT_EQ(header(sent[1], "content-type"), "application/json");

  auto attempts = store_->list_attempts(owner_a_, created.endpoint.id, {});
  ASSERT_TRUE(ok(attempts));
  ASSERT_EQ(attempts->items.size(), 2u);
  EXPECT_FALSE(attempts->items[0].succeeded);
  EXPECT_EQ(attempts->items[0].status_code, 500);
  EXPECT_TRUE(attempts->items[1].succeeded);
  EXPECT_EQ(attempts->items[1].attempt, 2);
}

TEST_P(WebhookStoreTest, TwoWorkersNeverClaimTheSameMessage) {
  endpoint(owner_a_, {"*"});
  for (int i = 0; i < 60; ++i) publish("ten_a", "api_key.created");
  auto other = open(options());  // another process on the same data
  ASSERT_NE(other, nullptr);
  audit::AuditLog other_audit(*other, core::system_random());
  events::EventLog other_events(*other, core::system_random());
  WebhookStore other_store(*other, core::system_random(), other_audit, other_events, {});
  std::vector<std::string> mine, theirs;
  std::thread racer([&] {
    for (int round = 0; round < 20; ++round) {
      auto claimed = other_store.claim_due(Clock::now(), 3);
      ASSERT_TRUE(ok(claimed));
      for (const auto& message : *claimed) theirs.push_back(message.id);
    }
  });
  for (int round = 0; round < 20; ++round) {
    auto claimed = store_->claim_due(Clock::now(), 3);
    ASSERT_TRUE(ok(claimed));
    for (const auto& message : *claimed) mine.push_back(message.id);
  }
  racer.join();
  std::set<std::string> all(mine.begin(), mine.end());
  for (const auto& id : theirs) EXPECT_TRUE(all.insert(id).second) << id << " claimed twice";
  EXPECT_EQ(all.size(), 60u);
}

TEST_P(WebhookStoreTest, AfterCommitRunsOnlyForCommittedTransactions) {
  int ran = 0;
  ASSERT_TRUE(ok(db().transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
    tx.after_commit([&] { ++ran; });
    return core::Status{};
  })));
  EXPECT_EQ(ran, 1);
  auto failed = db().transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
    tx.after_commit([&] { ++ran; });
    return core::Status(core::Error::make(core::ErrorCode::kConflict, "no"));
  });
  EXPECT_FALSE(failed);
  EXPECT_EQ(ran, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::webhooks
