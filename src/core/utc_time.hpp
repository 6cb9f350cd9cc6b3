// Points in time as the API and the database write them: RFC 3339 UTC with milliseconds
// ("2026-11-22T08:00:00.123Z"), whose text order is their time order.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace aic::core {

// `time` as RFC 3339 UTC with milliseconds.
std::string format_utc_millis(std::chrono::system_clock::time_point time);
// The same for now.
inline std::string utc_now_millis() { return format_utc_millis(std::chrono::system_clock::now()); }

// Milliseconds since the Unix epoch, the form scheduling columns use.
inline std::int64_t unix_millis(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
inline std::chrono::system_clock::time_point from_unix_millis(std::int64_t millis) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(millis));
}

}  // namespace aic::core
