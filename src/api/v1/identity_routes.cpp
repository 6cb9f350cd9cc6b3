#include "api/v1/identity_routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "core/json_writer.hpp"
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

// An API key's members, as every response that shows a key writes them. Key responses are
// written directly (core::JsonWriter): GET /v1/api-keys/{id} is what authenticated clients
// call most, and the benchmark of the authenticated path.
void write_key_members(core::JsonWriter& json, const identity::ApiKey& key) {
  json.member("id", key.id);
  json.member("name", key.name);
  json.member("role", key.role);
  json.member("principal_type", key.principal_kind);
  json.member("principal_id", key.principal_id);
  json.member("created_at", key.created_at);
  json.member_or_null("expires_at", key.expires_at);
  json.member_or_null("revoked_at", key.revoked_at);
  json.member_or_null("last_used_at", key.last_used_at);
  json.member_or_null("replaced_by", key.replaced_by);
  json.member_or_null("rate_limit_per_minute", key.rate_limit_per_minute);
}

// One key, followed by `extra` members (a new key's token).
Response key_response(
    int status, const identity::ApiKey& key,
    std::initializer_list<std::pair<std::string_view, std::string_view>> extra = {}) {
  std::string body;
  body.reserve(512);
  core::JsonWriter json(body);
  json.begin_object();
  write_key_members(json, key);
  for (const auto& [name, value] : extra) json.member(name, value);
  json.end_object();
  return Response::json(status, std::move(body));
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

// A list page with the cursor that continues after its last item.
template <typename T, typename ToJson>
Response page_response(const identity::PageOf<T>& page, ToJson to_json) {
  json::array items;
  for (const auto& item : page.items) items.push_back(to_json(item));
  std::optional<std::string> next;
  if (page.more) next = page_cursor(page.items.back().created_at, page.items.back().id);
  return list_response(std::move(items), next);
}

json::object role_json(const identity::Role& role) {
  json::array permissions;
  for (const auto& permission : role.permissions) permissions.emplace_back(permission);
  json::object out{{"name", role.name},
                   {"description", role.description},
                   {"permissions", std::move(permissions)},
                   {"builtin", role.builtin}};
  out["created_at"] = role.created_at.empty() ? json::value(nullptr) : json::value(role.created_at);
  return out;
}

json::object user_json(const identity::User& user) {
  json::object out{{"id", user.id},           {"email", user.email},
                   {"role", user.role},       {"has_password", user.has_password},
                   {"version", user.version}, {"created_at", user.created_at}};
  out["disabled_at"] = user.disabled_at ? json::value(*user.disabled_at) : json::value(nullptr);
  return out;
}

// A user with its version as a strong ETag, for If-Match on the next change.
Response user_response(int status, const identity::User& user) {
  Response response = json_response(status, user_json(user));
  response.headers.set("ETag", strong_etag(user.version));
  return response;
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
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto tenants = co_await deps.workers.run(context.deadline,
                                           [&] { return deps.identities.list_tenants(*page); });
  if (!tenants) co_return error_response(tenants.error(), context);
  co_return page_response(*tenants, tenant_json);
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
  co_return key_response(201, issued->key, {{"token", issued->token}});
}

boost::asio::awaitable<Response> list_api_keys(const IdentityDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto keys = co_await deps.workers.run(
      context.deadline, [&] { return deps.identities.list_api_keys(*actor, *page); });
  if (!keys) co_return error_response(keys.error(), context);
  std::string body;
  core::JsonWriter json(body);
  json.begin_object();
  json.key("data");
  json.begin_array();
  for (const identity::ApiKey& key : keys->items) {
    json.begin_object();
    write_key_members(json, key);
    json.end_object();
  }
  json.end_array();
  std::optional<std::string> next;
  if (keys->more) next = page_cursor(keys->items.back().created_at, keys->items.back().id);
  json.member_or_null("next_cursor", next);
  json.end_object();
  co_return Response::json(200, std::move(body));
}

boost::asio::awaitable<Response> get_api_key(const IdentityDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("key_id"));
  auto key = co_await deps.workers.run(context.deadline,
                                       [&] { return deps.identities.get_api_key(*actor, id); });
  if (!key) co_return error_response(key.error(), context);
  co_return key_response(200, *key);
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
  co_return key_response(200, *key);
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
  co_return key_response(201, issued->key, {{"token", issued->token}, {"rotated_from", id}});
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
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto accounts = co_await deps.workers.run(
      context.deadline, [&] { return deps.identities.list_service_accounts(*actor, *page); });
  if (!accounts) co_return error_response(accounts.error(), context);
  co_return page_response(*accounts, account_json);
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

boost::asio::awaitable<Response> list_roles(const IdentityDependencies& deps,
                                            RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto roles = co_await deps.workers.run(context.deadline,
                                         [&] { return deps.identities.list_roles(*actor); });
  if (!roles) co_return error_response(roles.error(), context);
  json::array items;
  for (const auto& role : *roles) items.push_back(role_json(role));
  co_return list_response(std::move(items), std::nullopt);
}

boost::asio::awaitable<Response> create_role(const IdentityDependencies& deps,
                                             RequestContext& context) {
  auto body = JsonBody::parse(context.request, {"name", "description", "permissions"},
                              {"builtin", "created_at", "tenant_id"});
  if (!body) co_return error_response(body.error(), context);
  identity::NewRole request;
  body->required("name", request.name)
      .optional("description", request.description)
      .required("permissions", request.permissions);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto role = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.create_role(*actor, request, origin_of(context));
  });
  if (!role) co_return error_response(role.error(), context);
  co_return json_response(201, role_json(*role));
}

