// Operational endpoints, outside the versioned API: liveness, readiness and metrics.
//   GET /healthz  200 while the process runs (no dependencies checked)
//   GET /readyz   200 when it can serve: not draining, database reachable, schema current
//   GET /metrics  Prometheus text format
#pragma once

#include <functional>
#include <span>

#include "core/metrics.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aic::api {

struct OpsDependencies {
  std::function<bool()> draining;  // true once shutdown began
  store::Database& database;
  std::span<const store::Migration> migrations;
  core::WorkerPool& workers;
  core::Registry& metrics;
};

// Registers the three routes. `dependencies` must outlive the router.
void add_ops_routes(http::Router& router, const OpsDependencies& dependencies);

}  // namespace aic::api
