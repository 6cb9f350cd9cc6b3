#include "finance/bank/mt940.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "finance/money.hpp"

// An MT940 file is a sequence of messages, each a sequence of fields: a line starting with a
// tag such as ":61:" opens a field, and the lines after it, up to the next tag, continue it.
// A message ends with a line "-" (or "-}" inside the SWIFT block wrapper {1:…}{2:…}{4:…-}).
// Banks put their own header lines between messages ("ABNANL2A", "940", ":940:"); lines
// outside any field are skipped.
//
// Fields used:   :20: reference  :25: account  :28C: statement number  :60F:/:60M: opening
// :61: entry  :86: entry details  :62F:/:62M: closing  :64: closing available
// MT942 adds :13D: (time), :34F: (floor limit) and :90D:/:90C: (sums), which change nothing
// here beyond the currency :34F: names.

namespace aic::finance {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// A short, printable excerpt of input for error messages (the input may be binary garbage).
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxLength = 40;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMaxLength; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out += (byte >= 0x20 && byte < 0x7F) ? static_cast<char>(byte) : '?';
  }
  if (text.size() > kMaxLength) out += "...";
  return "'" + out + "'";
}

int two_digits(std::string_view text, std::size_t at) {
  return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// YYMMDD. SWIFT years have two digits: 00-69 are read as 20YY, 70-99 as 19YY.
std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 6 || !all_digits(text)) return std::nullopt;
  const int year = two_digits(text, 0);
  return make_date(year < 70 ? 2000 + year : 1900 + year, two_digits(text, 2), two_digits(text, 4));
}

// The tag of a line that opens a field (":61:" gives "61", ":60F:" "60F", ":NS:" "NS").
std::optional<std::string_view> field_tag(std::string_view line) {
  if (line.size() < 4 || line[0] != ':') return std::nullopt;
  const std::size_t close = line.find(':', 1);
  if (close == std::string_view::npos || close < 3 || close > 4) return std::nullopt;
  const std::string_view tag = line.substr(1, close - 1);
  if (tag == "NS") return tag;
  if (!is_digit(tag[0]) || !is_digit(tag[1])) return std::nullopt;
  if (tag.size() == 3 && !is_upper(tag[2])) return std::nullopt;
  return tag;
}

// "-" ends a message; "-}" (and "-}{5:…}") inside the SWIFT block wrapper; ING writes "-XXX".
bool ends_message(std::string_view line) {
  line = trim(line);
  if (line.empty() || line[0] != '-') return false;
  if (line.size() == 1 || line[1] == '}') return true;
  return line.size() <= 4 && std::all_of(line.begin() + 1, line.end(), is_upper);
}

// One field: its tag, its text (first line and continuation lines, as in the input, line
// breaks included), and the line it starts on.
struct Field {
  std::string_view tag;
  std::string_view text;
  std::int64_t line = 0;
};

