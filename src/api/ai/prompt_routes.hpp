// Prompt templates over HTTP (under /v1/ai/prompts):
//
//   POST   /                            create a prompt with its version 1
//   GET    /                            list (pages, oldest first)
//   GET    /{name}                      the prompt, its labels and its newest version
//   DELETE /{name}                      the prompt with every version and label
//   POST   /{name}/versions             the next version
//   GET    /{name}/versions             summaries in version order
//   GET    /{name}/versions/{version}   one version in full
//   PUT    /{name}/labels/{label}       point a label at a version
//   DELETE /{name}/labels/{label}
//   POST   /{name}/render               the messages with the variables filled in
//
// Writes need ai:manage; reads and render ai:invoke. Handlers translate HTTP to
// ai::PromptStore calls on the worker pool and nothing else; a request about a prompt the
// caller's tenant does not have is 404 whatever else is wrong with it.
#pragma once

#include "ai/prompts/prompt_store.hpp"
#include "api/idempotency.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"

namespace aic::api::ai {

struct PromptDependencies {
  aic::ai::PromptStore& prompts;
  core::WorkerPool& workers;
  api::Idempotency& idempotency;  // the POSTs that create something accept Idempotency-Key
};

// `dependencies` must outlive the router.
void add_prompt_routes(http::Router& router, const PromptDependencies& dependencies);

}  // namespace aic::api::ai
