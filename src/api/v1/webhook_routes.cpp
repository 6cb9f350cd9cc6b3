#include "api/v1/webhook_routes.hpp"

#include <boost/json.hpp>

#include "api/json_body.hpp"
#include "api/request_origin.hpp"
#include "api/v1/route_support.hpp"
#include "identity/permissions.hpp"

namespace aic::api::v1 {
namespace {

namespace json = boost::json;
using http::RequestContext;
using http::Response;
namespace permission = identity::permission;

json::value text_or_null(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

json::object endpoint_json(const webhooks::Endpoint& endpoint) {
  json::array types;
  for (const auto& type : endpoint.event_types) types.emplace_back(type);
  json::object headers;
  for (const auto& [name, value] : endpoint.headers) headers[name] = value;
  json::object out{{"id", endpoint.id},
                   {"url", endpoint.url},
                   {"description", endpoint.description},
                   {"event_types", std::move(types)},
                   {"headers", std::move(headers)},
                   {"version", endpoint.version},
                   {"created_at", endpoint.created_at},
                   {"updated_at", endpoint.updated_at}};
  out["rate_limit_per_second"] = endpoint.rate_limit_per_second
                                     ? json::value(*endpoint.rate_limit_per_second)
                                     : json::value(nullptr);
  out["enabled"] = !endpoint.disabled_at.has_value();
  out["disabled_at"] = text_or_null(endpoint.disabled_at);
  out["disabled_reason"] = text_or_null(endpoint.disabled_reason);
  return out;
}

Response endpoint_response(int status, const webhooks::Endpoint& endpoint) {
  Response response = json_response(status, endpoint_json(endpoint));
  response.headers.set("ETag", strong_etag(endpoint.version));
  return response;
}

Response endpoint_with_secret(int status, const webhooks::EndpointWithSecret& created) {
  json::object body = endpoint_json(created.endpoint);
  body["secret"] = created.secret;
  Response response = json_response(status, body);
  response.headers.set("ETag", strong_etag(created.endpoint.version));
  return response;
}

json::object message_json(const webhooks::Message& message) {
  json::object out{{"id", message.id},
                   {"endpoint_id", message.endpoint_id},
                   {"event_id", message.event_id},
                   {"event_type", message.event_type},
                   {"status", message.status},
                   {"attempts", message.attempts},
                   {"created_at", message.created_at}};
  out["next_attempt_at"] = text_or_null(message.next_attempt_at);
  out["finished_at"] = text_or_null(message.finished_at);
  return out;
}

json::object attempt_json(const webhooks::Attempt& attempt) {
  json::object out{{"id", attempt.id},
                   {"message_id", attempt.message_id},
                   {"endpoint_id", attempt.endpoint_id},
                   {"attempt", attempt.attempt},
                   {"attempted_at", attempt.attempted_at},
                   {"succeeded", attempt.succeeded},
                   {"latency_ms", attempt.latency_ms},
                   {"response_body", attempt.response_body},
                   {"error", attempt.error}};
  out["status_code"] =
      attempt.status_code ? json::value(*attempt.status_code) : json::value(nullptr);
  return out;
}

// A list page with the cursor that continues after its last item; `position` gives the
// (time, id) the store pages by.
template <typename T, typename ToJson, typename Position>
Response page_of(const store::PageOf<T>& page, ToJson to_json, Position position) {
  json::array items;
  for (const auto& item : page.items) items.push_back(to_json(item));
  std::optional<std::string> next;
  if (page.more) {
    auto [at, id] = position(page.items.back());
    next = page_cursor(at, id);
  }
  return list_response(std::move(items), next);
}

// An endpoint's body on create and update. Members only the server sets are refused.
core::Result<JsonBody> parse_endpoint_body(const http::Request& request) {
  return JsonBody::parse(request,
                         {"url", "description", "event_types", "headers", "rate_limit_per_second"},
                         {"id", "tenant_id", "secret", "version", "enabled", "created_at",
                          "updated_at", "disabled_at", "disabled_reason"});
}

using Handler = boost::asio::awaitable<Response> (*)(const WebhookDependencies&, RequestContext&);

boost::asio::awaitable<Response> create_endpoint(const WebhookDependencies& deps,
                                                 RequestContext& context) {
  auto body = parse_endpoint_body(context.request);
  if (!body) co_return error_response(body.error(), context);
  webhooks::NewEndpoint request;
  std::optional<std::vector<std::string>> types;
  std::optional<std::vector<webhooks::Header>> headers;
  body->required("url", request.url)
      .optional("description", request.description)
      .optional("event_types", types)
      .optional("headers", headers)
      .optional("rate_limit_per_second", request.rate_limit_per_second);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  if (types) request.event_types = std::move(*types);
  if (headers) request.headers = std::move(*headers);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto created = co_await deps.workers.run(context.deadline, [&] {
    return deps.webhooks.create_endpoint(*actor, request, origin_of(context));
  });
  if (!created) co_return error_response(created.error(), context);
  co_return endpoint_with_secret(201, *created);
}

boost::asio::awaitable<Response> list_endpoints(const WebhookDependencies& deps,
                                                RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  auto endpoints = co_await deps.workers.run(
      context.deadline, [&] { return deps.webhooks.list_endpoints(*actor, *page); });
  if (!endpoints) co_return error_response(endpoints.error(), context);
  co_return page_of(*endpoints, endpoint_json, [](const webhooks::Endpoint& endpoint) {
    return std::pair(endpoint.created_at, endpoint.id);
  });
}

boost::asio::awaitable<Response> get_endpoint(const WebhookDependencies& deps,
                                              RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto endpoint = co_await deps.workers.run(context.deadline,
                                            [&] { return deps.webhooks.get_endpoint(*actor, id); });
  if (!endpoint) co_return error_response(endpoint.error(), context);
  co_return endpoint_response(200, *endpoint);
}

boost::asio::awaitable<Response> update_endpoint(const WebhookDependencies& deps,
                                                 RequestContext& context) {
  auto body = parse_endpoint_body(context.request);
  if (!body) co_return error_response(body.error(), context);
  webhooks::EndpointChanges changes;
  std::optional<std::int64_t> rate;
  body->optional("url", changes.url)
      .optional("description", changes.description)
      .optional("event_types", changes.event_types)
      .optional("headers", changes.headers)
      .optional("rate_limit_per_second", rate);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  // null removes the limit; absent leaves it.
  if (rate) {
    changes.rate_limit_per_second = rate;
  } else if (body->is_null("rate_limit_per_second")) {
    changes.rate_limit_per_second = std::optional<std::int64_t>();
  }
  auto version = if_match_version(context, "webhook endpoint");
  if (!version) co_return error_response(version.error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto endpoint = co_await deps.workers.run(context.deadline, [&] {
    return deps.webhooks.update_endpoint(*actor, id, changes, *version, origin_of(context));
  });
  if (!endpoint) co_return error_response(endpoint.error(), context);
  co_return endpoint_response(200, *endpoint);
}

boost::asio::awaitable<Response> set_enabled(const WebhookDependencies& deps,
                                             RequestContext& context, bool enabled) {
  // No members are defined; anything sent is refused rather than ignored.
  auto body = JsonBody::parse_optional(context.request, {});
  if (!body) co_return error_response(body.error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto endpoint = co_await deps.workers.run(context.deadline, [&] {
    return deps.webhooks.set_enabled(*actor, id, enabled, origin_of(context));
  });
  if (!endpoint) co_return error_response(endpoint.error(), context);
  co_return endpoint_response(200, *endpoint);
}

boost::asio::awaitable<Response> enable_endpoint(const WebhookDependencies& deps,
                                                 RequestContext& context) {
  return set_enabled(deps, context, true);
}

boost::asio::awaitable<Response> disable_endpoint(const WebhookDependencies& deps,
                                                  RequestContext& context) {
  return set_enabled(deps, context, false);
}

boost::asio::awaitable<Response> delete_endpoint(const WebhookDependencies& deps,
                                                 RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto deleted = co_await deps.workers.run(context.deadline, [&] {
    return deps.webhooks.delete_endpoint(*actor, id, origin_of(context));
  });
  if (!deleted) co_return error_response(deleted.error(), context);
  co_return Response::empty(204);
}

boost::asio::awaitable<Response> rotate_secret(const WebhookDependencies& deps,
                                               RequestContext& context) {
  // No members are defined; anything sent is refused rather than ignored.
  auto body = JsonBody::parse_optional(context.request, {});
  if (!body) co_return error_response(body.error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto rotated = co_await deps.workers.run(context.deadline, [&] {
    return deps.webhooks.rotate_secret(*actor, id, origin_of(context));
  });
  if (!rotated) co_return error_response(rotated.error(), context);
  co_return endpoint_with_secret(200, *rotated);
}

boost::asio::awaitable<Response> send_test(const WebhookDependencies& deps,
                                           RequestContext& context) {
  // No members are defined; anything sent is refused rather than ignored.
  auto body = JsonBody::parse_optional(context.request, {});
  if (!body) co_return error_response(body.error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto message = co_await deps.workers.run(
      context.deadline, [&] { return deps.webhooks.send_test(*actor, id, origin_of(context)); });
  if (!message) co_return error_response(message.error(), context);
  co_return json_response(202, message_json(*message));
}

boost::asio::awaitable<Response> list_messages(const WebhookDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto params = FormFields::parse(context.request.query(), {"limit", "cursor", "status"});
  if (!params) co_return error_response(params.error(), context);
  auto page = page_request(*params);
  if (!page) co_return error_response(page.error(), context);
  std::string status = params->get("status") ? *params->get("status") : std::string();
  std::string id(context.param("endpoint_id"));
  auto messages = co_await deps.workers.run(
      context.deadline, [&] { return deps.webhooks.list_messages(*actor, id, status, *page); });
  if (!messages) co_return error_response(messages.error(), context);
  co_return page_of(*messages, message_json, [](const webhooks::Message& message) {
    return std::pair(message.created_at, message.id);
  });
}

boost::asio::awaitable<Response> list_attempts(const WebhookDependencies& deps,
                                               RequestContext& context) {
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  auto page = page_request(context);
  if (!page) co_return error_response(page.error(), context);
  std::string id(context.param("endpoint_id"));
  auto attempts = co_await deps.workers.run(
      context.deadline, [&] { return deps.webhooks.list_attempts(*actor, id, *page); });
  if (!attempts) co_return error_response(attempts.error(), context);
  co_return page_of(*attempts, attempt_json, [](const webhooks::Attempt& attempt) {
    return std::pair(attempt.attempted_at, attempt.id);
  });
}

boost::asio::awaitable<Response> replay(const WebhookDependencies& deps, RequestContext& context) {
  auto body = JsonBody::parse(context.request, {"message_id", "since"});
  if (!body) co_return error_response(body.error(), context);
  webhooks::ReplayRequest request;
  body->optional("message_id", request.message_id).optional("since", request.since);
  if (body->first_error()) co_return error_response(*body->first_error(), context);
  const core::Principal* actor = actor_of(context);
  if (actor == nullptr) co_return no_actor(context);
  std::string id(context.param("endpoint_id"));
  auto replayed = co_await deps.workers.run(context.deadline, [&] {
    return deps.webhooks.replay(*actor, id, request, origin_of(context));
  });
  if (!replayed) co_return error_response(replayed.error(), context);
  co_return json_response(200, json::object{{"replayed", *replayed}});
}

}  // namespace

void add_webhook_routes(http::Router& router, const WebhookDependencies& dependencies) {
  const WebhookDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  auto once = [deps](Handler handler) {
    return deps->idempotency.wrap(
        [deps, handler](RequestContext& context) { return handler(*deps, context); });
  };
  const std::vector<http::ParamDoc> etag = {
      {.name = "ETag", .description = "The endpoint's version, for If-Match.", .required = true}};
  const http::ResponseDoc missing{.status = 404,
                                  .description = "No such endpoint in the caller's tenant."};
  const std::string base = "/v1/webhook-endpoints/{endpoint_id}";

  router.add(http::Method::kPost, "/v1/webhook-endpoints", once(create_endpoint),
             idempotent(route_options(
                 permission::kWebhooksManage,
                 "Create a webhook endpoint; its signing secret is in this response only.",
                 {.operation_id = "createWebhookEndpoint",
                  .request_schema = "CreateWebhookEndpointRequest",
                  .responses = {{.status = 201,
                                 .description = "The new endpoint, with its secret.",
                                 .schema = "WebhookEndpointCreated",
                                 .headers = etag}}})));
  router.add(http::Method::kGet, "/v1/webhook-endpoints", bind(list_endpoints),
             route_options(permission::kWebhooksRead, "List the tenant's webhook endpoints.",
                           {.operation_id = "listWebhookEndpoints",
                            .query = page_params(),
                            .responses = {{.status = 200,
                                           .description = "A page of endpoints.",
                                           .schema = "ListOfWebhookEndpoints"}}}));
  router.add(http::Method::kGet, base, bind(get_endpoint),
             route_options(permission::kWebhooksRead, "Get a webhook endpoint (never its secret).",
                           {.operation_id = "getWebhookEndpoint",
                            .responses = {{.status = 200,
                                           .description = "The endpoint.",
                                           .schema = "WebhookEndpoint",
                                           .headers = etag},
                                          missing}}));
  router.add(
      http::Method::kPatch, base, bind(update_endpoint),
      route_options(
          permission::kWebhooksManage,
          "Change an endpoint's URL, filters, headers or rate limit; If-Match makes it "
          "conditional on the version.",
          {.operation_id = "updateWebhookEndpoint",
           .request_schema = "UpdateWebhookEndpointRequest",
           .headers = {{.name = "If-Match",
                        .description = "The ETag of the version this change is based on "
                                       "(`\"3\"`), or `*`; absent: unconditional."}},
           .responses = {{.status = 200,
                          .description = "The changed endpoint.",
                          .schema = "WebhookEndpoint",
                          .headers = etag},
                         missing,
                         {.status = 412,
                          .description = "The endpoint changed since the version in If-Match."}}}));
  router.add(http::Method::kDelete, base, bind(delete_endpoint),
             route_options(permission::kWebhooksManage,
                           "Delete an endpoint with its messages and attempts.",
                           {.operation_id = "deleteWebhookEndpoint",
                            .responses = {{.status = 204, .description = "Deleted."}, missing}}));
  router.add(http::Method::kPost, base + "/disable", bind(disable_endpoint),
             route_options(permission::kWebhooksManage,
                           "Stop deliveries to an endpoint; its pending messages become dead "
                           "letters (replayable).",
                           {.operation_id = "disableWebhookEndpoint",
                            .request_body_optional = true,
                            .responses = {{.status = 200,
                                           .description = "The disabled endpoint.",
                                           .schema = "WebhookEndpoint",
                                           .headers = etag},
                                          missing}}));
  router.add(http::Method::kPost, base + "/enable", bind(enable_endpoint),
             route_options(permission::kWebhooksManage,
                           "Resume deliveries to an endpoint (new events only; replay dead "
                           "letters explicitly).",
                           {.operation_id = "enableWebhookEndpoint",
                            .request_body_optional = true,
                            .responses = {{.status = 200,
                                           .description = "The enabled endpoint.",
                                           .schema = "WebhookEndpoint",
                                           .headers = etag},
                                          missing}}));
  router.add(http::Method::kPost, base + "/rotate-secret", bind(rotate_secret),
             route_options(permission::kWebhooksManage,
                           "Make a new signing secret; the old one keeps signing alongside it for "
                           "24 hours.",
                           {.operation_id = "rotateWebhookSecret",
                            .request_body_optional = true,
                            .responses = {{.status = 200,
                                           .description = "The endpoint with its new secret.",
                                           .schema = "WebhookEndpointCreated",
                                           .headers = etag},
                                          missing}}));
  router.add(
      http::Method::kPost, base + "/test", bind(send_test),
      route_options(
          permission::kWebhooksManage, "Queue a `webhook.test` event for this endpoint only.",
          {.operation_id = "testWebhookEndpoint",
           .request_body_optional = true,
           .responses = {
               {.status = 202, .description = "The queued message.", .schema = "WebhookMessage"},
               missing,
               {.status = 409, .description = "The endpoint is disabled."}}}));
  std::vector<http::ParamDoc> message_query = page_params();
  message_query.push_back(
      {.name = "status",
       .description = "Only messages in this state; `failed` is the dead-letter view.",
       .schema = R"({"type":"string","enum":["pending","delivered","failed"]})"});
  router.add(http::Method::kGet, base + "/messages", bind(list_messages),
             route_options(permission::kWebhooksRead,
                           "List the messages owed to an endpoint, oldest first.",
                           {.operation_id = "listWebhookMessages",
                            .query = message_query,
                            .responses = {{.status = 200,
                                           .description = "A page of messages.",
                                           .schema = "ListOfWebhookMessages"},
                                          missing}}));
  router.add(http::Method::kGet, base + "/attempts", bind(list_attempts),
             route_options(permission::kWebhooksRead,
                           "List every delivery attempt to an endpoint, oldest first.",
                           {.operation_id = "listWebhookAttempts",
                            .query = page_params(),
                            .responses = {{.status = 200,
                                           .description = "A page of attempts.",
                                           .schema = "ListOfWebhookAttempts"},
                                          missing}}));
  router.add(http::Method::kPost, base + "/replay", bind(replay),
             route_options(permission::kWebhooksManage,
                           "Send dead letters again: one message, or every failed one created "
                           "since a time.",
                           {.operation_id = "replayWebhookMessages",
                            .request_schema = "ReplayWebhookMessagesRequest",
                            .responses = {{.status = 200,
                                           .description = "How many messages were queued again.",
                                           .schema = "WebhookReplay"},
                                          missing,
                                          {.status = 409,
                                           .description = "The endpoint is disabled, or the "
                                                          "message is not a dead letter."}}}));
}

}  // namespace aic::api::v1
