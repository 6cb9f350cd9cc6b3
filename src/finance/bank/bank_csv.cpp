#include "finance/bank/bank_csv.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "finance/money.hpp"

namespace aic::finance {

namespace {

constexpr std::array<std::string_view, 18> kParameterNames = {
    "date_column",
    "amount_column",
    "debit_column",
    "credit_column",
    "value_date_column",
    "description_column",
    "reference_column",
    "counterparty_column",
    "counterparty_account_column",
    "type_column",
    "balance_column",
    "date_format",
    "decimal_separator",
    "delimiter",
    "header",
    "skip_lines",
    "currency",
    "account",
};

constexpr std::size_t kMaxColumn = 10000;
constexpr std::size_t kMaxSkipLines = 1000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A short, printable excerpt of input for error messages (the input may be binary garbage).
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxLength = 32;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMaxLength; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out += (byte >= 0x20 && byte < 0x7F) ? static_cast<char>(byte) : '?';
  }
  if (text.size() > kMaxLength) out += "...";
  return "'" + out + "'";
}

// --- The mapping --------------------------------------------------------------------------

// The mapped columns, in the order the parser reads them.
enum Slot : std::uint8_t {
  kDate,
  kAmount,
  kDebit,
  kCredit,
  kValueDate,
  kDescription,
  kReference,
  kCounterparty,
  kCounterpartyAccount,
  kType,
  kBalance,
  kSlotCount,
};

constexpr std::array<std::string_view, kSlotCount> kSlotParameters = {
    "date_column",      "amount_column",       "debit_column",
    "credit_column",    "value_date_column",   "description_column",
    "reference_column", "counterparty_column", "counterparty_account_column",
    "type_column",      "balance_column",
};

std::array<const BankCsvColumn*, kSlotCount> columns_of(const BankCsvMapping& mapping) {
  return {&mapping.date,      &mapping.amount,       &mapping.debit,
          &mapping.credit,    &mapping.value_date,   &mapping.description,
          &mapping.reference, &mapping.counterparty, &mapping.counterparty_account,
          &mapping.type,      &mapping.balance};
}

std::array<BankCsvColumn*, kSlotCount> columns_of(BankCsvMapping& mapping) {
  return {&mapping.date,      &mapping.amount,       &mapping.debit,
          &mapping.credit,    &mapping.value_date,   &mapping.description,
          &mapping.reference, &mapping.counterparty, &mapping.counterparty_account,
          &mapping.type,      &mapping.balance};
}

core::Error parameter_error(std::string_view parameter, std::string message) {
  return core::Error::invalid(std::string(parameter) + " " + message, std::string(parameter));
}

// A date format compiled once: its %-fields and literal characters.
enum class DatePiece : std::uint8_t { kYear4, kYear2, kMonth, kDay, kLiteral };

struct DateToken {
  DatePiece piece = DatePiece::kLiteral;
  char literal = 0;
};

struct DatePattern {
  static constexpr std::size_t kMaxTokens = 16;
  std::array<DateToken, kMaxTokens> tokens{};
  std::size_t size = 0;
};

core::Result<DatePattern> compile_date_format(std::string_view format) {
  constexpr std::string_view kParameter = "date_format";
  DatePattern pattern;
  int years = 0, months = 0, days = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (pattern.size == DatePattern::kMaxTokens) {
      return parameter_error(kParameter, excerpt(format) + " is too long");
    }
    DateToken& token = pattern.tokens[pattern.size++];
    const char c = format[i];
    if (c != '%') {
      if (is_digit(c)) {
        return parameter_error(kParameter, excerpt(format) + " has a digit outside a %-field");
      }
      // Error messages quote the format as it is, so it stays printable.
      if (const auto byte = static_cast<unsigned char>(c); byte < 0x20 || byte > 0x7E) {
        return parameter_error(kParameter,
                               excerpt(format) + " has a character that is not printable ASCII");
      }
      token.literal = c;
      continue;
    }
    if (++i == format.size()) {
      return parameter_error(kParameter, excerpt(format) + " ends with a lone '%'");
    }
    switch (format[i]) {
      case 'Y':
        token.piece = DatePiece::kYear4;
        ++years;
        break;
      case 'y':
        token.piece = DatePiece::kYear2;
        ++years;
        break;
      case 'm':
        token.piece = DatePiece::kMonth;
        ++months;
        break;
      case 'd':
        token.piece = DatePiece::kDay;
        ++days;
        break;
      case '%':
        token.literal = '%';
        break;
      default:
        return parameter_error(kParameter, excerpt(format) + " has %" + std::string(1, format[i]) +
                                               "; only %Y, %y, %m and %d are dates");
    }
  }
  if (years != 1 || months != 1 || days != 1) {
    return parameter_error(kParameter, excerpt(format) +
                                           " must have one year (%Y or %y), one %m and one %d, "
                                           "e.g. %Y-%m-%d or %d.%m.%Y");
  }
  return pattern;
}

