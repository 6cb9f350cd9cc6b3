#include "finance/bank/qif.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "finance/money.hpp"

namespace aic::finance {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

bool starts_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && same_ignoring_case(text.substr(0, prefix.size()), prefix);
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// A short, printable excerpt of input for error messages (the input may be binary garbage).
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxLength = 24;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMaxLength; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out += (byte >= 0x20 && byte < 0x7F) ? static_cast<char>(byte) : '?';
  }
  if (text.size() > kMaxLength) out += "...";
  return "'" + out + "'";
}

// Splits the input into physical lines: LF, CRLF, or CR alone (classic Mac Quicken).
class LineReader {
 public:
  explicit LineReader(std::string_view input) : input_(input) {
    if (input_.starts_with("\xEF\xBB\xBF")) input_.remove_prefix(3);  // a UTF-8 byte-order mark
  }

  bool next(std::string_view& text) {
    if (position_ >= input_.size()) return false;
    std::size_t end = position_;
    while (end < input_.size() && input_[end] != '\n' && input_[end] != '\r') ++end;
    text = input_.substr(position_, end - position_);
    position_ = end;
    if (position_ < input_.size() && input_[position_] == '\r') ++position_;
    if (position_ < input_.size() && input_[position_] == '\n') ++position_;
    ++number_;
    return true;
  }

  // The 1-based number of the line read last (0 before the first).
  std::int64_t number() const { return number_; }

 private:
  std::string_view input_;
  std::size_t position_ = 0;
  std::int64_t number_ = 0;
};

// One number of a date: up to four digits, blanks before it allowed ("1/ 5'24").
struct DatePart {
  int value = 0;
  std::size_t digits = 0;
};

std::optional<DatePart> read_date_part(std::string_view text, std::size_t& at) {
  while (at < text.size() && text[at] == ' ') ++at;
  DatePart part;
  while (at < text.size() && is_digit(text[at])) {
    if (++part.digits > 4) return std::nullopt;
    part.value = part.value * 10 + (text[at++] - '0');
  }
  if (part.digits == 0) return std::nullopt;
  return part;
}

bool is_date_separator(char c) { return c == '/' || c == '-' || c == '.' || c == '\''; }

// US dates (month first, or day first when asked) with '/', '-' or '.' between the parts and
// the year after '/' or Quicken's '\'': 12/31/2024, 12/31/24, 12/31'24, 1/ 5'24. A year of
// four digits first is ISO order: 2024-12-31. A two-digit year after '\'' is 20YY (Quicken's
// mark for the 2000s); after anything else 00-69 are 20YY and 70-99 19YY.
std::optional<Date> parse_qif_date(std::string_view text, bool day_first) {
  text = trim(text);
  std::size_t at = 0;
  std::array<DatePart, 3> parts;
  char last_separator = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      while (at < text.size() && text[at] == ' ') ++at;
      if (at >= text.size() || !is_date_separator(text[at])) return std::nullopt;
      last_separator = text[at++];
    }
    const std::optional<DatePart> part = read_date_part(text, at);
    if (!part) return std::nullopt;
    parts[i] = *part;
  }
  if (at != text.size()) return std::nullopt;
  if (parts[0].digits == 4) {
    if (parts[1].digits > 2 || parts[2].digits > 2) return std::nullopt;
    return make_date(parts[0].value, parts[1].value, parts[2].value);
  }
  if (parts[0].digits > 2 || parts[1].digits > 2) return std::nullopt;
  int year = parts[2].value;
  if (parts[2].digits == 2 || parts[2].digits == 1) {
    year += last_separator == '\'' || year < 70 ? 2000 : 1900;
  } else if (parts[2].digits != 4) {
    return std::nullopt;
  }
  const int first = parts[0].value, second = parts[1].value;
  return day_first ? make_date(year, second, first) : make_date(year, first, second);
}

