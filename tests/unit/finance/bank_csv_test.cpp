// Bank CSV parser: the mapping's parameters, hand-written exports in the layouts banks use (a
// German-style file with ';', decimal commas and a preamble; a US file with debit and credit
// columns; a newest-first file without a header; quoted fields with line breaks), and malformed
// input naming line, column and parameter.
#include "finance/bank/bank_csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace aic::finance {
namespace {

using Parameters = std::vector<std::pair<std::string_view, std::string_view>>;

Date date(int year, int month, int day) { return *make_date(year, month, day); }

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

BankCsvMapping mapping_of(const Parameters& parameters) {
  core::Result<BankCsvMapping> mapping = parse_bank_csv_mapping(parameters);
  EXPECT_TRUE(mapping) << mapping.error().message;
  return mapping ? *mapping : BankCsvMapping{};
}

// The error of a mapping that must be refused: invalid-argument naming `field`.
core::Error mapping_error(const Parameters& parameters) {
  core::Result<BankCsvMapping> mapping = parse_bank_csv_mapping(parameters);
  EXPECT_FALSE(mapping.has_value());
  if (mapping) return core::Error{};
  core::Error error = std::move(mapping).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  return error;
}

core::Error parse_error(std::string_view input, const BankCsvMapping& mapping) {
  core::Result<std::vector<BankStatement>> parsed = parse_bank_csv(input, mapping);
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return core::Error{};
  core::Error error = std::move(parsed).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  return error;
}

// --- A German-style export: preamble, ';', dd.mm.yyyy, decimal commas, a running balance ---

constexpr std::string_view kGiro =
    "Kontonummer;DE44 5001 0517 5407 3249 31\r\n"                                      // 1
    "Zeitraum;01.03.2024 - 31.03.2024\r\n"                                             // 2
    "\r\n"                                                                             // 3
    "Buchungstag;Valuta;Auftraggeber/Empf\xc3\xa4nger;Buchungstext;Verwendungszweck;"  // 4
    "Betrag;Saldo\r\n"
    "01.03.2024;01.03.2024;Stadtwerke Musterstadt;Lastschrift;\"Abschlag Strom; M\xc3\xa4rz\";"
    "-84,00;1.916,00\r\n"                                                                // 5
    "04.03.2024;04.03.2024;Muster GmbH;Gutschrift;Gehalt 03/2024;3.250,75;5.166,75\r\n"  // 6
    "15.03.2024;14.03.2024;\"B\xc3\xa4"
    "ckerei \"\"Zum Korn\"\"\";Kartenzahlung;;-12,40;"
    "5.154,35\r\n"  // 7
    ";;;;;;\r\n";   // 8: an empty row, as spreadsheets write them

const Parameters kGiroParameters = {
    {"skip_lines", "3"},
    {"date_column", "Buchungstag"},
    {"value_date_column", "valuta"},
    {"counterparty_column", "Auftraggeber/Empf\xc3\xa4nger"},
    {"type_column", "Buchungstext"},
    {"description_column", "Verwendungszweck"},
    {"amount_column", "Betrag"},
    {"balance_column", "Saldo"},
    {"date_format", "%d.%m.%Y"},
    {"decimal_separator", ","},
    {"currency", "EUR"},
    {"account", "DE44500105175407324931"},
};

TEST(BankCsv, GermanExportWithPreambleSemicolonsAndDecimalCommas) {
  const BankCsvMapping mapping = mapping_of(kGiroParameters);
  core::Result<std::vector<BankStatement>> parsed = parse_bank_csv(kGiro, mapping);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "DE44500105175407324931");
  EXPECT_EQ(statement.currency, "EUR");
  EXPECT_EQ(statement.bank_id, "");
  ASSERT_EQ(statement.transactions.size(), 3u);

