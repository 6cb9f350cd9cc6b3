#include "ratelimit/concurrency_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace aic::ratelimit {
namespace {

using Permit = ConcurrencyLimiter::Permit;

static_assert(!std::is_copy_constructible_v<Permit>);
static_assert(!std::is_copy_assignable_v<Permit>);
static_assert(std::is_nothrow_move_constructible_v<Permit>);
static_assert(std::is_nothrow_move_assignable_v<Permit>);

TEST(ConcurrencyLimiter, DeniesOnceTheCapIsReached) {
  ConcurrencyLimiter limiter;
  auto first = limiter.try_acquire("tenant", 2);
  auto second = limiter.try_acquire("tenant", 2);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_FALSE(limiter.try_acquire("tenant", 2));
  EXPECT_EQ(limiter.in_flight("tenant"), 2);  // the denied attempt took nothing
}

TEST(ConcurrencyLimiter, ReleasingAPermitMakesRoom) {
  ConcurrencyLimiter limiter;
  auto first = limiter.try_acquire("tenant", 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(limiter.try_acquire("tenant", 1));
  first.reset();
  EXPECT_EQ(limiter.in_flight("tenant"), 0);
  EXPECT_TRUE(limiter.try_acquire("tenant", 1));
}

TEST(ConcurrencyLimiter, AMovedFromPermitReleasesNothing) {
  ConcurrencyLimiter limiter;
  auto acquired = limiter.try_acquire("tenant", 2);
  ASSERT_TRUE(acquired);
  {
    Permit moved = std::move(*acquired);
    acquired.reset();  // destroys the moved-from permit
    EXPECT_EQ(limiter.in_flight("tenant"), 1);
  }
  EXPECT_EQ(limiter.in_flight("tenant"), 0);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(ConcurrencyLimiter, MoveAssignmentReleasesThePermitItReplaces) {
  ConcurrencyLimiter limiter;
  auto a = limiter.try_acquire("a", 5);
  auto b = limiter.try_acquire("b", 5);
  ASSERT_TRUE(a && b);
  *a = std::move(*b);
  EXPECT_EQ(limiter.in_flight("a"), 0);
  EXPECT_EQ(limiter.in_flight("b"), 1);
  b.reset();
  EXPECT_EQ(limiter.in_flight("b"), 1);
  a.reset();
  EXPECT_EQ(limiter.in_flight("b"), 0);

  auto c = limiter.try_acquire("c", 5);
  ASSERT_TRUE(c);
  Permit& self = *c;
  *c = std::move(self);  // self-move keeps the permit
  EXPECT_EQ(limiter.in_flight("c"), 1);
}

TEST(ConcurrencyLimiter, KeysAreIndependent) {
  ConcurrencyLimiter limiter;
  auto a = limiter.try_acquire("a", 1);
  ASSERT_TRUE(a);
  EXPECT_FALSE(limiter.try_acquire("a", 1));
  auto b = limiter.try_acquire("b", 1);
  EXPECT_TRUE(b);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(ConcurrencyLimiter, ANonPositiveCapDeniesEverything) {
  ConcurrencyLimiter limiter;
  EXPECT_FALSE(limiter.try_acquire("a", 0));
  EXPECT_FALSE(limiter.try_acquire("a", -1));
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(ConcurrencyLimiter, TheMapEmptiesWhenEveryPermitIsReleased) {
  ConcurrencyLimiter limiter;
  {
    std::vector<Permit> permits;
    for (int key = 0; key < 1'000; ++key) {
      for (int i = 0; i < 3; ++i) {
        auto permit = limiter.try_acquire("key-" + std::to_string(key), 3);
        ASSERT_TRUE(permit);
        permits.push_back(std::move(*permit));  // vector growth moves permits around too
      }
    }
    EXPECT_EQ(limiter.size(), 1'000u);
    EXPECT_EQ(limiter.in_flight("key-7"), 3);
  }
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(ConcurrencyLimiter, NeverExceedsTheCapUnderContention) {
  ConcurrencyLimiter limiter;
  constexpr int kThreads = 4;
  constexpr std::int64_t kCap = 3;
  std::atomic<std::int64_t> holding{0};
  std::atomic<std::int64_t> most_held{0};
  std::atomic<int> granted{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < 5'000; ++i) {
        auto permit = limiter.try_acquire("shared", kCap);
        if (!permit) continue;
        granted.fetch_add(1);
        std::int64_t now_holding = holding.fetch_add(1) + 1;
        std::int64_t seen = most_held.load();
        while (now_holding > seen && !most_held.compare_exchange_weak(seen, now_holding)) {
        }
        holding.fetch_sub(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(most_held.load(), kCap);
  EXPECT_GT(granted.load(), 0);
  EXPECT_EQ(limiter.size(), 0u);
}

}  // namespace
}  // namespace aic::ratelimit
