// A limit on failed authentications per client address, so that guessing credentials (or a
// client stuck on a bad key) cannot make the server look up credentials and write audit events
// as fast as the network allows.
//
// Failures are counted after the fact (record_failure); the check comes before the expensive
// part (a database lookup, a password-grade hash): once an address has failed
// `failures_per_minute` times, credentials from it that were not verified recently are answered
// 429 with Retry-After until its budget refills. Keys already in the credential cache keep
// working, so a legitimate client behind the same address as an attacker loses only new logins.
//
// Threading: thread-safe (the rate limiter is).
#pragma once

#include <cstdint>
#include <optional>

#include "http/context.hpp"
#include "http/message.hpp"
#include "ratelimit/rate_limiter.hpp"

namespace aic::api {

class FailureThrottle {
 public:
  FailureThrottle(ratelimit::RateLimiter& limiter, std::int64_t failures_per_minute)
      : limiter_(limiter), limit_{failures_per_minute, std::chrono::seconds(60)} {}

  // The 429 to answer when the request's client address has no failures left; nullopt when it
  // may try.
  std::optional<http::Response> refuse(const http::RequestContext& context);
  // Counts one failed authentication for the request's client address.
  void record_failure(const http::RequestContext& context);

 private:
  ratelimit::RateLimiter& limiter_;
  const ratelimit::Limit limit_;
};

}  // namespace aic::api