// A QIF amount: an optional sign, digits grouped by ',' and a '.' before the decimals
// (-1,234.56). Files from countries with a decimal comma write 1.234,56 or 12,50: when both
// marks appear the later one is the decimal separator, and a single ',' followed by other than
// three digits is one too.
core::Result<std::int64_t> parse_qif_amount(std::string_view text, int exponent) {
  text = trim(text);
  const std::size_t last_dot = text.rfind('.');
  const std::size_t last_comma = text.rfind(',');
  constexpr std::size_t kNone = std::string_view::npos;
  char decimal = '.';
  if (last_dot != kNone && last_comma != kNone) {
    decimal = last_comma > last_dot ? ',' : '.';
  } else if (last_comma != kNone) {
    const bool single = text.find(',') == last_comma;
    if (single && text.size() - last_comma - 1 != 3) decimal = ',';
  } else if (last_dot != kNone && text.find('.') != last_dot) {
    decimal = ',';  // 1.234.567: dots only group
  }
  const char group = decimal == '.' ? ',' : '.';
  constexpr std::size_t kLongest = 40;
  if (text.size() > kLongest) {
    return core::Error::invalid("amount " + excerpt(text) + " is too long");
  }
  std::array<char, kLongest> digits{};
  std::size_t size = 0;
  bool seen_decimal = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == group) {
      // Between digits of the whole part only.
      if (seen_decimal || i == 0 || !is_digit(text[i - 1]) || i + 1 >= text.size() ||
          !is_digit(text[i + 1])) {
        return core::Error::invalid("amount " + excerpt(text) + " is not a decimal number");
      }
      continue;
    }
    if (c == decimal) seen_decimal = true;
    digits[size++] = c;
  }
  core::Result<std::int64_t> amount =
      parse_minor_units(std::string_view(digits.data(), size), exponent, {decimal, true, true});
  if (amount) return amount;
  // The reason, after the (separator-free) text that parse_minor_units quotes.
  const std::string& message = amount.error().message;
  const std::size_t reason = message.find("\" ");
  return core::Error::invalid(
      "amount " + excerpt(text) + " " +
      (reason == std::string::npos ? std::string("is not an amount") : message.substr(reason + 2)));
}

// What a !Type header opens.
enum class SectionKind { kTransactions, kRefused, kUnknown };

struct SectionType {
  SectionKind kind = SectionKind::kUnknown;
  std::string_view description;  // of a refused section, for the error
};

SectionType section_type(std::string_view name) {
  for (std::string_view bank : {"Bank", "CCard", "Cash", "Oth A", "Oth L"}) {
    if (same_ignoring_case(name, bank)) return {SectionKind::kTransactions, {}};
  }
  struct Refused {
    std::string_view name;
    std::string_view description;
  };
  static constexpr std::array<Refused, 10> kRefused = {{
      {"Invst", "an investment account"},
      {"Port", "an investment portfolio"},
      {"Cat", "a category list"},
      {"Class", "a class list"},
      {"Memorized", "a list of memorized transactions"},
      {"Security", "a list of securities"},
      {"Prices", "a list of security prices"},
      {"Invoice", "an invoice list"},
      {"Budget", "a budget"},
      {"Template", "a list of templates"},
  }};
  for (const Refused& refused : kRefused) {
    if (same_ignoring_case(name, refused.name)) return {SectionKind::kRefused, refused.description};
  }
  return {SectionKind::kUnknown, {}};
}

constexpr std::string_view kBankSections =
    "only bank, cash, credit-card and other asset or liability accounts are imported "
    "(!Type:Bank, !Type:Cash, !Type:CCard, !Type:Oth A, !Type:Oth L)";

// The fields of the transaction being read.
struct PendingTransaction {
  std::int64_t first_line = 0;
  std::optional<Date> date;
  std::optional<std::int64_t> amount;        // T
  std::optional<std::int64_t> other_amount;  // U: the same amount, newer Quicken writes both
  std::string number;
  std::string payee;
  std::string memo;
  std::string category;
  std::int64_t split_total = 0;
  bool has_split_amounts = false;
  bool split_total_overflows = false;
};

class Parser {
 public:
  Parser(std::string_view input, QifOptions options)
      : lines_(input), options_(std::move(options)) {}

  core::Result<std::vector<BankStatement>> run() {
    if (!is_currency_code(options_.currency)) {
      return core::Error::invalid(
          "currency " + excerpt(options_.currency) + " is not an ISO 4217 code", "currency");
    }
    exponent_ = currency_exponent(options_.currency);
    std::string_view text;
    bool seen_anything = false;
    while (lines_.next(text)) {
      const std::int64_t line = lines_.number();
      const std::string_view trimmed = trim(text);
      if (trimmed.empty()) continue;
      seen_anything = true;
      core::Result<void> done = trimmed.front() == '!' ? header(trimmed, line) : field(text, line);
      if (!done) return std::move(done).error();
    }
    const std::int64_t last_line = lines_.number() == 0 ? 1 : lines_.number();
    if (!seen_anything) return error_at_line(last_line, "the input is empty: not QIF");
    core::Result<void> closed = close_unterminated_record();
    if (!closed) return std::move(closed).error();
    if (!seen_section_) {
      return error_at_line(last_line,
                           "no transaction section: the file has no !Type:Bank, !Type:Cash, "
                           "!Type:CCard, !Type:Oth A or !Type:Oth L header");
    }
    return std::move(statements_);
  }

