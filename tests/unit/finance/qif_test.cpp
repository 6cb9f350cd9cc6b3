// QIF parser: hand-written files in the shapes Quicken and its imitators write (CRLF and a byte
// order mark, account lists, splits, day-first dates, credit cards), and malformed input.
#include "finance/bank/qif.hpp"

#include <gtest/gtest.h>

#include <string>

namespace aic::finance {
namespace {

Date date(int year, int month, int day) { return *make_date(year, month, day); }

// The error of a parse that must fail: invalid-argument, with a line.
core::Error parse_error(std::string_view input, QifOptions options = {}) {
  core::Result<std::vector<BankStatement>> parsed = parse_qif(input, std::move(options));
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return core::Error{};
  core::Error error = std::move(parsed).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  return error;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A checking account as a personal-finance program exports it: a byte-order mark, CRLF, a
// check, a deposit, a split purchase with the payee's address, and a transfer.
constexpr std::string_view kChecking =
    "\xEF\xBB\xBF!Type:Bank\r\n"          // 1
    "D01/02/2024\r\n"                     // 2
    "T-1,250.00\r\n"                      // 3
    "N1043\r\n"                           // 4
    "PHarbor View Property Mgmt\r\n"      // 5
    "MJanuary rent, unit 4B\r\n"          // 6
    "LHousing:Rent\r\n"                   // 7
    "CX\r\n"                              // 8
    "^\r\n"                               // 9
    "D1/ 5'24\r\n"                        // 10
    "T3,480.17\r\n"                       // 11
    "NDEP\r\n"                            // 12
    "PNorthwind Traders Payroll\r\n"      // 13
    "MSalary 2024-01\r\n"                 // 14
    "LSalary\r\n"                         // 15
    "^\r\n"                               // 16
    "\r\n"                                // 17
    "D01/09/2024\r\n"                     // 18
    "U-86.40\r\n"                         // 19
    "T-86.40\r\n"                         // 20
    "NATM\r\n"                            // 21
    "PFresh Market #212\r\n"              // 22
    "A1200 Elm Street\r\n"                // 23
    "ASpringfield, IL 62701\r\n"          // 24
    "LGroceries\r\n"                      // 25
    "SGroceries\r\n"                      // 26
    "EFood\r\n"                           // 27
    "$-70.15\r\n"                         // 28
    "SHousehold\r\n"                      // 29
    "ECleaning supplies\r\n"              // 30
    "$-16.25\r\n"                         // 31
    "^\r\n"                               // 32
    "D01/15/24\r\n"                       // 33
    "T-500.00\r\n"                        // 34
    "PTransfer to savings\r\n"            // 35
    "L[Emergency Savings]/Household\r\n"  // 36
    "^\r\n";                              // 37

TEST(Qif, CheckingAccountWithChecksSplitsAndATransfer) {
  core::Result<std::vector<BankStatement>> parsed = parse_qif(kChecking);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "");
  EXPECT_EQ(statement.bank_id, "");
  EXPECT_EQ(statement.currency, "USD");
  EXPECT_FALSE(statement.opening);  // QIF has no balances
  EXPECT_FALSE(statement.closing);
  EXPECT_FALSE(statement.available);
  EXPECT_TRUE(statement.warnings.empty());
  ASSERT_EQ(statement.transactions.size(), 4u);

  const BankTransaction& rent = statement.transactions[0];
  EXPECT_EQ(rent.booking_date, date(2024, 1, 2));
  EXPECT_FALSE(rent.value_date);
  EXPECT_EQ(rent.amount, -125000);
  EXPECT_EQ(rent.reference, "1043");  // a check number identifies the entry
  EXPECT_EQ(rent.customer_reference, "");
  EXPECT_EQ(rent.counterparty_name, "Harbor View Property Mgmt");
  EXPECT_EQ(rent.description, "January rent, unit 4B");
  EXPECT_EQ(rent.type_code, "Housing:Rent");
  EXPECT_EQ(rent.counterparty_account, "");

  const BankTransaction& salary = statement.transactions[1];
  EXPECT_EQ(salary.booking_date, date(2024, 1, 5));  // 1/ 5'24
  EXPECT_EQ(salary.amount, 348017);
  EXPECT_EQ(salary.reference, "");  // DEP is no identifier: the importer compares content
  EXPECT_EQ(salary.customer_reference, "DEP");
  EXPECT_EQ(salary.counterparty_name, "Northwind Traders Payroll");
  EXPECT_EQ(salary.description, "Salary 2024-01");

  const BankTransaction& groceries = statement.transactions[2];
  EXPECT_EQ(groceries.booking_date, date(2024, 1, 9));
  EXPECT_EQ(groceries.amount, -8640);  // the total, not a split
  EXPECT_EQ(groceries.customer_reference, "ATM");
  EXPECT_EQ(groceries.counterparty_name, "Fresh Market #212");
  EXPECT_EQ(groceries.description, "");
  EXPECT_EQ(groceries.type_code, "Groceries");

  const BankTransaction& transfer = statement.transactions[3];
  EXPECT_EQ(transfer.booking_date, date(2024, 1, 15));  // 01/15/24
  EXPECT_EQ(transfer.amount, -50000);
  EXPECT_EQ(transfer.type_code, "[Emergency Savings]/Household");
  EXPECT_EQ(transfer.counterparty_account, "Emergency Savings");
}

TEST(Qif, DateForms) {
  const auto booked = [](std::string_view written, QifOptions options = {}) -> std::optional<Date> {
    core::Result<std::vector<BankStatement>> parsed =
        parse_qif("!Type:Bank\nD" + std::string(written) + "\nT1.00\n^\n", std::move(options));
    if (!parsed) return std::nullopt;
    return (*parsed)[0].transactions.at(0).booking_date;
  };
  EXPECT_EQ(booked("12/31/2024"), date(2024, 12, 31));
  EXPECT_EQ(booked("12/31'24"), date(2024, 12, 31));
  EXPECT_EQ(booked("12/31'99"), date(2099, 12, 31));  // ' marks the 2000s
  EXPECT_EQ(booked("12/31/99"), date(1999, 12, 31));
  EXPECT_EQ(booked("12/31/69"), date(2069, 12, 31));
  EXPECT_EQ(booked("1/ 5'24"), date(2024, 1, 5));
  EXPECT_EQ(booked(" 1/ 5/2024 "), date(2024, 1, 5));
  EXPECT_EQ(booked("2024-12-31"), date(2024, 12, 31));
  EXPECT_EQ(booked("12-31-2024"), date(2024, 12, 31));
  EXPECT_EQ(booked("2/29/2024"), date(2024, 2, 29));
  EXPECT_FALSE(booked("2/29/2023"));
  EXPECT_FALSE(booked("31/12/2024"));  // month first by default
  EXPECT_FALSE(booked("12/31"));
  EXPECT_FALSE(booked("12/31/2024x"));
  EXPECT_FALSE(booked("12/31/202"));

  const QifOptions day_first{.day_first = true};
  EXPECT_EQ(booked("31/12/2024", day_first), date(2024, 12, 31));
  EXPECT_EQ(booked("31.12.2024", day_first), date(2024, 12, 31));
  EXPECT_EQ(booked("5/ 1'24", day_first), date(2024, 1, 5));
  EXPECT_EQ(booked("2024-01-05", day_first), date(2024, 1, 5));  // ISO stays ISO
  EXPECT_FALSE(booked("12/31/2024", day_first));
}

TEST(Qif, AmountForms) {
  const auto amount = [](std::string_view written,
                         std::string currency = "USD") -> std::optional<std::int64_t> {
    core::Result<std::vector<BankStatement>> parsed =
        parse_qif("!Type:Bank\nD1/1/2024\nT" + std::string(written) + "\n^\n",
                  QifOptions{.currency = std::move(currency)});
    if (!parsed) return std::nullopt;
    return (*parsed)[0].transactions.at(0).amount;
  };
  EXPECT_EQ(amount("1,234.56"), 123456);
  EXPECT_EQ(amount("-1,234.56"), -123456);
  EXPECT_EQ(amount("+12"), 1200);
  EXPECT_EQ(amount("1,234,567.8"), 123456780);
  EXPECT_EQ(amount("1,234"), 123400);     // a comma before three digits groups
  EXPECT_EQ(amount("1.234,56"), 123456);  // a decimal comma, dots grouping
  EXPECT_EQ(amount("-12,50"), -1250);
  EXPECT_EQ(amount("0.10"), 10);
  EXPECT_EQ(amount("1,234", "JPY"), 1234);
  EXPECT_EQ(amount("-5.125", "BHD"), -5125);
  EXPECT_FALSE(amount("1.234"));   // three decimals for USD
  EXPECT_FALSE(amount("12,34,"));  // a separator with no digit after it
  EXPECT_FALSE(amount(",5,"));
  EXPECT_FALSE(amount("$12.00"));
  EXPECT_FALSE(amount("-"));
  EXPECT_FALSE(amount(""));
  EXPECT_FALSE(amount("99999999999999999999"));
}

TEST(Qif, AccountsNameTheirSectionsAutoSwitchListsIncluded) {
  constexpr std::string_view kInput =
      "!Option:AutoSwitch\n"
      "!Account\n"
      "NEveryday Checking\n"
      "TBank\n"
      "^\n"
      "NTravel Visa\n"
      "TCCard\n"
      "L5000.00\n"
      "^\n"
      "!Clear:AutoSwitch\n"
      "!Account\n"
      "NEveryday Checking\n"
      "TBank\n"
      "DJoint account\n"
      "^\n"
      "!Type:Bank\n"
      "D03/01/2024\n"
      "T-42.00\n"
      "PCity Water\n"
      "^\n"
      "!Account\n"
      "NTravel Visa\n"
      "TCCard\n"
      "$-310.00\n"
      "/03/31/2024\n"
      "^\n"
      "!Type:CCard\n"
      "D03/04/2024\n"
      "T-310.00\n"
      "PSkyways Airlines\n"
      "^\n"
      "D03/20/2024\n"
      "T310.00\n"
      "PPayment - thank you\n"
      "^\n";
  core::Result<std::vector<BankStatement>> parsed = parse_qif(kInput);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].account, "Everyday Checking");
  ASSERT_EQ((*parsed)[0].transactions.size(), 1u);
  EXPECT_EQ((*parsed)[0].transactions[0].counterparty_name, "City Water");
  EXPECT_EQ((*parsed)[1].account, "Travel Visa");
  ASSERT_EQ((*parsed)[1].transactions.size(), 2u);
  EXPECT_EQ((*parsed)[1].transactions[0].amount, -31000);
  EXPECT_EQ((*parsed)[1].transactions[1].amount, 31000);
  EXPECT_EQ((*parsed)[1].transactions[1].booking_date, date(2024, 3, 20));
  for (const BankStatement& statement : *parsed) {
    EXPECT_FALSE(statement.opening);
    EXPECT_FALSE(statement.closing);
  }
}

