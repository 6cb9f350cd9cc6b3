// Fictional companies of our own making for `aic admin seed-demo`: five years of statements,
// a year of bank statements (MT940), share prices for the listed one, and news. Every figure
// is generated here from a few growth and margin parameters, so the demo shows a healthy, a
// strained and a cash-burning company. Pure functions; deterministic output.
#pragma once

#include <string>
#include <vector>

namespace aic::finance {

struct DemoCompany {
  std::string name;
  std::string industry_code;  // NAICS
  std::string country;
  std::string currency;
  bool is_public = false;
  bool manufacturing = false;
  std::string statements_csv;  // statements-csv, 2021–2025, annual and quarterly
  std::string bank_mt940;      // mt940, January–December 2025
  std::string prices_csv;      // prices-csv (listed companies only; else empty)
  std::string news_json;       // news-json
};

std::vector<DemoCompany> demo_companies();

}  // namespace aic::finance