  const BankTransaction& power = statement.transactions[0];
  EXPECT_EQ(power.booking_date, date(2024, 3, 1));
  EXPECT_EQ(power.value_date, date(2024, 3, 1));
  EXPECT_EQ(power.amount, -8400);
  EXPECT_EQ(power.counterparty_name, "Stadtwerke Musterstadt");
  EXPECT_EQ(power.type_code, "Lastschrift");
  EXPECT_EQ(power.description, "Abschlag Strom; M\xc3\xa4rz");  // the ';' inside quotes
  EXPECT_EQ(power.reference, "");

  EXPECT_EQ(statement.transactions[1].amount, 325075);
  EXPECT_EQ(statement.transactions[1].description, "Gehalt 03/2024");

  const BankTransaction& bakery = statement.transactions[2];
  EXPECT_EQ(bakery.booking_date, date(2024, 3, 15));
  EXPECT_EQ(bakery.value_date, date(2024, 3, 14));
  EXPECT_EQ(bakery.amount, -1240);
  EXPECT_EQ(bakery.counterparty_name,
            "B\xc3\xa4"
            "ckerei \"Zum Korn\"");
  EXPECT_EQ(bakery.description, "");

  // 1,916.00 after the first entry of -84.00; 5,154.35 after the last.
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 200000);
  EXPECT_EQ(statement.opening->date, date(2024, 3, 1));
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, 515435);
  EXPECT_EQ(statement.closing->date, date(2024, 3, 15));
  EXPECT_FALSE(statement.available);
  EXPECT_TRUE(statement.warnings.empty()) << statement.warnings.front();
}

TEST(BankCsv, RunningBalancesThatDoNotAddUpAreAWarning) {
  const BankCsvMapping mapping = mapping_of(kGiroParameters);
  core::Result<std::vector<BankStatement>> parsed =
      parse_bank_csv(replaced(std::string(kGiro), "5.154,35", "5.154,53"), mapping);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ((*parsed)[0].warnings.size(), 1u);
  EXPECT_EQ((*parsed)[0].warnings[0],
            "opening balance 2000.00 plus transactions 3154.35 is 5154.35, but the closing "
            "balance is 5154.53");
}

TEST(BankCsv, Latin1ExportBecomesUtf8) {
  std::string latin1 = replaced(std::string(kGiro), "Empf\xc3\xa4nger", "Empf\xe4nger");
  latin1 = replaced(latin1, "M\xc3\xa4rz", "M\xe4rz");
  latin1 = replaced(latin1,
                    "B\xc3\xa4"
                    "ckerei",
                    "B\xe4"
                    "ckerei");
  core::Result<std::vector<BankStatement>> parsed =
      parse_bank_csv(latin1, mapping_of(kGiroParameters));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ((*parsed)[0].transactions.at(0).description, "Abschlag Strom; M\xc3\xa4rz");
  EXPECT_EQ((*parsed)[0].transactions.at(2).counterparty_name,
            "B\xc3\xa4"
            "ckerei \"Zum Korn\"");
}

// --- A US export: separate Debit and Credit columns, quoted amounts with thousands ---------

constexpr std::string_view kUsChecking =
    "Date,Description,Check Number,Debit,Credit,Balance\n"                  // 1
    "01/02/2024,\"PAYROLL ACME CORP\",,,\"2,500.00\",\"3,742.18\"\n"        // 2
    "01/03/2024,CHECK 1043,1043,\"1,250.00\",,\"2,492.18\"\n"               // 3
    "1/5/2024,\"AMAZON MKTPLACE PMTS, SEATTLE WA\",,45.99,,\"2,446.19\"\n"  // 4
    "01/05/2024,INTEREST PAYMENT,,0.00,0.12,\"2,446.31\"\n";                // 5

const Parameters kUsParameters = {
    {"date_column", "Date"},     {"description_column", "Description"},
    {"reference_column", "3"},   {"debit_column", "Debit"},
    {"credit_column", "CREDIT"}, {"balance_column", "Balance"},
    {"date_format", "%m/%d/%Y"}, {"currency", "USD"},
};

