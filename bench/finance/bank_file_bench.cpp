// Bank-file import speed: each parser on a generated file of N transactions (default
// 100,000), in MB/s, against a baseline that only touches every byte of the same buffer.
//
//   baseline  counting the lines of the buffer with memchr: the cost of reading it once
//   parse     parse_bank_file() on the same buffer (best of 5 runs), and its ratio to the
//             baseline; also the peak resident memory the parse added, against the file size
//   dom       for camt.053, pugixml's DOM build alone (the floor of a DOM-based parser)
//
// Bank CSV is not behind parse_bank_file() (it needs a column mapping): its case calls
// parse_bank_csv() with a mapping parsed once, outside the timing.
//
// Usage: aic_bank_file_bench [TRANSACTIONS]   (bench preset; see docs/benchmarks.md)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "finance/bank/bank_csv.hpp"
#include "finance/bank/bank_formats.hpp"

namespace {

using aic::finance::BankFormat;
using Clock = std::chrono::steady_clock;

std::string amount(int i) {  // 0.01 … 9999.99, varied
  const int cents = (i * 7919) % 999999 + 1;
  return std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") +
         std::to_string(cents % 100);
}

std::string day(int i, bool dashes) {  // dates in 2024, cycling through the months
  char text[16];
  std::snprintf(text, sizeof text, dashes ? "2024-%02d-%02d" : "24%02d%02d", i % 12 + 1,
                i % 28 + 1);
  return text;
}

// One statement per 1,000 transactions, so statements stay realistic in size.
std::string make_mt940(int transactions) {
  std::string out;
  for (int start = 0; start < transactions; start += 1000) {
    out += ":20:BENCH" + std::to_string(start) +
           "\r\n:25:NL91ABNA0417164300\r\n:28C:" + std::to_string(start / 1000 + 1) +
           "/1\r\n:60F:C240101EUR0,00\r\n";
    long long cents = 0;
    for (int i = start; i < std::min(transactions, start + 1000); ++i) {
      std::string value = amount(i);
      std::replace(value.begin(), value.end(), '.', ',');
      const bool debit = i % 3 == 0;
      const long long minor = std::stoll(value.substr(0, value.find(','))) * 100 +
                              std::stoll(value.substr(value.find(',') + 1));
      cents += debit ? -minor : minor;
      out += ":61:" + day(i, false) + (debit ? "D" : "C") + value + "NTRFREF" + std::to_string(i) +
             "//B" + std::to_string(i) + "\r\n:86:/NAME/Counterparty " + std::to_string(i % 97) +
             "/REMI/Invoice " + std::to_string(i) + "/IBAN/DE89370400440532013000\r\n";
    }
    char closing[64];
    std::snprintf(closing, sizeof closing, ":62F:%c240101EUR%lld,%02lld\r\n-\r\n",
                  cents < 0 ? 'D' : 'C', std::llabs(cents) / 100, std::llabs(cents) % 100);
    out += closing;
  }
  return out;
}

std::string make_camt053(int transactions) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>"
      "BENCH</MsgId><CreDtTm>2024-12-31T00:00:00</CreDtTm></GrpHdr>\n";
  for (int start = 0; start < transactions; start += 1000) {
    out += "<Stmt><Id>S" + std::to_string(start) +
           "</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n";
    for (int i = start; i < std::min(transactions, start + 1000); ++i) {
      out += "<Ntry><Amt Ccy=\"EUR\">" + amount(i) + "</Amt><CdtDbtInd>" +
             (i % 3 == 0 ? "DBIT" : "CRDT") + "</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>" +
             day(i, true) + "</Dt></BookgDt><ValDt><Dt>" + day(i, true) +
             "</Dt></ValDt><AcctSvcrRef>REF" + std::to_string(i) +
             "</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT"
             "</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>E2E" +
             std::to_string(i) + "</EndToEndId></Refs><RltdPties><Cdtr><Nm>Counterparty " +
             std::to_string(i % 97) + "</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Invoice " +
             std::to_string(i) + "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n";
    }
    out += "</Stmt>\n";
  }
  out += "</BkToCstmrStmt></Document>\n";
  return out;
}

