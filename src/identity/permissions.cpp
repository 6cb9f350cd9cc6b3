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

}  // namespace

const std::vector<std::string>& tenant_permissions() {
  namespace p = permission;
  static const std::vector<std::string> all = sorted({p::kTenantRead,
                                                      p::kUsersRead,
                                                      p::kUsersManage,
                                                      p::kApiKeysRead,
                                                      p::kApiKeysManage,
                                                      p::kServiceAccountsRead,
                                                      p::kServiceAccountsManage,
                                                      p::kRolesRead,
                                                      p::kRolesManage,
                                                      p::kAuditRead,
                                                      p::kEntitiesRead,
                                                      p::kEntitiesWrite,
                                                      p::kAiInvoke,
                                                      p::kAiManage,
                                                      p::kBillingRead,
                                                      p::kBillingManage,
                                                      p::kSupportRead,
                                                      p::kIntegrationsManage,
                                                      p::kWebhooksRead,
                                                      p::kWebhooksManage,
                                                      p::kEventsRead});
  return all;
}

namespace {

const Table& table() {
  namespace p = permission;
  static const Table by_role = {
      // The owner holds every tenant permission, so it can grant any role.
      {"owner", tenant_permissions()},
      {"admin",
       sorted({p::kTenantRead, p::kUsersRead, p::kUsersManage, p::kApiKeysRead, p::kApiKeysManage,
               p::kServiceAccountsRead, p::kServiceAccountsManage, p::kRolesRead, p::kRolesManage,
               p::kAuditRead, p::kEntitiesRead, p::kEntitiesWrite, p::kAiInvoke, p::kAiManage,
               p::kIntegrationsManage, p::kWebhooksRead, p::kWebhooksManage, p::kEventsRead})},
      {"analyst", sorted({p::kTenantRead, p::kEntitiesRead, p::kEntitiesWrite, p::kAiInvoke})},
      {"viewer", sorted({p::kTenantRead, p::kEntitiesRead})},
      {"billing", sorted({p::kTenantRead, p::kBillingRead, p::kBillingManage})},
      {"support_agent", sorted({p::kTenantRead, p::kSupportRead, p::kUsersRead})},
      {"partner_developer", sorted({p::kTenantRead, p::kIntegrationsManage, p::kApiKeysRead,
                                    p::kWebhooksRead, p::kWebhooksManage, p::kEventsRead})},
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

bool valid_custom_role_name(std::string_view name) {
  if (name.empty() || name.size() > 48 || name.front() < 'a' || name.front() > 'z') return false;
  bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  return allowed && table().find(name) == table().end();
}

const std::vector<std::string>* role_permissions(std::string_view role) {
  auto it = table().find(role);
  return it == table().end() ? nullptr : &it->second;
}

}  // namespace aic::identity
