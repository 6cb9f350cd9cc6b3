// Money as integer minor units of its currency, and the decimal text formats it arrives in.
//
// Bank files write amounts as decimal text ("1234,56" in MT940, "1234.56" in camt.053 and
// OFX, implied decimals in BAI2). Floating point would round them; every amount here is an
// exact count of minor units (cents for EUR, yen for JPY, fils for BHD).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace aic::finance {

// Digits after the decimal point in `currency` (ISO 4217): 2 for most, 0 for JPY, KRW and
// others without minor units, 3 for BHD, KWD, OMR and a few more. Unknown codes get 2.
int currency_exponent(std::string_view currency);

// True for three upper-case ASCII letters (the shape of an ISO 4217 code).
bool is_currency_code(std::string_view text);

struct DecimalFormat {
  char decimal_separator = '.';
  bool allow_sign = true;                       // a leading '-' or '+'
  bool allow_no_digits_after_separator = true;  // "100," (MT940 writes whole amounts so)
};

// `text` as minor units with `exponent` decimals: "12.3" with exponent 2 is 1230. Errors
// (kInvalidArgument, message naming the text): not a number, more decimals than the currency
// has, or a value beyond ±9.2e18 minor units.
core::Result<std::int64_t> parse_minor_units(std::string_view text, int exponent,
                                             DecimalFormat format = {});

// Minor units as a decimal string with `exponent` decimals: 1230, 2 → "12.30"; -5, 2 → "-0.05".
std::string format_minor_units(std::int64_t minor, int exponent);

}  // namespace aic::finance
