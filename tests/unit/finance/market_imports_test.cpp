// The CSV reader and the importers of statements (CSV), share prices (CSV) and news (JSON).
#include <gtest/gtest.h>

#include "finance/csv.hpp"
#include "finance/market/prices.hpp"
#include "finance/news/news.hpp"
#include "finance/statements/statements_csv.hpp"

namespace aic::finance {
namespace {

std::vector<std::string> read_all(std::string_view input,
                                  std::vector<std::int64_t>* lines = nullptr) {
  CsvReader reader(input);
  std::vector<std::string_view> fields;
  std::vector<std::string> out;
  while (true) {
    auto more = reader.next(fields);
    EXPECT_TRUE(more.has_value());
    if (!more || !*more) break;
    std::string record;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) record += '|';
      record += fields[i];
    }
    out.push_back(record);
    if (lines != nullptr) lines->push_back(reader.line());
  }
  return out;
}

TEST(CsvReader, QuotesDoubledQuotesLineBreaksAndBlankLines) {
  std::vector<std::int64_t> lines;
  const auto records = read_all(
      "\xEF\xBB\xBF"
      "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\r\n\"two\nlines\",,x\n",
      &lines);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], "a|b,c|say \"hi\"");
  EXPECT_EQ(records[1], "two\nlines||x");
  EXPECT_EQ(lines, (std::vector<std::int64_t>{1, 3}));
}

TEST(CsvReader, UnclosedQuoteNamesLineAndColumn) {
  CsvReader reader("a,b\nc,\"open\n");
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader.next(fields).has_value());
  auto bad = reader.next(fields);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().line, 2);
  EXPECT_EQ(bad.error().column, 3);
}

TEST(CsvReader, TextAfterClosingQuoteIsAnError) {
  CsvReader reader("\"a\"b,c\n");
  std::vector<std::string_view> fields;
  auto bad = reader.next(fields);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().line, 1);
  EXPECT_EQ(bad.error().column, 4);
}

constexpr std::string_view kStatements =
    "period_end,length,fiscal_year,fiscal_period,currency,scale,revenue,net_income,"
    "total_assets,total_liabilities,equity,shares_outstanding\n"
    "2024-12-31,annual,2024,FY,EUR,thousands,\"1,250\",(80),3100,1900,1200,5000000\n"
    "2025-03-31,quarter,,,,millions,0.4,,,,,\n";

