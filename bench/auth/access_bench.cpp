// The per-request cost of access control on the hot path: authenticate an API key from the
// credential cache, charge the tenant's rate limit, check the route's permission.
//
// Baseline in the same run: SHA-256 of the key's secret alone, the one step no API-key check
// can skip. The report divides the full path by it.
//
//   build/bench/bench/auth/aic_access_bench
#include <benchmark/benchmark.h>

#include <filesystem>
#include <stdexcept>

#include "audit/audit_log.hpp"
#include "events/event_log.hpp"
#include "identity/api_keys.hpp"
#include "identity/identity_store.hpp"
#include "ratelimit/rate_limiter.hpp"
#include "store/migrations.hpp"

namespace {

using namespace aic;

// One SQLite database with a tenant whose owner key is already in the credential cache.
struct World {
  std::filesystem::path directory;
  std::unique_ptr<store::Database> database;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<events::EventLog> events;
  std::unique_ptr<identity::IdentityStore> identities;
  std::string token;

  World() {
    directory = std::filesystem::temp_directory_path() /
                ("aic-access-bench-" + core::random_hex(core::system_random(), 6));
    auto opened = store::open_database({.url = "sqlite://" + (directory / "aic.db").string()});
    if (!opened) throw std::runtime_error(opened.error().message);
    database = std::move(*opened);
    if (!store::apply_migrations(*database, store::builtin_migrations())) {
      throw std::runtime_error("migrations failed");
    }
    audit = std::make_unique<audit::AuditLog>(*database, core::system_random());
    events = std::make_unique<events::EventLog>(*database, core::system_random());
    identities = std::make_unique<identity::IdentityStore>(*database, core::system_random(), *audit,
                                                           *events, std::chrono::hours(1));
    core::Principal operator_principal;
    operator_principal.kind = core::Principal::Kind::kOperator;
    operator_principal.role = "platform_operator";
    auto created = identities->create_tenant(
        operator_principal, {.name = "Bench", .owner_email = "o@bench.example"}, {});
    if (!created) throw std::runtime_error(created.error().message);
    token = created->owner_key.token;
    if (!identities->authenticate(token)) throw std::runtime_error("authenticate failed");
  }
  ~World() {
    identities.reset();
    audit.reset();
    database.reset();
    std::filesystem::remove_all(directory);
  }
};

World& world() {
  static World instance;
  return instance;
}

void BM_Baseline_Sha256OfSecret(benchmark::State& state) {
  auto parsed = identity::parse_api_key(world().token);
  for (auto _ : state) benchmark::DoNotOptimize(identity::hash_secret(parsed->secret));
}
BENCHMARK(BM_Baseline_Sha256OfSecret);

void BM_AuthenticateRateLimitAuthorize(benchmark::State& state) {
  World& w = world();
  ratelimit::InMemoryRateLimiter limiter;
  // A limit no benchmark reaches: the cost measured is the decision, not a refusal.
  const ratelimit::Limit limit{1'000'000'000, std::chrono::seconds(60)};
  std::string bucket;
  for (auto _ : state) {
    auto principal = w.identities->authenticate_cached(w.token);
    if (!principal || !*principal) {
      state.SkipWithError("the key was not served from the cache");
      break;
    }
    const core::Principal& who = ***principal;
    bucket.assign("tenant:");
    bucket += who.tenant_id;
    auto decision = limiter.acquire(bucket, limit, ratelimit::Clock::now());
    bool allowed = decision.allowed && who.has("api_keys:read");
    benchmark::DoNotOptimize(allowed);
  }
}
BENCHMARK(BM_AuthenticateRateLimitAuthorize);

}  // namespace
