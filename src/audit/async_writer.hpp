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

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "audit/audit_log.hpp"

namespace aic::audit {

class AsyncWriter {
 public:
  explicit AsyncWriter(AuditLog& log, std::size_t queue_limit = 10'000);
  // Writes what is queued, then stops.
  ~AsyncWriter();
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  // Queues `event`; false when the queue is full and the event was dropped.
  bool submit(Event event);
  // Blocks until every event submitted before the call was written (or failed).
  void flush();

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  void run();

  AuditLog& log_;
  const std::size_t queue_limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::deque<Event> queue_;
  std::uint64_t submitted_ = 0;  // guarded by mutex_
  std::uint64_t finished_ = 0;   // guarded by mutex_: written or failed
  bool stopping_ = false;        // guarded by mutex_
  bool dropping_ = false;        // guarded by mutex_: inside a burst of drops
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::thread thread_;
};

}  // namespace aic::audit
