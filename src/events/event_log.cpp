#include "events/event_log.hpp"

#include "core/json_writer.hpp"
#include "core/utc_time.hpp"
#include "events/catalogue.hpp"

namespace aic::events {
namespace {

using core::Error;
using core::ErrorCode;
using store::Transaction;

}  // namespace

Event event_from_row(store::QueryResult& result, std::size_t row) {
  Event event;
  event.id = result.take_text(row, 0);
  event.tenant_id = result.take_text(row, 1);
  event.seq = result.integer(row, 2);
  event.type = result.take_text(row, 3);
  event.occurred_at = result.take_text(row, 4);
  event.data = result.take_text(row, 5);
  return event;
}

std::string to_json(const Event& event) {
  std::string out;
  out.reserve(96 + event.data.size());
  core::JsonWriter json(out);
  json.begin_object();
  json.member("id", event.id);
  json.member("type", event.type);
  json.member("tenant_id", event.tenant_id);
  json.member("occurred_at", event.occurred_at);
  json.key("data");
  json.raw(event.data);
  json.end_object();
  return out;
}

EventLog::EventLog(store::Database& database, core::Random& random)
    : database_(database), random_(random) {}

core::Result<Event> EventLog::publish(Transaction& tx, std::string_view tenant_id,
                                      std::string_view type, std::string data) {
  if (find_event_type(type) == nullptr) {
    return Error::make(ErrorCode::kInternal,
                       "event type " + std::string(type) + " is not in the catalogue");
  }
  if (data.empty() || data.front() != '{') {
    return Error::make(ErrorCode::kInternal, "event data must be a JSON object");
  }
  Event event;
  event.id = "evt_" + core::random_hex(random_, 12);
  event.tenant_id = std::string(tenant_id);
  event.type = std::string(type);
  event.occurred_at = core::utc_now_millis();
  event.data = std::move(data);

  // Taking the number locks the tenant's counter row until commit, so numbers become visible
  // in order: a reader that saw event n has seen every event before it.
  auto counter = tx.execute(
      "UPDATE event_streams SET last_seq = last_seq + 1 WHERE tenant_id = $1 RETURNING last_seq",
      {event.tenant_id});
  if (!counter) return std::move(counter).error();
  if (counter->rows.empty()) {
    auto created = tx.execute(
        "INSERT INTO event_streams (tenant_id, last_seq) VALUES ($1, 0) "
        "ON CONFLICT (tenant_id) DO NOTHING",
        {event.tenant_id});
    if (!created) return std::move(created).error();
    counter = tx.execute(
        "UPDATE event_streams SET last_seq = last_seq + 1 WHERE tenant_id = $1 "
        "RETURNING last_seq",
        {event.tenant_id});
    if (!counter) return std::move(counter).error();
    if (counter->rows.empty()) {
      return Error::make(ErrorCode::kInternal, "event counter vanished during publish");
    }
  }
  event.seq = counter->integer(0, 0);

  auto inserted = tx.execute(
      "INSERT INTO events (" + std::string(kEventColumns) + ") VALUES ($1, $2, $3, $4, $5, $6)",
      {event.id, event.tenant_id, event.seq, event.type, event.occurred_at, event.data});
  if (!inserted) return std::move(inserted).error();
  tx.after_commit([this, tenant = event.tenant_id] { notify(tenant); });
  return event;
}

core::Result<std::vector<Event>> EventLog::read_after(std::string_view tenant_id,
                                                      std::int64_t after_seq, std::size_t limit) {
  std::vector<Event> events;
  core::Status read = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) {
    events.clear();
    auto rows = tx.execute("SELECT " + std::string(kEventColumns) +
                               " FROM events WHERE tenant_id = $1 AND seq > $2 "
                               "ORDER BY seq LIMIT $3",
                           {std::string(tenant_id), after_seq, static_cast<std::int64_t>(limit)});
    if (!rows) return core::Status(std::move(rows).error());
    for (std::size_t row = 0; row < rows->rows.size(); ++row) {
      events.push_back(event_from_row(*rows, row));
    }
    return core::Status{};
  });
  if (!read) return std::move(read).error();
  return events;
}

core::Result<std::int64_t> EventLog::last_seq(std::string_view tenant_id) {
  std::int64_t last = 0;
  core::Status read = database_.transact(store::Access::kReadOnly, [&](Transaction& tx) {
    auto read_last = last_seq(tx, tenant_id);
    if (!read_last) return core::Status(std::move(read_last).error());
    last = *read_last;
    return core::Status{};
  });
  if (!read) return std::move(read).error();
  return last;
}

core::Result<std::int64_t> EventLog::last_seq(Transaction& tx, std::string_view tenant_id) {
  auto rows = tx.execute("SELECT last_seq FROM event_streams WHERE tenant_id = $1",
                         {std::string(tenant_id)});
  if (!rows) return std::move(rows).error();
  return rows->rows.empty() ? 0 : rows->integer(0, 0);
}

std::uint64_t EventLog::subscribe(Listener listener) {
  std::lock_guard lock(listeners_mutex_);
  std::uint64_t handle = next_handle_++;
  listeners_.emplace(handle, std::move(listener));
  return handle;
}

void EventLog::unsubscribe(std::uint64_t handle) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(handle);
}

void EventLog::notify(const std::string& tenant_id) {
  std::lock_guard lock(listeners_mutex_);
  for (auto& [handle, listener] : listeners_) listener(tenant_id);
}

}  // namespace aic::events