TEST(BankCsv, UsExportWithDebitAndCreditColumns) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_bank_csv(kUsChecking, mapping_of(kUsParameters));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "");
  EXPECT_EQ(statement.currency, "USD");
  ASSERT_EQ(statement.transactions.size(), 4u);
  EXPECT_EQ(statement.transactions[0].amount, 250000);
  EXPECT_EQ(statement.transactions[0].description, "PAYROLL ACME CORP");
  EXPECT_EQ(statement.transactions[0].booking_date, date(2024, 1, 2));
  EXPECT_EQ(statement.transactions[1].amount, -125000);
  EXPECT_EQ(statement.transactions[1].reference, "1043");
  EXPECT_EQ(statement.transactions[2].amount, -4599);
  EXPECT_EQ(statement.transactions[2].description, "AMAZON MKTPLACE PMTS, SEATTLE WA");
  EXPECT_EQ(statement.transactions[2].booking_date, date(2024, 1, 5));  // 1/5/2024
  EXPECT_EQ(statement.transactions[3].amount, 12);  // a 0.00 debit counts as empty
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 124218);
  EXPECT_EQ(statement.opening->date, date(2024, 1, 2));
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, 244631);
  EXPECT_EQ(statement.closing->date, date(2024, 1, 5));
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(BankCsv, DebitsWrittenNegativeAndShortRowsWithoutTheCreditColumn) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_bank_csv("Date,Debit,Credit\n2024-05-01,-10.00\n2024-05-02,,4.00\n2024-05-03,3.00,\n",
                     mapping_of({{"date_column", "1"},
                                 {"debit_column", "2"},
                                 {"credit_column", "3"},
                                 {"currency", "USD"}}));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ((*parsed)[0].transactions.size(), 3u);
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -1000);
  EXPECT_EQ((*parsed)[0].transactions[1].amount, 400);
  EXPECT_EQ((*parsed)[0].transactions[2].amount, -300);
  EXPECT_FALSE((*parsed)[0].opening);  // no balance column
  EXPECT_FALSE((*parsed)[0].closing);
}

// --- Newest first, no header, tab-separated, yen (no decimals) -----------------------------

TEST(BankCsv, NewestFirstWithoutHeaderByColumnNumbers) {
  constexpr std::string_view kInput =
      "20240310\tATM WITHDRAWAL\t-20,000\t480,000\n"
      "20240305\tSALARY\t300,000\t500,000\n"
      "20240301\tRENT\t-100,000\t200,000\n";
  const BankCsvMapping mapping = mapping_of({{"header", "false"},
                                             {"date_column", "1"},
                                             {"description_column", "2"},
                                             {"amount_column", "3"},
                                             {"balance_column", "4"},
                                             {"date_format", "%Y%m%d"},
                                             {"currency", "JPY"},
                                             {"account", "1234567"}});
  EXPECT_EQ(mapping.delimiter, 0);  // detected
  core::Result<std::vector<BankStatement>> parsed = parse_bank_csv(kInput, mapping);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "1234567");
  ASSERT_EQ(statement.transactions.size(), 3u);
  EXPECT_EQ(statement.transactions[0].amount, -20000);  // file order is kept
  EXPECT_EQ(statement.transactions[0].booking_date, date(2024, 3, 10));
  EXPECT_EQ(statement.transactions[2].description, "RENT");
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 300000);  // 200,000 after the oldest entry of -100,000
  EXPECT_EQ(statement.opening->date, date(2024, 3, 1));
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, 480000);  // the newest row's balance
  EXPECT_EQ(statement.closing->date, date(2024, 3, 10));
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(BankCsv, OneDayNewestFirstIsToldByTheBalances) {
  constexpr std::string_view kInput =
      "Date,Amount,Balance\n"
      "2024-06-03,-5.00,90.00\n"
      "2024-06-03,-5.00,95.00\n"
      "2024-06-03,20.00,100.00\n";
  core::Result<std::vector<BankStatement>> parsed =
      parse_bank_csv(kInput, mapping_of({{"date_column", "Date"},
                                         {"amount_column", "Amount"},
                                         {"balance_column", "Balance"},
                                         {"currency", "USD"}}));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE((*parsed)[0].opening);
  EXPECT_EQ((*parsed)[0].opening->amount, 8000);
  ASSERT_TRUE((*parsed)[0].closing);
  EXPECT_EQ((*parsed)[0].closing->amount, 9000);
  EXPECT_TRUE((*parsed)[0].warnings.empty());
}