boost::asio::awaitable<Response> delete_role(const IdentityDependencies& deps,
                                             RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string name(context.param("role_name"));
  auto role = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.delete_role(*actor, name, origin_of(context));
  });
  if (!role) co_return error_response(role.error(), context);
  co_return json_response(200, role_json(*role));
}

boost::asio::awaitable<Response> create_user(const IdentityDependencies& deps,
                                             RequestContext& context) {
  auto body =
      JsonBody::parse(context.request, {"email", "role", "password"},
                      {"id", "tenant_id", "created_at", "disabled_at", "version", "has_password"});
  if (!body) co_return error_response(body.error(), context);
  identity::NewUser request;
  body->required("email", request.email)
      .required("role", request.role)
      .optional("password", request.password);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto user = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.create_user(*actor, request, origin_of(context));
  });
  if (!user) co_return error_response(user.error(), context);
  co_return user_response(201, *user);
}

boost::asio::awaitable<Response> list_users(const IdentityDependencies& deps,
                                            RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto users = co_await deps.workers.run(context.deadline,
                                         [&] { return deps.identities.list_users(*actor, *page); });
  if (!users) co_return error_response(users.error(), context);
  co_return page_response(*users, user_json);
}

boost::asio::awaitable<Response> get_user(const IdentityDependencies& deps,
                                          RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("user_id"));
  auto user = co_await deps.workers.run(context.deadline,
                                        [&] { return deps.identities.get_user(*actor, id); });
  if (!user) co_return error_response(user.error(), context);
  co_return user_response(200, *user);
}

boost::asio::awaitable<Response> update_user(const IdentityDependencies& deps,
                                             RequestContext& context) {
  auto body = JsonBody::parse(
      context.request, {"role", "password"},
      {"id", "tenant_id", "email", "created_at", "disabled_at", "version", "has_password"});
  if (!body) co_return error_response(body.error(), context);
  identity::UserChange change;
  body->optional("role", change.role).optional("password", change.password);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  auto version = if_match_version(context, "user");
  if (!version) co_return error_response(version.error(), context);
  change.expected_version = *version;
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("user_id"));
  auto user = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.update_user(*actor, id, change, origin_of(context));
  });
  if (!user) co_return error_response(user.error(), context);
  co_return user_response(200, *user);
}

boost::asio::awaitable<Response> disable_user(const IdentityDependencies& deps,
                                              RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("user_id"));
  auto user = co_await deps.workers.run(context.deadline, [&] {
    return deps.identities.disable_user(*actor, id, origin_of(context));
  });
  if (!user) co_return error_response(user.error(), context);
  co_return user_response(200, *user);
}

}  // namespace

