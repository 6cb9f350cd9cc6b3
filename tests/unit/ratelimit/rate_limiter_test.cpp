#include "ratelimit/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace aic::ratelimit {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// An arbitrary, non-zero start so no test relies on the clock's epoch.
const Clock::time_point kStart = Clock::time_point(hours(1000));

// Acquires `count` times at `now`; returns how many were allowed.
int acquire_n(RateLimiter& limiter, std::string_view key, const Limit& limit, Clock::time_point now,
              int count) {
  int allowed = 0;
  for (int i = 0; i < count; ++i) allowed += limiter.acquire(key, limit, now).allowed ? 1 : 0;
  return allowed;
}

TEST(InMemoryRateLimiter, AllowsExactlyQuotaInABurstThenDenies) {
  InMemoryRateLimiter limiter;
  const Limit limit{100, seconds(60)};  // one request every 600 ms
  for (std::int64_t i = 0; i < 100; ++i) {
    Decision decision = limiter.acquire("k", limit, kStart);
    ASSERT_TRUE(decision.allowed) << i;
    EXPECT_EQ(decision.limit, 100);
    EXPECT_EQ(decision.remaining, 99 - i);
    EXPECT_EQ(decision.retry_after, seconds(0));
  }
  Decision denied = limiter.acquire("k", limit, kStart);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.limit, 100);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_EQ(denied.reset, seconds(60));
  EXPECT_EQ(denied.retry_after, seconds(1));  // 600 ms, rounded up
}

TEST(InMemoryRateLimiter, PeekDecidesLikeAcquireWithoutCounting) {
  InMemoryRateLimiter limiter;
  const Limit limit{2, seconds(60)};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.peek("k", limit, kStart).allowed);
  EXPECT_EQ(acquire_n(limiter, "k", limit, kStart, 2), 2);
  Decision peeked = limiter.peek("k", limit, kStart);
  EXPECT_FALSE(peeked.allowed);
  EXPECT_EQ(peeked.retry_after, limiter.acquire("k", limit, kStart).retry_after);
  EXPECT_TRUE(limiter.peek("k", limit, kStart + seconds(30)).allowed);
}

TEST(InMemoryRateLimiter, RetryAfterIsExactAtTheBoundaries) {
  InMemoryRateLimiter limiter;
  const Limit limit{2, seconds(10)};  // T = 5 s
  ASSERT_EQ(acquire_n(limiter, "k", limit, kStart, 2), 2);

  EXPECT_EQ(limiter.acquire("k", limit, kStart).retry_after, seconds(5));
  EXPECT_EQ(limiter.acquire("k", limit, kStart + nanoseconds(1)).retry_after, seconds(5));
  EXPECT_EQ(limiter.acquire("k", limit, kStart + seconds(4)).retry_after, seconds(1));
  EXPECT_EQ(limiter.acquire("k", limit, kStart + milliseconds(4500)).retry_after, seconds(1));
  Decision last_denied = limiter.acquire("k", limit, kStart + seconds(5) - nanoseconds(1));
  EXPECT_FALSE(last_denied.allowed);
  EXPECT_EQ(last_denied.retry_after, seconds(1));  // 1 ns, rounded up

  // Denied requests were not counted: the slot opens exactly when the first answer said.
  Decision allowed = limiter.acquire("k", limit, kStart + seconds(5));
  EXPECT_TRUE(allowed.allowed);
  EXPECT_EQ(allowed.retry_after, seconds(0));
  EXPECT_EQ(allowed.remaining, 0);
}

TEST(InMemoryRateLimiter, QuotaOfOneWaitsTheWholeWindow) {
  InMemoryRateLimiter limiter;
  const Limit limit{1, seconds(10)};
  EXPECT_TRUE(limiter.acquire("k", limit, kStart).allowed);
  Decision denied = limiter.acquire("k", limit, kStart);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, seconds(10));
  EXPECT_EQ(denied.reset, seconds(10));
  EXPECT_FALSE(limiter.acquire("k", limit, kStart + seconds(10) - nanoseconds(1)).allowed);
  EXPECT_TRUE(limiter.acquire("k", limit, kStart + seconds(10)).allowed);
}