// --- Quoted fields: doubled quotes, delimiters and line breaks inside, CRLF, BOM -----------

constexpr std::string_view kQuoted =
    "\xEF\xBB\xBF\"Transaction Date\",\"Amount\",\"Payee\",\"Memo\",\"Reference\"\r\n"        // 1
    "\"2024-04-01\",\"-15.00\",\"Corner Cafe\",\"Lunch, with \"\"team\"\"\",\"TX-0001\"\r\n"  // 2
    "\"2024-04-02\",\"200.00\",\"Refund Dept\",\"Order 5521\r\nreturned in full\","           // 3-4
    "\"TX-0002\"\r\n"
    " \"2024-04-03\" ,\"-7.5\",Parking,\"\",\"TX-0003\"\r\n";  // 5

const Parameters kQuotedParameters = {
    {"date_column", "transaction date"},
    {"amount_column", "Amount"},
    {"counterparty_column", "Payee"},
    {"description_column", "Memo"},
    {"reference_column", "Reference"},
    {"currency", "USD"},
    {"delimiter", ","},
};

TEST(BankCsv, QuotedFieldsWithQuotesDelimitersAndLineBreaks) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_bank_csv(kQuoted, mapping_of(kQuotedParameters));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankStatement& statement = (*parsed)[0];
  ASSERT_EQ(statement.transactions.size(), 3u);
  EXPECT_EQ(statement.transactions[0].description, "Lunch, with \"team\"");
  EXPECT_EQ(statement.transactions[0].reference, "TX-0001");
  EXPECT_EQ(statement.transactions[0].counterparty_name, "Corner Cafe");
  EXPECT_EQ(statement.transactions[1].description, "Order 5521\r\nreturned in full");
  EXPECT_EQ(statement.transactions[1].amount, 20000);
  EXPECT_EQ(statement.transactions[2].amount, -750);
  EXPECT_EQ(statement.transactions[2].booking_date, date(2024, 4, 3));
  EXPECT_EQ(statement.transactions[2].counterparty_name, "Parking");
  EXPECT_EQ(statement.transactions[2].description, "");
  EXPECT_FALSE(statement.opening);
}

TEST(BankCsv, AmountForms) {
  const auto amount = [](std::string_view written, char decimal = '.',
                         std::string currency = "USD") -> std::optional<std::int64_t> {
    BankCsvMapping mapping;
    mapping.date.index = 1;
    mapping.amount.index = 2;
    mapping.header = false;
    mapping.delimiter = ';';
    mapping.decimal_separator = decimal;
    mapping.currency = std::move(currency);
    core::Result<std::vector<BankStatement>> parsed =
        parse_bank_csv("2024-01-01;" + std::string(written) + "\n", mapping);
    if (!parsed) return std::nullopt;
    return (*parsed)[0].transactions.at(0).amount;
  };
  EXPECT_EQ(amount("12.5"), 1250);
  EXPECT_EQ(amount("-0.01"), -1);
  EXPECT_EQ(amount("+3"), 300);
  EXPECT_EQ(amount("12.50-"), -1250);  // a trailing minus
  EXPECT_EQ(amount("(1,234.00)"), -123400);
  EXPECT_EQ(amount("1'234.00"), 123400);
  EXPECT_EQ(amount("1 234,56", ','), 123456);
  EXPECT_EQ(amount("1.234.567,8", ','), 123456780);
  EXPECT_EQ(amount("5.10", '.', "KWD"), 5100);
  EXPECT_EQ(amount("7.000", '.', "JPY"), 7);  // zero decimals beyond the currency's are fine
  EXPECT_EQ(amount("9223372036854775807", '.', "JPY"), 9223372036854775807);
  EXPECT_FALSE(amount("1.234"));  // three decimals for USD
  EXPECT_FALSE(amount("1,234.5", ','));
  EXPECT_FALSE(amount("12,"));  // a group mark with no digits after it
  EXPECT_FALSE(amount("1..2"));
  EXPECT_FALSE(amount("EUR 5"));
  EXPECT_FALSE(amount("-"));
  EXPECT_FALSE(amount("()"));
  EXPECT_FALSE(amount("92233720368547758070"));
  EXPECT_FALSE(amount("92233720368547758.08"));
}

