#include "finance/bank/camt053.hpp"

#include <pugixml.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finance/money.hpp"

namespace aic::finance {

namespace {

// ---------------------------------------------------------------------------------------------
// Text and names

// A short, printable excerpt of input for messages and paths (the input may be binary garbage,
// and an error message must stay valid UTF-8 and short).
std::string printable(std::string_view text, std::size_t max_length = 24) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max_length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out += (byte >= 0x20 && byte < 0x7F) ? static_cast<char>(byte) : '?';
  }
  if (text.size() > max_length) out += "...";
  return out;
}

std::string excerpt(std::string_view text) { return "'" + printable(text) + "'"; }

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_xml_space(text.back())) text.remove_suffix(1);
  return text;
}

// An element's name without its namespace prefix: "ns:Amt" is "Amt". Files use a default
// namespace or any prefix for it, so elements are matched by local name only. Text and other
// non-element nodes have an empty name.
std::string_view local_name(pugi::xml_node node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// True when the NUL-terminated `name` is `want`; `matched` is how many characters agree.
bool is_exactly(const char* name, std::string_view want, std::size_t& matched) {
  matched = 0;
  while (matched < want.size() && name[matched] == want[matched]) ++matched;
  return matched == want.size() && name[matched] == '\0';
}

// True when the NUL-terminated `name` is `want`, with or without a prefix. This is the hot
// path of every lookup: it stops at the first differing character instead of measuring the
// name first.
bool has_local_name(const char* name, std::string_view want) {
  std::size_t matched = 0;
  if (is_exactly(name, want, matched)) return true;
  // `want` has no ':', so the prefix's colon can only come at or after the first difference.
  for (const char* at = name + matched; *at != '\0'; ++at) {
    if (*at == ':') return is_exactly(at + 1, want, matched);
  }
  return false;
}

// The first child element named `name` (any prefix); a null node when there is none, so that
// lookups chain: child(child(a, "B"), "C") is null when B is missing.
pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
    if (has_local_name(node.name(), name)) return node;
  }
  return {};
}

// The element's text, trimmed; empty for a null node.
std::string_view text_of(pugi::xml_node node) { return trim(node.child_value()); }

// The text of parent/name; empty when either is missing.
std::string_view child_text(pugi::xml_node parent, std::string_view name) {
  return text_of(child(parent, name));
}

// An account's identifier (CashAccount Id): its IBAN, else Othr/Id.
std::string_view account_id(pugi::xml_node account) {
  const pugi::xml_node id = child(account, "Id");
  const std::string_view iban = child_text(id, "IBAN");
  return iban.empty() ? child_text(child(id, "Othr"), "Id") : iban;
}

// A party's name: Nm, or Pty/Nm (camt.053.001.08 onwards wrap the party in Pty).
std::string_view party_name(pugi::xml_node party) {
  const std::string_view name = child_text(party, "Nm");
  return name.empty() ? child_text(child(party, "Pty"), "Nm") : name;
}

// Appends a piece of free text to `text`, "; " between pieces, skipping an empty piece and one
// equal to the previous piece or to the first (banks often repeat AddtlNtryInf as RmtInf).
// Comparing with those two only keeps a hostile entry of many pieces linear.
void append_piece(std::string& text, std::size_t& first_end, std::size_t& last_start,
                  std::string_view piece) {
  if (piece.empty()) return;
  const std::string_view current = text;
  if (current.substr(0, first_end) == piece || current.substr(last_start) == piece) return;
  if (!text.empty()) text += "; ";
  last_start = text.size();
  text.append(piece);
  if (first_end == 0) first_end = text.size();
}

// ---------------------------------------------------------------------------------------------
// Values

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int number_of(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "YYYY-MM-DD" at the start of `text` as a valid date; the rest is returned in `rest`.
std::optional<Date> parse_iso_date(std::string_view text, std::string_view& rest) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const std::string_view year = text.substr(0, 4), month = text.substr(5, 2),
                         day = text.substr(8, 2);
  if (!all_digits(year) || !all_digits(month) || !all_digits(day)) return std::nullopt;
  rest = text.substr(10);
  return make_date(number_of(year), number_of(month), number_of(day));
}