// Removes the first line from `text` and returns it without its line break.
std::string_view pop_line(std::string_view& text) {
  const std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The lines of a field's text without their line breaks.
template <typename Visit>
void for_each_line(std::string_view text, Visit&& visit) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    visit(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// What :86: says about an entry, once interpreted.
struct Details {
  std::string description;
  std::string counterparty_name;
  std::string counterparty_account;
  std::string end_to_end_reference;
};

void append_with_space(std::string& to, std::string_view text) {
  text = trim(text);
  if (text.empty()) return;
  if (!to.empty()) to += ' ';
  to.append(text);
}

// The value of a SEPA purpose key ("SVWZ+", "EREF+") inside German purpose text, up to the
// next key; empty when the key is absent.
std::string_view sepa_value(std::string_view purpose, std::string_view key) {
  static constexpr std::array<std::string_view, 12> kKeys = {"EREF+", "KREF+", "MREF+", "CRED+",
                                                             "DEBT+", "SVWZ+", "ABWA+", "ABWE+",
                                                             "COAM+", "OAMT+", "IBAN+", "BIC+"};
  const std::size_t start = purpose.find(key);
  if (start == std::string_view::npos) return {};
  std::string_view value = purpose.substr(start + key.size());
  std::size_t end = value.size();
  for (std::string_view other : kKeys) {
    const std::size_t at = value.find(other);
    if (at < end) end = at;
  }
  return trim(value.substr(0, end));
}

// German banks structure :86: as a three-digit transaction code followed by subfields, each a
// separator (usually '?') and a two-digit number: ?00 posting text, ?20-?29 and ?60-?63 the
// purpose, ?30 the other side's bank, ?31 its account, ?32-?33 its name. The text wraps at
// fixed widths, so line breaks and subfield boundaries are not word boundaries.
std::optional<Details> german_details(std::string_view text) {
  text = trim(text);
  if (text.size() < 4 || !all_digits(text.substr(0, 3))) return std::nullopt;
  const char separator = text[3];
  if (separator == ' ' || is_digit(separator) || is_upper(separator) ||
      (separator >= 'a' && separator <= 'z')) {
    return std::nullopt;
  }
  std::string joined;
  joined.reserve(text.size());
  for_each_line(text, [&](std::string_view line) { joined.append(line); });

  std::string posting_text, purpose, name;
  Details details;
  std::size_t at = 3;
  while (at + 3 <= joined.size() && joined[at] == separator && is_digit(joined[at + 1]) &&
         is_digit(joined[at + 2])) {
    const int number = two_digits(joined, at + 1);
    std::size_t end = at + 3;
    while (end < joined.size() && !(joined[end] == separator && end + 2 < joined.size() &&
                                    is_digit(joined[end + 1]) && is_digit(joined[end + 2]))) {
      ++end;
    }
    const std::string_view value = std::string_view(joined).substr(at + 3, end - at - 3);
    if (number == 0) posting_text.append(value);
    if ((number >= 20 && number <= 29) || (number >= 60 && number <= 63)) purpose.append(value);
    // ?31 is the account number (an IBAN in SEPA files); Polish banks add the IBAN as ?38.
    if (number == 31 && details.counterparty_account.empty()) {
      details.counterparty_account = std::string(trim(value));
    }
    if (number == 38) details.counterparty_account = std::string(trim(value));
    if (number == 32 || number == 33) name.append(value);
    at = end;
  }
  if (at == 3) return std::nullopt;  // no subfields after all: free text
  const std::string_view svwz = sepa_value(purpose, "SVWZ+");
  details.description = std::string(svwz.empty() ? trim(purpose) : svwz);
  if (details.description.empty()) details.description = std::string(trim(posting_text));
  details.end_to_end_reference = std::string(sepa_value(purpose, "EREF+"));
  details.counterparty_name = std::string(trim(name));
  return details;
}

// Dutch banks (and the SEPA MT940 guidelines) structure :86: as "/KEY/value" pairs:
// /TRTP/SEPA OVERBOEKING/IBAN/NL…/BIC/…/NAME/…/REMI/…/EREF/…, or /CNTP/account/BIC/name/city/.
// A value runs to the next known key, so values may contain slashes ("/REMI/USTD//text/").
bool is_slash_key(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kKeys = {"TRTP", "IBAN", "BIC",  "NAME", "REMI",
                                                             "EREF", "CNTP", "MARF", "CSID", "ORDP",
                                                             "BENM", "PREF", "RTRN", "ADDR"};
  return std::find(kKeys.begin(), kKeys.end(), name) != kKeys.end();
}

// The length of the key "/NAME/" at `at` (a '/'), or 0 when no known key starts there.
std::size_t slash_key_length(std::string_view text, std::size_t at) {
  constexpr std::size_t kLongestKey = 4;
  const std::size_t close = text.substr(at + 1, kLongestKey + 1).find('/');
  if (close == std::string_view::npos || close < 3) return 0;
  return is_slash_key(text.substr(at + 1, close)) ? close + 2 : 0;
}

void apply_slash_value(std::string_view key, std::string_view value, Details& details) {
  while (!value.empty() && value.back() == '/') value.remove_suffix(1);
  value = trim(value);
  if (key == "NAME") details.counterparty_name = std::string(value);
  if (key == "IBAN") details.counterparty_account = std::string(value);
  if (key == "EREF" && value != "NOTPROVIDED") details.end_to_end_reference = std::string(value);
  if (key == "REMI") {
    // "USTD//free text" or "STRD/CUR/structured reference": the text after the kind.
    for (std::string_view kind : {"USTD//", "STRD/CUR/", "USTD/", "STRD/"}) {
      if (value.substr(0, kind.size()) == kind) {
        value.remove_prefix(kind.size());
        break;
      }
    }
    details.description = std::string(trim(value));
  }
  if (key == "CNTP") {  // account/BIC/name/city
    const std::size_t first = value.find('/');
    details.counterparty_account = std::string(trim(value.substr(0, first)));
    if (first == std::string_view::npos) return;
    const std::string_view after_bic = value.substr(first + 1);
    const std::size_t second = after_bic.find('/');
    if (second == std::string_view::npos) return;
    const std::string_view name = after_bic.substr(second + 1);
    details.counterparty_name = std::string(trim(name.substr(0, name.find('/'))));
  }
}

std::optional<Details> slash_key_details(std::string_view text) {
  if (text.empty() || text.front() != '/') return std::nullopt;
  std::string joined;  // only when the text has line breaks
  std::string_view all = text;
  if (text.find('\n') != std::string_view::npos) {
    joined.reserve(text.size());
    for_each_line(text, [&](std::string_view line) { joined.append(line); });
    all = joined;
  }
  std::size_t key_length = slash_key_length(all, 0);
  if (key_length == 0) return std::nullopt;
  Details details;
  std::size_t at = 0;
  while (true) {
    const std::string_view key = all.substr(at + 1, key_length - 2);
    const std::size_t start = at + key_length;
    std::size_t next = all.find('/', start);
    std::size_t next_length = 0;
    while (next != std::string_view::npos && (next_length = slash_key_length(all, next)) == 0) {
      next = all.find('/', next + 1);
    }
    apply_slash_value(key, all.substr(start, next - start), details);
    if (next == std::string_view::npos) break;
    at = next;
    key_length = next_length;
  }
  return details;
}

Details interpret_details(std::string_view text) {
  if (auto german = german_details(text)) return *german;
  if (auto slashed = slash_key_details(text)) return *slashed;
  Details details;
  for_each_line(text, [&](std::string_view line) { append_with_space(details.description, line); });
  return details;
}

// Reads the fields of one input into statements.
class StatementBuilder {
 public:
  core::Status add(const Field& field) {
    const std::string_view tag = field.tag;
    const bool after_entry = last_tag_was_entry_;
    last_tag_was_entry_ = false;
    // Entries and their details first: nearly every field is one of them.
    if (tag == "61") return read_entry(field);
    if (tag == "86") {
      // Details belong to the entry just read; after the closing balance they are the
      // statement's own information to the account owner, which has no place here.
      if (has_current_ && after_entry && !current_.statement.transactions.empty()) {
        std::string& details = current_.details.back();
        if (!details.empty()) details += '\n';
        details.append(field.text);
        last_tag_was_entry_ = true;  // Rabobank writes several :86: per entry
      }
      return {};
    }
    if (tag == "20") {
      finish();
      start().reference = std::string(trim(first_line(field.text)));
      return {};
    }
    if (tag == "25") return set_account(field);
    if (tag == "28" || tag == "28C") {
      current().number = std::string(trim(first_line(field.text)));
      return {};
    }
    if (tag == "60F" || tag == "60M" || tag == "60") {
      // A second opening balance without a :20: between them starts the next statement
      // (statement pages cut out of a longer file).
      if (has_current_ && (current_.statement.opening || !current_.statement.transactions.empty() ||
                           current_.statement.closing)) {
        finish();
      }
      return read_balance(field, current().statement.opening);
    }
    if (tag == "62F" || tag == "62M" || tag == "62") {
      return read_balance(field, current().statement.closing);
    }
    if (tag == "64") return read_balance(field, current().statement.available);
    if (tag == "34F") return read_floor_limit(field);
    if (tag == "21" || tag == "13" || tag == "13D" || tag == "65" || tag == "90D" || tag == "90C" ||
        tag == "NS") {
      return {};
    }
    current().statement.warnings.push_back("line " + std::to_string(field.line) +
                                           ": field :" + std::string(tag) +
                                           ": is not part of MT940/MT942 and was ignored");
    return {};
  }

  // Ends the statement being read, if any.
  void finish() {
    if (!has_current_) return;
    has_current_ = false;
    last_tag_was_entry_ = false;
    BankStatement& statement = current_.statement;
    if (statement.account.empty() && statement.transactions.empty() && !statement.opening &&
        !statement.closing && !statement.available) {
      return;  // only a :20: or stray lines
    }
    for (std::size_t i = 0; i < statement.transactions.size(); ++i) {
      apply_details(statement.transactions[i], current_.supplementary[i], current_.details[i]);
    }
    statement.statement_id = !current_.number.empty() ? current_.number : current_.reference;
    check_balances(statement);
    statements_.push_back(std::move(statement));
  }

  std::vector<BankStatement> take() { return std::move(statements_); }

 private:
  struct Current {
    BankStatement statement;
    std::string reference;  // :20:
    std::string number;     // :28C:
    int exponent = 2;       // of the statement's currency
    // Per transaction, until the statement is finished: :61:'s supplementary details and
    // the raw :86: text.
    std::vector<std::string> supplementary;
    std::vector<std::string> details;
  };

  static std::string_view first_line(std::string_view text) {
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
  }

  Current& start() {
    current_ = Current{};
    has_current_ = true;
    return current_;
  }

  Current& current() { return has_current_ ? current_ : start(); }

  // Decimals of the statement's currency; 2 until a field names the currency.
  int exponent() const { return has_current_ ? current_.exponent : 2; }

  core::Status set_account(const Field& field) {
    Current& statement = current();
    if (!statement.statement.account.empty()) {
      return error_at_line(field.line,
                           "a second account identification (:25:) in one statement; the file "
                           "is damaged or a statement's :20: is missing");
    }
    statement.statement.account = std::string(trim(first_line(field.text)));
    return {};
  }

  core::Status set_currency(std::string_view currency, const Field& field) {
    if (!is_currency_code(currency)) {
      return error_at_line(field.line, ":" + std::string(field.tag) + ": currency " +
                                           excerpt(currency) + " is not an ISO 4217 code");
    }
    std::string& statement_currency = current().statement.currency;
    if (statement_currency.empty()) {
      statement_currency = std::string(currency);
      current_.exponent = currency_exponent(currency);
    } else if (statement_currency != currency) {
      return error_at_line(field.line, ":" + std::string(field.tag) + ": currency " +
                                           std::string(currency) +
                                           " differs from the statement's " + statement_currency);
    }
    return {};
  }

  // D/C mark, YYMMDD, currency, amount with a decimal comma: "C110522EUR3236,28".
  core::Status read_balance(const Field& field, std::optional<Balance>& into) {
    const std::string_view text = trim(first_line(field.text));
    const auto fail = [&](std::string_view what) {
      return error_at_line(field.line, ":" + std::string(field.tag) + ": balance " + excerpt(text) +
                                           " " + std::string(what));
    };
    if (text.size() < 11 || (text[0] != 'C' && text[0] != 'D')) {
      return fail("is not a D/C mark, date (YYMMDD), currency and amount");
    }
    const std::optional<Date> date = parse_date(text.substr(1, 6));
    if (!date) return fail("has no valid date (YYMMDD)");
    if (auto ok = set_currency(text.substr(7, 3), field); !ok) return ok;
    auto amount = parse_minor_units(text.substr(10), exponent(), DecimalFormat{',', false, true});
    if (!amount)
      return error_at_line(field.line,
                           ":" + std::string(field.tag) + ": " + amount.error().message);
    into = Balance{*date, text[0] == 'D' ? -*amount : *amount};
    return {};
  }

  // MT942's floor limit: currency, optional D/C mark, amount. Only the currency matters.
  core::Status read_floor_limit(const Field& field) {
    const std::string_view text = trim(first_line(field.text));
    if (text.size() < 3) return error_at_line(field.line, ":34F: floor limit has no currency");
    return set_currency(text.substr(0, 3), field);
  }

  // :61: value date (YYMMDD), [entry date (MMDD)], mark (C, D, RC, RD), [funds code],
  // amount, type (N/F/S + 3 characters), customer reference, [//bank reference],
  // [line break, supplementary details].
  core::Status read_entry(const Field& field) {
    Current& statement = current();
    std::string_view remaining = field.text;
    const std::string_view line = pop_line(remaining);
    std::string_view rest = line;
    const auto fail = [&](std::string_view what) {
      return error_at_line(field.line, ":61: entry " + excerpt(line) + " " + std::string(what));
    };
    BankTransaction transaction;
    if (rest.size() < 6) return fail("has no value date (YYMMDD)");
    const std::optional<Date> value_date = parse_date(rest.substr(0, 6));
    if (!value_date) return fail("has no valid value date (YYMMDD)");
    rest.remove_prefix(6);
    transaction.value_date = value_date;
    transaction.booking_date = *value_date;
    if (rest.size() >= 4 && all_digits(rest.substr(0, 4))) {
      const std::optional<Date> entry =
          entry_date(*value_date, two_digits(rest, 0), two_digits(rest, 2));
      if (!entry) return fail("has no valid entry date (MMDD)");
      transaction.booking_date = *entry;
      rest.remove_prefix(4);
    }

    bool debit = false, reversal = false;
    if (rest.substr(0, 2) == "RC" || rest.substr(0, 2) == "RD") {
      reversal = true;
      debit = rest[1] == 'D';
      rest.remove_prefix(2);
    } else if (!rest.empty() && (rest[0] == 'C' || rest[0] == 'D')) {
      debit = rest[0] == 'D';
      rest.remove_prefix(1);
    } else {
      return fail("has no debit/credit mark (C, D, RC or RD) after its dates");
    }
    // The funds code is the third letter of the currency code ("R" of EUR), when present.
    if (!rest.empty() && is_upper(rest[0])) rest.remove_prefix(1);
    // Some banks (German savings banks) break the line or put a space before the amount.
    if (rest.empty() && !remaining.empty()) rest = pop_line(remaining);
    if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);

    std::size_t amount_length = 0;
    while (amount_length < rest.size() &&
           (is_digit(rest[amount_length]) || rest[amount_length] == ',')) {
      ++amount_length;
    }
    if (amount_length == 0) return fail("has no amount");
    if (amount_length < rest.size() && rest[amount_length] == '.') {
      return fail("has a decimal point in its amount; MT940 amounts have a decimal comma");
    }
    auto amount = parse_minor_units(rest.substr(0, amount_length), exponent(),
                                    DecimalFormat{',', false, true});
    if (!amount) return error_at_line(field.line, ":61: " + amount.error().message);
    // A reversal of a credit takes money out; a reversal of a debit puts it back.
    const bool money_out = reversal ? !debit : debit;
    transaction.amount = money_out ? -*amount : *amount;
    rest.remove_prefix(amount_length);

    if (rest.size() < 4 || (rest[0] != 'N' && rest[0] != 'F' && rest[0] != 'S')) {
      return fail("has no transaction type (N, F or S and three characters) after its amount");
    }
    transaction.type_code = std::string(rest.substr(0, 4));
    rest.remove_prefix(4);

    std::string supplementary;
    const std::size_t slashes = rest.find("//");
    std::string_view customer_reference = rest.substr(0, slashes);
    if (slashes != std::string_view::npos) {
      transaction.reference = std::string(trim(rest.substr(slashes + 2)));
    } else if (customer_reference.size() > 16) {
      // The customer reference has 16 characters at most; Rabobank writes the other side's
      // name after it on the same line.
      supplementary = std::string(trim(customer_reference.substr(16)));
      customer_reference = customer_reference.substr(0, 16);
    }
    customer_reference = trim(customer_reference);
    if (customer_reference != "NONREF") transaction.customer_reference = customer_reference;
    for_each_line(remaining,
                  [&](std::string_view more) { append_with_space(supplementary, more); });

    statement.statement.transactions.push_back(std::move(transaction));
    statement.supplementary.push_back(std::move(supplementary));
    statement.details.emplace_back();
    last_tag_was_entry_ = true;
    return {};
  }

  // The entry date has no year: it is the one closest to the value date (an entry booked on
  // 31 December may have its value date on 2 January of the next year).
  static std::optional<Date> entry_date(Date value_date, int month, int day) {
    int year = static_cast<int>(value_date.year());
    const int value_month = static_cast<int>(static_cast<unsigned>(value_date.month()));
    if (month - value_month > 6) --year;
    if (value_month - month > 6) ++year;
    return make_date(year, month, day);
  }

  static void apply_details(BankTransaction& transaction, const std::string& supplementary,
                            const std::string& raw_details) {
    Details details = interpret_details(raw_details);
    transaction.description = supplementary;
    append_with_space(transaction.description, details.description);
    transaction.counterparty_name = std::move(details.counterparty_name);
    transaction.counterparty_account = std::move(details.counterparty_account);
    if (transaction.customer_reference.empty() && details.end_to_end_reference != "NOTPROVIDED") {
      transaction.customer_reference = std::move(details.end_to_end_reference);
    }
  }

  std::vector<BankStatement> statements_;
  Current current_;
  bool has_current_ = false;
  bool last_tag_was_entry_ = false;  // the last field was :61: or one of its :86:
};

}  // namespace

