#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace aic::core {
namespace {

TEST(Metrics, RendersPrometheusTextFormat) {
  Registry registry;
  auto& requests = registry.counter("aic_requests_total", "Requests.", {"route", "status"});
  requests.with({"/healthz", "200"}).increment();
  requests.with({"/healthz", "200"}).increment(2);
  requests.with({"/a\"b", "404"}).increment();
  registry.gauge("aic_open", "Open.").with({}).set(7);
  auto& latency = registry.histogram("aic_latency_seconds", "Latency.", {"route"}, {0.001, 0.01});
  latency.with({"/x"}).observe_microseconds(500);    // ≤ 1 ms
  latency.with({"/x"}).observe_microseconds(5000);   // ≤ 10 ms
  latency.with({"/x"}).observe_microseconds(50000);  // +Inf

  std::string text = registry.render();
  EXPECT_NE(text.find("# TYPE aic_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("aic_requests_total{route=\"/healthz\",status=\"200\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("aic_requests_total{route=\"/a\\\"b\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("aic_open 7\n"), std::string::npos);
  EXPECT_NE(text.find("aic_latency_seconds_bucket{route=\"/x\",le=\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("aic_latency_seconds_bucket{route=\"/x\",le=\"0.01\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("aic_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("aic_latency_seconds_count{route=\"/x\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("aic_latency_seconds_sum{route=\"/x\"} 0.0555\n"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreExact) {
  Registry registry;
  auto& family = registry.counter("c_total", "C.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family, t] {
      for (int i = 0; i < 10000; ++i) family.with({std::to_string((t + i) % 3)}).increment();
    });
  }
  for (auto& thread : threads) thread.join();
  std::uint64_t total = 0;
  family.for_each([&](const auto&, const Counter& counter) { total += counter.value(); });
  EXPECT_EQ(total, 40000u);
}

TEST(Metrics, ShardedValuesSumAcrossThreads) {
  Registry registry;
  auto& gauge = registry.gauge("g", "G.").with({});
  auto& histogram = registry.histogram("h_seconds", "H.", {}, {0.001, 0.01}).with({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {  // more threads than shards: some share a shard
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        gauge.add(2);
        gauge.add(-1);
        histogram.observe_microseconds(i % 2 ? 500 : 5000);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(gauge.value(), 12000);
  auto snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, 12000u);
  EXPECT_EQ(snapshot.cumulative_counts.at(0), 6000u);   // <= 1 ms
  EXPECT_EQ(snapshot.cumulative_counts.at(1), 12000u);  // <= 10 ms
  EXPECT_DOUBLE_EQ(snapshot.sum_seconds, 6000 * 0.0005 + 6000 * 0.005);
  gauge.set(7);
  EXPECT_EQ(gauge.value(), 7);
}

}  // namespace
}  // namespace aic::core
