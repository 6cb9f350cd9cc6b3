#include "finance/demo/demo_data.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace aic::finance {

namespace {

// How a company's figures develop over the five years.
struct Profile {
  double revenue_2021;  // in thousands
  double growth;        // revenue growth per year
  double gross_margin;
  double operating_margin_2021;
  double margin_drift;  // operating margin change per year
  double assets_to_revenue;
  double debt_share;  // long-term debt / total assets
  double shares;      // shares outstanding
};

std::string statements(const Profile& p, const char* currency) {
  std::string csv =
      "period_end,length,currency,scale,revenue,cogs,sga,depreciation,ebit,interest_expense,"
      "pretax_income,income_tax,net_income,cash,receivables,inventory,current_assets,ppe_net,"
      "total_assets,payables,current_liabilities,long_term_debt,total_liabilities,"
      "retained_earnings,equity,shares_outstanding,operating_cash_flow,capex,dividends\n";
  double retained = p.revenue_2021 * 0.3;
  for (int year = 0; year < 5; ++year) {
    const double revenue = p.revenue_2021 * std::pow(1.0 + p.growth, year);
    const double cogs = revenue * (1.0 - p.gross_margin);
    const double ebit = revenue * (p.operating_margin_2021 + p.margin_drift * year);
    const double depreciation = revenue * 0.04;
    const double sga = revenue - cogs - ebit - depreciation;
    const double assets = revenue * p.assets_to_revenue;
    const double debt = assets * p.debt_share;
    const double interest = debt * 0.05;
    const double pretax = ebit - interest;
    const double tax = pretax > 0 ? pretax * 0.25 : 0.0;
    const double net = pretax - tax;
    const double dividends = net > 0 ? net * 0.3 : 0.0;
    retained += net - dividends;
    const double receivables = revenue * 45.0 / 365.0;
    const double inventory = cogs * 50.0 / 365.0;
    const double payables = cogs * 40.0 / 365.0;
    const double current_liabilities = payables + revenue * 0.05;
    const double liabilities = debt + current_liabilities + assets * 0.05;
    const double equity = assets - liabilities;
    const double cash = std::max(assets * 0.04 + net * 0.5, assets * 0.01);
    const double current_assets = cash + receivables + inventory;
    const double ppe = assets - current_assets;
    // The year, then its quarters: flows split by a season (a strong fourth quarter),
    // balances as at the year end (the demo keeps the balance sheet simple).
    static constexpr double kSeason[] = {0.92, 1.0, 0.94, 1.14};
    static constexpr const char* kQuarterEnd[] = {"03-31", "06-30", "09-30", "12-31"};
    for (int part = -1; part < 4; ++part) {
      const double f = part < 0 ? 1.0 : kSeason[part] / 4.0;
      char row[640];
      std::snprintf(row, sizeof row,
                    "%d-%s,%s,%s,thousands,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,"
                    "%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,"
                    "%.0f\n",
                    2021 + year, part < 0 ? "12-31" : kQuarterEnd[part],
                    part < 0 ? "annual" : "quarter", currency, revenue * f, cogs * f, sga * f,
                    depreciation * f, ebit * f, interest * f, pretax * f, tax * f, net * f, cash,
                    receivables, inventory, current_assets, ppe, assets, payables,
                    current_liabilities, debt, liabilities, retained, equity, p.shares,
                    (net + depreciation * 0.9) * f, depreciation * 1.1 * f, dividends * f);
      csv += row;
    }
  }
  return csv;
}

// "1234,56" from cents: MT940 writes amounts with a decimal comma.
std::string mt940_amount(std::int64_t cents) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld,%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return text;
}