TEST(Qif, CashAndOtherAccountSectionsAndOptions) {
  constexpr std::string_view kInput =
      "!Type:Cash\nD2024-02-01\nT-3,50\nMKaffee\n^\n"
      "!Type:Oth A\nD2024-02-01\nT100\n^\n"
      "!type:oth l  \nD01.02.2024\nT-1.000,00\nMTilgung\n^\n";
  core::Result<std::vector<BankStatement>> parsed =
      parse_qif(kInput, QifOptions{.day_first = true, .currency = "EUR"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].currency, "EUR");
  EXPECT_EQ((*parsed)[0].transactions.at(0).amount, -350);
  EXPECT_EQ((*parsed)[0].transactions.at(0).description, "Kaffee");
  EXPECT_EQ((*parsed)[1].transactions.at(0).amount, 10000);
  EXPECT_EQ((*parsed)[2].transactions.at(0).amount, -100000);
  EXPECT_EQ((*parsed)[2].transactions.at(0).booking_date, date(2024, 2, 1));
}

TEST(Qif, MemoLinesJoinAndAMissingFinalCaretIsAWarning) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_qif("!Type:Bank\nD6/30/2024\nT-9.99\nMStreaming\nMJune\n^\nD7/1/2024\nT5.00");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankStatement& statement = (*parsed)[0];
  ASSERT_EQ(statement.transactions.size(), 2u);
  EXPECT_EQ(statement.transactions[0].description, "Streaming June");
  EXPECT_EQ(statement.transactions[1].amount, 500);
  ASSERT_EQ(statement.warnings.size(), 1u);
  EXPECT_TRUE(contains(statement.warnings[0], "line 7 has no closing ^")) << statement.warnings[0];
}

