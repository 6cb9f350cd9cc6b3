#include "identity/credential_cache.hpp"

#include <mutex>

#include "identity/api_keys.hpp"

namespace aic::identity {
namespace {

// How long past ttl an entry that fresh() vouched for stays usable for authenticate().
constexpr std::chrono::milliseconds kGrace{1000};

}  // namespace

const CredentialCache::Entry* CredentialCache::usable(std::string_view key_id,
                                                      Clock::time_point now,
                                                      std::chrono::milliseconds max_age) const {
  auto it = entries_.find(key_id);
  if (it == entries_.end() || now - it->second.loaded_at >= max_age) return nullptr;
  return &it->second;
}

bool CredentialCache::fresh(std::string_view key_id, Clock::time_point now) const {
  if (!enabled()) return false;
  std::shared_lock lock(mutex_);
  return usable(key_id, now, ttl_) != nullptr;
}

std::optional<core::Result<core::SharedPrincipal>> CredentialCache::authenticate(
    std::string_view key_id, std::string_view secret, Clock::time_point now) const {
  if (!enabled()) return std::nullopt;
  std::shared_lock lock(mutex_);
  const Entry* entry = usable(key_id, now, ttl_ + kGrace);
  if (entry == nullptr) return std::nullopt;
  if (!secret_matches(secret, entry->secret_hash)) {
    return core::Error::make(core::ErrorCode::kUnauthenticated, "the API key is not valid");
  }
  if (entry->expires_at && *entry->expires_at <= std::chrono::system_clock::now()) {
    return core::Error::make(core::ErrorCode::kUnauthenticated, "the API key has expired");
  }
  return entry->principal;
}

std::uint64_t CredentialCache::generation() const {
  std::shared_lock lock(mutex_);
  return generation_;
}

void CredentialCache::put(std::string key_id, Entry entry, std::uint64_t generation) {
  if (!enabled()) return;
  std::unique_lock lock(mutex_);
  if (generation != generation_) return;
  if (entries_.size() >= max_entries_ && !entries_.contains(key_id)) {
    // Drop entries nobody may use any more; if every entry is still fresh, do not cache this
    // key (it is then looked up in the database each time) rather than evict a fresh one.
    std::erase_if(entries_, [&](const auto& item) {
      return entry.loaded_at - item.second.loaded_at >= ttl_ + kGrace;
    });
    if (entries_.size() >= max_entries_) return;
  }
  entries_.insert_or_assign(std::move(key_id), std::move(entry));
}

void CredentialCache::invalidate(std::string_view key_id) {
  std::unique_lock lock(mutex_);
  ++generation_;
  auto it = entries_.find(key_id);
  if (it != entries_.end()) entries_.erase(it);
}

}  // namespace aic::identity
