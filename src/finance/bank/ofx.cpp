#include "finance/bank/ofx.hpp"

namespace aic::finance {

core::Result<std::vector<BankStatement>> parse_ofx(std::string_view) {
  return core::Error::make(core::ErrorCode::kInternal, "ofx: not written yet");
}

}  // namespace aic::finance
