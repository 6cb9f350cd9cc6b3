// Money parsing and formatting, and the shared bank statement model.
#include "finance/money.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

#include "finance/bank/bank_statement.hpp"

namespace aic::finance {
namespace {

TEST(CurrencyExponent, FollowsIso4217) {
  EXPECT_EQ(currency_exponent("EUR"), 2);
  EXPECT_EQ(currency_exponent("USD"), 2);
  EXPECT_EQ(currency_exponent("JPY"), 0);
  EXPECT_EQ(currency_exponent("KRW"), 0);
  EXPECT_EQ(currency_exponent("XOF"), 0);
  EXPECT_EQ(currency_exponent("BHD"), 3);
  EXPECT_EQ(currency_exponent("KWD"), 3);
  EXPECT_TRUE(is_currency_code("CHF"));
  EXPECT_FALSE(is_currency_code("chf"));
  EXPECT_FALSE(is_currency_code("EURO"));
}

TEST(ParseMinorUnits, ReadsDecimalsExactly) {
  EXPECT_EQ(*parse_minor_units("12.3", 2), 1230);
  EXPECT_EQ(*parse_minor_units("0.05", 2), 5);
  EXPECT_EQ(*parse_minor_units("-1234.56", 2), -123456);
  EXPECT_EQ(*parse_minor_units("+7", 2), 700);
  EXPECT_EQ(*parse_minor_units("1500", 0), 1500);
  EXPECT_EQ(*parse_minor_units("1.234", 3), 1234);
  EXPECT_EQ(*parse_minor_units("1.500", 2), 150);  // trailing zeros beyond the precision
  EXPECT_EQ(*parse_minor_units("100,", 2, {.decimal_separator = ','}), 10000);
  EXPECT_EQ(*parse_minor_units("1234,56", 2, {.decimal_separator = ','}), 123456);
  EXPECT_EQ(*parse_minor_units("-92233720368547758.08", 2),
            std::numeric_limits<std::int64_t>::min());
}

TEST(ParseMinorUnits, RefusesWhatIsNotAnAmount) {
  for (const char* text : {"", "-", ".", "1.2.3", "12a", "1.234", "1e5", " 1"}) {
    auto parsed = parse_minor_units(text, 2);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(parse_minor_units("92233720368547758.08", 2));
  EXPECT_FALSE(parse_minor_units("-5", 2, {.allow_sign = false}));
  EXPECT_FALSE(parse_minor_units("5.", 2, {.allow_no_digits_after_separator = false}));
}

TEST(FormatMinorUnits, WritesTheCurrencysDecimals) {
  EXPECT_EQ(format_minor_units(1230, 2), "12.30");
  EXPECT_EQ(format_minor_units(-5, 2), "-0.05");
  EXPECT_EQ(format_minor_units(0, 2), "0.00");
  EXPECT_EQ(format_minor_units(1500, 0), "1500");
  EXPECT_EQ(format_minor_units(1234, 3), "1.234");
  EXPECT_EQ(format_minor_units(std::numeric_limits<std::int64_t>::min(), 2),
            "-92233720368547758.08");
}

TEST(BankStatement, BalancesThatDoNotAddUpAreAWarning) {
  BankStatement statement;
  statement.currency = "EUR";
  statement.opening = Balance{*make_date(2024, 1, 31), 10000};
  statement.closing = Balance{*make_date(2024, 2, 29), 12000};
  statement.transactions.push_back({.booking_date = *make_date(2024, 2, 1), .amount = 2500});
  statement.transactions.push_back({.booking_date = *make_date(2024, 2, 2), .amount = -500});
  EXPECT_TRUE(check_balances(statement));
  EXPECT_TRUE(statement.warnings.empty());
  statement.transactions.pop_back();
  EXPECT_FALSE(check_balances(statement));
  ASSERT_EQ(statement.warnings.size(), 1u);
  EXPECT_EQ(statement.warnings[0],
            "opening balance 100.00 plus transactions 25.00 is 125.00, but the closing "
            "balance is 120.00");
}

TEST(BankStatement, DatesAreValidatedAndPrinted) {
  EXPECT_FALSE(make_date(2023, 2, 29));
  EXPECT_FALSE(make_date(2024, 13, 1));
  ASSERT_TRUE(make_date(2024, 2, 29));
  EXPECT_EQ(format_date(*make_date(2024, 2, 29)), "2024-02-29");
}

TEST(BankStatement, JsonCarriesAmountsAsDecimalStrings) {
  BankStatement statement;
  statement.account = "NL91ABNA0417164300";
  statement.currency = "JPY";
  statement.closing = Balance{*make_date(2024, 3, 1), -1500};
  statement.transactions.push_back(
      {.booking_date = *make_date(2024, 3, 1), .amount = -1500, .reference = "R1"});
  auto json = boost::json::parse(to_json({statement}));
  const auto& first = json.at("statements").at(0);
  EXPECT_EQ(first.at("account"), "NL91ABNA0417164300");
  EXPECT_TRUE(first.at("opening").is_null());
  EXPECT_EQ(first.at("closing").at("amount"), "-1500");
  EXPECT_EQ(first.at("transactions").at(0).at("amount"), "-1500");
  EXPECT_EQ(first.at("transactions").at(0).at("reference"), "R1");
  EXPECT_TRUE(first.at("transactions").at(0).at("value_date").is_null());
}

TEST(BankStatement, ErrorsNameTheirPlace) {
  core::Error line = error_at_line(12, "bad tag");
  EXPECT_EQ(line.line, 12);
  EXPECT_EQ(line.message, "line 12: bad tag");
  core::Error path = error_at_path("/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt", "not a number");
  EXPECT_EQ(path.field, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt");
}

}  // namespace
}  // namespace aic::finance
