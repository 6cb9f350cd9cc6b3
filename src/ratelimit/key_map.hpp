// Private to src/ratelimit (and its benchmark): the per-shard map both limiters keep.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace aic::ratelimit::detail {

// Transparent, so find(std::string_view) does not build a std::string: a request for a key the
// limiter already holds allocates nothing.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept {
    return std::hash<std::string_view>{}(key);
  }
};

template <typename Value>
using KeyMap = std::unordered_map<std::string, Value, KeyHash, std::equal_to<>>;

// REQUIRES: shard_count is a power of two.
inline std::size_t shard_index(std::string_view key, std::size_t shard_count) {
  // The map hashes again inside the shard (modulo a prime bucket count); mixing in the high
  // half keeps the shard choice from depending on the low bits alone.
  const std::size_t hash = KeyHash{}(key);
  return (hash ^ (hash >> 32)) & (shard_count - 1);
}

}  // namespace aic::ratelimit::detail
