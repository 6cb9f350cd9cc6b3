#include "finance/bank/bank_formats.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "finance/bank/bai2.hpp"
#include "finance/bank/camt053.hpp"
#include "finance/bank/mt940.hpp"
#include "finance/bank/ofx.hpp"

namespace aic::finance {

namespace {

constexpr std::array<std::string_view, 6> kNames = {"mt940", "mt942", "camt053",
                                                    "bai2",  "ofx",   "qfx"};

// Length of the UTF-8 sequence starting at `text[i]`, or 0 when it is not a valid one
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

bool is_utf8(std::string_view text) {
  // Most bank text is ASCII: skip it eight bytes at a time before decoding anything.
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    if (word & 0x8080808080808080ULL) break;
  }
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

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
  return std::nullopt;
}

std::span<const std::string_view> bank_format_names() { return kNames; }

std::string utf8_or_latin1(std::string_view text) {
  if (is_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (byte >> 6));
      out += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return out;
}

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
