// Helpers the two halves of EntityStore share: entity_store.cpp (entities, bank files) and
// entity_statements.cpp (financial statements and scores). Not for use outside them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "events/event_log.hpp"
#include "finance/entity_store.hpp"
#include "store/database.hpp"

namespace aic::finance::detail {

// kPermissionDenied for the platform operator: entities belong to a tenant.
core::Status require_tenant(const core::Principal& actor);
core::Error entity_not_found(std::string_view entity_id);
std::string sha256_hex(std::string_view bytes);
// The tenant's entity, or kNotFound (also for another tenant's).
core::Result<Entity> find_entity(store::Transaction& tx, const std::string& tenant_id,
                                 std::string_view entity_id);
// The tenant's entities other than `except_id` whose industry code starts with `prefix`, in
// creation order.
core::Result<std::vector<Entity>> entities_with_industry_prefix(store::Transaction& tx,
                                                                const std::string& tenant_id,
                                                                const std::string& except_id,
                                                                std::string_view prefix);
core::Status append_audit(audit::AuditLog& log, store::Transaction& tx,
                          const core::Principal& actor, const audit::Origin& origin,
                          std::string action, std::string target_type, const std::string& target_id,
                          std::string details);
// The entity's periods of `length`, oldest first.
core::Result<std::vector<StoredPeriod>> read_periods(store::Transaction& tx,
                                                     const std::string& tenant_id,
                                                     std::string_view entity_id,
                                                     PeriodLength length);
// The entity's share prices, oldest first.
core::Result<std::vector<PriceBar>> read_prices(store::Transaction& tx,
                                                const std::string& entity_id);

// Scores of periods[at] against the period a year before it; a period without a market value
// of equity gets close × shares from `prices` (the bar used is put in `price_used`).
core::Result<PeriodScores> scores_of_period(const std::vector<StoredPeriod>& periods,
                                            std::size_t at, const std::vector<PriceBar>& prices,
                                            const FirmProfile& profile,
                                            std::optional<PriceBar>* price_used);

// The report as stored with its import (counts and warnings).
std::string report_json(const ImportReport& report);
// A report with the file's identity filled in (hash, size) and no counts yet.
ImportReport new_report(std::string_view entity_id, std::string_view format, std::string_view kind,
                        std::string_view file);
// The end of every import, in its transaction: the imports row with `report`, the
// import.completed event and the audit record.
core::Status record_import(store::Transaction& tx, audit::AuditLog& audit, events::EventLog& events,
                           const core::Principal& actor, const audit::Origin& origin,
                           const Entity& entity, const ImportReport& report);

}  // namespace aic::finance::detail