// A year of monthly statements: receipts from customers on the 10th and 25th, payroll on the
// 28th, rent on the 1st, suppliers on the 15th. `typical_in`/`monthly_out` in cents.
std::string bank_file(const char* account, const char* currency, std::int64_t opening,
                      std::int64_t typical_in, std::int64_t monthly_out) {
  std::string out;
  std::int64_t balance = opening;
  int reference = 1;
  auto line = [&](const char* text) {
    out += text;
    out += "\r\n";
  };
  char text[256];
  for (int month = 1; month <= 12; ++month) {
    // Receipts vary from month to month (±12 %), as a business's do.
    const auto monthly_in = static_cast<std::int64_t>(static_cast<double>(typical_in) *
                                                      (1.0 + 0.12 * std::sin(month * 1.7)));
    std::snprintf(text, sizeof text, ":20:DEMO-2025-%02d", month);
    line(text);
    std::snprintf(text, sizeof text, ":25:%s", account);
    line(text);
    std::snprintf(text, sizeof text, ":28C:%d/1", month);
    line(text);
    std::snprintf(text, sizeof text, ":60F:%c25%02d01%s%s", balance < 0 ? 'D' : 'C', month,
                  currency, mt940_amount(std::llabs(balance)).c_str());
    line(text);
    struct Entry {
      int day;
      bool credit;
      std::int64_t cents;
      const char* text;
    };
    const Entry entries[] = {
        {1, false, monthly_out * 15 / 100, "/NAME/Harbourside Estates/REMI/Rent"},
        {10, true, monthly_in / 2, "/NAME/Customer receipts/REMI/Invoices first half"},
        {15, false, monthly_out * 35 / 100, "/NAME/Supplier payments/REMI/Materials"},
        {25, true, monthly_in - monthly_in / 2,
         "/NAME/Customer receipts/REMI/Invoices second half"},
        {28, false, monthly_out - monthly_out * 15 / 100 - monthly_out * 35 / 100,
         "/NAME/Payroll/REMI/Salaries"},
    };
    for (const Entry& entry : entries) {
      std::snprintf(text, sizeof text, ":61:25%02d%02d%02d%02d%c%sNTRFDEMO%04d//BR%06d", month,
                    entry.day, month, entry.day, entry.credit ? 'C' : 'D',
                    mt940_amount(entry.cents).c_str(), reference, reference);
      line(text);
      std::snprintf(text, sizeof text, ":86:%s", entry.text);
      line(text);
      balance += entry.credit ? entry.cents : -entry.cents;
      ++reference;
    }
    static constexpr int kLastDay[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    std::snprintf(text, sizeof text, ":62F:%c25%02d%02d%s%s", balance < 0 ? 'D' : 'C', month,
                  kLastDay[month - 1], currency, mt940_amount(std::llabs(balance)).c_str());
    line(text);
    line("-");
  }
  return out;
}

// Month-end closes 2021–2025 drifting from `start` by `drift` a month (no randomness: the
// demo must be the same every time).
std::string prices(double start, double drift) {
  std::string csv = "Date,Open,High,Low,Close,Volume\n";
  static constexpr int kLastWeekday[5][12] = {
      {29, 26, 31, 30, 31, 30, 30, 31, 30, 29, 30, 31},  // 2021
      {31, 28, 31, 29, 31, 30, 29, 31, 30, 31, 30, 30},  // 2022
      {31, 28, 31, 28, 31, 30, 31, 31, 29, 31, 30, 29},  // 2023
      {31, 29, 29, 30, 31, 28, 31, 30, 30, 31, 29, 31},  // 2024
      {31, 28, 31, 30, 30, 30, 31, 29, 30, 31, 28, 31},  // 2025
  };
  double close = start;
  for (int year = 0; year < 5; ++year) {
    for (int month = 0; month < 12; ++month) {
      const double open = close;
      close = close * (1.0 + drift + 0.02 * std::sin(year * 12 + month));
      char row[160];
      std::snprintf(row, sizeof row, "%d-%02d-%02d,%.2f,%.2f,%.2f,%.2f,%d\n", 2021 + year,
                    month + 1, kLastWeekday[year][month], open, std::max(open, close) * 1.01,
                    std::min(open, close) * 0.99, close, 50000 + 1000 * month);
      csv += row;
    }
  }
  return csv;
}

std::string news(const char* company,
                 const std::vector<std::pair<const char*, const char*>>& items) {
  std::string json = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    char item[512];
    std::snprintf(item, sizeof item,
                  "%s{\"id\":\"demo-%zu\",\"headline\":\"%s %s\",\"published_at\":\"%sT08:30:00Z\","
                  "\"source\":\"AIC demo wire\"}",
                  i == 0 ? "" : ",", i, company, items[i].second, items[i].first);
    json += item;
  }
  json += "]";
  return json;
}

}  // namespace

