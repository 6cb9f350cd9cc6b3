// The bank-file formats `aic` reads, by the names the API and the CLI use for them.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

enum class BankFormat { kMt940, kCamt053, kBai2, kOfx, kQif };

// "mt940" (also MT942), "camt053", "bai2", "ofx" (also QFX), "qif", or nullopt. Bank CSV is
// not among them: it needs a column mapping (parse_bank_csv in bank_csv.hpp).
std::optional<BankFormat> bank_format_from_name(std::string_view name);
// The accepted names, for help texts and error messages.
std::span<const std::string_view> bank_format_names();

// Every statement in `input`, read as `format` (QIF with the default QifOptions: US dates,
// USD). Text from the file that is not UTF-8 (older banks write Latin-1) is converted, so
// every string in the result is valid UTF-8.
core::Result<std::vector<BankStatement>> parse_bank_file(BankFormat format, std::string_view input);

}  // namespace aic::finance
