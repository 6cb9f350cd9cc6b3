// Parser for SWIFT MT940 customer statements and MT942 interim reports.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// Every statement in `input`. Errors are kInvalidArgument naming the line (or XML path).
core::Result<std::vector<BankStatement>> parse_mt940(std::string_view input);

}  // namespace aic::finance
