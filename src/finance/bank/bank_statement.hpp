// The normalised bank statement every bank-file parser produces (MT940/MT942, camt.053,
// BAI2, OFX, QIF, CSV), whatever the file's own structure.
//
// Amounts are signed minor units of the statement's currency: a credit to the account is
// positive, a debit negative. Dates are calendar dates as the bank wrote them (no time zone).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/utf8.hpp"

namespace aic::finance {

using Date = std::chrono::year_month_day;

// "2024-02-29"; the date must be ok().
std::string format_date(Date date);
// A valid calendar date from its parts, or nullopt (Feb 30th, month 13).
std::optional<Date> make_date(int year, int month, int day);
// "2024-02-29" (the inverse of format_date), or nullopt for anything else.
std::optional<Date> parse_iso_date(std::string_view text);

struct Balance {
  Date date{};
  std::int64_t amount = 0;  // minor units, signed
};

struct BankTransaction {
  Date booking_date{};
  std::optional<Date> value_date;
  std::int64_t amount = 0;  // minor units of the statement currency; credit > 0, debit < 0
  // The bank's identifier of this entry, the key imports de-duplicate on: FITID (OFX),
  // AcctSvcrRef or NtryRef (camt.053), the bank reference of :61: (MT940), the bank
  // reference of a 16 record (BAI2). Empty when the file has none.
  std::string reference;
  std::string customer_reference;  // the account owner's reference, when the file has one
  std::string type_code;           // the file's own code: SWIFT "NTRF", BAI "475", OFX "DEBIT", …
  std::string description;         // free text: :86:, AddtlNtryInf/RmtInf, NAME + MEMO, 16 text
  std::string counterparty_name;
  std::string counterparty_account;  // IBAN or account number of the other side
};

struct BankStatement {
  std::string account;       // IBAN or account number (as the file writes it)
  std::string bank_id;       // BIC, routing number or bank code, when the file has one
  std::string currency;      // ISO 4217
  std::string statement_id;  // :20:/:28C:, Stmt/Id, … when the file has one
  std::optional<Balance> opening;
  std::optional<Balance> closing;
  std::optional<Balance> available;  // closing available balance, when the file has one
  std::vector<BankTransaction> transactions;
  // Problems that do not stop the import (a balance that does not add up, an unknown code).
  std::vector<std::string> warnings;
};

// Adds a warning to `statement` when opening + the sum of transactions differs from closing
// (both balances present). Returns true when they agree or cannot be compared.
bool check_balances(BankStatement& statement);

// The statements as JSON: {"statements":[{"account":…,"currency":…,"opening":{"date",
// "amount"},…,"transactions":[…],"warnings":[…]}]}. Amounts are decimal strings with the
// currency's decimals ("-12.30"), never floating-point numbers.
std::string to_json(const std::vector<BankStatement>& statements);

using core::is_utf8;  // bank parsers check their input with it
// `text` if it is valid UTF-8; otherwise each byte read as ISO-8859-1 (Latin-1).
std::string utf8_or_latin1(std::string_view text);

// A parse error at a line (and column) of the input: kInvalidArgument with `line` set.
core::Error error_at_line(std::int64_t line, std::string message);
// A parse error at an element of an XML input, named by its path ("/Document/BkToCstmrStmt/
// Stmt[1]/Ntry[3]/Amt"): kInvalidArgument with `field` set to the path.
core::Error error_at_path(std::string path, std::string message);

}  // namespace aic::finance