TEST(BankCsv, DelimiterIsDetectedFromTheFirstRow) {
  const auto transactions = [](std::string_view input) -> std::size_t {
    core::Result<std::vector<BankStatement>> parsed =
        parse_bank_csv(input, mapping_of({{"date_column", "d"},
                                          {"amount_column", "a"},
                                          {"currency", "EUR"},
                                          {"decimal_separator", "comma"}}));
    EXPECT_TRUE(parsed) << input << ": " << parsed.error().message;
    return parsed ? (*parsed)[0].transactions.size() : 0;
  };
  EXPECT_EQ(transactions("d;a\n2024-01-01;1,50\n"), 1u);
  EXPECT_EQ(transactions("d\ta\n2024-01-01\t1,50\n"), 1u);
  EXPECT_EQ(transactions("d,a\n2024-01-01,\"1,50\"\n"), 1u);
  EXPECT_EQ(transactions("\"x;y\",d,a\nnote,2024-01-01,\"1,50\"\n"), 1u);  // ';' quoted
}

TEST(BankCsv, HeaderOnlyIsAStatementWithoutTransactions) {
  core::Result<std::vector<BankStatement>> parsed = parse_bank_csv(
      "Date,Amount\r\n\r\n",
      mapping_of({{"date_column", "Date"}, {"amount_column", "Amount"}, {"currency", "GBP"}}));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].currency, "GBP");
  EXPECT_TRUE((*parsed)[0].transactions.empty());
  EXPECT_FALSE((*parsed)[0].opening);
}

// --- The mapping's parameters -------------------------------------------------------------

TEST(BankCsvMapping, ParametersBecomeAMapping) {
  const BankCsvMapping mapping = mapping_of({
      {"date_column", " Booking Date "},
      {"amount_column", "4"},
      {"value_date_column", "Value"},
      {"counterparty_account_column", "IBAN"},
      {"delimiter", "tab"},
      {"decimal_separator", ","},
      {"header", "yes"},
      {"skip_lines", "2"},
      {"currency", "CHF"},
      {"account", "CH93 0076 2011 6238 5295 7"},
      {"date_format", "%d.%m.%y"},
  });
  EXPECT_EQ(mapping.date.name, "Booking Date");
  EXPECT_EQ(mapping.date.index, 0u);
  EXPECT_EQ(mapping.amount.index, 4u);
  EXPECT_TRUE(mapping.amount.name.empty());
  EXPECT_EQ(mapping.value_date.name, "Value");
  EXPECT_EQ(mapping.counterparty_account.name, "IBAN");
  EXPECT_FALSE(mapping.debit.mapped());
  EXPECT_EQ(mapping.delimiter, '\t');
  EXPECT_EQ(mapping.decimal_separator, ',');
  EXPECT_TRUE(mapping.header);
  EXPECT_EQ(mapping.skip_lines, 2u);
  EXPECT_EQ(mapping.currency, "CHF");
  EXPECT_EQ(mapping.account, "CH93 0076 2011 6238 5295 7");
  EXPECT_EQ(mapping.date_format, "%d.%m.%y");
  EXPECT_EQ(
      mapping_of(
          {{"date_column", "1"}, {"amount_column", "2"}, {"currency", "USD"}, {"delimiter", "\t"}})
          .delimiter,
      '\t');
  EXPECT_EQ(bank_csv_parameter_names().size(), 18u);
  for (std::string_view name : bank_csv_parameter_names()) EXPECT_FALSE(name.empty());
}

