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
#include "finance/analytics/benchmark.hpp"
#include "finance/analytics/scores.hpp"
#include "finance/bank/bank_formats.hpp"
#include "finance/insights/insights.hpp"
#include "finance/market/prices.hpp"
#include "finance/statements/reported_period.hpp"
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

// What one imported file did; kept with the import and returned to the caller. The counts
// are of the kind of record the format holds.
struct ImportReport {
  std::string id;  // "imp_…"
  std::string entity_id;
  std::string format;
  std::string kind;    // "bank_transactions", "financial_periods", "share_prices", "news_items"
  std::string sha256;  // of the file, lower-case hex
  std::int64_t bytes = 0;
  std::int64_t records = 0;  // in the file
  std::int64_t added = 0;
  // Stored records whose values this file changed: a restated period, a corrected price.
  std::int64_t updated = 0;
  // Records already stored with the same values (the same bank reference, period, date or
  // news item), not added again.
  std::int64_t duplicates = 0;
  std::int64_t statements = 0;        // bank files: statements in the file
  std::int64_t accounts_created = 0;  // bank files: accounts seen for the first time
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
  // The share price whose close made the period's market value of equity (close × shares
  // outstanding), when imported prices supplied it.
  std::optional<PriceBar> price;
};

// The formats imports accept besides the bank files of parse_bank_file.
inline constexpr std::string_view kEdgarCompanyFacts = "edgar-companyfacts";
inline constexpr std::string_view kStatementsCsv = "statements-csv";
inline constexpr std::string_view kPricesCsv = "prices-csv";
inline constexpr std::string_view kNewsJson = "news-json";
// Bank CSV needs a column mapping (bank_csv.hpp), so it is not one of parse_bank_file's.
inline constexpr std::string_view kBankCsv = "bank-csv";

// Checks every member of a new entity; the error names the first bad field ("/lei").
core::Status validate_entity(const NewEntity& entity);

// An entity's metrics among its peers' (the latest period of each, of one length).
struct PeerBenchmark {
  Entity entity;
  std::string peer_group;  // "explicit", or how the automatic group was chosen
  std::vector<std::string> peer_ids;
  std::optional<Date> period_end;  // of the entity's period compared
  std::vector<MetricBenchmark> metrics;
  std::vector<std::string> notes;  // peers left out, a size band not applied, …
};

// Peers below this many make percentiles meaningless: the result says so.
inline constexpr std::size_t kMinimumPeers = 3;

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

  // The same for statements the caller parsed (bank CSV with its column mapping); `file` is
  // what the report's hash and size describe. The caller checked the entity first.
  core::Result<ImportReport> import_bank_statements(const core::Principal& actor,
                                                    std::string_view entity_id,
                                                    std::string_view format_name,
                                                    std::string_view file,
                                                    const std::vector<BankStatement>& statements,
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
  // The same for a statements CSV (statements_csv.hpp); rows without a currency are in the
  // entity's.
  core::Result<ImportReport> import_statements_csv(const core::Principal& actor,
                                                   std::string_view entity_id,
                                                   std::string_view file,
                                                   const audit::Origin& origin);

  // Daily share prices (prices.hpp). A date already stored with the same prices is a
  // duplicate; with other prices (a vendor's correction) it is replaced and counted as
  // updated. Prices are in the entity's reporting currency.
  core::Result<ImportReport> import_prices_csv(const core::Principal& actor,
                                               std::string_view entity_id, std::string_view file,
                                               const audit::Origin& origin);
  // The entity's stored prices, oldest first.
  core::Result<std::vector<PriceBar>> list_prices(const core::Principal& actor,
                                                  std::string_view entity_id);

  // News items (news.hpp), each scored for sentiment when stored. An item already stored
  // (the same id, or the same source, time and headline) is a duplicate.
  core::Result<ImportReport> import_news_json(const core::Principal& actor,
                                              std::string_view entity_id, std::string_view file,
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

  // Distress, cash runway and forecasts from the entity's periods of `length`, bank data and
  // prices (risk.hpp). Errors: kNotFound.
  core::Result<RiskReport> risk(const core::Principal& actor, std::string_view entity_id,
                                PeriodLength length);
  // News sentiment over the `window_days` days up to the latest news item, with the trend
  // against the window before. Errors: kNotFound (also when the entity has no news).
  core::Result<SentimentSummary> news_sentiment(const core::Principal& actor,
                                                std::string_view entity_id, int window_days);
  // The entity's metrics against its peers: `peer_ids`, or when empty an automatic group by
  // industry code prefix and size band. Errors: kNotFound; kInvalidArgument (field
  // "peer_group") for a peer that is not the tenant's, or no industry code for an automatic
  // group.
  core::Result<PeerBenchmark> benchmark(const core::Principal& actor, std::string_view entity_id,
                                        const std::vector<std::string>& peer_ids,
                                        PeriodLength length);

  // The insights document (insights.hpp) as JSON: the cached one while the entity's data is
  // unchanged, otherwise refresh_insights. Errors: kNotFound.
  core::Result<std::string> insights(const core::Principal& actor, std::string_view entity_id,
                                     PeriodLength length);
  // Computes the insights document from the current data and caches it; when it is for data
  // the cache did not have yet, publishes insights.updated in the same transaction. Called
  // after every import, so a change of data is followed by its insights.
  core::Result<std::string> refresh_insights(const core::Principal& actor,
                                             std::string_view entity_id, PeriodLength length);

  // The insights narrative as rewritten by a language model (summary_rewrite.hpp), kept per
  // entity, period length and the model the caller asked for.
  struct SummaryRewrite {
    std::string data_version;  // of the insights it was written from
    std::string text;
    std::string model;  // the catalogue's model that wrote it
    std::string route;  // what answered and why (the gateway's aic-route)
    std::string written_at;
  };
  // The kept rewrite for `data_version`, or nullopt. Errors: kNotFound.
  core::Result<std::optional<SummaryRewrite>> kept_summary_rewrite(const core::Principal& actor,
                                                                   std::string_view entity_id,
                                                                   PeriodLength length,
                                                                   std::string_view requested_model,
                                                                   std::string_view data_version);
  // Keeps `rewrite`, replacing the one kept for an older data version. Errors: kNotFound.
  core::Status keep_summary_rewrite(const core::Principal& actor, std::string_view entity_id,
                                    PeriodLength length, std::string_view requested_model,
                                    const SummaryRewrite& rewrite);

 private:
  core::Result<ImportReport> import_periods(const core::Principal& actor,
                                            std::string_view entity_id, std::string_view format,
                                            std::string_view file,
                                            const std::vector<ReportedPeriod>& periods,
                                            std::vector<std::string> warnings,
                                            const audit::Origin& origin);

  store::Database& database_;
  core::Random& random_;
  audit::AuditLog& audit_;
  events::EventLog& events_;
};

}  // namespace aic::finance