std::optional<Date> parse_date(std::string_view text, const DatePattern& pattern) {
  std::size_t at = 0;
  int year = 0, month = 0, day = 0;
  for (std::size_t i = 0; i < pattern.size; ++i) {
    const DateToken& token = pattern.tokens[i];
    if (token.piece == DatePiece::kLiteral) {
      if (at >= text.size() || text[at] != token.literal) return std::nullopt;
      ++at;
      continue;
    }
    const std::size_t width = token.piece == DatePiece::kYear4 ? 4 : 2;
    // A day or month may be one digit when a separator (or the end) follows it.
    const bool flexible =
        token.piece != DatePiece::kYear4 &&
        (i + 1 == pattern.size || pattern.tokens[i + 1].piece == DatePiece::kLiteral);
    std::size_t digits = 0;
    int value = 0;
    while (at < text.size() && digits < width && is_digit(text[at])) {
      value = value * 10 + (text[at++] - '0');
      ++digits;
    }
    if (digits == 0 || (digits < width && !flexible)) return std::nullopt;
    switch (token.piece) {
      case DatePiece::kYear4:
        year = value;
        break;
      case DatePiece::kYear2:
        year = value < 70 ? 2000 + value : 1900 + value;
        break;
      case DatePiece::kMonth:
        month = value;
        break;
      case DatePiece::kDay:
        day = value;
        break;
      case DatePiece::kLiteral:
        break;
    }
  }
  if (at != text.size()) return std::nullopt;
  return make_date(year, month, day);
}

core::Result<BankCsvColumn> parse_column(std::string_view parameter, std::string_view value) {
  value = trim(value);
  if (value.empty()) {
    return parameter_error(parameter, "is empty: give a header name or a 1-based column number");
  }
  BankCsvColumn column;
  if (std::all_of(value.begin(), value.end(), is_digit)) {
    if (value.size() > 5 || std::stoul(std::string(value)) > kMaxColumn) {
      return parameter_error(parameter, excerpt(value) + " is beyond the last column number " +
                                            std::to_string(kMaxColumn));
    }
    column.index = std::stoul(std::string(value));
    if (column.index == 0) return parameter_error(parameter, "0: column numbers start at 1");
    return column;
  }
  column.name = std::string(value);
  return column;
}

// --- Amounts ------------------------------------------------------------------------------

enum class AmountProblem : std::uint8_t { kNone, kEmpty, kNotANumber, kTooManyDecimals, kTooLarge };

// `text` as minor units with `exponent` decimals. A sign may lead or trail ("12.50-", written
// by some German banks), or parentheses may enclose the number; digits of the whole part may
// be grouped by the other separator, a space or an apostrophe (1.234,56; 1 234,56; 1'234.56).
AmountProblem parse_amount(std::string_view text, char decimal, int exponent, std::int64_t& minor) {
  if (text.empty()) return AmountProblem::kEmpty;
  bool negative = false;
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    negative = true;
    text = trim(text.substr(1, text.size() - 2));
  }
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = negative != (text.front() == '-');
    text.remove_prefix(1);
  } else if (!text.empty() && (text.back() == '-' || text.back() == '+')) {
    negative = negative != (text.back() == '-');
    text.remove_suffix(1);
  }
  const char group = decimal == '.' ? ',' : '.';
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  bool seen_digit = false;
  bool seen_decimal = false;
  int decimals = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      if (seen_decimal && ++decimals > exponent) {
        if (c != '0') return AmountProblem::kTooManyDecimals;
        continue;  // trailing zeros beyond the currency's precision change nothing
      }
      const int digit = c - '0';
      if (value > (kMax - digit) / 10) return AmountProblem::kTooLarge;
      value = value * 10 + digit;
      seen_digit = true;
      continue;
    }
    if (c == decimal && !seen_decimal) {
      seen_decimal = true;
      continue;
    }
    const bool groups = c == group || c == ' ' || c == '\'';
    if (groups && !seen_decimal && i > 0 && is_digit(text[i - 1]) && i + 1 < text.size() &&
        is_digit(text[i + 1])) {
      continue;
    }
    return AmountProblem::kNotANumber;
  }
  if (!seen_digit) return AmountProblem::kNotANumber;
  for (int i = std::min(decimals, exponent); i < exponent; ++i) {
    if (value > kMax / 10) return AmountProblem::kTooLarge;
    value *= 10;
  }
  minor = negative ? -value : value;
  return AmountProblem::kNone;
}

