// A tenant's own AI providers and routes over HTTP (ai/tenant_catalog.hpp):
//
//   POST   /v1/ai/providers           a provider account with its models (ai:manage)
//   GET    /v1/ai/providers[/{name}]  (ai:manage: URLs and headers are settings)
//   PUT    /v1/ai/providers/{name}    replace; the stored key is kept unless `api_key` is sent
//   DELETE /v1/ai/providers/{name}
//   POST   /v1/ai/routes              a route over the tenant's and the operator's models
//   GET    /v1/ai/routes[/{name}]     (ai:invoke)
//   PUT    /v1/ai/routes/{name}
//   DELETE /v1/ai/routes/{name}
//
// A change reaches this replica's requests at once and the others' within ai.tenant_refresh.
#pragma once

#include "api/ai/gateway_routes.hpp"
#include "http/router.hpp"

namespace aic::api::ai {

// `dependencies` must outlive the router.
void add_tenant_catalog_routes(http::Router& router, GatewayDependencies& dependencies);

}  // namespace aic::api::ai
