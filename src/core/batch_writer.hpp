// Writes records off the request path: they are queued, and one thread writes them in
// batches (one call of `write` per batch, e.g. one transaction). For records that are not part
// of the request's own state change (security events, usage records), so a request never
// waits for the database.
//
// With a linger, the writer waits that long after the first record of a batch for more to
// arrive (unless the batch fills, flush() asks, or the writer stops): under load a commit
// then carries hundreds of records instead of a few, and the request threads seldom have to
// wake the writer. The price is that records reach the database up to `linger` later.
//
// The queue is bounded, so a flood (an attacker, a stalled database) cannot grow memory
// without bound: past the limit records are dropped and counted, and the first drop of a
// burst is logged. A batch that fails to write is counted and logged, not retried.
//
// Threading: submit() and flush() may be called from any thread. The destructor writes what is
// queued, then stops.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/allocator.hpp"
#include "core/logging.hpp"
#include "core/result.hpp"
#include "core/thread_name.hpp"

namespace aic::core {

template <typename Record>
class BatchWriter {
 public:
  using Write = std::function<Status(const std::vector<Record>&)>;

  // `what` names the records in log lines ("audit: security events"), `thread_name` the
  // writer's thread ("aic-audit").
  BatchWriter(std::string what, std::string thread_name, std::size_t batch_size,
              std::size_t queue_limit, Write write,
              std::chrono::milliseconds linger = std::chrono::milliseconds(0))
      : what_(std::move(what)),
        thread_name_(std::move(thread_name)),
        batch_size_(batch_size),
        queue_limit_(queue_limit),
        linger_(linger),
        write_(std::move(write)),
        thread_([this] { run(); }) {}

  ~BatchWriter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Queues `record`; false when the queue is full and it was dropped.
  bool submit(Record record) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() >= queue_limit_) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        if (!dropping_) {
          dropping_ = true;
          log_warn(what_ + ": the queue is full; dropping until it drains");
        }
        return false;
      }
      dropping_ = false;
      queue_.push_back(std::move(record));
      ++submitted_;
      // The writer waits for the first record, or lingers until a batch is full; any other
      // record needs no wake-up (a futex call saved per record under load).
      wake = queue_.size() == 1 || queue_.size() == batch_size_;
    }
    if (wake) wake_.notify_one();
    return true;
  }

  // Blocks until every record submitted before the call was written (or failed).
  void flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = submitted_;
    if (finished_ >= target) return;
    flush_target_ = std::max(flush_target_, target);
    wake_.notify_one();  // cuts a linger short
    written_.wait(lock, [&] { return finished_ >= target; });
  }

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  void run() {
    name_this_thread(thread_name_);
    std::vector<Record> batch;
    ThreadCacheRelease cache;  // the records it freed, once a burst is over
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        cache.wait(wake_, lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything is written
        if (linger_.count() > 0) {
          wake_.wait_for(lock, linger_, [&] {
            return stopping_ || queue_.size() >= batch_size_ || flush_target_ > finished_;
          });
        }
        while (!queue_.empty() && batch.size() < batch_size_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (Status status = write_(batch); !status) {
        // The batch is lost; say so loudly. A database that is unavailable also shows in
        // /readyz and in every request that needs it.
        failed_.fetch_add(batch.size(), std::memory_order_relaxed);
        log_error(what_ + ": could not write " + std::to_string(batch.size()) + ": " +
                  status.error().message);
      }
      {
        std::lock_guard lock(mutex_);
        finished_ += batch.size();
      }
      written_.notify_all();
      batch.clear();
    }
  }

  const std::string what_;
  const std::string thread_name_;
  const std::size_t batch_size_;
  const std::size_t queue_limit_;
  const std::chrono::milliseconds linger_;
  const Write write_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::deque<Record> queue_;
  std::uint64_t submitted_ = 0;     // guarded by mutex_
  std::uint64_t finished_ = 0;      // guarded by mutex_: written or failed
  std::uint64_t flush_target_ = 0;  // guarded by mutex_: what a waiting flush() needs
  bool stopping_ = false;           // guarded by mutex_
  bool dropping_ = false;           // guarded by mutex_: inside a burst of drops
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace aic::core
