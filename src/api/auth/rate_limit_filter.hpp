// Per-tenant and per-key rate limits, after authentication and before authorization: a
// credential that checks out is charged whether or not it may call the route, so probing
// routes costs quota too.
//
// Each tenant's plan gives it a budget per minute that all its keys share ("tenant" policy);
// a key may have a lower limit of its own ("key" policy). Every answer to an authenticated
// request carries both policies (draft-ietf-httpapi-ratelimit-headers):
//
//   RateLimit-Policy: "tenant";q=600;w=60, "key";q=100;w=60
//   RateLimit: "tenant";r=598;t=1, "key";r=99;t=1
//
// Over a limit the request is answered 429 (quota-exceeded) with Retry-After. Requests
// without a principal (public routes, failed authentication) are not limited here.
#pragma once

#include "core/config.hpp"
#include "http/pipeline.hpp"
#include "ratelimit/rate_limiter.hpp"

namespace aic::api {

class RateLimitFilter final : public http::Filter {
 public:
  RateLimitFilter(ratelimit::RateLimiter& limiter, const core::RateLimitConfig& limits)
      : limiter_(limiter), limits_(limits) {}

  std::optional<http::Response> on_request(http::RequestContext& context) override;

  // The tenant-wide limit for `principal`'s plan.
  ratelimit::Limit plan_limit(const core::Principal& principal) const;

 private:
  ratelimit::RateLimiter& limiter_;
  const core::RateLimitConfig limits_;
};

}  // namespace aic::api
