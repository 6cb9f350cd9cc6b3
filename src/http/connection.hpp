// Internal to src/http: the life of one client connection, shared by the server (which
// accepts connections and drains them) and the two translation units that compile the
// connection coroutine, one for plain TCP and one for TLS. They are separate so the two
// heaviest Beast instantiations compile in parallel.
#pragma once

#include <time.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <list>
#include <string>
#include <thread>

#include "core/config.hpp"
#include "http/io_thread.hpp"
#include "http/pipeline.hpp"

namespace aic::http::detail {

using Clock = std::chrono::steady_clock;

// The monotonic clock at the kernel's tick resolution (a few ms): reading it costs a few
// nanoseconds, and connection timeouts need no better.
inline Clock::time_point coarse_now() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return Clock::time_point(std::chrono::seconds(now.tv_sec) +
                           std::chrono::nanoseconds(now.tv_nsec));
}

// The part of a connection's state that the server's drain and its deadline sweep reach.
//
// Connection timeouts are not timers per operation: each session states the time by which
// its current step (waiting for a request, reading a head or body, writing) must be done,
// and the I/O thread's sweep (every server.* timeout / 8, at most 250 ms) calls on_deadline
// for sessions past theirs. A request then costs two stores instead of a timer-queue
// insertion and cancellation per read and write.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on the session's thread when the server starts draining.
  virtual void on_drain() = 0;
  // Called on the session's thread once `deadline` has passed; `deadline` is reset first.
  virtual void on_deadline() = 0;

  Clock::time_point deadline = Clock::time_point::max();
};

// One I/O thread with its own io_context. Sessions on it are only touched by that thread.
struct IoWorker {
  // Declared before `io`: destroying the io_context destroys suspended session coroutines,
  // whose destructors unlink themselves from this list.
  std::list<SessionBase*> sessions;  // only accessed on this worker's thread
  boost::asio::io_context io{1};
  IoThread io_thread{io};  // what code on this thread sees of it (IoThread::current())
  std::thread thread;
  // Connections assigned to this worker; any thread reads it to balance new connections.
  std::atomic<std::size_t> connections{0};
};

// What a connection needs from the server. All referenced objects outlive every connection.
struct ConnectionEnv {
  const core::ServerConfig& limits;
  const Pipeline& pipeline;
  // Shutdown began: answer the current request with `Connection: close`.
  const std::atomic<bool>& draining;
  // The listener closed (after server.shutdown_delay): take no new request.
  const std::atomic<bool>& closing;
};

// Serves HTTP/1.1 requests on `socket` until the client leaves, a limit closes the
// connection or the server drains. Runs on `worker`'s thread.
boost::asio::awaitable<void> serve_plain(boost::asio::ip::tcp::socket socket, IoWorker& worker,
                                         const ConnectionEnv& env, std::string remote);
boost::asio::awaitable<void> serve_tls(boost::asio::ip::tcp::socket socket,
                                       boost::asio::ssl::context& tls, IoWorker& worker,
                                       const ConnectionEnv& env, std::string remote);

// Answers a connection over server.max_connections with a 503 problem, then closes it. One
// non-blocking write: the answer fits a new socket's send buffer, and a client that is not
// reading does not get to hold the descriptor.
void refuse_connection(boost::asio::ip::tcp::socket socket);

// The sweep interval for `limits`: an eighth of the shortest connection timeout, between
// 5 ms and 250 ms.
Clock::duration deadline_sweep_interval(const core::ServerConfig& limits);

}  // namespace aic::http::detail
