// camt.053 parser: the shared genkgo/camt sample files (expected values from the upstream
// parser's .json beside each file), and small hand-written documents for the rules the
// samples do not exercise (reversals, pending entries, errors and their paths).
#include "finance/bank/camt053.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace aic::finance {
namespace {

std::string read_sample(const std::string& name) {
  std::ifstream file(std::string(AIC_SHARED_DATA_DIR) + "/camt053/" + name, std::ios::binary);
  EXPECT_TRUE(file) << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Date date(int year, int month, int day) { return *make_date(year, month, day); }

// The error of a parse that must fail.
core::Error parse_error(std::string_view input) {
  core::Result<std::vector<BankStatement>> parsed = parse_camt053(input);
  EXPECT_FALSE(parsed.has_value());
  if (parsed) return core::Error{};
  core::Error error = std::move(parsed).error();
  EXPECT_EQ(error.code, core::ErrorCode::kInvalidArgument);
  return error;
}

bool has_warning_containing(const BankStatement& statement, std::string_view text) {
  for (const std::string& warning : statement.warnings) {
    if (warning.find(text) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Sample files. The numbers come from the upstream parser's output (the .json beside each
// .xml: "getAmount": "885" is 8.85); where this parser deliberately differs, a comment says so.

TEST(Camt053Samples, V2Minimal) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_camt053(read_sample("camt053.v2.minimal.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "NL26VAYB8060476890");
  EXPECT_EQ(statement.currency, "EUR");
  EXPECT_EQ(statement.statement_id, "253EURNL26VAYB8060476890");
  EXPECT_EQ(statement.bank_id, "");
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 1815);
  EXPECT_EQ(statement.opening->date, date(2014, 12, 30));
  // Upstream keeps CLBD -2700 SEK and CLAV -2700 JPY; in an EUR account they cannot be
  // compared with the entries, so they are left out with a warning each.
  EXPECT_FALSE(statement.closing);
  EXPECT_FALSE(statement.available);
  ASSERT_EQ(statement.warnings.size(), 2u);
  EXPECT_EQ(statement.warnings[0],
            "/Document/BkToCstmrStmt/Stmt[1]/Bal[2]/Amt: the CLBD balance is in SEK, not the "
            "account's EUR; it is ignored");
  EXPECT_TRUE(has_warning_containing(statement, "Bal[4]/Amt: the CLAV balance is in JPY"));

  ASSERT_EQ(statement.transactions.size(), 1u);
  const BankTransaction& entry = statement.transactions[0];
  EXPECT_EQ(entry.amount, 885);
  EXPECT_EQ(entry.booking_date, date(2014, 12, 31));
  EXPECT_EQ(entry.value_date, date(2015, 1, 2));
  EXPECT_EQ(entry.type_code, "544");
  EXPECT_EQ(entry.reference, "");  // upstream getAccountServicerReference: null
  // No EndToEndId: the structured creditor reference (upstream CdtrRefInf/Ref).
  EXPECT_EQ(entry.customer_reference, "4654654654654654");
  // A credit: the other party is the debtor (upstream related party "Debtor").
  EXPECT_EQ(entry.counterparty_name, "NAME NAME");
  EXPECT_EQ(entry.counterparty_account, "NL56AGDH9619008421");
  EXPECT_EQ(entry.description, "");
}

TEST(Camt053Samples, V2AllBalanceTypes) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_camt053(read_sample("camt053.v2.all-balance-types.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "CH2801234000123456789");  // Acct/Id/Othr/Id
  EXPECT_EQ(statement.currency, "EUR");                   // no Acct/Ccy: the first balance's Ccy
  EXPECT_EQ(statement.statement_id, "CAMT0532015012200001");
  // Upstream lists OPBD (101) and PRCD (202) both as "opening"; OPBD is preferred.
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 101);
  EXPECT_EQ(statement.opening->date, date(2015, 1, 21));
  ASSERT_TRUE(statement.closing);
  EXPECT_EQ(statement.closing->amount, 404);
  EXPECT_EQ(statement.closing->date, date(2015, 1, 22));
  ASSERT_TRUE(statement.available);
  EXPECT_EQ(statement.available->amount, 505);
  EXPECT_EQ(statement.available->date, date(2015, 1, 23));

  ASSERT_EQ(statement.transactions.size(), 1u);
  const BankTransaction& entry = statement.transactions[0];
  EXPECT_EQ(entry.amount, 885);  // "8.850": a trailing zero beyond the cents is allowed
  EXPECT_EQ(entry.booking_date, date(2014, 12, 31));
  EXPECT_EQ(entry.value_date, date(2015, 1, 2));
  EXPECT_EQ(entry.customer_reference, "000000001");
  EXPECT_EQ(entry.description, "Transaction Description");
  EXPECT_EQ(entry.type_code, "544");
  // A credit whose details name only the creditor (the account owner): no counterparty.
  EXPECT_EQ(entry.counterparty_name, "");
  // 1.01 + 8.85 is not the closing 4.04: the sample's balances do not add up.
  ASSERT_EQ(statement.warnings.size(), 1u);
  EXPECT_TRUE(has_warning_containing(statement, "opening balance 1.01"));
  EXPECT_TRUE(has_warning_containing(statement, "closing balance is 4.04"));
}

TEST(Camt053Samples, V2MultiStatement) {
  core::Result<std::vector<BankStatement>> parsed =
      parse_camt053(read_sample("camt053.v2.multi.statement.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);  // upstream getRecords has two

  // The upstream dump shows only the second statement's values (the first is elided as
  // "__RECURSIVITY__"); the first one's are read from the .xml.
  const BankStatement& first = (*parsed)[0];
  EXPECT_EQ(first.statement_id, "253EURNL26VAYB8060476890");
  EXPECT_EQ(first.account, "NL26VAYB8060476890");
  EXPECT_EQ(first.currency, "EUR");
  ASSERT_TRUE(first.opening && first.closing);
  EXPECT_EQ(first.opening->amount, 1815);
  EXPECT_EQ(first.closing->amount, 2700);
  ASSERT_EQ(first.transactions.size(), 1u);
  EXPECT_EQ(first.transactions[0].amount, 885);
  EXPECT_EQ(first.transactions[0].customer_reference, "000000001");
  EXPECT_EQ(first.transactions[0].description, "Transaction Description 1");
  EXPECT_TRUE(first.warnings.empty());  // 18.15 + 8.85 = 27.00

  const BankStatement& second = (*parsed)[1];
  EXPECT_EQ(second.statement_id, "254EURNL26VAYB8060476890");
  EXPECT_EQ(second.account, "NL26VAYB8060476890");
  EXPECT_EQ(second.currency, "EUR");
  ASSERT_TRUE(second.opening && second.closing);
  EXPECT_EQ(second.opening->amount, 2700);
  EXPECT_EQ(second.opening->date, date(2014, 12, 30));
  EXPECT_EQ(second.closing->amount, 2000);
  EXPECT_EQ(second.closing->date, date(2014, 12, 31));
  ASSERT_EQ(second.transactions.size(), 1u);
  const BankTransaction& entry = second.transactions[0];
  EXPECT_EQ(entry.amount, -700);
  EXPECT_EQ(entry.booking_date, date(2014, 12, 31));
  EXPECT_EQ(entry.value_date, date(2015, 1, 2));
  EXPECT_EQ(entry.customer_reference, "000000002");
  EXPECT_EQ(entry.description, "Transaction Description 2");
  // A debit: the other party is the creditor.
  EXPECT_EQ(entry.counterparty_name, "Company Name 2");
  EXPECT_EQ(entry.counterparty_account, "NL56AGDH9619008421");
  EXPECT_TRUE(second.warnings.empty());  // 27.00 - 7.00 = 20.00
}

TEST(Camt053Samples, V4) {
  core::Result<std::vector<BankStatement>> parsed = parse_camt053(read_sample("camt053.v4.xml"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const BankStatement& statement = (*parsed)[0];
  EXPECT_EQ(statement.account, "NL26VAYB8060476890");
  EXPECT_EQ(statement.currency, "EUR");
  EXPECT_EQ(statement.statement_id, "253EURNL26VAYB8060476890");
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 1815);
  EXPECT_EQ(statement.opening->date, date(2014, 12, 30));
  EXPECT_FALSE(statement.closing);    // upstream: -2700 SEK (see V2Minimal)
  EXPECT_FALSE(statement.available);  // upstream: -2700 JPY
  EXPECT_EQ(statement.warnings.size(), 2u);

  ASSERT_EQ(statement.transactions.size(), 1u);
  const BankTransaction& entry = statement.transactions[0];
  EXPECT_EQ(entry.amount, 885);
  EXPECT_EQ(entry.booking_date, date(2014, 12, 31));
  EXPECT_EQ(entry.value_date, date(2015, 1, 2));
  EXPECT_EQ(entry.reference, "AAAASESS-FP-CN_98765/01");
  EXPECT_EQ(entry.type_code, "PAYM/0001/0005");
  EXPECT_EQ(entry.customer_reference, "4654654654654654");
  EXPECT_EQ(entry.counterparty_name, "NAME NAME");
  EXPECT_EQ(entry.counterparty_account, "NL56AGDH9619008421");
}

TEST(Camt053Samples, WrongIsRejected) {
  const core::Error error = parse_error(read_sample("camt053.v2.wrong.xml"));
  EXPECT_EQ(error.field, "/Document/BkToCstmrStmt");
  EXPECT_NE(error.message.find("has no statement"), std::string::npos) << error.message;
  EXPECT_EQ(error.line, 3);
}

// ---------------------------------------------------------------------------------------------
// Hand-written documents

// A camt.053.001.08 document around `statement_body` (the inside of one Stmt).
std::string document(std::string_view statement_body, std::string_view version = "08") {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.";
  out.append(version).append("\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>M</MsgId></GrpHdr>\n<Stmt>\n");
  out.append(statement_body);
  out += "</Stmt>\n</BkToCstmrStmt>\n</Document>\n";
  return out;
}

constexpr std::string_view kAccount =
    "<Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy>"
    "<Svcr><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></Svcr></Acct>\n";

std::string balance(std::string_view code, std::string_view amount, std::string_view indicator,
                    std::string_view day = "2024-03-01") {
  return "<Bal><Tp><CdOrPrtry><Cd>" + std::string(code) +
         "</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" + std::string(amount) + "</Amt><CdtDbtInd>" +
         std::string(indicator) + "</CdtDbtInd><Dt><Dt>" + std::string(day) + "</Dt></Dt></Bal>\n";
}

std::string entry(std::string_view amount, std::string_view indicator, std::string_view extra = "",
                  std::string_view status = "<Sts><Cd>BOOK</Cd></Sts>") {
  return "<Ntry><Amt Ccy=\"EUR\">" + std::string(amount) + "</Amt><CdtDbtInd>" +
         std::string(indicator) + "</CdtDbtInd>" + std::string(status) +
         "<BookgDt><Dt>2024-03-01</Dt></BookgDt>" + std::string(extra) + "</Ntry>\n";
}

// The one statement of a parse that must succeed (an empty one, after a failure is reported).
const BankStatement& only_statement(const core::Result<std::vector<BankStatement>>& parsed) {
  static const BankStatement kNone;
  EXPECT_TRUE(parsed) << parsed.error().message;
  if (!parsed || parsed->empty()) return kNone;
  EXPECT_EQ(parsed->size(), 1u);
  return parsed->front();
}

TEST(Camt053, AccountBankAndBalancesBalance) {
  const auto parsed = parse_camt053(
      document(std::string(kAccount) + balance("OPBD", "100.00", "CRDT") +
               balance("CLBD", "90.00", "CRDT", "2024-03-02") + balance("CLAV", "80", "CRDT") +
               entry("12.5", "DBIT") + entry("2.50", "CRDT")));
  const BankStatement& statement = only_statement(parsed);
  EXPECT_EQ(statement.account, "DE89370400440532013000");
  EXPECT_EQ(statement.bank_id, "COBADEFFXXX");
  EXPECT_EQ(statement.statement_id, "S1");
  EXPECT_EQ(statement.opening->amount, 10000);
  EXPECT_EQ(statement.closing->amount, 9000);
  EXPECT_EQ(statement.closing->date, date(2024, 3, 2));
  EXPECT_EQ(statement.available->amount, 8000);
  ASSERT_EQ(statement.transactions.size(), 2u);
  EXPECT_EQ(statement.transactions[0].amount, -1250);
  EXPECT_EQ(statement.transactions[1].amount, 250);
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(Camt053, DebitBalanceIsNegative) {
  const auto parsed = parse_camt053(document(
      std::string(kAccount) + balance("OPBD", "5.00", "DBIT") + balance("CLBD", "0", "DBIT")));
  const BankStatement& statement = only_statement(parsed);
  EXPECT_EQ(statement.opening->amount, -500);
  EXPECT_EQ(statement.closing->amount, 0);
  EXPECT_TRUE(statement.transactions.empty());
  EXPECT_EQ(statement.warnings.size(), 1u);  // -5.00 + nothing is not 0.00
}

TEST(Camt053, PreviouslyClosedIsTheOpeningWithoutOpbd) {
  const auto parsed = parse_camt053(
      document(std::string(kAccount) + balance("PRCD", "7.00", "CRDT", "2024-02-29")));
  const BankStatement& statement = only_statement(parsed);
  ASSERT_TRUE(statement.opening);
  EXPECT_EQ(statement.opening->amount, 700);
  EXPECT_EQ(statement.opening->date, date(2024, 2, 29));

  // With both, OPBD wins even when PRCD comes first.
  const auto both = parse_camt053(document(std::string(kAccount) + balance("PRCD", "7.00", "CRDT") +
                                           balance("OPBD", "8.00", "CRDT")));
  EXPECT_EQ(only_statement(both).opening->amount, 800);
}

TEST(Camt053, BalanceDateTimeGivesItsDate) {
  const auto parsed = parse_camt053(
      document(std::string(kAccount) +
               "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1</Amt>"
               "<CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2024-03-01T23:30:00+01:00</DtTm></Dt></Bal>"));
  EXPECT_EQ(only_statement(parsed).opening->date, date(2024, 3, 1));
}

TEST(Camt053, ReversalKeepsTheSignOfCdtDbtIndAndTheOriginalParties) {
  // ISO 20022: "If the CreditDebitIndicator is DBIT and ReversalIndicator is Yes, the original
  // operation was a credit entry" — the reversal of a credit is booked as DBIT, so the amount
  // is negative from CdtDbtInd alone, and the balances add up with it.
  const std::string details =
      "<RvslInd>true</RvslInd><NtryDtls><TxDtls><RltdPties>"
      "<Dbtr><Pty><Nm>Payer GmbH</Nm></Pty></Dbtr>"
      "<DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>"
      "<Cdtr><Pty><Nm>Us</Nm></Pty></Cdtr></RltdPties></TxDtls></NtryDtls>";
  const auto parsed =
      parse_camt053(document(std::string(kAccount) + balance("OPBD", "100.00", "CRDT") +
                             balance("CLBD", "100.00", "CRDT") + entry("30.00", "CRDT") +
                             entry("30.00", "DBIT", details)));
  const BankStatement& statement = only_statement(parsed);
  ASSERT_EQ(statement.transactions.size(), 2u);
  const BankTransaction& reversal = statement.transactions[1];
  EXPECT_EQ(reversal.amount, -3000);
  // The parties are those of the original credit: the other side is its debtor.
  EXPECT_EQ(reversal.counterparty_name, "Payer GmbH");
  EXPECT_EQ(reversal.counterparty_account, "DE02120300000000202051");
  EXPECT_TRUE(statement.warnings.empty());
}

TEST(Camt053, EntryDetailsBecomeReferencesCodeTextAndCounterparty) {
  const std::string details =
      "<ValDt><DtTm>2024-03-04T10:00:00</DtTm></ValDt>"
      "<AcctSvcrRef>BANKREF1</AcctSvcrRef>"
      "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
      "<Prtry><Cd>NTRF+116</Cd></Prtry></BkTxCd>"
      "<NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>"
      "<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
      "<RltdPties><Cdtr><Nm>Supplier A</Nm></Cdtr>"
      "<CdtrAcct><Id><Othr><Id>12345678</Id></Othr></Id></CdtrAcct></RltdPties>"
      "<RmtInf><Ustrd>Invoice 1</Ustrd></RmtInf></TxDtls>"
      "<TxDtls><Refs><EndToEndId>E2E-2</EndToEndId></Refs>"
      "<RltdPties><Cdtr><Nm>Supplier B</Nm></Cdtr></RltdPties>"
      "<RmtInf><Ustrd>Invoice 2</Ustrd><Ustrd>second line</Ustrd></RmtInf></TxDtls>"
      "</NtryDtls><AddtlNtryInf>Batch payment</AddtlNtryInf>";
  const auto parsed =
      parse_camt053(document(std::string(kAccount) + entry("30.00", "DBIT", details)));
  const BankStatement& statement = only_statement(parsed);
  ASSERT_EQ(statement.transactions.size(), 1u);  // one transaction per Ntry
  const BankTransaction& batch = statement.transactions[0];
  EXPECT_EQ(batch.amount, -3000);
  EXPECT_EQ(batch.value_date, date(2024, 3, 4));
  EXPECT_EQ(batch.reference, "BANKREF1");
  EXPECT_EQ(batch.customer_reference, "E2E-2");  // NOTPROVIDED is no reference
  EXPECT_EQ(batch.type_code, "PMNT/ICDT/ESCT");  // the ISO code before the proprietary one
  EXPECT_EQ(batch.description, "Batch payment; Invoice 1; Invoice 2; second line");
  EXPECT_EQ(batch.counterparty_name, "Supplier A");  // the first detail's
  EXPECT_EQ(batch.counterparty_account, "12345678");
}

TEST(Camt053, ReferenceFallsBackToNtryRefAndTheOnlyDetail) {
  const auto parsed = parse_camt053(
      document(std::string(kAccount) + entry("1.00", "CRDT", "<NtryRef>ENTRY7</NtryRef>") +
               entry("1.00", "CRDT",
                     "<BkTxCd><Prtry><Cd>166</Cd></Prtry></BkTxCd><NtryDtls><TxDtls><Refs>"
                     "<AcctSvcrRef>TX9</AcctSvcrRef></Refs><RmtInf><Ustrd>Same</Ustrd></RmtInf>"
                     "</TxDtls></NtryDtls><AddtlNtryInf>Same</AddtlNtryInf>")));
  const BankStatement& statement = only_statement(parsed);
  ASSERT_EQ(statement.transactions.size(), 2u);
  EXPECT_EQ(statement.transactions[0].reference, "ENTRY7");
  EXPECT_EQ(statement.transactions[1].reference, "TX9");
  EXPECT_EQ(statement.transactions[1].type_code, "166");
  EXPECT_EQ(statement.transactions[1].description, "Same");  // repeated text once
}

TEST(Camt053, NonBookedEntriesAreSkippedWithOneWarning) {
  const auto parsed = parse_camt053(document(
      std::string(kAccount) + balance("OPBD", "10.00", "CRDT") + balance("CLBD", "11.00", "CRDT") +
      entry("5.00", "CRDT", "", "<Sts><Cd>PDNG</Cd></Sts>") + entry("1.00", "CRDT") +
      // Not read at all, so its bad amount is no error.
      entry("x", "CRDT", "", "<Sts>INFO</Sts>")));
  const BankStatement& statement = only_statement(parsed);
  ASSERT_EQ(statement.transactions.size(), 1u);
  EXPECT_EQ(statement.transactions[0].amount, 100);
  ASSERT_EQ(statement.warnings.size(), 1u);  // and the balances add up without them
  EXPECT_NE(statement.warnings[0].find("2 entries not booked"), std::string::npos)
      << statement.warnings[0];
  EXPECT_NE(statement.warnings[0].find("'PDNG'"), std::string::npos) << statement.warnings[0];
}

TEST(Camt053, BalanceMismatchIsAWarning) {
  const auto parsed =
      parse_camt053(document(std::string(kAccount) + balance("OPBD", "10.00", "CRDT") +
                             balance("CLBD", "20.00", "CRDT") + entry("5.00", "CRDT")));
  const BankStatement& statement = only_statement(parsed);
  ASSERT_EQ(statement.warnings.size(), 1u);
  EXPECT_EQ(statement.warnings[0],
            "opening balance 10.00 plus transactions 5.00 is 15.00, but the closing balance is "
            "20.00");
}

TEST(Camt053, NamespacePrefixesAndOlderVersions) {
  const std::string prefixed =
      "<?xml version=\"1.0\"?>\n"
      "<ns:Document xmlns:ns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
      "<ns:BkToCstmrStmt><ns:Stmt><ns:Id>P</ns:Id><ns:Acct><ns:Id><ns:Othr><ns:Id>4711"
      "</ns:Id></ns:Othr></ns:Id><ns:Ccy>JPY</ns:Ccy></ns:Acct>"
      "<ns:Ntry><ns:Amt Ccy=\"JPY\">1500</ns:Amt><ns:CdtDbtInd>DBIT</ns:CdtDbtInd>"
      "<ns:Sts>BOOK</ns:Sts><ns:BookgDt><ns:Dt>2024-01-31+09:00</ns:Dt></ns:BookgDt></ns:Ntry>"
      "</ns:Stmt></ns:BkToCstmrStmt></ns:Document>";
  const auto parsed = parse_camt053(prefixed);
  const BankStatement& statement = only_statement(parsed);
  EXPECT_EQ(statement.account, "4711");
  EXPECT_EQ(statement.currency, "JPY");
  ASSERT_EQ(statement.transactions.size(), 1u);
  EXPECT_EQ(statement.transactions[0].amount, -1500);  // JPY has no minor unit
  EXPECT_EQ(statement.transactions[0].booking_date, date(2024, 1, 31));

  for (std::string_view version : {"02", "04", "10", "13"}) {
    EXPECT_TRUE(parse_camt053(document(kAccount, version))) << version;
  }
}

TEST(Camt053, MissingAmountNamesItsPath) {
  const core::Error error = parse_error(document(
      std::string(kAccount) + entry("1.00", "CRDT") + entry("2.00", "CRDT") +
      "<Ntry><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt>"
      "</Ntry>"));
  EXPECT_EQ(error.field, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt");
  EXPECT_NE(error.message.find("is missing"), std::string::npos) << error.message;
  EXPECT_EQ(error.line, 9);  // the Ntry's line
}

TEST(Camt053, BadAmountNamesItsPath) {
  const core::Error error =
      parse_error(document(std::string(kAccount) + entry("1.00", "CRDT") + entry("1,00", "CRDT")));
  EXPECT_EQ(error.field, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt");
  EXPECT_NE(error.message.find("\"1,00\""), std::string::npos) << error.message;

  EXPECT_EQ(parse_error(document(std::string(kAccount) + entry("-1.00", "CRDT"))).field,
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt");  // the sign is CdtDbtInd's
  EXPECT_EQ(parse_error(document(std::string(kAccount) + entry("", "CRDT"))).field,
            "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt");
  EXPECT_EQ(parse_error(document(std::string(kAccount) + balance("CLBD", "1e3", "CRDT"))).field,
            "/Document/BkToCstmrStmt/Stmt[1]/Bal[1]/Amt");
  EXPECT_EQ(
      parse_error(document(std::string(kAccount) + entry("99999999999999999999.00", "CRDT"))).field,
      "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt");
}

TEST(Camt053, TooManyDecimalsIsAnError) {
  const core::Error error = parse_error(document(std::string(kAccount) + entry("1.005", "CRDT")));
  EXPECT_EQ(error.field, "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt");
  EXPECT_NE(error.message.find("more than 2 decimals"), std::string::npos) << error.message;
}

TEST(Camt053, OtherFieldErrorsNameTheirPaths) {
  const std::string account(kAccount);
  struct Case {
    std::string body;
    std::string field;
  };
  const Case cases[] = {
      {account + entry("1.00", "CREDIT"), "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd"},
      {account + "<Ntry><Amt Ccy=\"EUR\">1</Amt><Sts>BOOK</Sts></Ntry>",
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd"},
      {account + "<Ntry><Amt Ccy=\"EUR\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>",
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/BookgDt"},
      {account + "<Ntry><Amt Ccy=\"EUR\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
                 "<BookgDt><Dt>2024-02-30</Dt></BookgDt></Ntry>",
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/BookgDt/Dt"},
      {account + entry("1.00", "CRDT", "<ValDt><DtTm>2024-03-01</DtTm></ValDt>"),
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/ValDt/DtTm"},
      {account + entry("1.00", "CRDT", "<ValDt></ValDt>"),
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/ValDt"},
      {account + entry("1.00", "CRDT", "<RvslInd>maybe</RvslInd>"),
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/RvslInd"},
      {account + "<Ntry><Amt Ccy=\"euro\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>",
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt"},
      {account + "<Ntry><Amt Ccy=\"USD\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>",
       "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt"},
      {account + "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1</Amt>"
                 "<CdtDbtInd>CRDT</CdtDbtInd></Bal>",
       "/Document/BkToCstmrStmt/Stmt[1]/Bal[1]/Dt"},
      {"<Acct><Id><IBAN>X</IBAN></Id><Ccy>eur</Ccy></Acct>",
       "/Document/BkToCstmrStmt/Stmt[1]/Acct/Ccy"},
      {"<Acct><Id><IBAN>X</IBAN></Id></Acct>", "/Document/BkToCstmrStmt/Stmt[1]/Acct/Ccy"},
      {"<Acct><Id></Id><Ccy>EUR</Ccy></Acct>", "/Document/BkToCstmrStmt/Stmt[1]/Acct/Id"},
      {"<Id>no account</Id>", "/Document/BkToCstmrStmt/Stmt[1]/Acct"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.body);
    const core::Error error = parse_error(document(test.body));
    EXPECT_EQ(error.field, test.field) << error.message;
    EXPECT_TRUE(error.line) << error.message;
  }
}

TEST(Camt053, SecondStatementErrorsNameIt) {
  std::string input = document(std::string(kAccount) + entry("1.00", "CRDT"));
  const std::string second = "<Stmt>" + std::string(kAccount) + entry("1.00", "XX") + "</Stmt>";
  input.insert(input.find("</BkToCstmrStmt>"), second);
  EXPECT_EQ(parse_error(input).field, "/Document/BkToCstmrStmt/Stmt[2]/Ntry[1]/CdtDbtInd");
}

TEST(Camt053, OtherDocumentsAreRejected) {
  // camt.052 (an intraday report) and camt.054 are not statements.
  const core::Error report = parse_error(
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.08\"><BkToCstmrAcctRpt>"
      "<Rpt/></BkToCstmrAcctRpt></Document>");
  EXPECT_EQ(report.field, "/Document");
  EXPECT_NE(report.message.find("camt.052.001.08"), std::string::npos) << report.message;
  EXPECT_EQ(parse_error("<Document><BkToCstmrDbtCdtNtfctn/></Document>").field,
            "/Document/BkToCstmrDbtCdtNtfctn");
  EXPECT_EQ(parse_error("<Document/>").field, "/Document");
  EXPECT_EQ(parse_error("<OFX><STMTRS/></OFX>").field, "/OFX");
  EXPECT_EQ(parse_error(document(kAccount, "01")).field, "/Document");
  EXPECT_EQ(parse_error("<Document xmlns=\"urn:example\"><BkToCstmrStmt/></Document>").field,
            "/Document");
}

TEST(Camt053, MalformedXmlNamesItsLine) {
  const core::Error error = parse_error(
      "<?xml version=\"1.0\"?>\n<Document>\n<BkToCstmrStmt>\n<Stmt><Id>1</Stmt>\n</Document>\n");
  EXPECT_EQ(error.line, 4);
  EXPECT_TRUE(error.column);
  EXPECT_NE(error.message.find("malformed XML"), std::string::npos) << error.message;

  EXPECT_TRUE(parse_error("").line);
  EXPECT_TRUE(parse_error("not xml at all").line);
  EXPECT_TRUE(parse_error(std::string("<Document>\0</Document>", 22)).line);
  EXPECT_TRUE(parse_error("<Document><BkToCstmrStmt>").line);  // cut short
}

TEST(Camt053, EntitiesAreNotExpanded) {
  // A DOCTYPE's entities are never defined, so &xxe; stays text and reads as a bad account;
  // nothing is fetched or expanded.
  const std::string input =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM "
      "\"file:///etc/passwd\">]>\n" +
      document("<Acct><Id><IBAN>&xxe;</IBAN></Id><Ccy>EUR</Ccy></Acct>").substr(39);
  const auto parsed = parse_camt053(input);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->front().account, "&xxe;");
}

TEST(Camt053, DeclaredLatin1BecomesUtf8) {
  std::string input = document(
      std::string(kAccount) +
      entry("1.00", "CRDT",
            "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>M\xfcller</Nm></Dbtr></RltdPties></TxDtls>"
            "</NtryDtls>"));
  input.replace(input.find("UTF-8"), 5, "ISO-8859-1");
  const auto parsed = parse_camt053(input);
  const BankStatement& statement = only_statement(parsed);
  ASSERT_EQ(statement.transactions.size(), 1u);
  EXPECT_EQ(statement.transactions[0].counterparty_name, "M\xc3\xbcller");
}

TEST(Camt053, ManyEntries) {
  // A large statement: every entry is kept, and the balances add up.
  std::string body(kAccount);
  body += balance("OPBD", "0", "CRDT") + balance("CLBD", "500.00", "CRDT");
  for (int i = 0; i < 20000; ++i)
    body += entry(i % 2 == 0 ? "1.05" : "1.00", i % 2 == 0 ? "CRDT" : "DBIT");
  const auto parsed = parse_camt053(document(body));
  const BankStatement& statement = only_statement(parsed);
  EXPECT_EQ(statement.transactions.size(), 20000u);
  EXPECT_TRUE(statement.warnings.empty());
}

}  // namespace
}  // namespace aic::finance
