#include "api/v1/identity_routes.hpp"

#include <boost/json.hpp>

#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "http/problem.hpp"
#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace json = boost::json;
using http::RequestContext;
using http::Response;
namespace permission = identity::permission;

json::object tenant_json(const identity::Tenant& tenant) {
  return {{"id", tenant.id},
          {"slug", tenant.slug},
          {"name", tenant.name},
          {"plan", tenant.plan},
          {"created_at", tenant.created_at}};
}

json::object key_json(const identity::ApiKey& key) {
  json::object out{{"id", key.id},
                   {"name", key.name},
                   {"role", key.role},
                   {"principal_type", key.principal_kind},
                   {"principal_id", key.principal_id},
                   {"created_at", key.created_at}};
  out["expires_at"] = key.expires_at ? json::value(*key.expires_at) : json::value(nullptr);
  out["revoked_at"] = key.revoked_at ? json::value(*key.revoked_at) : json::value(nullptr);
  out["last_used_at"] = key.last_used_at ? json::value(*key.last_used_at) : json::value(nullptr);
  out["replaced_by"] = key.replaced_by ? json::value(*key.replaced_by) : json::value(nullptr);
  out["rate_limit_per_minute"] =
      key.rate_limit_per_minute ? json::value(*key.rate_limit_per_minute) : json::value(nullptr);
  return out;
}

json::object account_json(const identity::ServiceAccount& account) {
  json::object out{{"id", account.id},
                   {"client_id", account.id},
                   {"name", account.name},
                   {"role", account.role},
                   {"created_at", account.created_at}};
  out["disabled_at"] =
      account.disabled_at ? json::value(*account.disabled_at) : json::value(nullptr);
  return out;
}

using Handler = boost::asio::awaitable<Response> (*)(const IdentityDependencies&, RequestContext&);

boost::asio::awaitable<Response> create_tenant(const IdentityDependencies& deps,
                                               RequestContext& context) {
  auto body = JsonBody::parse(context.request, {"name", "slug", "plan", "owner_email"},
                              {"id", "created_at", "tenant_id"});
  if (!body) co_return error_response(body.error(), context);
  identity::NewTenant request;
  body->required("name", request.name)
      .required("owner_email", request.owner_email)
      .optional("slug", request.slug)
      .optional("plan", request.plan);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.create_tenant(*actor, request, origin_of(context));
  });
  if (!created) co_return error_response(created.error(), context);
  co_return json_response(201, {{"tenant_id", created->tenant.id},
                                {"tenant", tenant_json(created->tenant)},
                                {"owner_user_id", created->owner_user_id},
                                {"owner_api_key", created->owner_key.token}});
}

boost::asio::awaitable<Response> list_tenants(const IdentityDependencies& deps,
                                              RequestContext& context) {
  auto tenants =
      co_await deps.workers.run(context.deadline, [&] { return deps.identities.list_tenants(); });
  if (!tenants) co_return error_response(tenants.error(), context);
  json::array items;
  for (const auto& tenant : *tenants) items.push_back(tenant_json(tenant));
  co_return list_response(std::move(items), std::nullopt);
}

boost::asio::awaitable<Response> get_tenant(const IdentityDependencies& deps,
                                            RequestContext& context) {
  std::string id(context.param("tenant_id"));
  auto tenant =
      co_await deps.workers.run(context.deadline, [&] { return deps.identities.get_tenant(id); });
  if (!tenant) co_return error_response(tenant.error(), context);
  co_return json_response(200, tenant_json(*tenant));
}

boost::asio::awaitable<Response> create_api_key(const IdentityDependencies& deps,
                                                RequestContext& context) {
  auto body =
      JsonBody::parse(context.request, {"name", "role", "expires_at", "rate_limit_per_minute"},
                      {"id", "tenant_id", "principal_id", "principal_type", "created_at",
                       "revoked_at", "token", "last_used_at", "replaced_by"});
  if (!body) co_return error_response(body.error(), context);
  identity::NewApiKey request;
  body->required("name", request.name)
      .required("role", request.role)
      .optional("expires_at", request.expires_at)
      .optional("rate_limit_per_minute", request.rate_limit_per_minute);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto issued = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.create_api_key(*actor, request, origin_of(context));
  });
  if (!issued) co_return error_response(issued.error(), context);
  json::object out = key_json(issued->key);
  out["token"] = issued->token;
  co_return json_response(201, out);
}

boost::asio::awaitable<Response> list_api_keys(const IdentityDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto keys = co_await deps.workers.run(context.deadline,
                                        [&] { return deps.identities.list_api_keys(*actor); });
  if (!keys) co_return error_response(keys.error(), context);
  json::array items;
  for (const auto& key : *keys) items.push_back(key_json(key));
  co_return list_response(std::move(items), std::nullopt);
}

boost::asio::awaitable<Response> get_api_key(const IdentityDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("key_id"));
  auto key = co_await deps.workers.run(context.deadline,
                                       [&] { return deps.identities.get_api_key(*actor, id); });
  if (!key) co_return error_response(key.error(), context);
  co_return json_response(200, key_json(*key));
}

