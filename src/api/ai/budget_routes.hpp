// AI budgets over HTTP:
//
//   POST   /v1/ai/budgets               a monthly limit for the tenant, an API key or a
//                                       service account (billing:manage)
//   GET    /v1/ai/budgets               the tenant's budgets with this month's spend
//   GET    /v1/ai/budgets/{budget_id}   (billing:read)
//   PATCH  /v1/ai/budgets/{budget_id}   a new limit or thresholds (If-Match optional)
//   DELETE /v1/ai/budgets/{budget_id}
//
// The gateway routes enforce them (ai/budget.hpp); a change here reaches this replica's
// ledger at once and the others' within ai.tenant_refresh.
#pragma once

#include "api/ai/gateway_routes.hpp"
#include "http/router.hpp"

namespace aic::api::ai {

// `dependencies` must outlive the router.
void add_budget_routes(http::Router& router, GatewayDependencies& dependencies);

}  // namespace aic::api::ai