 private:
  enum class Section { kNone, kAccount, kTransactions };

  core::Result<void> header(std::string_view text, std::int64_t line) {
    core::Result<void> closed = close_unterminated_record();
    if (!closed) return closed;
    if (pending_account_name_) {  // an !Account record without its ^
      account_name_ = std::move(*pending_account_name_);
      pending_account_name_.reset();
    }
    if (starts_ignoring_case(text, "!Type:")) {
      const std::string_view name = trim(text.substr(6));
      const SectionType type = section_type(name);
      if (type.kind == SectionKind::kRefused) {
        return error_at_line(line, std::string(text) + " is " + std::string(type.description) +
                                       ", not a bank account: " + std::string(kBankSections));
      }
      if (type.kind == SectionKind::kUnknown) {
        return error_at_line(
            line, "unknown section " + excerpt(text) + ": " + std::string(kBankSections));
      }
      BankStatement statement;
      statement.account = account_name_;
      statement.currency = options_.currency;
      statements_.push_back(std::move(statement));
      section_ = Section::kTransactions;
      seen_section_ = true;
      return {};
    }
    if (same_ignoring_case(text, "!Account")) {
      section_ = Section::kAccount;
      return {};
    }
    // AutoSwitch marks a list of accounts; each !Account record names the account that the
    // sections after it belong to, list or not, so the option changes nothing here.
    if (same_ignoring_case(text, "!Option:AutoSwitch") ||
        same_ignoring_case(text, "!Clear:AutoSwitch")) {
      return {};
    }
    return error_at_line(line, "unknown header " + excerpt(text) +
                                   ": expected !Type:…, !Account, !Option:AutoSwitch or "
                                   "!Clear:AutoSwitch");
  }

  core::Result<void> field(std::string_view text, std::int64_t line) {
    // A field is its letter and the rest of the line: "PGrocery Store".
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    const char code = text.front();
    const std::string_view value = trim(text.substr(1));
    switch (section_) {
      case Section::kNone:
        return error_at_line(line,
                             "a QIF field before any !Type or !Account header: " + excerpt(text));
      case Section::kAccount:
        return account_field(code, value, line);
      case Section::kTransactions:
        return transaction_field(code, value, text, line);
    }
    return {};
  }

  core::Result<void> account_field(char code, std::string_view value, std::int64_t line) {
    switch (code) {
      case 'N':
        pending_account_name_ = std::string(value);
        return {};
      case '^':
        if (pending_account_name_) account_name_ = std::move(*pending_account_name_);
        pending_account_name_.reset();
        return {};
      case 'T':  // type (Bank, CCard, …)
      case 'D':  // description
      case 'L':  // credit limit
      case '$':  // balance at the date of /
      case '/':  // date of the balance
      case 'B':  // balance (older writers)
      case 'X':  // extensions
        return {};
      default:
        return error_at_line(line, "unknown field " + excerpt(std::string_view(&code, 1)) +
                                       " in an !Account record (expected N, T, D, L, $, / or ^)");
    }
  }

