#include "webhooks/delivery_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>

namespace aic::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::array<Millis, kMaxAttempts - 1> kSchedule = {
    seconds(5), minutes(5), minutes(30), hours(2), hours(5), hours(10), hours(10)};

constexpr Millis kMaxRetryAfter = hours(24);
constexpr Millis kMaxCoolDown = minutes(10);

}  // namespace

std::optional<Millis> scheduled_delay(int attempts_made) {
  if (attempts_made < 1 || attempts_made >= kMaxAttempts) return std::nullopt;
  return kSchedule[static_cast<std::size_t>(attempts_made - 1)];
}

Millis retry_delay(Millis scheduled, double jitter_unit, std::optional<Millis> retry_after) {
  double factor = 0.9 + 0.2 * std::clamp(jitter_unit, 0.0, 1.0);
  auto jittered =
      Millis(static_cast<std::int64_t>(static_cast<double>(scheduled.count()) * factor));
  if (retry_after && *retry_after > jittered) return std::min(*retry_after, kMaxRetryAfter);
  return jittered;
}

std::optional<Millis> parse_retry_after(std::string_view value, Clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t delay = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), delay);
    const std::int64_t max_seconds = std::chrono::duration_cast<seconds>(kMaxRetryAfter).count();
    if (error != std::errc{} || end != value.data() + value.size() || delay > max_seconds) {
      return kMaxRetryAfter;  // more than fits, or more than a day: a day
    }
    return Millis(seconds(delay));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm parts{};
  std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  // Compared in seconds: a date far from now (year 199, say) must not overflow the clock.
  const std::int64_t at = timegm(&parts);
  const std::int64_t now_seconds = Clock::to_time_t(now);
  if (at <= now_seconds) return Millis(0);
  const std::int64_t max_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count();
  return Millis(std::chrono::seconds(std::min(at - now_seconds, max_seconds)));
}

bool CircuitBreaker::allow(Clock::time_point now) {
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now < open_until_) return false;
      state_ = State::kHalfOpen;  // this caller is the probe
      return true;
    case State::kHalfOpen:
      return false;  // the probe's answer is not in yet
  }
  return true;
}

void CircuitBreaker::record(bool succeeded, Clock::time_point now) {
  if (succeeded) {
    state_ = State::kClosed;
    consecutive_failures_ = 0;
    cool_down_ = Millis(30'000);
    return;
  }
  ++consecutive_failures_;
  if (state_ == State::kHalfOpen) {
    cool_down_ = std::min(cool_down_ * 2, kMaxCoolDown);
  } else if (consecutive_failures_ < kOpenAfter) {
    return;
  }
  state_ = State::kOpen;
  open_until_ = now + cool_down_;
}

bool EndpointPacer::take(std::int64_t per_second, Clock::time_point now, Millis& wait) {
  const auto capacity = static_cast<double>(per_second);
  if (tokens_ < 0) {
    tokens_ = capacity;
    refilled_ = now;
  }
  double elapsed = std::chrono::duration<double>(now - refilled_).count();
  if (elapsed > 0) {
    tokens_ = std::min(capacity, tokens_ + elapsed * capacity);
    refilled_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return true;
  }
  wait = Millis(static_cast<std::int64_t>((1 - tokens_) / capacity * 1000) + 1);
  return false;
}

}  // namespace aic::webhooks
