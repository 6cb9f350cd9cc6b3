#include "finance/bank/bank_formats.hpp"

#include <array>

#include "finance/bank/bai2.hpp"
#include "finance/bank/camt053.hpp"
#include "finance/bank/mt940.hpp"
#include "finance/bank/ofx.hpp"
#include "finance/bank/qif.hpp"

namespace aic::finance {

namespace {

constexpr std::array<std::string_view, 7> kNames = {"mt940", "mt942", "camt053", "bai2",
                                                    "ofx",   "qfx",   "qif"};

void make_utf8(std::string& text) {
  if (!is_utf8(text)) text = utf8_or_latin1(text);
}

void make_utf8(BankStatement& statement) {
  for (std::string* text :
       {&statement.account, &statement.bank_id, &statement.currency, &statement.statement_id}) {
    make_utf8(*text);
  }
  for (std::string& warning : statement.warnings) make_utf8(warning);
  for (BankTransaction& transaction : statement.transactions) {
    for (std::string* text : {&transaction.reference, &transaction.customer_reference,
                              &transaction.type_code, &transaction.description,
                              &transaction.counterparty_name, &transaction.counterparty_account}) {
      make_utf8(*text);
    }
  }
}

}  // namespace

std::optional<BankFormat> bank_format_from_name(std::string_view name) {
  if (name == "mt940" || name == "mt942") return BankFormat::kMt940;
  if (name == "camt053") return BankFormat::kCamt053;
  if (name == "bai2") return BankFormat::kBai2;
  if (name == "ofx" || name == "qfx") return BankFormat::kOfx;
  if (name == "qif") return BankFormat::kQif;
  return std::nullopt;
}

std::span<const std::string_view> bank_format_names() { return kNames; }

core::Result<std::vector<BankStatement>> parse_bank_file(BankFormat format,
                                                         std::string_view input) {
  core::Result<std::vector<BankStatement>> parsed = [&] {
    switch (format) {
      case BankFormat::kMt940:
        return parse_mt940(input);
      case BankFormat::kCamt053:
        return parse_camt053(input);
      case BankFormat::kBai2:
        return parse_bai2(input);
      case BankFormat::kOfx:
        return parse_ofx(input);
      case BankFormat::kQif:
        return parse_qif(input);
    }
    return core::Result<std::vector<BankStatement>>(
        core::Error::make(core::ErrorCode::kInternal, "unknown bank format"));
  }();
  if (!parsed) {
    core::Error error = std::move(parsed).error();
    error.message = utf8_or_latin1(error.message);  // errors quote the input
    return error;
  }
  for (BankStatement& statement : *parsed) make_utf8(statement);
  return parsed;
}

}  // namespace aic::finance
