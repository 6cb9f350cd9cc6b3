// Parser for OFX 1.x (SGML) and 2.x (XML) statements, QFX included.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

// Every statement in `input`. Errors are kInvalidArgument naming the line (or XML path).
core::Result<std::vector<BankStatement>> parse_ofx(std::string_view input);

}  // namespace aic::finance
