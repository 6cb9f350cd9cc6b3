// Parser for ISO 20022 camt.053 bank-to-customer statements (001.02 and later).
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// Every statement in `input`. Errors are kInvalidArgument naming the line (or XML path).
core::Result<std::vector<BankStatement>> parse_camt053(std::string_view input);

}  // namespace aic::finance
