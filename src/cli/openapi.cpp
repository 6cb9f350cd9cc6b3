// `aic openapi`: the API description, without a server, a configuration or a database.
#include <fstream>
#include <iostream>

#include "api/docs/docs_routes.hpp"
#include "api/oauth/oauth_routes.hpp"
#include "api/openapi.hpp"
#include "api/ops/ops_routes.hpp"
#include "api/v1/audit_routes.hpp"
#include "api/v1/identity_routes.hpp"
#include "audit/audit_log.hpp"
#include "cli/ai_gateway.hpp"
#include "cli/app.hpp"
#include "cli/routes.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/worker_pool.hpp"
#include "events/event_log.hpp"
#include "identity/identity_store.hpp"
#include "identity/token_service.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aic::cli {
namespace {

// Registering a route only stores its handler, so the handlers' dependencies can be stand-ins
// that are never called. This one refuses every transaction, in case one ever is.
class NoDatabase final : public store::Database {
 public:
  store::Backend backend() const override { return store::Backend::kSqlite; }
  core::Status transact(store::Access,
                        const std::function<core::Status(store::Transaction&)>&) override {
    return core::Error::make(core::ErrorCode::kUnavailable, "aic openapi opens no database");
  }
};

}  // namespace

int print_openapi(const std::string& output_path) {
  NoDatabase database;
  core::WorkerPool workers(1, 1);
  core::Registry registry;
  audit::AuditLog audit(database, core::system_random());
  events::EventLog events(database, core::system_random());
  identity::IdentityStore identities(database, core::system_random(), audit, events);
  api::OpsDependencies ops{[] { return false; }, database, store::builtin_migrations(), workers,
                           registry};
  identity::TokenService tokens(database, core::system_random(), audit, identities, {});
  ratelimit::InMemoryRateLimiter limiter;
  api::FailureThrottle failures(limiter, 1);
  api::OAuthDependencies oauth_deps{tokens, workers, failures};
  api::Idempotency idempotency(database, workers, core::system_random());
  api::v1::IdentityDependencies identity_deps{identities, workers, idempotency};
  ratelimit::ConcurrencyLimiter concurrency;
  api::ConcurrencyCap caps(concurrency);
  api::v1::AuditDependencies audit_deps{audit, workers, caps};
  webhooks::WebhookStore webhook_store(database, core::system_random(), audit, events, {});
  api::v1::WebhookDependencies webhook_deps{webhook_store, workers, idempotency};
  api::v1::EventStreamDependencies event_stream_deps{events, workers};
  finance::EntityStore entity_store(database, core::system_random(), audit, events);
  api::v1::EntityDependencies entity_deps{entity_store, workers, idempotency};
  std::vector<core::ConfigIssue> ignored;
  auto gateway = AiGateway::create(core::Config{}, registry,
                                   {database, workers, audit, events, idempotency}, ignored);
  http::Router router;
  add_all_routes(router, {ops, identity_deps, audit_deps, oauth_deps, webhook_deps,
                          event_stream_deps, entity_deps, gateway->dependencies(),
                          gateway->prompt_dependencies(), gateway->eval_dependencies()});

  std::string document;
  try {
    document = api::openapi_document(router, api::docs::api_info());
  } catch (const std::exception& error) {
    // A route's documentation is malformed: a programmer error, reported like one.
    std::cerr << "aic: cannot describe the API: " << error.what() << "\n";
    return 1;
  }
  workers.stop();
  if (output_path.empty() || output_path == "-") {
    std::cout << document << "\n";
    return std::cout.good() ? 0 : 1;
  }
  std::ofstream file(output_path, std::ios::binary | std::ios::trunc);
  file << document << "\n";
  file.close();
  if (!file) {
    std::cerr << "aic: cannot write " << output_path << "\n";
    return 1;
  }
  return 0;
}

}  // namespace aic::cli
