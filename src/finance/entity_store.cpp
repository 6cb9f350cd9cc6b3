#include "finance/entity_store.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"
#include "finance/entity_store_support.hpp"
#include "finance/money.hpp"

namespace aic::finance {

namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::Transaction;
using store::Value;

constexpr std::string_view kEntityColumns =
    "id, tenant_id, name, cik, lei, ticker, industry_code, country, currency, is_public, "
    "manufacturing, version, created_at, updated_at";
// A transaction with its account's number and currency; a derived table, so that paging can
// name created_at and id without saying which table they come from.
constexpr std::string_view kTransactionsWithAccounts =
    "SELECT id, account_id, account, currency, import_id, booking_date, value_date, amount, "
    "reference, customer_reference, type_code, description, counterparty_name, "
    "counterparty_account, created_at FROM (SELECT t.id, t.tenant_id, t.entity_id, "
    "t.account_id, a.account, a.currency, t.import_id, t.booking_date, t.value_date, t.amount, "
    "t.reference, t.customer_reference, t.type_code, t.description, t.counterparty_name, "
    "t.counterparty_account, t.created_at FROM bank_transactions t "
    "JOIN bank_accounts a ON a.id = t.account_id) AS x";
}  // namespace

// Shared with the statement imports (entity_statements.cpp); see entity_store_support.hpp.
namespace detail {

core::Status require_tenant(const core::Principal& actor) {
  if (actor.tenant_id.empty()) {
    return Error::make(ErrorCode::kPermissionDenied,
                       "entities belong to a tenant; the platform operator has none");
  }
  return {};
}

Error entity_not_found(std::string_view entity_id) {
  return Error::make(ErrorCode::kNotFound, "entity " + std::string(entity_id) + " not found");
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
  }
  return out;
}

}  // namespace detail

using namespace detail;

namespace {

bool all_of(std::string_view text, int (*test)(int)) {
  return std::all_of(text.begin(), text.end(),
                     [test](char c) { return test(static_cast<unsigned char>(c)) != 0; });
}

Value optional_text(const std::optional<std::string>& text) {
  return text ? Value(*text) : Value(nullptr);
}

std::optional<std::string> text_or_null(store::QueryResult& rows, std::size_t row, int column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return rows.take_text(row, column);
}

Entity entity_from_row(store::QueryResult& rows, std::size_t row) {
  Entity entity;
  entity.id = rows.take_text(row, 0);
  entity.tenant_id = rows.take_text(row, 1);
  entity.name = rows.take_text(row, 2);
  entity.cik = text_or_null(rows, row, 3);
  entity.lei = text_or_null(rows, row, 4);
  entity.ticker = text_or_null(rows, row, 5);
  entity.industry_code = text_or_null(rows, row, 6);
  entity.country = text_or_null(rows, row, 7);
  entity.currency = rows.take_text(row, 8);
  entity.is_public = rows.integer(row, 9) != 0;
  entity.manufacturing = rows.integer(row, 10) != 0;
  entity.version = rows.integer(row, 11);
  entity.created_at = rows.take_text(row, 12);
  entity.updated_at = rows.take_text(row, 13);
  return entity;
}

StoredTransaction transaction_from_row(store::QueryResult& rows, std::size_t row) {
  StoredTransaction t;
  t.id = rows.take_text(row, 0);
  t.account_id = rows.take_text(row, 1);
  t.account = rows.take_text(row, 2);
  t.currency = rows.take_text(row, 3);
  t.import_id = rows.take_text(row, 4);
  t.booking_date = rows.take_text(row, 5);
  t.value_date = text_or_null(rows, row, 6);
  t.amount = rows.integer(row, 7);
  t.reference = rows.take_text(row, 8);
  t.customer_reference = rows.take_text(row, 9);
  t.type_code = rows.take_text(row, 10);
  t.description = rows.take_text(row, 11);
  t.counterparty_name = rows.take_text(row, 12);
  t.counterparty_account = rows.take_text(row, 13);
  t.created_at = rows.take_text(row, 14);
  return t;
}

}  // namespace

