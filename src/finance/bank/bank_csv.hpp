// Parser for bank statements exported as CSV, read through a column mapping that the caller
// supplies (banks agree on nothing here: columns, date format, decimal mark, delimiter).
//
// The mapping arrives as name=value parameters (the import API's query string, the CLI's
// options); parse_bank_csv_mapping() checks them once, parse_bank_csv() reads a file with them.
// Pure functions on values; any thread may call them.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// A column of the file: by the text of its header cell (trimmed, ASCII case ignored) or by its
// 1-based position. A parameter value of digits only ("3") is a position, anything else a name.
struct BankCsvColumn {
  std::string name;
  std::size_t index = 0;  // 1-based; 0 when the column is named, or not mapped at all

  bool mapped() const { return index != 0 || !name.empty(); }
};

// How to read one bank's CSV. Each member's comment names its parameter.
struct BankCsvMapping {
  BankCsvColumn date;                  // date_column: booking date (required)
  BankCsvColumn amount;                // amount_column: signed, credit > 0 …
  BankCsvColumn debit;                 // debit_column: … or money out (its sign is ignored)
  BankCsvColumn credit;                // credit_column: … and money in, both required
  BankCsvColumn value_date;            // value_date_column
  BankCsvColumn description;           // description_column
  BankCsvColumn reference;             // reference_column: the bank's id of the entry
  BankCsvColumn counterparty;          // counterparty_column: the other side's name
  BankCsvColumn counterparty_account;  // counterparty_account_column: its IBAN or number
  BankCsvColumn type;                  // type_column: the bank's code or kind of entry
  BankCsvColumn balance;               // balance_column: the running balance after the entry
  // date_format: %Y (four digits), %y (two: 00-69 are 20YY), %m, %d and literal characters;
  // e.g. "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d". Day and month may have one
  // digit when a literal separates them from what follows.
  std::string date_format = "%Y-%m-%d";
  char decimal_separator = '.';  // decimal_separator: '.' or ','; the other one groups thousands
  char delimiter = 0;            // delimiter: ',', ';' or '\t'; 0 detects it from the first row
  bool header = true;            // header: the first row (after skip_lines) names the columns
  std::size_t skip_lines = 0;    // skip_lines: lines before the header (a bank's preamble)
  std::string currency;          // currency: ISO 4217 (required)
  std::string account;           // account: IBAN or number of the statement (optional)
};

// The parameter names parse_bank_csv_mapping() accepts, for help texts and allow-lists.
std::span<const std::string_view> bank_csv_parameter_names();

// A mapping from name=value parameters (names as in BankCsvMapping's comments; columns as a
// header name or a 1-based number; header as true/false; delimiter as ",", ";", "tab" or a tab;
// an empty or absent delimiter is detected). Errors: kInvalidArgument with Error::field naming
// the parameter: an unknown or repeated name, a bad value, a required one missing (date_column,
// amount_column or debit_column and credit_column, currency), amount_column together with
// debit or credit columns, a column named while header is false.
core::Result<BankCsvMapping> parse_bank_csv_mapping(
    std::span<const std::pair<std::string_view, std::string_view>> parameters);

// The same checks on a mapping built in code; parse_bank_csv makes them too.
core::Result<void> check_bank_csv_mapping(const BankCsvMapping& mapping);

// One statement (the mapping's account and currency) with a transaction per row, in file
// order. RFC 4180 fields: quotes around a field allow delimiters, doubled quotes and line
// breaks in it; CRLF or LF; a UTF-8 byte-order mark; blank rows (also ";;;") are skipped.
// Amounts take a leading or trailing '-', '+' or parentheses; debit and credit columns give
// -|debit| or +|credit| (one of the two per row). With a balance column the closing balance is
// the newest row's balance and the opening one the oldest row's balance before its amount
// (files may list newest first: the dates, else the balances, tell), dated by the earliest and
// latest booking dates, and a mismatch is a warning. A file that is not UTF-8 is read as
// Latin-1, so every text is UTF-8. Errors: kInvalidArgument with the 1-based line, the 1-based
// column and Error::field naming the mapping parameter of that column: a bad or empty date or
// amount, a required column missing from a row, a quote never closed or text after one; a named
// column that is not in the header, or is there twice (line of the header).
core::Result<std::vector<BankStatement>> parse_bank_csv(std::string_view input,
                                                        const BankCsvMapping& mapping);

}  // namespace aic::finance
