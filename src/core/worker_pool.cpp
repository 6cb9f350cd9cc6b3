#include "core/worker_pool.hpp"

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "core/allocator.hpp"
#include "core/thread_name.hpp"

namespace aic::core {
namespace asio = boost::asio;

namespace {

enum Outcome : int { kCompleted = 0, kDeadline = 1, kRefused = 2, kStopped = 3 };

// Shared by the worker job and the deadline timer; whichever moves `phase` first owns the
// completion, so the awaiting coroutine resumes exactly once.
template <typename Handler>
struct JobState {
  enum Phase : int { kQueued, kRunning, kCancelled };

  JobState(Handler h, std::function<void()> j)
      : handler(std::move(h)),
        executor(asio::get_associated_executor(handler)),
        job(std::move(j)),
        timer(executor) {}

  // Resumes the awaiting coroutine on its executor. The posted function carries `self`, so
  // the caller of complete() holds no reference afterwards and never touches the executor
  // again (it may be destroyed as soon as the coroutine finishes).
  static void complete(std::shared_ptr<JobState> self, std::exception_ptr error, int outcome) {
    auto target = self->executor;
    asio::post(target, [self = std::move(self), error, outcome]() mutable {
      self->timer.cancel();
      auto resume = std::move(self->handler);
      std::move(resume)(error, outcome);
    });
  }

  Handler handler;
  asio::associated_executor_t<Handler> executor;
  std::function<void()> job;
  asio::steady_timer timer;
  std::atomic<int> phase{kQueued};
};

}  // namespace

WorkerPool::WorkerPool(unsigned threads, std::size_t queue_limit) : queue_limit_(queue_limit) {
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] {
      name_this_thread("aic-work-" + std::to_string(i));
      worker_loop();
    });
  }
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

WorkerPool::Enqueued WorkerPool::try_enqueue(std::function<void()> task) {
  Enqueued result;
  bool wake;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_limit_) return Enqueued::kRefused;
    queue_.push_back(std::move(task));
    queued_.store(queue_.size(), std::memory_order_relaxed);
    // Workers take jobs in order: with at least as many idle workers as queued jobs, this one
    // starts without waiting for another job to finish.
    result = idle_ >= queue_.size() ? Enqueued::kStartsNow : Enqueued::kWaits;
    // A spinning worker takes one job without being woken; more need sleepers woken.
    wake = !spinning_ || queue_.size() > 1;
  }
  if (wake) wake_.notify_one();
  return result;
}

void WorkerPool::worker_loop() {
  // Under load jobs arrive every few tens of microseconds. A worker that went to sleep after
  // each one would be woken for the next (a futex wake, a context switch and, in a virtual
  // machine, often an idle virtual CPU woken by an interrupt): that hand-off cost more than
  // a small database read. So one worker at a time polls the queue for a short while before
  // sleeping, yielding the CPU between polls so that it only uses time nothing else wants.
  constexpr auto kSpinFor = std::chrono::microseconds(50);
  ThreadCacheRelease cache;  // given back once a burst is over
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      if (queue_.empty() && !stopping_ && !spinning_) {
        spinning_ = true;
        ++idle_;
        lock.unlock();
        const auto until = std::chrono::steady_clock::now() + kSpinFor;
        while (queued_.load(std::memory_order_relaxed) == 0 &&
               std::chrono::steady_clock::now() < until) {
          std::this_thread::yield();
        }
        lock.lock();
        --idle_;
        spinning_ = false;
      }
      ++idle_;
      cache.wait(wake_, lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      // Drain what is queued even when stopping: every queued job owns a waiting coroutine.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_relaxed);
    }
    task();
  }
}

asio::awaitable<Status> WorkerPool::run_erased(Deadline deadline, std::function<void()> job) {
  auto initiation = [this, deadline, &job](auto handler) {
    using State = JobState<decltype(handler)>;
    auto state = std::make_shared<State>(std::move(handler), std::move(job));

    // The worker never drops the last reference to `state`: it holds an Asio timer, which
    // must be destroyed on its executor's thread. Every path hands the reference back there.
    Enqueued enqueued = try_enqueue([state]() mutable {
      auto owned = std::move(state);
      int expected = State::kQueued;
      if (!owned->phase.compare_exchange_strong(expected, State::kRunning)) {
        auto executor = owned->executor;  // read before `owned` is moved below
        asio::post(executor, [released = std::move(owned)] {});
        return;
      }
      std::exception_ptr error;
      try {
        owned->job();
      } catch (...) {
        error = std::current_exception();
      }
      owned->job = nullptr;  // release the caller's captures before it resumes
      State::complete(std::move(owned), error, kCompleted);
    });
    if (enqueued == Enqueued::kRefused) {
      state->phase.store(State::kCancelled);
      bool stopped;
      {
        std::lock_guard lock(mutex_);
        stopped = stopping_;
      }
      State::complete(state, nullptr, stopped ? kStopped : kRefused);
      return;
    }
    // A deadline timer only matters for a job that waits in the queue; arming and cancelling
    // one for every job that starts at once would cost more than the job's hand-off itself.
    if (deadline != kNoDeadline && enqueued == Enqueued::kWaits) {
      state->timer.expires_at(deadline);
      state->timer.async_wait([state](boost::system::error_code ec) {
        if (ec) return;  // cancelled: the job finished first
        int expected = State::kQueued;
        if (state->phase.compare_exchange_strong(expected, State::kCancelled)) {
          State::complete(state, nullptr, kDeadline);
        }
      });
    }
  };

  int outcome =
      co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, int)>(
          std::move(initiation), asio::use_awaitable);
  switch (outcome) {
    case kCompleted:
      co_return Status{};
    case kDeadline:
      co_return Error::make(ErrorCode::kDeadlineExceeded,
                            "the request deadline passed while waiting for a worker");
    case kRefused:
      co_return Error::make(ErrorCode::kOverloaded, "the server is busy; retry shortly");
    default:
      co_return Error::make(ErrorCode::kUnavailable, "the server is shutting down");
  }
}

}  // namespace aic::core