std::string make_bai2(int transactions) {
  std::string out =
      "01,SENDER,RECEIVER,241231,2359,BENCH,,,2/\n02,RECEIVER,021000021,1,241231,,USD,2/\n";
  long long group_total = 0;
  int group_records = 2, accounts = 0;
  for (int start = 0; start < transactions; start += 1000) {
    ++accounts;
    long long account_total = 0, ledger = 0;
    std::string details;
    int records = 0;
    for (int i = start; i < std::min(transactions, start + 1000); ++i) {
      const bool debit = i % 3 == 0;
      std::string value = amount(i);
      value.erase(value.find('.'), 1);
      const long long minor = std::stoll(value);
      ledger += debit ? -minor : minor;
      account_total += minor;
      details += std::string("16,") + (debit ? "475" : "195") + "," + std::to_string(minor) +
                 ",0,B" + std::to_string(i) + ",C" + std::to_string(i) + ",Counterparty " +
                 std::to_string(i % 97) + " invoice " + std::to_string(i) + "/\n";
      ++records;
    }
    account_total += 0 + ledger;  // the 010 (zero) and 015 amounts count in the control total
    out += "03,ACCT" + std::to_string(start) + ",USD,010,0,,,015," + std::to_string(ledger) +
           ",,/\n" + details;
    records += 2;  // 03 and 49
    out += "49," + std::to_string(account_total) + "," + std::to_string(records) + "/\n";
    group_total += account_total;
    group_records += records;
  }
  out += "98," + std::to_string(group_total) + "," + std::to_string(accounts) + "," +
         std::to_string(group_records) + "/\n";
  out += "99," + std::to_string(group_total) + ",1," + std::to_string(group_records + 2) + "/\n";
  return out;
}

std::string make_ofx(int transactions) {
  std::string out =
      "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
      "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS>"
      "<CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20241231<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>"
      "<BANKMSGSRSV1>\n";
  for (int start = 0; start < transactions; start += 1000) {
    out += "<STMTTRNRS><TRNUID>" + std::to_string(start) +
           "<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>"
           "021000021<ACCTID>" +
           std::to_string(100000 + start) +
           "<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20240101<DTEND>20241231\n";
    for (int i = start; i < std::min(transactions, start + 1000); ++i) {
      const bool debit = i % 3 == 0;
      out += std::string("<STMTTRN><TRNTYPE>") + (debit ? "DEBIT" : "CREDIT") + "<DTPOSTED>2024" +
             day(i, false).substr(2) + "120000<TRNAMT>" + (debit ? "-" : "") + amount(i) +
             "<FITID>F" + std::to_string(i) + "<NAME>Counterparty " + std::to_string(i % 97) +
             "<MEMO>Invoice " + std::to_string(i) + "</STMTTRN>\n";
    }
    out +=
        "</BANKTRANLIST><LEDGERBAL><BALAMT>0.00<DTASOF>20241231</LEDGERBAL></STMTRS>"
        "</STMTTRNRS>\n";
  }
  out += "</BANKMSGSRSV1></OFX>\n";
  return out;
}

// One !Account and !Type:Bank section per 1,000 transactions; US dates, check numbers on a
// third of the entries, a category and a memo on each, a two-way split on every tenth.
std::string make_qif(int transactions) {
  std::string out;
  for (int start = 0; start < transactions; start += 1000) {
    out += "!Account\nNChecking " + std::to_string(start / 1000) + "\nTBank\n^\n!Type:Bank\n";
    for (int i = start; i < std::min(transactions, start + 1000); ++i) {
      const bool debit = i % 3 == 0;
      char date[16];
      std::snprintf(date, sizeof date, "%02d/%02d/2024", i % 12 + 1, i % 28 + 1);
      const std::string value = (debit ? "-" : "") + amount(i);
      out += std::string("D") + date + "\nT" + value + "\n";
      if (debit) out += "N" + std::to_string(1000 + i) + "\n";
      out += "PCounterparty " + std::to_string(i % 97) + "\nMInvoice " + std::to_string(i) +
             "\nLBusiness:Services\nCX\n";
      if (i % 10 == 0) out += "SBusiness:Services\n$" + value + "\nSMisc\n$0.00\n";
      out += "^\n";
    }
  }
  return out;
}

// A bank's CSV export: a header, ISO dates, a quoted description on every tenth row (it holds
// the delimiter), signed amounts and a running balance.
std::string make_bank_csv(int transactions) {
  std::string out = "Booking date,Value date,Counterparty,Description,Reference,Amount,Balance\n";
  long long balance = 0;
  for (int i = 0; i < transactions; ++i) {
    const bool debit = i % 3 == 0;
    const std::string value = amount(i);
    const long long minor = std::stoll(value.substr(0, value.find('.'))) * 100 +
                            std::stoll(value.substr(value.find('.') + 1));
    balance += debit ? -minor : minor;
    char balance_text[32];
    std::snprintf(balance_text, sizeof balance_text, "%s%lld.%02lld", balance < 0 ? "-" : "",
                  std::llabs(balance) / 100, std::llabs(balance) % 100);
    const std::string description = i % 10 == 0 ? "\"Invoice " + std::to_string(i) + ", part 2\""
                                                : "Invoice " + std::to_string(i) + " payment";
    out += day(i, true) + "," + day(i, true) + ",Counterparty " + std::to_string(i % 97) + "," +
           description + ",REF" + std::to_string(i) + "," + (debit ? "-" : "") + value + "," +
           balance_text + "\n";
  }
  return out;
}

