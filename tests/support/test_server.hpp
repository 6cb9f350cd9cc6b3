// An in-process aic server on 127.0.0.1, port 0, with a fresh SQLite database in a temp
// directory and the real filter chain (access control included), ops routes and /v1 routes.
// Tests add their own routes (slow, throwing, echoing) through `add_routes`.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "api/oauth/oauth_routes.hpp"
#include "api/ops/ops_routes.hpp"
#include "api/v1/audit_routes.hpp"
#include "api/v1/entity_routes.hpp"
#include "api/v1/event_stream_routes.hpp"
#include "api/v1/identity_routes.hpp"
#include "api/v1/webhook_routes.hpp"
#include "audit/async_writer.hpp"
#include "audit/audit_log.hpp"
#include "cli/ai_gateway.hpp"
#include "cli/webhook_delivery.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/worker_pool.hpp"
#include "events/event_log.hpp"
#include "http/filters.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "identity/identity_store.hpp"
#include "ratelimit/rate_limiter.hpp"
#include "store/database.hpp"
#include "webhooks/webhook_store.hpp"

namespace aic::test {

// A temporary directory removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class TestServer {
 public:
  using Configure = std::function<void(core::Config&)>;
  using AddRoutes = std::function<void(http::Router&, TestServer&)>;

  explicit TestServer(Configure configure = {}, AddRoutes add_routes = {});
  ~TestServer();

  std::uint16_t port() const { return server_->port(); }
  http::Server& server() { return *server_; }
  core::WorkerPool& workers() { return *workers_; }
  core::Registry& registry() { return registry_; }
  const core::Config& config() const { return config_; }
  store::Database& database() { return *database_; }
  identity::IdentityStore& identities() { return *identities_; }
  audit::AuditLog& audit() { return *audit_; }
  events::EventLog& events() { return *events_; }
  webhooks::WebhookStore& webhooks() { return *webhooks_; }
  // Null unless config.webhooks.deliver was true.
  cli::WebhookDelivery* delivery() { return delivery_.get(); }
  cli::AiGateway& gateway() { return *gateway_; }
  identity::TokenService& tokens() { return *tokens_; }
  api::ConcurrencyCap& caps() { return *caps_; }
  // Security events (failed authentication, denials) are written asynchronously.
  audit::AsyncWriter& security_events() { return *security_events_; }
  const http::Router& router() const { return router_; }

  // Begins graceful shutdown and waits for it; returns whether all connections drained.
  bool shutdown();

 private:
  TempDir directory_;
  core::Config config_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<core::WorkerPool> workers_;
  core::Registry registry_;
  std::unique_ptr<http::HttpMetrics> metrics_;
  std::unique_ptr<api::OpsDependencies> ops_;  // the ops routes point at it
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<audit::AsyncWriter> security_events_;
  std::unique_ptr<events::EventLog> events_;
  std::unique_ptr<identity::IdentityStore> identities_;
  std::unique_ptr<ratelimit::InMemoryRateLimiter> limiter_;
  std::unique_ptr<identity::TokenService> tokens_;
  std::unique_ptr<api::FailureThrottle> failures_;
  std::unique_ptr<api::OAuthDependencies> oauth_deps_;
  std::unique_ptr<api::Idempotency> idempotency_;
  std::unique_ptr<api::v1::IdentityDependencies> identity_deps_;
  std::unique_ptr<ratelimit::ConcurrencyLimiter> concurrency_;
  std::unique_ptr<api::ConcurrencyCap> caps_;
  std::unique_ptr<api::v1::AuditDependencies> audit_deps_;
  std::unique_ptr<webhooks::WebhookStore> webhooks_;
  std::unique_ptr<finance::EntityStore> entities_;
  std::unique_ptr<api::v1::EntityDependencies> entity_deps_;
  std::unique_ptr<api::v1::WebhookDependencies> webhook_deps_;
  std::unique_ptr<api::v1::EventStreamDependencies> event_stream_deps_;
  std::unique_ptr<cli::WebhookDelivery> delivery_;
  std::unique_ptr<cli::AiGateway> gateway_;
  http::Router router_;
  std::unique_ptr<http::Pipeline> pipeline_;
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

}  // namespace aic::test
