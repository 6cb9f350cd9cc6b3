#include "identity/permissions.hpp"

#include <algorithm>
#include <map>

namespace aic::identity {
namespace {

using Table = std::map<std::string, std::vector<std::string>, std::less<>>;

std::vector<std::string> sorted(std::initializer_list<std::string_view> items) {
  std::vector<std::string> out(items.begin(), items.end());
  std::sort(out.begin(), out.end());
  return out;
}

const Table& table() {
  namespace p = permission;
  static const Table by_role = {
      {"owner", sorted({p::kTenantRead, p::kUsersRead, p::kUsersManage, p::kApiKeysRead,
                        p::kApiKeysManage, p::kServiceAccountsRead, p::kServiceAccountsManage,
                        p::kRolesRead, p::kAuditRead, p::kEntitiesRead, p::kEntitiesWrite,
                        p::kAiInvoke, p::kBillingRead, p::kIntegrationsManage})},
      {"admin",
       sorted({p::kTenantRead, p::kUsersRead, p::kUsersManage, p::kApiKeysRead, p::kApiKeysManage,
               p::kServiceAccountsRead, p::kServiceAccountsManage, p::kRolesRead, p::kAuditRead,
               p::kEntitiesRead, p::kEntitiesWrite, p::kAiInvoke, p::kIntegrationsManage})},
      {"analyst", sorted({p::kTenantRead, p::kEntitiesRead, p::kEntitiesWrite, p::kAiInvoke})},
      {"viewer", sorted({p::kTenantRead, p::kEntitiesRead})},
      {"billing", sorted({p::kTenantRead, p::kBillingRead})},
      {"support_agent", sorted({p::kTenantRead, p::kSupportRead, p::kUsersRead})},
      {"partner_developer", sorted({p::kTenantRead, p::kIntegrationsManage, p::kApiKeysRead})},
      // audit:read gives the operator the platform chain, never a tenant's.
      {std::string(kOperatorRole), sorted({p::kTenantsManage, p::kAuditRead})},
  };
  return by_role;
}

}  // namespace

const std::vector<std::string>& builtin_roles() {
  static const std::vector<std::string> roles = {
      "owner", "admin", "analyst", "viewer", "billing", "support_agent", "partner_developer"};
  return roles;
}

const std::vector<std::string>* role_permissions(std::string_view role) {
  auto it = table().find(role);
  return it == table().end() ? nullptr : &it->second;
}

}  // namespace aic::identity
