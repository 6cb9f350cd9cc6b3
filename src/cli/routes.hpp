// Every route `aic serve` answers, registered in one place so that `aic openapi` describes
// exactly what the server serves.
#pragma once

#include "api/ai/eval_routes.hpp"
#include "api/ai/gateway_routes.hpp"
#include "api/ai/prompt_routes.hpp"
#include "api/oauth/oauth_routes.hpp"
#include "api/ops/ops_routes.hpp"
#include "api/v1/audit_routes.hpp"
#include "api/v1/entity_routes.hpp"
#include "api/v1/event_stream_routes.hpp"
#include "api/v1/identity_routes.hpp"
#include "api/v1/webhook_routes.hpp"
#include "http/router.hpp"

namespace aic::cli {

struct RouteDependencies {
  const api::OpsDependencies& ops;
  const api::v1::IdentityDependencies& identity;
  const api::v1::AuditDependencies& audit;
  const api::OAuthDependencies& oauth;
  const api::v1::WebhookDependencies& webhooks;
  const api::v1::EventStreamDependencies& event_stream;
  const api::v1::EntityDependencies& entities;
  api::ai::GatewayDependencies& gateway;
  const api::ai::PromptDependencies& prompts;
  api::ai::EvalDependencies& evals;
};

// `dependencies` must outlive the router.
void add_all_routes(http::Router& router, const RouteDependencies& dependencies);

}  // namespace aic::cli
