// BAI2 parser: the shared sample files (control totals inside them), hand-written files for
// funds types and continuations, and malformed input.
#include "finance/bank/bai2.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace aic::finance {
namespace {

std::string read_sample(const std::string& name) {
  std::ifstream file(std::string(AIC_SHARED_DATA_DIR) + "/bai2/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Date date(int year, int month, int day) { return *make_date(year, month, day); }

// The error of a parse that must fail, with its line.
core::Error parse_error(std::string_view input) {
  core::Result<std::vector<BankStatement>> parsed = parse_bai2(input);
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return core::Error{};
  core::Error error = std::move(parsed).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  return error;
}

TEST(Bai2Samples, Sample1TwoCadAccountsWithValueDatedDetail) {
  core::Result<std::vector<BankStatement>> parsed = parse_bai2(read_sample("sample1.txt"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);

  const BankStatement& first = (*parsed)[0];
  EXPECT_EQ(first.account, "10200123456");
  EXPECT_EQ(first.bank_id, "0004");
  EXPECT_EQ(first.currency, "CAD");
  EXPECT_FALSE(first.opening);  // only 040/045 (available), no 010/015 ledger balances
  EXPECT_FALSE(first.closing);
  ASSERT_TRUE(first.available);
  EXPECT_EQ(first.available->amount, 0);
  EXPECT_EQ(first.available->date, date(2006, 3, 17));
  ASSERT_EQ(first.transactions.size(), 11u);
  const BankTransaction& returned = first.transactions[0];
  EXPECT_EQ(returned.type_code, "409");
  EXPECT_EQ(returned.amount, -2500);
  EXPECT_EQ(returned.booking_date, date(2006, 3, 17));
  EXPECT_EQ(returned.value_date, date(2006, 3, 16));
  EXPECT_EQ(returned.description, "RETURNED CHEQUE");
  EXPECT_EQ(returned.reference, "");
  EXPECT_EQ(first.transactions[3].type_code, "108");
  EXPECT_EQ(first.transactions[3].amount, 203500);
  EXPECT_EQ(first.transactions[3].description, "TFR 1020 0345678");
  EXPECT_EQ(first.transactions[9].description, "GALERIES LA CAPITALE");
  std::int64_t credits = 0, debits = 0;
  for (const BankTransaction& transaction : first.transactions) {
    (transaction.amount > 0 ? credits : debits) += transaction.amount;
  }
  EXPECT_EQ(credits, 208500);  // the 03's total credits (100), 3 items
  EXPECT_EQ(debits, -208500);  // the 03's total debits (400), 8 items
  EXPECT_TRUE(first.warnings.empty());

  const BankStatement& second = (*parsed)[1];
  EXPECT_EQ(second.account, "10200123456");
  ASSERT_EQ(second.transactions.size(), 6u);
  EXPECT_EQ(second.transactions[1].amount, 100000);
  EXPECT_EQ(second.transactions[1].description, "MONTREAL");
  EXPECT_EQ(second.transactions[2].amount, -100000);
  EXPECT_EQ(second.transactions[5].description, "GALERIES RICHELIEU");
  EXPECT_EQ(second.transactions[5].value_date, date(2006, 3, 17));
}

TEST(Bai2Samples, Sample2FourGroupsWithContinuationsAndDistributions) {
  core::Result<std::vector<BankStatement>> parsed = parse_bai2(read_sample("sample2.txt"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 5u);
  const std::vector<BankStatement>& statements = *parsed;

  EXPECT_EQ(statements[0].account, "0123456789");
  EXPECT_EQ(statements[0].bank_id, "122099999");
  EXPECT_EQ(statements[0].currency, "USD");  // the group leaves it empty: USD by default
  ASSERT_TRUE(statements[0].opening);
  EXPECT_EQ(statements[0].opening->amount, 4350000);
  EXPECT_EQ(statements[0].opening->date, date(2004, 6, 20));
  ASSERT_EQ(statements[0].transactions.size(), 1u);
  EXPECT_EQ(statements[0].transactions[0].type_code, "115");
  EXPECT_EQ(statements[0].transactions[0].amount, 450000);  // funds type S, three amounts
  EXPECT_EQ(statements[0].transactions[0].description, "");

  EXPECT_EQ(statements[1].account, "9876543210");
  ASSERT_TRUE(statements[1].opening);
  EXPECT_EQ(statements[1].opening->amount, -500000);  // its amount continues on the 88
  ASSERT_EQ(statements[1].transactions.size(), 1u);
  EXPECT_EQ(statements[1].transactions[0].description, "LOCK BOX NO.68751");

  EXPECT_EQ(statements[2].account, "4589761203");
  EXPECT_EQ(statements[2].opening->amount, 10000000);
  ASSERT_EQ(statements[2].transactions.size(), 2u);
  const BankTransaction& letter_of_credit = statements[2].transactions[0];
  EXPECT_EQ(letter_of_credit.type_code, "218");
  EXPECT_EQ(letter_of_credit.amount, 20000000);
  EXPECT_EQ(letter_of_credit.value_date, date(2004, 6, 22));
  EXPECT_EQ(letter_of_credit.reference, "SP4738");
  EXPECT_EQ(letter_of_credit.customer_reference, "YRC065321");
  EXPECT_EQ(letter_of_credit.description, "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO");
  EXPECT_EQ(statements[2].transactions[1].amount, 10000000);
  EXPECT_FALSE(statements[2].transactions[1].value_date);

  EXPECT_EQ(statements[3].account, "0975312468");  // funds type D with three distributions
  EXPECT_EQ(statements[3].opening->amount, 500000);
  EXPECT_TRUE(statements[3].transactions.empty());
  EXPECT_EQ(statements[4].account, "7890654321");
  EXPECT_EQ(statements[4].bank_id, "122099999");
  EXPECT_EQ(statements[4].opening->amount, 800000);
  for (const BankStatement& statement : statements) EXPECT_TRUE(statement.warnings.empty());
}

TEST(Bai2Samples, ParseErrorSampleNamesTheLine) {
  const core::Error error = parse_error(read_sample("sample-parseError.txt"));
  EXPECT_EQ(error.line, 1);
  EXPECT_NE(error.message.find("line 1"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("file header (01)"), std::string::npos) << error.message;
}

// Funds types V, S and D with their extra fields in both 03 and 16 records; text with commas
// and a slash, continued on an 88. Totals: 03 amounts 285000 + 16 amounts 25000.
constexpr std::string_view kFundsTypes =
    "01,SENDER,RECEIVER,240131,1200,7,,,2/\n"
    "02,RECEIVER,BANK1,1,240131,,EUR,2/\n"
    "03,ACC1,,010,100000,,,015,85000,,,045,80000,,,400,20000,2,D,2,0,15000,1,5000/\n"
    "16,475,12000,V,240130,1015,CHK1,INV-9,CHEQUE 1001, PAID/\n"
    "16,301,5000,S,1000,2000,2000,DEP7,,DEPOSIT\n"
    "88,FROM CUSTOMER A/B\n"
    "16,699,8000,D,2,0,6000,2,2000,REF3,,FEE/\n"
    "49,310000,6/\n"
    "98,310000,1,8/\n"
    "99,310000,1,10/\n";

TEST(Bai2, FundsTypesWithTheirExtraFields) {
  core::Result<std::vector<BankStatement>> parsed = parse_bai2(kFundsTypes);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "ACC1");
  EXPECT_EQ(statement.bank_id, "BANK1");
  EXPECT_EQ(statement.currency, "EUR");
  EXPECT_EQ(statement.opening->amount, 100000);
  EXPECT_EQ(statement.closing->amount, 85000);
  EXPECT_EQ(statement.closing->date, date(2024, 1, 31));
  EXPECT_EQ(statement.available->amount, 80000);
  ASSERT_EQ(statement.transactions.size(), 3u);

  const BankTransaction& cheque = statement.transactions[0];
  EXPECT_EQ(cheque.amount, -12000);
  EXPECT_EQ(cheque.value_date, date(2024, 1, 30));
  EXPECT_EQ(cheque.reference, "CHK1");
  EXPECT_EQ(cheque.customer_reference, "INV-9");
  EXPECT_EQ(cheque.description, "CHEQUE 1001, PAID");

  const BankTransaction& deposit = statement.transactions[1];
  EXPECT_EQ(deposit.amount, 5000);
  EXPECT_EQ(deposit.reference, "DEP7");
  EXPECT_EQ(deposit.customer_reference, "");
  EXPECT_EQ(deposit.description, "DEPOSIT FROM CUSTOMER A/B");

  EXPECT_EQ(statement.transactions[2].amount, -8000);
  EXPECT_EQ(statement.transactions[2].reference, "REF3");
  EXPECT_EQ(statement.transactions[2].description, "FEE");
  EXPECT_TRUE(statement.warnings.empty());  // 1000.00 - 120 + 50 - 80 = 850.00
}

// CRLF, lines padded to 80 columns, a 16 whose references and text are all on 88 lines, and
// bank-defined type codes (935 credit, 975 debit).
TEST(Bai2, ContinuedTextCrlfAndPadding) {
  const std::vector<std::string> lines = {
      "01,S,R,240131,,1,80,,2/",
      "02,R,021000021,1,240131,2359,,/",
      "03,ACC2,USD,010,1000,,/",
      "16,115,10000000,S,5000000,4000000,1000000/",
      "88,AX13612,B096132,AMALGAMATED CORP. LOCKBOX",
      "88,DEPOSIT-MISC. RECEIVABLES",
      "16,935,250,0,,,CUSTOM CREDIT/",
      "16,975,100,Z,,,CUSTOM DEBIT/",
      "49,10001350,7/",
      "98,10001350,1,9/",
      "99,10001350,1,11/",
  };
  std::string input;
  for (const std::string& line : lines) input += line + std::string(80 - line.size(), ' ') + "\r\n";
  core::Result<std::vector<BankStatement>> parsed = parse_bai2(input);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.bank_id, "021000021");
  EXPECT_EQ(statement.opening->amount, 1000);
  ASSERT_EQ(statement.transactions.size(), 3u);
  EXPECT_EQ(statement.transactions[0].reference, "AX13612");
  EXPECT_EQ(statement.transactions[0].customer_reference, "B096132");
  EXPECT_EQ(statement.transactions[0].description,
            "AMALGAMATED CORP. LOCKBOX DEPOSIT-MISC. RECEIVABLES");
  EXPECT_EQ(statement.transactions[1].amount, 250);
  EXPECT_EQ(statement.transactions[1].description, "CUSTOM CREDIT");
  EXPECT_EQ(statement.transactions[2].amount, -100);
}

TEST(Bai2, BalancesThatDoNotAddUpAreAWarning) {
  constexpr std::string_view kInput =
      "01,S,R,240131,,1,,,2/\n"
      "02,R,B,1,240131,,,/\n"
      "03,ACC,,010,1000,,,015,5000,,/\n"
      "16,195,500,,,,/\n"
      "49,6500,3/\n"
      "98,6500,1,5/\n"
      "99,6500,1,7/\n";
  core::Result<std::vector<BankStatement>> parsed = parse_bai2(kInput);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ((*parsed)[0].warnings.size(), 1u);
  EXPECT_NE((*parsed)[0].warnings[0].find("50.00"), std::string::npos);
}

std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  const std::size_t at = out.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

TEST(Bai2Malformed, TrailerMismatchesNameTheLine) {
  core::Error error = parse_error(replaced(kFundsTypes, "49,310000,6/", "49,310001,6/"));
  EXPECT_EQ(error.line, 8);
  EXPECT_EQ(error.field, "control total");
  EXPECT_NE(error.message.find("3100.01"), std::string::npos) << error.message;

  error = parse_error(replaced(kFundsTypes, "49,310000,6/", "49,310000,5/"));
  EXPECT_EQ(error.line, 8);
  EXPECT_EQ(error.field, "number of records");

  error = parse_error(replaced(kFundsTypes, "98,310000,1,8/", "98,310000,2,8/"));
  EXPECT_EQ(error.line, 9);
  EXPECT_EQ(error.field, "number of accounts");

  error = parse_error(replaced(kFundsTypes, "99,310000,1,10/", "99,310000,1,9/"));
  EXPECT_EQ(error.line, 10);
  EXPECT_EQ(error.field, "number of records");

  // A changed detail amount no longer matches the account's control total.
  error = parse_error(replaced(kFundsTypes, "16,699,8000,", "16,699,8001,"));
  EXPECT_EQ(error.line, 8);
}

TEST(Bai2Malformed, BadFieldsNameTheLineAndField) {
  core::Error error =
      parse_error(replaced(kFundsTypes, "16,475,12000,V,240130", "16,475,12000,V,241330"));
  EXPECT_EQ(error.line, 4);
  EXPECT_EQ(error.field, "value date");

  error = parse_error(replaced(kFundsTypes, "16,301,5000,S", "16,301,5000,Q"));
  EXPECT_EQ(error.line, 5);
  EXPECT_EQ(error.field, "funds type");

  error = parse_error(replaced(kFundsTypes, "16,699,8000,", "16,799,8000,"));  // not BAI's
  EXPECT_EQ(error.line, 7);
  EXPECT_EQ(error.field, "type code");

  error = parse_error(replaced(kFundsTypes, "16,699,8000,", "16,699,-8000,"));
  EXPECT_EQ(error.line, 7);
  EXPECT_EQ(error.field, "amount");

  error = parse_error(replaced(kFundsTypes, "D,2,0,6000,2,2000,REF3,,FEE/", "D,9,0,6000/"));
  EXPECT_EQ(error.line, 7);
  EXPECT_EQ(error.field, "distribution");

  error = parse_error(replaced(kFundsTypes, "2/\n02", "1/\n02"));
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.field, "version");

  error = parse_error(replaced(kFundsTypes, ",EUR,", ",EURO,"));
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.field, "currency");
}

TEST(Bai2Malformed, RecordsOutOfPlace) {
  EXPECT_EQ(parse_error(replaced(kFundsTypes, "49,310000,6/\n", "")).line, 8);     // 98 in account
  EXPECT_EQ(parse_error(replaced(kFundsTypes, "99,310000,1,10/\n", "")).line, 9);  // no 99
  EXPECT_EQ(parse_error(std::string(kFundsTypes) + "01,X/\n").line, 11);           // after the 99
  EXPECT_EQ(parse_error(replaced(kFundsTypes, "03,ACC1", "16,ACC1")).line, 3);     // no 03
}

TEST(Bai2Malformed, GarbageIsACleanError) {
  EXPECT_EQ(parse_error("").line, 1);
  EXPECT_EQ(parse_error("\n\n  \n").line, 3);
  EXPECT_EQ(parse_error("hello, world\n").line, 1);
  EXPECT_EQ(parse_error(std::string("\x00\xff\x01,,/", 6)).line, 1);
  EXPECT_EQ(parse_error("<?xml version=\"1.0\"?><Document/>").line, 1);
  EXPECT_EQ(parse_error("01,S,R,240131,,1,,,2/\n77,what/\n").line, 2);
  EXPECT_EQ(parse_error("01,S,R,240131,,1,,,2/\n02,R,B,1,240131,,,/\n03,A,,010,"
                        "99999999999999999999,,/\n")
                .line,
            3);  // beyond int64
}

// Every prefix of a real file, and each byte replaced by each delimiter, must give a value or
// a clean error (the sanitizers catch the rest).
TEST(Bai2Malformed, EveryPrefixAndDelimiterSwapIsHandled) {
  const std::string sample = read_sample("sample2.txt");
  const std::size_t file_trailer = sample.rfind("99,");
  for (std::size_t size = 0; size < sample.size(); ++size) {
    core::Result<std::vector<BankStatement>> parsed = parse_bai2(sample.substr(0, size));
    if (size < file_trailer) {
      EXPECT_FALSE(parsed.has_value()) << size;  // no 99
    }
    if (!parsed) {
      EXPECT_TRUE(parsed.error().line.has_value()) << size;
    }
  }
  for (std::size_t at = 0; at < sample.size(); ++at) {
    for (char replacement : {',', '/', '\n', '8', 'V', 'D'}) {
      std::string mutated = sample;
      mutated[at] = replacement;
      core::Result<std::vector<BankStatement>> parsed = parse_bai2(mutated);
      if (!parsed) {
        EXPECT_TRUE(parsed.error().line.has_value()) << at;
      }
    }
  }
}

}  // namespace
}  // namespace aic::finance
