// libFuzzer target for one bank-file parser, chosen at compile time (AIC_FUZZ_FORMAT names a
// finance::BankFormat): the input is a whole file. A parse either succeeds with output that
// is valid JSON (so valid UTF-8) or fails with an invalid-argument error naming a line or an
// XML path; anything else, or a sanitizer report, is a bug.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string_view>

#include "finance/bank/bank_formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = aic::finance::parse_bank_file(aic::finance::BankFormat::AIC_FUZZ_FORMAT, input);
  if (!parsed) {
    const aic::core::Error& error = parsed.error();
    if (error.code != aic::core::ErrorCode::kInvalidArgument) __builtin_trap();
    if (!error.line && error.field.empty()) __builtin_trap();
    return 0;
  }
  boost::system::error_code error;
  (void)boost::json::parse(aic::finance::to_json(*parsed), error);
  if (error) __builtin_trap();
  return 0;
}