  core::Result<void> transaction_field(char code, std::string_view value, std::string_view text,
                                       std::int64_t line) {
    if (code == '^') return end_record(line, true);
    if (!record_) {
      record_.emplace();
      record_->first_line = line;
    }
    PendingTransaction& record = *record_;
    switch (code) {
      case 'D': {
        record.date = parse_qif_date(value, options_.day_first);
        if (!record.date) {
          return error_at_line(line, "D: " + excerpt(value) + " is not a date (" +
                                         (options_.day_first ? "DD/MM/YYYY" : "MM/DD/YYYY") +
                                         ", MM/DD'YY or YYYY-MM-DD)");
        }
        return {};
      }
      case 'T':
      case 'U': {
        core::Result<std::int64_t> amount = read_amount(code, value, line);
        if (!amount) return std::move(amount).error();
        (code == 'T' ? record.amount : record.other_amount) = *amount;
        return {};
      }
      case '$': {
        core::Result<std::int64_t> amount = read_amount(code, value, line);
        if (!amount) return std::move(amount).error();
        record.has_split_amounts = true;
        if (__builtin_add_overflow(record.split_total, *amount, &record.split_total)) {
          record.split_total_overflows = true;
        }
        return {};
      }
      case 'N':
        record.number = std::string(value);
        return {};
      case 'P':
        record.payee = std::string(value);
        return {};
      case 'M':
        if (!record.memo.empty() && !value.empty()) record.memo += ' ';
        record.memo.append(value);
        return {};
      case 'L':
        record.category = std::string(value);
        return {};
      case 'C':  // cleared status (*, c, X, R)
      case 'A':  // address lines of the payee
      case 'S':  // split category
      case 'E':  // split memo
      case '%':  // split percentage
      case 'F':  // flagged as a reimbursable business expense
      case 'X':  // small-business extensions (XA, XI, …)
        return {};
      default:
        return error_at_line(line, "unknown field " + excerpt(text.substr(0, 1)) +
                                       " in a transaction (expected D, T, U, N, P, M, L, C, A, S, "
                                       "E, $ or ^): " +
                                       excerpt(text));
    }
  }

  core::Result<std::int64_t> read_amount(char code, std::string_view value, std::int64_t line) {
    core::Result<std::int64_t> amount = parse_qif_amount(value, exponent_);
    if (!amount) {
      return error_at_line(line, std::string(1, code) + ": " + std::move(amount).error().message);
    }
    return amount;
  }

  // The record ends: at its ^, or (`terminated` false) at a header or the end of the input.
  core::Result<void> end_record(std::int64_t line, bool terminated) {
    if (!record_) return {};  // a ^ with nothing before it
    PendingTransaction record = std::move(*record_);
    record_.reset();
    BankStatement& statement = statements_.back();
    if (!terminated) {
      statement.warnings.push_back("the transaction from line " +
                                   std::to_string(record.first_line) +
                                   " has no closing ^; it is imported as it stands");
    }
    if (!record.date) {
      return error_at_line(record.first_line, "the transaction from line " +
                                                  std::to_string(record.first_line) + " to " +
                                                  std::to_string(line) + " has no date (D)");
    }
    if (!record.amount) record.amount = record.other_amount;
    if (!record.amount) {
      return error_at_line(record.first_line, "the transaction from line " +
                                                  std::to_string(record.first_line) + " to " +
                                                  std::to_string(line) + " has no amount (T)");
    }
    if (record.has_split_amounts &&
        (record.split_total_overflows || record.split_total != *record.amount)) {
      statement.warnings.push_back(
          "the splits of the transaction from line " + std::to_string(record.first_line) +
          " add up to " + format_minor_units(record.split_total, exponent_) +
          ", not to its amount " + format_minor_units(*record.amount, exponent_));
    }
    BankTransaction transaction;
    transaction.booking_date = *record.date;
    transaction.amount = *record.amount;
    // Only a check number identifies an entry; ATM, DEP or EFT would merge distinct ones.
    if (all_digits(record.number)) {
      transaction.reference = std::move(record.number);
    } else {
      transaction.customer_reference = std::move(record.number);
    }
    transaction.counterparty_name = std::move(record.payee);
    transaction.description = std::move(record.memo);
    // "[Savings]" or "[Savings]/Class": a transfer to or from another account.
    if (record.category.starts_with('[')) {
      const std::size_t close = record.category.find(']');
      if (close != std::string::npos) {
        transaction.counterparty_account = std::string_view(record.category).substr(1, close - 1);
      }
    }
    transaction.type_code = std::move(record.category);
    statement.transactions.push_back(std::move(transaction));
    return {};
  }

  core::Result<void> close_unterminated_record() {
    if (section_ != Section::kTransactions || !record_) return {};
    return end_record(lines_.number(), false);
  }

  LineReader lines_;
  QifOptions options_;
  int exponent_ = 2;
  Section section_ = Section::kNone;
  bool seen_section_ = false;
  std::string account_name_;  // of the last !Account record: names the next sections
  std::optional<std::string> pending_account_name_;
  std::optional<PendingTransaction> record_;
  std::vector<BankStatement> statements_;
};

}  // namespace

core::Result<std::vector<BankStatement>> parse_qif(std::string_view input, QifOptions options) {
  return Parser(input, std::move(options)).run();
}

}  // namespace aic::finance
