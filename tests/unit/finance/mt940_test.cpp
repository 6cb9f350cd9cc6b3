// MT940/MT942: the real sample files in ../shared/data/mt940 (expected values from the
// upstream parser's .yml beside each file), and the rules those files do not show.
#include "finance/bank/mt940.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace aic::finance {
namespace {

std::string sample(const std::string& name) {
  std::ifstream file(std::filesystem::path(AIC_SHARED_DATA_DIR) / "mt940" / name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream contents;
  contents << file.rdbuf();
  return std::move(contents).str();
}

std::vector<BankStatement> parse_ok(std::string_view input) {
  auto parsed = parse_mt940(input);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : std::vector<BankStatement>{};
}

Date date(int year, int month, int day) { return *make_date(year, month, day); }

TEST(Mt940, AbnAmroStatementsWithHeaderLinesBetweenMessages) {
  const std::vector<BankStatement> statements = parse_ok(sample("jejik/abnamro.sta"));
  ASSERT_EQ(statements.size(), 2u);
  const BankStatement& first = statements[0];
  EXPECT_EQ(first.account, "517852257");
  EXPECT_EQ(first.currency, "EUR");
  EXPECT_EQ(first.statement_id, "19321/1");  // :28:, not the bank's name in :20:
  ASSERT_TRUE(first.opening && first.closing);
  EXPECT_EQ(first.opening->amount, 323628);
  EXPECT_EQ(first.opening->date, date(2011, 5, 22));
  EXPECT_EQ(first.closing->amount, 87684);
  ASSERT_EQ(first.transactions.size(), 8u);
  const BankTransaction& giro = first.transactions[0];
  EXPECT_EQ(giro.amount, -900);  // "D9," has no decimals after the comma
  EXPECT_EQ(giro.type_code, "N192");
  EXPECT_EQ(giro.customer_reference, "");  // NONREF
  EXPECT_EQ(giro.description.substr(0, 21), "GIRO   428428 KPN - D");
  EXPECT_NE(giro.description.find("INCL. 1,44 BTW"), std::string::npos);  // 3rd :86: line
  // ":61:1105210523…": value date 21 May, entry (booking) date 23 May.
  EXPECT_EQ(first.transactions[1].value_date, date(2011, 5, 21));
  EXPECT_EQ(first.transactions[1].booking_date, date(2011, 5, 23));
  EXPECT_EQ(first.transactions[1].amount, -1159);
  EXPECT_EQ(first.transactions[3].amount, -1180);
  EXPECT_EQ(first.transactions[7].amount, -14148);
  // The upstream fixture is anonymised and its balances do not add up: a warning, not an
  // error.
  ASSERT_EQ(first.warnings.size(), 1u);
  EXPECT_NE(first.warnings[0].find("876.84"), std::string::npos);

  const BankStatement& second = statements[1];  // :60M:/:62M: intermediate balances
  EXPECT_EQ(second.statement_id, "19322/1");
  EXPECT_EQ(second.opening->amount, 287684);
  EXPECT_EQ(second.closing->amount, 184975);
  ASSERT_EQ(second.transactions.size(), 2u);
  EXPECT_EQ(second.transactions[1].amount, -1500);
}

TEST(Mt940, GermanStructuredDetailsBecomeCounterpartyAndPurpose) {
  const std::vector<BankStatement> statements = parse_ok(sample("betterplace/sepa_snippet.sta"));
  ASSERT_EQ(statements.size(), 2u);
  const BankStatement& first = statements[0];
  EXPECT_EQ(first.account, "50880050/0194787400888");
  EXPECT_EQ(first.statement_id, "00004/00001");
  EXPECT_EQ(first.opening->amount, 76665649);
  EXPECT_EQ(first.closing->amount, 112525040);  // "1125250,4"
  ASSERT_TRUE(first.available);
  EXPECT_EQ(first.available->amount, 55961451);  // :64:
  EXPECT_TRUE(first.warnings.empty());           // this one adds up
  ASSERT_EQ(first.transactions.size(), 4u);

  const BankTransaction& credit = first.transactions[0];
  EXPECT_EQ(credit.amount, 5099005);  // "CR": credit, funds code R (third letter of EUR)
  EXPECT_EQ(credit.reference, "0724710333343453");
  EXPECT_EQ(credit.value_date, date(2007, 9, 7));
  EXPECT_EQ(credit.booking_date, date(2007, 9, 4));
  EXPECT_EQ(credit.customer_reference, "EndToEndId TFNR 22 004 00001");  // EREF+
  EXPECT_EQ(credit.description, "Verw CTSc-01 BC-PPP TFNr 22 004");      // SVWZ+
  EXPECT_EQ(credit.counterparty_account, "DE14508800500194785000");      // ?31
  EXPECT_EQ(credit.counterparty_name, "KARL        KAUFMANN");           // ?32 + ?33
  // Subfields wrap in the middle of words: "Strukturier" / "ter Verwend" / "ungszweck".
  EXPECT_EQ(first.transactions[1].description, "Strukturierter Verwendungszweck 30030004 DE");
  EXPECT_EQ(first.transactions[3].amount, -150000);
  EXPECT_EQ(first.transactions[3].reference, "536D80EFEC56ACF8");

  const BankStatement& second = statements[1];
  EXPECT_EQ(second.opening->amount, -197043187);  // D: a debit balance
  EXPECT_EQ(second.closing->amount, -447204909);
  ASSERT_EQ(second.transactions.size(), 7u);
  EXPECT_EQ(second.transactions[0].amount, -8);
  EXPECT_EQ(second.transactions[2].amount, 1500000);  // "15000,"
  EXPECT_EQ(second.transactions[6].amount, -357256903);
  EXPECT_EQ(second.transactions[6].type_code, "NMSC");
}

TEST(Mt940, IngTrailingStatementInformationIsNotAnEntry) {
  const std::vector<BankStatement> statements = parse_ok(sample("jejik/ing.sta"));
  ASSERT_EQ(statements.size(), 1u);
  const BankStatement& statement = statements[0];
  EXPECT_EQ(statement.account, "0001234567");
  EXPECT_EQ(statement.closing->amount, 347);
  // Seven :61: entries; the :86: after :62F: belongs to the statement, not to the last entry.
  ASSERT_EQ(statement.transactions.size(), 7u);
  EXPECT_EQ(statement.transactions[2].customer_reference, "TMG TANGO");
  EXPECT_EQ(statement.transactions[5].amount, 368);
  EXPECT_EQ(statement.transactions[6].amount, 100);
  EXPECT_EQ(statement.transactions[6].booking_date, date(2010, 7, 23));
  EXPECT_EQ(statement.transactions[6].description.find("D000004"), std::string::npos);
}

TEST(Mt940, RabobankSeveralDetailFieldsAndNameAfterTheReference) {
  const std::vector<BankStatement> statements = parse_ok(sample("jejik/rabobank.sta"));
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[0].account, "1291.99.348EUR");
  EXPECT_EQ(statements[0].opening->amount, 47317);  // "000000000473,17"
  ASSERT_EQ(statements[0].transactions.size(), 1u);
  const BankTransaction& entry = statements[0].transactions[0];
  EXPECT_EQ(entry.amount, -121328);
  EXPECT_EQ(entry.customer_reference, "0121470966");
  EXPECT_EQ(entry.description,
            "W.P. Jansen Terugboeking NIET AKKOORD MET AFSCHRIJVING KOSTEN KINDEROPVANG JUNI "
            "20095731");
  EXPECT_TRUE(statements[1].transactions.empty());
  EXPECT_EQ(statements[1].closing->amount, 100089);
  ASSERT_EQ(statements[2].transactions.size(), 2u);
  EXPECT_EQ(statements[2].transactions[1].amount, -23656);
  EXPECT_EQ(statements[3].account, "1526.89.184EUR");
  ASSERT_EQ(statements[3].transactions.size(), 2u);
  EXPECT_EQ(statements[3].transactions[0].amount, -8810);
  EXPECT_EQ(statements[3].transactions[1].amount, -620);
  EXPECT_TRUE(statements[3].warnings.empty());
}

TEST(Mt940, CmxlMessagesInThreeCurrencies) {
  const std::vector<BankStatement> statements = parse_ok(sample("cmxl/mt940.sta"));
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].currency, "DEM");
  ASSERT_EQ(statements[0].transactions.size(), 11u);
  EXPECT_EQ(statements[0].transactions[0].amount, -680000);
  EXPECT_EQ(statements[0].transactions[1].amount, -62030);  // "620,3"
  EXPECT_EQ(statements[0].transactions[2].amount, 1850000);
  EXPECT_EQ(statements[0].transactions[10].amount, -586214);
  EXPECT_TRUE(statements[0].warnings.empty());

  EXPECT_EQ(statements[1].account, "10020030/1234567");
  ASSERT_EQ(statements[1].transactions.size(), 2u);
  EXPECT_EQ(statements[1].transactions[0].description, "Miete November");
  EXPECT_EQ(statements[1].transactions[0].counterparty_name, "MUELLER");
  EXPECT_EQ(statements[1].transactions[0].reference, "55555");

  EXPECT_EQ(statements[2].currency, "PLN");
  ASSERT_EQ(statements[2].transactions.size(), 3u);
  // A leading space before the transaction code, and ?38 (IBAN) over ?31.
  EXPECT_EQ(statements[2].transactions[0].counterparty_account, "PL08106000760000777777777777");
  EXPECT_EQ(statements[2].transactions[1].customer_reference, "REF 25611247");
  EXPECT_EQ(statements[2].transactions[2].amount, 4000);
}

