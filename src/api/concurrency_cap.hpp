// At most N requests of one tenant in flight on an expensive route (an export, a model call):
// one tenant's burst of slow requests must not occupy every worker. The rate limit bounds
// how often requests start; this bounds how many run at once.
//
// Over the cap the answer is 429 quota-exceeded with `Retry-After: 1`.
//
// Threading: thread-safe; the limiter must outlive the handlers it wraps.
#pragma once

#include <cstdint>

#include "http/router.hpp"
#include "ratelimit/concurrency_limiter.hpp"

namespace aic::api {

class ConcurrencyCap {
 public:
  explicit ConcurrencyCap(ratelimit::ConcurrencyLimiter& limiter) : limiter_(limiter) {}

  // `handler`, refused while `max_in_flight` requests of the caller's tenant (or of the
  // platform operator) are already running in it. `name` tells routes apart.
  http::Handler wrap(std::string name, std::int64_t max_in_flight, http::Handler handler);

 private:
  ratelimit::ConcurrencyLimiter& limiter_;
};

}  // namespace aic::api
