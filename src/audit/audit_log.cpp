#include "audit/audit_log.hpp"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"

namespace aic::audit {
namespace {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::Access;
using store::Transaction;
using store::Value;

constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Verification reads this many events per transaction.
constexpr std::int64_t kVerifyPageSize = 1000;

constexpr std::string_view kRecordColumns =
    "chain, seq, id, occurred_at, action, outcome, actor_kind, actor_id, credential_id, "
    "target_type, target_id, client_address, user_agent, request_id, details, prev_hash, hash";

std::string sha256_hex(std::string_view first, std::string_view second) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(context, first.data(), first.size()) == 1 &&
            EVP_DigestUpdate(context, second.data(), second.size()) == 1 &&
            EVP_DigestFinal_ex(context, digest.data(), &length) == 1;
  EVP_MD_CTX_free(context);
  if (!ok) throw std::runtime_error("SHA-256 failed in OpenSSL");
  return core::to_hex(std::span<const std::uint8_t>(digest.data(), length));
}

std::string chain_of(const Event& event) {
  return event.tenant_id.empty() ? std::string(kPlatformChain) : event.tenant_id;
}

Record record_from_row(const store::QueryResult& rows, std::size_t row) {
  Record record;
  record.chain = rows.text(row, 0);
  record.seq = rows.integer(row, 1);
  record.id = rows.text(row, 2);
  record.occurred_at = rows.text(row, 3);
  Event& event = record.event;
  event.tenant_id = record.chain == kPlatformChain ? std::string() : record.chain;
  event.action = rows.text(row, 4);
  event.outcome = rows.text(row, 5);
  event.actor_kind = rows.text(row, 6);
  event.actor_id = rows.text(row, 7);
  event.credential_id = rows.text(row, 8);
  event.target_type = rows.text(row, 9);
  event.target_id = rows.text(row, 10);
  event.origin.client_address = rows.text(row, 11);
  event.origin.user_agent = rows.text(row, 12);
  event.origin.request_id = rows.text(row, 13);
  event.details = rows.text(row, 14);
  record.prev_hash = rows.text(row, 15);
  record.hash = rows.text(row, 16);
  return record;
}

core::Status check_event(const Event& event) {
  if (event.action.empty()) return Error::make(ErrorCode::kInternal, "audit event has no action");
  if (event.outcome != "success" && event.outcome != "failure" && event.outcome != "denied") {
    return Error::make(ErrorCode::kInternal, "audit outcome '" + event.outcome + "' is unknown");
  }
  return {};
}

}  // namespace

Event event_by(const core::Principal& principal, const Origin& origin, std::string action) {
  Event event;
  event.tenant_id = principal.tenant_id;
  event.action = std::move(action);
  event.actor_kind = principal.kind == core::Principal::Kind::kOperator         ? "operator"
                     : principal.kind == core::Principal::Kind::kServiceAccount ? "service_account"
                                                                                : "user";
  event.actor_id = principal.id;
  event.credential_id = principal.credential_id;
  event.origin = origin;
  return event;
}

std::string details_json(
    std::initializer_list<std::pair<std::string_view, std::string_view>> members) {
  std::string out = "{";
  for (const auto& [name, value] : members) {
    if (out.size() > 1) out += ',';
    out += '"';
    core::append_json_escaped(out, name);
    out += "\":\"";
    core::append_json_escaped(out, value);
    out += '"';
  }
  out += '}';
  return out;
}

std::string canonical_form(const Record& record) {
  const Event& event = record.event;
  const std::string seq = std::to_string(record.seq);
  const std::string_view fields[] = {
      "aic-audit-v1",
      record.chain,
      seq,
      record.id,
      record.occurred_at,
      event.action,
      event.outcome,
      event.actor_kind,
      event.actor_id,
      event.credential_id,
      event.target_type,
      event.target_id,
      event.origin.client_address,
      event.origin.user_agent,
      event.origin.request_id,
      event.details,
  };
  std::string form;
  for (std::string_view field : fields) {
    form += std::to_string(field.size());
    form += ':';
    form += field;
    form += '\n';
  }
  return form;
}

std::string chain_hash(const Record& record) {
  return sha256_hex(record.prev_hash, canonical_form(record));
}

std::optional<std::string> normalize_time(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS" then optional ".fraction", then "Z".
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size() + 1 || text.back() != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return std::nullopt;
  }
  std::string_view fraction = text.substr(kShape.size(), text.size() - kShape.size() - 1);
  std::string millis = "000";
  if (!fraction.empty()) {
    if (fraction.front() != '.' || fraction.size() < 2 || fraction.size() > 10) return std::nullopt;
    for (std::size_t i = 1; i < fraction.size(); ++i) {
      if (fraction[i] < '0' || fraction[i] > '9') return std::nullopt;
      if (i <= 3) millis[i - 1] = fraction[i];
    }
  }
  return std::string(text.substr(0, kShape.size())) + "." + millis + "Z";
}

