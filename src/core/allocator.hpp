// What the process's allocator can report and be asked to give back, when it is jemalloc
// (linked into the aic binary unless AIC_JEMALLOC is off, as in sanitizer builds). Under any
// other allocator there are no statistics and nothing is given back.
//
// Why threads give back their caches: jemalloc keeps each thread's recently freed blocks in a
// cache of its own (up to a few hundred per size class), for that thread's next allocations.
// The cached blocks keep their pages in use, and jemalloc's background thread, which returns
// unused pages, cannot take another thread's cache. Threads that served a burst and then went
// quiet kept megabytes that way: after a 256-connection load through the gateway, jemalloc
// still held 2.3 MB more resident pages than before it, with live allocations back at their
// idle level.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace aic::core {

struct AllocatorStats {
  std::uint64_t allocated_bytes = 0;  // in live allocations
  std::uint64_t resident_bytes = 0;   // pages the allocator holds, in use or not yet returned
};

// A fresh snapshot of the statistics; nullopt when the allocator is not jemalloc.
std::optional<AllocatorStats> allocator_stats();

// Gives the calling thread's cache back once the thread has gone quiet. Call tick() on the
// owning thread about once a second (a thread waiting for work on a condition variable uses
// wait() instead); the cache is given back at the first tick after a second in which the
// thread allocated less than kQuietBytes, and not again until the thread has been busy.
class ThreadCacheRelease {
 public:
  static constexpr std::uint64_t kQuietBytes = 64 * 1024;
  static constexpr std::chrono::seconds kTickInterval{1};

  void tick();

  // For a thread that waits for work on `wake`: waits until `ready()` holds, ticking (with
  // `lock` released) whenever a wait of kTickInterval passes without it.
  template <typename Ready>
  void wait(std::condition_variable& wake, std::unique_lock<std::mutex>& lock, Ready ready) {
    while (!wake.wait_for(lock, kTickInterval, ready)) {
      lock.unlock();
      tick();
      lock.lock();
    }
  }

  // The decision, given the thread's total of allocated bytes so far: true when the cache is
  // to be given back now. (tick() reads the total and acts; this is the part tests can see.)
  bool should_release(std::uint64_t allocated_total);

 private:
  std::uint64_t last_total_ = 0;
  bool released_ = true;  // a new thread has nothing cached
};

}  // namespace aic::core