TEST(BankCsvMapping, BadParametersAreNamed) {
  const Parameters base = {
      {"date_column", "Date"}, {"amount_column", "Amount"}, {"currency", "USD"}};
  const auto with =
      [&](std::initializer_list<std::pair<std::string_view, std::string_view>> changes) {
        Parameters parameters;
        for (const auto& [name, value] : base) {
          bool replaced_here = false;
          for (const auto& change : changes) replaced_here = replaced_here || change.first == name;
          if (!replaced_here) parameters.emplace_back(name, value);
        }
        for (const auto& change : changes) {
          if (!change.second.empty() || change.first == "delimiter") parameters.push_back(change);
        }
        return parameters;
      };
  struct Case {
    Parameters parameters;
    std::string_view field;
    std::string_view says;
  };
  const Case cases[] = {
      {with({{"colour", "blue"}}), "colour", "not a bank-csv parameter"},
      {with({{"", "blue"}}), "(unnamed)", "not a bank-csv parameter"},
      {[&] {
         Parameters twice = base;
         twice.emplace_back("currency", "EUR");
         return twice;
       }(),
       "currency", "given twice"},
      {with({{"date_column", ""}}), "date_column", "is required"},
      {with({{"date_column", "  "}}), "date_column", "is empty"},
      {with({{"date_column", "0"}}), "date_column", "start at 1"},
      {with({{"date_column", "99999"}}), "date_column", "beyond the last column"},
      {with({{"amount_column", ""}}), "amount_column", "is required"},
      {with({{"debit_column", "Out"}}), "debit_column", "cannot be used with amount_column"},
      {with({{"amount_column", ""}, {"debit_column", "Out"}}), "credit_column",
       "is required with debit_column"},
      {with({{"amount_column", ""}, {"credit_column", "In"}}), "debit_column",
       "is required with credit_column"},
      {with({{"amount_column", ""}, {"debit_column", "3"}, {"credit_column", "3"}}),
       "credit_column", "same column"},
      {with({{"date_format", "%Y-%q-%d"}}), "date_format", "%q"},
      {with({{"date_format", "%Y-%m"}}), "date_format", "one year"},
      {with({{"date_format", "%Y-%m-%d%"}}), "date_format", "lone '%'"},
      {with({{"date_format", "%Y-%m-%d 00"}}), "date_format", "digit"},
      {with({{"decimal_separator", ";"}}), "decimal_separator", "is not '.' or ','"},
      {with({{"delimiter", "|"}}), "delimiter", "is not ','"},
      {with({{"header", "maybe"}}), "header", "true or false"},
      {with({{"header", "false"}}), "date_column", "header is false"},
      {with({{"skip_lines", "-1"}}), "skip_lines", "not a number"},
      {with({{"skip_lines", "5000"}}), "skip_lines", "at most 1000"},
      {with({{"currency", ""}}), "currency", "is required"},
      {with({{"currency", "eur"}}), "currency", "not an ISO 4217 code"},
      {with({{"account", "DE44\xfb\xec"}}), "account", "not UTF-8"},
      {with({{"date_format", "%d\xb7%m\xb7%Y"}}), "date_format", "printable ASCII"},
  };
  for (const Case& each : cases) {
    const core::Error error = mapping_error(each.parameters);
    EXPECT_EQ(error.field, each.field) << error.message;
    EXPECT_TRUE(contains(error.message, each.says)) << each.field << ": " << error.message;
    EXPECT_FALSE(error.line) << error.message;
  }
}