std::string describe(AmountProblem problem, std::string_view text, char decimal, int exponent) {
  switch (problem) {
    case AmountProblem::kEmpty:
      return "is empty";
    case AmountProblem::kTooManyDecimals:
      return excerpt(text) + " has more than " + std::to_string(exponent) +
             " decimals for the currency";
    case AmountProblem::kTooLarge:
      return excerpt(text) + " is too large";
    case AmountProblem::kNotANumber:
    case AmountProblem::kNone:
      break;
  }
  return excerpt(text) + " is not an amount with '" + std::string(1, decimal) +
         "' before the decimals";
}

// --- Fields -------------------------------------------------------------------------------

// One field of a row. `text` is a view of the input: trimmed when unquoted, between the quotes
// when quoted (with any doubled quotes still doubled).
struct Cell {
  std::string_view text;
  std::int64_t line = 0;  // where the field starts
  bool doubled_quotes = false;
};

// Splits RFC 4180 text into rows of cells, one pass, without copying: cells are views of the
// input, valid as long as it is.
class Scanner {
 public:
  Scanner(std::string_view input, char delimiter) : input_(input), delimiter_(delimiter) {}

  // Moves past `count` physical lines (a preamble before the header).
  void skip_lines(std::size_t count) {
    for (; count > 0 && position_ < input_.size(); --count) {
      const void* newline = std::memchr(input_.data() + position_, '\n', input_.size() - position_);
      position_ =
          newline == nullptr
              ? input_.size()
              : static_cast<std::size_t>(static_cast<const char*>(newline) - input_.data()) + 1;
      ++line_;
    }
  }

  // The rest of the input's first row, for detecting the delimiter.
  std::string_view rest() const { return input_.substr(position_); }

  // The next row into `cells` (cleared first); false at the end of the input. Errors: a quote
  // that is never closed, text after a closing quote.
  core::Result<bool> next(std::vector<Cell>& cells) {
    cells.clear();
    if (position_ >= input_.size()) return false;
    const char* const data = input_.data();
    const std::size_t size = input_.size();
    std::size_t at = position_;
    for (;;) {
      Cell cell;
      cell.line = line_;
      while (at < size && is_blank(data[at])) ++at;
      if (at < size && data[at] == '"') {
        const std::size_t open = at;
        std::size_t close = 0;
        for (std::size_t from = open + 1;;) {
          const void* quote = std::memchr(data + from, '"', size - from);
          if (quote == nullptr) {
            return quote_error(cell.line, cells.size() + 1,
                               "a quoted field that is never closed (a '\"' is missing)");
          }
          close = static_cast<std::size_t>(static_cast<const char*>(quote) - data);
          if (close + 1 < size && data[close + 1] == '"') {
            cell.doubled_quotes = true;
            from = close + 2;
            continue;
          }
          break;
        }
        cell.text = input_.substr(open + 1, close - open - 1);
        line_ += count_line_breaks(cell.text);
        at = close + 1;
        while (at < size && is_blank(data[at])) ++at;
        if (at < size && data[at] != delimiter_ && data[at] != '\n' && data[at] != '\r') {
          return quote_error(
              line_, cells.size() + 1,
              "text after the closing quote of a field: " + excerpt(input_.substr(at)));
        }
      } else {
        const std::size_t start = at;
        while (at < size) {
          const char c = data[at];
          if (c == delimiter_ || c == '\n' || c == '\r') break;
          ++at;
        }
        std::size_t end = at;
        while (end > start && is_blank(data[end - 1])) --end;
        cell.text = input_.substr(start, end - start);
      }
      cells.push_back(cell);
      if (at < size && data[at] == delimiter_) {
        ++at;
        continue;
      }
      if (at < size) {  // a line break: CRLF, LF or CR alone
        if (data[at++] == '\r' && at < size && data[at] == '\n') ++at;
        ++line_;
      }
      position_ = at;
      return true;
    }
  }

