#include "cli/routes.hpp"

#include "api/docs/docs_routes.hpp"
#include "api/v1/version_routes.hpp"

namespace aic::cli {

void add_all_routes(http::Router& router, const RouteDependencies& dependencies) {
  api::add_ops_routes(router, dependencies.ops);
  api::v1::add_version_routes(router);
  api::v1::add_identity_routes(router, dependencies.identity);
  api::v1::add_audit_routes(router, dependencies.audit);
  api::v1::add_webhook_routes(router, dependencies.webhooks);
  api::v1::add_event_stream_routes(router, dependencies.event_stream);
  api::v1::add_entity_routes(router, dependencies.entities);
  api::ai::add_gateway_routes(router, dependencies.gateway);
  api::ai::add_eval_routes(router, dependencies.evals);
  api::ai::add_prompt_routes(router, dependencies.prompts);
  api::add_oauth_routes(router, dependencies.oauth);
  api::docs::add_docs_routes(router);
}

}  // namespace aic::cli
