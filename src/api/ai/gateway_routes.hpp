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

#include "ai/catalog.hpp"
#include "ai/response_cache.hpp"
#include "ai/routing.hpp"
#include "ai/usage_log.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/worker_pool.hpp"
#include "http/client/http_client.hpp"
#include "http/router.hpp"

namespace aic::api::ai {

struct GatewayDependencies {
  const aic::ai::Catalog& catalog;
  aic::ai::TargetHealth& health;
  http::HttpClient& client;
  const core::AiConfig& config;
  core::Registry& registry;
  aic::ai::UsageLog& usage;
  aic::ai::ResponseCache& cache;
  core::WorkerPool& workers;  // runs the usage summaries (database reads)
};

// `dependencies` must outlive the router.
void add_gateway_routes(http::Router& router, GatewayDependencies& dependencies);

}  // namespace aic::api::ai