 private:
  bool is_blank(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }

  static std::int64_t count_line_breaks(std::string_view text) {
    std::int64_t breaks = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
        ++breaks;
      }
    }
    return breaks;
  }

  static core::Error quote_error(std::int64_t line, std::size_t column, std::string message) {
    core::Error error = core::Error::invalid("line " + std::to_string(line) + ", column " +
                                             std::to_string(column) + ": " + message);
    error.line = line;
    error.column = static_cast<std::int64_t>(column);
    return error;
  }

  std::string_view input_;
  char delimiter_;
  std::size_t position_ = 0;
  std::int64_t line_ = 1;
};

// The delimiter of the first row: the most frequent of ',', ';' and tab outside quotes (',' on
// a tie or when there is none).
char detect_delimiter(std::string_view row) {
  std::size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : row) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

// A cell's text with doubled quotes made single: a view of the input, or of `scratch`.
std::string_view unescaped(const Cell& cell, std::string& scratch) {
  if (!cell.doubled_quotes) return trim(cell.text);
  scratch.clear();
  for (std::size_t i = 0; i < cell.text.size(); ++i) {
    scratch += cell.text[i];
    if (cell.text[i] == '"') ++i;  // the second of a doubled pair
  }
  return trim(scratch);
}

// --- The parser ---------------------------------------------------------------------------

// A row with a balance, for the statement's opening and closing balances.
struct BalanceRow {
  std::int64_t balance = 0;
  std::int64_t total_before = 0;  // the sum of the amounts of the rows above it
  std::int64_t amount = 0;
};

bool add(std::int64_t a, std::int64_t b, std::int64_t& sum) {
  return !__builtin_add_overflow(a, b, &sum);
}
bool subtract(std::int64_t a, std::int64_t b, std::int64_t& difference) {
  return !__builtin_sub_overflow(a, b, &difference);
}

class Parser {
 public:
  Parser(std::string_view input, const BankCsvMapping& mapping, const DatePattern& dates)
      : input_(input),
        mapping_(mapping),
        dates_(dates),
        exponent_(currency_exponent(mapping.currency)),
        decimal_(mapping.decimal_separator) {}

  core::Result<std::vector<BankStatement>> run() {
    if (input_.starts_with("\xEF\xBB\xBF")) input_.remove_prefix(3);  // a byte-order mark
    Scanner probe(input_, ',');
    probe.skip_lines(mapping_.skip_lines);
    const char delimiter =
        mapping_.delimiter != 0 ? mapping_.delimiter : detect_delimiter(probe.rest());
    Scanner scanner(input_, delimiter);
    scanner.skip_lines(mapping_.skip_lines);

    const std::array<const BankCsvColumn*, kSlotCount> columns = columns_of(mapping_);
    for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
      index_[slot] = columns[slot]->index == 0 ? kUnmapped : columns[slot]->index - 1;
    }
    bool seen_row = false;
    if (mapping_.header) {
      core::Result<bool> read = next_row(scanner);
      if (!read) return std::move(read).error();
      if (!*read) {
        return error_at_line(std::max<std::int64_t>(1, last_line_),
                             "the input is empty: no header row");
      }
      seen_row = true;
      core::Result<void> resolved = resolve_header(columns);
      if (!resolved) return std::move(resolved).error();
    }

