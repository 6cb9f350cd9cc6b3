#include "ratelimit/concurrency_limiter.hpp"

#include <cassert>
#include <mutex>

#include "ratelimit/key_map.hpp"

namespace aic::ratelimit {

namespace {
constexpr std::size_t kShardCount = 64;
}  // namespace

struct alignas(64) ConcurrencyLimiter::Shard {
  std::mutex mutex;
  detail::KeyMap<std::int64_t> in_flight_by_key;  // every value >= 1; GUARDED_BY(mutex)
};

ConcurrencyLimiter::Permit& ConcurrencyLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    shard_ = std::exchange(other.shard_, nullptr);
    entry_ = std::exchange(other.entry_, nullptr);
  }
  return *this;
}

void ConcurrencyLimiter::Permit::release() noexcept {
  if (shard_ == nullptr) return;
  {
    std::lock_guard lock(shard_->mutex);
    assert(entry_->second >= 1);
    if (--entry_->second == 0) {
      // Erase through an iterator, so the key is never read from a node that is being freed.
      shard_->in_flight_by_key.erase(shard_->in_flight_by_key.find(entry_->first));
    }
  }
  shard_ = nullptr;
  entry_ = nullptr;
}

ConcurrencyLimiter::ConcurrencyLimiter() : shards_(std::make_unique<Shard[]>(kShardCount)) {}

ConcurrencyLimiter::~ConcurrencyLimiter() { assert(size() == 0); }

ConcurrencyLimiter::Shard& ConcurrencyLimiter::shard_for(std::string_view key) const {
  return shards_[detail::shard_index(key, kShardCount)];
}

std::optional<ConcurrencyLimiter::Permit> ConcurrencyLimiter::try_acquire(
    std::string_view key, std::int64_t max_in_flight) {
  if (max_in_flight <= 0) return std::nullopt;
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.in_flight_by_key.find(key);
  if (it == shard.in_flight_by_key.end()) {
    it = shard.in_flight_by_key.emplace(std::string(key), 1).first;
  } else if (it->second >= max_in_flight) {
    return std::nullopt;
  } else {
    ++it->second;
  }
  return Permit(&shard, &*it);
}

std::int64_t ConcurrencyLimiter::in_flight(std::string_view key) const {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.in_flight_by_key.find(key);
  return it == shard.in_flight_by_key.end() ? 0 : it->second;
}

std::size_t ConcurrencyLimiter::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShardCount; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].in_flight_by_key.size();
  }
  return total;
}

}  // namespace aic::ratelimit