boost::asio::awaitable<Response> revoke_api_key(const IdentityDependencies& deps,
                                                RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("key_id"));
  auto key = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.revoke_api_key(*actor, id, origin_of(context));
  });
  if (!key) co_return error_response(key.error(), context);
  co_return json_response(200, key_json(*key));
}

boost::asio::awaitable<Response> rotate_api_key(const IdentityDependencies& deps,
                                                RequestContext& context) {
  auto body = JsonBody::parse_optional(context.request, {"grace_period_seconds"});
  if (!body) co_return error_response(body.error(), context);
  std::optional<std::int64_t> grace_seconds;
  body->optional("grace_period_seconds", grace_seconds);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("key_id"));
  // A day by default: time to roll the new key out everywhere the old one is configured.
  std::chrono::seconds grace(grace_seconds.value_or(86400));
  auto issued = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.rotate_api_key(*actor, id, grace, origin_of(context));
  });
  if (!issued) co_return error_response(issued.error(), context);
  json::object out = key_json(issued->key);
  out["token"] = issued->token;
  out["rotated_from"] = id;
  co_return json_response(201, out);
}

boost::asio::awaitable<Response> create_service_account(const IdentityDependencies& deps,
                                                        RequestContext& context) {
  auto body = JsonBody::parse(
      context.request, {"name", "role"},
      {"id", "client_id", "tenant_id", "created_at", "disabled_at", "client_secret"});
  if (!body) co_return error_response(body.error(), context);
  identity::NewServiceAccount request;
  body->required("name", request.name).required("role", request.role);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.create_service_account(*actor, request, origin_of(context));
  });
  if (!created) co_return error_response(created.error(), context);
  json::object out = account_json(created->account);
  out["client_secret"] = created->client_secret;
  co_return json_response(201, out);
}

boost::asio::awaitable<Response> list_service_accounts(const IdentityDependencies& deps,
                                                       RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto accounts = co_await deps.workers.run(
      context.deadline, [&] { return deps.identities.list_service_accounts(*actor); });
  if (!accounts) co_return error_response(accounts.error(), context);
  json::array items;
  for (const auto& account : *accounts) items.push_back(account_json(account));
  co_return list_response(std::move(items), std::nullopt);
}

boost::asio::awaitable<Response> get_service_account(const IdentityDependencies& deps,
                                                     RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("account_id"));
  auto account = co_await deps.workers.run(
      context.deadline, [&] { return deps.identities.get_service_account(*actor, id); });
  if (!account) co_return error_response(account.error(), context);
  co_return json_response(200, account_json(*account));
}

boost::asio::awaitable<Response> disable_service_account(const IdentityDependencies& deps,
                                                         RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("account_id"));
  auto account = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.disable_service_account(*actor, id, origin_of(context));
  });
  if (!account) co_return error_response(account.error(), context);
  co_return json_response(200, account_json(*account));
}

}  // namespace

void add_identity_routes(http::Router& router, const IdentityDependencies& dependencies) {
  const IdentityDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  auto options = [](std::string_view needed, std::string summary) {
    return http::RouteOptions{.permission = std::string(needed), .summary = std::move(summary)};
  };
  router.add(http::Method::kPost, "/v1/tenants", bind(create_tenant),
             options(permission::kTenantsManage,
                     "Create a tenant with its owner user and the owner's first API key."));
  router.add(http::Method::kGet, "/v1/tenants", bind(list_tenants),
             options(permission::kTenantsManage, "List tenants."));
  router.add(http::Method::kGet, "/v1/tenants/{tenant_id}", bind(get_tenant),
             options(permission::kTenantsManage, "Get a tenant."));
  router.add(http::Method::kPost, "/v1/api-keys", bind(create_api_key),
             options(permission::kApiKeysManage,
                     "Create an API key; the token is in this response only."));
  router.add(http::Method::kGet, "/v1/api-keys", bind(list_api_keys),
             options(permission::kApiKeysRead, "List the tenant's API keys."));
  router.add(http::Method::kGet, "/v1/api-keys/{key_id}", bind(get_api_key),
             options(permission::kApiKeysRead, "Get an API key (never its secret)."));
  router.add(http::Method::kDelete, "/v1/api-keys/{key_id}", bind(revoke_api_key),
             options(permission::kApiKeysManage, "Revoke an API key."));
  router.add(http::Method::kPost, "/v1/api-keys/{key_id}/rotate", bind(rotate_api_key),
             options(permission::kApiKeysManage,
                     "Replace an API key; the old one keeps working for a grace period."));
  router.add(http::Method::kPost, "/v1/service-accounts", bind(create_service_account),
             options(permission::kServiceAccountsManage,
                     "Create a service account (an OAuth2 client); the secret is in this "
                     "response only."));
  router.add(http::Method::kGet, "/v1/service-accounts", bind(list_service_accounts),
             options(permission::kServiceAccountsRead, "List the tenant's service accounts."));
  router.add(http::Method::kGet, "/v1/service-accounts/{account_id}", bind(get_service_account),
             options(permission::kServiceAccountsRead, "Get a service account."));
  router.add(http::Method::kDelete, "/v1/service-accounts/{account_id}",
             bind(disable_service_account),
             options(permission::kServiceAccountsManage,
                     "Disable a service account: it can obtain no more tokens."));
}

}  // namespace aic::api::v1