    statement_.account = mapping_.account;
    statement_.currency = mapping_.currency;
    for (;;) {
      core::Result<bool> read = next_row(scanner);
      if (!read) return std::move(read).error();
      if (!*read) break;
      seen_row = true;
      core::Result<void> added = add_row();
      if (!added) return std::move(added).error();
    }
    if (!seen_row) {
      return error_at_line(std::max<std::int64_t>(1, last_line_), "the input is empty: no rows");
    }
    set_balances();
    std::vector<BankStatement> statements;
    statements.push_back(std::move(statement_));
    return statements;
  }

 private:
  static constexpr std::size_t kUnmapped = std::numeric_limits<std::size_t>::max();

  // The next row that is not blank.
  core::Result<bool> next_row(Scanner& scanner) {
    for (;;) {
      core::Result<bool> read = scanner.next(cells_);
      if (!read || !*read) return read;
      last_line_ = cells_.front().line;
      for (const Cell& cell : cells_) {
        if (!cell.text.empty()) return true;
      }
    }
  }

  core::Error cell_error(std::size_t slot, std::int64_t line, std::string message) const {
    const std::size_t column = index_[slot] + 1;
    core::Error error =
        core::Error::invalid("line " + std::to_string(line) + ", column " + std::to_string(column) +
                                 ": " + std::string(kSlotParameters[slot]) + " " + message,
                             std::string(kSlotParameters[slot]));
    error.line = line;
    error.column = static_cast<std::int64_t>(column);
    return error;
  }

  core::Result<void> resolve_header(const std::array<const BankCsvColumn*, kSlotCount>& columns) {
    const std::int64_t line = cells_.front().line;
    for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
      const BankCsvColumn& column = *columns[slot];
      const std::string_view parameter = kSlotParameters[slot];
      if (column.index > cells_.size()) {
        core::Error error = parameter_error(
            parameter, "is column " + std::to_string(column.index) + ", but the header on line " +
                           std::to_string(line) + " has " + std::to_string(cells_.size()));
        error.line = line;
        return error;
      }
      if (column.name.empty()) continue;
      for (std::size_t i = 0; i < cells_.size(); ++i) {
        if (!equals_ignoring_case(unescaped(cells_[i], scratch_), column.name)) continue;
        if (index_[slot] != kUnmapped) {
          core::Error error = parameter_error(
              parameter, excerpt(column.name) + " names two columns of the header on line " +
                             std::to_string(line) + ": " + std::to_string(index_[slot] + 1) +
                             " and " + std::to_string(i + 1) + "; give its number instead");
          error.line = line;
          return error;
        }
        index_[slot] = i;
      }
      if (index_[slot] == kUnmapped) {
        std::string names;
        for (std::size_t i = 0; i < cells_.size() && i < 16; ++i) {
          if (i > 0) names += ", ";
          names += excerpt(unescaped(cells_[i], scratch_));
        }
        if (cells_.size() > 16) names += ", …";
        core::Error error = parameter_error(
            parameter, excerpt(column.name) + " is not a column of the header on line " +
                           std::to_string(line) + " (" + names + ")");
        error.line = line;
        return error;
      }
    }
    return {};
  }

  // The cell of `slot` in the current row, or nullptr when the slot is unmapped or the row is
  // shorter.
  const Cell* cell(std::size_t slot) const {
    return index_[slot] < cells_.size() ? &cells_[index_[slot]] : nullptr;
  }

  // A required cell; a row too short for it is an error.
  core::Result<const Cell*> required(std::size_t slot) const {
    const Cell* found = cell(slot);
    if (found != nullptr) return found;
    return cell_error(slot, last_line_,
                      "is missing: the row has " + std::to_string(cells_.size()) + " columns");
  }

  core::Result<Date> read_date(std::size_t slot, const Cell& at) {
    const std::string_view text = unescaped(at, scratch_);
    if (text.empty()) return cell_error(slot, at.line, "is empty");
    const std::optional<Date> date = parse_date(text, dates_);
    if (!date) {
      return cell_error(slot, at.line,
                        excerpt(text) + " is not a date in the format " + mapping_.date_format);
    }
    return *date;
  }

  // An amount, or nullopt for an empty cell when `empty_allowed`.
  core::Result<std::optional<std::int64_t>> read_amount(std::size_t slot, const Cell* at,
                                                        bool empty_allowed) {
    const std::string_view text = at == nullptr ? std::string_view() : unescaped(*at, scratch_);
    if (text.empty() && empty_allowed) return std::optional<std::int64_t>();
    std::int64_t minor = 0;
    const AmountProblem problem = parse_amount(text, decimal_, exponent_, minor);
    if (problem != AmountProblem::kNone) {
      return cell_error(slot, at == nullptr ? last_line_ : at->line,
                        describe(problem, text, decimal_, exponent_));
    }
    return std::optional<std::int64_t>(minor);
  }

  void copy_text(std::size_t slot, std::string& out) {
    const Cell* at = cell(slot);
    if (at != nullptr) out.assign(unescaped(*at, scratch_));
  }

  core::Result<void> add_row() {
    BankTransaction transaction;
    core::Result<const Cell*> date_cell = required(kDate);
    if (!date_cell) return std::move(date_cell).error();
    core::Result<Date> booking = read_date(kDate, **date_cell);
    if (!booking) return std::move(booking).error();
    transaction.booking_date = *booking;

    core::Result<std::int64_t> amount = row_amount();
    if (!amount) return std::move(amount).error();
    transaction.amount = *amount;

    if (const Cell* at = cell(kValueDate); at != nullptr && !trim(at->text).empty()) {
      core::Result<Date> value = read_date(kValueDate, *at);
      if (!value) return std::move(value).error();
      transaction.value_date = *value;
    }
    copy_text(kDescription, transaction.description);
    copy_text(kReference, transaction.reference);
    copy_text(kCounterparty, transaction.counterparty_name);
    copy_text(kCounterpartyAccount, transaction.counterparty_account);
    copy_text(kType, transaction.type_code);

    std::int64_t total_before = total_;
    if (!add(total_, transaction.amount, total_)) {
      return cell_error(index_[kAmount] != kUnmapped ? kAmount : kDebit, last_line_,
                        "the amounts add up beyond ±9.2e18 minor units");
    }
    if (index_[kBalance] != kUnmapped) {
      core::Result<std::optional<std::int64_t>> balance =
          read_amount(kBalance, cell(kBalance), true);
      if (!balance) return std::move(balance).error();
      if (*balance) {
        const BalanceRow row{**balance, total_before, transaction.amount};
        if (!first_balance_) {
          first_balance_ = row;
        } else if (!second_balance_) {
          second_balance_ = row;
        }
        last_balance_ = row;
      }
    }
    if (statement_.transactions.empty()) {
      first_date_ = last_date_ = earliest_ = latest_ = transaction.booking_date;
    } else {
      last_date_ = transaction.booking_date;
      earliest_ = std::min(earliest_, transaction.booking_date);
      latest_ = std::max(latest_, transaction.booking_date);
    }
    statement_.transactions.push_back(std::move(transaction));
    return {};
  }

  // The signed amount of the row: its amount column, or credit minus debit.
  core::Result<std::int64_t> row_amount() {
    if (index_[kAmount] != kUnmapped) {
      core::Result<const Cell*> at = required(kAmount);
      if (!at) return std::move(at).error();
      core::Result<std::optional<std::int64_t>> amount = read_amount(kAmount, *at, false);
      if (!amount) return std::move(amount).error();
      return **amount;
    }
    core::Result<std::optional<std::int64_t>> debit = read_amount(kDebit, cell(kDebit), true);
    if (!debit) return std::move(debit).error();
    core::Result<std::optional<std::int64_t>> credit = read_amount(kCredit, cell(kCredit), true);
    if (!credit) return std::move(credit).error();
    // Some banks fill the unused column with 0.00; a zero counts as empty.
    const bool has_debit = *debit && **debit != 0;
    const bool has_credit = *credit && **credit != 0;
    if (has_debit && has_credit) {
      return cell_error(kCredit, last_line_,
                        "and debit_column (column " + std::to_string(index_[kDebit] + 1) +
                            ") both have an amount; a row is one or the other");
    }
    if (has_debit) return **debit < 0 ? **debit : -**debit;
    if (has_credit) return **credit < 0 ? -**credit : **credit;
    if (*debit || *credit) return std::int64_t{0};  // a zero amount, written as such
    return cell_error(
        kDebit, last_line_,
        "and credit_column (column " + std::to_string(index_[kCredit] + 1) + ") are both empty");
  }

  // Opening and closing balances from the running balances, in whichever order the file lists
  // its rows.
  void set_balances() {
    if (!first_balance_) return;
    const BalanceRow& first = *first_balance_;
    const BalanceRow& last = *last_balance_;
    bool newest_first = last_date_ < first_date_;
    if (last_date_ == first_date_ && second_balance_) {
      // One day only: the first two balances tell which way the rows run.
      const BalanceRow& second = *second_balance_;
      std::int64_t forward = 0, backward = 0;
      const bool oldest_first_fits =
          add(second.total_before, second.amount, forward) &&
          subtract(forward, first.total_before + first.amount, forward) &&
          add(first.balance, forward, forward) && forward == second.balance;
      const bool newest_first_fits = subtract(second.total_before, first.total_before, backward) &&
                                     add(second.balance, backward, backward) &&
                                     backward == first.balance;
      newest_first = !oldest_first_fits && newest_first_fits;
    }
    std::int64_t opening = 0, closing = 0, through = 0;
    bool fits = false;
    if (newest_first) {
      fits = add(first.balance, first.total_before, closing) &&
             subtract(total_, last.total_before, through) &&
             subtract(last.balance, through, opening);
    } else {
      fits = add(first.total_before, first.amount, through) &&
             subtract(first.balance, through, opening) &&
             subtract(total_, last.total_before, through) &&
             subtract(through, last.amount, through) && add(last.balance, through, closing);
    }
    if (!fits) {
      statement_.warnings.emplace_back(
          "the balances are beyond ±9.2e18 minor units; opening and closing are not set");
      return;
    }
    statement_.opening = Balance{earliest_, opening};
    statement_.closing = Balance{latest_, closing};
    check_balances(statement_);
  }

  std::string_view input_;
  const BankCsvMapping& mapping_;
  const DatePattern& dates_;
  int exponent_;
  char decimal_;
  std::array<std::size_t, kSlotCount> index_{};  // 0-based column of each slot, or kUnmapped
  std::vector<Cell> cells_;                      // the current row, reused
  std::string scratch_;                          // unescaped text of a cell, reused
  std::int64_t last_line_ = 0;                   // where the current row starts
  BankStatement statement_;
  std::int64_t total_ = 0;
  std::optional<BalanceRow> first_balance_, second_balance_, last_balance_;
  Date first_date_{}, last_date_{}, earliest_{}, latest_{};
};

}  // namespace

