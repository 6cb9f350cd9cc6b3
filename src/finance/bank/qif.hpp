// Parser for QIF (Quicken Interchange Format) bank, cash, credit-card and other-account files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// What QIF does not say about itself: the order of day and month, and the currency.
struct QifOptions {
  bool day_first = false;        // 31/12/2024 rather than 12/31/2024 (ISO dates are unaffected)
  std::string currency = "USD";  // ISO 4217; every statement of the file is in it
};

// One statement per transaction section (!Type:Bank, !Type:CCard, !Type:Cash, !Type:Oth A,
// !Type:Oth L), named by the N of the !Account record before it (empty when there is none).
// QIF has no balances (opening and closing stay empty) and no bank reference: a check number
// in N (digits only) is the reference; any other N (ATM, DEP, EFT, …) is the customer
// reference. D is the booking date (12/31/2024, 12/31/24, 12/31'24, 1/ 5'24 or 2024-12-31; a
// two-digit year after ' is 20YY, after / 00-69 are 20YY and 70-99 19YY), T (else U) the
// amount, P the counterparty, M the description, L the category as type code (a transfer
// "[Savings]" also names the counterparty account). Split lines (S, E, $) belong to their
// transaction, whose amount stays T; splits that do not add up to it are a warning. A, C, F
// and X lines are read and not kept. !Option:AutoSwitch and !Clear:AutoSwitch are accepted.
// Errors are kInvalidArgument naming the 1-based line: an investment (!Type:Invst) or other
// non-bank section, an unknown header or field letter, a bad date or amount, a transaction
// without D or T, a field before any !Type header, and a currency that is not an ISO 4217 code
// (field "currency"). A last record without its closing ^ is kept, with a warning. Accepts CRLF,
// a UTF-8 byte-order mark and blank lines; text bytes are passed through (parse_bank_file
// converts Latin-1).
core::Result<std::vector<BankStatement>> parse_qif(std::string_view input, QifOptions options = {});

}  // namespace aic::finance
