// Entities (the companies a tenant analyses) and the bank data imported for them. Every query
// is scoped to the caller's tenant; another tenant's entity is "not found".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "events/event_log.hpp"
#include "finance/analytics/scores.hpp"
#include "finance/bank/bank_formats.hpp"
#include "store/database.hpp"
#include "store/page.hpp"

namespace aic::finance {

struct NewEntity {
  std::string name;
  std::optional<std::string> cik;  // SEC Central Index Key, up to 10 digits
  std::optional<std::string> lei;  // ISO 17442 Legal Entity Identifier, 20 characters
  std::optional<std::string> ticker;
  std::optional<std::string> industry_code;  // NAICS (2–6 digits) or SIC (4 digits)
  std::optional<std::string> country;        // ISO 3166-1 alpha-2
  std::string currency;                      // reporting currency, ISO 4217
  bool is_public = false;
  bool manufacturing = false;  // chooses the Altman Z variant
};

struct Entity : NewEntity {
  std::string id;  // "ent_…"
  std::string tenant_id;
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

// What one imported file did; kept with the import and returned to the caller.
struct ImportReport {
  std::string id;  // "imp_…"
  std::string entity_id;
  std::string format;
  std::string sha256;  // of the file, lower-case hex
  std::int64_t bytes = 0;
  std::int64_t statements = 0;
  std::int64_t accounts_created = 0;
  std::int64_t transactions = 0;  // in the file
  std::int64_t added = 0;
  std::int64_t duplicates = 0;  // already imported (same bank reference, or same entry)
  // Statement imports (edgar-companyfacts): fiscal periods in the file, new ones, and stored
  // ones whose values changed (an amended filing). Unchanged periods count as duplicates.
  std::int64_t periods = 0;
  std::int64_t periods_added = 0;
  std::int64_t periods_updated = 0;
  std::vector<std::string> warnings;
  std::string created_at;
};

struct StoredTransaction {
  std::string id;  // "btx_…"
  std::string account_id;
  std::string account;
  std::string currency;
  std::string import_id;
  std::string booking_date;
  std::optional<std::string> value_date;
  std::int64_t amount = 0;  // minor units
  std::string reference;
  std::string customer_reference;
  std::string type_code;
  std::string description;
  std::string counterparty_name;
  std::string counterparty_account;
  std::string created_at;
};

// One fiscal period's statement values as stored for an entity.
struct StoredPeriod {
  FinancialPeriod values;
  int fiscal_year = 0;
  std::string fiscal_period;  // "FY", "Q1" … "Q4"
  std::string currency;
  std::string source;      // the import format: "edgar-companyfacts"
  std::string source_ref;  // the filing's accession number
  std::string updated_at;
};

// Every score of one stored period, with the period it was computed for.
struct EntityScores {
  Entity entity;
  StoredPeriod period;
  PeriodScores scores;
};

// The statement formats imports accept besides bank files.
inline constexpr std::string_view kEdgarCompanyFacts = "edgar-companyfacts";

// Checks every member of a new entity; the error names the first bad field ("/lei").
core::Status validate_entity(const NewEntity& entity);

class EntityStore {
 public:
  EntityStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
              events::EventLog& events);

  // Errors: kInvalidArgument naming the field; kPermissionDenied for the platform operator
  // (entities belong to a tenant).
  core::Result<Entity> create_entity(const core::Principal& actor, const NewEntity& entity,
                                     const audit::Origin& origin);
  core::Result<store::PageOf<Entity>> list_entities(const core::Principal& actor,
                                                    const store::PageRequest& page);
  // Errors: kNotFound (also for another tenant's entity).
  core::Result<Entity> get_entity(const core::Principal& actor, std::string_view entity_id);

  // Parses `file` as `format` and stores its accounts and transactions in one transaction:
  // all of the file or none of it. Transactions already stored for the same account (same
  // bank reference, or for entries without one the same date, amount and text) are counted
  // as duplicates, so importing a file twice, or overlapping statements, adds nothing.
  // Errors: kNotFound; kInvalidArgument from the parser (naming the line or XML path).
  core::Result<ImportReport> import_bank_file(const core::Principal& actor,
                                              std::string_view entity_id, BankFormat format,
                                              std::string_view format_name, std::string_view file,
                                              const audit::Origin& origin);

  core::Result<store::PageOf<StoredTransaction>> list_bank_transactions(
      const core::Principal& actor, std::string_view entity_id, const store::PageRequest& page);

  // Reads SEC EDGAR companyfacts JSON and stores its fiscal periods (annual and quarterly) in
  // one transaction. A period already stored with the same values is a duplicate; with other
  // values (a restatement, an amended filing) it is replaced and counted as updated.
  // Errors: kNotFound; kInvalidArgument naming the JSON path (an IFRS-only file says so).
  core::Result<ImportReport> import_edgar_companyfacts(const core::Principal& actor,
                                                       std::string_view entity_id,
                                                       std::string_view file,
                                                       const audit::Origin& origin);
  // The entity's stored periods of `length`, oldest first.
  core::Result<std::vector<StoredPeriod>> list_periods(const core::Principal& actor,
                                                       std::string_view entity_id,
                                                       PeriodLength length);
  // The scores of the period of `length` ending on `period_end` (the latest when nullopt),
  // against the period of the same length a year before it (is_year_before). The entity's is_public
  // and manufacturing choose the Altman variant. Errors: kNotFound (entity, or no such period).
  core::Result<EntityScores> scores(const core::Principal& actor, std::string_view entity_id,
                                    PeriodLength length, std::optional<Date> period_end);

 private:
  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  events::EventLog& events_;
};

}  // namespace aic::finance
