#include "finance/bank/camt053.hpp"

namespace aic::finance {

core::Result<std::vector<BankStatement>> parse_camt053(std::string_view) {
  return core::Error::make(core::ErrorCode::kInternal, "camt053: not written yet");
}

}  // namespace aic::finance
