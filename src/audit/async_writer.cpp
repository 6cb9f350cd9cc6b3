#include "audit/async_writer.hpp"

#include <vector>

#include "core/logging.hpp"

namespace aic::audit {
namespace {

// Events per transaction: large enough that a burst costs few commits, small enough that one
// transaction does not hold SQLite's single writer for long.
constexpr std::size_t kBatchSize = 256;

}  // namespace

AsyncWriter::AsyncWriter(AuditLog& log, std::size_t queue_limit)
    : log_(log), queue_limit_(queue_limit), thread_([this] { run(); }) {}

AsyncWriter::~AsyncWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool AsyncWriter::submit(Event event) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= queue_limit_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      if (!dropping_) {
        dropping_ = true;
        core::log_warn("audit: security event queue is full; dropping events until it drains");
      }
      return false;
    }
    dropping_ = false;
    queue_.push_back(std::move(event));
    ++submitted_;
  }
  wake_.notify_one();
  return true;
}

void AsyncWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_;
  written_.wait(lock, [&] { return finished_ >= target; });
}

void AsyncWriter::run() {
  std::vector<Event> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      while (!queue_.empty() && batch.size() < kBatchSize) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto status = log_.record_all(batch);
    if (!status) {
      // The batch is lost; say so loudly. The database being unavailable is also visible in
      // /readyz and in every request that needs it.
      failed_.fetch_add(batch.size(), std::memory_order_relaxed);
      core::log_error("audit: could not write " + std::to_string(batch.size()) +
                      " security events: " + status.error().message);
    }
    {
      std::lock_guard lock(mutex_);
      finished_ += batch.size();
    }
    written_.notify_all();
    batch.clear();
  }
}

}  // namespace aic::audit