const aic::finance::BankCsvMapping& bench_csv_mapping() {
  static const aic::finance::BankCsvMapping mapping = [] {
    const std::pair<std::string_view, std::string_view> parameters[] = {
        {"date_column", "Booking date"},
        {"value_date_column", "Value date"},
        {"counterparty_column", "Counterparty"},
        {"description_column", "Description"},
        {"reference_column", "Reference"},
        {"amount_column", "Amount"},
        {"balance_column", "Balance"},
        {"currency", "USD"},
        {"delimiter", ","},
    };
    auto parsed = aic::finance::parse_bank_csv_mapping(parameters);
    if (!parsed) {
      std::fprintf(stderr, "bank-csv mapping: %s\n", parsed.error().message.c_str());
      std::exit(1);
    }
    return *parsed;
  }();
  return mapping;
}

// Best of `runs` wall times, in seconds.
double best_of(int runs, const std::function<void()>& work) {
  double best = 1e9;
  for (int run = 0; run < runs; ++run) {
    const auto start = Clock::now();
    work();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::size_t baseline_lines(const std::string& text) {
  std::size_t lines = 0;
  for (const char* at = text.data();
       (at = static_cast<const char*>(std::memchr(at, '\n', text.data() + text.size() - at)));
       ++at) {
    ++lines;
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  const int transactions = argc > 1 ? std::atoi(argv[1]) : 100000;
  struct Case {
    const char* name;
    std::optional<BankFormat> format;  // nullopt: bank CSV, through parse_bank_csv()
    std::string (*make)(int);
  };
  const Case cases[] = {{"mt940", BankFormat::kMt940, make_mt940},
                        {"bai2", BankFormat::kBai2, make_bai2},
                        {"camt053", BankFormat::kCamt053, make_camt053},
                        {"ofx", BankFormat::kOfx, make_ofx},
                        {"qif", BankFormat::kQif, make_qif},
                        {"bank-csv", std::nullopt, make_bank_csv}};
  const auto parse_case = [](const Case& c, const std::string& file) {
    return c.format ? aic::finance::parse_bank_file(*c.format, file)
                    : aic::finance::parse_bank_csv(file, bench_csv_mapping());
  };
  std::printf("%-8s %9s %12s %12s %7s %14s\n", "format", "MB", "baseline", "parse MB/s", "ratio",
              "peak RSS +MB");
  for (const Case& c : cases) {
    const std::string file = c.make(transactions);
    const double megabytes = static_cast<double>(file.size()) / 1e6;
    volatile std::size_t sink = 0;
    const double baseline = best_of(5, [&] { sink = sink + baseline_lines(file); });
    // The first parse also checks the file is what we meant to generate.
    const long rss_before = peak_rss_kib();
    auto first = parse_case(c, file);
    const long rss_added = peak_rss_kib() - rss_before;
    if (!first) {
      std::fprintf(stderr, "%s: generated file did not parse: %s\n", c.name,
                   first.error().message.c_str());
      return 1;
    }
    std::size_t parsed_transactions = 0;
    for (const auto& statement : *first) parsed_transactions += statement.transactions.size();
    if (parsed_transactions != static_cast<std::size_t>(transactions)) {
      std::fprintf(stderr, "%s: parsed %zu transactions, generated %d\n", c.name,
                   parsed_transactions, transactions);
      return 1;
    }
    const double parse = best_of(5, [&] {
      auto parsed = parse_case(c, file);
      sink = sink + parsed->size();
    });
    std::printf("%-8s %9.1f %12.0f %12.1f %7.3f %14.1f\n", c.name, megabytes, megabytes / baseline,
                megabytes / parse, baseline / parse, static_cast<double>(rss_added) / 1024.0);
    if (c.format == BankFormat::kCamt053) {
      const double dom = best_of(5, [&] {
        pugi::xml_document document;
        sink = sink + (document.load_buffer(file.data(), file.size()) ? 1 : 0);
      });
      std::printf("%-8s %9.1f %12s %12.1f %7.3f   (pugixml DOM build alone)\n", "  dom", megabytes,
                  "", megabytes / dom, dom / parse);
    }
  }
  return 0;
}