TEST(InMemoryRateLimiter, SteadyRateOfOnePerIntervalIsAllowedForever) {
  InMemoryRateLimiter limiter;
  const Limit limit{10, seconds(1)};  // T = 100 ms
  const nanoseconds interval = milliseconds(100);

  // From an idle key, the full quota is never touched.
  for (int i = 0; i < 10'000; ++i) {
    Decision decision = limiter.acquire("fresh", limit, kStart + i * interval);
    ASSERT_TRUE(decision.allowed) << i;
    ASSERT_EQ(decision.remaining, 9) << i;
  }

  // After the burst is spent, exactly one request per interval gets through, forever.
  ASSERT_EQ(acquire_n(limiter, "drained", limit, kStart, 10), 10);
  for (int i = 1; i <= 10'000; ++i) {
    Clock::time_point now = kStart + i * interval;
    ASSERT_TRUE(limiter.acquire("drained", limit, now).allowed) << i;
    Decision denied = limiter.acquire("drained", limit, now);
    ASSERT_FALSE(denied.allowed) << i;
    ASSERT_EQ(denied.retry_after, seconds(1)) << i;
  }
}

TEST(InMemoryRateLimiter, RecoversTheQuotaAsTimePasses) {
  InMemoryRateLimiter limiter;
  const Limit limit{100, seconds(60)};
  ASSERT_EQ(acquire_n(limiter, "k", limit, kStart, 100), 100);
  // Half a window refills half the quota.
  EXPECT_EQ(acquire_n(limiter, "k", limit, kStart + seconds(30), 200), 50);
  // A whole window after the bucket was last emptied, all of it.
  EXPECT_EQ(acquire_n(limiter, "k", limit, kStart + seconds(90), 200), 100);
  // Long after, still no more than the quota.
  EXPECT_EQ(acquire_n(limiter, "k", limit, kStart + days(30), 200), 100);
}

TEST(InMemoryRateLimiter, RemainingAndResetFollowTheBucket) {
  InMemoryRateLimiter limiter;
  const Limit limit{10, seconds(10)};  // T = 1 s

  Decision first = limiter.acquire("k", limit, kStart);
  EXPECT_EQ(first.remaining, 9);
  EXPECT_EQ(first.reset, seconds(1));  // full again once this one request has drained
  limiter.acquire("k", limit, kStart);
  Decision third = limiter.acquire("k", limit, kStart);
  EXPECT_EQ(third.remaining, 7);
  EXPECT_EQ(third.reset, seconds(3));

  // 1.5 s later: 1.5 requests have drained; the TAT was start + 3 s, now start + 4 s.
  Decision later = limiter.acquire("k", limit, kStart + milliseconds(1500));
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 7);       // floor((1.5 + 10 - 4) / 1)
  EXPECT_EQ(later.reset, seconds(3));  // 2.5 s, rounded up
  EXPECT_EQ(later.retry_after, seconds(0));

  // Once idle past its TAT, the key is as good as new.
  EXPECT_EQ(limiter.acquire("k", limit, kStart + seconds(4)).remaining, 9);
}

TEST(InMemoryRateLimiter, KeysAreIndependent) {
  InMemoryRateLimiter limiter;
  const Limit limit{3, seconds(60)};
  EXPECT_EQ(acquire_n(limiter, "tenant-a", limit, kStart, 10), 3);
  Decision other = limiter.acquire("tenant-b", limit, kStart);
  EXPECT_TRUE(other.allowed);
  EXPECT_EQ(other.remaining, 2);
  EXPECT_FALSE(limiter.acquire("tenant-a", limit, kStart).allowed);
  // Keys are exact bytes: a prefix is another key.
  EXPECT_TRUE(limiter.acquire("tenant-", limit, kStart).allowed);
}