TEST(Mt940, FragmentsParseWithoutAStatementHeader) {
  // Six opening balances in a row: each starts a statement of its own.
  const std::vector<BankStatement> openings = parse_ok(sample("betterplace/amount_formats.sta"));
  ASSERT_EQ(openings.size(), 6u);
  const std::int64_t expected[] = {38011512, 38011510, 38011500, 12, 12, 112};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(openings[i].opening->amount, expected[i]) << i;
  EXPECT_EQ(parse_ok(sample("cmxl/account_balance_debit.sta"))[0].opening->amount, -14764);
  EXPECT_EQ(parse_ok(sample("cmxl/account_balance_credit.sta"))[0].opening->amount, 14764);

  const std::vector<BankStatement> line = parse_ok(sample("cmxl/statement_details.sta"));
  ASSERT_EQ(line.size(), 1u);
  ASSERT_EQ(line[0].transactions.size(), 1u);
  const BankTransaction& entry = line[0].transactions[0];
  EXPECT_TRUE(line[0].account.empty());  // an import refuses this; parsing shows it
  EXPECT_EQ(entry.amount, -162);
  EXPECT_EQ(entry.customer_reference, "0000549855700010");
  EXPECT_EQ(entry.reference, "025498557/000001");
  EXPECT_EQ(entry.value_date, date(2014, 9, 1));
  EXPECT_EQ(entry.booking_date, date(2014, 9, 2));
  EXPECT_EQ(entry.description, "FOO TRX-0A4A47C3-F846-4729-8A1B-5DF620F");
  EXPECT_EQ(entry.counterparty_name, "Peter Pan");
}

