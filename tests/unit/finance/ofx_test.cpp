// OFX parser: the shared sample files (jseutter/ofxparse fixtures; expected values from its
// tests/test_parse.py where it asserts them, else read off the file), hand-written OFX 1.x
// and 2.x documents, and malformed input.
#include "finance/bank/ofx.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace aic::finance {
namespace {

std::string read_sample(const std::string& name) {
  std::ifstream file(std::string(AIC_SHARED_DATA_DIR) + "/ofx/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Date date(int year, int month, int day) { return *make_date(year, month, day); }

// The error of a parse that must fail: invalid-argument, with a line.
core::Error parse_error(std::string_view input) {
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(input);
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return core::Error{};
  core::Error error = std::move(parsed).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(error.line.has_value()) << error.message;
  return error;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

constexpr std::string_view kSgmlHeader =
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n"
    "CHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n";

// An OFX 1.x file with one bank statement (USD, account 42) around `transactions`. The
// header is 10 lines, so the first transaction line is line 15.
std::string sgml_statement(std::string_view transactions, std::string_view currency = "USD") {
  std::string text(kSgmlHeader);
  text += "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1\n";                                     // 11
  text += "<STMTRS><CURDEF>" + std::string(currency) + "\n";                               // 12
  text += "<BANKACCTFROM><BANKID>021000021<ACCTID>42<ACCTTYPE>CHECKING</BANKACCTFROM>\n";  // 13
  text += "<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n";                              // 14
  text += transactions;
  text += "</BANKTRANLIST>\n";
  text += "<LEDGERBAL><BALAMT>100.00<DTASOF>20240131</LEDGERBAL>\n";
  text += "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";
  return text;
}

// --- The shared samples -------------------------------------------------------------------

TEST(OfxSamples, BankMediumSgmlOnOneLinePerTransaction) {
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(read_sample("bank_medium.ofx"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  // test_parse.py TestParse.testEverything: account, routing number, balances, 3 transactions.
  EXPECT_EQ(statement.account, "12300 000012345678");
  EXPECT_EQ(statement.bank_id, "160000100");
  EXPECT_EQ(statement.currency, "CAD");  // <CURDEF>CAD (TestParseStmtrs uses the same STMTRS)
  EXPECT_EQ(statement.statement_id, "");
  EXPECT_FALSE(statement.opening);  // OFX has none
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, 38234);
  EXPECT_EQ(statement.closing->date, date(2009, 5, 23));
  ASSERT_TRUE(statement.available);
  EXPECT_EQ(statement.available->amount, 68234);
  EXPECT_EQ(statement.available->date, date(2009, 5, 23));
  ASSERT_EQ(statement.transactions.size(), 3u);
  const BankTransaction& first = statement.transactions[0];
  // testEverything: payee "MCDONALD'S #112", type pos, -6.60; TestParseTransaction (the same
  // STMTTRN): FITID and memo, DTPOSTED 2009-04-01 12:20:17 -5 (17:20 UTC, the same day).
  EXPECT_EQ(first.counterparty_name, "MCDONALD'S #112");
  EXPECT_EQ(first.type_code, "POS");
  EXPECT_EQ(first.amount, -660);
  EXPECT_EQ(first.reference, "0000123456782009040100001");
  EXPECT_EQ(first.description, "POS MERCHANDISE;MCDONALD'S #112");
  EXPECT_EQ(first.booking_date, date(2009, 4, 1));
  EXPECT_FALSE(first.value_date);
  // The rest as the file writes them.
  EXPECT_EQ(statement.transactions[1].type_code, "CHECK");
  EXPECT_EQ(statement.transactions[1].amount, -31667);
  EXPECT_EQ(statement.transactions[1].customer_reference, "0");  // <CHECKNUM>0
  EXPECT_EQ(statement.transactions[1].counterparty_name, "Joe's Bald Hairstyles");
  EXPECT_EQ(statement.transactions[2].amount, -2200);
  EXPECT_EQ(statement.transactions[2].booking_date, date(2009, 4, 3));
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(OfxSamples, CheckingIndentedSgml) {
  // Upstream only round-trips this file (test_write.py): the values are read off the file.
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(read_sample("checking.ofx"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "1452687~7");
  EXPECT_EQ(statement.bank_id, "5472369148");
  EXPECT_EQ(statement.currency, "USD");
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, 10099);
  EXPECT_EQ(statement.closing->date, date(2013, 5, 25));
  ASSERT_TRUE(statement.available);
  EXPECT_EQ(statement.available->amount, 7599);
  ASSERT_EQ(statement.transactions.size(), 3u);
  EXPECT_EQ(statement.transactions[0].type_code, "CREDIT");
  EXPECT_EQ(statement.transactions[0].amount, 1);
  EXPECT_EQ(statement.transactions[0].reference, "0000486");
  EXPECT_EQ(statement.transactions[0].booking_date, date(2011, 3, 31));
  EXPECT_EQ(statement.transactions[0].counterparty_name, "DIVIDEND EARNED FOR PERIOD OF 03");
  EXPECT_EQ(statement.transactions[1].amount, -3451);
  EXPECT_EQ(statement.transactions[1].description, "AUTOMATIC WITHDRAWAL, ELECTRIC BILL WEB(S )");
  const BankTransaction& check = statement.transactions[2];
  EXPECT_EQ(check.type_code, "CHECK");
  EXPECT_EQ(check.amount, -2500);
  EXPECT_EQ(check.customer_reference, "319");
  EXPECT_EQ(check.booking_date, date(2011, 4, 7));
  EXPECT_EQ(check.description, "RETURNED CHECK FEE, CHECK # 319 FOR $45.33 ON 04/07/11");
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(OfxSamples, MultipleAccountsXml) {
  // Upstream's multiple_accounts2.ofx (the same bytes), TestParse.testMultipleAccounts: two
  // accounts, 9100 and 9200, both routing number 123. Balances from the file.
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(read_sample("multiple_accounts.ofx"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].account, "9100");
  EXPECT_EQ((*parsed)[1].account, "9200");
  for (const BankStatement& statement : *parsed) {
    EXPECT_EQ(statement.bank_id, "123");
    EXPECT_EQ(statement.currency, "USD");
    EXPECT_TRUE(statement.transactions.empty());
    EXPECT_FALSE(statement.available);
    EXPECT_TRUE(statement.warnings.empty());
  }
  ASSERT_TRUE((*parsed)[0].closing);
  EXPECT_EQ((*parsed)[0].closing->amount, 11100);
  EXPECT_EQ((*parsed)[0].closing->date, date(2012, 6, 3));
  ASSERT_TRUE((*parsed)[1].closing);
  EXPECT_EQ((*parsed)[1].closing->amount, 22200);
}

TEST(OfxSamples, EmptyTagsV102) {
  // TestEmptyTagsOFXv102: account 12345678, routing NPBS, CURDEF empty (upstream: None and a
  // warning). Here the currency comes from the transaction's CURRENCY/CURSYM, with a warning,
  // and the empty LEDGERBAL (no BALAMT, no DTASOF) is no balance, with a warning.
  core::Result<std::vector<BankStatement>> parsed =
      parse_ofx(read_sample("ofx-v102-empty-tags.ofx"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "12345678");
  EXPECT_EQ(statement.bank_id, "NPBS");
  EXPECT_EQ(statement.currency, "AUD");
  EXPECT_FALSE(statement.closing);
  EXPECT_FALSE(statement.available);
  ASSERT_EQ(statement.warnings.size(), 2u);
  EXPECT_TRUE(contains(statement.warnings[0], "LEDGERBAL is empty")) << statement.warnings[0];
  EXPECT_TRUE(contains(statement.warnings[1], "CURDEF is empty")) << statement.warnings[1];
  ASSERT_EQ(statement.transactions.size(), 1u);
  const BankTransaction& transaction = statement.transactions[0];
  EXPECT_EQ(transaction.type_code, "Credit");
  EXPECT_EQ(transaction.amount, 1234);
  EXPECT_EQ(transaction.booking_date, date(2018, 5, 7));
  EXPECT_EQ(transaction.reference, "");  // <FITID></FITID>
  EXPECT_EQ(transaction.counterparty_name, "");
  EXPECT_EQ(transaction.customer_reference, "");  // empty CHECKNUM and REFNUM
  EXPECT_EQ(transaction.description, "CBA:Transfer");
}

TEST(OfxSamples, FidelityIsAnInvestmentStatementOnly) {
  // Upstream reads it as an investment account (6 positions, 18 balances): not imported here.
  const core::Error error = parse_error(read_sample("fidelity.ofx"));
  EXPECT_TRUE(contains(error.message, "INVSTMTRS")) << error.message;
  EXPECT_EQ(error.line, 11);  // <INVSTMTRS> is on the one line after the header
}

// The ofxparse "fail_nice" files: upstream raises OfxParserException for each when it fails
// fast (TestGracefulFailures).
TEST(OfxSamples, MalformedFilesNameTheLine) {
  // The first STMTTRN (line 33) has no DTPOSTED; the next has an empty one, the third Feb 31.
  core::Error error = parse_error(read_sample("malformed/date_missing.ofx"));
  EXPECT_EQ(error.line, 33);
  EXPECT_TRUE(contains(error.message, "FITID 184997056")) << error.message;
  EXPECT_TRUE(contains(error.message, "no DTPOSTED")) << error.message;

  // TRNAMT is "$120", but DTPOSTED (month 20) on the line before fails first.
  error = parse_error(read_sample("malformed/decimal_error.ofx"));
  EXPECT_EQ(error.line, 36);
  EXPECT_TRUE(contains(error.message, "DTPOSTED is not a date")) << error.message;

  // LEDGERBAL's BALAMT is blank (a space) while DTASOF has a date.
  error = parse_error(read_sample("malformed/empty_balance.ofx"));
  EXPECT_EQ(error.line, 38);
  EXPECT_TRUE(contains(error.message, "LEDGERBAL/BALAMT is empty")) << error.message;
}

// --- Hand-written documents ---------------------------------------------------------------

TEST(Ofx, XmlVersion2WithEveryTransactionField) {
  const std::string input =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<?OFX OFXHEADER=\"200\" VERSION=\"220\" SECURITY=\"NONE\" OLDFILEUID=\"NONE\"\n"
      "  NEWFILEUID=\"NONE\"?>\n"
      "<!-- exported by a test -->\n"
      "<OFX>\n"
      " <SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\n"
      "  <DTSERVER>20240301120000.000[-5:EST]</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS>\n"
      " </SIGNONMSGSRSV1>\n"
      " <BANKMSGSRSV1><STMTTRNRS><TRNUID>7</TRNUID>\n"
      "  <STMTRS><CURDEF>EUR</CURDEF>\n"
      "   <BANKACCTFROM><BANKID>COBADEFF</BANKID><ACCTID>DE89370400440532013000</ACCTID>\n"
      "    <ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>\n"
      "   <BANKTRANLIST><DTSTART>20240201</DTSTART><DTEND>20240229</DTEND>\n"
      "    <STMTTRN>\n"
      "     <TRNTYPE>XFER</TRNTYPE>\n"
      "     <DTPOSTED>20240229235959.999[+1:CET]</DTPOSTED>\n"
      "     <DTUSER>20240228</DTUSER>\n"
      "     <DTAVAIL>20240301</DTAVAIL>\n"
      "     <TRNAMT>-1234.5</TRNAMT>\n"
      "     <FITID>TX-1</FITID>\n"
      "     <REFNUM>INV 2024/7</REFNUM>\n"
      "     <PAYEE><NAME>Stadtwerke GmbH</NAME><ADDR1>Hauptstr. 1</ADDR1></PAYEE>\n"
      "     <BANKACCTTO><BANKID>DEUTDEFF</BANKID><ACCTID>DE02120300000000202051</ACCTID>\n"
      "      <ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTTO>\n"
      "     <MEMO><![CDATA[Strom <Februar>]]></MEMO>\n"
      "     <CURRENCY><CURRATE>1.0</CURRATE><CURSYM>EUR</CURSYM></CURRENCY>\n"
      "    </STMTTRN>\n"
      "    <STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20240215</DTPOSTED>\n"
      "     <TRNAMT>+2500.00</TRNAMT><FITID>TX-2</FITID><CHECKNUM>1001</CHECKNUM>\n"
      "     <REFNUM>ignored: CHECKNUM wins</REFNUM><NAME>Employer</NAME><PAYEE><NAME>Other\n"
      "     </NAME></PAYEE><CCACCTTO><ACCTID>4111</ACCTID></CCACCTTO></STMTTRN>\n"
      "    <STMTTRN><TRNTYPE>FEE</TRNTYPE><DTPOSTED>20240220</DTPOSTED><TRNAMT>0.000</TRNAMT>\n"
      "     <FITID>TX-3</FITID><DTAVAIL>00000000</DTAVAIL></STMTTRN>\n"
      "   </BANKTRANLIST>\n"
      "   <LEDGERBAL><BALAMT>-0.5</BALAMT><DTASOF>20240229</DTASOF></LEDGERBAL>\n"
      "   <AVAILBAL><BALAMT>1000</BALAMT><DTASOF>20240301</DTASOF></AVAILBAL>\n"
      "  </STMTRS></STMTTRNRS>\n"
      " </BANKMSGSRSV1>\n"
      "</OFX>\n";
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(input);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "DE89370400440532013000");
  EXPECT_EQ(statement.bank_id, "COBADEFF");
  EXPECT_EQ(statement.currency, "EUR");
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, -50);
  ASSERT_TRUE(statement.available);
  EXPECT_EQ(statement.available->amount, 100000);
  EXPECT_EQ(statement.available->date, date(2024, 3, 1));
  ASSERT_EQ(statement.transactions.size(), 3u);

  const BankTransaction& transfer = statement.transactions[0];
  EXPECT_EQ(transfer.type_code, "XFER");
  EXPECT_EQ(transfer.booking_date, date(2024, 2, 29));  // as written, not moved to UTC
  EXPECT_EQ(transfer.value_date, date(2024, 3, 1));     // DTAVAIL; DTUSER is not kept
  EXPECT_EQ(transfer.amount, -123450);
  EXPECT_EQ(transfer.reference, "TX-1");
  EXPECT_EQ(transfer.customer_reference, "INV 2024/7");
  EXPECT_EQ(transfer.counterparty_name, "Stadtwerke GmbH");  // PAYEE/NAME without NAME
  EXPECT_EQ(transfer.counterparty_account, "DE02120300000000202051");
  EXPECT_EQ(transfer.description, "Strom <Februar>");

  const BankTransaction& credit = statement.transactions[1];
  EXPECT_EQ(credit.amount, 250000);
  EXPECT_EQ(credit.customer_reference, "1001");
  EXPECT_EQ(credit.counterparty_name, "Employer");
  EXPECT_EQ(credit.counterparty_account, "4111");
  EXPECT_EQ(credit.description, "");

  EXPECT_EQ(statement.transactions[2].amount, 0);
  EXPECT_FALSE(statement.transactions[2].value_date);  // 00000000 is "no date"
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(Ofx, CreditCardStatement) {
  std::string input(kSgmlHeader);
  input +=
      "<OFX>\n"
      "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>0<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
      "<CCSTMTRS><CURDEF>usd<CCACCTFROM><ACCTID>4111111111111111</CCACCTFROM>\n"
      "<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n"
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-42.17<FITID>CC1<NAME>GROCER\n"
      "</STMTTRN>\n"
      "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240120<TRNAMT>500.00<FITID>CC2<NAME>PAYMENT\n"
      "<MEMO>THANK YOU</STMTTRN>\n"
      "</BANKTRANLIST><LEDGERBAL><BALAMT>-1042.17<DTASOF>20240131</LEDGERBAL>\n"
      "<AVAILBAL><BALAMT>3957.83<DTASOF>20240131</AVAILBAL>\n"
      "</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>";
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(input);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "4111111111111111");
  EXPECT_EQ(statement.bank_id, "");
  EXPECT_EQ(statement.currency, "USD");  // upper-cased
  ASSERT_EQ(statement.transactions.size(), 2u);
  EXPECT_EQ(statement.transactions[0].amount, -4217);
  EXPECT_EQ(statement.transactions[0].counterparty_name, "GROCER");
  EXPECT_EQ(statement.transactions[1].amount, 50000);
  EXPECT_EQ(statement.transactions[1].description, "THANK YOU");
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, -104217);
  ASSERT_TRUE(statement.available);
  EXPECT_EQ(statement.available->amount, 395783);
}

TEST(Ofx, TagNamesIgnoreCase) {
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(
      "<ofx><bankmsgsrsv1><stmttrnrs><stmtrs><curdef>EUR</curdef><bankacctfrom><acctid>7\n"
      "</BankAcctFrom><banktranlist><StmtTrn><trntype>DEBIT<dtposted>20240102<trnamt>-1\n"
      "<fitid>x</STMTTRN></banktranlist></stmtrs></stmttrnrs></bankmsgsrsv1></Ofx>");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].account, "7");
  ASSERT_EQ((*parsed)[0].transactions.size(), 1u);
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -100);
}

TEST(Ofx, EntitiesAreDecoded) {
  const std::string input = sgml_statement(
      "<STMTTRN><TRNTYPE>POS<DTPOSTED>20240102<TRNAMT>-1<FITID>a&amp;b\n"
      "<NAME>AT&T &amp; Co &lt;x&gt; &quot;q&quot; &apos;s&apos;\n"
      "<MEMO>caf&#233; &#x20AC;5 &#0; &bogus; &#xD800; &\n"
      "</STMTTRN>\n");
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(input);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankTransaction& transaction = (*parsed)[0].transactions.at(0);
  EXPECT_EQ(transaction.reference, "a&b");
  // A bare '&' that starts no entity stays as written.
  EXPECT_EQ(transaction.counterparty_name, "AT&T & Co <x> \"q\" 's'");
  EXPECT_EQ(transaction.description,
            "caf\xc3\xa9 \xe2\x82\xac"
            "5 &#0; &bogus; &#xD800; &");
}

TEST(Ofx, AmountsWithADecimalCommaAndCurrencyDecimals) {
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(
      sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1006,60<FITID>1</STMTTRN>\n"
                     "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>  12.5  <FITID>2</STMTTRN>\n"
                     "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-0,01<FITID>3</STMTTRN>\n"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ((*parsed)[0].transactions.size(), 3u);
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -100660);
  EXPECT_EQ((*parsed)[0].transactions[1].amount, 1250);
  EXPECT_EQ((*parsed)[0].transactions[2].amount, -1);

  // Yen have no decimals: the amount is parsed once the statement's currency is known.
  parsed = parse_ofx(sgml_statement(
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1500<FITID>1</STMTTRN>\n", "JPY"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -1500);
  ASSERT_TRUE((*parsed)[0].closing);
  EXPECT_EQ((*parsed)[0].closing->amount, 100);  // "100.00"

  // CURDEF after the transactions (out of the spec's order): the amounts wait for it.
  std::string late = sgml_statement(
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1500<FITID>1</STMTTRN>\n", "");
  late.replace(late.find("</STMTRS>"), 0, "<CURDEF>JPY");
  parsed = parse_ofx(late);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ((*parsed)[0].currency, "JPY");
  EXPECT_EQ((*parsed)[0].transactions[0].amount, -1500);
  EXPECT_TRUE((*parsed)[0].warnings.empty());
  late.replace(late.find("<CURDEF>JPY"), 0, "<CURDEF>EUR");
  EXPECT_TRUE(contains(parse_error(late).message, "a second CURDEF (JPY)"));

  // Thousands separators are not OFX; "$120" is not a number.
  for (std::string_view amount : {"-1,006.60", "1.006,60", "1,0,0", "$120", "", "1.234"}) {
    SCOPED_TRACE(amount);
    const core::Error error =
        parse_error(sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102\n<TRNAMT>" +
                                   std::string(amount) + "\n<FITID>1</STMTTRN>\n"));
    EXPECT_EQ(error.line, 16);
    EXPECT_TRUE(contains(error.message, "TRNAMT")) << error.message;
  }
}

TEST(Ofx, DatesAreCalendarDatesAsWritten) {
  const auto booking_date = [](std::string_view text) -> std::optional<Date> {
    core::Result<std::vector<BankStatement>> parsed = parse_ofx(sgml_statement(
        "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>" + std::string(text) + "<TRNAMT>1<FITID>1</STMTTRN>"));
    if (!parsed) return std::nullopt;
    return (*parsed)[0].transactions.at(0).booking_date;
  };
  EXPECT_EQ(booking_date("20240229"), date(2024, 2, 29));
  EXPECT_EQ(booking_date("202402291230"), date(2024, 2, 29));
  EXPECT_EQ(booking_date("20240229235959"), date(2024, 2, 29));
  EXPECT_EQ(booking_date("20240229235959.123"), date(2024, 2, 29));
  EXPECT_EQ(booking_date("20240229235959.123[-12:BIT]"), date(2024, 2, 29));
  EXPECT_EQ(booking_date("20240229120000 [+5.30:IST]"), date(2024, 2, 29));
  EXPECT_EQ(booking_date("20180804093914:014"), date(2018, 8, 4));
  for (std::string_view bad :
       {"2024022", "20230229", "20241301", "00000000", "2024-02-29", "202402291", "20240229256000",
        "20240229120000[-5:EST", "20240229120000.", "20240229x"}) {
    EXPECT_FALSE(booking_date(bad)) << bad;
  }
}

TEST(Ofx, MissingFieldsNameTheirTransaction) {
  core::Error error = parse_error(
      sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>1<FITID>A</STMTTRN>\n"
                     "<STMTTRN>\n"
                     "<TRNTYPE>DEBIT\n"
                     "<TRNAMT>1\n"
                     "<FITID>B\n"
                     "</STMTTRN>\n"));
  EXPECT_EQ(error.line, 16);
  EXPECT_TRUE(contains(error.message, "(FITID B) has no DTPOSTED")) << error.message;

  error =
      parse_error(sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<FITID>C</STMTTRN>\n"));
  EXPECT_EQ(error.line, 15);
  EXPECT_TRUE(contains(error.message, "no TRNAMT")) << error.message;

  error = parse_error(
      sgml_statement("<STMTTRN><TRNTYPE>DEBIT\n<DTPOSTED>\n<TRNAMT>1<FITID>D</STMTTRN>\n"));
  EXPECT_EQ(error.line, 16);
  EXPECT_TRUE(contains(error.message, "DTPOSTED is empty")) << error.message;

  // No account.
  std::string input = sgml_statement("");
  input.replace(input.find("<ACCTID>42"), 10, "");
  error = parse_error(input);
  EXPECT_EQ(error.line, 12);
  EXPECT_TRUE(contains(error.message, "BANKACCTFROM/ACCTID")) << error.message;
}

TEST(Ofx, Balances) {
  // An empty balance aggregate is no balance; a half-empty one is an error.
  std::string input = sgml_statement("");
  input.replace(input.find("<LEDGERBAL>"), 0, "<AVAILBAL><BALAMT></BALAMT><DTASOF></AVAILBAL>");
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(input);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE((*parsed)[0].available);
  ASSERT_EQ((*parsed)[0].warnings.size(), 1u);
  EXPECT_EQ((*parsed)[0].warnings[0], "AVAILBAL is empty: no available balance");

  input = sgml_statement("");
  input.replace(input.find("<DTASOF>20240131"), 16, "<DTASOF>");
  core::Error error = parse_error(input);
  EXPECT_EQ(error.line, 16);
  EXPECT_TRUE(contains(error.message, "LEDGERBAL has no DTASOF")) << error.message;

  input = sgml_statement("");
  input.replace(input.find("<BALAMT>100.00"), 14, "");
  error = parse_error(input);
  EXPECT_TRUE(contains(error.message, "LEDGERBAL has no BALAMT")) << error.message;

  input = sgml_statement("");
  input.replace(input.find("<BALAMT>100.00"), 14, "<BALAMT>1OO");
  error = parse_error(input);
  EXPECT_EQ(error.line, 16);
  EXPECT_TRUE(contains(error.message, "LEDGERBAL/BALAMT")) << error.message;
}

TEST(Ofx, ForeignCurrencyTransactionsAreImportedAsWrittenWithAWarning) {
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(
      sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-10<FITID>F1\n"
                     "<CURRENCY><CURRATE>1.08<CURSYM>EUR</CURRENCY></STMTTRN>\n"
                     "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-10<FITID>F2\n"
                     "<ORIGCURRENCY><CURRATE>1.08<CURSYM>EUR</ORIGCURRENCY></STMTTRN>\n"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.currency, "USD");
  EXPECT_EQ(statement.transactions.at(0).amount, -1000);
  ASSERT_EQ(statement.warnings.size(), 1u);  // ORIGCURRENCY: already converted to CURDEF
  EXPECT_TRUE(contains(statement.warnings[0], "1 transaction(s) name a CURRENCY other than USD"))
      << statement.warnings[0];
  EXPECT_TRUE(contains(statement.warnings[0], "'F1'")) << statement.warnings[0];

  const core::Error error = parse_error(sgml_statement("", "US DOLLAR"));
  EXPECT_EQ(error.line, 12);
  EXPECT_TRUE(contains(error.message, "CURDEF is not a currency code")) << error.message;
}

TEST(Ofx, InvestmentStatements) {
  // Only an investment statement: an error that says why.
  const std::string investment =
      "<INVSTMTMSGSRSV1><INVSTMTTRNRS><TRNUID>1\n"
      "<INVSTMTRS><DTASOF>20240131<CURDEF>USD<INVACCTFROM><BROKERID>b<ACCTID>9</INVACCTFROM>\n"
      "<INVTRANLIST><DTSTART>20240101<DTEND>20240131<INVBANKTRAN><STMTTRN><TRNTYPE>DEP\n"
      "<DTPOSTED>20240105<TRNAMT>1.00<FITID>I1</STMTTRN><SUBACCTFUND>CASH</INVBANKTRAN>\n"
      "</INVTRANLIST></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>\n";
  const core::Error error =
      parse_error(std::string(kSgmlHeader) + "<OFX>\n" + investment + "</OFX>");
  EXPECT_EQ(error.line, 13);
  EXPECT_EQ(error.message,
            "line 13: investment statements (INVSTMTRS) are not supported; only bank and "
            "credit-card statements are imported");

  // With a bank statement too: the bank statement, and a warning.
  std::string mixed =
      sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1<FITID>B1</STMTTRN>\n");
  mixed.replace(mixed.find("</OFX>"), 0, investment);
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(mixed);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  ASSERT_EQ((*parsed)[0].transactions.size(), 1u);
  EXPECT_EQ((*parsed)[0].transactions[0].reference, "B1");
  ASSERT_EQ((*parsed)[0].warnings.size(), 1u);
  EXPECT_EQ((*parsed)[0].warnings[0],
            "the file also has 1 investment statement(s) (INVSTMTRS), which are not imported");
}

TEST(Ofx, NoStatementNamesTheBanksStatus) {
  std::string input(kSgmlHeader);
  input +=
      "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR\n"
      "<MESSAGE>Signon invalid</STATUS><DTSERVER>20240101<LANGUAGE>ENG</SONRS>\n"
      "</SIGNONMSGSRSV1></OFX>\n";
  const core::Error error = parse_error(input);
  EXPECT_EQ(error.line, 11);
  EXPECT_TRUE(contains(error.message, "no bank or credit-card statement")) << error.message;
  EXPECT_TRUE(contains(error.message, "CODE 15500 'Signon invalid'")) << error.message;
}

TEST(OfxMalformed, NotOfx) {
  EXPECT_EQ(parse_error("").line, 1);
  EXPECT_EQ(parse_error(" \n\n ").line, 3);
  EXPECT_TRUE(contains(parse_error("Date,Amount\n2024-01-01,5\n").message, "not OFX"));
  core::Error error = parse_error("<?xml version=\"1.0\"?>\n<Document><BkToCstmrStmt/></Document>");
  EXPECT_EQ(error.line, 2);
  EXPECT_TRUE(contains(error.message, "must be <OFX>, found <Document>")) << error.message;
  error = parse_error("OFXHEADER:100\nDATA:OFXSGML\n");
  EXPECT_TRUE(contains(error.message, "no <OFX> element")) << error.message;
  error = parse_error("OFXHEADER:100\n\n</OFX>");
  EXPECT_EQ(error.line, 3);
}

TEST(OfxMalformed, UnterminatedAndMismatchedAggregates) {
  const std::string good =
      sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1<FITID>1</STMTTRN>\n");
  ASSERT_TRUE(parse_ofx(good));

  // Cut off inside the transaction list: the innermost open aggregate is named.
  core::Error error = parse_error(good.substr(0, good.find("</STMTTRN>")));
  EXPECT_EQ(error.line, 15);
  EXPECT_TRUE(contains(error.message, "<STMTTRN> is never closed")) << error.message;
  error = parse_error(good.substr(0, good.find("</OFX>")));
  EXPECT_EQ(error.line, 11);
  EXPECT_TRUE(contains(error.message, "<OFX> is never closed")) << error.message;

  // A missing </STMTTRN>: the next STMTTRN, or the list's end tag, finds it.
  std::string input = sgml_statement(
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1<FITID>1\n"
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1<FITID>2</STMTTRN>\n");
  error = parse_error(input);
  EXPECT_EQ(error.line, 16);
  EXPECT_TRUE(contains(error.message, "inside the <STMTTRN> from line 15")) << error.message;
  input = sgml_statement("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1<FITID>1\n");
  error = parse_error(input);
  EXPECT_EQ(error.line, 16);
  EXPECT_TRUE(contains(error.message, "</BANKTRANLIST> before </STMTTRN>")) << error.message;

  // An end tag that closes nothing open.
  input = good;
  input.replace(input.find("</BANKTRANLIST>"), 0, "</STMTRS2>");
  error = parse_error(input);
  EXPECT_TRUE(contains(error.message, "</STMTRS2> closes no open element")) << error.message;

  // Text where an aggregate's elements belong, and text between elements.
  input = good;
  input.replace(input.find("<TRNTYPE>"), 0, "junk");
  error = parse_error(input);
  EXPECT_EQ(error.line, 15);
  EXPECT_TRUE(contains(error.message, "<STMTTRN> holds elements, not text")) << error.message;
  input = good;
  input.replace(input.find("</STMTTRN>") + 10, 0, "junk");
  EXPECT_TRUE(contains(parse_error(input).message, "text outside any element"));

  // Broken markup.
  for (std::string_view broken :
       {"<TRNAMT", "<!-- never closed", "<![CDATA[x", "<?pi", "< TRNAMT>", "<1X>", "</TRNAMT x>"}) {
    SCOPED_TRACE(broken);
    input = good;
    input.replace(input.find("<FITID>"), 0, broken);
    EXPECT_EQ(parse_error(input).line, 15);
  }
}

TEST(OfxMalformed, DeepNestingIsAnErrorNotACrash) {
  std::string input = "<OFX>";
  for (int i = 0; i < 100000; ++i) input += "<A>";
  const core::Error error = parse_error(input);
  EXPECT_EQ(error.line, 1);
  EXPECT_TRUE(contains(error.message, "nest more than")) << error.message;

  // An element this parser does not know, followed by a start tag, may be an aggregate or an
  // empty SGML leaf; it stays open until an end tag closes it, so even a flat run of them is
  // bounded by the same limit.
  std::string many(kSgmlHeader);
  many += "<OFX><SIGNONMSGSRSV1><SONRS>";
  for (int i = 0; i < 1000; ++i) many += "<X" + std::to_string(i) + ">";
  many += "</SONRS></SIGNONMSGSRSV1></OFX>";
  EXPECT_TRUE(contains(parse_error(many).message, "nest more than"));
}

TEST(OfxMalformed, EveryPrefixFailsCleanly) {
  const std::string input = sgml_statement(
      "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102<TRNAMT>-1<FITID>1<NAME>A&amp;B</STMTTRN>\n");
  ASSERT_TRUE(parse_ofx(input));
  for (std::size_t length = 0; length + 1 < input.size(); ++length) {
    core::Result<std::vector<BankStatement>> parsed = parse_ofx(input.substr(0, length));
    if (parsed) continue;  // a prefix can be whole (one ending right after </OFX>)
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(parsed.error().line) << length;
  }
}

TEST(Ofx, ManyTransactions) {
  // 10,000 transactions (the speed target is checked on a release build, not here).
  std::string transactions;
  constexpr int kCount = 10000;
  for (int i = 1; i <= kCount; ++i) {
    transactions += "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240102120000.000[-5:EST]<TRNAMT>-" +
                    std::to_string(i) + ".25<FITID>" + std::to_string(i) +
                    "<NAME>SHOP<MEMO>CARD PAYMENT</STMTTRN>\n";
  }
  core::Result<std::vector<BankStatement>> parsed = parse_ofx(sgml_statement(transactions));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ((*parsed)[0].transactions.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ((*parsed)[0].transactions.back().amount, -(kCount * 100LL + 25));
  EXPECT_EQ((*parsed)[0].transactions.back().reference, std::to_string(kCount));
}

}  // namespace
}  // namespace aic::finance
