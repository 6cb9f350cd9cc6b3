// /v1/audit-events: the caller's audit chain (a tenant's, or the platform's for the
// operator), newest first with cursor pagination, and an export as JSON Lines in chain order
// with the hashes, so a third party can re-verify the chain.
#pragma once

#include "api/concurrency_cap.hpp"
#include "audit/audit_log.hpp"
#include "core/worker_pool.hpp"
#include "http/router.hpp"

namespace aic::api::v1 {

struct AuditDependencies {
  audit::AuditLog& audit;
  core::WorkerPool& workers;
  api::ConcurrencyCap& caps;  // exports are expensive: two at a time per tenant
};

// `dependencies` must outlive the router.
void add_audit_routes(http::Router& router, const AuditDependencies& dependencies);

}  // namespace aic::api::v1
