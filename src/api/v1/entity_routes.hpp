// /v1/entities: the companies a tenant analyses, and the bank files imported for them.
#pragma once

#include <memory>
#include <string>

#include "ai/chat_runner.hpp"
#include "api/idempotency.hpp"
#include "core/worker_pool.hpp"
#include "finance/entity_store.hpp"
#include "http/router.hpp"

namespace aic::api::v1 {

struct EntityDependencies {
  finance::EntityStore& entities;
  core::WorkerPool& workers;
  api::Idempotency& idempotency;
  // The AI gateway's runner for the model-based paths (sentiment with method "llm", the
  // insights narrative rewritten): a pointer to the gateway's slot, filled when the gateway's
  // routes are added. Null or empty: those paths answer 503.
  const std::shared_ptr<aic::ai::ChatRunner>* chat = nullptr;
  // ai.sentiment_model and ai.narrative_model: what those paths call when a request names no
  // model.
  std::string sentiment_model = "auto";
  std::string narrative_model = "auto";
};

// The largest bank file one import accepts (a year of a busy account's MT940 is a few MB).
inline constexpr std::size_t kMaxImportBytes = 64 * 1024 * 1024;

// `dependencies` must outlive the router.
void add_entity_routes(http::Router& router, const EntityDependencies& dependencies);

}  // namespace aic::api::v1
