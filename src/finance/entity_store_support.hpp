// Helpers the two halves of EntityStore share: entity_store.cpp (entities, bank files) and
// entity_statements.cpp (financial statements and scores). Not for use outside them.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "finance/entity_store.hpp"
#include "store/database.hpp"

namespace aic::finance::detail {

// kPermissionDenied for the platform operator: entities belong to a tenant.
core::Status require_tenant(const core::Principal& actor);
core::Error entity_not_found(std::string_view entity_id);
// "<prefix><12 hex digits of unix millis><16 random hex digits>": ids sort by creation time.
std::string new_id(std::string_view prefix, core::Random& random);
std::string sha256_hex(std::string_view bytes);
// The tenant's entity, or kNotFound (also for another tenant's).
core::Result<Entity> find_entity(store::Transaction& tx, const std::string& tenant_id,
                                 std::string_view entity_id);
core::Status append_audit(audit::AuditLog& log, store::Transaction& tx,
                          const core::Principal& actor, const audit::Origin& origin,
                          std::string action, std::string target_type, const std::string& target_id,
                          std::string details);
// The report as stored with its import (counts and warnings).
std::string report_json(const ImportReport& report);

}  // namespace aic::finance::detail
