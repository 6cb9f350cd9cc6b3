// The retry loop of Database::transact, shared by both backends. Private to src/store.
#pragma once

#include <chrono>
#include <functional>

#include "core/result.hpp"

namespace aic::store {

// What one attempt at a transaction produced. `transient` marks a failure that repeating the
// whole transaction may cure (SQLite busy/locked, PostgreSQL serialization failure, deadlock,
// or a connection lost before COMMIT was sent).
struct AttemptOutcome {
  core::Status status;
  bool transient = false;
};

// Runs `attempt` until it succeeds, fails permanently, or `max_attempts` transient failures
// have happened (then kUnavailable "database is busy …"). Between attempts it sleeps with
// exponential backoff and jitter, so that contending callers spread out instead of colliding
// again in lock-step. Exceptions from `attempt` propagate. REQUIRES: max_attempts >= 1.
core::Status run_with_retries(int max_attempts, const std::function<AttemptOutcome()>& attempt);

// The pause before retry number `retry` (1 for the first retry): uniformly random in
// [d/2, d] where d = min(kMaxBackoff, kBaseBackoff × 2^(retry-1)). Exposed for tests.
std::chrono::microseconds retry_backoff(int retry);

}  // namespace aic::store
