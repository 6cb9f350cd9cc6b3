// Rate limits: how many requests a key (an API key, a tenant, a client address) may make per
// window, decided with GCRA (the generic cell rate algorithm), and the RateLimit-Policy /
// RateLimit header values that tell the client where it stands.
//
// Time is passed in (`now`), never read here, so tests are exact and a shared backend can use
// its own clock instead. Limits come from configuration: validate them once at start-up with
// validate_limit() and validate_policy_name().
//
// Threading: InMemoryRateLimiter is thread-safe; any thread may call acquire() at any time. The
// limiter owns all per-key state; nothing it returns refers back to it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace aic::ratelimit {

using Clock = std::chrono::steady_clock;

// `quota` requests per `window`. The quota refills continuously, one request every
// window / quota, and a key that has been idle for a whole window may spend all of it at once
// (burst == quota). Like every token bucket, that lets up to about 2 × quota through in a
// window that straddles a burst and the refill after it; the long-run rate is exactly
// quota / window.
struct Limit {
  std::int64_t quota = 0;
  std::chrono::seconds window{0};
};

inline constexpr std::int64_t kMaxQuota = 1'000'000'000;
inline constexpr std::chrono::seconds kMaxWindow = std::chrono::days{366};

// Ok when 1 <= quota <= kMaxQuota and 1 s <= window <= kMaxWindow; otherwise kInvalidArgument
// with field "quota" or "window". The bounds keep every intermediate of the arithmetic well
// inside int64 nanoseconds, and leave at least 1 ns between two requests at the steady rate.
core::Status validate_limit(const Limit& limit);

struct Decision {
  bool allowed = false;
  std::int64_t limit = 0;      // the quota of the Limit that decided
  std::int64_t remaining = 0;  // requests the key could still make right now, after this one
  // Until the key's whole quota is available again, rounded up to a second.
  std::chrono::seconds reset{0};
  // 0 when allowed; otherwise until one request would be allowed, rounded up (>= 1 s).
  std::chrono::seconds retry_after{0};
};

// Decides requests against per-key limits. An interface so that replicas behind a load
// balancer can share limits through Redis: a RedisRateLimiter would keep the same one value
// per key (the TAT, see InMemoryRateLimiter) and run the same arithmetic atomically in a Lua
// script (EVALSHA), with PEXPIRE set to TAT - now so a key expires exactly when it stops
// carrying state. Two things would differ: `now` must come from Redis (TIME), because
// steady_clock is not comparable across machines, and Lua numbers are doubles (exact only to
// 2^53), so the script would count in microseconds rather than nanoseconds.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;

  // Counts one request for `key` at `now` and says whether it may proceed; a denied request
  // is not counted, so retrying early does not push the next allowed time further out. Keys
  // are exact byte strings: callers combine the policy and the subject ("api:tenant-42") when
  // one subject has several policies. A key whose limit changes (a plan upgrade) keeps its
  // state, read under the new limit.
  // REQUIRES: validate_limit(limit) is ok. In release builds an invalid limit is clamped into
  // range rather than dividing by zero.
  virtual Decision acquire(std::string_view key, const Limit& limit, Clock::time_point now) = 0;
  // What acquire() would decide now, without counting anything: for limits on outcomes
  // (failed logins) that are checked before the work and counted after it.
  virtual Decision peek(std::string_view key, const Limit& limit, Clock::time_point now) = 0;
};

// Everything in this process's memory: right for one machine, per-replica when scaled out.
//
// Memory is bounded by `max_keys` (about 80 bytes per key, plus the key itself when it is
// longer than 15 bytes). Keys are spread over up to 64 shards, each with its own mutex and an equal
// share of max_keys. A key whose bucket is full again (TAT <= now) carries no state and may be
// dropped at any time. When a new key finds its shard full, the shard first drops those, and if
// that does not free an eighth of it, evicts the entries with the earliest TAT (the buckets closest
// to full) until it does. A new key is never denied for lack of room: evicting an entry only
// makes the limiter more lenient for that one key (it starts again with a full bucket), it
// can never lock anyone out. Freeing an eighth at a time keeps the O(shard) scan to once per
// many new keys. If keys are attacker-chosen (client addresses), size max_keys above the
// number of distinct keys expected in one window, or a flood of new keys buys old ones a
// fresh bucket.
class InMemoryRateLimiter final : public RateLimiter {
 public:
  static constexpr std::size_t kDefaultMaxKeys = 100'000;

  // REQUIRES: max_keys >= 1.
  explicit InMemoryRateLimiter(std::size_t max_keys = kDefaultMaxKeys);
  ~InMemoryRateLimiter() override;
  InMemoryRateLimiter(const InMemoryRateLimiter&) = delete;
  InMemoryRateLimiter& operator=(const InMemoryRateLimiter&) = delete;

  Decision acquire(std::string_view key, const Limit& limit, Clock::time_point now) override;
  Decision peek(std::string_view key, const Limit& limit, Clock::time_point now) override;

  // Keys currently held, including ones whose bucket has refilled but that no sweep has
  // dropped yet. Never more than max_keys(). For tests and a gauge; locks every shard.
  std::size_t size() const;
  std::size_t max_keys() const { return max_keys_; }

 private:
  Decision decide(std::string_view key, const Limit& limit, Clock::time_point now, bool count);

  struct Shard;

  Shard& shard_for(std::string_view key) const;

  std::size_t max_keys_;
  std::size_t shard_count_;  // a power of two
  std::unique_ptr<Shard[]> shards_;
};

// Ok when `name` is non-empty printable ASCII (0x20-0x7E): what an RFC 8941 sf-string may
// hold. `"` and `\` are allowed (the formatters below escape them). Otherwise kInvalidArgument
// with field "policy_name".
core::Status validate_policy_name(std::string_view name);

// One member of the RateLimit-Policy field (draft-ietf-httpapi-ratelimit-headers, the
// structured-field version): `"default";q=100;w=60`. Join several with ", ".
// REQUIRES: validate_policy_name(policy_name) is ok. Bytes outside 0x20-0x7E are dropped
// rather than written, so a header never carries a control character.
std::string rate_limit_policy_header(std::string_view policy_name, const Limit& limit);

// One member of the RateLimit field: `"default";r=42;t=17` (r = remaining, t = reset).
// REQUIRES: as for rate_limit_policy_header.
std::string rate_limit_header(std::string_view policy_name, const Decision& decision);

}  // namespace aic::ratelimit