void add_identity_routes(http::Router& router, const IdentityDependencies& dependencies) {
  const IdentityDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  // A POST that creates something may be retried safely with an Idempotency-Key.
  auto once = [deps](Handler handler) {
    return deps->idempotency.wrap(
        [deps, handler](RequestContext& context) { return handler(*deps, context); });
  };
  auto options = [](std::string_view needed, std::string summary, http::RouteOptions doc = {}) {
    return route_options(needed, std::move(summary), std::move(doc));
  };
  const std::vector<http::ParamDoc>& page = page_params();
  // Users carry their version as ETag; changes may name it in If-Match.
  const std::vector<http::ParamDoc> etag = {
      {.name = "ETag", .description = "The user's version, for If-Match.", .required = true}};
  router.add(http::Method::kPost, "/v1/tenants", once(create_tenant),
             idempotent(options(
                 permission::kTenantsManage,
                 "Create a tenant with its owner user and the owner's first API key.",
                 {.operation_id = "createTenant",
                  .request_schema = "CreateTenantRequest",
                  .responses = {{.status = 201,
                                 .description = "Created; `owner_api_key` is shown only here.",
                                 .schema = "TenantCreated"},
                                {.status = 409,
                                 .description = "A tenant with this slug already exists."}}})));
  router.add(http::Method::kGet, "/v1/tenants", bind(list_tenants),
             options(permission::kTenantsManage, "List tenants.",
                     {.operation_id = "listTenants",
                      .query = page,
                      .responses = {{.status = 200,
                                     .description = "A page of tenants.",
                                     .schema = "ListOfTenants"}}}));
  router.add(
      http::Method::kGet, "/v1/tenants/{tenant_id}", bind(get_tenant),
      options(permission::kTenantsManage, "Get a tenant.",
              {.operation_id = "getTenant",
               .responses = {{.status = 200, .description = "The tenant.", .schema = "Tenant"},
                             {.status = 404, .description = "No such tenant."}}}));
  router.add(
      http::Method::kPost, "/v1/api-keys", once(create_api_key),
      idempotent(options(
          permission::kApiKeysManage, "Create an API key; the token is in this response only.",
          {.operation_id = "createApiKey",
           .request_schema = "CreateApiKeyRequest",
           .responses = {{.status = 201,
                          .description = "Created; `token` is shown only here.",
                          .schema = "ApiKeyCreated"},
                         {.status = 403,
                          .description = "The caller lacks `api_keys:manage`, belongs "
                                         "to no tenant, or the role would grant a "
                                         "permission the caller lacks."}}})));
  router.add(http::Method::kGet, "/v1/api-keys", bind(list_api_keys),
             options(permission::kApiKeysRead, "List the tenant's API keys.",
                     {.operation_id = "listApiKeys",
                      .query = page,
                      .responses = {{.status = 200,
                                     .description = "A page of keys, revoked ones included.",
                                     .schema = "ListOfApiKeys"}}}));
  router.add(http::Method::kGet, "/v1/api-keys/{key_id}", bind(get_api_key),
             options(permission::kApiKeysRead, "Get an API key (never its secret).",
                     {.operation_id = "getApiKey",
                      .responses = {
                          {.status = 200, .description = "The key.", .schema = "ApiKey"},
                          {.status = 404, .description = "No such key in the caller's tenant."}}}));
  router.add(http::Method::kDelete, "/v1/api-keys/{key_id}", bind(revoke_api_key),
             options(permission::kApiKeysManage, "Revoke an API key.",
                     {.operation_id = "revokeApiKey",
                      .responses = {
                          {.status = 200,
                           .description = "The revoked key (revoking twice changes "
                                          "nothing).",
                           .schema = "ApiKey"},
                          {.status = 404, .description = "No such key in the caller's tenant."}}}));
  router.add(
      http::Method::kPost, "/v1/api-keys/{key_id}/rotate", once(rotate_api_key),
      idempotent(options(
          permission::kApiKeysManage,
          "Replace an API key; the old one keeps working for a grace period.",
          {.operation_id = "rotateApiKey",
           .request_schema = "RotateApiKeyRequest",
           .request_body_optional = true,
           .responses = {{.status = 201,
                          .description = "The new key; `token` is shown only here.",
                          .schema = "ApiKeyRotated"},
                         {.status = 404, .description = "No such key in the caller's tenant."},
                         {.status = 409,
                          .description = "The key is revoked or was already "
                                         "rotated."}}})));
  router.add(http::Method::kGet, "/v1/roles", bind(list_roles),
             options(permission::kRolesRead, "List the roles of the tenant: built-in and custom.",
                     {.operation_id = "listRoles",
                      .responses = {{.status = 200,
                                     .description = "Every role, in one page.",
                                     .schema = "ListOfRoles"}}}));
  router.add(
      http::Method::kPost, "/v1/roles", once(create_role),
      idempotent(options(
          permission::kRolesManage, "Create a custom role.",
          {.operation_id = "createRole",
           .request_schema = "CreateRoleRequest",
           .responses = {{.status = 201, .description = "The new role.", .schema = "Role"},
                         {.status = 403,
                          .description = "The caller lacks `roles:manage` or a "
                                         "permission the role would grant."},
                         {.status = 409, .description = "A role with this name exists."}}})));
  router.add(
      http::Method::kDelete, "/v1/roles/{role_name}", bind(delete_role),
      options(permission::kRolesManage, "Delete a custom role nobody holds any more.",
              {.operation_id = "deleteRole",
               .responses = {{.status = 200, .description = "The deleted role.", .schema = "Role"},
                             {.status = 404, .description = "No such custom role."},
                             {.status = 409,
                              .description = "A user, API key or service account still has "
                                             "the role."}}}));
  router.add(
      http::Method::kPost, "/v1/users", once(create_user),
      idempotent(options(
          permission::kUsersManage, "Add a user to the tenant.",
          {.operation_id = "createUser",
           .request_schema = "CreateUserRequest",
           .responses = {
               {.status = 201, .description = "The new user.", .schema = "User", .headers = etag},
               {.status = 403,
                .description = "The caller lacks `users:manage`, or the role "
                               "would grant a permission the caller "
                               "lacks."},
               {.status = 409, .description = "A user with this email exists."}}})));
  router.add(http::Method::kGet, "/v1/users", bind(list_users),
             options(permission::kUsersRead, "List the tenant's users.",
                     {.operation_id = "listUsers",
                      .query = page,
                      .responses = {{.status = 200,
                                     .description = "A page of users, disabled ones included.",
                                     .schema = "ListOfUsers"}}}));
  router.add(
      http::Method::kGet, "/v1/users/{user_id}", bind(get_user),
      options(permission::kUsersRead, "Get a user; the ETag is its version.",
              {.operation_id = "getUser",
               .responses = {
                   {.status = 200, .description = "The user.", .schema = "User", .headers = etag},
                   {.status = 404, .description = "No such user in the caller's tenant."}}}));
  router.add(
      http::Method::kPatch, "/v1/users/{user_id}", bind(update_user),
      options(permission::kUsersManage,
              "Change a user's role or password; If-Match makes it conditional on the version.",
              {.operation_id = "updateUser",
               .request_schema = "UpdateUserRequest",
               .headers = {{.name = "If-Match",
                            .description = "The ETag of the version this change is based on "
                                           "(`\"3\"`), or `*`; absent: unconditional."}},
               .responses = {{.status = 200,
                              .description = "The changed user.",
                              .schema = "User",
                              .headers = etag},
                             {.status = 404, .description = "No such user in the caller's tenant."},
                             {.status = 409,
                              .description = "It would demote the tenant's last active owner."},
                             {.status = 412,
                              .description = "The user changed since the version in If-Match."}}}));
  router.add(
      http::Method::kDelete, "/v1/users/{user_id}", bind(disable_user),
      options(permission::kUsersManage, "Disable a user and revoke every API key they own.",
              {.operation_id = "disableUser",
               .responses = {{.status = 200,
                              .description = "The disabled user.",
                              .schema = "User",
                              .headers = etag},
                             {.status = 404, .description = "No such user in the caller's tenant."},
                             {.status = 409,
                              .description = "The user is the tenant's last active "
                                             "owner."}}}));
  router.add(http::Method::kPost, "/v1/service-accounts", once(create_service_account),
             idempotent(options(
                 permission::kServiceAccountsManage,
                 "Create a service account (an OAuth2 client); the secret is in this "
                 "response only.",
                 {.operation_id = "createServiceAccount",
                  .request_schema = "CreateServiceAccountRequest",
                  .responses = {{.status = 201,
                                 .description = "Created; `client_secret` is shown only here.",
                                 .schema = "ServiceAccountCreated"},
                                {.status = 403,
                                 .description = "The caller lacks `service_accounts:manage`, "
                                                "belongs to no tenant, or the role would "
                                                "grant a permission the caller lacks."}}})));
  router.add(http::Method::kGet, "/v1/service-accounts", bind(list_service_accounts),
             options(permission::kServiceAccountsRead, "List the tenant's service accounts.",
                     {.operation_id = "listServiceAccounts",
                      .query = page,
                      .responses = {{.status = 200,
                                     .description = "A page of accounts, disabled ones included.",
                                     .schema = "ListOfServiceAccounts"}}}));
  router.add(
      http::Method::kGet, "/v1/service-accounts/{account_id}", bind(get_service_account),
      options(permission::kServiceAccountsRead, "Get a service account.",
              {.operation_id = "getServiceAccount",
               .responses = {
                   {.status = 200, .description = "The account.", .schema = "ServiceAccount"},
                   {.status = 404, .description = "No such account in the caller's tenant."}}}));
  router.add(
      http::Method::kDelete, "/v1/service-accounts/{account_id}", bind(disable_service_account),
      options(
          permission::kServiceAccountsManage,
          "Disable a service account: it can obtain no more tokens.",
          {.operation_id = "disableServiceAccount",
           .responses = {
               {.status = 200, .description = "The disabled account.", .schema = "ServiceAccount"},
               {.status = 404, .description = "No such account in the caller's tenant."}}}));
}

}  // namespace aic::api::v1
