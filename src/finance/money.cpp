#include "finance/money.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace aic::finance {

namespace {

// ISO 4217 currencies whose minor unit is not 2 decimals (the list changes rarely).
struct Exponent {
  std::string_view code;
  int digits;
};
constexpr std::array<Exponent, 26> kExceptions = {{
    {"BHD", 3}, {"BIF", 0}, {"CLF", 4}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"IQD", 3},
    {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KMF", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3},
    {"OMR", 3}, {"PYG", 0}, {"RWF", 0}, {"TND", 3}, {"UGX", 0}, {"UYI", 0}, {"UYW", 4},
    {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XOF", 0}, {"XPF", 0},
}};

core::Error bad_amount(std::string_view text, std::string_view why) {
  return core::Error::invalid("amount \"" + std::string(text.substr(0, 40)) + "\" " +
                              std::string(why));
}

}  // namespace

int currency_exponent(std::string_view currency) {
  for (const Exponent& entry : kExceptions) {
    if (entry.code == currency) return entry.digits;
  }
  return 2;
}

bool is_currency_code(std::string_view text) {
  return text.size() == 3 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

core::Result<std::int64_t> parse_minor_units(std::string_view text, int exponent,
                                             DecimalFormat format) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    if (!format.allow_sign) return bad_amount(text, "must not carry a sign");
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return bad_amount(text, "has no digits");
  // Accumulated as a negative number: its range reaches the int64 minimum.
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t value = 0;
  bool seen_digit = false;
  bool seen_separator = false;
  int decimals = 0;
  for (char c : rest) {
    if (c == format.decimal_separator && !seen_separator) {
      seen_separator = true;
      continue;
    }
    if (c < '0' || c > '9') return bad_amount(text, "is not a decimal number");
    seen_digit = true;
    if (seen_separator && ++decimals > exponent) {
      if (c != '0') {
        return bad_amount(
            text, "has more than " + std::to_string(exponent) + " decimals for its currency");
      }
      continue;  // trailing zeros beyond the currency's precision change nothing
    }
    if (value < (kMin + (c - '0')) / 10) return bad_amount(text, "is too large");
    value = value * 10 - (c - '0');
  }
  if (!seen_digit) return bad_amount(text, "has no digits");
  if (seen_separator && decimals == 0 && !format.allow_no_digits_after_separator) {
    return bad_amount(text, "has no digits after the decimal separator");
  }
  for (int i = std::min(decimals, exponent); i < exponent; ++i) {
    if (value < kMin / 10) return bad_amount(text, "is too large");
    value *= 10;
  }
  if (negative) return value;
  if (value == kMin) return bad_amount(text, "is too large");
  return -value;
}

std::string format_minor_units(std::int64_t minor, int exponent) {
  // Digits of |minor| without overflowing on the int64 minimum.
  std::string digits;
  std::uint64_t magnitude =
      minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  if (exponent > 0) {
    const auto width = static_cast<std::size_t>(exponent);
    if (digits.size() <= width) digits.insert(0, width + 1 - digits.size(), '0');
    digits.insert(digits.size() - width, 1, '.');
  }
  return minor < 0 ? "-" + digits : digits;
}

}  // namespace aic::finance
