// /v1/entities: the companies a tenant analyses, and the bank files imported for them.
#pragma once

#include "api/idempotency.hpp"
#include "core/worker_pool.hpp"
#include "finance/entity_store.hpp"
#include "http/router.hpp"

namespace aic::api::v1 {

struct EntityDependencies {
  finance::EntityStore& entities;
  core::WorkerPool& workers;
  api::Idempotency& idempotency;
};

// The largest bank file one import accepts (a year of a busy account's MT940 is a few MB).
inline constexpr std::size_t kMaxImportBytes = 64 * 1024 * 1024;

// `dependencies` must outlive the router.
void add_entity_routes(http::Router& router, const EntityDependencies& dependencies);

}  // namespace aic::api::v1