// An xs:date: "2024-02-29", optionally with a zone ("Z", "+01:00"), which is ignored: the
// date is the bank's calendar date.
std::optional<Date> parse_xs_date(std::string_view text) {
  std::string_view rest;
  const std::optional<Date> date = parse_iso_date(text, rest);
  if (!date) return std::nullopt;
  if (rest.empty() || rest == "Z") return date;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
      all_digits(rest.substr(1, 2)) && all_digits(rest.substr(4, 2))) {
    return date;
  }
  return std::nullopt;
}

// An xs:dateTime's date part: "2024-02-29T10:30:00+01:00" is 2024-02-29 (the bank's local
// date, not converted to UTC).
std::optional<Date> parse_xs_date_time(std::string_view text) {
  std::string_view rest;
  const std::optional<Date> date = parse_iso_date(text, rest);
  if (!date || rest.size() < 2 || rest[0] != 'T') return std::nullopt;
  return date;
}

// Balance types this parser keeps (Bal/Tp/CdOrPrtry/Cd); the others (OPAV, ITBD, FWAV, …)
// are read past without checking.
enum class BalanceKind {
  kOther,
  kOpeningBooked,
  kPreviouslyClosed,
  kClosingBooked,
  kClosingAvailable
};

BalanceKind balance_kind(std::string_view code) {
  if (code == "OPBD") return BalanceKind::kOpeningBooked;
  if (code == "PRCD") return BalanceKind::kPreviouslyClosed;
  if (code == "CLBD") return BalanceKind::kClosingBooked;
  if (code == "CLAV") return BalanceKind::kClosingAvailable;
  return BalanceKind::kOther;
}

// An entry's status: <Sts>BOOK</Sts> up to camt.053.001.08, <Sts><Cd>BOOK</Cd></Sts> (or
// <Prtry>) from 001.09 on.
std::string_view entry_status(pugi::xml_node status) {
  const std::string_view text = text_of(status);
  if (!text.empty()) return text;
  const std::string_view code = child_text(status, "Cd");
  return code.empty() ? child_text(status, "Prtry") : code;
}

// The bank transaction code as one string: the ISO code "PMNT/RCDT/ESCT" (domain, family,
// sub-family) when the file has one, else the proprietary code (Prtry/Cd).
std::string transaction_code(pugi::xml_node code) {
  const pugi::xml_node domain = child(code, "Domn");
  const std::string_view domain_code = child_text(domain, "Cd");
  if (!domain_code.empty()) {
    std::string text(domain_code);
    const pugi::xml_node family = child(domain, "Fmly");
    for (std::string_view part : {child_text(family, "Cd"), child_text(family, "SubFmlyCd")}) {
      if (part.empty()) break;
      text += '/';
      text.append(part);
    }
    return text;
  }
  return std::string(child_text(child(code, "Prtry"), "Cd"));
}

// ---------------------------------------------------------------------------------------------
// Errors

// Where the parsed document came from, so that an error at an element can also name its line.
class Source {
 public:
  Source(std::string_view input, bool offsets_match)
      : input_(input), offsets_match_(offsets_match) {}

  // A kInvalidArgument error naming the element by `path`, and by line when it can be told.
  core::Error error(pugi::xml_node node, std::string path, std::string message) const {
    core::Error error = error_at_path(std::move(path), std::move(message));
    const std::ptrdiff_t offset = node.offset_debug();
    // Offsets are into pugixml's buffer, which is the input unless it was converted (UTF-16,
    // Latin-1): then the line is left out rather than guessed.
    if (offsets_match_ && offset >= 0 && static_cast<std::size_t>(offset) <= input_.size()) {
      error.line = line_at(input_, static_cast<std::size_t>(offset));
    }
    return error;
  }

