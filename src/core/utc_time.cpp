#include "core/utc_time.hpp"

namespace aic::core {

namespace {

// Writes `value` as `width` decimal digits (zero-padded) at `out`.
void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string format_utc_millis(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  // Called several times per request (usage records, budgets, audit): plain arithmetic on
  // the civil calendar instead of gmtime_r + strftime + snprintf.
  const auto millis_point = floor<milliseconds>(time);
  const auto day_point = floor<days>(millis_point);
  const year_month_day date(day_point);
  const int year = static_cast<int>(date.year());
  const auto in_day = millis_point - day_point;  // [0, 24 h)
  // system_clock counts nanoseconds in 64 bits: its years are 1677–2262, always four digits.
  const auto count = static_cast<unsigned>(in_day.count());
  std::string out = "0000-00-00T00:00:00.000Z";
  put_digits(out.data(), static_cast<unsigned>(year), 4);
  put_digits(out.data() + 5, static_cast<unsigned>(date.month()), 2);
  put_digits(out.data() + 8, static_cast<unsigned>(date.day()), 2);
  put_digits(out.data() + 11, count / 3'600'000, 2);
  put_digits(out.data() + 14, count / 60'000 % 60, 2);
  put_digits(out.data() + 17, count / 1000 % 60, 2);
  put_digits(out.data() + 20, count % 1000, 3);
  return out;
}

}  // namespace aic::core
