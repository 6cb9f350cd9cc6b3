// Parser for BAI2 cash-management balance reporting files.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// Every statement in `input`: one per account identifier (03), in file order. Opening,
// closing and available balances come from the 03 type codes 010, 015 and 045; a 16 record
// is a transaction whose sign comes from its type code (credits 100-399 and 920-959, debits
// 400-699 and 960-999; any other code is an error). Amounts are already minor units (BAI2
// implies the currency's decimals). Booking dates are the group's as-of date; two-digit years
// 00-69 are 20YY, 70-99 19YY. The 16 text runs to the end of the line (commas and slashes
// included, a final '/' dropped) and its 88 continuations are joined with one space.
// Errors are kInvalidArgument naming the 1-based line and the field: malformed records, a
// record out of place, and any control total or record count in a 49/98/99 trailer that does
// not match what precedes it. A statement whose balances do not add up gets a warning.
core::Result<std::vector<BankStatement>> parse_bai2(std::string_view input);

}  // namespace aic::finance
