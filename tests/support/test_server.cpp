#include "test_server.hpp"

#include <cstdlib>
#include <stdexcept>

#include "api/auth/auth_filters.hpp"
#include "api/ops/ops_routes.hpp"
#include "api/v1/version_routes.hpp"
#include "core/logging.hpp"
#include "core/random.hpp"
#include "store/migrations.hpp"

namespace aic::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "aic-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TestServer::TestServer(Configure configure, AddRoutes add_routes) {
  config_.server.listen = "127.0.0.1:0";
  config_.server.io_threads = 2;
  config_.database.url = "sqlite://" + (directory_.path() / "aic.db").string();
  config_.workers.threads = 4;
  config_.log.access = false;
  config_.log.level = "warn";
  config_.webhooks.deliver = false;  // the webhook tests turn delivery on
  if (configure) configure(config_);
  core::configure_logging(config_.log);

  auto database = store::open_database(store::database_options(config_.database));
  if (!database) throw std::runtime_error("open_database: " + database.error().message);
  database_ = std::move(*database);
  auto applied = store::apply_migrations(*database_, store::builtin_migrations());
  if (!applied) throw std::runtime_error("migrations: " + applied.error().message);

  workers_ =
      std::make_unique<core::WorkerPool>(config_.workers.threads, config_.workers.queue_limit);
  metrics_ = std::make_unique<http::HttpMetrics>(registry_);
  ops_ = std::make_unique<api::OpsDependencies>(
      api::OpsDependencies{[this] { return server_ && server_->draining(); }, *database_,
                           store::builtin_migrations(), *workers_, registry_});
  audit_ = std::make_unique<audit::AuditLog>(*database_, core::system_random());
  security_events_ = std::make_unique<audit::AsyncWriter>(*audit_);
  events_ = std::make_unique<events::EventLog>(*database_, core::system_random());
  identities_ = std::make_unique<identity::IdentityStore>(
      *database_, core::system_random(), *audit_, *events_, config_.auth.credential_cache_ttl);
  limiter_ = std::make_unique<ratelimit::InMemoryRateLimiter>();
  tokens_ = std::make_unique<identity::TokenService>(*database_, core::system_random(), *audit_,
                                                     *identities_,
                                                     identity::token_settings(config_.auth));
  failures_ =
      std::make_unique<api::FailureThrottle>(*limiter_, config_.rate_limits.failed_authentications);
  oauth_deps_ = std::make_unique<api::OAuthDependencies>(
      api::OAuthDependencies{*tokens_, *workers_, *failures_});
  idempotency_ = std::make_unique<api::Idempotency>(
      *database_, *workers_, core::system_random(),
      api::IdempotencyOptions{identity::token_settings(config_.auth).master_key,
                              config_.server.request_timeout});
  identity_deps_ = std::make_unique<api::v1::IdentityDependencies>(
      api::v1::IdentityDependencies{*identities_, *workers_, *idempotency_});
  concurrency_ = std::make_unique<ratelimit::ConcurrencyLimiter>();
  caps_ = std::make_unique<api::ConcurrencyCap>(*concurrency_);
  audit_deps_ = std::make_unique<api::v1::AuditDependencies>(
      api::v1::AuditDependencies{*audit_, *workers_, *caps_});
  webhooks_ = std::make_unique<webhooks::WebhookStore>(
      *database_, core::system_random(), *audit_, *events_,
      webhooks::WebhookStoreOptions{identity::token_settings(config_.auth).master_key,
                                    config_.webhooks.lease});
  webhook_deps_ = std::make_unique<api::v1::WebhookDependencies>(
      api::v1::WebhookDependencies{*webhooks_, *workers_, *idempotency_});
  entities_ =
      std::make_unique<finance::EntityStore>(*database_, core::system_random(), *audit_, *events_);
  entity_deps_ = std::make_unique<api::v1::EntityDependencies>(
      api::v1::EntityDependencies{*entities_, *workers_, *idempotency_});
  event_stream_deps_ = std::make_unique<api::v1::EventStreamDependencies>(
      api::v1::EventStreamDependencies{*events_, *workers_, config_.events.stream_heartbeat});
  if (config_.webhooks.deliver) {
    auto delivery = cli::WebhookDelivery::create(config_.webhooks, *webhooks_);
    if (!delivery) throw std::runtime_error("webhook delivery: " + delivery.error().message);
    delivery_ = std::move(*delivery);
    delivery_->start();
  }
  api::add_ops_routes(router_, *ops_);
  api::v1::add_version_routes(router_);
  api::v1::add_identity_routes(router_, *identity_deps_);
  api::v1::add_audit_routes(router_, *audit_deps_);
  api::v1::add_webhook_routes(router_, *webhook_deps_);
  api::v1::add_event_stream_routes(router_, *event_stream_deps_);
  api::v1::add_entity_routes(router_, *entity_deps_);
  api::add_oauth_routes(router_, *oauth_deps_);
  std::vector<core::ConfigIssue> catalog_issues;
  gateway_ = cli::AiGateway::create(config_, registry_,
                                    {*database_, *workers_, *audit_, *events_, *idempotency_},
                                    catalog_issues);
  if (!catalog_issues.empty()) {
    throw std::runtime_error("ai catalogue: " + catalog_issues.front().key + ": " +
                             catalog_issues.front().reason);
  }
  entity_deps_->chat = &gateway_->dependencies().runner;
  entity_deps_->sentiment_model = config_.ai.sentiment_model;
  entity_deps_->narrative_model = config_.ai.narrative_model;
  api::ai::add_gateway_routes(router_, gateway_->dependencies());
  api::ai::add_eval_routes(router_, gateway_->eval_dependencies());
  api::ai::add_prompt_routes(router_, gateway_->prompt_dependencies());
  if (add_routes) add_routes(router_, *this);
  pipeline_ = std::make_unique<http::Pipeline>(
      api::with_access_control(http::standard_filters(config_, *metrics_, core::system_random()),
                               {*identities_, *tokens_, *workers_, *security_events_, *limiter_,
                                config_.rate_limits, *failures_}),
      router_);
  server_ = std::make_unique<http::Server>(config_, *pipeline_, *metrics_);
  if (auto started = server_->start(); !started) {
    throw std::runtime_error("server start: " + started.error().message);
  }
}

bool TestServer::shutdown() {
  if (stopped_) return true;
  stopped_ = true;
  server_->begin_shutdown();
  return server_->wait();
}

TestServer::~TestServer() {
  shutdown();
  delivery_.reset();
  workers_->stop();
}

}  // namespace aic::test