namespace detail {

Result<Entity> find_entity(Transaction& tx, const std::string& tenant_id,
                           std::string_view entity_id) {
  auto rows = tx.execute(
      "SELECT " + std::string(kEntityColumns) + " FROM entities WHERE tenant_id = $1 AND id = $2",
      {tenant_id, std::string(entity_id)});
  if (!rows) return std::move(rows).error();
  if (rows->rows.empty()) return entity_not_found(entity_id);
  return entity_from_row(*rows, 0);
}

Result<std::vector<Entity>> entities_with_industry_prefix(Transaction& tx,
                                                          const std::string& tenant_id,
                                                          const std::string& except_id,
                                                          std::string_view prefix) {
  auto rows = tx.execute("SELECT " + std::string(kEntityColumns) +
                             " FROM entities WHERE tenant_id = $1 AND id <> $2 AND "
                             "substr(industry_code, 1, " +
                             std::to_string(prefix.size()) + ") = $3 ORDER BY created_at, id",
                         {tenant_id, except_id, std::string(prefix)});
  if (!rows) return std::move(rows).error();
  std::vector<Entity> entities;
  entities.reserve(rows->rows.size());
  for (std::size_t row = 0; row < rows->rows.size(); ++row) {
    entities.push_back(entity_from_row(*rows, row));
  }
  return entities;
}

core::Status append_audit(audit::AuditLog& log, Transaction& tx, const core::Principal& actor,
                          const audit::Origin& origin, std::string action, std::string target_type,
                          const std::string& target_id, std::string details) {
  audit::Event event = audit::event_by(actor, origin, std::move(action));
  event.target_type = std::move(target_type);
  event.target_id = target_id;
  event.details = std::move(details);
  auto appended = log.append(tx, event);
  if (!appended) return std::move(appended).error();
  return {};
}

}  // namespace detail

namespace {

// What makes two stored transactions of one account the same entry. With a bank reference:
// the reference, date and amount (a reference some banks reuse, or fill with NONREF, does not
// merge different entries). Without one: the entry's content plus how many identical entries
// came before it in the file, so two equal card payments on one day are both kept, and the
// same file imported again adds neither.
std::string dedupe_key(const BankTransaction& transaction, std::map<std::string, int>& seen) {
  std::string reference = transaction.reference;
  std::string upper = reference;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "NONREF" || upper == "NOTPROVIDED") reference.clear();
  const std::string date = format_date(transaction.booking_date);
  const std::string amount = std::to_string(transaction.amount);
  if (!reference.empty()) return "r:" + sha256_hex(reference + "\n" + date + "\n" + amount);
  const std::string content = date + "\n" + amount + "\n" + transaction.type_code + "\n" +
                              transaction.description + "\n" + transaction.counterparty_name +
                              "\n" + transaction.counterparty_account + "\n" +
                              transaction.customer_reference;
  const int ordinal = seen[content]++;
  return "c:" + sha256_hex(content) + ":" + std::to_string(ordinal);
}

}  // namespace

std::string detail::report_json(const ImportReport& report) {
  std::string out;
  core::JsonWriter json(out);
  json.begin_object();
  json.member("kind", report.kind);
  json.member("records", report.records);
  json.member("added", report.added);
  json.member("updated", report.updated);
  json.member("duplicates", report.duplicates);
  json.member("statements", report.statements);
  json.member("accounts_created", report.accounts_created);
  json.key("warnings");
  json.begin_array();
  for (const std::string& warning : report.warnings) json.value(warning);
  json.end_array();
  json.end_object();
  return out;
}

ImportReport detail::new_report(std::string_view entity_id, std::string_view format,
                                std::string_view kind, std::string_view file) {
  ImportReport report;
  report.entity_id = std::string(entity_id);
  report.format = std::string(format);
  report.kind = std::string(kind);
  report.sha256 = sha256_hex(file);
  report.bytes = static_cast<std::int64_t>(file.size());
  return report;
}