TEST(Mt940, ASecondAccountInOneStatementIsAnError) {
  auto parsed = parse_mt940(sample("betterplace/sepa_snippet_broken.sta"));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().line, 6);
  EXPECT_NE(parsed.error().message.find(":25:"), std::string::npos);
}

TEST(Mt940, SwiftBlockWrapperAndCrlf) {
  const std::vector<BankStatement> statements = parse_ok(
      "{1:F01BANKDEFFAXXX0000000000}{2:O9401200240101BANKDEFFAXXX00000000002401011200N}{4:\r\n"
      ":20:STMT1\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C240101EUR100,00\r\n"
      ":61:2401010101D25,50NTRFINV-7//BANKREF1\r\n:86:Rent January\r\n"
      ":62F:C240101EUR74,50\r\n-}{5:{CHK:123456789ABC}}\r\n");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].account, "DE89370400440532013000");
  ASSERT_EQ(statements[0].transactions.size(), 1u);
  EXPECT_EQ(statements[0].transactions[0].amount, -2550);
  EXPECT_EQ(statements[0].transactions[0].reference, "BANKREF1");
  EXPECT_EQ(statements[0].transactions[0].customer_reference, "INV-7");
  EXPECT_EQ(statements[0].transactions[0].description, "Rent January");
  EXPECT_TRUE(statements[0].warnings.empty());
}

TEST(Mt940, ReversalsTurnTheSignAround) {
  const std::vector<BankStatement> statements = parse_ok(
      ":20:X\n:25:1\n:60F:C240101EUR0,\n"
      ":61:240101RC10,NTRFNONREF\n"  // reversal of a credit: money out
      ":61:240101RD4,NTRFNONREF\n"   // reversal of a debit: money back in
      ":61:240101RCR1,NTRFNONREF\n"  // with a funds code
      ":62F:D240101EUR7,\n");
  ASSERT_EQ(statements.size(), 1u);
  ASSERT_EQ(statements[0].transactions.size(), 3u);
  EXPECT_EQ(statements[0].transactions[0].amount, -1000);
  EXPECT_EQ(statements[0].transactions[1].amount, 400);
  EXPECT_EQ(statements[0].transactions[2].amount, -100);
  EXPECT_TRUE(statements[0].warnings.empty());
}

TEST(Mt940, EntryDateTakesTheYearClosestToTheValueDate) {
  const std::vector<BankStatement> statements =
      parse_ok(":20:X\n:25:1\n:61:2312310102C1,NTRFA\n:61:2401021231D1,NTRFB\n");
  ASSERT_EQ(statements[0].transactions.size(), 2u);
  EXPECT_EQ(statements[0].transactions[0].booking_date, date(2024, 1, 2));
  EXPECT_EQ(statements[0].transactions[1].booking_date, date(2023, 12, 31));
}