TEST(StatementsCsv, ReadsValuesScaleDefaultsAndAccountingNegatives) {
  auto parsed = parse_statements_csv(kStatements, "USD");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->periods.size(), 2u);
  const ReportedPeriod& year = parsed->periods[0];
  EXPECT_EQ(year.values.length, PeriodLength::kAnnual);
  EXPECT_EQ(year.fiscal_year, 2024);
  EXPECT_EQ(year.fiscal_period, "FY");
  EXPECT_EQ(year.currency, "EUR");
  EXPECT_DOUBLE_EQ(*year.values.revenue, 1'250'000.0);
  EXPECT_DOUBLE_EQ(*year.values.net_income, -80'000.0);
  EXPECT_DOUBLE_EQ(*year.values.total_assets, 3'100'000.0);
  // Shares are a count: the scale does not apply.
  EXPECT_DOUBLE_EQ(*year.values.shares_outstanding, 5'000'000.0);
  EXPECT_FALSE(year.values.cash.has_value());
  EXPECT_TRUE(parsed->warnings.empty());

  const ReportedPeriod& quarter = parsed->periods[1];
  EXPECT_EQ(quarter.values.length, PeriodLength::kQuarter);
  EXPECT_EQ(quarter.fiscal_year, 2025);
  EXPECT_EQ(quarter.fiscal_period, "Q1");
  EXPECT_EQ(quarter.currency, "USD");
  EXPECT_DOUBLE_EQ(*quarter.values.revenue, 400'000.0);
  EXPECT_FALSE(quarter.values.net_income.has_value());
}

TEST(StatementsCsv, BalanceSheetThatDoesNotBalanceIsAWarning) {
  auto parsed = parse_statements_csv(
      "period_end,length,total_assets,total_liabilities,equity\n2024-12-31,annual,100,50,40\n",
      "USD");
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_NE(parsed->warnings[0].find("line 2"), std::string::npos);
  EXPECT_NE(parsed->warnings[0].find("by 10"), std::string::npos);
}

struct BadStatements {
  std::string input;
  std::int64_t line;
  std::int64_t column;
  std::string field;
};

TEST(StatementsCsv, ErrorsNameLineColumnAndField) {
  const BadStatements cases[] = {
      {"period_end,length,revnue\n", 1, 3, "revnue"},
      {"period_end,revenue\n", 1, 1, "length"},
      {"period_end,length\n", 1, 1, ""},
      {"period_end,length,revenue,Revenue\n", 1, 4, "revenue"},
      {"period_end,length,revenue\n2024-13-01,annual,1\n", 2, 1, "period_end"},
      {"period_end,length,revenue\n2024-12-31,yearly,1\n", 2, 2, "length"},
      {"period_end,length,revenue\n2024-12-31,annual,12a\n", 2, 3, "revenue"},
      {"period_end,length,revenue\n2024-12-31,annual,1\n2024-12-31,annual,2\n", 3, 1, "period_end"},
      {"period_end,length,fiscal_period,revenue\n2024-12-31,annual,Q4,1\n", 2, 1, "fiscal_period"},
      {"period_end,length,currency,revenue\n2024-12-31,annual,euro,1\n", 2, 3, "currency"},
      {"period_end,length,revenue\n2024-12-31,annual\n", 2, 3, ""},
  };
  for (const BadStatements& bad : cases) {
    auto parsed = parse_statements_csv(bad.input, "USD");
    ASSERT_FALSE(parsed.has_value()) << bad.input;
    EXPECT_EQ(parsed.error().line, bad.line) << bad.input;
    EXPECT_EQ(parsed.error().column, bad.column) << bad.input;
    EXPECT_EQ(parsed.error().field, bad.field) << bad.input;
  }
}

TEST(Prices, ReadsAnyColumnOrderSortsAndSkipsNullRows) {
  auto parsed = parse_prices_csv(
      "Date,Open,High,Low,Close,Adj Close,Volume\n"
      "2025-01-03,10.5,11,10,10.75,10.70,1200\n"
      "2025-01-02,10,10.6,9.9,10.5,10.45,1000\n"
      "2025-01-01,null,null,null,null,null,null\n");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->bars.size(), 2u);
  EXPECT_EQ(format_date(parsed->bars[0].date), "2025-01-02");
  EXPECT_EQ(parsed->bars[0].close, 10'500'000);
  EXPECT_EQ(parsed->bars[1].close, 10'750'000);
  EXPECT_EQ(parsed->bars[1].high, 11'000'000);
  EXPECT_EQ(parsed->bars[1].volume, 1200);
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_NE(parsed->warnings[0].find("line 4"), std::string::npos);

  auto close_only = parse_prices_csv("close,date\n1.234567,2025-02-28\n");
  ASSERT_TRUE(close_only.has_value());
  EXPECT_EQ(close_only->bars[0].close, 1'234'567);
  EXPECT_FALSE(close_only->bars[0].open.has_value());
}

TEST(Prices, CloseOnOrBeforeTakesTheLastTradingDayWithinAWeek) {
  auto parsed = parse_prices_csv("date,close\n2024-12-27,100\n2025-01-10,120\n");
  ASSERT_TRUE(parsed.has_value());
  const auto* friday = close_on_or_before(parsed->bars, *parse_iso_date("2024-12-31"));
  ASSERT_NE(friday, nullptr);
  EXPECT_EQ(friday->close, 100'000'000);
  EXPECT_EQ(close_on_or_before(parsed->bars, *parse_iso_date("2025-01-05")), nullptr);
  EXPECT_EQ(close_on_or_before(parsed->bars, *parse_iso_date("2024-12-01")), nullptr);
}