core::Status detail::record_import(store::Transaction& tx, audit::AuditLog& audit,
                                   events::EventLog& events, const core::Principal& actor,
                                   const audit::Origin& origin, const Entity& entity,
                                   const ImportReport& report) {
  auto recorded = tx.execute(
      "INSERT INTO imports (id, tenant_id, entity_id, format, sha256, bytes, report, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {report.id, entity.tenant_id, entity.id, report.format, report.sha256, report.bytes,
       report_json(report), report.created_at});
  if (!recorded) return std::move(recorded).error();
  std::string data;
  core::JsonWriter json(data);
  json.begin_object();
  json.member("entity_id", entity.id);
  json.member("import_id", report.id);
  json.member("format", report.format);
  json.member("kind", report.kind);
  json.member("added", report.added);
  json.member("updated", report.updated);
  json.member("duplicates", report.duplicates);
  json.end_object();
  auto event = events.publish(tx, entity.tenant_id, "import.completed", data);
  if (!event) return std::move(event).error();
  return append_audit(
      audit, tx, actor, origin, "import.completed", "entity", entity.id,
      audit::details_json(
          {{"import_id", report.id}, {"format", report.format}, {"sha256", report.sha256}}));
}

namespace {

// The id of the entity's account `account` in `currency`, created when new.
Result<std::string> account_id_for(Transaction& tx, core::Random& random, const Entity& entity,
                                   const BankStatement& statement, const std::string& now,
                                   std::int64_t& created) {
  auto found = tx.execute(
      "SELECT id FROM bank_accounts WHERE entity_id = $1 AND account = $2 AND currency = $3",
      {entity.id, statement.account, statement.currency});
  if (!found) return std::move(found).error();
  if (!found->rows.empty()) return found->take_text(0, 0);
  std::string id = core::time_ordered_id("bac_", random);
  auto inserted = tx.execute(
      "INSERT INTO bank_accounts (id, tenant_id, entity_id, account, bank_id, currency, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {id, entity.tenant_id, entity.id, statement.account, statement.bank_id, statement.currency,
       now});
  if (!inserted) return std::move(inserted).error();
  ++created;
  return id;
}

}  // namespace

core::Status validate_entity(const NewEntity& entity) {
  if (entity.name.empty() || entity.name.size() > 200) {
    return Error::invalid("must be 1 to 200 characters", "/name");
  }
  if (entity.cik &&
      (entity.cik->empty() || entity.cik->size() > 10 || !all_of(*entity.cik, std::isdigit))) {
    return Error::invalid("must be 1 to 10 digits", "/cik");
  }
  if (entity.lei && (entity.lei->size() != 20 || !all_of(*entity.lei, std::isalnum) ||
                     !all_of(*entity.lei, [](int c) { return std::islower(c) ? 0 : 1; }))) {
    return Error::invalid("must be 20 upper-case letters and digits (ISO 17442)", "/lei");
  }
  if (entity.ticker &&
      (entity.ticker->empty() || entity.ticker->size() > 12 || !all_of(*entity.ticker, [](int c) {
         return std::isupper(c) || std::isdigit(c) || c == '.' || c == '-' ? 1 : 0;
       }))) {
    return Error::invalid("must be 1 to 12 upper-case letters, digits, '.' or '-'", "/ticker");
  }
  if (entity.industry_code &&
      (entity.industry_code->size() < 2 || entity.industry_code->size() > 6 ||
       !all_of(*entity.industry_code, std::isdigit))) {
    return Error::invalid("must be a NAICS or SIC code of 2 to 6 digits", "/industry_code");
  }
  if (entity.country && (entity.country->size() != 2 || !all_of(*entity.country, std::isupper))) {
    return Error::invalid("must be an ISO 3166-1 alpha-2 code such as \"DE\"", "/country");
  }
  if (!is_currency_code(entity.currency)) {
    return Error::invalid("must be an ISO 4217 code such as \"EUR\"", "/currency");
  }
  return {};
}