  static std::int64_t line_at(std::string_view input, std::size_t offset) {
    std::int64_t line = 1;
    for (std::size_t i = 0; i < offset && i < input.size(); ++i) line += input[i] == '\n';
    return line;
  }

 private:
  std::string_view input_;
  bool offsets_match_;
};

// ---------------------------------------------------------------------------------------------
// Statements

// An amount with its direction: Amt (with its Ccy attribute) and CdtDbtInd of a Bal or Ntry.
struct SignedAmount {
  std::int64_t minor = 0;  // signed: debits negative
  std::string_view currency;
};

// A Bal or Ntry of the statement, by its 1-based number among its like. Paths are built only
// for errors and warnings, never for every entry.
struct Element {
  pugi::xml_node node;
  std::string_view name;  // "Bal" or "Ntry"
  std::size_t number = 0;
};

// The children of an Ntry that it is read from, found in one pass over its children.
struct EntryParts {
  pugi::xml_node amount, indicator, reversal, status, booking, value, servicer_reference,
      entry_reference, code, details, information;

  explicit EntryParts(pugi::xml_node entry) {
    for (pugi::xml_node node = entry.first_child(); node; node = node.next_sibling()) {
      const std::string_view name = local_name(node);
      pugi::xml_node* slot = name == "Amt"            ? &amount
                             : name == "CdtDbtInd"    ? &indicator
                             : name == "RvslInd"      ? &reversal
                             : name == "Sts"          ? &status
                             : name == "BookgDt"      ? &booking
                             : name == "ValDt"        ? &value
                             : name == "AcctSvcrRef"  ? &servicer_reference
                             : name == "NtryRef"      ? &entry_reference
                             : name == "BkTxCd"       ? &code
                             : name == "NtryDtls"     ? &details
                             : name == "AddtlNtryInf" ? &information
                                                      : nullptr;
      if (slot && !*slot) *slot = node;  // the first of each
    }
  }
};

// Reads one Stmt into a BankStatement.
class StatementReader {
 public:
  StatementReader(const Source& source, pugi::xml_node statement, std::size_t number)
      : source_(source),
        node_(statement),
        path_("/Document/BkToCstmrStmt/Stmt[" + std::to_string(number) + "]") {}

  core::Result<BankStatement> run() {
    if (core::Result<void> header = read_account(); !header) return std::move(header).error();
    std::size_t balances = 0, entries = 0;
    for (pugi::xml_node node = node_.first_child(); node; node = node.next_sibling()) {
      core::Result<void> read;
      if (has_local_name(node.name(), "Ntry")) {
        read = read_entry({node, "Ntry", ++entries});
      } else if (has_local_name(node.name(), "Bal")) {
        read = read_balance({node, "Bal", ++balances});
      }
      if (!read) return std::move(read).error();
    }
    statement_.opening = opening_booked_ ? opening_booked_ : previously_closed_;
    if (skipped_ > 0) {
      statement_.warnings.push_back(
          std::to_string(skipped_) + (skipped_ == 1 ? " entry" : " entries") +
          " not booked (the first has status " + first_skipped_ + ", not BOOK) " +
          (skipped_ == 1 ? "was" : "were") +
          " skipped: pending and information entries do not count toward the balances");
    }
    check_balances(statement_);
    return std::move(statement_);
  }

 private:
  // "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]" + tail ("/Amt").
  std::string path(const Element& element, std::string_view tail) const {
    std::string text = path_;
    text.append("/").append(element.name).append("[");
    text.append(std::to_string(element.number)).append("]").append(tail);
    return text;
  }

  core::Error error(pugi::xml_node node, std::string at, std::string message) const {
    return source_.error(node, std::move(at), std::move(message));
  }