TEST(BankCsvMapping, AMappingBuiltInCodeIsCheckedToo) {
  BankCsvMapping mapping;
  mapping.date.index = 1;
  mapping.amount.index = 2;
  mapping.currency = "USD";
  mapping.delimiter = '|';
  core::Result<std::vector<BankStatement>> parsed = parse_bank_csv("x", mapping);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().field, "delimiter");
}

// --- Malformed files: line, column and parameter -----------------------------------------

TEST(BankCsvMalformed, BadCellsNameLineColumnAndParameter) {
  const BankCsvMapping giro = mapping_of(kGiroParameters);
  core::Error error =
      parse_error(replaced(std::string(kGiro), "04.03.2024;04", "31.02.2024;04"), giro);
  EXPECT_EQ(error.line, 6);
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.field, "date_column");
  EXPECT_EQ(error.message,
            "line 6, column 1: date_column '31.02.2024' is not a date in the format %d.%m.%Y");

  error = parse_error(replaced(std::string(kGiro), "3.250,75", "3.250,7x"), giro);
  EXPECT_EQ(error.line, 6);
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.field, "amount_column");
  EXPECT_TRUE(contains(error.message, "'3.250,7x' is not an amount with ','")) << error.message;

  error = parse_error(replaced(std::string(kGiro), ";-12,40;", ";;"), giro);
  EXPECT_EQ(error.line, 7);
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.field, "amount_column");
  EXPECT_TRUE(contains(error.message, "is empty")) << error.message;

  error = parse_error(replaced(std::string(kGiro), "5.166,75", "5.166,755"), giro);
  EXPECT_EQ(error.line, 6);
  EXPECT_EQ(error.column, 7);
  EXPECT_EQ(error.field, "balance_column");
  EXPECT_TRUE(contains(error.message, "more than 2 decimals")) << error.message;

  error =
      parse_error(replaced(std::string(kGiro), "15.03.2024;14.03.2024", "15.03.2024;14.3."), giro);
  EXPECT_EQ(error.line, 7);
  EXPECT_EQ(error.column, 2);
  EXPECT_EQ(error.field, "value_date_column");

  error =
      parse_error(replaced(std::string(kGiro), ";Gutschrift;Gehalt 03/2024;3.250,75;5.166,75", ""),
                  giro);  // a short row
  EXPECT_EQ(error.line, 6);
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.field, "amount_column");
  EXPECT_TRUE(contains(error.message, "is missing: the row has 3 columns")) << error.message;
}

TEST(BankCsvMalformed, LinesCountTheBreaksInsideQuotes) {
  const BankCsvMapping mapping = mapping_of(kQuotedParameters);
  core::Error error = parse_error(replaced(std::string(kQuoted), "\"-7.5\"", "\"-7.5x\""), mapping);
  EXPECT_EQ(error.line, 5);
  EXPECT_EQ(error.column, 2);
  EXPECT_EQ(error.field, "amount_column");

  error = parse_error(replaced(std::string(kQuoted), "\"TX-0003\"", "\"TX-0003"), mapping);
  EXPECT_EQ(error.line, 5);
  EXPECT_EQ(error.column, 5);
  EXPECT_TRUE(contains(error.message, "never closed")) << error.message;

  error =
      parse_error(replaced(std::string(kQuoted), "\"Corner Cafe\"", "\"Corner\" Cafe"), mapping);
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, 3);
  EXPECT_TRUE(contains(error.message, "text after the closing quote")) << error.message;

  // Without its closing quote, the field from line 3 ends at the next quote, on line 4.
  error = parse_error(replaced(std::string(kQuoted), "in full\"", "in full"), mapping);
  EXPECT_EQ(error.line, 4);
  EXPECT_EQ(error.column, 4);
  EXPECT_TRUE(contains(error.message, "text after the closing quote")) << error.message;
}