EntityStore::EntityStore(store::Database& database, core::Random& random, audit::AuditLog& audit,
                         events::EventLog& events)
    : database_(database), random_(random), audit_(audit), events_(events) {}

Result<Entity> EntityStore::create_entity(const core::Principal& actor, const NewEntity& request,
                                          const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  if (auto ok = validate_entity(request); !ok) return std::move(ok).error();
  Entity entity;
  static_cast<NewEntity&>(entity) = request;
  entity.id = core::time_ordered_id("ent_", random_);
  entity.tenant_id = actor.tenant_id;
  entity.created_at = entity.updated_at = core::utc_now_millis();
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto inserted = tx.execute(
        "INSERT INTO entities (" + std::string(kEntityColumns) +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)",
        {entity.id, entity.tenant_id, entity.name, optional_text(entity.cik),
         optional_text(entity.lei), optional_text(entity.ticker),
         optional_text(entity.industry_code), optional_text(entity.country), entity.currency,
         std::int64_t{entity.is_public}, std::int64_t{entity.manufacturing}, entity.created_at});
    if (!inserted) return std::move(inserted).error();
    std::string data;
    core::JsonWriter json(data);
    json.begin_object();
    json.member("entity_id", entity.id);
    json.member("name", entity.name);
    json.end_object();
    auto event = events_.publish(tx, entity.tenant_id, "entity.created", data);
    if (!event) return std::move(event).error();
    return append_audit(audit_, tx, actor, origin, "entity.created", "entity", entity.id,
                        audit::details_json({{"name", entity.name}}));
  });
  if (!status) return std::move(status).error();
  return entity;
}

Result<store::PageOf<Entity>> EntityStore::list_entities(const core::Principal& actor,
                                                         const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql = "SELECT " + std::string(kEntityColumns) + " FROM entities WHERE tenant_id = $1";
  std::vector<Value> params{actor.tenant_id};
  store::append_page(page, sql, params);
  store::PageOf<Entity> entities;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) {
    return store::read_page(tx, sql, params, page.limit, entity_from_row, entities);
  });
  if (!status) return std::move(status).error();
  return entities;
}

Result<Entity> EntityStore::get_entity(const core::Principal& actor, std::string_view entity_id) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::optional<Entity> entity;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto found = find_entity(tx, actor.tenant_id, entity_id);
    if (!found) return std::move(found).error();
    entity = std::move(*found);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*entity);
}

Result<ImportReport> EntityStore::import_bank_file(const core::Principal& actor,
                                                   std::string_view entity_id, BankFormat format,
                                                   std::string_view format_name,
                                                   std::string_view file,
                                                   const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  // The entity is checked before the file: another tenant's id must answer 404 whatever the
  // body holds.
  if (auto entity = get_entity(actor, entity_id); !entity) return std::move(entity).error();
  auto statements = parse_bank_file(format, file);
  if (!statements) return std::move(statements).error();
  return import_bank_statements(actor, entity_id, format_name, file, *statements, origin);
}

