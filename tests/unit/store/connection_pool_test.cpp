// The connection pool's bookkeeping, with a stand-in connection (no database needed).
#include "store/connection_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace aic::store {
namespace {

using namespace std::chrono_literals;

struct CountingConnection {
  int id = 0;
  int trims = 0;
  bool reusable() const { return true; }
};

class ConnectionPoolTest : public ::testing::Test {
 protected:
  using Pool = ConnectionPool<CountingConnection>;

  // Opens connections numbered 1, 2, 3 …
  Pool::Factory counting_factory() {
    return [this] { return std::make_unique<CountingConnection>(CountingConnection{++opened_}); };
  }
  static void count_trim(CountingConnection& connection) { ++connection.trims; }

  int opened_ = 0;
};

TEST_F(ConnectionPoolTest, TrimsEachIdleConnectionOnceUntilItIsLeasedAgain) {
  Pool pool(2, 5s, counting_factory(), "every connection is leased");
  {
    auto first = pool.acquire();
    auto second = pool.acquire();
    ASSERT_TRUE(first && second);
  }
  EXPECT_EQ(pool.trim_idle(0s, count_trim), 2u);
  EXPECT_EQ(pool.trim_idle(0s, count_trim), 0u) << "already trimmed, and not used since";

  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    EXPECT_EQ((*lease)->trims, 1);
  }
  // Only the connection that was used again is trimmed again.
  EXPECT_EQ(pool.trim_idle(0s, count_trim), 1u);
  EXPECT_EQ(opened_, 2) << "trimming never opens or closes connections";
}

TEST_F(ConnectionPoolTest, LeavesRecentlyUsedConnectionsAlone) {
  Pool pool(1, 5s, counting_factory(), "every connection is leased");
  ASSERT_TRUE(pool.acquire());
  EXPECT_EQ(pool.trim_idle(1h, count_trim), 0u);
  auto lease = pool.acquire();
  ASSERT_TRUE(lease);
  EXPECT_EQ((*lease)->trims, 0);
}

TEST_F(ConnectionPoolTest, NeverTrimsALeasedConnection) {
  Pool pool(1, 5s, counting_factory(), "every connection is leased");
  auto lease = pool.acquire();
  ASSERT_TRUE(lease);
  EXPECT_EQ(pool.trim_idle(0s, count_trim), 0u);
  EXPECT_EQ((*lease)->trims, 0);
}

TEST_F(ConnectionPoolTest, AnAcquireDuringATrimWaitsForTheConnection) {
  Pool pool(1, 5s, counting_factory(), "every connection is leased");
  ASSERT_TRUE(pool.acquire());
  std::atomic<bool> trimming{false};
  bool leased_while_trimming = true;
  int trims_seen = -1;
  std::thread acquirer;
  pool.trim_idle(0s, [&](CountingConnection& connection) {
    trimming = true;
    acquirer = std::thread([&] {
      auto lease = pool.acquire();
      ASSERT_TRUE(lease);
      leased_while_trimming = trimming.load();
      trims_seen = (*lease)->trims;
    });
    // Room for a wrong pool to hand the connection out now; a right one makes it wait.
    std::this_thread::sleep_for(50ms);
    ++connection.trims;
    trimming = false;
  });
  acquirer.join();
  EXPECT_FALSE(leased_while_trimming);
  EXPECT_EQ(trims_seen, 1);
  EXPECT_EQ(opened_, 1) << "the capacity of one holds while the connection is being trimmed";
}

}  // namespace
}  // namespace aic::store
