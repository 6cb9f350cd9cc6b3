// The audit log on SQLite and PostgreSQL: chains, queries, and tampering done directly in the
// database, the way someone with database access would do it.
#include "audit/audit_log.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "audit/async_writer.hpp"
#include "store/migrations.hpp"
#include "store_test_support.hpp"

namespace aic::audit {
namespace {

using store::Backend;
using store::testing::backend_param_name;
using store::testing::ok;

Event event(const std::string& tenant, const std::string& action, const std::string& target = "") {
  Event e;
  e.tenant_id = tenant;
  e.action = action;
  e.actor_kind = "user";
  e.actor_id = "usr_1";
  e.credential_id = "key_1";
  e.target_type = "api_key";
  e.target_id = target;
  e.origin = Origin{"192.0.2.7", "audit-test", "req-7"};
  e.details = R"({"role":"viewer"})";
  return e;
}

class AuditLogTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(ok(store::apply_migrations(db(), store::builtin_migrations())));
    log_ = std::make_unique<AuditLog>(db(), core::system_random());
  }
  void TearDown() override {
    log_.reset();
    BackendTest::TearDown();
  }
  AuditLog& log() { return *log_; }

  void append_many(const std::string& tenant, int count) {
    for (int i = 1; i <= count; ++i) {
      ASSERT_TRUE(ok(log().record(event(tenant, "api_key.created", "key_" + std::to_string(i)))));
    }
  }

  // Runs `sql` as the database owner would: with the append-only trigger out of the way.
  void tamper(const std::string& sql, const std::vector<store::Value>& params = {}) {
    std::string guard_off =
        is_postgres() ? "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
                      : "DROP TRIGGER IF EXISTS audit_events_no_update";
    ASSERT_TRUE(ok(store::testing::write(db(), guard_off)));
    if (!is_postgres()) {
      ASSERT_TRUE(ok(store::testing::write(db(), "DROP TRIGGER IF EXISTS audit_events_no_delete")));
    }
    ASSERT_TRUE(ok(store::testing::write(db(), sql, params)));
  }

  ChainReport verify_one(const std::string& chain) {
    auto reports = log().verify(chain);
    EXPECT_TRUE(ok(reports));
    EXPECT_EQ(reports->size(), 1u);
    return reports->front();
  }

 private:
  std::unique_ptr<AuditLog> log_;
};

