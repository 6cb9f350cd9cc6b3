// EDGAR companyfacts parser: the Snowflake sample (figures from its FY2025 10-K, see
// ../shared/data/README.md), the IFRS-only sample, and small hand-written documents for the
// period, dedupe, labelling and error rules.
#include "finance/statements/edgar.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>

namespace aic::finance {
namespace {

using std::chrono::year_month_day;

std::string read_sample(const std::string& name) {
  std::ifstream file(std::string(AIC_SHARED_DATA_DIR) + "/edgar/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

year_month_day date(int year, int month, int day) {
  return year_month_day{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                        std::chrono::day(static_cast<unsigned>(day))};
}

int days_between(year_month_day start, year_month_day end) {
  return static_cast<int>((std::chrono::sys_days(end) - std::chrono::sys_days(start)).count());
}

const ReportedPeriod* find_period(const EdgarFacts& facts, year_month_day end,
                                  PeriodLength length) {
  for (const ReportedPeriod& period : facts.periods) {
    if (period.values.period_end == end && period.values.length == length) return &period;
  }
  return nullptr;
}

core::Error parse_error(std::string_view input) {
  core::Result<EdgarFacts> parsed = parse_edgar_companyfacts(input);
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return core::Error{};
  core::Error error = std::move(parsed).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Hand-written documents.

// One fact; an empty `start` makes it an instant.
std::string fact(std::string_view start, std::string_view end, std::string_view val,
                 std::string_view accn, int fy, std::string_view fp, std::string_view form,
                 std::string_view filed) {
  std::string out = "{";
  if (!start.empty()) out += "\"start\":\"" + std::string(start) + "\",";
  out += "\"end\":\"" + std::string(end) + "\",\"val\":" + std::string(val) + ",\"accn\":\"" +
         std::string(accn) + "\",\"fy\":" + std::to_string(fy) + ",\"fp\":\"" + std::string(fp) +
         "\",\"form\":\"" + std::string(form) + "\",\"filed\":\"" + std::string(filed) + "\"}";
  return out;
}

// A concept with facts in one unit.
std::string concept_facts(std::string_view name, std::string_view unit,
                          std::initializer_list<std::string> facts) {
  std::string out =
      "\"" + std::string(name) + "\":{\"label\":\"x\",\"units\":{\"" + std::string(unit) + "\":[";
  bool first = true;
  for (const std::string& one : facts) {
    if (!first) out += ",";
    out += one;
    first = false;
  }
  return out + "]}}";
}

std::string document(std::initializer_list<std::string> gaap_concepts,
                     std::string_view dei_concepts = "") {
  std::string out = R"({"cik":320193,"entityName":"Example Corp","facts":{)";
  out += "\"dei\":{" + std::string(dei_concepts) + "},\"us-gaap\":{";
  bool first = true;
  for (const std::string& one : gaap_concepts) {
    if (!first) out += ",";
    out += one;
    first = false;
  }
  return out + "}}}";
}

EdgarFacts parse_ok(const std::string& json) {
  core::Result<EdgarFacts> parsed = parse_edgar_companyfacts(json);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(parsed).value() : EdgarFacts{};
}

// Calendar-year company: 10-K for 2023 (filed 2024-02-10) and for 2024 (filed 2025-02-12),
// which repeats 2023 as a comparative.
constexpr std::string_view kK23 = "0000320193-24-000010";
constexpr std::string_view kK24 = "0000320193-25-000012";

// ---------------------------------------------------------------------------------------------
// Snowflake sample.

class SnowflakeSample : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    core::Result<EdgarFacts> parsed = parse_edgar_companyfacts(read_sample("snow_facts.json"));
    ASSERT_TRUE(parsed) << parsed.error().message;
    facts_ = new EdgarFacts(std::move(parsed).value());
  }
  static void TearDownTestSuite() {
    delete facts_;
    facts_ = nullptr;
  }
  static const EdgarFacts& facts() { return *facts_; }

 private:
  static EdgarFacts* facts_;
};
EdgarFacts* SnowflakeSample::facts_ = nullptr;

TEST_F(SnowflakeSample, Entity) {
  EXPECT_EQ(facts().entity_name, "SNOWFLAKE INC.");
  EXPECT_EQ(facts().cik, "1640147");
  EXPECT_TRUE(facts().warnings.empty()) << facts().warnings.front();
}

TEST_F(SnowflakeSample, FiscalYear2025MatchesThe10K) {
  const ReportedPeriod* year = find_period(facts(), date(2025, 1, 31), PeriodLength::kAnnual);
  ASSERT_NE(year, nullptr);
  EXPECT_EQ(year->fiscal_year, 2025);
  EXPECT_EQ(year->fiscal_period, "FY");
  EXPECT_EQ(year->accession, "0001640147-25-000052");
  EXPECT_EQ(year->form, "10-K");
  EXPECT_EQ(year->currency, "USD");
  EXPECT_EQ(year->period_start, date(2024, 2, 1));

  const FinancialPeriod& v = year->values;
  EXPECT_EQ(v.total_assets, 9'033'938'000.0);
  EXPECT_EQ(v.current_assets, 5'869'372'000.0);
  EXPECT_EQ(v.current_liabilities, 3'301'183'000.0);
  EXPECT_EQ(v.total_liabilities, 6'027'295'000.0);
  EXPECT_EQ(v.retained_earnings, -7'293'575'000.0);
  EXPECT_EQ(v.equity, 2'999'929'000.0);
  EXPECT_EQ(v.ebit, -1'456'010'000.0);
  EXPECT_EQ(v.revenue, 3'626'396'000.0);  // RevenueFromContractWithCustomerExcludingAssessedTax

  // Fallbacks and composites.
  EXPECT_EQ(v.cogs, 1'214'673'000.0);                    // CostOfGoodsAndServicesSold
  EXPECT_EQ(v.sga, 1'672'092'000.0 + 412'262'000.0);     // selling + G&A, no total tagged
  EXPECT_EQ(v.short_term_investments, 2'008'873'000.0);  // AvailableForSale…Current
  EXPECT_EQ(v.long_term_debt, 2'271'529'000.0);          // ConvertibleDebtNoncurrent
  EXPECT_EQ(v.shares_outstanding, 334'100'000.0);        // the 10-K's cover page
  EXPECT_EQ(v.net_income, -1'285'640'000.0);
  EXPECT_EQ(v.cash, 2'628'798'000.0);
  EXPECT_EQ(v.operating_cash_flow, 959'764'000.0);
  EXPECT_EQ(v.capex, 46'279'000.0);
  ASSERT_EQ(year->derived.size(), 1u);
  EXPECT_EQ(year->derived[0], "sga = SellingAndMarketingExpense + GeneralAndAdministrativeExpense");

  // Not reported: stays empty, never 0.
  EXPECT_FALSE(v.inventory);
  EXPECT_FALSE(v.dividends);
  EXPECT_FALSE(v.market_value_equity);
}

TEST_F(SnowflakeSample, AnnualPeriodsOldestFirstWithTheirOwnFiscalYears) {
  int annual = 0;
  for (std::size_t i = 0; i < facts().periods.size(); ++i) {
    const ReportedPeriod& period = facts().periods[i];
    if (i > 0) {
      EXPECT_LE(std::chrono::sys_days(facts().periods[i - 1].values.period_end),
                std::chrono::sys_days(period.values.period_end));
    }
    if (period.values.length != PeriodLength::kAnnual) continue;
    ++annual;
    // Snowflake's fiscal year ends on January 31 and is named after that year.
    EXPECT_EQ(period.values.period_end.month(), std::chrono::January);
    EXPECT_EQ(period.values.period_end.day(), std::chrono::day(31));
    EXPECT_EQ(period.fiscal_year, static_cast<int>(period.values.period_end.year()));
    EXPECT_EQ(period.fiscal_period, "FY");
    EXPECT_EQ(period.form, "10-K");
    EXPECT_TRUE(period.values.revenue.has_value()) << period.fiscal_year;
  }
  EXPECT_GE(annual, 6);  // fiscal 2019 (a comparative of the first 10-K) to 2025

  // Fiscal 2020 is older than the first 10-K (fiscal 2021): labelled by counting back.
  const ReportedPeriod* fy2020 = find_period(facts(), date(2020, 1, 31), PeriodLength::kAnnual);
  ASSERT_NE(fy2020, nullptr);
  EXPECT_EQ(fy2020->fiscal_year, 2020);
  EXPECT_EQ(fy2020->values.revenue, 264'748'000.0);
  EXPECT_FALSE(fy2020->accession.empty());
}

TEST_F(SnowflakeSample, QuartersAreThreeMonthsAndNoFourthQuarterIsInvented) {
  int quarters = 0;
  std::set<std::string> labels;
  for (const ReportedPeriod& period : facts().periods) {
    if (period.values.length != PeriodLength::kQuarter) continue;
    ++quarters;
    labels.insert(period.fiscal_period);
    const int days = days_between(period.period_start, period.values.period_end);
    EXPECT_GE(days, 80);
    EXPECT_LE(days, 100);
  }
  EXPECT_GE(quarters, 12);
  EXPECT_EQ(labels, (std::set<std::string>{"Q1", "Q2", "Q3"}));

  const ReportedPeriod* q3 = find_period(facts(), date(2024, 10, 31), PeriodLength::kQuarter);
  ASSERT_NE(q3, nullptr);
  EXPECT_EQ(q3->fiscal_year, 2025);
  EXPECT_EQ(q3->fiscal_period, "Q3");
  EXPECT_EQ(q3->accession, "0001640147-24-000250");
  EXPECT_EQ(q3->form, "10-Q");
  EXPECT_EQ(q3->period_start, date(2024, 8, 1));
  EXPECT_EQ(q3->values.revenue, 942'094'000.0);         // the three months, not nine
  EXPECT_EQ(q3->values.total_assets, 8'202'258'000.0);  // the balance sheet on that date

  // This 10-Q's facts say fp "FY"; its quarter is still its own, labelled by counting.
  const ReportedPeriod* q1_2023 = find_period(facts(), date(2022, 4, 30), PeriodLength::kQuarter);
  ASSERT_NE(q1_2023, nullptr);
  EXPECT_EQ(q1_2023->fiscal_year, 2023);
  EXPECT_EQ(q1_2023->fiscal_period, "Q1");
  EXPECT_EQ(q1_2023->accession, "0001640147-22-000044");
  EXPECT_EQ(q1_2023->values.revenue, 422'371'000.0);

  const ReportedPeriod* q1 = find_period(facts(), date(2025, 4, 30), PeriodLength::kQuarter);
  ASSERT_NE(q1, nullptr);
  EXPECT_EQ(q1->fiscal_year, 2026);
  EXPECT_EQ(q1->fiscal_period, "Q1");
  EXPECT_EQ(q1->values.revenue, 1'042'074'000.0);
}

TEST_F(SnowflakeSample, NoSixOrNineMonthPeriods) {
  for (const ReportedPeriod& period : facts().periods) {
    const int days = days_between(period.period_start, period.values.period_end);
    if (period.values.length == PeriodLength::kAnnual) {
      EXPECT_GE(days, 330);
      EXPECT_LE(days, 400);
    } else {
      EXPECT_LE(days, 100);
    }
  }
}

TEST(EdgarSamples, IfrsOnlyFilerIsRefused) {
  const core::Error error = parse_error(read_sample("lpa_facts.json"));
  EXPECT_NE(error.message.find("IFRS (ifrs-full)"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("only us-gaap facts are imported"), std::string::npos);
  EXPECT_EQ(error.field, "/facts");
}

TEST(EdgarSamples, SnowflakeParseTime) {
  const std::string json = read_sample("snow_facts.json");
  const auto started = std::chrono::steady_clock::now();
  core::Result<EdgarFacts> parsed = parse_edgar_companyfacts(json);
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  ASSERT_TRUE(parsed);
  // Reported, not asserted: sanitizer builds are several times slower than release ones.
  RecordProperty("parse_microseconds", static_cast<int>(elapsed.count()));
  std::printf("snow_facts.json (%zu bytes) parsed in %lld us\n", json.size(),
              static_cast<long long>(elapsed.count()));
}

// ---------------------------------------------------------------------------------------------
// Hand-written documents: periods, dedupe, labels.

TEST(EdgarFacts, RestatedValueTakesTheLaterFiling) {
  const EdgarFacts facts = parse_ok(document({
      concept_facts(
          "Revenues", "USD",
          {fact("2023-01-01", "2023-12-31", "100", kK23, 2023, "FY", "10-K", "2024-02-10"),
           fact("2023-01-01", "2023-12-31", "110", kK24, 2024, "FY", "10-K", "2025-02-12"),
           fact("2024-01-01", "2024-12-31", "130", kK24, 2024, "FY", "10-K", "2025-02-12")}),
      concept_facts("Assets", "USD",
                    {fact("", "2023-12-31", "500", kK23, 2023, "FY", "10-K", "2024-02-10"),
                     fact("", "2023-12-31", "505", kK24, 2024, "FY", "10-K", "2025-02-12"),
                     fact("", "2024-12-31", "600", kK24, 2024, "FY", "10-K", "2025-02-12")}),
  }));
  ASSERT_EQ(facts.periods.size(), 2u);
  const ReportedPeriod& y2023 = facts.periods[0];
  EXPECT_EQ(y2023.values.period_end, date(2023, 12, 31));
  EXPECT_EQ(y2023.values.revenue, 110.0);  // restated in the 2024 10-K
  EXPECT_EQ(y2023.values.total_assets, 505.0);
  // Labelled and credited by the 10-K whose own year it is, not the one that repeats it.
  EXPECT_EQ(y2023.fiscal_year, 2023);
  EXPECT_EQ(y2023.accession, kK23);
  const ReportedPeriod& y2024 = facts.periods[1];
  EXPECT_EQ(y2024.values.revenue, 130.0);
  EXPECT_EQ(y2024.values.total_assets, 600.0);
  EXPECT_EQ(y2024.fiscal_year, 2024);
  EXPECT_EQ(y2024.accession, kK24);
  EXPECT_EQ(y2024.form, "10-K");
  EXPECT_EQ(y2024.period_start, date(2024, 1, 1));
  EXPECT_TRUE(facts.warnings.empty());
}

TEST(EdgarFacts, AmendmentWinsEvenOnTheSameDay) {
  const EdgarFacts facts = parse_ok(document({concept_facts(
      "Revenues", "USD",
      {fact("2024-01-01", "2024-12-31", "131", "0000320193-25-000013", 2024, "FY", "10-K/A",
            "2025-02-12"),
       fact("2024-01-01", "2024-12-31", "130", kK24, 2024, "FY", "10-K", "2025-02-12")})}));
  ASSERT_EQ(facts.periods.size(), 1u);
  EXPECT_EQ(facts.periods[0].values.revenue, 131.0);
  EXPECT_EQ(facts.periods[0].accession, "0000320193-25-000013");
  EXPECT_EQ(facts.periods[0].form, "10-K/A");
}

TEST(EdgarFacts, OnlyPeriodicReportsCount) {
  const EdgarFacts facts = parse_ok(document({concept_facts(
      "Revenues", "USD",
      {fact("2024-01-01", "2024-12-31", "130", kK24, 2024, "FY", "10-K", "2025-02-12"),
       // A later 8-K and an S-1 with other figures for the same and another year.
       fact("2024-01-01", "2024-12-31", "999", "0000320193-25-000020", 2024, "FY", "8-K",
            "2025-03-01"),
       fact("2022-01-01", "2022-12-31", "50", "0000320193-23-000001", 2022, "FY", "S-1",
            "2023-03-01")})}));
  ASSERT_EQ(facts.periods.size(), 1u);
  EXPECT_EQ(facts.periods[0].values.revenue, 130.0);
}

TEST(EdgarFacts, YearToDateAndOddDurationsMakeNoPeriod) {
  const std::string q = "0000320193-24-000050";
  const EdgarFacts facts = parse_ok(document({concept_facts(
      "Revenues", "USD",
      {fact("2024-01-01", "2024-06-30", "60", q, 2024, "Q2", "10-Q", "2024-08-01"),  // six months
       fact("2024-04-01", "2024-06-30", "31", q, 2024, "Q2", "10-Q", "2024-08-01"),  // quarter
       fact("2023-07-01", "2024-06-30", "120", q, 2024, "Q2", "10-Q",
            "2024-08-01"),  // TTM in a 10-Q
       fact("2024-06-01", "2024-06-30", "11", q, 2024, "Q2", "10-Q", "2024-08-01")})}));  // a month
  ASSERT_EQ(facts.periods.size(), 1u);
  const ReportedPeriod& quarter = facts.periods[0];
  EXPECT_EQ(quarter.values.length, PeriodLength::kQuarter);
  EXPECT_EQ(quarter.values.revenue, 31.0);
  EXPECT_EQ(quarter.fiscal_year, 2024);
  EXPECT_EQ(quarter.fiscal_period, "Q2");
  EXPECT_EQ(quarter.accession, q);
}

TEST(EdgarFacts, ComparativePeriodsAreLabelledByCountingFromOwnFilings) {
  // A September fiscal year of 52/53 weeks: the 10-K for fiscal 2024 (ending 2024-09-28)
  // repeats fiscal 2023 and 2022; the Q1 fiscal 2025 10-Q repeats the quarter a year earlier.
  // The Q2 10-Q says "FY" (as some real ones do): its quarter is still its own, labelled by
  // counting.
  const std::string k = "0000320193-24-000123";
  const std::string q = "0000320193-25-000008";
  const std::string q2 = "0000320193-25-000031";
  const EdgarFacts facts = parse_ok(document({concept_facts(
      "NetIncomeLoss", "USD",
      {fact("2021-09-26", "2022-09-24", "1", k, 2024, "FY", "10-K", "2024-11-01"),
       fact("2022-09-25", "2023-09-30", "2", k, 2024, "FY", "10-K", "2024-11-01"),
       fact("2023-10-01", "2024-09-28", "3", k, 2024, "FY", "10-K", "2024-11-01"),
       fact("2023-10-01", "2023-12-30", "4", q, 2025, "Q1", "10-Q", "2025-01-31"),
       fact("2024-09-29", "2024-12-28", "5", q, 2025, "Q1", "10-Q", "2025-01-31"),
       fact("2024-12-29", "2025-03-29", "6", q2, 2025, "FY", "10-Q", "2025-05-02")})}));
  ASSERT_EQ(facts.periods.size(), 6u);
  const auto expect = [&](std::size_t index, int fiscal_year, std::string_view label,
                          std::string_view accession) {
    SCOPED_TRACE(index);
    EXPECT_EQ(facts.periods[index].fiscal_year, fiscal_year);
    EXPECT_EQ(facts.periods[index].fiscal_period, label);
    EXPECT_EQ(facts.periods[index].accession, accession);
  };
  expect(0, 2022, "FY", k);
  expect(1, 2023, "FY", k);
  expect(2, 2024, "Q1", q);  // 2023-12-30
  expect(3, 2024, "FY", k);
  expect(4, 2025, "Q1", q);
  expect(5, 2025, "Q2", q2);
  EXPECT_EQ(facts.periods[5].form, "10-Q");
}

TEST(EdgarFacts, InstantsAttachToEveryPeriodEndingOnTheirDate) {
  const std::string q = "0000320193-24-000050";
  const EdgarFacts facts = parse_ok(document({
      concept_facts("Revenues", "USD",
                    {fact("2024-04-01", "2024-06-30", "31", q, 2024, "Q2", "10-Q", "2024-08-01")}),
      concept_facts("Assets", "USD",
                    {fact("", "2023-12-31", "400", q, 2024, "Q2", "10-Q", "2024-08-01"),
                     fact("", "2024-06-30", "450", q, 2024, "Q2", "10-Q", "2024-08-01")}),
  }));
  // The year-end balance sheet is a comparative with no period of its own here.
  ASSERT_EQ(facts.periods.size(), 1u);
  EXPECT_EQ(facts.periods[0].values.total_assets, 450.0);
  EXPECT_FALSE(facts.periods[0].values.current_assets);
}

TEST(EdgarFacts, FallbacksAndDerivedFields) {
  const std::string k = std::string(kK24);
  const auto year = [&](std::string_view val) {
    return fact("2024-01-01", "2024-12-31", val, k, 2024, "FY", "10-K", "2025-02-12");
  };
  const auto end = [&](std::string_view val) {
    return fact("", "2024-12-31", val, k, 2024, "FY", "10-K", "2025-02-12");
  };
  const EdgarFacts facts = parse_ok(
      document({concept_facts("SalesRevenueNet", "USD", {year("90")}),
                concept_facts("Revenues", "USD", {year("100")}),  // first in the list wins
                concept_facts("SellingAndMarketingExpense", "USD", {year("7")}),  // no G&A: no sga
                concept_facts("LiabilitiesAndStockholdersEquity", "USD", {end("1000")}),
                concept_facts("StockholdersEquity", "USD", {end("300")}),
                concept_facts("PaymentsToAcquirePropertyPlantAndEquipment", "USD", {year("12")}),
                concept_facts("CommonStockSharesOutstanding", "shares", {end("50")})},
               // Two share classes on the cover page; the balance-sheet count comes first.
               concept_facts("EntityCommonStockSharesOutstanding", "shares",
                             {fact("", "2025-02-01", "40", k, 2024, "FY", "10-K", "2025-02-12"),
                              fact("", "2025-02-01", "12", k, 2024, "FY", "10-K", "2025-02-12")})));
  ASSERT_EQ(facts.periods.size(), 1u);
  const ReportedPeriod& period = facts.periods[0];
  EXPECT_EQ(period.values.revenue, 100.0);
  EXPECT_FALSE(period.values.sga);
  EXPECT_EQ(period.values.total_liabilities, 700.0);
  EXPECT_EQ(period.values.equity, 300.0);
  EXPECT_EQ(period.values.capex, 12.0);
  EXPECT_EQ(period.values.shares_outstanding, 50.0);
  ASSERT_EQ(period.derived.size(), 1u);
  EXPECT_EQ(period.derived[0],
            "total_liabilities = LiabilitiesAndStockholdersEquity - StockholdersEquity");
}

TEST(EdgarFacts, CoverPageSharesAddUpClassesOfTheOwnFiling) {
  const std::string k = std::string(kK24);
  const EdgarFacts facts = parse_ok(
      document({concept_facts(
                   "Revenues", "USD",
                   {fact("2024-01-01", "2024-12-31", "100", k, 2024, "FY", "10-K", "2025-02-12")})},
               concept_facts("EntityCommonStockSharesOutstanding", "shares",
                             {fact("", "2025-02-01", "40", k, 2024, "FY", "10-K", "2025-02-12"),
                              fact("", "2025-02-01", "12", k, 2024, "FY", "10-K", "2025-02-12")})));
  ASSERT_EQ(facts.periods.size(), 1u);
  EXPECT_EQ(facts.periods[0].values.shares_outstanding, 52.0);
}

TEST(EdgarFacts, OtherCurrencyIsSkippedWithAWarning) {
  const std::string k = std::string(kK24);
  const EdgarFacts facts = parse_ok(
      "{\"cik\":\"0000320193\",\"entityName\":\"Example Corp\",\"facts\":{\"us-gaap\":{"
      "\"Revenues\":{\"units\":{\"USD\":[" +
      fact("2024-01-01", "2024-12-31", "100", k, 2024, "FY", "10-K", "2025-02-12") + "," +
      fact("2023-01-01", "2023-12-31", "90", k, 2024, "FY", "10-K", "2025-02-12") + "],\"EUR\":[" +
      fact("2024-01-01", "2024-12-31", "92", k, 2024, "FY", "10-K", "2025-02-12") +
      "]}},"
      "\"EarningsPerShareBasic\":{\"units\":{\"USD/shares\":[" +
      fact("2024-01-01", "2024-12-31", "1.5", k, 2024, "FY", "10-K", "2025-02-12") + "]}}}}}");
  EXPECT_EQ(facts.cik, "320193");
  ASSERT_EQ(facts.periods.size(), 2u);
  EXPECT_EQ(facts.periods[1].values.revenue, 100.0);
  EXPECT_EQ(facts.periods[1].currency, "USD");
  ASSERT_EQ(facts.warnings.size(), 1u);
  EXPECT_EQ(facts.warnings[0],
            "us-gaap/Revenues: 1 fact(s) in EUR skipped (the statements are in USD)");
}

TEST(EdgarFacts, FieldMapIsDocumented) {
  const std::span<const EdgarFieldMap> map = edgar_field_map();
  ASSERT_EQ(map.size(), 27u);  // every FinancialPeriod value but market_value_equity
  EXPECT_EQ(map.front().field, "revenue");
  EXPECT_EQ(map.front().sources.front().concept_name, "Revenues");
  EXPECT_EQ(map.back().field, "shares_issued");
}

// ---------------------------------------------------------------------------------------------
// Errors.

TEST(EdgarErrors, NotJson) {
  const core::Error error = parse_error("{\"cik\": 1,\n \"facts\": {]");
  EXPECT_NE(error.message.find("not valid JSON"), std::string::npos) << error.message;
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(parse_error("").message.substr(0, 14), "not valid JSON");
  EXPECT_EQ(parse_error("[1,2]").field, "");
}

TEST(EdgarErrors, MissingFactsOrCik) {
  EXPECT_EQ(parse_error(R"({"cik":1,"entityName":"X"})").field, "/facts");
  EXPECT_EQ(parse_error(R"({"cik":1,"facts":[]})").field, "/facts");
  EXPECT_EQ(parse_error(R"({"entityName":"X","facts":{"us-gaap":{}}})").field, "/cik");
  EXPECT_EQ(parse_error(R"({"cik":"12a","facts":{"us-gaap":{}}})").field, "/cik");
  const core::Error no_gaap = parse_error(R"({"cik":1,"entityName":"X","facts":{"dei":{}}})");
  EXPECT_EQ(no_gaap.field, "/facts");
  EXPECT_NE(no_gaap.message.find("no us-gaap facts"), std::string::npos);
}

TEST(EdgarErrors, NonNumericValueNamesItsPath) {
  const std::string k = std::string(kK24);
  const core::Error error = parse_error(document(
      {concept_facts("Assets", "USD",
                     {fact("", "2024-12-31", "600", k, 2024, "FY", "10-K", "2025-02-12"),
                      fact("", "2023-12-31", "\"n/a\"", k, 2024, "FY", "10-K", "2025-02-12")})}));
  EXPECT_EQ(error.field, "/facts/us-gaap/Assets/units/USD/1/val");
  EXPECT_EQ(error.message, "/facts/us-gaap/Assets/units/USD/1/val: not a number");
}

TEST(EdgarErrors, MalformedFactsNameTheirPath) {
  const std::string k = std::string(kK24);
  EXPECT_EQ(parse_error(document({concept_facts("Revenues", "USD",
                                                {fact("2024-01-01", "2024-13-31", "1", k, 2024,
                                                      "FY", "10-K", "2025-02-12")})}))
                .field,
            "/facts/us-gaap/Revenues/units/USD/0/end");
  EXPECT_EQ(parse_error(document({concept_facts("Revenues", "USD",
                                                {fact("2024-12-31", "2024-01-01", "1", k, 2024,
                                                      "FY", "10-K", "2025-02-12")})}))
                .field,
            "/facts/us-gaap/Revenues/units/USD/0/start");
  EXPECT_EQ(parse_error(document({"\"Revenues\":{\"units\":{\"USD\":[{\"end\":\"2024-12-31\","
                                  "\"val\":1,\"filed\":\"2025-01-01\",\"form\":\"10-K\"}]}}"}))
                .field,
            "/facts/us-gaap/Revenues/units/USD/0/accn");
  EXPECT_EQ(parse_error(document({"\"Revenues\":{\"units\":{\"USD\":{}}}"})).field,
            "/facts/us-gaap/Revenues/units/USD");
  EXPECT_EQ(parse_error(document({"\"Revenues\":{\"label\":\"x\"}"})).field,
            "/facts/us-gaap/Revenues/units");
}

}  // namespace
}  // namespace aic::finance
