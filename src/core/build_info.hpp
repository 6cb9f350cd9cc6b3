// What this binary is: version, source commit and build time, fixed at configure time.
#pragma once

#include <string_view>

namespace aic::core {

struct BuildInfo {
  std::string_view version;     // "0.1.0"
  std::string_view commit;      // short git hash, or "unknown"
  std::string_view build_time;  // UTC, RFC 3339
};

const BuildInfo& build_info();

}  // namespace aic::core
