// Writes security events (failed authentication, permission denied) to the audit log off the
// request path. Such events are not part of a state change, so there is no transaction to
// join; the I/O thread that detects them must not wait for the database.
//
// Events are queued and written in batches, one transaction per batch, by one thread. The
// queue is bounded: an attacker sending invalid credentials as fast as possible must not grow
// memory without bound, so past the limit events are dropped and counted (dropped()), and
// the first drop of a burst is logged as a warning.
//
// Threading: submit() and flush() may be called from any thread.
#pragma once

#include <cstdint>

#include "audit/audit_log.hpp"
#include "core/batch_writer.hpp"

namespace aic::audit {

class AsyncWriter {
 public:
  explicit AsyncWriter(AuditLog& log, std::size_t queue_limit = 10'000);
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  // Queues `event`; false when the queue is full and the event was dropped.
  bool submit(Event event) { return writer_.submit(std::move(event)); }
  // Blocks until every event submitted before the call was written (or failed).
  void flush() { writer_.flush(); }

  std::uint64_t dropped() const { return writer_.dropped(); }
  std::uint64_t failed() const { return writer_.failed(); }

 private:
  core::BatchWriter<Event> writer_;  // writes what is queued when destroyed
};

}  // namespace aic::audit
