#include "api/oauth/oauth_routes.hpp"

#include <boost/json.hpp>

#include "api/form.hpp"
#include "api/request_origin.hpp"
#include "http/problem.hpp"
#include "identity/jwt.hpp"

namespace aic::api {
namespace {

namespace json = boost::json;
using http::RequestContext;
using http::Response;

// An RFC 6749 §5.2 error as a problem document.
Response oauth_error(const RequestContext& context, int status, std::string_view error,
                     std::string description, std::string field = {}) {
  json::object body{{"type", "urn:aic:problem:oauth-" + std::string(error)},
                    {"title", "OAuth2 " + std::string(error)},
                    {"status", status},
                    {"detail", description},
                    {"error", error},
                    {"error_description", description}};
  if (!context.request_id.empty()) body["request_id"] = context.request_id;
  if (!field.empty()) body["field"] = field;
  Response response = Response::make(status, json::serialize(body), http::kProblemContentType);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

struct ClientCredentials {
  std::string id;
  std::string secret;
  bool from_basic = false;
};

// Decodes one half of `Basic base64(id:secret)`: RFC 6749 §2.3.1 form-encodes each half.
std::optional<std::string> basic_part(std::string_view text) {
  auto fields = FormFields::parse("v=" + std::string(text), {"v"});
  if (!fields) return std::nullopt;
  const std::string* value = fields->get("v");
  return value ? std::optional<std::string>(*value) : std::string();
}

std::optional<ClientCredentials> basic_credentials(std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() <= kScheme.size() ||
      !http::iequals(header.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  // Standard base64 here, not base64url.
  std::string encoded(header.substr(kScheme.size()));
  for (char& c : encoded) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  auto decoded = identity::base64url_decode(encoded);
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto id = basic_part(std::string_view(*decoded).substr(0, colon));
  auto secret = basic_part(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret) return std::nullopt;
  return ClientCredentials{*id, *secret, true};
}

boost::asio::awaitable<Response> token(const OAuthDependencies& deps, RequestContext& context) {
  auto type = context.request.headers.get("Content-Type");
  std::string_view media = type ? type->substr(0, type->find(';')) : std::string_view();
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (!http::iequals(media, "application/x-www-form-urlencoded")) {
    core::Error error = core::Error::make(
        core::ErrorCode::kUnsupportedMediaType,
        "the token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)");
    error.header = "Content-Type";
    co_return http::problem_response(error, context.request_id);
  }
  auto form = FormFields::parse(context.request.body,
                                {"grant_type", "scope", "client_id", "client_secret"});
  if (!form) {
    co_return oauth_error(context, 400, "invalid_request", form.error().message,
                          form.error().field);
  }
  const std::string* grant = form->get("grant_type");
  if (grant == nullptr) {
    co_return oauth_error(context, 400, "invalid_request", "grant_type is required", "grant_type");
  }
  if (*grant != "client_credentials") {
    co_return oauth_error(context, 400, "unsupported_grant_type",
                          "only grant_type=client_credentials is supported", "grant_type");
  }

  std::optional<ClientCredentials> client;
  bool body_credentials =
      form->get("client_id") != nullptr || form->get("client_secret") != nullptr;
  if (auto header = context.request.headers.get("Authorization")) {
    if (body_credentials) {
      co_return oauth_error(context, 400, "invalid_request",
                            "send client credentials in the Authorization header or in the "
                            "body, not both");
    }
    client = basic_credentials(*header);
    if (!client) {
      deps.failures.record_failure(context);
      Response response = oauth_error(context, 401, "invalid_client",
                                      "the Authorization header is not valid HTTP Basic");
      response.headers.set("WWW-Authenticate", "Basic realm=\"aic\"");
      co_return response;
    }
  } else if (body_credentials) {
    const std::string* id = form->get("client_id");
    const std::string* secret = form->get("client_secret");
    if (id == nullptr || secret == nullptr) {
      co_return oauth_error(context, 400, "invalid_request",
                            "client_id and client_secret are both required",
                            id == nullptr ? "client_id" : "client_secret");
    }
    client = ClientCredentials{*id, *secret, false};
  } else {
    Response response =
        oauth_error(context, 401, "invalid_client", "client authentication is required");
    response.headers.set("WWW-Authenticate", "Basic realm=\"aic\"");
    co_return response;
  }

  const std::string* scope = form->get("scope");
  std::string requested = scope ? *scope : std::string();
  if (auto refused = deps.failures.refuse(context)) co_return std::move(*refused);
  auto issued = co_await deps.workers.run(context.deadline, [&] {
    return deps.tokens.issue(client->id, client->secret, requested, origin_of(context));
  });
  if (!issued) {
    const core::Error& error = issued.error();
    if (error.code == core::ErrorCode::kUnauthenticated) {
      deps.failures.record_failure(context);
      Response response = oauth_error(context, 401, "invalid_client", error.message);
      if (client->from_basic) response.headers.set("WWW-Authenticate", "Basic realm=\"aic\"");
      co_return response;
    }
    if (error.code == core::ErrorCode::kInvalidArgument && error.field == "scope") {
      co_return oauth_error(context, 400, "invalid_scope", error.message, "scope");
    }
    co_return http::problem_response(error, context.request_id);
  }
  json::object body{{"access_token", issued->token},
                    {"token_type", "Bearer"},
                    {"expires_in", issued->expires_in},
                    {"scope", issued->scope}};
  Response response = Response::json(200, json::serialize(body));
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
  co_return response;
}

boost::asio::awaitable<Response> jwks(const OAuthDependencies& deps, RequestContext& context) {
  auto document = co_await deps.workers.run(context.deadline, [&] { return deps.tokens.jwks(); });
  if (!document) co_return http::problem_response(document.error(), context.request_id);
  Response response = Response::make(200, std::move(*document), "application/jwk-set+json");
  // Short enough that a rotation reaches verifiers well within a token's lifetime.
  response.headers.set("Cache-Control", "public, max-age=300");
  co_return response;
}

using Handler = boost::asio::awaitable<Response> (*)(const OAuthDependencies&, RequestContext&);

}  // namespace

void add_oauth_routes(http::Router& router, const OAuthDependencies& dependencies) {
  const OAuthDependencies* deps = &dependencies;
  auto bind = [deps](Handler handler) {
    return [deps, handler](RequestContext& context) { return handler(*deps, context); };
  };
  router.add(http::Method::kPost, "/oauth/token", bind(token),
             http::RouteOptions{
                 .max_body_bytes = 16 * 1024,
                 .permission = std::string(http::kPublic),
                 .summary = "Exchange client credentials for an access token.",
                 .operation_id = "issueAccessToken",
                 .request_schema = "TokenRequest",
                 .request_media_type = "application/x-www-form-urlencoded",
                 .responses = {
                     {.status = 200, .description = "The access token.", .schema = "AccessToken"},
                     {.status = 400,
                      .description = "`invalid_request`, `unsupported_grant_type` or "
                                     "`invalid_scope`.",
                      .schema = "OAuthProblem"},
                     {.status = 401,
                      .description = "`invalid_client`: unknown client, wrong secret, "
                                     "disabled account, or no client authentication.",
                      .schema = "OAuthProblem"},
                     {.status = 429,
                      .description = "Too many failed client authentications from this "
                                     "address; see Retry-After."}}});
  router.add(http::Method::kGet, "/.well-known/jwks.json", bind(jwks),
             http::RouteOptions{.permission = std::string(http::kPublic),
                                .summary = "The public keys that verify access tokens.",
                                .operation_id = "getJsonWebKeySet",
                                .responses = {{.status = 200,
                                               .description = "The JWK Set.",
                                               .schema = "JsonWebKeySet",
                                               .media_type = "application/jwk-set+json"}}});
}

}  // namespace aic::api
