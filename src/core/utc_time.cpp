#include "core/utc_time.hpp"

#include <cstdio>
#include <ctime>

namespace aic::core {

std::string format_utc_millis(std::chrono::system_clock::time_point time) {
  const std::int64_t millis_since_epoch = unix_millis(time);
  std::int64_t millis = millis_since_epoch % 1000;
  std::time_t seconds = static_cast<std::time_t>(millis_since_epoch / 1000);
  if (millis < 0) {  // before 1970: floor, not truncate
    millis += 1000;
    seconds -= 1;
  }
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[48];
  std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(buffer + length, sizeof buffer - length, ".%03dZ", static_cast<int>(millis));
  return buffer;
}

}  // namespace aic::core
