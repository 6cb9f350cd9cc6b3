// Retry schedule, Retry-After, the circuit breaker and per-endpoint pacing.
#include "webhooks/delivery_policy.hpp"

#include <gtest/gtest.h>

namespace aic::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(RetrySchedule, FollowsTheDocumentedScheduleThenGivesUp) {
  const std::vector<Millis> expected = {seconds(5), minutes(5), minutes(30), hours(2),
                                        hours(5),   hours(10),  hours(10)};
  for (int attempts = 1; attempts < kMaxAttempts; ++attempts) {
    auto delay = scheduled_delay(attempts);
    ASSERT_TRUE(delay) << attempts;
    EXPECT_EQ(*delay, expected[static_cast<std::size_t>(attempts - 1)]) << attempts;
  }
  EXPECT_FALSE(scheduled_delay(kMaxAttempts));
  EXPECT_FALSE(scheduled_delay(0));
}

TEST(RetrySchedule, JitterStaysWithinTenPercentAndRetryAfterIsAFloor) {
  EXPECT_EQ(retry_delay(seconds(100), 0.0, std::nullopt), seconds(90));
  EXPECT_EQ(retry_delay(seconds(100), 0.5, std::nullopt), seconds(100));
  EXPECT_LE(retry_delay(seconds(100), 0.999999, std::nullopt), seconds(110));
  // The receiver asked for more time than the schedule gives: honoured.
  EXPECT_EQ(retry_delay(seconds(5), 0.5, Millis(seconds(120))), seconds(120));
  // It asked for less: the schedule still applies.
  EXPECT_EQ(retry_delay(minutes(5), 0.5, Millis(seconds(1))), minutes(5));
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
  auto now = Clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("120", now), Millis(seconds(120)));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Millis(0));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now), Millis(seconds(60)));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Millis(0));
  EXPECT_EQ(parse_retry_after("99999999999999999999", now), Millis(hours(24)));
  EXPECT_EQ(parse_retry_after("66666666666666666", now), Millis(hours(24)));
  // Far from now in either direction: no overflow (found by the fuzzer).
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 199 08:49:37 GMT", now), Millis(0));
  EXPECT_EQ(parse_retry_after("Fri, 06 Nov 9999 08:49:37 GMT", now), Millis(hours(24)));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
}

TEST(DeliveryOutcome, OnlyTwoHundredsCount) {
  EXPECT_TRUE(is_success(200));
  EXPECT_TRUE(is_success(204));
  EXPECT_FALSE(is_success(301));
  EXPECT_FALSE(is_success(302));
  EXPECT_FALSE(is_success(410));
  EXPECT_FALSE(is_success(0));
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndProbesOnce) {
  CircuitBreaker breaker;
  Clock::time_point now{};
  for (int i = 0; i < CircuitBreaker::kOpenAfter - 1; ++i) {
    ASSERT_TRUE(breaker.allow(now));
    breaker.record(false, now);
  }
  EXPECT_FALSE(breaker.open());
  breaker.record(false, now);
  EXPECT_TRUE(breaker.open());
  EXPECT_FALSE(breaker.allow(now + seconds(29)));
  // Cool-down over: exactly one probe goes.
  EXPECT_TRUE(breaker.allow(now + seconds(30)));
  EXPECT_FALSE(breaker.allow(now + seconds(30)));
  // The probe failed: open again, for twice as long.
  breaker.record(false, now + seconds(30));
  EXPECT_FALSE(breaker.allow(now + seconds(30) + seconds(59)));
  EXPECT_TRUE(breaker.allow(now + seconds(30) + seconds(60)));
  breaker.record(true, now + seconds(90));
  EXPECT_FALSE(breaker.open());
  EXPECT_TRUE(breaker.allow(now + seconds(90)));
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  CircuitBreaker breaker;
  Clock::time_point now{};
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < CircuitBreaker::kOpenAfter - 1; ++i) breaker.record(false, now);
    breaker.record(true, now);
  }
  EXPECT_FALSE(breaker.open());
}

TEST(EndpointPacer, AllowsTheRateWithABurstOfOneSecond) {
  EndpointPacer pacer;
  Clock::time_point now{};
  Millis wait{0};
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += pacer.take(10, now, wait) ? 1 : 0;
  EXPECT_EQ(allowed, 10);
  EXPECT_GT(wait, Millis(0));
  EXPECT_LE(wait, Millis(101));
  EXPECT_FALSE(pacer.take(10, now + Millis(50), wait));
  EXPECT_TRUE(pacer.take(10, now + Millis(101), wait));
}

}  // namespace
}  // namespace aic::webhooks
