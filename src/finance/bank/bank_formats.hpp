// The bank-file formats `aic` reads, by the names the API and the CLI use for them.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "finance/bank/bank_statement.hpp"

namespace aic::finance {

enum class BankFormat { kMt940, kCamt053, kBai2, kOfx };

// "mt940" (also MT942), "camt053", "bai2", "ofx" (also QFX), or nullopt.
std::optional<BankFormat> bank_format_from_name(std::string_view name);
// The accepted names, for help texts and error messages.
std::span<const std::string_view> bank_format_names();

// Every statement in `input`, read as `format`. Text from the file that is not UTF-8 (older
// banks write Latin-1) is converted, so every string in the result is valid UTF-8.
core::Result<std::vector<BankStatement>> parse_bank_file(BankFormat format,
                                                         std::string_view input);

// `text` if it is valid UTF-8; otherwise each byte read as ISO-8859-1 (Latin-1).
std::string utf8_or_latin1(std::string_view text);

}  // namespace aic::finance
