// A fiscal period as a filing reports it: the statement values plus where they came from.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "finance/analytics/period.hpp"

namespace aic::finance {

// One fiscal period of a filing or an imported statements file. `values.period_end` and
// `values.length` identify it; values not reported stay nullopt. The field comments describe
// EDGAR filings; a statements CSV sets fiscal_year, fiscal_period, currency and accession
// (its source_ref column) and leaves the rest empty.
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

}  // namespace aic::finance