TEST(Mt940, AmountOnTheLineAfterTheMark) {
  // Some savings banks break the :61: line between the mark and the amount.
  const std::vector<BankStatement> statements =
      parse_ok(":20:X\n:25:1\n:60F:C240101EUR0,\n:61:240101C\n12,34NTRFNONREF\n");
  ASSERT_EQ(statements[0].transactions.size(), 1u);
  EXPECT_EQ(statements[0].transactions[0].amount, 1234);
}

TEST(Mt940, DutchSlashKeyDetails) {
  const std::vector<BankStatement> statements = parse_ok(
      ":20:X\n:25:NL91ABNA0417164300\n:60F:C240101EUR0,\n"
      ":61:240101C50,NTRFNONREF\n"
      ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL12INGB0001234567/BIC/INGBNL2A/NAME/J. J\n"
      "ANSEN/REMI/USTD//Factuur 2024-001/EREF/E2E-42\n"
      ":61:240101D20,NTRFNONREF\n"
      ":86:/CNTP/NL20RABO0300000000/RABONL2U/ENERGIE BV/UTRECHT/REMI/Termijn/EREF/NOTPROVIDED\n"
      ":62F:C240101EUR30,\n");
  ASSERT_EQ(statements[0].transactions.size(), 2u);
  const BankTransaction& in = statements[0].transactions[0];
  EXPECT_EQ(in.counterparty_name, "J. JANSEN");
  EXPECT_EQ(in.counterparty_account, "NL12INGB0001234567");
  EXPECT_EQ(in.description, "Factuur 2024-001");
  EXPECT_EQ(in.customer_reference, "E2E-42");
  const BankTransaction& out = statements[0].transactions[1];
  EXPECT_EQ(out.counterparty_name, "ENERGIE BV");
  EXPECT_EQ(out.counterparty_account, "NL20RABO0300000000");
  EXPECT_EQ(out.description, "Termijn");
  EXPECT_EQ(out.customer_reference, "");
}

TEST(Mt940, Mt942InterimReport) {
  const std::vector<BankStatement> statements = parse_ok(
      ":20:MT942REF\n:25:DE89370400440532013000\n:28C:7/1\n:34F:EURD0,\n:13D:2401011200+0100\n"
      ":61:240101D5,NTRFNONREF\n:86:Card payment\n:90D:1EUR5,\n:90C:0EUR0,\n");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].currency, "EUR");  // from the floor limit
  EXPECT_FALSE(statements[0].opening);
  ASSERT_EQ(statements[0].transactions.size(), 1u);
  EXPECT_EQ(statements[0].transactions[0].amount, -500);
  EXPECT_TRUE(statements[0].warnings.empty());
}

TEST(Mt940, UnknownFieldIsAWarning) {
  const std::vector<BankStatement> statements =
      parse_ok(":20:X\n:25:1\n:60F:C240101EUR1,\n:99Z:whatever\n:62F:C240101EUR1,\n");
  ASSERT_EQ(statements[0].warnings.size(), 1u);
  EXPECT_NE(statements[0].warnings[0].find("line 4"), std::string::npos);
}

void expect_error_at(std::string_view input, std::int64_t line, std::string_view words) {
  auto parsed = parse_mt940(input);
  ASSERT_FALSE(parsed) << input;
  EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().line, line) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find(words), std::string::npos) << parsed.error().message;
}

TEST(Mt940, ErrorsNameTheLine) {
  expect_error_at(":20:X\n:25:1\n:60F:C241301EUR1,\n", 3, "date");
  expect_error_at(":20:X\n:25:1\n:60F:X240101EUR1,\n", 3, "D/C mark");
  expect_error_at(":20:X\n:25:1\n:60F:C240101EUR1,2,3\n", 3, "not a decimal number");
  expect_error_at(":20:X\n:25:1\n:60F:C240101JPY1,5\n", 3, "decimals");
  expect_error_at(":20:X\n:25:1\n:60F:C240101eur1,\n", 3, "ISO 4217");
  expect_error_at(":20:X\n:25:1\n:60F:C240101EUR1,\n:62F:C240101USD1,\n", 4, "differs");
  expect_error_at(":20:X\n:25:1\n\n:61:240101X5,NTRF\n", 4, "debit/credit mark");
  expect_error_at(":20:X\n:25:1\n:61:240101D5,\n", 3, "transaction type");
  expect_error_at(":20:X\n:25:1\n:61:240101D,NTRF\n", 3, "no digits");
  expect_error_at(":20:X\n:25:1\n:61:2401\n", 3, "value date");
  expect_error_at(":20:X\n:25:1\n:61:240101D1.5NTRF\n", 3, "decimal comma");
}

TEST(Mt940, EmptyOrHeaderOnlyInputHasNoStatements) {
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("ABNANL2A\n940\nABNANL2A\n").empty());
  EXPECT_TRUE(parse_ok(":20:ONLY-A-REFERENCE\n-\n").empty());
}

}  // namespace
}  // namespace aic::finance
