// Daily share prices from a CSV file (date, open, high, low, close, volume), the input of a
// listed company's market value of equity (close × shares outstanding) and so of Altman's
// market-based Z and the market ratios.
//
// Prices are integer millionths of the currency unit (kPriceDecimals): 123.456789 is
// 123456789. Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

inline constexpr int kPriceDecimals = 6;
// A price in currency units, for the analytics (which work in doubles, not in money).
inline double price_in_units(std::int64_t micros) { return static_cast<double>(micros) / 1e6; }

struct PriceBar {
  Date date{};
  std::optional<std::int64_t> open;  // millionths of the currency unit
  std::optional<std::int64_t> high;
  std::optional<std::int64_t> low;
  std::int64_t close = 0;
  std::optional<std::int64_t> volume;  // shares traded
};

struct PricesCsv {
  std::vector<PriceBar> bars;  // date order, oldest first
  std::vector<std::string> warnings;
};

// Reads a CSV with a header row naming its columns in any order, case-insensitively: date
// (YYYY-MM-DD) and close are required; open, high, low and volume are optional; "adj close"
// (a vendor's dividend-adjusted close) is ignored. A row whose close is "null" or empty (a
// vendor's holiday row) is skipped with a warning; high below low, or a close outside them,
// is a warning. Errors (kInvalidArgument with line, column and field = the column): an
// unknown column, a bad date or number, a negative price, the same date twice.
core::Result<PricesCsv> parse_prices_csv(std::string_view input);

// The close of the last bar on or before `date` and at most `max_days_before` days earlier
// (a period ending on a Sunday takes Friday's close), or nullopt. REQUIRES: bars in date order.
const PriceBar* close_on_or_before(const std::vector<PriceBar>& bars, Date date,
                                   int max_days_before = 7);

}  // namespace aic::finance
