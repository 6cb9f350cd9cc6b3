// EntityStore, second half: financial statements by fiscal period, and the scores computed
// from them.
#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"
#include "finance/entity_store.hpp"
#include "finance/entity_store_support.hpp"
#include "finance/statements/edgar.hpp"
#include "finance/statements/statements_csv.hpp"

namespace aic::finance {

using namespace detail;

namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::Transaction;

// The period's values as a JSON object of canonical item → number; absent items are left out,
// so the text is the same for the same values (imports compare it to spot restatements).
std::string items_json(const FinancialPeriod& period) {
  std::string out;
  core::JsonWriter json(out);
  json.begin_object();
  for (const PeriodItem& item : period_items()) {
    const std::optional<double>& value = period.*item.field;
    if (!value || !std::isfinite(*value)) continue;
    char text[32];
    const auto written = std::to_chars(text, text + sizeof text, *value);
    json.key(item.name);
    json.raw(std::string_view(text, static_cast<std::size_t>(written.ptr - text)));
  }
  json.end_object();
  return out;
}

// The inverse of items_json; unknown or non-numeric members are ignored (a newer version may
// store more items).
void read_items(std::string_view text, FinancialPeriod& period) {
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(text, error);
  if (error || !parsed.is_object()) return;
  const boost::json::object& items = parsed.get_object();
  for (const PeriodItem& item : period_items()) {
    const boost::json::value* value = items.if_contains(item.name);
    if (value != nullptr && value->is_number()) period.*item.field = value->to_number<double>();
  }
}

constexpr std::string_view kPeriodColumns =
    "period_end, length, fiscal_year, fiscal_period, currency, source, source_ref, items, "
    "updated_at";

StoredPeriod period_from_row(store::QueryResult& rows, std::size_t row) {
  StoredPeriod period;
  period.values.period_end = parse_iso_date(rows.take_text(row, 0)).value_or(Date{});
  period.values.length =
      rows.take_text(row, 1) == "annual" ? PeriodLength::kAnnual : PeriodLength::kQuarter;
  period.fiscal_year = static_cast<int>(rows.integer(row, 2));
  period.fiscal_period = rows.take_text(row, 3);
  period.currency = rows.take_text(row, 4);
  period.source = rows.take_text(row, 5);
  period.source_ref = rows.take_text(row, 6);
  read_items(rows.take_text(row, 7), period.values);
  period.updated_at = rows.take_text(row, 8);
  return period;
}

// Adds or replaces one period; counts it in the report.
core::Status store_period(Transaction& tx, core::Random& random, const Entity& entity,
                          const ReportedPeriod& reported, ImportReport& report) {
  const std::string& source = report.format;
  const std::string end = format_date(reported.values.period_end);
  const std::string length(to_string(reported.values.length));
  const std::string items = items_json(reported.values);
  auto found = tx.execute(
      "SELECT id, items FROM financial_periods WHERE entity_id = $1 AND length = $2 AND "
      "period_end = $3",
      {entity.id, length, end});
  if (!found) return std::move(found).error();
  if (found->rows.empty()) {
    auto inserted = tx.execute(
        "INSERT INTO financial_periods (id, tenant_id, entity_id, period_end, length, "
        "fiscal_year, fiscal_period, currency, source, source_ref, items, import_id, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $13)",
        {core::time_ordered_id("fpd_", random), entity.tenant_id, entity.id, end, length,
         static_cast<std::int64_t>(reported.fiscal_year), reported.fiscal_period, reported.currency,
         source, reported.accession, items, report.id, report.created_at});
    if (!inserted) return std::move(inserted).error();
    ++report.added;
    return {};
  }
  if (found->take_text(0, 1) == items) {
    ++report.duplicates;
    return {};
  }
  auto updated = tx.execute(
      "UPDATE financial_periods SET fiscal_year = $1, fiscal_period = $2, currency = $3, "
      "source = $4, source_ref = $5, items = $6, import_id = $7, updated_at = $8 WHERE id = $9",
      {static_cast<std::int64_t>(reported.fiscal_year), reported.fiscal_period, reported.currency,
       source, reported.accession, items, report.id, report.created_at, found->take_text(0, 0)});
  if (!updated) return std::move(updated).error();
  ++report.updated;
  return {};
}

}  // namespace

Result<std::vector<StoredPeriod>> detail::read_periods(Transaction& tx,
                                                       const std::string& tenant_id,
                                                       std::string_view entity_id,
                                                       PeriodLength length) {
  auto rows = tx.execute("SELECT " + std::string(kPeriodColumns) +
                             " FROM financial_periods WHERE tenant_id = $1 AND entity_id = $2 "
                             "AND length = $3 ORDER BY period_end",
                         {tenant_id, std::string(entity_id), std::string(to_string(length))});
  if (!rows) return std::move(rows).error();
  std::vector<StoredPeriod> periods;
  periods.reserve(rows->rows.size());
  for (std::size_t row = 0; row < rows->rows.size(); ++row) {
    periods.push_back(period_from_row(*rows, row));
  }
  return periods;
}

