#include "finance/bank/bank_statement.hpp"

#include "core/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/json_writer.hpp"
#include "finance/money.hpp"

namespace aic::finance {

std::string format_date(Date date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

std::optional<Date> make_date(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  Date date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<Date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (char c : text.substr(starts[i], lengths[i])) {
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  return make_date(parts[0], parts[1], parts[2]);
}

bool check_balances(BankStatement& statement) {
  if (!statement.opening || !statement.closing) return true;
  std::int64_t sum = statement.opening->amount;
  for (const BankTransaction& transaction : statement.transactions) {
    if (__builtin_add_overflow(sum, transaction.amount, &sum)) {
      statement.warnings.emplace_back("the transactions' total overflows; balances not checked");
      return false;
    }
  }
  if (sum == statement.closing->amount) return true;
  const int exponent = currency_exponent(statement.currency);
  statement.warnings.push_back(
      "opening balance " + format_minor_units(statement.opening->amount, exponent) +
      " plus transactions " + format_minor_units(sum - statement.opening->amount, exponent) +
      " is " + format_minor_units(sum, exponent) + ", but the closing balance is " +
      format_minor_units(statement.closing->amount, exponent));
  return false;
}

namespace {

void write_balance(core::JsonWriter& json, std::string_view name,
                   const std::optional<Balance>& balance, int exponent) {
  json.key(name);
  if (!balance) {
    json.null();
    return;
  }
  json.begin_object();
  json.member("date", format_date(balance->date));
  json.member("amount", format_minor_units(balance->amount, exponent));
  json.end_object();
}

void member_or_null(core::JsonWriter& json, std::string_view name, std::string_view text) {
  json.key(name);
  if (text.empty()) {
    json.null();
  } else {
    json.value(text);
  }
}

}  // namespace

std::string to_json(const std::vector<BankStatement>& statements) {
  std::string out;
  core::JsonWriter json(out);
  json.begin_object();
  json.key("statements");
  json.begin_array();
  for (const BankStatement& statement : statements) {
    const int exponent = currency_exponent(statement.currency);
    json.begin_object();
    json.member("account", statement.account);
    member_or_null(json, "bank_id", statement.bank_id);
    json.member("currency", statement.currency);
    member_or_null(json, "statement_id", statement.statement_id);
    write_balance(json, "opening", statement.opening, exponent);
    write_balance(json, "closing", statement.closing, exponent);
    write_balance(json, "available", statement.available, exponent);
    json.key("transactions");
    json.begin_array();
    for (const BankTransaction& transaction : statement.transactions) {
      json.begin_object();
      json.member("booking_date", format_date(transaction.booking_date));
      json.key("value_date");
      if (transaction.value_date) {
        json.value(format_date(*transaction.value_date));
      } else {
        json.null();
      }
      json.member("amount", format_minor_units(transaction.amount, exponent));
      member_or_null(json, "reference", transaction.reference);
      member_or_null(json, "customer_reference", transaction.customer_reference);
      member_or_null(json, "type_code", transaction.type_code);
      member_or_null(json, "description", transaction.description);
      member_or_null(json, "counterparty_name", transaction.counterparty_name);
      member_or_null(json, "counterparty_account", transaction.counterparty_account);
      json.end_object();
    }
    json.end_array();
    json.key("warnings");
    json.begin_array();
    for (const std::string& warning : statement.warnings) json.value(warning);
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return out;
}

std::string utf8_or_latin1(std::string_view text) {
  if (is_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (byte >> 6));
      out += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return out;
}

core::Error error_at_line(std::int64_t line, std::string message) {
  core::Error error = core::Error::invalid("line " + std::to_string(line) + ": " + message);
  error.line = line;
  return error;
}

core::Error error_at_path(std::string path, std::string message) {
  std::string text = path + ": " + message;
  return core::Error::invalid(std::move(text), std::move(path));
}

}  // namespace aic::finance
