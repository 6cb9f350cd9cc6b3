#include "finance/bank/bai2.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "finance/money.hpp"

namespace aic::finance {

namespace {

// One physical line: its text without the line break, and its 1-based number.
struct Line {
  std::string_view text;
  std::int64_t number = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view trim_end(std::string_view text) {
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
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

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Digits as a non-negative number, or nullopt (empty, not digits, beyond int64).
std::optional<std::int64_t> parse_count(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, c - '0', &value)) {
      return std::nullopt;
    }
  }
  return value;
}

// A BAI amount: digits with implied decimals, so the number is already in minor units of the
// currency. A leading '+' or '-' when `allow_sign`.
std::optional<std::int64_t> parse_amount(std::string_view text, bool allow_sign) {
  bool negative = false;
  if (allow_sign && !text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  std::optional<std::int64_t> value = parse_count(text);
  if (value && negative) *value = -*value;
  return value;
}

// YYMMDD. BAI2 years have two digits: 00-69 are read as 20YY, 70-99 as 19YY.
std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 6 || !all_digits(text)) return std::nullopt;
  const auto two = [&](std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); };
  const int year = two(0);
  return make_date(year < 70 ? 2000 + year : 1900 + year, two(2), two(4));
}

// Splits the input into physical lines (LF or CRLF), one at a time, with a one-line lookahead
// so that a record can gather its 88 continuations.
class LineReader {
 public:
  explicit LineReader(std::string_view input) : input_(input) {}

  // The next line that is not blank; false at the end of the input.
  bool next(Line& line) {
    if (has_pending_) {
      has_pending_ = false;
      line = pending_;
      return true;
    }
    return read(line);
  }

  // The next non-blank line without consuming it.
  bool peek(Line& line) {
    if (!has_pending_) has_pending_ = read(pending_);
    line = pending_;
    return has_pending_;
  }

  std::int64_t last_number() const { return number_; }

 private:
  bool read(Line& line) {
    while (position_ < input_.size()) {
      std::size_t end = input_.find('\n', position_);
      if (end == std::string_view::npos) end = input_.size();
      line.text = input_.substr(position_, end - position_);
      if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
      line.number = ++number_;
      position_ = end + 1;
      if (!trim(line.text).empty()) return true;
    }
    return false;
  }

  std::string_view input_;
  std::size_t position_ = 0;
  std::int64_t number_ = 0;  // of the last line read, blank or not
  Line pending_;
  bool has_pending_ = false;
};

// The two-digit record code of a line ("16" of "16,409,…"), or nullopt.
std::optional<int> record_code(std::string_view text) {
  if (text.size() < 2 || text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9') {
    return std::nullopt;
  }
  if (text.size() > 2 && text[2] != ',' && text[2] != '/' && !is_blank(text[2])) {
    return std::nullopt;
  }
  return (text[0] - '0') * 10 + (text[1] - '0');
}

// The fields of one logical record: its own line and the 88 lines that continue it. A ','
// separates fields; a '/' ends the record's data on that physical line (padding may follow),
// and an 88 line carries on with the next field. The 16 record's text is the exception: it is
// everything to the end of the line, commas and slashes included.
class FieldCursor {
 public:
  explicit FieldCursor(std::span<const Line> lines) : lines_(lines) {
    if (!lines_.empty()) start_segment();
  }

  // The next field, trimmed; nullopt when the record has no more fields (missing fields are
  // defaulted by the format, so callers treat nullopt as empty where that is allowed).
  std::optional<std::string_view> next() {
    while (index_ < lines_.size() && segment_done_) {
      ++index_;
      if (index_ < lines_.size()) start_segment();
    }
    if (index_ >= lines_.size()) return std::nullopt;
    const std::string_view text = segment_;
    std::size_t end = position_;
    while (end < text.size() && text[end] != ',' && text[end] != '/') ++end;
    const std::string_view field = text.substr(position_, end - position_);
    if (end < text.size() && text[end] == ',') {
      position_ = end + 1;
      segment_done_ = position_ >= text.size();
    } else {
      position_ = text.size();
      segment_done_ = true;
    }
    return trim(field);
  }

