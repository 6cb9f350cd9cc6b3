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
#include "finance/analytics/period.hpp"

namespace aic::finance {

// One fiscal period of the file. `values.period_end` and `values.length` identify it; values
// the filings do not report stay nullopt. `values.market_value_equity` is never set (the
// file has no prices).
struct ReportedPeriod {
  FinancialPeriod values;
  // The period's own fiscal year and label: "fy" (and "fp") of the latest filing whose own
  // period this is, i.e. the latest year in a 10-K (20-F, 40-F), the latest quarter in a 10-Q.
  // A period that only appears as a comparative (older than the company's first filing), or
  // whose filing gives no usable label (some 10-Qs say "FY"), is counted in quarters from the
  // latest labelled one: the year ending a year before fiscal 2025's end is fiscal 2024.
  int fiscal_year = 0;
  std::string fiscal_period;  // "FY", "Q1", "Q2", "Q3", "Q4"
  std::string currency;       // ISO 4217 code of the monetary facts, e.g. "USD"
  std::chrono::year_month_day period_start{};
  // The filing the period is credited to: the latest filing whose own period this is (so a
  // 10-K/A replaces its 10-K); for a comparative-only period, the filing that supplied most
  // of its values (the later one on a tie). Values themselves come from the latest filing
  // that reported each of them, which may be a later one that restated it.
  std::string accession;
  std::string form;  // "10-K", "10-K/A", "10-Q", "20-F", …
  // Fields computed from other concepts instead of reported, with how, e.g.
  // "total_liabilities = LiabilitiesAndStockholdersEquity - StockholdersEquity".
  std::vector<std::string> derived;
};

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