std::span<const std::string_view> bank_csv_parameter_names() { return kParameterNames; }

core::Result<void> check_bank_csv_mapping(const BankCsvMapping& mapping) {
  const std::array<const BankCsvColumn*, kSlotCount> columns = columns_of(mapping);
  if (!mapping.date.mapped()) {
    return parameter_error("date_column",
                           "is required: the booking date's column, by header name or number");
  }
  if (mapping.amount.mapped()) {
    for (std::size_t slot : {kDebit, kCredit}) {
      if (columns[slot]->mapped()) {
        return parameter_error(kSlotParameters[slot],
                               "cannot be used with amount_column: map a signed amount, or "
                               "debit and credit columns");
      }
    }
  } else if (!mapping.debit.mapped() && !mapping.credit.mapped()) {
    return parameter_error("amount_column",
                           "is required (or debit_column and credit_column): the column of the "
                           "signed amount, by header name or number");
  } else if (!mapping.debit.mapped() || !mapping.credit.mapped()) {
    const std::string_view missing = mapping.debit.mapped() ? "credit_column" : "debit_column";
    return parameter_error(
        missing, "is required with " +
                     std::string(mapping.debit.mapped() ? "debit_column" : "credit_column"));
  } else if (mapping.debit.index == mapping.credit.index &&
             equals_ignoring_case(mapping.debit.name, mapping.credit.name)) {
    return parameter_error("credit_column", "is the same column as debit_column");
  }
  for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
    const BankCsvColumn& column = *columns[slot];
    if (!column.name.empty() && column.index != 0) {
      return parameter_error(kSlotParameters[slot], "has both a name and a number");
    }
    if (column.index > kMaxColumn) {
      return parameter_error(kSlotParameters[slot],
                             "is beyond the last column number " + std::to_string(kMaxColumn));
    }
    if (!column.name.empty() && !mapping.header) {
      return parameter_error(kSlotParameters[slot],
                             "names a column (" + excerpt(column.name) +
                                 "), but header is false: give its 1-based number");
    }
  }
  core::Result<DatePattern> dates = compile_date_format(mapping.date_format);
  if (!dates) return std::move(dates).error();
  if (mapping.decimal_separator != '.' && mapping.decimal_separator != ',') {
    return parameter_error("decimal_separator", "must be '.' or ','");
  }
  if (mapping.delimiter != 0 && mapping.delimiter != ',' && mapping.delimiter != ';' &&
      mapping.delimiter != '\t') {
    return parameter_error("delimiter", "must be ',', ';' or tab");
  }
  if (mapping.skip_lines > kMaxSkipLines) {
    return parameter_error("skip_lines", "must be at most " + std::to_string(kMaxSkipLines));
  }
  if (mapping.currency.empty()) {
    return parameter_error("currency", "is required: the ISO 4217 code of the account");
  }
  if (!is_currency_code(mapping.currency)) {
    return parameter_error("currency", excerpt(mapping.currency) + " is not an ISO 4217 code");
  }
  if (!is_utf8(mapping.account)) return parameter_error("account", "is not UTF-8 text");
  return {};
}