  // The rest of the record as free text: the rest of this line and every continuation line,
  // each without a final '/' and trailing padding, joined with one space.
  std::string rest_as_text() {
    std::string text;
    const auto append = [&](std::string_view piece) {
      piece = trim_end(piece);
      if (!piece.empty() && piece.back() == '/') {
        piece = trim_end(piece.substr(0, piece.size() - 1));
      }
      if (piece.empty()) return;
      if (!text.empty()) text += ' ';
      text.append(piece);
    };
    if (index_ < lines_.size() && !segment_done_) append(segment_.substr(position_));
    for (std::size_t i = index_ + 1; i < lines_.size(); ++i) append(data_of(lines_[i].text));
    index_ = lines_.size();
    return text;
  }

  // The line of the field read last (the record's first line before any).
  std::int64_t line() const {
    return lines_.empty() ? 0 : lines_[index_ < lines_.size() ? index_ : lines_.size() - 1].number;
  }

 private:
  // Every line of a record starts with a two-digit code; its data begins after the comma.
  static std::string_view data_of(std::string_view line) {
    return line.size() >= 3 && line[2] == ',' ? line.substr(3) : std::string_view{};
  }

  void start_segment() {
    const std::string_view text = lines_[index_].text;
    segment_ = data_of(text);
    position_ = 0;
    segment_done_ = text.size() < 3 || text[2] != ',';
  }

  std::span<const Line> lines_;
  std::size_t index_ = 0;
  std::string_view segment_;
  std::size_t position_ = 0;
  bool segment_done_ = true;
};

core::Error field_error(std::int64_t line, std::string_view record, std::string_view field,
                        std::string_view message) {
  std::string text;
  text.append(record).append(": ").append(field).append(" ").append(message);
  core::Error error = error_at_line(line, std::move(text));
  error.field = std::string(field);
  return error;
}

std::string field_or_empty(const std::optional<std::string_view>& field) {
  return field ? std::string(*field) : std::string();
}

// What a funds type and its extra fields tell: the value date of type V.
struct FundsType {
  std::optional<Date> value_date;
};

// Reads a funds type and the fields that depend on it: V has a value date and time, S three
// availability amounts, D a count of (days, amount) distributions. None of the extra amounts
// count toward control totals.
core::Result<FundsType> read_funds_type(FieldCursor& fields, std::string_view record) {
  FundsType funds;
  const std::optional<std::string_view> type = fields.next();
  if (!type || type->empty() || *type == "0" || *type == "1" || *type == "2" || *type == "Z") {
    return funds;
  }
  if (*type == "V") {
    const std::string_view date = fields.next().value_or("");
    const std::string_view time = fields.next().value_or("");
    if (!date.empty()) {
      funds.value_date = parse_date(date);
      if (!funds.value_date) {
        return field_error(fields.line(), record, "value date",
                           "is not a date (YYMMDD): " + excerpt(date));
      }
    }
    if (!time.empty() && !all_digits(time)) {
      return field_error(fields.line(), record, "value time",
                         "is not a time (HHMM): " + excerpt(time));
    }
    return funds;
  }
  if (*type == "S") {
    for (const char* name :
         {"immediate availability", "one-day availability", "two-or-more-day availability"}) {
      const std::string_view amount = fields.next().value_or("");
      if (!amount.empty() && !parse_amount(amount, true)) {
        return field_error(fields.line(), record, name, "is not an amount: " + excerpt(amount));
      }
    }
    return funds;
  }
  if (*type == "D") {
    const std::string_view count_text = fields.next().value_or("");
    const std::optional<std::int64_t> count = parse_count(count_text);
    if (!count) {
      return field_error(fields.line(), record, "number of distributions",
                         "is not a number: " + excerpt(count_text));
    }
    for (std::int64_t i = 0; i < *count; ++i) {
      const std::optional<std::string_view> days = fields.next();
      const std::optional<std::string_view> amount = fields.next();
      if (!days || !amount) {
        return field_error(fields.line(), record, "distribution",
                           std::to_string(i + 1) + " of " + std::to_string(*count) +
                               " is missing: the record ends early");
      }
      if (!parse_count(*days)) {
        return field_error(fields.line(), record, "distribution days",
                           "is not a number: " + excerpt(*days));
      }
      if (!parse_amount(*amount, true)) {
        return field_error(fields.line(), record, "distribution amount",
                           "is not an amount: " + excerpt(*amount));
      }
    }
    return funds;
  }
  return field_error(fields.line(), record, "funds type",
                     "is not one of 0, 1, 2, V, S, D, Z: " + excerpt(*type));
}