TEST(BankCsvMalformed, DebitAndCreditRows) {
  const BankCsvMapping mapping = mapping_of(kUsParameters);
  core::Error error = parse_error(
      replaced(std::string(kUsChecking), "1043,\"1,250.00\",,", "1043,\"1,250.00\",3,"), mapping);
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 5);
  EXPECT_EQ(error.field, "credit_column");
  EXPECT_TRUE(contains(error.message, "both have an amount")) << error.message;

  error = parse_error(replaced(std::string(kUsChecking), ",,45.99,,", ",,,,"), mapping);
  EXPECT_EQ(error.line, 4);
  EXPECT_EQ(error.column, 4);
  EXPECT_EQ(error.field, "debit_column");
  EXPECT_TRUE(contains(error.message, "both empty")) << error.message;
}

TEST(BankCsvMalformed, HeaderProblemsNameTheParameterAndLine) {
  core::Error error = parse_error(kUsChecking, mapping_of({{"date_column", "Posting Date"},
                                                           {"amount_column", "Debit"},
                                                           {"currency", "USD"}}));
  EXPECT_EQ(error.field, "date_column");
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(contains(error.message,
                       "'Posting Date' is not a column of the header on line 1 "
                       "('Date', 'Description', 'Check Number', 'Debit', "
                       "'Credit', 'Balance')"))
      << error.message;

  error = parse_error(
      "Date,Amount,amount\n",
      mapping_of({{"date_column", "Date"}, {"amount_column", "AMOUNT"}, {"currency", "USD"}}));
  EXPECT_EQ(error.field, "amount_column");
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(contains(error.message, "names two columns of the header on line 1: 2 and 3"))
      << error.message;

  error = parse_error(
      "Date,Amount\n",
      mapping_of({{"date_column", "Date"}, {"amount_column", "7"}, {"currency", "USD"}}));
  EXPECT_EQ(error.field, "amount_column");
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(contains(error.message, "is column 7, but the header on line 1 has 2"))
      << error.message;

  const BankCsvMapping giro = mapping_of(kGiroParameters);
  error = parse_error("", giro);
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(contains(error.message, "empty")) << error.message;
  error = parse_error("only\none\npreamble\n", giro);  // skip_lines=3 leaves nothing
  EXPECT_EQ(error.line, 1);
}

TEST(BankCsvMalformed, NoRowsWithoutAHeader) {
  BankCsvMapping mapping;
  mapping.date.index = 1;
  mapping.amount.index = 2;
  mapping.header = false;
  mapping.currency = "USD";
  EXPECT_EQ(parse_error("\n \n,,\n", mapping).line, 3);  // the last (blank) row
  EXPECT_EQ(parse_error("2024-01-01\n", mapping).column, 2);
  EXPECT_EQ(parse_error("2024-01-01,1\n2024-01-0x,1\n", mapping).line, 2);
}

// Every prefix of the files above, and each byte replaced by each CSV marker, gives a value or
// a clean error with a line (the sanitizers catch the rest).
TEST(BankCsvMalformed, EveryPrefixAndMarkerSwapIsHandled) {
  const std::pair<std::string_view, const Parameters*> files[] = {
      {kGiro, &kGiroParameters}, {kUsChecking, &kUsParameters}, {kQuoted, &kQuotedParameters}};
  for (const auto& [file, parameters] : files) {
    const BankCsvMapping mapping = mapping_of(*parameters);
    const std::string sample(file);
    for (std::size_t size = 0; size <= sample.size(); ++size) {
      core::Result<std::vector<BankStatement>> parsed =
          parse_bank_csv(sample.substr(0, size), mapping);
      if (!parsed) {
        EXPECT_TRUE(parsed.error().line.has_value()) << size;
      }
    }
    for (std::size_t at = 0; at < sample.size(); ++at) {
      for (char replacement : {'"', ',', ';', '\n', '\r', '-', '9', '\t'}) {
        std::string mutated = sample;
        mutated[at] = replacement;
        core::Result<std::vector<BankStatement>> parsed = parse_bank_csv(mutated, mapping);
        if (!parsed) {
          EXPECT_TRUE(parsed.error().line.has_value()) << at << replacement;
        }
      }
    }
  }
}

}  // namespace
}  // namespace aic::finance