  // Id, Acct (account, currency, servicing bank).
  core::Result<void> read_account() {
    statement_.statement_id = std::string(child_text(node_, "Id"));
    const pugi::xml_node account = child(node_, "Acct");
    if (!account) return error(node_, path_ + "/Acct", "is missing");
    statement_.account = std::string(account_id(account));
    if (statement_.account.empty()) {
      return error(account, path_ + "/Acct/Id", "has neither IBAN nor Othr/Id");
    }
    const pugi::xml_node institution = child(child(account, "Svcr"), "FinInstnId");
    const std::string_view bic = child_text(institution, "BIC");  // BICFI from 001.04 on
    statement_.bank_id = std::string(bic.empty() ? child_text(institution, "BICFI") : bic);

    const pugi::xml_node currency = child(account, "Ccy");
    if (currency) {
      if (!is_currency_code(text_of(currency))) {
        return error(currency, path_ + "/Acct/Ccy",
                     "is not an ISO 4217 currency code: " + excerpt(text_of(currency)));
      }
      statement_.currency = std::string(text_of(currency));
      return {};
    }
    // Acct/Ccy is optional: the account's currency is then that of its amounts.
    for (pugi::xml_node node = node_.first_child(); node; node = node.next_sibling()) {
      if (!has_local_name(node.name(), "Bal") && !has_local_name(node.name(), "Ntry")) continue;
      const std::string_view code = trim(child(node, "Amt").attribute("Ccy").value());
      if (is_currency_code(code)) statement_.currency = std::string(code);
      break;
    }
    if (statement_.currency.empty()) {
      return error(account, path_ + "/Acct/Ccy",
                   "is missing, and the first balance or entry names no currency either");
    }
    return {};
  }

  // The Amt and CdtDbtInd of a Bal or Ntry.
  core::Result<SignedAmount> read_amount(const Element& element, pugi::xml_node amount,
                                         pugi::xml_node indicator) const {
    if (!amount) return error(element.node, path(element, "/Amt"), "is missing");
    SignedAmount result;
    result.currency = trim(amount.attribute("Ccy").value());
    if (!is_currency_code(result.currency)) {
      return error(amount, path(element, "/Amt"),
                   "has no ISO 4217 currency: Ccy is " + excerpt(result.currency));
    }
    core::Result<std::int64_t> minor =
        parse_minor_units(text_of(amount), currency_exponent(result.currency),
                          DecimalFormat{.decimal_separator = '.', .allow_sign = false});
    if (!minor) {
      return error(amount, path(element, "/Amt"),
                   std::move(minor).error().message + " (" + std::string(result.currency) + ")");
    }
    if (!indicator) return error(element.node, path(element, "/CdtDbtInd"), "is missing");
    const std::string_view direction = text_of(indicator);
    if (direction == "DBIT") {
      result.minor = -*minor;
    } else if (direction == "CRDT") {
      result.minor = *minor;
    } else {
      return error(indicator, path(element, "/CdtDbtInd"),
                   "is neither CRDT nor DBIT: " + excerpt(direction));
    }
    return result;
  }

  // A date-or-date-time choice (Bal/Dt, BookgDt, ValDt) named `name`: its Dt, or the date part
  // of its DtTm.
  core::Result<Date> read_date(const Element& element, pugi::xml_node choice,
                               std::string_view name) const {
    const std::string tail = "/" + std::string(name);
    if (!choice) return error(element.node, path(element, tail), "is missing");
    if (const pugi::xml_node date = child(choice, "Dt")) {
      if (std::optional<Date> parsed = parse_xs_date(text_of(date))) return *parsed;
      return error(date, path(element, tail + "/Dt"),
                   "is not a date (YYYY-MM-DD): " + excerpt(text_of(date)));
    }
    if (const pugi::xml_node date_time = child(choice, "DtTm")) {
      if (std::optional<Date> parsed = parse_xs_date_time(text_of(date_time))) return *parsed;
      return error(date_time, path(element, tail + "/DtTm"),
                   "is not a date and time (YYYY-MM-DDThh:mm:ss): " + excerpt(text_of(date_time)));
    }
    return error(choice, path(element, tail), "has neither Dt nor DtTm");
  }

