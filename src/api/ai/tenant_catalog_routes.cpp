#include "api/ai/tenant_catalog_routes.hpp"

#include <boost/json.hpp>

#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "identity/permissions.hpp"

namespace aic::api::ai {
namespace {

namespace json = boost::json;
namespace model = aic::ai;
using http::RequestContext;
using http::Response;
using Awaitable = boost::asio::awaitable<Response>;
using Kind = model::TenantEntryKind;

json::object entry_json(Kind kind, const model::TenantEntry& entry) {
  json::value parsed = json::parse(entry.config);
  json::object out = parsed.is_object() ? std::move(parsed.as_object()) : json::object();
  if (kind == Kind::kProvider) out["has_api_key"] = entry.has_api_key;
  out["version"] = entry.version;
  out["created_at"] = entry.created_at;
  out["updated_at"] = entry.updated_at;
  return out;
}

Response entry_response(Kind kind, int status, const model::TenantEntry& entry) {
  Response response = v1::json_response(status, entry_json(kind, entry));
  response.headers.set("ETag", v1::strong_etag(entry.version));
  return response;
}

// The body must be an object of the table's members; what only the server sets is refused.
core::Status check_members(Kind kind, const http::Request& request) {
  auto body =
      kind == Kind::kProvider
          ? JsonBody::parse(
                request,
                {"name", "kind", "base_url", "api_key", "api_version", "headers", "models"},
                {"has_api_key", "version", "created_at", "updated_at", "tenant_id", "api_key_env"})
          : JsonBody::parse(request,
                            {"name", "strategy", "targets", "weights", "task", "min_quality"},
                            {"version", "created_at", "updated_at", "tenant_id"});
  if (!body) return std::move(body).error();
  return {};
}

std::string_view base_path(Kind kind) {
  return kind == Kind::kProvider ? "/v1/ai/providers/" : "/v1/ai/routes/";
}

Awaitable create_entry(GatewayDependencies& deps, RequestContext& context, Kind kind) {
  if (auto ok = check_members(kind, context.request); !ok)
    co_return v1::error_response(ok.error(), context);
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.tenant_catalog.create(*actor, kind, context.request.body, origin_of(context));
  });
  if (!created) co_return v1::error_response(created.error(), context);
  deps.catalogs.invalidate(actor->tenant_id);
  Response response = entry_response(kind, 201, *created);
  response.headers.set("Location", std::string(base_path(kind)) + created->name);
  co_return response;
}

Awaitable list_entries(GatewayDependencies& deps, RequestContext& context, Kind kind) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  auto params = FormFields::parse(context.request.query(), {});
  if (!params) co_return v1::error_response(params.error(), context);
  auto entries = co_await deps.workers.run(context.deadline,
                                           [&] { return deps.tenant_catalog.list(*actor, kind); });
  if (!entries) co_return v1::error_response(entries.error(), context);
  json::array items;
  for (const auto& entry : *entries) items.push_back(entry_json(kind, entry));
  co_return v1::list_response(std::move(items), std::nullopt);
}

Awaitable get_entry(GatewayDependencies& deps, RequestContext& context, Kind kind) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  std::string name(context.param("name"));
  auto entry = co_await deps.workers.run(
      context.deadline, [&] { return deps.tenant_catalog.get(*actor, kind, name); });
  if (!entry) co_return v1::error_response(entry.error(), context);
  co_return entry_response(kind, 200, *entry);
}

Awaitable replace_entry(GatewayDependencies& deps, RequestContext& context, Kind kind) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  std::string name(context.param("name"));
  // Another tenant's name is "not found" whatever the body says.
  auto existing = co_await deps.workers.run(
      context.deadline, [&] { return deps.tenant_catalog.get(*actor, kind, name); });
  if (!existing) co_return v1::error_response(existing.error(), context);
  if (auto ok = check_members(kind, context.request); !ok)
    co_return v1::error_response(ok.error(), context);
  auto version =
      v1::if_match_version(context, std::string(kind == Kind::kProvider ? "provider" : "route"));
  if (!version) co_return v1::error_response(version.error(), context);
  auto replaced = co_await deps.workers.run(context.deadline, [&] {
    return deps.tenant_catalog.replace(*actor, kind, name, context.request.body, *version,
                                       origin_of(context));
  });
  if (!replaced) co_return v1::error_response(replaced.error(), context);
  deps.catalogs.invalidate(actor->tenant_id);
  co_return entry_response(kind, 200, *replaced);
}

