#include "core/random.hpp"

#include <gtest/gtest.h>

#include <set>

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

}  // namespace
}  // namespace aic::core