  core::Result<void> read_balance(const Element& balance) {
    const std::string_view code = child_text(child(child(balance.node, "Tp"), "CdOrPrtry"), "Cd");
    const BalanceKind kind = balance_kind(code);
    if (kind == BalanceKind::kOther) return {};
    core::Result<SignedAmount> amount =
        read_amount(balance, child(balance.node, "Amt"), child(balance.node, "CdtDbtInd"));
    if (!amount) return std::move(amount).error();
    core::Result<Date> date = read_date(balance, child(balance.node, "Dt"), "Dt");
    if (!date) return std::move(date).error();
    // A balance in another currency cannot be compared with the entries (the upstream sample
    // files have such balances), so it is reported and left out rather than refused.
    if (amount->currency != statement_.currency) {
      statement_.warnings.push_back(path(balance, "/Amt") + ": the " + std::string(code) +
                                    " balance is in " + std::string(amount->currency) +
                                    ", not the account's " + statement_.currency +
                                    "; it is ignored");
      return {};
    }
    const Balance value{*date, amount->minor};
    // The first of each kind counts; OPBD is preferred to PRCD whatever their order.
    std::optional<Balance>* slot = nullptr;
    switch (kind) {
      case BalanceKind::kOpeningBooked:
        slot = &opening_booked_;
        break;
      case BalanceKind::kPreviouslyClosed:
        slot = &previously_closed_;
        break;
      case BalanceKind::kClosingBooked:
        slot = &statement_.closing;
        break;
      case BalanceKind::kClosingAvailable:
        slot = &statement_.available;
        break;
      case BalanceKind::kOther:
        return {};
    }
    if (!*slot) *slot = value;
    return {};
  }

  core::Result<void> read_entry(const Element& entry) {
    const EntryParts parts(entry.node);
    // Sts is mandatory; an entry without one is read as booked, the only kind a statement
    // (as opposed to an intraday camt.052 report) should hold.
    const std::string_view status = parts.status ? entry_status(parts.status) : "BOOK";
    if (status != "BOOK") {
      if (skipped_++ == 0) first_skipped_ = excerpt(status);
      return {};
    }
    core::Result<SignedAmount> amount = read_amount(entry, parts.amount, parts.indicator);
    if (!amount) return std::move(amount).error();
    if (amount->currency != statement_.currency) {
      return error(parts.amount, path(entry, "/Amt"),
                   "is in " + std::string(amount->currency) + ", but the account's currency is " +
                       statement_.currency);
    }
    BankTransaction transaction;
    transaction.amount = amount->minor;

    core::Result<Date> booking_date = read_date(entry, parts.booking, "BookgDt");
    if (!booking_date) return std::move(booking_date).error();
    transaction.booking_date = *booking_date;
    if (parts.value) {
      core::Result<Date> value_date = read_date(entry, parts.value, "ValDt");
      if (!value_date) return std::move(value_date).error();
      transaction.value_date = *value_date;
    }

    // RvslInd does not change the sign: ISO 20022 says CdtDbtInd is the direction of the
    // reversal entry itself (a reversed credit is booked as DBIT with RvslInd true). The
    // related parties are those of the original payment, whose direction is the opposite.
    const std::string_view reversal = text_of(parts.reversal);
    const bool reversed = reversal == "true" || reversal == "1";
    if (!reversal.empty() && !reversed && reversal != "false" && reversal != "0") {
      return error(parts.reversal, path(entry, "/RvslInd"),
                   "is neither true nor false: " + excerpt(reversal));
    }
    const bool original_is_credit = (transaction.amount > 0) != reversed;

    std::string_view reference = text_of(parts.servicer_reference);
    if (reference.empty()) reference = text_of(parts.entry_reference);
    transaction.type_code = transaction_code(parts.code);
    std::size_t first_end = 0, last_start = 0;
    append_piece(transaction.description, first_end, last_start, text_of(parts.information));
    read_details(parts.details, original_is_credit, reference, transaction, first_end, last_start);
    transaction.reference = std::string(reference);
    statement_.transactions.push_back(std::move(transaction));
    return {};
  }

