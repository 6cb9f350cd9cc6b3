// libFuzzer target for the SEC EDGAR companyfacts parser and the scores computed from what it
// returns: the input is a whole file. A parse either fails with an invalid-argument error
// naming a JSON path, or gives periods whose every score is finite or null, in valid JSON.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string_view>

#include "finance/analytics/scores.hpp"
#include "finance/statements/edgar.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto facts = aic::finance::parse_edgar_companyfacts(input);
  if (!facts) {
    if (facts.error().code != aic::core::ErrorCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  const aic::finance::FirmProfile profile{true, false};
  for (std::size_t i = 0; i < facts->periods.size(); ++i) {
    std::optional<aic::finance::FinancialPeriod> prior;
    if (i > 0) prior = facts->periods[i - 1].values;
    const auto scores = aic::finance::score_period(facts->periods[i].values, prior, profile);
    boost::system::error_code error;
    (void)boost::json::parse(aic::finance::to_json(scores), error);
    if (error) __builtin_trap();
  }
  return 0;
}