// The direction of a 16 record from its type code: +1 credit, -1 debit, 0 not a detail code.
// BAI reserves 100-399 for credits and 400-699 for debits; of the bank-defined codes 900-999,
// 900-919 are status codes, 920-959 credits and 960-999 debits.
int direction_of(int type_code) {
  if ((type_code >= 100 && type_code <= 399) || (type_code >= 920 && type_code <= 959)) return 1;
  if ((type_code >= 400 && type_code <= 699) || (type_code >= 960 && type_code <= 999)) return -1;
  return 0;
}

class Parser {
 public:
  explicit Parser(std::string_view input) : lines_(input) {}

  core::Result<std::vector<BankStatement>> run() {
    Line line;
    while (lines_.next(line)) {
      const std::optional<int> code = record_code(line.text);
      if (!code) {
        return error_at_line(
            line.number,
            "not a BAI2 record (two-digit record code and a comma): " + excerpt(line.text));
      }
      record_.clear();
      record_.push_back(line);
      Line continuation;
      while (lines_.peek(continuation) && record_code(continuation.text) == 88) {
        lines_.next(continuation);
        record_.push_back(continuation);
      }
      const auto physical_records = static_cast<std::int64_t>(record_.size());
      if (file_ended_) {
        return error_at_line(line.number, "a record after the file trailer (99)");
      }
      if (!in_file_ && *code != 1) {
        return error_at_line(
            line.number, "a BAI2 file starts with a file header (01), found " + excerpt(line.text));
      }
      file_records_ += physical_records;
      if (in_group_ || *code == 2) group_records_ += physical_records;
      if (in_account_ || *code == 3) account_records_ += physical_records;

      FieldCursor fields(record_);
      core::Result<void> handled = handle(*code, fields, line.number);
      if (!handled) return std::move(handled).error();
    }
    if (!file_ended_) {
      return error_at_line(lines_.last_number() == 0 ? 1 : lines_.last_number(),
                           in_file_ ? "the file ends without a file trailer (99)"
                                    : "the input is empty: no file header (01)");
    }
    return std::move(statements_);
  }

 private:
  core::Result<void> handle(int code, FieldCursor& fields, std::int64_t line) {
    switch (code) {
      case 1:
        return file_header(fields, line);
      case 2:
        return group_header(fields, line);
      case 3:
        return account_identifier(fields, line);
      case 16:
        return transaction_detail(fields, line);
      case 49:
        return account_trailer(fields, line);
      case 98:
        return group_trailer(fields, line);
      case 99:
        return file_trailer(fields, line);
      case 88:
        return error_at_line(line, "a continuation (88) with no record before it");
      default:
        return error_at_line(
            line, "unknown record code " + std::to_string(code / 10) + std::to_string(code % 10));
    }
  }

  core::Result<void> file_header(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "file header (01)";
    if (in_file_) return error_at_line(line, "a second file header (01)");
    const std::string_view sender = fields.next().value_or("");
    fields.next();  // receiver: not part of the statement
    const std::string_view date = fields.next().value_or("");
    const std::string_view time = fields.next().value_or("");
    fields.next();  // file identification number
    const std::string_view record_length = fields.next().value_or("");
    const std::string_view block_size = fields.next().value_or("");
    const std::string_view version = fields.next().value_or("");
    if (sender.empty()) return field_error(line, kRecord, "sender", "is missing");
    if (!parse_date(date)) {
      return field_error(fields.line(), kRecord, "creation date",
                         "is not a date (YYMMDD): " + excerpt(date));
    }
    if (!time.empty() && !all_digits(time)) {
      return field_error(fields.line(), kRecord, "creation time",
                         "is not a time (HHMM): " + excerpt(time));
    }
    if (!record_length.empty() && !parse_count(record_length)) {
      return field_error(fields.line(), kRecord, "record length",
                         "is not a number: " + excerpt(record_length));
    }
    if (!block_size.empty() && !parse_count(block_size)) {
      return field_error(fields.line(), kRecord, "block size",
                         "is not a number: " + excerpt(block_size));
    }
    if (version != "2") {
      return field_error(fields.line(), kRecord, "version",
                         "is " + excerpt(version) + "; only BAI version 2 is read");
    }
    in_file_ = true;
    return {};
  }

