// A bounded pool of threads for blocking work (database calls, heavy CPU), awaited from
// coroutines running on I/O threads so that no I/O thread ever blocks.
//
//   Result<Row> row = co_await workers.run(deadline, [&] { return store.find(id); });
//
// Contract:
// - The coroutine resumes on its own executor, never on a worker thread.
// - The queue is bounded: when `queue_limit` jobs are waiting, run() fails at once with
//   kOverloaded (the caller answers 503) instead of queueing without bound.
// - A job still queued when `deadline` passes is dropped and run() fails with
//   kDeadlineExceeded. A job that has started always runs to completion before run()
//   returns, so `fn` may safely capture the coroutine's locals by reference.
// - An exception thrown by `fn` is rethrown in the awaiting coroutine.
// - If `fn` returns Result<T>, run() returns that Result<T>; if it returns void, a Status;
//   otherwise Result<R>.
//
// Threading: run() may be called from any coroutine on any executor. stop() joins workers.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/result.hpp"

namespace aic::core {

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

namespace detail {
template <typename R>
struct Awaited {
  using type = Result<R>;
};
template <typename T>
struct Awaited<Result<T>> {
  using type = Result<T>;
};
template <>
struct Awaited<void> {
  using type = Status;
};
}  // namespace detail

class WorkerPool {
 public:
  WorkerPool(unsigned threads, std::size_t queue_limit);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  template <typename Fn>
  boost::asio::awaitable<typename detail::Awaited<std::invoke_result_t<Fn&>>::type> run(
      Deadline deadline, Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    if constexpr (std::is_void_v<R>) {
      co_return co_await run_erased(deadline, [&fn] { fn(); });
    } else {
      std::optional<R> result;
      Status status = co_await run_erased(deadline, [&fn, &result] { result.emplace(fn()); });
      if (!status) co_return std::move(status).error();
      co_return std::move(*result);
    }
  }

  // Jobs waiting for a thread now.
  std::size_t queued() const;

  // Finishes running jobs, refuses new ones (kUnavailable) and joins the threads.
  void stop();

 private:
  // Runs `job` on a worker. References captured by `job` stay valid: see the contract.
  boost::asio::awaitable<Status> run_erased(Deadline deadline, std::function<void()> job);
  enum class Enqueued { kRefused, kWaits, kStartsNow };
  Enqueued try_enqueue(std::function<void()> task);
  void worker_loop();

  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
  std::size_t idle_ = 0;                     // GUARDED_BY(mutex_): workers waiting for a job
  bool spinning_ = false;                    // GUARDED_BY(mutex_): a worker polls the queue
  std::atomic<std::size_t> queued_{0};       // queue_.size(), readable without the lock
  std::vector<std::thread> threads_;
};

}  // namespace aic::core
