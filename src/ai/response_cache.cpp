#include "ai/response_cache.hpp"

#include <functional>

namespace aic::ai {

namespace {

// What an entry costs in memory, roughly: its strings and a fixed overhead.
std::size_t size_of(const std::string& key, const ResponseCache::Entry& entry) {
  std::size_t bytes = 256 + key.size() + entry.response.text.size() +
                      entry.response.refusal.size() + entry.response.id.size() +
                      entry.response.model.size() + entry.model.size() + entry.provider.size();
  for (const auto& call : entry.response.tool_calls) {
    bytes += 64 + call.id.size() + call.name.size() + call.arguments.size();
  }
  return bytes;
}

}  // namespace

ResponseCache::ResponseCache(std::size_t max_bytes, std::chrono::milliseconds ttl)
    : max_bytes_per_shard_(max_bytes / kShards), ttl_(ttl) {}

std::string ResponseCache::key(std::string_view tenant_id, std::string_view canonical_request) {
  std::string key;
  key.reserve(tenant_id.size() + 1 + canonical_request.size());
  key.append(tenant_id).push_back('\n');
  key.append(canonical_request);
  return key;
}

ResponseCache::Shard& ResponseCache::shard_of(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::optional<ResponseCache::Entry> ResponseCache::get(const std::string& key,
                                                       Clock::time_point now) {
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(key);
  if (found == shard.index.end()) return std::nullopt;
  auto position = found->second;
  if (position->expires <= now) {
    shard.bytes -= position->bytes;
    shard.index.erase(found);
    shard.order.erase(position);
    return std::nullopt;
  }
  shard.order.splice(shard.order.begin(), shard.order, position);
  return position->entry;
}

void ResponseCache::put(const std::string& key, Entry entry, Clock::time_point now) {
  std::size_t bytes = size_of(key, entry);
  if (bytes > max_bytes_per_shard_ || ttl_.count() <= 0) return;  // would evict everything
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (auto found = shard.index.find(key); found != shard.index.end()) {
    shard.bytes -= found->second->bytes;
    auto position = found->second;
    shard.index.erase(found);
    shard.order.erase(position);
  }
  while (shard.bytes + bytes > max_bytes_per_shard_ && !shard.order.empty()) {
    Stored& oldest = shard.order.back();
    shard.bytes -= oldest.bytes;
    shard.index.erase(oldest.key);
    shard.order.pop_back();
  }
  shard.order.push_front(Stored{key, std::move(entry), now + ttl_, bytes});
  shard.index.emplace(shard.order.front().key, shard.order.begin());
  shard.bytes += bytes;
}

std::size_t ResponseCache::bytes() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.bytes;
  }
  return total;
}

std::size_t ResponseCache::entries() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.order.size();
  }
  return total;
}

}  // namespace aic::ai
