#include "core/utc_time.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace aic::core {
namespace {

std::string at(std::int64_t millis) { return format_utc_millis(from_unix_millis(millis)); }

TEST(FormatUtcMillis, KnownPoints) {
  EXPECT_EQ(at(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(at(1'614'265'330'123), "2021-02-25T15:02:10.123Z");
  EXPECT_EQ(at(1'709'251'199'999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(at(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(at(7'258'118'399'999), "2199-12-31T23:59:59.999Z");
}

// The arithmetic agrees with the C library's calendar from 1900 to 2255 at random points.
TEST(FormatUtcMillis, AgreesWithGmtime) {
  std::mt19937_64 random(20261204);
  std::uniform_int_distribution<std::int64_t> millis(-2'208'988'800'000, 9'000'000'000'000);
  for (int i = 0; i < 20'000; ++i) {
    std::int64_t point = millis(random);
    std::int64_t floor_seconds = point >= 0 ? point / 1000 : -((-point + 999) / 1000);
    std::time_t seconds = static_cast<std::time_t>(floor_seconds);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char expected[64];
    std::size_t length = std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%S", &parts);
    std::snprintf(expected + length, sizeof expected - length, ".%03dZ",
                  static_cast<int>(point - floor_seconds * 1000));
    ASSERT_EQ(at(point), expected) << point;
  }
}

}  // namespace
}  // namespace aic::core