core::Result<std::vector<BankStatement>> parse_mt940(std::string_view input) {
  StatementBuilder builder;
  std::optional<Field> field;  // the field being read; its text grows with continuation lines
  const auto flush = [&]() -> core::Status {
    if (!field) return {};
    Field done = *field;
    field.reset();
    return builder.add(done);
  };

  std::int64_t number = 0;
  std::size_t position = 0;
  while (position < input.size()) {
    std::size_t end = input.find('\n', position);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(position, end - position);
    position = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    // The SWIFT block wrapper: "{1:…}{2:…}{4:" before the fields; the text after "{4:" (if
    // any) is a line of the message.
    if (!line.empty() && line.front() == '{') {
      if (auto ok = flush(); !ok) return std::move(ok).error();
      const std::size_t body = line.find("{4:");
      if (body == std::string_view::npos) continue;
      line.remove_prefix(body + 3);
      if (line.empty()) continue;
    }
    if (ends_message(line)) {
      if (auto ok = flush(); !ok) return std::move(ok).error();
      builder.finish();
      continue;
    }
    if (const std::optional<std::string_view> tag = field_tag(line)) {
      if (auto ok = flush(); !ok) return std::move(ok).error();
      field = Field{*tag, line.substr(tag->size() + 2), number};
      continue;
    }
    if (field) {
      // A continuation: the field's text now runs to the end of this line.
      const char* begin = field->text.data();
      field->text =
          std::string_view(begin, static_cast<std::size_t>(line.data() + line.size() - begin));
    }
    // Lines outside any field are bank headers between messages; they carry nothing.
  }
  if (auto ok = flush(); !ok) return std::move(ok).error();
  builder.finish();
  return builder.take();
}

}  // namespace aic::finance
