// When a thread gives its allocator cache back. The give-back itself needs jemalloc, which the
// sanitizer builds that run the tests do not link; that the memory comes back is measured by
// the gateway bench (RSS after the load).
#include "core/allocator.hpp"

#include <gtest/gtest.h>

namespace aic::core {
namespace {

TEST(ThreadCacheRelease, GivesBackOnceAfterAQuietSecondAndAgainAfterTheNextBurst) {
  ThreadCacheRelease cache;
  constexpr std::uint64_t kBusy = ThreadCacheRelease::kQuietBytes;
  std::uint64_t total = 0;
  EXPECT_FALSE(cache.should_release(total)) << "a new thread has nothing cached";
  total += kBusy;
  EXPECT_FALSE(cache.should_release(total)) << "busy: keep the cache";
  total += 10 * kBusy;
  EXPECT_FALSE(cache.should_release(total));
  total += kBusy - 1;  // quiet, though not silent
  EXPECT_TRUE(cache.should_release(total));
  EXPECT_FALSE(cache.should_release(total)) << "given back already";
  EXPECT_FALSE(cache.should_release(total + 100));
  total += 100 + kBusy;
  EXPECT_FALSE(cache.should_release(total));
  EXPECT_TRUE(cache.should_release(total)) << "the next burst is over";
}

}  // namespace
}  // namespace aic::core