TEST(InMemoryRateLimiter, HugeQuotaAndLongWindowsDoNotOverflow) {
  InMemoryRateLimiter limiter;
  // Far from the epoch, so that now + window is large too.
  const Clock::time_point far = Clock::time_point(days(365 * 200));

  const Limit per_day{kMaxQuota, seconds(days(1))};  // T = 86,400 ns
  Decision first = limiter.acquire("day", per_day, far);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, kMaxQuota - 1);
  EXPECT_EQ(first.reset, seconds(1));  // 86,400 ns, rounded up
  // 86,400 ns of the day's refill is exactly one request back.
  limiter.acquire("day", per_day, far);
  EXPECT_EQ(limiter.acquire("day", per_day, far + nanoseconds(86'400)).remaining, kMaxQuota - 2);

  const Limit per_second{kMaxQuota, seconds(1)};  // T = 1 ns
  EXPECT_EQ(limiter.acquire("second", per_second, far).remaining, kMaxQuota - 1);

  const Limit widest{kMaxQuota, kMaxWindow};
  EXPECT_EQ(limiter.acquire("widest", widest, far).remaining, kMaxQuota - 1);

  const Limit once_a_year{1, kMaxWindow};
  EXPECT_TRUE(limiter.acquire("year", once_a_year, far).allowed);
  Decision denied = limiter.acquire("year", once_a_year, far);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, kMaxWindow);
  EXPECT_EQ(denied.reset, kMaxWindow);
  EXPECT_TRUE(limiter.acquire("year", once_a_year, far + kMaxWindow).allowed);
}

TEST(InMemoryRateLimiter, AQuotaThatDoesNotDivideTheWindowStillAllowsExactlyQuota) {
  InMemoryRateLimiter limiter;
  const Limit limit{7, seconds(60)};  // T = 8.571428571 s, rounded down to the nanosecond
  EXPECT_EQ(acquire_n(limiter, "k", limit, kStart, 10), 7);
  EXPECT_EQ(limiter.acquire("k", limit, kStart).reset, seconds(60));
  EXPECT_EQ(acquire_n(limiter, "k", limit, kStart + seconds(60), 10), 7);
}

TEST(InMemoryRateLimiter, ChangingAKeysLimitKeepsItsState) {
  InMemoryRateLimiter limiter;
  ASSERT_EQ(acquire_n(limiter, "k", Limit{10, seconds(10)}, kStart, 10), 10);
  // The state is time: 10 s of the window are spent. Doubling the window leaves 10 s, which
  // at the new interval of 2 s is 5 requests.
  EXPECT_EQ(acquire_n(limiter, "k", Limit{10, seconds(20)}, kStart, 100), 5);
  // Now 20 s are spent, more than a lower limit's whole window: nothing until it drains.
  Decision denied = limiter.acquire("k", Limit{1, seconds(5)}, kStart);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_EQ(denied.retry_after, seconds(20));
}

TEST(InMemoryRateLimiter, SizeNeverExceedsMaxKeys) {
  constexpr std::size_t kMaxKeys = 1000;
  InMemoryRateLimiter limiter(kMaxKeys);
  EXPECT_EQ(limiter.max_keys(), kMaxKeys);
  const Limit limit{5, hours(1)};  // nothing expires during the test
  for (int i = 0; i < 10 * static_cast<int>(kMaxKeys); ++i) {
    // A new key is never denied for lack of room.
    ASSERT_TRUE(limiter.acquire("key-" + std::to_string(i), limit, kStart).allowed) << i;
    ASSERT_LE(limiter.size(), kMaxKeys) << i;
  }
  // Eviction frees an eighth of a shard at a time, not the whole limiter.
  EXPECT_GT(limiter.size(), kMaxKeys / 2);
}

TEST(InMemoryRateLimiter, SmallLimitersStayBounded) {
  for (std::size_t max_keys : {1, 2, 3, 15, 17, 100}) {
    InMemoryRateLimiter limiter(max_keys);
    for (int i = 0; i < 50; ++i) {
      limiter.acquire(std::to_string(i), Limit{1, seconds(60)}, kStart);
      ASSERT_LE(limiter.size(), max_keys) << max_keys << " " << i;
    }
  }
}

TEST(InMemoryRateLimiter, FullShardDropsRefilledKeysBeforeEvictingAnything) {
  InMemoryRateLimiter limiter(16);  // one shard of 16
  const Limit limit{10, seconds(10)};
  for (int i = 0; i < 16; ++i) limiter.acquire("old-" + std::to_string(i), limit, kStart);
  limiter.acquire("busy", limit, kStart);  // full shard: the 2 earliest TATs make room
  ASSERT_EQ(limiter.size(), 15u);
  ASSERT_EQ(acquire_n(limiter, "busy", limit, kStart, 8), 8);  // 9 spent
  // 1 s later every "old-" bucket is full again (TAT = start + 1 s); "busy" is not.
  const Clock::time_point later = kStart + seconds(1);
  limiter.acquire("new-1", limit, later);
  limiter.acquire("new-2", limit, later);
  // "new-1" filled the shard; "new-2" found it full and dropped the 14 refilled keys, which
  // is enough room, so nothing with state was evicted.
  EXPECT_EQ(limiter.size(), 3u);
  // "busy" kept its state: 9 spent, 1 refilled, so 2 left.
  EXPECT_EQ(limiter.acquire("busy", limit, later).remaining, 1);
}

TEST(InMemoryRateLimiter, EvictsTheBucketsClosestToFull) {
  InMemoryRateLimiter limiter(16);       // one shard of 16
  const Limit limit{100, seconds(100)};  // T = 1 s
  // key-i spends i + 1 requests: its TAT is start + (i + 1) s.
  for (int i = 0; i < 16; ++i) {
    acquire_n(limiter, "key-" + std::to_string(i), limit, kStart, i + 1);
  }
  ASSERT_EQ(limiter.size(), 16u);
  limiter.acquire("newcomer", limit, kStart);  // frees 16 / 8 = 2 slots
  EXPECT_EQ(limiter.size(), 15u);
  // key-15 kept its 16 spent requests; key-0 and key-1 were forgotten (a full bucket again).
  EXPECT_EQ(limiter.acquire("key-15", limit, kStart).remaining, 100 - 17);
  EXPECT_EQ(limiter.acquire("key-2", limit, kStart).remaining, 100 - 4);
  EXPECT_EQ(limiter.acquire("key-0", limit, kStart).remaining, 99);
  EXPECT_EQ(limiter.acquire("key-1", limit, kStart).remaining, 99);
}

TEST(InMemoryRateLimiter, ConcurrentRequestsOnOneKeyAllowExactlyQuota) {
  InMemoryRateLimiter limiter;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2'000;
  const Limit limit{1'000, seconds(60)};
  std::atomic<int> allowed{0};
  std::atomic<int> other_allowed{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        if (limiter.acquire("shared", limit, kStart).allowed) allowed.fetch_add(1);
        // Meanwhile, new keys land in every shard, each allowed.
        if (limiter.acquire("t" + std::to_string(t) + "-" + std::to_string(i), limit, kStart)
                .allowed) {
          other_allowed.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1'000);
  EXPECT_EQ(other_allowed.load(), kThreads * kPerThread);
}

TEST(InMemoryRateLimiter, ConcurrentNewKeysStayWithinTheBound) {
  constexpr std::size_t kMaxKeys = 256;
  InMemoryRateLimiter limiter(kMaxKeys);
  constexpr int kThreads = 4;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < 5'000; ++i) {
        // Some keys expire as time moves on, some are evicted.
        limiter.acquire(std::to_string(t) + ":" + std::to_string(i), Limit{2, seconds(10)},
                        kStart + milliseconds(i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(limiter.size(), kMaxKeys);
}

TEST(ValidateLimit, AcceptsTheDocumentedRange) {
  EXPECT_TRUE(validate_limit(Limit{1, seconds(1)}));
  EXPECT_TRUE(validate_limit(Limit{100, seconds(60)}));
  EXPECT_TRUE(validate_limit(Limit{kMaxQuota, kMaxWindow}));
}

TEST(ValidateLimit, RejectsOutOfRangeValuesNamingTheField) {
  const std::pair<Limit, std::string> cases[] = {
      {Limit{0, seconds(60)}, "quota"},
      {Limit{-1, seconds(60)}, "quota"},
      {Limit{kMaxQuota + 1, seconds(60)}, "quota"},
      {Limit{10, seconds(0)}, "window"},
      {Limit{10, seconds(-5)}, "window"},
      {Limit{10, kMaxWindow + seconds(1)}, "window"},
  };
  for (const auto& [limit, field] : cases) {
    core::Status status = validate_limit(limit);
    ASSERT_FALSE(status) << limit.quota << " per " << limit.window.count();
    EXPECT_EQ(status.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().field, field);
  }
}

TEST(RateLimitHeaders, FormatsPolicyAndCurrentState) {
  EXPECT_EQ(rate_limit_policy_header("default", Limit{100, seconds(60)}),
            R"("default";q=100;w=60)");
  Decision decision{.allowed = true, .limit = 100, .remaining = 42, .reset = seconds(17)};
  EXPECT_EQ(rate_limit_header("default", decision), R"("default";r=42;t=17)");
}

TEST(RateLimitHeaders, FormatsARealDecision) {
  InMemoryRateLimiter limiter;
  const Limit limit{100, seconds(60)};
  acquire_n(limiter, "k", limit, kStart, 57);
  EXPECT_EQ(rate_limit_header("burst", limiter.acquire("k", limit, kStart)),
            R"("burst";r=42;t=35)");  // 58 × 0.6 s = 34.8 s
}

TEST(RateLimitHeaders, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(rate_limit_policy_header(R"(a "b" \c)", Limit{1, seconds(1)}),
            R"("a \"b\" \\c";q=1;w=1)");
}

TEST(RateLimitHeaders, PolicyNamesMustBeSfStringContent) {
  EXPECT_TRUE(validate_policy_name("default"));
  EXPECT_TRUE(validate_policy_name("per tenant, \"burst\" \\ ~"));
  EXPECT_FALSE(validate_policy_name(""));
  EXPECT_FALSE(validate_policy_name("a\r\nSet-Cookie: x"));
  EXPECT_FALSE(validate_policy_name("tab\there"));
  EXPECT_FALSE(validate_policy_name("\x7f"));
  EXPECT_FALSE(validate_policy_name("caf\xc3\xa9"));
  EXPECT_FALSE(validate_policy_name(std::string_view("nul\0", 4)));
  EXPECT_EQ(validate_policy_name("").error().field, "policy_name");
}

}  // namespace
}  // namespace aic::ratelimit
