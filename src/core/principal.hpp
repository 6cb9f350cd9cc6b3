// Who is making a request, once a credential has been verified: a plain value shared by the
// HTTP layer (it travels in the request context) and domain code (which scopes every query
// to principal.tenant_id).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aic::core {

struct Principal {
  enum class Kind { kOperator, kUser, kServiceAccount };

  Kind kind = Kind::kUser;
  std::string id;             // user, service account or operator key id
  std::string tenant_id;      // empty for the platform operator
  std::string role;           // "owner", "viewer", …, "platform_operator"
  std::string credential_id;  // the API key or token (jti) that authenticated
  std::string plan;           // the tenant's plan; "platform_operator" for the operator
  std::int64_t rate_limit_per_minute = 0;  // the credential's own limit; 0: the plan's
  std::vector<std::string> permissions;    // sorted

  bool is_operator() const { return kind == Kind::kOperator; }
  bool has(std::string_view permission) const {
    return std::binary_search(permissions.begin(), permissions.end(), permission);
  }
};

// Principals are shared, not copied: a cached credential hands the same immutable principal
// to every request it authenticates.
using SharedPrincipal = std::shared_ptr<const Principal>;

}  // namespace aic::core
