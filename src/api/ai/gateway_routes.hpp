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
#include "ai/chat_runner.hpp"
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

// The interface callers inside the server use (evaluation runs, the financial engine).
using aic::ai::ChatRunner;
using aic::ai::Completion;

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
