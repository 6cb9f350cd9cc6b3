// The exact-match response cache: an answer kept for a while under its tenant and the
// canonical form of the request that produced it, so an identical request is answered
// without calling a provider.
//
// Bounded by bytes (least recently used entries go first) and by age (ai.cache_ttl). Entries
// hold the whole key, so a hash collision can never serve another request's answer.
//
// Threading: thread-safe; the entries are split over shards, each with its own lock.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ai/chat.hpp"

namespace aic::ai {

class ResponseCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    ChatResponse response;
    std::string model;     // the catalogue's model that answered
    std::string provider;  // and its provider
  };

  ResponseCache(std::size_t max_bytes, std::chrono::milliseconds ttl);

  // The key of a request: its tenant and its canonical text (see canonical_chat_request).
  static std::string key(std::string_view tenant_id, std::string_view canonical_request);

  std::optional<Entry> get(const std::string& key, Clock::time_point now = Clock::now());
  void put(const std::string& key, Entry entry, Clock::time_point now = Clock::now());

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Stored {
    std::string key;
    Entry entry;
    Clock::time_point expires;
    std::size_t bytes = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Stored> order;  // most recently used first
    std::unordered_map<std::string_view, std::list<Stored>::iterator> index;  // views into order
    std::size_t bytes = 0;
  };
  Shard& shard_of(const std::string& key);

  std::size_t max_bytes_per_shard_;
  std::chrono::milliseconds ttl_;
  std::array<Shard, kShards> shards_;
};

}  // namespace aic::ai
