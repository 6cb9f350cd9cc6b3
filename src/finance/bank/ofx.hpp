// Parser for OFX 1.x (SGML) and 2.x (XML) statements, QFX included.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// Every bank (STMTRS) and credit-card (CCSTMTRS) statement in `input`, in file order: LEDGERBAL
// is the closing balance, AVAILBAL the available one (OFX has no opening balance). A
// transaction's FITID is its reference, TRNTYPE its type code, NAME (else PAYEE/NAME) the
// counterparty, MEMO the description, CHECKNUM (else REFNUM) the customer reference, DTPOSTED
// the booking date and DTAVAIL the value date; dates are kept as written, without time zones.
// Investment statements (INVSTMTRS) are not imported: a file with only those is an error, one
// with bank statements too gets a warning. Text bytes are passed through (CHARSET 1252 is
// converted by the caller). Errors are kInvalidArgument naming the line.
core::Result<std::vector<BankStatement>> parse_ofx(std::string_view input);

}  // namespace aic::finance
