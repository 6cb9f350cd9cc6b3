#include "ratelimit/rate_limiter.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <mutex>
#include <vector>

#include "ratelimit/key_map.hpp"

namespace aic::ratelimit {

namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::size_t kMaxShards = 64;
// Small limiters get fewer shards so that each shard still holds enough keys for "evict the
// earliest TAT" to choose among several.
constexpr std::size_t kMinKeysPerShard = 16;

// GCRA keeps one number per key, its theoretical arrival time (TAT): the time at which the key's
// bucket would be full again if nothing else arrived. Each allowed request pushes it T later
// (T, the emission interval, is window / quota); idle time lets `now` catch up with it.
//
// A request at `now` would move the TAT to  new_tat = max(TAT, now) + T.  It is allowed when
//   new_tat - now <= quota × T   (the burst offset: a whole window's worth of requests),
// i.e. (when TAT > now) now >= TAT - quota × T + T: the usual "TAT - tolerance + T" with
// tolerance = T × burst. A key with TAT <= now has a full bucket and is always allowed.
// From an empty key that admits exactly `quota` requests at one instant (the k-th leaves
// new_tat = now + k × T), then one every T. Everything else follows from the TAT:
//   remaining   = floor((now + quota × T - new_tat) / T)  requests still allowed right now;
//   reset       = new_tat - now                            until the bucket is full again;
//   retry_after = TAT + T - quota × T - now                (when denied) until the condition holds.
//
// All values are int64 nanoseconds. T is rounded down, so quota × T may fall short of the window
// by less than `quota` nanoseconds, which no client can notice. With quota <= 1e9 and
// window <= 366 days (3.2e16 ns) nothing comes near 2^63 (9.2e18) as long as `now` is within
// ~290 years of the clock's epoch.
struct Gcra {
  std::int64_t quota;
  std::int64_t interval;      // T
  std::int64_t burst_offset;  // quota × T
};

Gcra gcra_for(const Limit& limit) {
  assert(validate_limit(limit).has_value());
  const std::int64_t quota = std::clamp<std::int64_t>(limit.quota, 1, kMaxQuota);
  const std::int64_t window_ns =
      std::clamp<std::int64_t>(limit.window.count(), 1, kMaxWindow.count()) * kNanosPerSecond;
  const std::int64_t interval = std::max<std::int64_t>(window_ns / quota, 1);
  return Gcra{quota, interval, interval * quota};
}

// REQUIRES: nanos >= 0.
std::chrono::seconds ceil_seconds(std::int64_t nanos) {
  return std::chrono::seconds((nanos + kNanosPerSecond - 1) / kNanosPerSecond);
}

std::int64_t to_nanos(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

std::size_t shard_count_for(std::size_t max_keys) {
  return std::bit_floor(std::clamp<std::size_t>(max_keys / kMinKeysPerShard, 1, kMaxShards));
}

bool is_sf_string_char(char c) { return c >= 0x20 && c <= 0x7e; }

// An RFC 8941 sf-string: quoted, with `"` and `\` escaped.
void append_sf_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    assert(is_sf_string_char(c));
    if (!is_sf_string_char(c)) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

struct alignas(64) InMemoryRateLimiter::Shard {
  std::mutex mutex;
  std::size_t capacity = 0;                 // set once, before any acquire()
  detail::KeyMap<std::int64_t> tat_by_key;  // nanoseconds; GUARDED_BY(mutex)

  // Makes room for at least one new key in a full shard (see the class comment for why
  // this order is safe). Frees an eighth of the capacity so the scan is not repeated for every
  // new key.
  // REQUIRES: mutex held.
  void make_room(std::int64_t now_ns) {
    std::erase_if(tat_by_key, [now_ns](const auto& entry) { return entry.second <= now_ns; });
    const std::size_t target = capacity - std::max<std::size_t>(capacity / 8, 1);
    if (tat_by_key.size() <= target) return;

    std::vector<decltype(tat_by_key)::iterator> entries;
    entries.reserve(tat_by_key.size());
    for (auto it = tat_by_key.begin(); it != tat_by_key.end(); ++it) entries.push_back(it);
    const std::size_t excess = tat_by_key.size() - target;
    const auto by_tat = [](const auto& a, const auto& b) { return a->second < b->second; };
    std::nth_element(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(excess),
                     entries.end(), by_tat);
    // Erasing one element leaves iterators to the others valid.
    for (std::size_t i = 0; i < excess; ++i) tat_by_key.erase(entries[i]);
  }
};

core::Status validate_limit(const Limit& limit) {
  if (limit.quota < 1 || limit.quota > kMaxQuota) {
    return core::Error::invalid(
        "quota must be between 1 and " + std::to_string(kMaxQuota) + " requests", "quota");
  }
  if (limit.window < std::chrono::seconds(1) || limit.window > kMaxWindow) {
    return core::Error::invalid(
        "window must be between 1 and " + std::to_string(kMaxWindow.count()) + " seconds",
        "window");
  }
  return {};
}

InMemoryRateLimiter::InMemoryRateLimiter(std::size_t max_keys)
    : max_keys_(std::max<std::size_t>(max_keys, 1)),
      shard_count_(shard_count_for(max_keys_)),
      shards_(std::make_unique<Shard[]>(shard_count_)) {
  assert(max_keys >= 1);
  // Shares that differ by at most one and add up to exactly max_keys.
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].capacity = max_keys_ / shard_count_ + (i < max_keys_ % shard_count_ ? 1 : 0);
  }
}

