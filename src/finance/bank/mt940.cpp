#include "finance/bank/mt940.hpp"

namespace aic::finance {

core::Result<std::vector<BankStatement>> parse_mt940(std::string_view) {
  return core::Error::make(core::ErrorCode::kInternal, "mt940: not written yet");
}

}  // namespace aic::finance
