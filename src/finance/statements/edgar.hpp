// Parser for SEC EDGAR `companyfacts` JSON (https://data.sec.gov/api/xbrl/companyfacts/):
// every XBRL fact a company filed, turned into canonical fiscal-period statements.
//
// The file lists, per taxonomy ("us-gaap", "dei", …) and concept ("Assets"), every value of
// every filing: {"start"?, "end", "val", "accn", "fy", "fp", "form", "filed", "frame"?} under
// its unit ("USD", "shares", "USD/shares"). The same value appears once per filing that
// reported it (a 10-K repeats the prior years as comparatives), and "fy"/"fp" describe the
// filing, not the value's own period. Pure function; no I/O.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/statements/reported_period.hpp"

namespace aic::finance {

struct EdgarFacts {
  std::string entity_name;
  std::string cik;                      // as digits, no zero padding
  std::vector<ReportedPeriod> periods;  // annual and quarterly, oldest (end date) first
  std::vector<std::string> warnings;    // e.g. facts in another currency skipped
};

// Reads a companyfacts document. Only us-gaap facts (and the dei cover-page share count) are
// imported, and only from forms 10-K, 10-Q, 20-F, 40-F and their amendments (/A).
//
// Periods: a duration fact of 330-400 days is annual (from annual forms only), one of 80-100
// days a quarter; other durations (six- and nine-month year-to-date) are ignored. A period
// exists when some duration fact of the mapped concepts covers it, so a fourth quarter is
// there only if a filing reported it on its own. Instant (balance-sheet) facts attach to
// every period ending on their date. Each concept's value for a period is the one of the
// latest filing ("filed", then accession), so restatements and amendments win.
//
// Errors (kInvalidArgument, field = JSON pointer): not JSON, no "facts", no "cik", an
// IFRS-only file (only us-gaap is imported), and a malformed fact of a concept read (a "val"
// that is not a number, a bad date). Monetary facts in another currency than the one most
// facts use are skipped with a warning.
core::Result<EdgarFacts> parse_edgar_companyfacts(std::string_view json);

// One way to obtain a field: a concept ("Revenues"; taxonomy-prefixed when not us-gaap,
// "dei:EntityCommonStockSharesOutstanding"), or two combined with '+' or '-'.
struct EdgarSource {
  std::string_view concept_name;
  char op = 0;  // 0, '+' or '-'
  std::string_view second;
};

// A canonical field ("revenue", the FinancialPeriod member's name) and the sources tried for
// it, first one with a value for the period wins.
struct EdgarFieldMap {
  std::string_view field;
  std::span<const EdgarSource> sources;
};

// The mapping parse_edgar_companyfacts uses, for documentation and the API's help.
std::span<const EdgarFieldMap> edgar_field_map();

}  // namespace aic::finance