Result<Record> AuditLog::append(Transaction& tx, const Event& event) {
  if (auto ok = check_event(event); !ok) return std::move(ok).error();
  Record record;
  record.chain = chain_of(event);
  record.event = event;
  record.id = "aud_" + core::random_hex(random_, 10);
  record.occurred_at = core::utc_now_millis();

  // Taking the next sequence number locks the chain's head row until commit, so concurrent
  // appenders on PostgreSQL queue here instead of forking the chain.
  auto head = tx.execute(
      "UPDATE audit_chains SET last_seq = last_seq + 1 WHERE chain = $1 "
      "RETURNING last_seq, last_hash",
      {record.chain});
  if (!head) return std::move(head).error();
  if (head->rows.empty()) {
    // The chain's first event. A concurrent first appender makes this a no-op, and the
    // update below then takes the number after theirs.
    auto created = tx.execute(
        "INSERT INTO audit_chains (chain, last_seq, last_hash) VALUES ($1, 0, $2) "
        "ON CONFLICT (chain) DO NOTHING",
        {record.chain, std::string(kGenesisHash)});
    if (!created) return std::move(created).error();
    head = tx.execute(
        "UPDATE audit_chains SET last_seq = last_seq + 1 WHERE chain = $1 "
        "RETURNING last_seq, last_hash",
        {record.chain});
    if (!head) return std::move(head).error();
    if (head->rows.empty()) {
      return Error::make(ErrorCode::kInternal, "audit chain head vanished during append");
    }
  }
  record.seq = head->integer(0, 0);
  record.prev_hash = head->text(0, 1);
  record.hash = chain_hash(record);

  auto inserted = tx.execute(
      "INSERT INTO audit_events (" + std::string(kRecordColumns) +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
      {record.chain, record.seq, record.id, record.occurred_at, event.action, event.outcome,
       event.actor_kind, event.actor_id, event.credential_id, event.target_type, event.target_id,
       event.origin.client_address, event.origin.user_agent, event.origin.request_id, event.details,
       record.prev_hash, record.hash});
  if (!inserted) return std::move(inserted).error();
  auto moved = tx.execute("UPDATE audit_chains SET last_hash = $2 WHERE chain = $1",
                          {record.chain, record.hash});
  if (!moved) return std::move(moved).error();
  return record;
}

Result<Record> AuditLog::record(const Event& event) {
  std::optional<Record> stored;
  auto status = database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    auto appended = append(tx, event);
    if (!appended) return std::move(appended).error();
    stored = std::move(*appended);
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*stored);
}

core::Status AuditLog::record_all(const std::vector<Event>& events) {
  return database_.transact(Access::kReadWrite, [&](Transaction& tx) -> core::Status {
    for (const Event& event : events) {
      auto appended = append(tx, event);
      if (!appended) return std::move(appended).error();
    }
    return {};
  });
}

Result<Page> AuditLog::list(const Query& query) {
  std::string sql = "SELECT " + std::string(kRecordColumns) + " FROM audit_events WHERE chain = $1";
  std::vector<Value> params{query.chain};
  auto add = [&](std::string_view condition, Value value) {
    params.push_back(std::move(value));
    sql += " AND ";
    sql += condition;
    sql += " $" + std::to_string(params.size());
  };
  if (query.before_seq) add("seq <", *query.before_seq);
  if (query.after_seq) add("seq >", *query.after_seq);
  if (!query.action.empty()) {
    if (query.action.size() > 2 && query.action.ends_with(".*")) {
      // A prefix match without LIKE, whose wildcards and case rules differ by backend.
      std::string prefix = query.action.substr(0, query.action.size() - 1);
      add("substr(action, 1, " + std::to_string(prefix.size()) + ") =", prefix);
    } else {
      add("action =", query.action);
    }
  }
  if (!query.outcome.empty()) add("outcome =", query.outcome);
  if (!query.actor_id.empty()) add("actor_id =", query.actor_id);
  if (!query.target_id.empty()) add("target_id =", query.target_id);
  if (!query.since.empty()) add("occurred_at >=", query.since);
  if (!query.until.empty()) add("occurred_at <", query.until);
  sql += query.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq";
  // One more than asked tells whether another page exists.
  sql += " LIMIT " + std::to_string(query.limit + 1);

  Page page;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    page.records.clear();
    auto rows = tx.execute(sql, params);
    if (!rows) return std::move(rows).error();
    for (std::size_t i = 0; i < rows->rows.size(); ++i) {
      page.records.push_back(record_from_row(*rows, i));
    }
    return {};
  });
  if (!status) return std::move(status).error();
  if (page.records.size() > query.limit) {
    page.records.resize(query.limit);
    page.more = true;
  }
  return page;
}