InMemoryRateLimiter::~InMemoryRateLimiter() = default;

InMemoryRateLimiter::Shard& InMemoryRateLimiter::shard_for(std::string_view key) const {
  return shards_[detail::shard_index(key, shard_count_)];
}

Decision InMemoryRateLimiter::acquire(std::string_view key, const Limit& limit,
                                      Clock::time_point now) {
  return decide(key, limit, now, true);
}

Decision InMemoryRateLimiter::peek(std::string_view key, const Limit& limit,
                                   Clock::time_point now) {
  return decide(key, limit, now, false);
}

Decision InMemoryRateLimiter::decide(std::string_view key, const Limit& limit,
                                     Clock::time_point now, bool count) {
  const Gcra gcra = gcra_for(limit);
  const std::int64_t now_ns = to_nanos(now);
  Shard& shard = shard_for(key);

  bool allowed = false;
  std::int64_t tat = 0;  // after this request
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.tat_by_key.find(key);
    tat = it == shard.tat_by_key.end() ? now_ns : std::max(it->second, now_ns);
    const std::int64_t new_tat = tat + gcra.interval;
    allowed = new_tat - now_ns <= gcra.burst_offset;
    if (allowed && count) {
      tat = new_tat;
      if (it != shard.tat_by_key.end()) {
        it->second = new_tat;
      } else {
        if (shard.tat_by_key.size() >= shard.capacity) shard.make_room(now_ns);
        shard.tat_by_key.emplace(std::string(key), new_tat);
      }
    }
  }

  Decision decision;
  decision.allowed = allowed;
  decision.limit = gcra.quota;
  decision.remaining =
      std::clamp<std::int64_t>((now_ns + gcra.burst_offset - tat) / gcra.interval, 0, gcra.quota);
  decision.reset = ceil_seconds(tat - now_ns);
  if (!allowed) {
    decision.remaining = 0;
    decision.retry_after = ceil_seconds(tat + gcra.interval - gcra.burst_offset - now_ns);
  }
  return decision;
}

std::size_t InMemoryRateLimiter::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].tat_by_key.size();
  }
  return total;
}

core::Status validate_policy_name(std::string_view name) {
  if (name.empty()) return core::Error::invalid("policy name must not be empty", "policy_name");
  if (!std::all_of(name.begin(), name.end(), is_sf_string_char)) {
    return core::Error::invalid(
        "policy name may contain only printable ASCII characters (0x20-0x7E)", "policy_name");
  }
  return {};
}

std::string rate_limit_policy_header(std::string_view policy_name, const Limit& limit) {
  std::string out;
  out.reserve(policy_name.size() + 32);
  append_sf_string(out, policy_name);
  out += ";q=";
  out += std::to_string(limit.quota);
  out += ";w=";
  out += std::to_string(limit.window.count());
  return out;
}

std::string rate_limit_header(std::string_view policy_name, const Decision& decision) {
  std::string out;
  out.reserve(policy_name.size() + 32);
  append_sf_string(out, policy_name);
  out += ";r=";
  out += std::to_string(decision.remaining);
  out += ";t=";
  out += std::to_string(decision.reset.count());
  return out;
}

}  // namespace aic::ratelimit
