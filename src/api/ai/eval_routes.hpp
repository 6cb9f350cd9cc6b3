// Evaluations over HTTP:
//
//   POST   /v1/ai/evals                                   create (name, task, grader, dataset)
//   GET    /v1/ai/evals                                   list (pages, oldest first; ?task=)
//   GET    /v1/ai/evals/{eval_id}
//   DELETE /v1/ai/evals/{eval_id}                         with its runs and results
//   POST   /v1/ai/evals/{eval_id}/runs                    run it across models (202)
//   GET    /v1/ai/evals/{eval_id}/runs                    list runs
//   GET    /v1/ai/evals/{eval_id}/runs/{run_id}           status and summary per model
//   GET    /v1/ai/evals/{eval_id}/runs/{run_id}/results   results per item (pages)
//   POST   /v1/ai/evals/{eval_id}/runs/{run_id}/cancel
//   GET    /v1/ai/leaderboard?task=classify               models ranked for a task
//
// Creating, deleting, running and cancelling need ai:manage; reads need ai:invoke. Another
// tenant's eval or run is 404 whatever else is wrong with the request. Handlers translate
// HTTP to ai::evals::EvalStore calls on the worker pool and start runs on EvalRunner.
#pragma once

#include "ai/evals/eval_store.hpp"
#include "api/ai/eval_runner.hpp"
#include "api/ai/gateway_routes.hpp"
#include "api/idempotency.hpp"
#include "http/router.hpp"

namespace aic::api::ai {

struct EvalDependencies {
  GatewayDependencies& gateway;  // its runner (set by add_gateway_routes), catalogue, workers
  aic::ai::evals::EvalStore& evals;
  EvalRunner& runner;
  api::Idempotency& idempotency;  // the creating POSTs accept Idempotency-Key
};

// `dependencies` must outlive the router. Register after add_gateway_routes (runs need its
// ChatRunner).
void add_eval_routes(http::Router& router, EvalDependencies& dependencies);

}  // namespace aic::api::ai
