// The AI gateway's HTTP surface:
//
//   POST /v1/chat/completions   OpenAI Chat Completions (streamed or not)
//   POST /v1/messages           Anthropic Messages (streamed or not)
//   POST /v1/embeddings         OpenAI Embeddings
//   GET  /v1/models             the models, aliases and routes the caller may name
//   GET  /v1/ai/usage           the tenant's tokens and cost, grouped by model, key, day
//
// Each request is planned (ai::plan_route), then tried target by target: retries with
// backoff on connection errors, timeouts, 408, 429 and 5xx (a provider's Retry-After is
// honoured), fail-over to the next target, a circuit breaker per target. A streamed answer
// is never retried once its first byte has gone to the client. Every answer carries
// `aic-route` (what answered and why) and `aic-overhead-us` (time spent in the gateway
// itself, not waiting for providers).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ai/budget.hpp"
#include "ai/budget_store.hpp"
#include "ai/catalog.hpp"
#include "ai/prompts/prompt_store.hpp"
#include "ai/response_cache.hpp"
#include "ai/routing.hpp"
#include "ai/tenant_catalog.hpp"
#include "ai/usage_log.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/principal.hpp"
#include "core/result.hpp"
#include "core/worker_pool.hpp"
#include "http/client/http_client.hpp"
#include "http/router.hpp"

namespace aic::api::ai {

// A chat completion run for a caller inside the server (an evaluation run).
struct Completion {
  aic::ai::ChatResponse response;
  std::string model;     // the catalogue's model that answered
  std::string provider;  // the provider account
  std::string route;     // what answered and why, as in the aic-route header
  std::int64_t cost_microdollars = 0;
  std::int64_t duration_us = 0;
};

// Runs chat requests the way POST /v1/chat/completions does — routing, retries, fail-over,
// budgets, usage records — for a principal, without an HTTP request. Never streams.
class ChatRunner {
 public:
  virtual ~ChatRunner() = default;
  // Errors: kNotFound (unknown model), kInvalidArgument (the request or a provider refused
  // it), kQuotaExceeded (a budget, a provider's rate limit), kUnavailable (every target
  // failed), kDeadlineExceeded.
  virtual boost::asio::awaitable<core::Result<Completion>> complete(const core::Principal& actor,
                                                                    aic::ai::ChatRequest request,
                                                                    std::string request_id,
                                                                    core::Deadline deadline) = 0;
};

struct GatewayDependencies {
  aic::ai::TenantCatalogs& catalogs;  // the operator's catalogue, extended per tenant
  aic::ai::TenantCatalogStore& tenant_catalog;
  aic::ai::TargetHealth& health;
  http::HttpClient& client;         // the operator's providers
  http::HttpClient& tenant_client;  // tenants' own providers (address-restricted)
  const core::AiConfig& config;
  core::Registry& registry;
  aic::ai::UsageLog& usage;
  aic::ai::ResponseCache& cache;
  core::WorkerPool& workers;  // runs database calls (usage summaries, budgets)
  aic::ai::BudgetLedger& budgets;
  aic::ai::BudgetStore& budget_store;
  std::shared_ptr<ChatRunner> runner;       // set by add_gateway_routes
  aic::ai::PromptStore* prompts = nullptr;  // for `aic_prompt` in chat requests; null: refused
  // The tenant's measured quality per model for a task (evaluation runs), for `model:
  // "auto"`. Blocks on the database (run on `workers`). Unset: "auto" is refused.
  std::function<core::Result<std::vector<aic::ai::QualityScore>>(const std::string& tenant_id,
                                                                 const std::string& task)>
      quality_scores;
};

// `dependencies` must outlive the router; its `runner` is set here.
void add_gateway_routes(http::Router& router, GatewayDependencies& dependencies);

}  // namespace aic::api::ai
