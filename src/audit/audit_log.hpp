// The tamper-evident audit log: who did what, to what, from where, with what outcome.
//
// Events are kept in chains, one per tenant plus one for the platform (operator actions and
// failures that belong to no tenant). Within a chain every event has the next sequence number
// and a hash: SHA-256 over the previous event's hash and the event's canonical form (see
// canonical_form()). Changing, deleting or reordering any stored event breaks the chain at
// that point, and verify() names the first sequence number that no longer fits.
//
// What this proves and what it does not: someone who can write to the database could rewrite
// a chain from the point they changed onwards, hashes and all. The head hash that verify()
// reports is the anchor against that: recorded somewhere the database writer cannot change
// (a ticket, a log shipped off the machine), it pins every event before it.
//
// State changes are appended inside the transaction that makes the change (append()), so a
// committed change always has its event and a rolled-back one never does.
//
// Threading: thread-safe; every call blocks on the database.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/principal.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/database.hpp"

namespace aic::audit {

// The chain of events that belong to no tenant.
inline constexpr std::string_view kPlatformChain = "platform";

// Where a request came from.
struct Origin {
  std::string client_address;
  std::string user_agent;
  std::string request_id;
};

struct Event {
  std::string tenant_id;            // empty: the platform chain
  std::string action;               // "api_key.created", "authentication.failed", …
  std::string outcome = "success";  // "success", "failure" or "denied"
  std::string actor_kind;           // "operator", "user", "service_account", "anonymous", "system"
  std::string actor_id;
  std::string credential_id;
  std::string target_type;  // "api_key", "tenant", "route", …
  std::string target_id;
  Origin origin;
  std::string details;  // a JSON object, or empty
};

// The event as stored.
struct Record {
  std::string chain;
  std::int64_t seq = 0;     // 1, 2, 3 … within the chain
  std::string id;           // "aud_…"
  std::string occurred_at;  // RFC 3339 UTC with milliseconds
  Event event;
  std::string prev_hash;  // lower-case hex; 64 zeros for the first event
  std::string hash;
};

// An event whose actor is `principal` (tenant, kind, id and credential copied from it).
Event event_by(const core::Principal& principal, const Origin& origin, std::string action);

// Event details as a JSON object of string members, in the order given.
std::string details_json(
    std::initializer_list<std::pair<std::string_view, std::string_view>> members);

// The exact bytes that are hashed for `record` after its previous hash: every field in a
// fixed order, each as "<decimal length>:<bytes>\n", so no two different events share a form.
std::string canonical_form(const Record& record);
// SHA-256 hex over prev_hash followed by canonical_form(record).
std::string chain_hash(const Record& record);

struct Query {
  std::string chain;                       // a tenant id, or kPlatformChain
  std::optional<std::int64_t> before_seq;  // cursor: only events older than this
  std::optional<std::int64_t> after_seq;   // export: only events newer than this
  std::string action;                      // exact, or a prefix ending in ".*" ("api_key.*")
  std::string outcome;
  std::string actor_id;
  std::string target_id;
  std::string since;  // RFC 3339 UTC, inclusive
  std::string until;  // RFC 3339 UTC, exclusive
  std::size_t limit = 50;
  bool newest_first = true;
};

struct Page {
  std::vector<Record> records;
  bool more = false;  // another page exists past the last record
};

struct ChainReport {
  std::string chain;
  std::int64_t entries = 0;  // as recorded in the chain's head
  std::string head_hash;     // the hash of the last event: the anchor to record elsewhere
  std::optional<std::int64_t> first_bad_seq;
  std::string problem;  // why first_bad_seq does not fit; empty when intact
  bool intact() const { return !first_bad_seq; }
};

// Turns an RFC 3339 UTC time with or without fractional seconds into the stored form
// ("…T08:00:00.000Z"), so that text comparison orders it correctly; nullopt if malformed.
std::optional<std::string> normalize_time(std::string_view text);

class AuditLog {
 public:
  AuditLog(store::Database& database, core::Random& random)
      : database_(database), random_(random) {}

  // Appends `event` to its chain inside the caller's read-write transaction.
  core::Result<Record> append(store::Transaction& tx, const Event& event);
  // Appends `event` in a transaction of its own.
  core::Result<Record> record(const Event& event);
  // Appends several events in one transaction (the asynchronous writer's batches).
  core::Status record_all(const std::vector<Event>& events);

  core::Result<Page> list(const Query& query);

  // Verifies one chain, or every chain when `chain` is empty. Reads in pages, so memory
  // stays flat however long the chain is.
  core::Result<std::vector<ChainReport>> verify(std::string_view chain = {});

 private:
  core::Result<ChainReport> verify_chain(const std::string& chain);

  store::Database& database_;
  core::Random& random_;
};

}  // namespace aic::audit
