// Domain events: what changed in a tenant, for webhooks and live streams.
//
// An event is written by publish() inside the transaction that makes the change it describes
// (a transactional outbox): a committed change always has its event, a rolled-back one never
// does. Consumers read the table: webhook delivery workers turn each event into deliveries
// (marking it fanned out), live streams read a tenant's events by number. Any process may
// publish (the server, an `aic admin` command); listeners in this process hear about an event
// after its transaction committed, and everyone else finds it when they next look.
//
// Each tenant's events are numbered 1, 2, 3 … in commit order (the counter row is locked
// until commit), which is what makes `Last-Event-ID` resumption of a stream exact.
//
// Threading: thread-safe. publish() blocks on the caller's
// transaction; read_after() blocks on the database.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "core/result.hpp"
#include "store/database.hpp"

namespace aic::events {

struct Event {
  std::string id;  // "evt_…"
  std::string tenant_id;
  std::int64_t seq = 0;  // 1, 2, 3 … within the tenant, in commit order
  std::string type;      // a catalogue name ("api_key.created")
  std::string occurred_at;
  std::string data;  // a JSON object
};

// The columns of the `events` table that make an Event, in the order event_from_row() reads.
inline constexpr std::string_view kEventColumns = "id, tenant_id, seq, type, occurred_at, data";
// Moves the row's values (selected as kEventColumns) out of `result`.
Event event_from_row(store::QueryResult& result, std::size_t row);

// The event as JSON: {"id","type","tenant_id","occurred_at","data"} — the body of a webhook
// delivery and of a stream message.
std::string to_json(const Event& event);

// Told, after commit, that `tenant_id` has new events. Runs on the committing thread and
// must return quickly (wake someone up, nothing more).
using Listener = std::function<void(const std::string& tenant_id)>;

class EventLog {
 public:
  EventLog(store::Database& database, core::Random& random);

  // Records an event of `tenant_id` in `tx`. REQUIRES: `type` is in the catalogue (a
  // programmer error otherwise: kInternal) and `data` is a JSON object.
  core::Result<Event> publish(store::Transaction& tx, std::string_view tenant_id,
                              std::string_view type, std::string data);

  // Up to `limit` events of `tenant_id` numbered above `after_seq`, oldest first.
  core::Result<std::vector<Event>> read_after(std::string_view tenant_id, std::int64_t after_seq,
                                              std::size_t limit);
  // The number of the tenant's newest event (0 when none); the second form reads it in `tx`,
  // where it does not wait for a publisher that holds the next number.
  core::Result<std::int64_t> last_seq(std::string_view tenant_id);
  core::Result<std::int64_t> last_seq(store::Transaction& tx, std::string_view tenant_id);

  // Returns a handle for unsubscribe().
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t handle);

 private:
  void notify(const std::string& tenant_id);

  store::Database& database_;
  core::Random& random_;
  std::mutex listeners_mutex_;
  std::map<std::uint64_t, Listener> listeners_;  // GUARDED_BY(listeners_mutex_)
  std::uint64_t next_handle_ = 1;                // GUARDED_BY(listeners_mutex_)
};

}  // namespace aic::events