  core::Result<void> group_header(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "group header (02)";
    if (in_group_)
      return error_at_line(line, "a group header (02) inside a group: no 98 before it");
    fields.next();  // ultimate receiver: not part of the statement
    const std::string_view originator = fields.next().value_or("");
    const std::string_view status = fields.next().value_or("");
    const std::string_view date = fields.next().value_or("");
    const std::string_view time = fields.next().value_or("");
    const std::string_view currency = fields.next().value_or("");
    const std::string_view modifier = fields.next().value_or("");
    if (!status.empty() && (status.size() != 1 || status[0] < '1' || status[0] > '4')) {
      return field_error(fields.line(), kRecord, "group status",
                         "is not 1, 2, 3 or 4: " + excerpt(status));
    }
    const std::optional<Date> as_of = parse_date(date);
    if (!as_of) {
      return field_error(fields.line(), kRecord, "as-of date",
                         "is not a date (YYMMDD): " + excerpt(date));
    }
    if (!time.empty() && !all_digits(time)) {
      return field_error(fields.line(), kRecord, "as-of time",
                         "is not a time (HHMM): " + excerpt(time));
    }
    if (!currency.empty() && !is_currency_code(currency)) {
      return field_error(fields.line(), kRecord, "currency",
                         "is not an ISO 4217 code: " + excerpt(currency));
    }
    if (!modifier.empty() && (modifier.size() != 1 || modifier[0] < '1' || modifier[0] > '4')) {
      return field_error(fields.line(), kRecord, "as-of date modifier",
                         "is not 1, 2, 3 or 4: " + excerpt(modifier));
    }
    in_group_ = true;
    group_bank_id_ = std::string(originator);
    group_currency_ = currency.empty() ? std::string("USD") : std::string(currency);
    group_date_ = *as_of;
    group_total_ = 0;
    group_accounts_ = 0;
    return {};
  }

  core::Result<void> account_identifier(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "account identifier (03)";
    if (!in_group_) return error_at_line(line, "an account identifier (03) outside a group");
    if (in_account_) {
      return error_at_line(line, "an account identifier (03) inside an account: no 49 before it");
    }
    const std::string_view account = fields.next().value_or("");
    const std::string_view currency = fields.next().value_or("");
    if (account.empty()) return field_error(line, kRecord, "account number", "is missing");
    if (!currency.empty() && !is_currency_code(currency)) {
      return field_error(fields.line(), kRecord, "currency",
                         "is not an ISO 4217 code: " + excerpt(currency));
    }
    statement_ = BankStatement{};
    statement_.account = std::string(account);
    statement_.bank_id = group_bank_id_;
    statement_.currency = currency.empty() ? group_currency_ : std::string(currency);
    account_total_ = 0;
    in_account_ = true;

    // Repeating (type code, amount, item count, funds type) summaries and status values.
    while (const std::optional<std::string_view> type = fields.next()) {
      const std::int64_t type_line = fields.line();
      const std::string_view amount_text = fields.next().value_or("");
      const std::string_view item_count = fields.next().value_or("");
      if (type->empty()) {
        if (!amount_text.empty()) {
          return field_error(type_line, kRecord, "type code", "is missing before an amount");
        }
      } else if (type->size() != 3 || !all_digits(*type)) {
        return field_error(type_line, kRecord, "type code",
                           "is not a three-digit code: " + excerpt(*type));
      }
      if (!item_count.empty() && !parse_count(item_count)) {
        return field_error(fields.line(), kRecord, "item count",
                           "is not a number: " + excerpt(item_count));
      }
      core::Result<FundsType> funds = read_funds_type(fields, kRecord);
      if (!funds) return std::move(funds).error();
      if (amount_text.empty()) continue;
      const std::optional<std::int64_t> amount = parse_amount(amount_text, true);
      if (!amount) {
        return field_error(
            type_line, kRecord, "amount",
            "of type code " + std::string(*type) + " is not an amount: " + excerpt(amount_text));
      }
      if (__builtin_add_overflow(account_total_, *amount, &account_total_)) {
        return error_at_line(type_line, "the account's amounts overflow");
      }
      const Balance balance{group_date_, *amount};
      if (*type == "010") statement_.opening = balance;
      if (*type == "015") statement_.closing = balance;
      if (*type == "045") statement_.available = balance;
    }
    return {};
  }

