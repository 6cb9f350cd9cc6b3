#include "core/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "core/allocator.hpp"

namespace aic::core {
namespace {

struct ProcessStat {
  double cpu_seconds = 0;
  double start_seconds_after_boot = 0;
  std::uint64_t virtual_bytes = 0;
  std::uint64_t resident_bytes = 0;
  std::uint64_t threads = 0;
};

// /proc/self/stat: fields after the command name (which may hold spaces and parentheses, so
// the text is split after its last ')'). utime and stime are fields 14 and 15, num_threads 20,
// starttime 22, vsize 23, rss (pages) 24.
std::optional<ProcessStat> read_stat() {
  std::ifstream file("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  ProcessStat stat;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  if (ticks <= 0) return std::nullopt;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  double user = 0;
  double system = 0;
  for (int number = 3; fields >> field; ++number) {
    switch (number) {
      case 14:
        user = std::stod(field);
        break;
      case 15:
        system = std::stod(field);
        break;
      case 20:
        stat.threads = std::stoull(field);
        break;
      case 22:
        stat.start_seconds_after_boot = std::stod(field) / ticks;
        break;
      case 23:
        stat.virtual_bytes = std::stoull(field);
        break;
      case 24:
        stat.resident_bytes = std::stoull(field) * page;
        break;
      default:
        break;
    }
  }
  if (stat.resident_bytes == 0) return std::nullopt;
  stat.cpu_seconds = (user + system) / ticks;
  return stat;
}

std::optional<double> boot_time_seconds() {
  std::ifstream file("/proc/stat");
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

std::optional<std::uint64_t> open_fds() {
  DIR* directory = ::opendir("/proc/self/fd");
  if (directory == nullptr) return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(directory)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(directory);
  return count > 0 ? count - 1 : 0;  // less the descriptor of the listing itself
}

void write_metric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, double value) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name,
                 type, name, value);
}

}  // namespace

void render_process_metrics(std::string& out) {
  if (auto stat = read_stat()) {
    write_metric(out, "process_cpu_seconds_total", "counter",
                 "User and system CPU time spent, seconds.", stat->cpu_seconds);
    write_metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size, bytes.",
                 static_cast<double>(stat->resident_bytes));
    write_metric(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size, bytes.",
                 static_cast<double>(stat->virtual_bytes));
    write_metric(out, "process_threads", "gauge", "Threads of the process.",
                 static_cast<double>(stat->threads));
    if (auto boot = boot_time_seconds()) {
      write_metric(out, "process_start_time_seconds", "gauge",
                   "Start time of the process since the Unix epoch, seconds.",
                   *boot + stat->start_seconds_after_boot);
    }
  }
  if (auto fds = open_fds()) {
    write_metric(out, "process_open_fds", "gauge", "Open file descriptors.",
                 static_cast<double>(*fds));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    write_metric(out, "process_max_fds", "gauge", "Limit on open file descriptors.",
                 static_cast<double>(limit.rlim_cur));
  }
  if (auto allocator = allocator_stats()) {
    write_metric(out, "aic_allocator_allocated_bytes", "gauge",
                 "Bytes in live allocations (jemalloc).",
                 static_cast<double>(allocator->allocated_bytes));
    write_metric(
        out, "aic_allocator_resident_bytes", "gauge",
        "Bytes of physical memory the allocator holds, in use or not yet returned (jemalloc).",
        static_cast<double>(allocator->resident_bytes));
  }
}

}  // namespace aic::core
