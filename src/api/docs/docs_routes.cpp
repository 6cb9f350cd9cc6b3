#include "api/docs/docs_routes.hpp"

#include <memory>
#include <mutex>

#include "api/ai/ai_schemas.hpp"
#include "api/ai/eval_schemas.hpp"
#include "api/ai/prompt_schemas.hpp"
#include "api/docs/docs_page.hpp"
#include "api/v1/schemas.hpp"
#include "core/build_info.hpp"

namespace aic::api::docs {
namespace {

constexpr std::string_view kDescription =
    "The HTTP API of the AIC Platform server.\n\n"
    "**Authentication.** Send an API key or an OAuth2 access token as `Authorization: Bearer "
    "<credential>`. Each operation names the permission its caller must hold in "
    "`x-aic-permission`; `public` operations need no credential.\n\n"
    "**Errors** are RFC 9457 `application/problem+json` documents (schema `Problem`) whose "
    "`type` is stable and safe to branch on. Before a request reaches an operation it may also "
    "be answered 404 (unknown path), 405 (method not allowed; see `Allow`), 408 (sent too "
    "slowly), 413 (body too large) or 431 (headers too large).\n\n"
    "**Tracing.** Every response carries `X-Request-Id` (the client's, when valid, or a new "
    "one) and a W3C `traceparent`.";

// What both routes serve, rendered once.
class Rendered {
 public:
  explicit Rendered(const http::Router& router) : router_(router) {}

  const std::string& json() {
    render();
    return json_;
  }
  const std::string& html() {
    render();
    return html_;
  }

 private:
  // A throw (a route with malformed schema text) leaves the flag unset: the request gets a
  // 500 and the next one tries again.
  void render() {
    std::call_once(once_, [this] {
      json_ = openapi_document(router_, api_info());
      html_ = docs_page(json_);
    });
  }

  const http::Router& router_;
  std::once_flag once_;
  std::string json_;
  std::string html_;
};

}  // namespace

ApiInfo api_info() {
  ApiInfo info;
  info.title = "AIC Platform API";
  info.version = std::string(core::build_info().version);
  info.description = std::string(kDescription);
  info.tags = {
      {"operations",
       "Liveness, readiness and metrics for orchestrators and monitoring; outside the "
       "versioned API.",
       {"/healthz", "/readyz", "/metrics"}},
      {"meta",
       "This server's version and this description of its API.",
       {"/v1/version", "/v1/openapi.json", "/docs"}},
      {"tenants",
       "Customer organisations. Only the platform operator manages them.",
       {"/v1/tenants"}},
      {"api-keys",
       "Credentials inside a tenant. A key's secret is shown once, when created.",
       {"/v1/api-keys"}},
      {"users",
       "The people of a tenant and their roles; each carries its version as an ETag.",
       {"/v1/users"}},
      {"roles",
       "Named sets of permissions: the built-in roles and the tenant's own.",
       {"/v1/roles"}},
      {"service-accounts",
       "Non-human principals of a tenant: OAuth2 clients that obtain short-lived access "
       "tokens.",
       {"/v1/service-accounts"}},
      {"oauth",
       "OAuth2 (RFC 6749 client credentials) and the keys that verify its access tokens; "
       "outside /v1 because the RFCs fix these paths and formats.",
       {"/oauth", "/.well-known/jwks.json"}},
      {"audit",
       "The caller's tamper-evident audit log: a hash chain per tenant (the platform "
       "operator reads the platform's chain).",
       {"/v1/audit-events"}},
      {"webhooks",
       "URLs that receive the tenant's events as signed POSTs (Standard Webhooks), with "
       "every attempt logged and dead letters replayable.",
       {"/v1/webhook-endpoints"}},
      {"events", "The tenant's domain events as a live Server-Sent Events stream.", {"/v1/events"}},
      {"entities",
       "The companies a tenant analyses, the files imported for them (bank statements, "
       "financial statements, share prices, news) and what is computed from them: scores, "
       "risk, sentiment, peer benchmarks and insights.",
       {"/v1/entities"}},
      {"sentiment", "Sentiment of ad-hoc texts of financial English.", {"/v1/sentiment"}},
      {"ai",
       "The AI gateway: OpenAI- and Anthropic-compatible chat, embeddings and the model list, "
       "in front of OpenAI, Azure OpenAI, Anthropic, Gemini and local OpenAI-compatible "
       "servers, with routing, retries, fail-over and per-target circuit breakers.",
       {"/v1/chat/completions", "/v1/messages", "/v1/embeddings", "/v1/models", "/v1/ai"}},
      {"ai-prompts",
       "Prompt templates of the tenant: Mustache messages with declared, typed variables, in "
       "immutable numbered versions with movable labels (`production`), rendered on demand.",
       {"/v1/ai/prompts"}},
      {"ai-evals",
       "Evaluations of the tenant: JSON Lines datasets graded by exact, contains, regex, JSON "
       "field, numeric, label or LLM-judge graders, run across models with a concurrency cap; "
       "scores, latency, tokens and cost per model, and a leaderboard per task.",
       {"/v1/ai/evals", "/v1/ai/leaderboard"}},
  };
  info.schemas = v1::component_schemas();
  for (auto& schema : ai::ai_schemas()) info.schemas.push_back(std::move(schema));
  for (auto& schema : ai::prompt_schemas()) info.schemas.push_back(std::move(schema));
  for (auto& schema : ai::eval_schemas()) info.schemas.push_back(std::move(schema));
  return info;
}

void add_docs_routes(http::Router& router) {
  // Shared by the two handlers (std::function needs copyable captures).
  auto rendered = std::make_shared<Rendered>(router);
  router.add(
      http::Method::kGet, "/v1/openapi.json",
      [rendered](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        co_return http::Response::json(200, rendered->json());
      },
      {.permission = std::string(http::kPublic),
       .summary = "This API's OpenAPI 3.1 description.",
       .operation_id = "getOpenApiDocument",
       .responses = {{.status = 200,
                      .description = "The OpenAPI document.",
                      .schema = R"({"type":"object","description":"An OpenAPI 3.1 document."})"}}});
  router.add(
      http::Method::kGet, "/docs",
      [rendered](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        auto response = http::Response::make(200, rendered->html(), "text/html; charset=utf-8");
        // The page needs nothing but its own inline styles.
        response.headers.add("Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                             "form-action 'none'; frame-ancestors 'none'");
        response.headers.add("X-Content-Type-Options", "nosniff");
        co_return response;
      },
      {.permission = std::string(http::kPublic),
       .summary = "This API's description as an HTML page.",
       .operation_id = "getDocsPage",
       .responses = {{.status = 200,
                      .description = "A self-contained HTML page.",
                      .schema = R"({"type":"string"})",
                      .media_type = "text/html"}}});
}

}  // namespace aic::api::docs