core::Result<BankCsvMapping> parse_bank_csv_mapping(
    std::span<const std::pair<std::string_view, std::string_view>> parameters) {
  BankCsvMapping mapping;
  const std::array<BankCsvColumn*, kSlotCount> columns = columns_of(mapping);
  std::array<bool, kParameterNames.size()> seen{};
  for (const auto& [name, value] : parameters) {
    const auto known = std::find(kParameterNames.begin(), kParameterNames.end(), name);
    if (known == kParameterNames.end()) {
      std::string names;
      for (std::string_view each : kParameterNames) {
        names.append(names.empty() ? "" : ", ").append(each);
      }
      // The field names the parameter at fault, so it is never empty.
      return core::Error::invalid(excerpt(name) + " is not a bank-csv parameter; known: " + names,
                                  name.empty() ? "(unnamed)" : std::string(name.substr(0, 64)));
    }
    const auto position = static_cast<std::size_t>(known - kParameterNames.begin());
    if (seen[position]) return parameter_error(name, "is given twice");
    seen[position] = true;

    const auto slot = std::find(kSlotParameters.begin(), kSlotParameters.end(), name);
    if (slot != kSlotParameters.end()) {
      core::Result<BankCsvColumn> column = parse_column(name, value);
      if (!column) return std::move(column).error();
      *columns[static_cast<std::size_t>(slot - kSlotParameters.begin())] = std::move(*column);
    } else if (name == "date_format") {
      mapping.date_format = std::string(trim(value));
    } else if (name == "decimal_separator") {
      const std::string_view text = trim(value);
      if (text == "." || text == "dot" || text == "period") {
        mapping.decimal_separator = '.';
      } else if (text == "," || text == "comma") {
        mapping.decimal_separator = ',';
      } else {
        return parameter_error(name, excerpt(value) + " is not '.' or ','");
      }
    } else if (name == "delimiter") {
      // A tab is its own value; trimming would remove it.
      if (value == "\t" || trim(value) == "tab" || trim(value) == "\\t") {
        mapping.delimiter = '\t';
      } else if (trim(value) == "," || trim(value) == "comma") {
        mapping.delimiter = ',';
      } else if (trim(value) == ";" || trim(value) == "semicolon") {
        mapping.delimiter = ';';
      } else if (trim(value).empty() || trim(value) == "auto") {
        mapping.delimiter = 0;
      } else {
        return parameter_error(name, excerpt(value) + " is not ',', ';', 'tab' or 'auto'");
      }
    } else if (name == "header") {
      const std::string_view text = trim(value);
      if (text == "true" || text == "yes" || text == "1") {
        mapping.header = true;
      } else if (text == "false" || text == "no" || text == "0") {
        mapping.header = false;
      } else {
        return parameter_error(name, excerpt(value) + " is not true or false");
      }
    } else if (name == "skip_lines") {
      const std::string_view text = trim(value);
      if (text.empty() || text.size() > 4 || !std::all_of(text.begin(), text.end(), is_digit)) {
        return parameter_error(name, excerpt(value) + " is not a number of lines");
      }
      mapping.skip_lines = std::stoul(std::string(text));
    } else if (name == "currency") {
      mapping.currency = std::string(trim(value));
    } else if (name == "account") {
      mapping.account = std::string(trim(value));
    }
  }
  core::Result<void> checked = check_bank_csv_mapping(mapping);
  if (!checked) return std::move(checked).error();
  return mapping;
}

core::Result<std::vector<BankStatement>> parse_bank_csv(std::string_view input,
                                                        const BankCsvMapping& mapping) {
  core::Result<void> checked = check_bank_csv_mapping(mapping);
  if (!checked) return std::move(checked).error();
  core::Result<DatePattern> dates = compile_date_format(mapping.date_format);
  if (!dates) return std::move(dates).error();
  // Fields split at ASCII bytes, which never occur inside a UTF-8 sequence: when the whole
  // file is UTF-8, so is every field. Otherwise the file is Latin-1 (older bank exports).
  std::string converted;
  if (!is_utf8(input)) {
    converted = utf8_or_latin1(input);
    input = converted;
  }
  return Parser(input, mapping, *dates).run();
}

}  // namespace aic::finance