TEST(Prices, ErrorsNameLineColumnAndField) {
  struct Bad {
    std::string input;
    std::int64_t line;
    std::int64_t column;
    std::string field;
  };
  const Bad cases[] = {
      {"date,price\n", 1, 2, "price"},
      {"date,open\n", 1, 1, "close"},
      {"date,close\n2025-01-02,-1\n", 2, 2, "close"},
      {"date,close\n2025-01-02,1.1234567\n", 2, 2, "close"},
      {"date,close\n02/01/2025,1\n", 2, 1, "date"},
      {"date,close,volume\n2025-01-02,1,1.5\n", 2, 3, "volume"},
      {"date,close\n2025-01-03,1\n2025-01-02,1\n2025-01-03,2\n", 4, 1, "date"},
  };
  for (const Bad& bad : cases) {
    auto parsed = parse_prices_csv(bad.input);
    ASSERT_FALSE(parsed.has_value()) << bad.input;
    EXPECT_EQ(parsed.error().line, bad.line) << bad.input;
    EXPECT_EQ(parsed.error().column, bad.column) << bad.input;
    EXPECT_EQ(parsed.error().field, bad.field) << bad.input;
  }
}

TEST(News, ReadsItemsAndConvertsOffsetsToUtc) {
  auto parsed = parse_news_json(R"({"items":[
    {"headline":"Orders rose","body":"b","published_at":"2026-03-02T00:30:00+01:00",
     "source":"Wire","url":"https://example.test/1","id":"n1","extra":{"ignored":true}},
    {"headline":"Plant closed","published_at":"2026-03-03T10:00:00.123Z"}]})");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->items.size(), 2u);
  EXPECT_EQ(parsed->items[0].published_at, "2026-03-01T23:30:00Z");
  EXPECT_EQ(parsed->items[0].external_id, "n1");
  EXPECT_EQ(parsed->items[0].source, "Wire");
  EXPECT_EQ(parsed->items[1].published_at, "2026-03-03T10:00:00Z");
  EXPECT_EQ(parsed->items[1].body, "");
}

TEST(News, ErrorsNameTheJsonPointer) {
  const std::pair<std::string, std::string> cases[] = {
      {"{", ""},
      {"{\"news\":[]}", "/items"},
      {"[1]", "/0"},
      {R"([{"published_at":"2026-03-02T00:30:00Z"}])", "/0/headline"},
      {R"([{"headline":" ","published_at":"2026-03-02T00:30:00Z"}])", "/0/headline"},
      {R"([{"headline":"h","published_at":"2026-03-02 00:30"}])", "/0/published_at"},
      {R"([{"headline":"h","published_at":"2026-03-02T00:30:00"}])", "/0/published_at"},
      {R"({"items":[{"headline":"h","published_at":"2026-03-02T00:30:00Z","body":5}]})",
       "/items/0/body"},
  };
  for (const auto& [input, pointer] : cases) {
    auto parsed = parse_news_json(input);
    ASSERT_FALSE(parsed.has_value()) << input;
    EXPECT_EQ(parsed.error().field, pointer) << input;
  }
}

TEST(News, Rfc3339ToUtcHandlesDayAndYearBoundaries) {
  EXPECT_EQ(rfc3339_to_utc("2025-12-31T23:30:00-01:00"), "2026-01-01T00:30:00Z");
  EXPECT_EQ(rfc3339_to_utc("2024-03-01T01:00:00+02:00"), "2024-02-29T23:00:00Z");
  EXPECT_FALSE(rfc3339_to_utc("2025-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(rfc3339_to_utc("2025-01-01T24:00:00Z").has_value());
  EXPECT_FALSE(rfc3339_to_utc("2025-01-01T00:00:00+0100").has_value());
}

}  // namespace
}  // namespace aic::finance