std::vector<DemoCompany> demo_companies() {
  std::vector<DemoCompany> companies;

  DemoCompany fjordline;
  fjordline.name = "Fjordline Tools ASA";
  fjordline.industry_code = "333515";
  fjordline.country = "NO";
  fjordline.currency = "EUR";
  fjordline.is_public = true;
  fjordline.manufacturing = true;
  fjordline.statements_csv = statements({.revenue_2021 = 182000,
                                         .growth = 0.07,
                                         .gross_margin = 0.38,
                                         .operating_margin_2021 = 0.11,
                                         .margin_drift = 0.004,
                                         .assets_to_revenue = 1.1,
                                         .debt_share = 0.18,
                                         .shares = 24000000},
                                        "EUR");
  fjordline.bank_mt940 =
      bank_file("NO9386011117947", "EUR", 1'850'000'00, 1'600'000'00, 1'480'000'00);
  fjordline.prices_csv = prices(41.0, 0.006);
  fjordline.news_json = news(
      "Fjordline Tools", {{"2025-02-12", "operating profit rose to EUR 25.1 mn in 2024"},
                          {"2025-03-20", "wins order for precision tooling from a German carmaker"},
                          {"2025-05-08", "opens new plant in Stavanger"},
                          {"2025-06-17", "appoints new chief financial officer"},
                          {"2025-08-14", "net sales increased by 7 % in the second quarter"},
                          {"2025-09-30", "signs supply agreement with Nordic shipyard"},
                          {"2025-10-22", "raw material costs rose in the third quarter"},
                          {"2025-11-13", "raises full-year outlook"},
                          {"2025-12-04", "is headquartered in Bergen, Norway"}});
  companies.push_back(std::move(fjordline));

  DemoCompany harbor;
  harbor.name = "Harbor & Finch Retail Inc.";
  harbor.industry_code = "455219";
  harbor.country = "US";
  harbor.currency = "USD";
  harbor.statements_csv = statements({.revenue_2021 = 640000,
                                      .growth = -0.04,
                                      .gross_margin = 0.31,
                                      .operating_margin_2021 = 0.045,
                                      .margin_drift = -0.014,
                                      .assets_to_revenue = 0.7,
                                      .debt_share = 0.42,
                                      .shares = 80000000},
                                     "USD");
  harbor.bank_mt940 =
      bank_file("021000021-7788123", "USD", 6'400'000'00, 4'100'000'00, 4'420'000'00);
  harbor.news_json =
      news("Harbor & Finch", {{"2025-01-15", "holiday sales fell 6 % from a year earlier"},
                              {"2025-03-03", "net loss widened to USD 14 mn"},
                              {"2025-04-22", "to close 23 stores and cut 400 jobs"},
                              {"2025-06-10", "refinances its revolving credit facility"},
                              {"2025-08-05", "same-store sales decreased in the second quarter"},
                              {"2025-09-18", "launches online marketplace"},
                              {"2025-11-12", "operating loss narrowed in the third quarter"},
                              {"2025-12-08", "announces new store format in Boston"}});
  companies.push_back(std::move(harbor));

  DemoCompany quillstone;
  quillstone.name = "Quillstone Software GmbH";
  quillstone.industry_code = "513210";
  quillstone.country = "DE";
  quillstone.currency = "EUR";
  quillstone.statements_csv = statements({.revenue_2021 = 9000,
                                          .growth = 0.38,
                                          .gross_margin = 0.78,
                                          .operating_margin_2021 = -0.32,
                                          .margin_drift = 0.05,
                                          .assets_to_revenue = 1.6,
                                          .debt_share = 0.05,
                                          .shares = 1000000},
                                         "EUR");
  quillstone.bank_mt940 =
      bank_file("DE89370400440532013000", "EUR", 7'100'000'00, 2'150'000'00, 2'520'000'00);
  quillstone.news_json = news("Quillstone Software",
                              {{"2025-02-03", "annual recurring revenue grew 41 % to EUR 31 mn"},
                               {"2025-04-14", "signs partnership with a leading European bank"},
                               {"2025-06-02", "net loss increased as it expanded into France"},
                               {"2025-07-21", "wins contract with city of Munich"},
                               {"2025-09-09", "delays its next funding round"},
                               {"2025-11-25", "launches AI document assistant"}});
  companies.push_back(std::move(quillstone));
  return companies;
}

}  // namespace aic::finance
