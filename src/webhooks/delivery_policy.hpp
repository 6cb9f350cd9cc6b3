// The decisions a delivery worker makes, as pure functions and small state machines: when to
// try again, when to give up, when to stop calling a receiver for a while.
//
// Threading: functions are pure; CircuitBreaker and EndpointPacer are not thread-safe (the
// dispatcher keeps one per endpoint on its own thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace aic::webhooks {

using Clock = std::chrono::system_clock;
using Millis = std::chrono::milliseconds;

// Delays before attempts 2, 3, … 8 (attempt 1 is immediate): 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h, 10 h — about 28 hours in all.
inline constexpr int kMaxAttempts = 8;
// An endpoint whose deliveries have all failed for this long is disabled.
inline constexpr std::chrono::hours kDisableAfterFailingFor{24 * 5};

// The delay after failed attempt `attempts_made` (1-based), before jitter; nullopt when that
// was the last attempt.
std::optional<Millis> scheduled_delay(int attempts_made);

// The delay actually used: the schedule with ±10 % jitter (`jitter_unit` in [0, 1) picks
// where), and never sooner than the receiver's Retry-After.
Millis retry_delay(Millis scheduled, double jitter_unit, std::optional<Millis> retry_after);

// A Retry-After header value (delay-seconds or an HTTP date) as a delay from `now`; nullopt
// when it is neither. Capped at one day.
std::optional<Millis> parse_retry_after(std::string_view value, Clock::time_point now);

// Only a 2xx answer is a delivery; 3xx counts as failure (redirects are not followed).
inline bool is_success(int status) { return status >= 200 && status <= 299; }

// Stops sending to a receiver that keeps failing: after `kOpenAfter` consecutive failures
// the circuit opens for a cool-down that doubles on every failed probe (30 s up to 10 min);
// then one probe is let through (half-open) and its outcome closes or re-opens it.
class CircuitBreaker {
 public:
  static constexpr int kOpenAfter = 5;

  // Whether a request may go now. In the half-open state only the first caller gets true
  // until record() reports the probe's outcome.
  bool allow(Clock::time_point now);
  // When the next request may go, if allow() said no.
  Clock::time_point retry_at() const { return open_until_; }
  void record(bool succeeded, Clock::time_point now);
  bool open() const { return state_ != State::kClosed; }

 private:
  enum class State { kClosed, kOpen, kHalfOpen };
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  Millis cool_down_{30'000};
  Clock::time_point open_until_{};
};

// An endpoint's own rate limit (deliveries per second), as a token bucket refilled
// continuously with a burst of one second's worth.
class EndpointPacer {
 public:
  // Whether a delivery may start now; if not, `wait` says how long until one may.
  bool take(std::int64_t per_second, Clock::time_point now, Millis& wait);

 private:
  double tokens_ = -1;  // negative: not yet initialised
  Clock::time_point refilled_{};
};

}  // namespace aic::webhooks