Result<ImportReport> EntityStore::import_edgar_companyfacts(const core::Principal& actor,
                                                            std::string_view entity_id,
                                                            std::string_view file,
                                                            const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto entity = get_entity(actor, entity_id); !entity) return std::move(entity).error();
  auto facts = parse_edgar_companyfacts(file);
  if (!facts) return std::move(facts).error();
  return import_periods(actor, entity_id, kEdgarCompanyFacts, file, facts->periods,
                        std::move(facts->warnings), origin);
}

Result<ImportReport> EntityStore::import_statements_csv(const core::Principal& actor,
                                                        std::string_view entity_id,
                                                        std::string_view file,
                                                        const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  auto entity = get_entity(actor, entity_id);
  if (!entity) return std::move(entity).error();
  auto parsed = parse_statements_csv(file, entity->currency);
  if (!parsed) return std::move(parsed).error();
  return import_periods(actor, entity_id, kStatementsCsv, file, parsed->periods,
                        std::move(parsed->warnings), origin);
}

Result<ImportReport> EntityStore::import_periods(const core::Principal& actor,
                                                 std::string_view entity_id,
                                                 std::string_view format, std::string_view file,
                                                 const std::vector<ReportedPeriod>& periods,
                                                 std::vector<std::string> warnings,
                                                 const audit::Origin& origin) {
  ImportReport report = new_report(entity_id, format, "financial_periods", file);
  report.records = static_cast<std::int64_t>(periods.size());
  report.warnings = std::move(warnings);
  if (periods.empty()) {
    report.warnings.push_back(
        "the file has no annual or quarterly figures of the items this server reads; nothing "
        "was stored");
  }
  const std::size_t file_warnings = report.warnings.size();
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    // A retried transaction starts the report's counts again.
    report.id = core::time_ordered_id("imp_", random_);
    report.created_at = core::utc_now_millis();
    report.added = report.updated = report.duplicates = 0;
    report.warnings.resize(file_warnings);
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    for (const ReportedPeriod& period : periods) {
      if (period.currency != entity->currency) {
        // Kept as filed: the analytics need one currency per period, not the entity's.
        report.warnings.push_back("period ending " + format_date(period.values.period_end) +
                                  " is reported in " + period.currency +
                                  ", the entity's currency is " + entity->currency);
      }
      if (auto stored = store_period(tx, random_, *entity, period, report); !stored) {
        return stored;
      }
    }
    return record_import(tx, audit_, events_, actor, origin, *entity, report);
  });
  if (!status) return std::move(status).error();
  return report;
}

Result<std::vector<StoredPeriod>> EntityStore::list_periods(const core::Principal& actor,
                                                            std::string_view entity_id,
                                                            PeriodLength length) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::vector<StoredPeriod> periods;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    periods.clear();
    if (auto entity = find_entity(tx, actor.tenant_id, entity_id); !entity) {
      return std::move(entity).error();
    }
    auto read = read_periods(tx, actor.tenant_id, entity_id, length);
    if (!read) return std::move(read).error();
    periods = std::move(*read);
    return {};
  });
  if (!status) return std::move(status).error();
  return periods;
}

Result<EntityScores> EntityStore::scores(const core::Principal& actor, std::string_view entity_id,
                                         PeriodLength length, std::optional<Date> period_end) {
  auto entity = get_entity(actor, entity_id);
  if (!entity) return std::move(entity).error();
  auto periods = list_periods(actor, entity_id, length);
  if (!periods) return std::move(periods).error();
  // The requested period (or the latest) and the one before it.
  std::size_t at = periods->size();
  if (period_end) {
    for (std::size_t i = 0; i < periods->size(); ++i) {
      if ((*periods)[i].values.period_end == *period_end) at = i;
    }
  } else if (!periods->empty()) {
    at = periods->size() - 1;
  }
  if (at == periods->size()) {
    return Error::make(ErrorCode::kNotFound, period_end
                                                 ? "entity " + std::string(entity_id) + " has no " +
                                                       std::string(to_string(length)) +
                                                       " period ending " + format_date(*period_end)
                                                 : "entity " + std::string(entity_id) + " has no " +
                                                       std::string(to_string(length)) +
                                                       " statements yet; import some first");
  }
  EntityScores result;
  result.entity = std::move(*entity);
  result.period = (*periods)[at];
  auto prices = list_prices(actor, entity_id);
  if (!prices) return std::move(prices).error();
  const FirmProfile profile{result.entity.is_public, result.entity.manufacturing};
  auto scored = scores_of_period(*periods, at, *prices, profile, &result.price);
  if (!scored) return std::move(scored).error();
  result.scores = std::move(*scored);
  return result;
}

}  // namespace aic::finance