TEST_P(AuditLogTest, ChainsArePerTenantAndLinked) {
  append_many("ten_a", 3);
  append_many("ten_b", 2);
  ASSERT_TRUE(ok(log().record(event("", "operator.key_created"))));

  auto page = log().list({.chain = "ten_a", .newest_first = false});
  ASSERT_TRUE(ok(page));
  ASSERT_EQ(page->records.size(), 3u);
  std::string previous(64, '0');
  for (std::size_t i = 0; i < 3; ++i) {
    const Record& record = page->records[i];
    EXPECT_EQ(record.seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(record.prev_hash, previous);
    EXPECT_EQ(record.hash, chain_hash(record));
    EXPECT_TRUE(record.id.starts_with("aud_"));
    EXPECT_EQ(record.event.origin.client_address, "192.0.2.7");
    EXPECT_EQ(record.event.details, R"({"role":"viewer"})");
    previous = record.hash;
  }
  auto reports = log().verify();
  ASSERT_TRUE(ok(reports));
  ASSERT_EQ(reports->size(), 3u);  // platform, ten_a, ten_b
  for (const auto& report : *reports) {
    EXPECT_TRUE(report.intact()) << report.chain << ": " << report.problem;
  }
  EXPECT_EQ(verify_one("ten_a").entries, 3);
  EXPECT_EQ(verify_one("ten_a").head_hash, previous);
  EXPECT_EQ(verify_one(std::string(kPlatformChain)).entries, 1);
  // A chain nothing was ever written to is trivially intact.
  EXPECT_TRUE(verify_one("ten_none").intact());
}

TEST_P(AuditLogTest, TheDatabaseRefusesUpdatesAndDeletes) {
  append_many("ten_a", 1);
  auto updated = store::testing::write(db(), "UPDATE audit_events SET outcome = 'failure'");
  EXPECT_FALSE(updated);
  auto deleted = store::testing::write(db(), "DELETE FROM audit_events");
  EXPECT_FALSE(deleted);
  EXPECT_TRUE(verify_one("ten_a").intact());
}

TEST_P(AuditLogTest, DetectsAChangedEvent) {
  append_many("ten_a", 5);
  tamper("UPDATE audit_events SET outcome = 'failure' WHERE chain = 'ten_a' AND seq = 3");
  ChainReport report = verify_one("ten_a");
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(*report.first_bad_seq, 3);
  EXPECT_NE(report.problem.find("changed"), std::string::npos) << report.problem;
}

TEST_P(AuditLogTest, DetectsAChangedEventWhoseHashWasRecomputed) {
  append_many("ten_a", 5);
  // A careful forger rewrites event 2 and its hash; event 3 still names the old hash.
  auto page = log().list({.chain = "ten_a", .newest_first = false});
  Record forged = page->records[1];
  forged.event.actor_id = "usr_innocent";
  tamper("UPDATE audit_events SET actor_id = $1, hash = $2 WHERE chain = 'ten_a' AND seq = 2",
         {forged.event.actor_id, chain_hash(forged)});
  ChainReport report = verify_one("ten_a");
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(*report.first_bad_seq, 3);
}

TEST_P(AuditLogTest, DetectsADeletedEvent) {
  append_many("ten_a", 5);
  tamper("DELETE FROM audit_events WHERE chain = 'ten_a' AND seq = 2");
  ChainReport report = verify_one("ten_a");
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(*report.first_bad_seq, 2);
  EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
}

TEST_P(AuditLogTest, DetectsADeletedLastEvent) {
  append_many("ten_a", 4);
  tamper("DELETE FROM audit_events WHERE chain = 'ten_a' AND seq = 4");
  ChainReport report = verify_one("ten_a");
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(*report.first_bad_seq, 4);
}

TEST_P(AuditLogTest, DetectsReorderedEvents) {
  append_many("ten_a", 4);
  // Swap the sequence numbers of events 2 and 3 (through a free number, for the primary key).
  tamper("UPDATE audit_events SET seq = 100 WHERE chain = 'ten_a' AND seq = 2");
  tamper("UPDATE audit_events SET seq = 2 WHERE chain = 'ten_a' AND seq = 3");
  tamper("UPDATE audit_events SET seq = 3 WHERE chain = 'ten_a' AND seq = 100");
  ChainReport report = verify_one("ten_a");
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(*report.first_bad_seq, 2);
}

TEST_P(AuditLogTest, DetectsAnEventMovedToAnotherChain) {
  append_many("ten_a", 2);
  append_many("ten_b", 2);
  tamper("UPDATE audit_events SET chain = 'ten_b', seq = 3 WHERE chain = 'ten_a' AND seq = 2");
  EXPECT_EQ(*verify_one("ten_a").first_bad_seq, 2);
  EXPECT_EQ(*verify_one("ten_b").first_bad_seq, 3);
}

TEST_P(AuditLogTest, ListsWithFiltersAndCursor) {
  append_many("ten_a", 7);
  ASSERT_TRUE(ok(log().record(event("ten_a", "api_key.revoked", "key_2"))));
  Event denied = event("ten_a", "authorization.denied");
  denied.outcome = "denied";
  ASSERT_TRUE(ok(log().record(denied)));

  auto first = log().list({.chain = "ten_a", .limit = 4});
  ASSERT_TRUE(ok(first));
  ASSERT_EQ(first->records.size(), 4u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->records.front().seq, 9);  // newest first
  auto second = log().list({.chain = "ten_a", .before_seq = first->records.back().seq, .limit = 4});
  ASSERT_EQ(second->records.size(), 4u);
  EXPECT_EQ(second->records.front().seq, 5);
  auto third = log().list({.chain = "ten_a", .before_seq = second->records.back().seq, .limit = 4});
  ASSERT_EQ(third->records.size(), 1u);
  EXPECT_FALSE(third->more);

  auto keys = log().list({.chain = "ten_a", .action = "api_key.*", .limit = 50});
  EXPECT_EQ(keys->records.size(), 8u);
  auto revoked = log().list({.chain = "ten_a", .action = "api_key.revoked", .limit = 50});
  ASSERT_EQ(revoked->records.size(), 1u);
  EXPECT_EQ(revoked->records[0].event.target_id, "key_2");
  auto denials = log().list({.chain = "ten_a", .outcome = "denied", .limit = 50});
  EXPECT_EQ(denials->records.size(), 1u);
  auto by_target = log().list({.chain = "ten_a", .target_id = "key_3", .limit = 50});
  EXPECT_EQ(by_target->records.size(), 1u);
  auto future = log().list({.chain = "ten_a", .since = "2999-01-01T00:00:00.000Z", .limit = 50});
  EXPECT_TRUE(future->records.empty());
  auto past = log().list({.chain = "ten_a", .until = "2000-01-01T00:00:00.000Z", .limit = 50});
  EXPECT_TRUE(past->records.empty());
  auto other = log().list({.chain = "ten_b", .limit = 50});
  EXPECT_TRUE(other->records.empty());
}

TEST_P(AuditLogTest, ConcurrentAppendersKeepOneChain) {
  // Separate Database objects are separate connection pools, like separate replicas.
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::unique_ptr<store::Database>> databases;
  for (int i = 0; i < kThreads; ++i) databases.push_back(open(options()));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      AuditLog writer(*databases[static_cast<std::size_t>(t)], core::system_random());
      for (int i = 0; i < kEach; ++i) {
        if (!writer.record(event("ten_a", "api_key.created"))) failures.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ChainReport report = verify_one("ten_a");
  EXPECT_TRUE(report.intact()) << report.problem;
  EXPECT_EQ(report.entries, kThreads * kEach);
}

TEST_P(AuditLogTest, AsyncWriterWritesEverythingItAccepted) {
  {
    AsyncWriter writer(log());
    for (int i = 0; i < 300; ++i) EXPECT_TRUE(writer.submit(event("", "authentication.failed")));
    writer.flush();
    EXPECT_EQ(writer.dropped(), 0u);
    EXPECT_EQ(writer.failed(), 0u);
    EXPECT_EQ(verify_one(std::string(kPlatformChain)).entries, 300);
  }
  AsyncWriter full(log(), 0);
  EXPECT_FALSE(full.submit(event("", "authentication.failed")));
  EXPECT_EQ(full.dropped(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

TEST(AuditCanonicalForm, FieldBoundariesCannotBeShifted) {
  Record a;
  a.chain = "ten_a";
  a.event.action = "api_key.created";
  a.event.actor_id = "ab";
  a.event.credential_id = "c";
  Record b = a;
  b.event.actor_id = "a";
  b.event.credential_id = "bc";
  EXPECT_NE(canonical_form(a), canonical_form(b));
  EXPECT_NE(chain_hash(a), chain_hash(b));
  Record c = a;
  c.prev_hash = std::string(64, '1');
  EXPECT_NE(chain_hash(a), chain_hash(c));
}

TEST(AuditTime, NormalizesToMilliseconds) {
  EXPECT_EQ(normalize_time("2026-11-22T08:00:00Z"), "2026-11-22T08:00:00.000Z");
  EXPECT_EQ(normalize_time("2026-11-22T08:00:00.5Z"), "2026-11-22T08:00:00.500Z");
  EXPECT_EQ(normalize_time("2026-11-22T08:00:00.123456Z"), "2026-11-22T08:00:00.123Z");
  EXPECT_FALSE(normalize_time("2026-11-22T08:00:00+01:00"));
  EXPECT_FALSE(normalize_time("2026-11-22 08:00:00Z"));
  EXPECT_FALSE(normalize_time("2026-11-22T08:00:00.Z"));
  EXPECT_FALSE(normalize_time(""));
}

}  // namespace
}  // namespace aic::audit
