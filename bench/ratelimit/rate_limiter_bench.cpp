// The cost of one rate-limit decision, against a named baseline measured in the same run:
// baseline_map_update_* does what a single-threaded limiter with no lock would do per request
// (a heterogeneous lookup in an unordered_map and a write), so the difference is the price of
// the shard mutex and the GCRA arithmetic.
//
//   cmake --preset bench && cmake --build --preset bench --target aic_ratelimit_bench
//   build/bench/bench/ratelimit/aic_ratelimit_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ratelimit/concurrency_limiter.hpp"
#include "ratelimit/key_map.hpp"
#include "ratelimit/rate_limiter.hpp"

namespace aic::ratelimit {
namespace {

constexpr std::size_t kKeyCount = 10'000;
const Limit kLimit{1'000, std::chrono::seconds(1)};  // T = 1 ms

// Keys the length of a real one ("tenant:" + 16 hex digits), past std::string's inline buffer.
const std::vector<std::string>& keys() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> result;
    for (std::size_t i = 0; i < kKeyCount; ++i) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "tenant:%016zx", i * 0x9e3779b97f4a7c15u);
      result.emplace_back(buffer);
    }
    return result;
  }();
  return all;
}

void baseline_map_update_hot_key(benchmark::State& state) {
  detail::KeyMap<std::int64_t> map;
  const std::string_view key = keys()[0];
  map.emplace(std::string(key), 0);
  std::int64_t now = 0;
  for (auto _ : state) {
    auto it = map.find(key);
    it->second = std::max(it->second, now) + 1;
    benchmark::DoNotOptimize(it->second);
    ++now;
  }
}
BENCHMARK(baseline_map_update_hot_key);

void baseline_map_update_10k_keys(benchmark::State& state) {
  detail::KeyMap<std::int64_t> map;
  for (const auto& key : keys()) map.emplace(key, 0);
  std::int64_t now = 0;
  std::size_t next = 0;
  for (auto _ : state) {
    auto it = map.find(std::string_view(keys()[next]));
    it->second = std::max(it->second, now) + 1;
    benchmark::DoNotOptimize(it->second);
    ++now;
    next = next + 1 == kKeyCount ? 0 : next + 1;
  }
}
BENCHMARK(baseline_map_update_10k_keys);

// One limiter shared by every thread of a multi-threaded run.
InMemoryRateLimiter& shared_limiter() {
  static InMemoryRateLimiter limiter;
  return limiter;
}

// Every request is allowed: `now` advances by T each time.
void acquire_hot_key(benchmark::State& state) {
  RateLimiter& limiter = shared_limiter();
  const std::string_view key = keys()[0];
  Clock::time_point now = Clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.acquire(key, kLimit, now));
    now += std::chrono::milliseconds(1);
  }
}
BENCHMARK(acquire_hot_key);
// Both threads on one key: one shard mutex, bouncing between the cores.
BENCHMARK(acquire_hot_key)->Threads(2)->UseRealTime();

void acquire_10k_keys(benchmark::State& state) {
  RateLimiter& limiter = shared_limiter();
  Clock::time_point now = Clock::now();
  // Threads start at different keys so they mostly meet in different shards.
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * (kKeyCount / 2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.acquire(keys()[next], kLimit, now));
    now += std::chrono::microseconds(1);
    next = next + 1 == kKeyCount ? 0 : next + 1;
  }
}
BENCHMARK(acquire_10k_keys);
BENCHMARK(acquire_10k_keys)->Threads(2)->UseRealTime();

// A request that holds a permit for its duration: try_acquire, then the Permit's destructor.
// The key's first permit creates its entry and the last erases it (an allocation each time, as
// the key is longer than std::string's inline buffer) ...
void concurrency_permit_first_in_flight(benchmark::State& state) {
  ConcurrencyLimiter limiter;
  const std::string_view key = keys()[0];
  for (auto _ : state) {
    auto permit = limiter.try_acquire(key, 1'000);
    benchmark::DoNotOptimize(permit);
  }
}
BENCHMARK(concurrency_permit_first_in_flight);

// ... while a key that already has requests in flight only counts.
void concurrency_permit_already_in_flight(benchmark::State& state) {
  ConcurrencyLimiter limiter;
  const std::string_view key = keys()[0];
  auto held = limiter.try_acquire(key, 1'000);
  for (auto _ : state) {
    auto permit = limiter.try_acquire(key, 1'000);
    benchmark::DoNotOptimize(permit);
  }
}
BENCHMARK(concurrency_permit_already_in_flight);

}  // namespace
}  // namespace aic::ratelimit
