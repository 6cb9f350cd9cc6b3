#include "core/allocator.hpp"

#include <cstddef>

// jemalloc's control interface, present only when the binary is linked with it (weak: null
// otherwise).
extern "C" int mallctl(const char* name, void* old_value, std::size_t* old_length, void* new_value,
                       std::size_t new_length) __attribute__((weak));

namespace aic::core {
namespace {

template <typename Value>
std::optional<Value> read_control(const char* name) {
  if (mallctl == nullptr) return std::nullopt;
  Value value{};
  std::size_t length = sizeof value;
  if (mallctl(name, &value, &length, nullptr, 0) != 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<AllocatorStats> allocator_stats() {
  if (mallctl == nullptr) return std::nullopt;
  // The statistics are a snapshot, refreshed by writing the epoch, so that the values read
  // after it belong together.
  std::uint64_t epoch = 1;
  std::size_t length = sizeof epoch;
  if (mallctl("epoch", &epoch, &length, &epoch, length) != 0) return std::nullopt;
  auto allocated = read_control<std::size_t>("stats.allocated");
  auto resident = read_control<std::size_t>("stats.resident");
  if (!allocated || !resident) return std::nullopt;
  return AllocatorStats{*allocated, *resident};
}

bool ThreadCacheRelease::should_release(std::uint64_t allocated_total) {
  const std::uint64_t since_last_tick = allocated_total - last_total_;
  last_total_ = allocated_total;
  if (since_last_tick >= kQuietBytes) {
    released_ = false;
    return false;
  }
  if (released_) return false;
  released_ = true;
  return true;
}

void ThreadCacheRelease::tick() {
  // The calling thread's own running total (jemalloc keeps one per thread).
  auto total = read_control<std::uint64_t>("thread.allocated");
  if (!total || !should_release(*total)) return;
  mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
}

}  // namespace aic::core