  core::Result<void> transaction_detail(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "transaction detail (16)";
    if (!in_account_) return error_at_line(line, "a transaction detail (16) outside an account");
    const std::string_view type = fields.next().value_or("");
    const std::int64_t type_line = fields.line();
    const std::string_view amount_text = fields.next().value_or("");
    const std::int64_t amount_line = fields.line();
    if (type.size() != 3 || !all_digits(type)) {
      return field_error(type_line, kRecord, "type code",
                         "is not a three-digit code: " + excerpt(type));
    }
    const int type_code = (type[0] - '0') * 100 + (type[1] - '0') * 10 + (type[2] - '0');
    const int direction = direction_of(type_code);
    if (direction == 0) {
      return field_error(type_line, kRecord, "type code",
                         std::string(type) +
                             " is neither a credit (100-399, 920-959) nor a debit (400-699, "
                             "960-999) code");
    }
    // Detail amounts are unsigned: the type code gives the direction.
    const std::optional<std::int64_t> amount = parse_amount(amount_text, false);
    if (!amount) {
      return field_error(amount_line, kRecord, "amount",
                         "is not an unsigned amount: " + excerpt(amount_text));
    }
    core::Result<FundsType> funds = read_funds_type(fields, kRecord);
    if (!funds) return std::move(funds).error();
    BankTransaction transaction;
    transaction.booking_date = group_date_;
    transaction.value_date = funds->value_date;
    transaction.amount = direction * *amount;
    transaction.type_code = std::string(type);
    transaction.reference = field_or_empty(fields.next());
    transaction.customer_reference = field_or_empty(fields.next());
    transaction.description = fields.rest_as_text();
    if (__builtin_add_overflow(account_total_, *amount, &account_total_)) {
      return error_at_line(amount_line, "the account's amounts overflow");
    }
    statement_.transactions.push_back(std::move(transaction));
    return {};
  }

  core::Result<void> account_trailer(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "account trailer (49)";
    if (!in_account_) return error_at_line(line, "an account trailer (49) outside an account");
    const std::string_view total_text = fields.next().value_or("");
    const std::string_view count_text = fields.next().value_or("");
    const std::optional<std::int64_t> total = parse_amount(total_text, true);
    if (!total) {
      return field_error(line, kRecord, "control total",
                         "is not an amount: " + excerpt(total_text));
    }
    const std::optional<std::int64_t> count = parse_count(count_text);
    if (!count) {
      return field_error(line, kRecord, "number of records",
                         "is not a number: " + excerpt(count_text));
    }
    const int exponent = currency_exponent(statement_.currency);
    if (*total != account_total_) {
      return field_error(line, kRecord, "control total",
                         format_minor_units(*total, exponent) + " differs from " +
                             format_minor_units(account_total_, exponent) +
                             ", the sum of account " + statement_.account + "'s amounts");
    }
    if (*count != account_records_) {
      return field_error(line, kRecord, "number of records",
                         std::to_string(*count) + " differs from the " +
                             std::to_string(account_records_) + " records of account " +
                             statement_.account + " (03 to 49)");
    }
    if (__builtin_add_overflow(group_total_, *total, &group_total_)) {
      return error_at_line(line, "the group's control totals overflow");
    }
    ++group_accounts_;
    in_account_ = false;
    account_records_ = 0;
    check_balances(statement_);
    statements_.push_back(std::move(statement_));
    statement_ = BankStatement{};
    return {};
  }

