// Permissions are strings ("api_keys:manage"); roles are named sets of them. Built-in tenant
// roles are fixed here; the platform operator's role is separate from every tenant role and
// grants only platform-level permissions (it manages tenants, it does not read their data).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aic::identity {

namespace permission {
inline constexpr std::string_view kTenantsManage = "tenants:manage";  // operator only
inline constexpr std::string_view kTenantRead = "tenant:read";        // own tenant
inline constexpr std::string_view kUsersRead = "users:read";
inline constexpr std::string_view kUsersManage = "users:manage";
inline constexpr std::string_view kApiKeysRead = "api_keys:read";
inline constexpr std::string_view kApiKeysManage = "api_keys:manage";
inline constexpr std::string_view kServiceAccountsRead = "service_accounts:read";
inline constexpr std::string_view kServiceAccountsManage = "service_accounts:manage";
inline constexpr std::string_view kRolesRead = "roles:read";
inline constexpr std::string_view kRolesManage = "roles:manage";
inline constexpr std::string_view kAuditRead = "audit:read";
inline constexpr std::string_view kEntitiesRead = "entities:read";
inline constexpr std::string_view kEntitiesWrite = "entities:write";
inline constexpr std::string_view kAiInvoke = "ai:invoke";
// Prompt templates, evaluations and the tenant's own providers and routes.
inline constexpr std::string_view kAiManage = "ai:manage";
inline constexpr std::string_view kBillingRead = "billing:read";
inline constexpr std::string_view kBillingManage = "billing:manage";  // AI budgets
inline constexpr std::string_view kSupportRead = "support:read";
inline constexpr std::string_view kIntegrationsManage = "integrations:manage";
inline constexpr std::string_view kWebhooksRead = "webhooks:read";
inline constexpr std::string_view kWebhooksManage = "webhooks:manage";
inline constexpr std::string_view kEventsRead = "events:read";  // the live event stream
}  // namespace permission

inline constexpr std::string_view kOperatorRole = "platform_operator";

// The built-in tenant roles, in order of decreasing power.
const std::vector<std::string>& builtin_roles();

// Every permission a tenant role may hold, sorted (all but the operator's).
const std::vector<std::string>& tenant_permissions();

// Whether `name` may name a custom role: 1 to 48 of a-z, 0-9 and '_', starting with a letter,
// and not a built-in role's name.
bool valid_custom_role_name(std::string_view name);

// The sorted permissions of `role` (a built-in tenant role or kOperatorRole), or nullptr for
// any other name (a tenant's custom roles live in the database: IdentityStore).
const std::vector<std::string>* role_permissions(std::string_view role);

}  // namespace aic::identity
