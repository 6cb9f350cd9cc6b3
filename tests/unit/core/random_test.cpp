#include "core/random.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "core/utc_time.hpp"

namespace aic::core {
namespace {

TEST(Random, HexHasRequestedLengthAndIsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = random_hex(system_random(), 16);
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(random_hex(system_random(), 100).size(), 200u);
}

TEST(Random, ToHex) {
  std::uint8_t bytes[] = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "00abff");
}

TEST(Random, TimeOrderedIdsCarryTheMillisecondAndSortByIt) {
  const std::int64_t before = unix_millis(std::chrono::system_clock::now());
  const std::string id = time_ordered_id("aiu_", system_random());
  const std::int64_t after = unix_millis(std::chrono::system_clock::now());
  ASSERT_EQ(id.size(), 4u + 12u + 16u) << id;
  EXPECT_EQ(id.substr(0, 4), "aiu_");
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
  const std::int64_t millis = std::stoll(id.substr(4, 12), nullptr, 16);
  EXPECT_GE(millis, before);
  EXPECT_LE(millis, after);

  // Ids of later milliseconds sort after earlier ones, whatever their random part.
  std::string previous = id;
  std::set<std::string> seen{id};
  for (int i = 0; i < 2000; ++i) {
    std::string next = time_ordered_id("aiu_", system_random());
    if (next.compare(4, 12, previous, 4, 12) != 0) {
      EXPECT_GT(next, previous);
    }
    seen.insert(next);
    previous = std::move(next);
  }
  EXPECT_EQ(seen.size(), 2001u) << "the random part keeps ids of one millisecond apart";
}

}  // namespace
}  // namespace aic::core
