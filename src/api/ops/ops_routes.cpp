#include "api/ops/ops_routes.hpp"

#include <boost/json.hpp>

#include "core/process_metrics.hpp"

namespace aic::api {

namespace {

boost::asio::awaitable<http::Response> readiness(const OpsDependencies& deps,
                                                 http::RequestContext& context) {
  boost::json::object checks;
  bool ready = true;
  if (deps.draining()) {
    checks["shutdown"] = "draining";
    ready = false;
  } else {
    checks["shutdown"] = "ok";
  }
  // The database checks block, so they run on the worker pool.
  auto status =
      co_await deps.workers.run(context.deadline, [&]() -> core::Result<store::MigrationStatus> {
        if (auto ping = deps.database.ping(); !ping) return std::move(ping).error();
        return store::migration_status(deps.database, deps.migrations);
      });
  if (!status) {
    checks["database"] = status.error().message;
    checks["migrations"] = "unknown";
    ready = false;
  } else {
    checks["database"] = "ok";
    if (status->up_to_date()) {
      checks["migrations"] = "ok";
    } else {
      checks["migrations"] = "schema version " + std::to_string(status->current_version) +
                             ", expected " + std::to_string(status->latest_version);
      ready = false;
    }
  }
  boost::json::object body{{"status", ready ? "ready" : "not_ready"}, {"checks", checks}};
  auto response = http::Response::json(ready ? 200 : 503, boost::json::serialize(body));
  response.headers.add("Cache-Control", "no-store");
  co_return response;
}

}  // namespace

void add_ops_routes(http::Router& router, const OpsDependencies& dependencies) {
  const OpsDependencies* deps = &dependencies;
  router.add(http::Method::kGet, "/healthz",
             [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
               auto response = http::Response::json(200, R"({"status":"ok"})");
               response.headers.add("Cache-Control", "no-store");
               co_return response;
             },
             {.permission = std::string(http::kPublic),
              .summary = "Liveness: the process is running.",
              .operation_id = "checkLiveness",
              .responses = {{.status = 200, .description = "Alive.", .schema = "Health"}}});
  router.add(
      http::Method::kGet, "/readyz",
      [deps](http::RequestContext& context) { return readiness(*deps, context); },
      {.permission = std::string(http::kPublic),
       .summary = "Readiness: not draining, database reachable, schema current.",
       .operation_id = "checkReadiness",
       .responses = {{.status = 200, .description = "Ready to serve.", .schema = "Readiness"},
                     {.status = 503,
                      .description = "Not ready; `checks` says why.",
                      .schema = "Readiness",
                      .media_type = "application/json"}}});
  router.add(http::Method::kGet, "/metrics",
             [deps](http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
               std::string text = deps->metrics.render();
               // Counting open descriptors reads one /proc entry each (about 8 ms with
               // 10,000 open), so the process's lines come from the worker pool; when it
               // is saturated they are left out rather than the scrape failing.
               auto process = co_await deps->workers.run(context.deadline, [] {
                 std::string lines;
                 core::render_process_metrics(lines);
                 return lines;
               });
               if (process) text += *process;
               auto response = http::Response::make(200, std::move(text),
                                                    "text/plain; version=0.0.4; charset=utf-8");
               response.headers.add("Cache-Control", "no-store");
               co_return response;
             },
             {.permission = std::string(http::kPublic),
              .summary = "Prometheus metrics.",
              .operation_id = "getMetrics",
              .responses = {{.status = 200,
                             .description = "Prometheus text exposition format 0.0.4.",
                             .schema = R"({"type":"string"})",
                             .media_type = "text/plain"}}});
}

}  // namespace aic::api
