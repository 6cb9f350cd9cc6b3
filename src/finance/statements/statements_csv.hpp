// Financial statements from a CSV file of our own documented layout (docs/finance/imports.md):
// one row per fiscal period, one column per canonical item (period_items()).
//
//   period_end,length,fiscal_year,fiscal_period,currency,scale,revenue,net_income,total_assets
//   2024-12-31,annual,2024,FY,EUR,thousands,125000,8200,310000
//
// Required columns: period_end (YYYY-MM-DD) and length ("annual" or "quarter"). Optional:
// fiscal_year (default: the year of period_end), fiscal_period ("FY", "Q1"…"Q4"; default FY
// for a year, the calendar quarter of period_end for a quarter), currency (default: the
// caller's), scale (units, thousands, millions, billions, or 1, 1000, …; default units),
// source_ref (free text, e.g. the filing's id). Every other column must be a canonical item.
// Pure function; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/statements/reported_period.hpp"

namespace aic::finance {

struct StatementsCsv {
  std::vector<ReportedPeriod> periods;  // in file order
  std::vector<std::string> warnings;    // e.g. a balance sheet that does not balance
};

// Reads the file; `default_currency` is used for rows without a currency column.
// Values: a decimal number with an optional sign ("-1234.5"), thousands separators in quoted
// fields ("1,234.5"), or accounting negatives in parentheses ("(1234.5)"); an empty cell is
// "not reported". The scale multiplies every item except shares_outstanding (a count).
// Errors (kInvalidArgument with line, column and field = the column's name): a missing
// required column, an unknown or repeated column, a bad value, two rows for the same period.
core::Result<StatementsCsv> parse_statements_csv(std::string_view input,
                                                 std::string_view default_currency);

}  // namespace aic::finance
