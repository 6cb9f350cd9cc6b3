// /v1/webhook-endpoints: endpoints, their secrets, test deliveries, the messages owed to them,
// every attempt, and replay of dead letters.
#pragma once

#include "api/idempotency.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "webhooks/webhook_store.hpp"

namespace aic::api::v1 {

struct WebhookDependencies {
  webhooks::WebhookStore& webhooks;
  core::WorkerPool& workers;
  api::Idempotency& idempotency;
};

// `dependencies` must outlive the router.
void add_webhook_routes(http::Router& router, const WebhookDependencies& dependencies);

}  // namespace aic::api::v1
