// A server I/O thread as the code running on it sees it: its io_context, and teardown work
// that other components register to run on it when the server stops the thread.
//
// The outbound HTTP client uses it to run a provider call on the very thread whose
// connection coroutine awaits the answer (no hand-off to another thread and back). Its
// sockets and timers on that thread's io_context must be gone before the io_context is; a stop
// hook closes them on the thread itself, after the server's connections drained and before
// the io_context stops.
//
// Threading: current() and set_current() concern the calling thread; the hook functions
// may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace aic::http {

class IoThread {
 public:
  explicit IoThread(boost::asio::io_context& io) : io_(io) {}
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  // The server I/O thread the caller runs on, or null on any other thread.
  static IoThread* current();
  // Called by the server on each of its threads before it runs the io_context.
  static void set_current(IoThread* thread);

  boost::asio::io_context& io() const { return io_; }

  using HookId = std::uint64_t;
  // `hook` runs on this thread when the server stops it (newest hook first), unless
  // removed before. Returns 0, and does not keep the hook, once the hooks have run.
  HookId add_stop_hook(std::function<void()> hook);
  void remove_stop_hook(HookId id);
  // Runs and forgets the hooks. Called by the server, on this thread.
  void run_stop_hooks();

 private:
  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::vector<std::pair<HookId, std::function<void()>>> hooks_;  // GUARDED_BY(mutex_)
  HookId next_id_ = 1;                                           // GUARDED_BY(mutex_)
  bool stopped_ = false;                                         // GUARDED_BY(mutex_)
};

}  // namespace aic::http
