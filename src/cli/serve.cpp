// `aic serve`: the composition root of the running server.
#include <csignal>
#include <iostream>

#include "api/auth/auth_filters.hpp"
#include "api/oauth/oauth_routes.hpp"
#include "api/ops/ops_routes.hpp"
#include "api/v1/audit_routes.hpp"
#include "api/v1/identity_routes.hpp"
#include "audit/async_writer.hpp"
#include "cli/ai_gateway.hpp"
#include "cli/app.hpp"
#include "cli/routes.hpp"
#include "cli/webhook_delivery.hpp"
#include "core/build_info.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/worker_pool.hpp"
#include "events/event_log.hpp"
#include "http/filters.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aic::cli {

int serve(const core::Config& config) {
  // Block the shutdown signals before any thread exists, so every thread inherits the mask
  // and only the sigwait below receives them.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  core::configure_logging(config.log);
  const auto& info = core::build_info();
  core::log_info("aic " + std::string(info.version) + " (" + std::string(info.commit) +
                 ") starting; database " + core::redact_url(config.database.url));

  auto database = store::open_database(store::database_options(config.database));
  if (!database) {
    core::log_error("cannot open database: " + database.error().message);
    return 1;
  }

  auto migrations = store::builtin_migrations();
  auto status = store::migration_status(**database, migrations);
  if (!status) {
    // Includes "schema newer than this binary": refuse to run against it.
    core::log_error("cannot start: " + status.error().message);
    return 1;
  }
  if (!status->up_to_date()) {
    if (!config.database.migrate_on_start) {
      core::log_error("cannot start: " + std::to_string(status->pending.size()) +
                      " pending migration(s) and database.migrate_on_start is false; run "
                      "`aic migrate`");
      return 1;
    }
    auto applied = store::apply_migrations(**database, migrations);
    if (!applied) {
      core::log_error("migration failed: " + applied.error().message);
      return 1;
    }
    core::log_info("applied " + std::to_string(applied->size()) + " migration(s)");
  }

  core::WorkerPool workers(core::effective_worker_threads(config.workers),
                           config.workers.queue_limit);
  core::Registry registry;
  http::HttpMetrics http_metrics(registry);
  registry
      .gauge("aic_build_info", "Build information; the value is always 1.", {"version", "commit"})
      .with({std::string(info.version), std::string(info.commit)})
      .set(1);

  http::Server* running_server = nullptr;
  api::OpsDependencies ops{
      [&running_server] { return running_server != nullptr && running_server->draining(); },
      **database, migrations, workers, registry};
  audit::AuditLog audit(**database, core::system_random());
  audit::AsyncWriter security_events(audit);
  events::EventLog events(**database, core::system_random());
  identity::IdentityStore identities(**database, core::system_random(), audit, events,
                                     config.auth.credential_cache_ttl);
  ratelimit::InMemoryRateLimiter limiter;
  if (config.auth.master_key.empty()) {
    core::log_warn(
        "auth.master_key is not set: token signing keys and webhook signing secrets are stored "
        "unencrypted in the database, and Idempotency-Key retries are replayed only by the "
        "process that answered first");
  }
  identity::TokenSettings token_settings = identity::token_settings(config.auth);
  api::Idempotency idempotency(**database, workers, core::system_random(),
                               {token_settings.master_key, config.server.request_timeout});
  identity::TokenService tokens(**database, core::system_random(), audit, identities,
                                std::move(token_settings));
  api::FailureThrottle failures(limiter, config.rate_limits.failed_authentications);
  api::OAuthDependencies oauth_deps{tokens, workers, failures};
  api::v1::IdentityDependencies identity_deps{identities, workers, idempotency};
  ratelimit::ConcurrencyLimiter concurrency;
  api::ConcurrencyCap caps(concurrency);
  api::v1::AuditDependencies audit_deps{audit, workers, caps};
  webhooks::WebhookStore webhook_store(
      **database, core::system_random(), audit, events,
      {identity::token_settings(config.auth).master_key, config.webhooks.lease});
  api::v1::WebhookDependencies webhook_deps{webhook_store, workers, idempotency};
  api::v1::EventStreamDependencies event_stream_deps{events, workers,
                                                     config.events.stream_heartbeat};
  finance::EntityStore entity_store(**database, core::system_random(), audit, events);
  api::v1::EntityDependencies entity_deps{entity_store, workers, idempotency};
  std::unique_ptr<WebhookDelivery> delivery;
  if (config.webhooks.deliver) {
    auto created = WebhookDelivery::create(config.webhooks, webhook_store);
    if (!created) {
      core::log_error("cannot start: " + created.error().field + ": " + created.error().message);
      return 1;
    }
    delivery = std::move(*created);
  }
  std::vector<core::ConfigIssue> catalog_issues;
  auto gateway = AiGateway::create(
      config, registry, {**database, workers, audit, events, idempotency}, catalog_issues);
  if (!catalog_issues.empty()) {
    for (const auto& issue : catalog_issues)
      core::log_error("cannot start: " + issue.key + ": " + issue.reason);
    return 1;
  }
  // The financial engine's model-based paths run through the gateway.
  entity_deps.chat = &gateway->dependencies().runner;
  entity_deps.sentiment_model = config.ai.sentiment_model;
  entity_deps.narrative_model = config.ai.narrative_model;
  http::Router router;
  add_all_routes(router, {ops, identity_deps, audit_deps, oauth_deps, webhook_deps,
                          event_stream_deps, entity_deps, gateway->dependencies(),
                          gateway->prompt_dependencies(), gateway->eval_dependencies()});
  if (auto declared = api::check_route_permissions(router); !declared) {
    core::log_error(declared.error().message);
    return 1;
  }
  http::Pipeline pipeline(
      api::with_access_control(
          http::standard_filters(config, http_metrics, core::system_random()),
          {identities, tokens, workers, security_events, limiter, config.rate_limits, failures}),
      router);

  http::Server server(config, pipeline, http_metrics);
  running_server = &server;
  if (auto started = server.start(); !started) {
    core::log_error(started.error().message);
    return 1;
  }
  auto host = core::parse_host_port(config.server.listen)->host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  std::string url = std::string(config.tls.enabled() ? "https" : "http") + "://" + host + ":" +
                    std::to_string(server.port());
  core::log_info("listening on " + url);
  if (delivery) delivery->start();
  std::cerr << "aic: listening on " << url << std::endl;
  if (auto bootstrapped = identities.operator_bootstrapped(); bootstrapped && !*bootstrapped) {
    std::cerr << "aic: no API key exists yet; create the platform operator's with\n"
                 "       aic admin bootstrap\n"
                 "     then a tenant and its owner's key with\n"
                 "       aic admin create-tenant --name NAME --owner-email EMAIL\n"
                 "     or, to try it with fictional companies and their data,\n"
                 "       aic admin seed-demo\n";
  }

  int received = 0;
  sigwait(&shutdown_signals, &received);
  core::log_info(std::string("received ") + (received == SIGTERM ? "SIGTERM" : "SIGINT") +
                 "; draining");
  server.begin_shutdown();
  bool drained = server.wait();
  // Deliveries in flight get the shutdown grace to finish; the rest go again after their lease.
  if (delivery) delivery->stop(config.server.shutdown_grace);
  workers.stop();
  core::log_info(drained ? "stopped cleanly" : "stopped after the grace period");
  return 0;
}

}  // namespace aic::cli
