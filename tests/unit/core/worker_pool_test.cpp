#include "core/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

namespace aic::core {
namespace {

namespace asio = boost::asio;

// Runs `coroutine` on a fresh io_context (standing in for an I/O thread) to completion.
template <typename T>
T run_on_io(asio::awaitable<T> coroutine) {
  asio::io_context io;
  std::optional<T> result;  // Result<T> has no default state, so use_future cannot hold it
  std::exception_ptr error;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result.emplace(co_await std::move(coroutine)); },
      [&](std::exception_ptr thrown) { error = thrown; });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

TEST(WorkerPool, ReturnsValueAndResumesOnCallerThread) {
  WorkerPool pool(2, 16);
  auto caller = std::this_thread::get_id();
  auto result = run_on_io([&]() -> asio::awaitable<Result<std::thread::id>> {
    auto worker_id = co_await pool.run(kNoDeadline, [] { return std::this_thread::get_id(); });
    EXPECT_EQ(std::this_thread::get_id(), caller);
    co_return worker_id;
  }());
  ASSERT_TRUE(result);
  EXPECT_NE(*result, caller);
}

TEST(WorkerPool, FlattensResultAndPropagatesErrors) {
  WorkerPool pool(1, 16);
  auto result = run_on_io([&]() -> asio::awaitable<Result<int>> {
    co_return co_await pool.run(kNoDeadline,
                                []() -> Result<int> { return Error::invalid("bad", "x"); });
  }());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().field, "x");
}

TEST(WorkerPool, RethrowsExceptions) {
  WorkerPool pool(1, 16);
  EXPECT_THROW(run_on_io([&]() -> asio::awaitable<Status> {
                 co_return co_await pool.run(kNoDeadline, [] { throw std::runtime_error("x"); });
               }()),
               std::runtime_error);
}

TEST(WorkerPool, RefusesWhenQueueIsFull) {
  asio::io_context io;  // outlives the pool, as I/O threads outlive workers in the server
  WorkerPool pool(1, 1);
  std::latch release(1);
  std::atomic<bool> started{false};
  // Occupy the only worker, then fill the only queue slot.
  auto blocker = asio::co_spawn(io,
                                pool.run(kNoDeadline,
                                         [&] {
                                           started = true;
                                           release.wait();
                                         }),
                                asio::use_future);
  while (!started) io.poll();
  auto queued = asio::co_spawn(io, pool.run(kNoDeadline, [] {}), asio::use_future);
  io.poll();
  auto refused = asio::co_spawn(io, pool.run(kNoDeadline, [] {}), asio::use_future);
  io.poll();  // the refusal completes at once, without a worker
  EXPECT_EQ(refused.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  release.count_down();
  io.run();
  EXPECT_TRUE(blocker.get());
  EXPECT_TRUE(queued.get());
  auto status = refused.get();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kOverloaded);
}

TEST(WorkerPool, DropsQueuedJobWhenDeadlinePasses) {
  asio::io_context io;
  WorkerPool pool(1, 4);
  std::latch release(1);
  std::atomic<bool> started{false};
  std::atomic<bool> late_job_ran{false};
  auto blocker = asio::co_spawn(io,
                                pool.run(kNoDeadline,
                                         [&] {
                                           started = true;
                                           release.wait();
                                         }),
                                asio::use_future);
  while (!started) io.poll();
  auto late =
      asio::co_spawn(io,
                     pool.run(std::chrono::steady_clock::now() + std::chrono::milliseconds(20),
                              [&] { late_job_ran = true; }),
                     asio::use_future);
  // The deadline fires while the only worker is still busy.
  while (late.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
  release.count_down();
  io.run();
  auto status = late.get();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(blocker.get());
  pool.stop();
  EXPECT_FALSE(late_job_ran);
}

TEST(WorkerPool, StartedJobFinishesEvenPastDeadline) {
  WorkerPool pool(1, 4);
  int value = 0;
  auto result = run_on_io([&]() -> asio::awaitable<Status> {
    co_return co_await pool.run(std::chrono::steady_clock::now() + std::chrono::milliseconds(100),
                                [&] {
                                  // Simulated work that outlasts the deadline once started.
                                  std::this_thread::sleep_for(std::chrono::milliseconds(300));
                                  value = 42;  // a reference to the caller's frame stays valid
                                });
  }());
  EXPECT_TRUE(result);
  EXPECT_EQ(value, 42);
}

// One worker polls the queue for a while after each job instead of sleeping, and enqueuing
// skips the wake-up it would not need. Jobs arriving in bursts, at intervals around that
// polling window and from several I/O threads at once must all run: none may wait on a
// sleeper nobody woke.
TEST(WorkerPool, NoJobIsLostAroundTheSpinningWorker) {
  for (unsigned threads : {1u, 3u}) {
    WorkerPool pool(threads, 1024);
    std::atomic<int> ran{0};
    auto submitter = [&](int seed) -> asio::awaitable<int> {
      int done = 0;
      for (int i = 0; i < 300; ++i) {
        const int gap_us = (i * 37 + seed * 11) % 120;  // 0–119 µs: either side of the window
        std::this_thread::sleep_for(std::chrono::microseconds(gap_us));
        auto status = co_await pool.run(kNoDeadline, [&] { ran.fetch_add(1); });
        if (status) ++done;
      }
      co_return done;
    };
    std::vector<std::thread> io_threads;
    std::atomic<int> completed{0};
    for (int seed = 0; seed < 3; ++seed) {
      io_threads.emplace_back([&, seed] { completed += run_on_io(submitter(seed)); });
    }
    for (auto& thread : io_threads) thread.join();
    EXPECT_EQ(completed.load(), 900) << threads << " threads";
    EXPECT_EQ(ran.load(), 900) << threads << " threads";
  }
}

}  // namespace
}  // namespace aic::core
