// Per-key caps on requests in flight at once, for work whose cost is its duration rather than
// its count (at most N concurrent model calls or report builds per tenant). A rate limit bounds
// how often a key may start; this bounds how many it may have running.
//
// Threading: thread-safe. try_acquire() may be called from any thread, and a Permit may be
// destroyed on a thread other than the one that acquired it (a coroutine resumed elsewhere).
// The limiter must outlive every Permit it hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace aic::ratelimit {

// Memory is bounded by the permits alive: a key has an entry only while it holds at least one,
// and the last release erases it. Keys are spread over 64 shards, each with its own mutex.
class ConcurrencyLimiter {
  struct Shard;
  using Entry = std::pair<const std::string, std::int64_t>;  // key, permits held

 public:
  // One unit of a key's in-flight allowance, returned when the Permit is destroyed. Move-only;
  // a moved-from Permit holds nothing and releases nothing.
  class Permit {
   public:
    Permit(Permit&& other) noexcept
        : shard_(std::exchange(other.shard_, nullptr)),
          entry_(std::exchange(other.entry_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }

   private:
    friend class ConcurrencyLimiter;
    Permit(Shard* shard, Entry* entry) : shard_(shard), entry_(entry) {}
    void release() noexcept;

    // The map node of the key: elements of an unordered_map keep their address across rehashes,
    // so the permit finds its counter without hashing the key or keeping a copy of it.
    Shard* shard_ = nullptr;
    Entry* entry_ = nullptr;
  };

  ConcurrencyLimiter();
  // REQUIRES: every Permit has been destroyed.
  ~ConcurrencyLimiter();
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  // A permit when `key` holds fewer than `max_in_flight`; otherwise nullopt, and nothing
  // changes. max_in_flight <= 0 denies every request. Release a permit early with
  // optional::reset().
  std::optional<Permit> try_acquire(std::string_view key, std::int64_t max_in_flight);

  // Permits `key` holds now. For tests and diagnostics.
  std::int64_t in_flight(std::string_view key) const;
  // Keys holding at least one permit. For tests and a gauge; locks every shard.
  std::size_t size() const;

 private:
  Shard& shard_for(std::string_view key) const;

  std::unique_ptr<Shard[]> shards_;
};

}  // namespace aic::ratelimit
