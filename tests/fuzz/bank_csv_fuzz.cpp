// libFuzzer target for the bank CSV parser and its column mapping. The mapping comes from the
// input itself, so one corpus explores both:
//   - an input whose first line starts with '?' gives the mapping as a query string
//     ("?date_column=Date&amount_column=2&currency=EUR"), read by parse_bank_csv_mapping; the
//     rest is the file;
//   - any other input spends its first four bytes on a mapping (header, delimiter, decimal
//     separator, date format, amount or debit/credit columns, balance, currency) and the rest
//     is the file.
// A mapping is refused with an invalid-argument error naming the parameter; a file parses to
// valid JSON whose balances add up or carry a warning, or fails with an invalid-argument error
// naming its line; anything else, or a sanitizer report, is a bug.
#include <array>
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finance/bank/bank_csv.hpp"

namespace {

using aic::finance::BankCsvMapping;

std::vector<std::pair<std::string_view, std::string_view>> query_parameters(
    std::string_view query) {
  std::vector<std::pair<std::string_view, std::string_view>> parameters;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t equals = pair.find('=');
    parameters.emplace_back(pair.substr(0, equals), equals == std::string_view::npos
                                                        ? std::string_view()
                                                        : pair.substr(equals + 1));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return parameters;
}

BankCsvMapping mapping_from_bytes(const std::uint8_t* bytes) {
  constexpr std::array<const char*, 6> kDateFormats = {"%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y",
                                                       "%d.%m.%Y", "%Y%m%d",   "%d.%m.%y"};
  constexpr std::array<const char*, 4> kCurrencies = {"USD", "EUR", "JPY", "BHD"};
  constexpr std::array<char, 4> kDelimiters = {0, ',', ';', '\t'};
  BankCsvMapping mapping;
  mapping.header = (bytes[0] & 1) != 0;
  mapping.delimiter = kDelimiters[(bytes[0] >> 1) & 3];
  mapping.decimal_separator = (bytes[0] & 8) != 0 ? ',' : '.';
  mapping.skip_lines = (bytes[0] >> 4) & 1;
  mapping.date_format = kDateFormats[bytes[1] % kDateFormats.size()];
  mapping.currency = kCurrencies[(bytes[1] >> 4) & 3];
  // Columns by number (1-5), or by the names the seeds' headers use.
  const auto column = [&](unsigned bits, const char* name) {
    aic::finance::BankCsvColumn chosen;
    if (mapping.header && (bytes[3] & 0x80) != 0) {
      chosen.name = name;
    } else {
      chosen.index = bits % 5 + 1;
    }
    return chosen;
  };
  mapping.date = column(bytes[2], "Date");
  if ((bytes[2] & 0x80) != 0) {
    mapping.debit = column(bytes[2] >> 3, "Debit");
    mapping.credit = column((bytes[2] >> 3) + 1, "Credit");
  } else {
    mapping.amount = column(bytes[2] >> 3, "Amount");
  }
  if ((bytes[3] & 1) != 0) mapping.balance = column(bytes[3] >> 1, "Balance");
  if ((bytes[3] & 2) != 0) mapping.description = column(bytes[3] >> 2, "Description");
  if ((bytes[3] & 4) != 0) mapping.value_date = column(bytes[3] >> 3, "Value");
  return mapping;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  BankCsvMapping mapping;
  std::string_view file;
  if (input.starts_with('?')) {
    const std::size_t newline = input.find('\n');
    const std::string_view query =
        input.substr(1, newline == std::string_view::npos ? std::string_view::npos : newline - 1);
    auto parsed = aic::finance::parse_bank_csv_mapping(query_parameters(query));
    if (!parsed) {
      const aic::core::Error& error = parsed.error();
      if (error.code != aic::core::ErrorCode::kInvalidArgument) __builtin_trap();
      if (error.field.empty()) __builtin_trap();
      return 0;
    }
    mapping = std::move(*parsed);
    file = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  } else {
    if (size < 4) return 0;
    mapping = mapping_from_bytes(data);
    file = input.substr(4);
  }
  // A mapping that passed its checks (or was built from valid choices) is never refused.
  if (!aic::finance::check_bank_csv_mapping(mapping)) __builtin_trap();

  auto statements = aic::finance::parse_bank_csv(file, mapping);
  if (!statements) {
    const aic::core::Error& error = statements.error();
    if (error.code != aic::core::ErrorCode::kInvalidArgument) __builtin_trap();
    if (!error.line) __builtin_trap();
    return 0;
  }
  if (statements->size() != 1) __builtin_trap();
  const aic::finance::BankStatement& statement = (*statements)[0];
  if (statement.opening.has_value() != statement.closing.has_value()) __builtin_trap();
  if (statement.opening && statement.warnings.empty()) {
    std::int64_t sum = statement.opening->amount;
    bool overflows = false;
    for (const auto& transaction : statement.transactions) {
      overflows = overflows || __builtin_add_overflow(sum, transaction.amount, &sum);
    }
    // A mismatch (or a total beyond int64) must be a warning.
    if (overflows || sum != statement.closing->amount) __builtin_trap();
  }
  boost::system::error_code error;
  (void)boost::json::parse(aic::finance::to_json(*statements), error);
  if (error) __builtin_trap();
  return 0;
}
