#include "api/auth/auth_filters.hpp"

#include "api/auth/rate_limit_filter.hpp"
#include "api/request_origin.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"
#include "identity/api_keys.hpp"

namespace aic::api {
namespace {

bool is_public(const http::Route* route) {
  // An undeclared permission only exists in tests' ad-hoc routes: production refuses to
  // start with one (check_route_permissions).
  return route == nullptr || route->options.permission.empty() ||
         route->options.permission == http::kPublic;
}

// The failed attempt goes to the platform chain: the credential did not prove a tenant.
void record_failed_authentication(audit::AsyncWriter& events, const http::RequestContext& context,
                                  std::string_view token, const core::Error& error) {
  audit::Event event;
  event.action = "authentication.failed";
  event.outcome = "failure";
  event.actor_kind = "anonymous";
  event.target_type = "credential";
  // Only the public id of something shaped like an API key; never any secret.
  if (auto key = identity::parse_api_key(token)) event.target_id = key->id;
  event.origin = origin_of(context);
  event.details = audit::details_json({{"reason", error.message}});
  events.submit(std::move(event));
}

}  // namespace

http::Response unauthenticated(const core::Error& error, const http::RequestContext& context,
                               bool credential_presented) {
  http::Response response = http::problem_response(error, context.request_id);
  std::string challenge = "Bearer realm=\"aic\"";
  if (credential_presented) challenge += ", error=\"invalid_token\"";
  response.headers.set("WWW-Authenticate", challenge);
  return response;
}

namespace {

constexpr std::string_view kScheme = "Bearer ";

// Whether the request carries a credential: `Authorization`, or `x-api-key` on a route that
// takes it.
bool presents_credential(const http::RequestContext& context) {
  if (context.request.headers.contains("Authorization")) return true;
  return context.route != nullptr && context.route->options.api_key_header &&
         context.request.headers.contains("x-api-key");
}

// The token of a well-formed `Authorization: Bearer <token>` header (or of `x-api-key` where
// the route takes it and no Authorization header was sent), or nullopt.
std::optional<std::string_view> bearer_token(const http::RequestContext& context) {
  std::optional<std::string_view> header = context.request.headers.get("Authorization");
  if (!header && context.route != nullptr && context.route->options.api_key_header) {
    std::optional<std::string_view> key = context.request.headers.get("x-api-key");
    if (key && !key->empty()) return key;
    return std::nullopt;
  }
  if (!header || header->size() <= kScheme.size() ||
      !http::iequals(header->substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  return header->substr(kScheme.size());
}

// The header the credential came in, for errors that name it.
std::string credential_header(const http::RequestContext& context) {
  return context.request.headers.contains("Authorization") ? "Authorization" : "x-api-key";
}

}  // namespace

bool AuthenticationFilter::suspends(const http::RequestContext& context) const {
  if (is_public(context.route) || context.rejection || !presents_credential(context)) {
    return false;
  }
  std::optional<std::string_view> token = bearer_token(context);
  return token && !identities_.is_cached(*token);
}

std::optional<http::Response> AuthenticationFilter::finish(
    http::RequestContext& context, std::string_view token,
    core::Result<core::SharedPrincipal> principal) {
  if (!principal) {
    core::Error error = principal.error();
    if (error.code == core::ErrorCode::kUnauthenticated) {
      error.header = credential_header(context);
      failures_.record_failure(context);
      record_failed_authentication(security_events_, context, token, error);
      return unauthenticated(error, context, true);
    }
    return http::problem_response(error, context.request_id);
  }
  context.principal = std::move(*principal);
  return std::nullopt;
}

std::optional<http::Response> AuthenticationFilter::on_request(http::RequestContext& context) {
  if (is_public(context.route) || context.rejection || !presents_credential(context)) {
    return std::nullopt;
  }
  std::optional<std::string_view> token = bearer_token(context);
  if (!token) {
    core::Error error = core::Error::make(core::ErrorCode::kUnauthenticated,
                                          "expected 'Authorization: Bearer <token>'");
    error.header = credential_header(context);
    failures_.record_failure(context);
    record_failed_authentication(security_events_, context, {}, error);
    return unauthenticated(error, context, true);
  }
  // suspends() saw this key in the cache; only revoking it can have removed it since.
  auto cached = identities_.authenticate_cached(*token);
  if (!cached) {
    cached = core::Error::make(core::ErrorCode::kUnauthenticated, "the API key was revoked");
  }
  return finish(context, *token, std::move(*cached));
}

boost::asio::awaitable<std::optional<http::Response>> AuthenticationFilter::on_request_async(
    http::RequestContext& context) {
  if (auto refused = failures_.refuse(context)) co_return refused;
  std::string token(*bearer_token(context));
  // Our API keys have a prefix; anything else presented as a bearer token must be one of our
  // JWT access tokens.
  bool api_key = token.starts_with(identity::kApiKeyPrefix);
  auto principal =
      co_await workers_.run(context.deadline, [&]() -> core::Result<core::SharedPrincipal> {
        auto found = api_key ? identities_.authenticate(token) : tokens_.authenticate(token);
        if (!found) return std::move(found).error();
        return std::make_shared<const core::Principal>(std::move(*found));
      });
  co_return finish(context, token, std::move(principal));
}

std::optional<http::Response> AuthorizationFilter::on_request(http::RequestContext& context) {
  if (context.rejection || is_public(context.route)) return std::nullopt;
  if (!context.principal) {
    core::Error error = core::Error::make(
        core::ErrorCode::kUnauthenticated,
        "this resource needs a credential: send 'Authorization: Bearer <API key>'");
    error.header = "Authorization";
    return unauthenticated(error, context, false);
  }
  const std::string& permission = context.route->options.permission;
  if (!context.principal->has(permission)) {
    audit::Event event =
        audit::event_by(*context.principal, origin_of(context), "authorization.denied");
    event.outcome = "denied";
    event.target_type = "route";
    event.target_id =
        std::string(http::method_name(context.route->method)) + " " + context.route->path_template;
    event.details = audit::details_json({{"permission", permission}});
    security_events_.submit(std::move(event));
    return http::problem_response(
        core::Error::make(core::ErrorCode::kPermissionDenied,
                          "role '" + context.principal->role + "' lacks permission " + permission),
        context.request_id);
  }
  return std::nullopt;
}

std::vector<std::unique_ptr<http::Filter>> with_access_control(
    std::vector<std::unique_ptr<http::Filter>> filters, const AccessControl& access) {
  filters.push_back(std::make_unique<AuthenticationFilter>(
      access.identities, access.tokens, access.workers, access.security_events, access.failures));
  filters.push_back(std::make_unique<RateLimitFilter>(access.limiter, access.limits));
  filters.push_back(std::make_unique<AuthorizationFilter>(access.security_events));
  return filters;
}

core::Status check_route_permissions(const http::Router& router) {
  for (const http::Route* route : router.routes()) {
    if (route->options.permission.empty()) {
      return core::Error::make(core::ErrorCode::kInternal,
                               std::string(http::method_name(route->method)) + " " +
                                   route->path_template +
                                   " declares no permission (use http::kPublic for an open "
                                   "route)");
    }
  }
  return {};
}

}  // namespace aic::api