Result<ImportReport> EntityStore::import_bank_statements(
    const core::Principal& actor, std::string_view entity_id, std::string_view format_name,
    std::string_view file, const std::vector<BankStatement>& statements,
    const audit::Origin& origin) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  ImportReport report = new_report(entity_id, format_name, "bank_transactions", file);
  report.statements = static_cast<std::int64_t>(statements.size());
  for (std::size_t s = 0; s < statements.size(); ++s) {
    const BankStatement& statement = statements[s];
    // A parser accepts fragments (a page without its header); stored transactions need to
    // know whose account they belong to, in which currency.
    if (!statement.transactions.empty() &&
        (statement.account.empty() || !is_currency_code(statement.currency))) {
      return core::Error::invalid(
          "statement " + std::to_string(s + 1) + " names no account number or currency; its " +
          std::to_string(statement.transactions.size()) + " transactions cannot be stored");
    }
    report.records += static_cast<std::int64_t>(statement.transactions.size());
    for (const std::string& warning : statement.warnings) {
      report.warnings.push_back("statement " + std::to_string(s + 1) + " (account " +
                                statement.account + "): " + warning);
    }
  }

  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    // A retried transaction starts the report's counts again.
    report.id = core::time_ordered_id("imp_", random_);
    report.created_at = core::utc_now_millis();
    report.accounts_created = report.added = 0;
    auto entity = find_entity(tx, actor.tenant_id, entity_id);
    if (!entity) return std::move(entity).error();
    constexpr std::size_t kColumns = 16;
    const std::string id_stem = core::time_ordered_id("btx_", random_);
    std::size_t ordinal = 0;
    for (const BankStatement& statement : statements) {
      if (statement.transactions.empty()) continue;
      auto account_id = account_id_for(tx, random_, *entity, statement, report.created_at,
                                       report.accounts_created);
      if (!account_id) return std::move(account_id).error();
      if (statement.closing) {
        // The latest closing balance is the account's cash now (for the runway); an older
        // statement imported later does not overwrite it.
        auto balance = tx.execute(
            "UPDATE bank_accounts SET balance = $1, balance_date = $2 WHERE id = $3 AND "
            "(balance_date IS NULL OR balance_date <= $2)",
            {statement.closing->amount, format_date(statement.closing->date), *account_id});
        if (!balance) return std::move(balance).error();
      }
      std::map<std::string, int> seen;
      auto inserted = store::insert_rows(
          tx,
          "INSERT INTO bank_transactions (id, tenant_id, entity_id, account_id, import_id, "
          "booking_date, value_date, amount, reference, customer_reference, type_code, "
          "description, counterparty_name, counterparty_account, dedupe_key, created_at) VALUES ",
          kColumns, statement.transactions.size(),
          [&](std::size_t i, std::vector<Value>& params) {
            const BankTransaction& t = statement.transactions[i];
            // One random stem per import and a counter: ids (the listing's order) follow the
            // file.
            char counter[16];
            std::snprintf(counter, sizeof counter, "%08zx", ordinal++);
            params.emplace_back(id_stem + counter);
            params.emplace_back(entity->tenant_id);
            params.emplace_back(entity->id);
            params.emplace_back(*account_id);
            params.emplace_back(report.id);
            params.emplace_back(format_date(t.booking_date));
            params.emplace_back(t.value_date ? Value(format_date(*t.value_date)) : Value(nullptr));
            params.emplace_back(t.amount);
            params.emplace_back(t.reference);
            params.emplace_back(t.customer_reference);
            params.emplace_back(t.type_code);
            params.emplace_back(t.description);
            params.emplace_back(t.counterparty_name);
            params.emplace_back(t.counterparty_account);
            params.emplace_back(dedupe_key(t, seen));
            params.emplace_back(report.created_at);
          },
          " ON CONFLICT (account_id, dedupe_key) DO NOTHING");
      if (!inserted) return std::move(inserted).error();
      report.added += *inserted;
    }
    report.duplicates = report.records - report.added;
    return record_import(tx, audit_, events_, actor, origin, *entity, report);
  });
  if (!status) return std::move(status).error();
  return report;
}

Result<store::PageOf<StoredTransaction>> EntityStore::list_bank_transactions(
    const core::Principal& actor, std::string_view entity_id, const store::PageRequest& page) {
  if (auto ok = require_tenant(actor); !ok) return std::move(ok).error();
  std::string sql(kTransactionsWithAccounts);
  sql += " WHERE tenant_id = $1 AND entity_id = $2";
  std::vector<Value> params{actor.tenant_id, std::string(entity_id)};
  store::append_page(page, sql, params);
  store::PageOf<StoredTransaction> transactions;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    if (auto entity = find_entity(tx, actor.tenant_id, entity_id); !entity) {
      return std::move(entity).error();
    }
    return store::read_page(tx, sql, params, page.limit, transaction_from_row, transactions);
  });
  if (!status) return std::move(status).error();
  return transactions;
}

}  // namespace aic::finance