Awaitable delete_entry(GatewayDependencies& deps, RequestContext& context, Kind kind) {
  const core::Principal* actor = v1::actor_of(context);
  if (actor == nullptr) co_return v1::no_actor(context);
  std::string name(context.param("name"));
  auto deleted = co_await deps.workers.run(context.deadline, [&] {
    return deps.tenant_catalog.remove(*actor, kind, name, origin_of(context));
  });
  if (!deleted) co_return v1::error_response(deleted.error(), context);
  deps.catalogs.invalidate(actor->tenant_id);
  co_return Response::empty(204);
}

}  // namespace

void add_tenant_catalog_routes(http::Router& router, GatewayDependencies& dependencies) {
  GatewayDependencies* deps = &dependencies;
  using Handler = Awaitable (*)(GatewayDependencies&, RequestContext&, Kind);
  auto bind = [deps](Handler handler, Kind kind) {
    return [deps, handler, kind](RequestContext& context) { return handler(*deps, context, kind); };
  };
  namespace permission = identity::permission;
  for (Kind kind : {Kind::kProvider, Kind::kRoute}) {
    const bool provider = kind == Kind::kProvider;
    const std::string noun = provider ? "provider" : "route";
    const std::string Noun = provider ? "Provider" : "Route";
    const std::string collection = provider ? "/v1/ai/providers" : "/v1/ai/routes";
    const std::string item = collection + "/{name}";
    const std::string schema = provider ? "AiProvider" : "AiRoute";
    const std::string request_schema = provider ? "AiProviderTable" : "AiRouteTable";
    // A provider's settings (URLs, headers) are for those who manage them; any caller of the
    // gateway may see the routes it can name.
    const std::string_view read_permission =
        provider ? permission::kAiManage : permission::kAiInvoke;
    const std::vector<http::ParamDoc> etag = {
        {.name = "ETag", .description = "The version, for If-Match.", .required = true}};
    const http::ResponseDoc missing{.status = 404,
                                    .description = "No such " + noun + " in the caller's tenant."};
    const http::ResponseDoc conflict{
        .status = 409,
        .description = provider ? "The name is taken, the tenant has 100 providers, or a route "
                                  "still needs this provider's models."
                                : "The name is taken or the tenant has 100 routes."};
    router.add(
        http::Method::kPost, collection, bind(create_entry, kind),
        v1::route_options(
            permission::kAiManage,
            provider ? "Add an AI provider account of the tenant, with its models (the key is "
                       "stored encrypted and never returned)"
                     : "Add a route over the tenant's and the operator's models",
            {.operation_id = "createAi" + Noun,
             .request_schema = request_schema,
             .responses = {{.status = 201,
                            .description = "The new " + noun + ".",
                            .schema = schema,
                            .headers = etag},
                           conflict,
                           {.status = 503,
                            .description = "The server has no master key to encrypt provider "
                                           "keys with."}}}));
    router.add(http::Method::kGet, collection, bind(list_entries, kind),
               v1::route_options(read_permission, "List the tenant's AI " + noun + "s",
                                 {.operation_id = "listAi" + Noun + "s",
                                  .responses = {{.status = 200,
                                                 .description = "All of them (at most 100).",
                                                 .schema = "ListOfAi" + Noun + "s"}}}));
    router.add(http::Method::kGet, item, bind(get_entry, kind),
               v1::route_options(read_permission, "Get one of the tenant's AI " + noun + "s",
                                 {.operation_id = "getAi" + Noun,
                                  .responses = {{.status = 200,
                                                 .description = "The " + noun + ".",
                                                 .schema = schema,
                                                 .headers = etag},
                                                missing}}));
    router.add(
        http::Method::kPut, item, bind(replace_entry, kind),
        v1::route_options(
            permission::kAiManage,
            provider ? "Replace a provider's settings and models (without `api_key` the stored "
                       "key is kept; \"\" removes it)"
                     : "Replace a route",
            {.operation_id = "replaceAi" + Noun,
             .request_schema = request_schema,
             .headers = {{.name = "If-Match",
                          .description = "The ETag of the version this change is based on "
                                         "(`\"3\"`), or `*`; absent: unconditional."}},
             .responses = {
                 {.status = 200,
                  .description = "The " + noun + " as it is now.",
                  .schema = schema,
                  .headers = etag},
                 missing,
                 conflict,
                 {.status = 412, .description = "It changed since the version in If-Match."}}}));
    router.add(http::Method::kDelete, item, bind(delete_entry, kind),
               v1::route_options(
                   permission::kAiManage, "Delete one of the tenant's AI " + noun + "s",
                   {.operation_id = "deleteAi" + Noun,
                    .responses = {{.status = 204, .description = "Deleted."}, missing, conflict}}));
  }
}

}  // namespace aic::api::ai