Result<std::vector<ChainReport>> AuditLog::verify(std::string_view chain) {
  std::vector<std::string> chains;
  if (!chain.empty()) {
    chains.emplace_back(chain);
  } else {
    auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
      chains.clear();
      // Chains whose head row was deleted still have events; verify those too.
      auto rows = tx.execute(
          "SELECT chain FROM audit_chains UNION SELECT DISTINCT chain FROM audit_events "
          "ORDER BY 1");
      if (!rows) return std::move(rows).error();
      for (std::size_t i = 0; i < rows->rows.size(); ++i) chains.push_back(rows->text(i, 0));
      return {};
    });
    if (!status) return std::move(status).error();
  }
  std::vector<ChainReport> reports;
  for (const std::string& name : chains) {
    auto report = verify_chain(name);
    if (!report) return std::move(report).error();
    reports.push_back(std::move(*report));
  }
  return reports;
}

Result<ChainReport> AuditLog::verify_chain(const std::string& chain) {
  ChainReport report;
  report.chain = chain;
  bool has_head = false;
  auto status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    auto head =
        tx.execute("SELECT last_seq, last_hash FROM audit_chains WHERE chain = $1", {chain});
    if (!head) return std::move(head).error();
    if (!head->rows.empty()) {
      has_head = true;
      report.entries = head->integer(0, 0);
      report.head_hash = head->text(0, 1);
    }
    return {};
  });
  if (!status) return std::move(status).error();

  auto fail = [&](std::int64_t seq, std::string problem) {
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
    return report;
  };
  if (!has_head) {
    std::int64_t orphans = 0;
    status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
      auto rows = tx.execute("SELECT count(*) FROM audit_events WHERE chain = $1", {chain});
      if (!rows) return std::move(rows).error();
      orphans = rows->integer(0, 0);
      return {};
    });
    if (!status) return std::move(status).error();
    if (orphans > 0) return fail(1, "the chain has events but no head row");
    return report;  // nothing was ever recorded
  }

  // Events appended after the head was read are beyond `entries` and left for the next run.
  std::string expected_prev(kGenesisHash);
  std::int64_t next = 1;
  while (next <= report.entries) {
    std::vector<Record> page;
    status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
      page.clear();
      auto rows = tx.execute("SELECT " + std::string(kRecordColumns) +
                                 " FROM audit_events WHERE chain = $1 AND seq >= $2 AND seq <= $3 "
                                 "ORDER BY seq LIMIT $4",
                             {chain, next, report.entries, kVerifyPageSize});
      if (!rows) return std::move(rows).error();
      for (std::size_t i = 0; i < rows->rows.size(); ++i) {
        page.push_back(record_from_row(*rows, i));
      }
      return {};
    });
    if (!status) return std::move(status).error();
    if (page.empty()) return fail(next, "event " + std::to_string(next) + " is missing");
    for (const Record& record : page) {
      if (record.seq != next) {
        return fail(next, "event " + std::to_string(next) + " is missing");
      }
      if (record.prev_hash != expected_prev) {
        return fail(next, "event " + std::to_string(next) +
                              " does not follow the event before it (previous hash differs)");
      }
      if (chain_hash(record) != record.hash) {
        return fail(next, "event " + std::to_string(next) + " was changed after it was written");
      }
      expected_prev = record.hash;
      ++next;
    }
  }
  if (expected_prev != report.head_hash) {
    return fail(report.entries,
                "the chain head does not match event " + std::to_string(report.entries));
  }
  // Events past the head were written by someone who did not move the head.
  std::int64_t beyond = 0;
  status = database_.transact(Access::kReadOnly, [&](Transaction& tx) -> core::Status {
    // Compared with the head re-read in the same transaction: an append that committed since
    // the first read moved both.
    auto rows = tx.execute(
        "SELECT count(*) FROM audit_events e JOIN audit_chains c ON c.chain = e.chain "
        "WHERE e.chain = $1 AND e.seq > c.last_seq",
        {chain});
    if (!rows) return std::move(rows).error();
    beyond = rows->integer(0, 0);
    return {};
  });
  if (!status) return std::move(status).error();
  if (beyond > 0) {
    return fail(report.entries + 1,
                "event " + std::to_string(report.entries + 1) + " lies beyond the chain head");
  }
  return report;
}

}  // namespace aic::audit