TEST(Qif, SplitsThatDoNotAddUpAreAWarning) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_qif(replaced(std::string(kChecking), "$-16.25", "$-16.20"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.transactions.at(2).amount, -8640);  // T still counts
  ASSERT_EQ(statement.warnings.size(), 1u);
  EXPECT_EQ(statement.warnings[0],
            "the splits of the transaction from line 18 add up to -86.35, not to its amount "
            "-86.40");
}

TEST(Qif, OnlyUIsTheAmountAndCrAloneEndsLines) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_qif("!Type:Bank\rD3/3/2024\rU-7.25\rPBakery\r^\r");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ((*parsed)[0].transactions.size(), 1u);
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -725);
  EXPECT_EQ((*parsed)[0].transactions[0].counterparty_name, "Bakery");
}

TEST(Qif, EmptySectionAndStrayCaretsAreFine) {
  core::Result<std::vector<BankStatement>> parsed = parse_qif("!Type:Bank\n^\n\n^\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_TRUE((*parsed)[0].transactions.empty());
}

// --- Malformed input ----------------------------------------------------------------------

TEST(QifMalformed, NonBankSectionsAreRefusedNamingTheLine) {
  core::Error error = parse_error("!Type:Invst\nD1/2/2024\nNBuy\nYACME\nI10\nQ5\nT50\n^\n");
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(contains(error.message, "investment")) << error.message;
  EXPECT_TRUE(contains(error.message, "!Type:Bank")) << error.message;

  error = parse_error(std::string(kChecking) + "!Type:Cat\nNGroceries\nE\n^\n");
  EXPECT_EQ(error.line, 38);
  EXPECT_TRUE(contains(error.message, "category list")) << error.message;

  error = parse_error("!Type:Bank\n^\n!Type:Savings\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_TRUE(contains(error.message, "unknown section")) << error.message;

  error = parse_error("!Type:Bank\n!Option:MDY\n");
  EXPECT_EQ(error.line, 2);
  EXPECT_TRUE(contains(error.message, "unknown header")) << error.message;
}

TEST(QifMalformed, BadFieldsNameTheirLine) {
  core::Error error = parse_error(replaced(std::string(kChecking), "D1/ 5'24", "D1/32'24"));
  EXPECT_EQ(error.line, 10);
  EXPECT_TRUE(contains(error.message, "D: '1/32'24' is not a date")) << error.message;

  error = parse_error(replaced(std::string(kChecking), "T3,480.17", "T3,480.1x"));
  EXPECT_EQ(error.line, 11);
  EXPECT_TRUE(contains(error.message, "T: amount")) << error.message;

  error = parse_error(replaced(std::string(kChecking), "$-16.25", "$abc"));
  EXPECT_EQ(error.line, 31);

  error = parse_error(replaced(std::string(kChecking), "PNorthwind", "KNorthwind"));
  EXPECT_EQ(error.line, 13);
  EXPECT_TRUE(contains(error.message, "unknown field 'K'")) << error.message;

  error = parse_error("!Account\nNChecking\nQ12\n^\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_TRUE(contains(error.message, "!Account record")) << error.message;
}

TEST(QifMalformed, TransactionsWithoutDateOrAmountNameTheirFirstLine) {
  core::Error error = parse_error(replaced(std::string(kChecking), "T-500.00\r\n", ""));
  EXPECT_EQ(error.line, 33);
  EXPECT_TRUE(contains(error.message, "has no amount (T)")) << error.message;

  error = parse_error(replaced(std::string(kChecking), "D01/09/2024\r\n", ""));
  EXPECT_EQ(error.line, 18);
  EXPECT_TRUE(contains(error.message, "has no date (D)")) << error.message;

  // At the end of the input without its ^, the record is still checked.
  error = parse_error("!Type:Bank\nD1/1/2024\nT1\n^\nPNo date\nT2");
  EXPECT_EQ(error.line, 5);
}

TEST(QifMalformed, NotQifAtAll) {
  EXPECT_EQ(parse_error("").line, 1);
  EXPECT_EQ(parse_error("\r\n \r\n").line, 2);
  EXPECT_EQ(parse_error("Date,Amount\n2024-01-01,5\n").line, 1);  // a field before a header
  EXPECT_EQ(parse_error("<OFX>").line, 1);
  EXPECT_EQ(parse_error(std::string("\x00\xff\x01", 3)).line, 1);
  core::Error error = parse_error("!Account\nNChecking\n^\n");
  EXPECT_EQ(error.line, 3);
  EXPECT_TRUE(contains(error.message, "no transaction section")) << error.message;
}

TEST(QifMalformed, ACurrencyThatIsNotACodeNamesTheOption) {
  const core::Error error = parse_error(kChecking, QifOptions{.currency = "usd"});
  EXPECT_EQ(error.field, "currency");
  EXPECT_FALSE(error.line);
}

// Every prefix of the sample, and each byte replaced by each of QIF's markers, gives a value
// or a clean error with a line (the sanitizers catch the rest).
TEST(QifMalformed, EveryPrefixAndMarkerSwapIsHandled) {
  const std::string sample(kChecking);
  for (std::size_t size = 0; size <= sample.size(); ++size) {
    core::Result<std::vector<BankStatement>> parsed = parse_qif(sample.substr(0, size));
    if (!parsed) {
      EXPECT_TRUE(parsed.error().line.has_value()) << size;
    }
  }
  for (std::size_t at = 0; at < sample.size(); ++at) {
    for (char replacement : {'^', '!', '\n', 'D', 'T', '$', '/', '\''}) {
      std::string mutated = sample;
      mutated[at] = replacement;
      core::Result<std::vector<BankStatement>> parsed = parse_qif(mutated);
      if (!parsed) {
        EXPECT_TRUE(parsed.error().line.has_value()) << at << replacement;
      }
    }
  }
}

}  // namespace
}  // namespace aic::finance
