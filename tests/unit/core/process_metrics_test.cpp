#include "core/process_metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

namespace aic::core {
namespace {

// The value of the sample line `name value` in Prometheus text, if there is one.
std::optional<double> sample(const std::string& text, const std::string& name) {
  const std::string prefix = "\n" + name + " ";
  std::size_t at = text.find(prefix);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + prefix.size()));
}

TEST(ProcessMetrics, ReportsMemoryThreadsAndDescriptorsOfThisProcess) {
  std::string text;
  render_process_metrics(text);
  auto resident = sample(text, "process_resident_memory_bytes");
  ASSERT_TRUE(resident) << text;
  EXPECT_GT(*resident, 1024 * 1024);  // a running test binary holds more than a MiB
  auto virtual_bytes = sample(text, "process_virtual_memory_bytes");
  ASSERT_TRUE(virtual_bytes);
  EXPECT_GE(*virtual_bytes, *resident);
  auto threads = sample(text, "process_threads");
  ASSERT_TRUE(threads);
  EXPECT_GE(*threads, 1);
  auto started = sample(text, "process_start_time_seconds");
  ASSERT_TRUE(started);
  EXPECT_GT(*started, 1.7e9);  // after 2023
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  ASSERT_TRUE(sample(text, "process_max_fds"));
}

TEST(ProcessMetrics, OpenDescriptorsFollowWhatTheProcessOpens) {
  std::string before;
  render_process_metrics(before);
  auto open_before = sample(before, "process_open_fds");
  ASSERT_TRUE(open_before) << before;
  int first = ::open("/dev/null", O_RDONLY);
  int second = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  std::string after;
  render_process_metrics(after);
  ::close(first);
  ::close(second);
  EXPECT_EQ(*sample(after, "process_open_fds"), *open_before + 2);
}

}  // namespace
}  // namespace aic::core