  // What the transaction details (NtryDtls/TxDtls, one or many in a batch entry; `first` is
  // the first NtryDtls) add: the first counterparty, the first end-to-end or creditor
  // reference, every unstructured remittance text, and the bank code and servicer reference
  // when the entry has none.
  static void read_details(pugi::xml_node first, bool original_is_credit,
                           std::string_view& reference, BankTransaction& transaction,
                           std::size_t& first_end, std::size_t& last_start) {
    // For a credit the other party is the debtor; for a debit the creditor.
    const std::string_view party = original_is_credit ? "Dbtr" : "Cdtr";
    const std::string_view party_account = original_is_credit ? "DbtrAcct" : "CdtrAcct";
    const std::string_view ultimate_party = original_is_credit ? "UltmtDbtr" : "UltmtCdtr";
    std::size_t details = 0;
    std::string_view detail_reference, end_to_end, creditor_reference;
    for (pugi::xml_node group = first; group; group = group.next_sibling()) {
      if (!has_local_name(group.name(), "NtryDtls")) continue;
      for (pugi::xml_node detail = group.first_child(); detail; detail = detail.next_sibling()) {
        if (!has_local_name(detail.name(), "TxDtls")) continue;
        ++details;
        const pugi::xml_node refs = child(detail, "Refs");
        if (details == 1) detail_reference = child_text(refs, "AcctSvcrRef");
        if (end_to_end.empty()) {
          end_to_end = child_text(refs, "EndToEndId");
          if (end_to_end == "NOTPROVIDED") end_to_end = {};
        }
        if (transaction.type_code.empty()) {
          transaction.type_code = transaction_code(child(detail, "BkTxCd"));
        }
        if (transaction.counterparty_name.empty() && transaction.counterparty_account.empty()) {
          const pugi::xml_node parties = child(detail, "RltdPties");
          std::string_view name = party_name(child(parties, party));
          if (name.empty()) name = party_name(child(parties, ultimate_party));
          transaction.counterparty_name = std::string(name);
          transaction.counterparty_account = std::string(account_id(child(parties, party_account)));
        }
        const pugi::xml_node remittance = child(detail, "RmtInf");
        for (pugi::xml_node part = remittance.first_child(); part; part = part.next_sibling()) {
          if (has_local_name(part.name(), "Ustrd")) {
            append_piece(transaction.description, first_end, last_start, text_of(part));
          } else if (creditor_reference.empty() && has_local_name(part.name(), "Strd")) {
            creditor_reference = child_text(child(part, "CdtrRefInf"), "Ref");
          }
        }
      }
    }
    // A servicer reference on the only transaction detail is the entry's own.
    if (reference.empty() && details == 1) reference = detail_reference;
    transaction.customer_reference =
        std::string(end_to_end.empty() ? creditor_reference : end_to_end);
  }

  const Source& source_;
  pugi::xml_node node_;
  std::string path_;  // "/Document/BkToCstmrStmt/Stmt[N]"
  BankStatement statement_;
  std::optional<Balance> opening_booked_;     // OPBD
  std::optional<Balance> previously_closed_;  // PRCD, the opening when there is no OPBD
  std::size_t skipped_ = 0;                   // entries not booked
  std::string first_skipped_;                 // the status of the first of them
};

// ---------------------------------------------------------------------------------------------
// The document

constexpr std::string_view kIsoNamespace = "urn:iso:std:iso:20022:tech:xsd:";

