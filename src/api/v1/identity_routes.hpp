// /v1/tenants (platform operator) and /v1/api-keys (inside a tenant).
#pragma once

#include "api/idempotency.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"
#include "identity/identity_store.hpp"

namespace aic::api::v1 {

struct IdentityDependencies {
  identity::IdentityStore& identities;
  core::WorkerPool& workers;
  api::Idempotency& idempotency;  // for every POST that creates something
};

// `dependencies` must outlive the router.
void add_identity_routes(http::Router& router, const IdentityDependencies& dependencies);

}  // namespace aic::api::v1
