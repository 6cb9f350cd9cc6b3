// API keys verified recently, so that most requests authenticate without the database.
//
// An entry holds what the database said about a key when it was loaded: the hash of its
// secret, the principal it stands for and its expiry. A presented token is still checked
// against the hash (in constant time) and the expiry on every request; only the lookup is
// saved. Revoking or rotating a key through this process removes its entry at once; other
// replicas notice within `ttl`, the documented bound on how long a revoked key can work.
//
// Entries are never evicted while fresh: the authentication filter asks fresh() before it
// decides not to wait for the database, and the answer must still hold a moment later when
// it calls authenticate(). Only invalidate() removes a fresh entry, and that means the key
// was revoked.
//
// Threading: thread-safe; lookups share a lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/principal.hpp"
#include "core/result.hpp"

namespace aic::identity {

class CredentialCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    std::string secret_hash;
    core::SharedPrincipal principal;
    std::optional<std::chrono::system_clock::time_point> expires_at;
    Clock::time_point loaded_at;
  };

  // `ttl` zero disables the cache.
  explicit CredentialCache(std::chrono::milliseconds ttl, std::size_t max_entries = 100'000)
      : ttl_(ttl), max_entries_(max_entries) {}

  bool enabled() const { return ttl_.count() > 0; }
  // Whether `key_id` was loaded less than ttl ago.
  bool fresh(std::string_view key_id, Clock::time_point now) const;
  // The principal for `key_id` + `secret` from a fresh entry (a grace second past ttl is
  // allowed, see above); an error when the secret is wrong or the key expired; nullopt when
  // there is no usable entry.
  std::optional<core::Result<core::SharedPrincipal>> authenticate(std::string_view key_id,
                                                                  std::string_view secret,
                                                                  Clock::time_point now) const;
  // Counts invalidations. Read it before loading an entry and pass it to put(): an entry
  // loaded while some key was invalidated is not stored, since it may describe that key as it
  // was before its revocation.
  std::uint64_t generation() const;
  void put(std::string key_id, Entry entry, std::uint64_t generation);
  void invalidate(std::string_view key_id);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  const Entry* usable(std::string_view key_id, Clock::time_point now,
                      std::chrono::milliseconds max_age) const;

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::uint64_t generation_ = 0;  // guarded by mutex_
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace aic::identity