// The namespace `element`'s name is in: the xmlns (or xmlns:prefix) declared on it. Only the
// root is asked, and nothing above the root can declare one.
std::string_view namespace_of(pugi::xml_node element) {
  const std::string_view name = element.name();
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) return element.attribute("xmlns").value();
  const std::string attribute = "xmlns:" + std::string(name.substr(0, colon));
  return element.attribute(attribute.c_str()).value();
}

// True for camt.053.001.02 and later. A document without a namespace is read too (its
// element names say what it is); one in another namespace is not camt.053.
bool is_camt053_namespace(std::string_view space) {
  if (space.empty()) return true;
  if (!space.starts_with(kIsoNamespace)) return false;
  space.remove_prefix(kIsoNamespace.size());
  constexpr std::string_view kMessage = "camt.053.001.";
  if (!space.starts_with(kMessage)) return false;
  space.remove_prefix(kMessage.size());
  return space.size() == 2 && all_digits(space) && number_of(space) >= 2;
}

// A parse error at pugixml's offset, as a line and column of the input (approximate for input
// pugixml converted from UTF-16 or Latin-1, whose offsets are into the converted text).
core::Error malformed(std::string_view input, const pugi::xml_parse_result& result) {
  const std::size_t offset = result.offset < 0 ? 0
                             : static_cast<std::size_t>(result.offset) > input.size()
                                 ? input.size()
                                 : static_cast<std::size_t>(result.offset);
  std::int64_t column = 1;
  for (std::size_t i = offset; i > 0 && input[i - 1] != '\n'; --i) ++column;
  std::string message = std::string("malformed XML: ") + result.description();
  if (offset < input.size()) message += " at " + excerpt(input.substr(offset));
  core::Error error = error_at_line(Source::line_at(input, offset), std::move(message));
  error.column = column;
  return error;
}

}  // namespace

core::Result<std::vector<BankStatement>> parse_camt053(std::string_view input) {
  pugi::xml_document document;
  // parse_default expands only the predefined and numeric character references: a DOCTYPE is
  // skipped, its entities are never defined, and nothing external is ever fetched.
  const pugi::xml_parse_result parsed =
      document.load_buffer(input.data(), input.size(),
                           pugi::parse_default | pugi::parse_trim_pcdata, pugi::encoding_auto);
  if (!parsed) return malformed(input, parsed);
  const Source source(input, parsed.encoding == pugi::encoding_utf8);

  const pugi::xml_node root = document.document_element();
  if (local_name(root) != "Document") {
    return source.error(root, "/" + printable(local_name(root), 64),
                        "is not a camt.053 Document (the root element must be Document)");
  }
  const std::string_view space = namespace_of(root);
  if (!is_camt053_namespace(space)) {
    return source.error(root, "/Document",
                        "is in namespace '" + printable(space, 64) + "'" +
                            ", not urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN (NN 02 or "
                            "later): not a camt.053 statement");
  }
  pugi::xml_node message;
  for (pugi::xml_node node = root.first_child(); node && !message; node = node.next_sibling()) {
    if (node.type() == pugi::node_element) message = node;
  }
  if (local_name(message) != "BkToCstmrStmt") {
    if (!message) return source.error(root, "/Document", "has no BkToCstmrStmt element");
    return source.error(message, "/Document/" + printable(local_name(message), 64),
                        "is not BkToCstmrStmt: not a camt.053 statement (camt.052 reports and "
                        "camt.054 notifications are other formats)");
  }

  std::vector<BankStatement> statements;
  for (pugi::xml_node node = message.first_child(); node; node = node.next_sibling()) {
    if (!has_local_name(node.name(), "Stmt")) continue;
    core::Result<BankStatement> statement =
        StatementReader(source, node, statements.size() + 1).run();
    if (!statement) return std::move(statement).error();
    statements.push_back(std::move(statement).value());
  }
  if (statements.empty()) {
    return source.error(message, "/Document/BkToCstmrStmt", "has no statement (Stmt)");
  }
  return statements;
}

}  // namespace aic::finance