  core::Result<void> group_trailer(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "group trailer (98)";
    if (in_account_) return error_at_line(line, "a group trailer (98) before the account's 49");
    if (!in_group_) return error_at_line(line, "a group trailer (98) outside a group");
    const std::string_view total_text = fields.next().value_or("");
    const std::string_view accounts_text = fields.next().value_or("");
    const std::string_view count_text = fields.next().value_or("");
    const std::optional<std::int64_t> total = parse_amount(total_text, true);
    if (!total) {
      return field_error(line, kRecord, "control total",
                         "is not an amount: " + excerpt(total_text));
    }
    const std::optional<std::int64_t> accounts = parse_count(accounts_text);
    if (!accounts) {
      return field_error(line, kRecord, "number of accounts",
                         "is not a number: " + excerpt(accounts_text));
    }
    const std::optional<std::int64_t> count = parse_count(count_text);
    if (!count) {
      return field_error(line, kRecord, "number of records",
                         "is not a number: " + excerpt(count_text));
    }
    if (*total != group_total_) {
      const int exponent = currency_exponent(group_currency_);
      return field_error(line, kRecord, "control total",
                         format_minor_units(*total, exponent) + " differs from " +
                             format_minor_units(group_total_, exponent) +
                             ", the sum of the group's account trailers");
    }
    if (*accounts != group_accounts_) {
      return field_error(line, kRecord, "number of accounts",
                         std::to_string(*accounts) + " differs from the " +
                             std::to_string(group_accounts_) + " accounts in the group");
    }
    if (*count != group_records_) {
      return field_error(line, kRecord, "number of records",
                         std::to_string(*count) + " differs from the group's " +
                             std::to_string(group_records_) + " records (02 to 98)");
    }
    if (__builtin_add_overflow(file_total_, *total, &file_total_)) {
      return error_at_line(line, "the file's control totals overflow");
    }
    ++file_groups_;
    in_group_ = false;
    group_records_ = 0;
    return {};
  }

  core::Result<void> file_trailer(FieldCursor& fields, std::int64_t line) {
    constexpr std::string_view kRecord = "file trailer (99)";
    if (in_group_) return error_at_line(line, "a file trailer (99) before the group's 98");
    const std::string_view total_text = fields.next().value_or("");
    const std::string_view groups_text = fields.next().value_or("");
    const std::string_view count_text = fields.next().value_or("");
    const std::optional<std::int64_t> total = parse_amount(total_text, true);
    if (!total) {
      return field_error(line, kRecord, "control total",
                         "is not an amount: " + excerpt(total_text));
    }
    const std::optional<std::int64_t> groups = parse_count(groups_text);
    if (!groups) {
      return field_error(line, kRecord, "number of groups",
                         "is not a number: " + excerpt(groups_text));
    }
    const std::optional<std::int64_t> count = parse_count(count_text);
    if (!count) {
      return field_error(line, kRecord, "number of records",
                         "is not a number: " + excerpt(count_text));
    }
    // Groups may be in different currencies, so the file total is a plain number.
    if (*total != file_total_) {
      return field_error(line, kRecord, "control total",
                         std::to_string(*total) + " differs from " + std::to_string(file_total_) +
                             ", the sum of the group trailers (in minor units)");
    }
    if (*groups != file_groups_) {
      return field_error(line, kRecord, "number of groups",
                         std::to_string(*groups) + " differs from the " +
                             std::to_string(file_groups_) + " groups in the file");
    }
    if (*count != file_records_) {
      return field_error(line, kRecord, "number of records",
                         std::to_string(*count) + " differs from the file's " +
                             std::to_string(file_records_) + " records (01 to 99)");
    }
    file_ended_ = true;
    return {};
  }

  LineReader lines_;
  std::vector<Line> record_;  // the current record's line and its continuations, reused
  std::vector<BankStatement> statements_;

  bool in_file_ = false;
  bool file_ended_ = false;
  std::int64_t file_records_ = 0;
  std::int64_t file_total_ = 0;
  std::int64_t file_groups_ = 0;

  bool in_group_ = false;
  std::string group_bank_id_;
  std::string group_currency_;
  Date group_date_{};
  std::int64_t group_records_ = 0;
  std::int64_t group_total_ = 0;
  std::int64_t group_accounts_ = 0;

  bool in_account_ = false;
  BankStatement statement_;
  std::int64_t account_records_ = 0;
  std::int64_t account_total_ = 0;
};

}  // namespace

core::Result<std::vector<BankStatement>> parse_bai2(std::string_view input) {
  return Parser(input).run();
}

}  // namespace aic::finance
