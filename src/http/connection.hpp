// Internal to src/http: the life of one client connection, shared by the server (which
// accepts connections and drains them) and the two translation units that compile the
// connection coroutine, one for plain TCP and one for TLS. They are separate so the two
// heaviest Beast instantiations compile in parallel.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <list>
#include <string>
#include <thread>

#include "core/config.hpp"
#include "http/pipeline.hpp"

namespace aic::http::detail {

// The part of a connection's state that the drain signal reaches.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on the session's thread when the server starts draining.
  virtual void on_drain() = 0;
};

// One I/O thread with its own io_context. Sessions on it are only touched by that thread.
struct IoWorker {
  // Declared before `io`: destroying the io_context destroys suspended session coroutines,
  // whose destructors unlink themselves from this list.
  std::list<SessionBase*> sessions;  // only accessed on this worker's thread
  boost::asio::io_context io{1};
  std::thread thread;
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

// Answers a connection over server.max_connections with a 503 problem, then closes it.
boost::asio::awaitable<void> refuse_connection(boost::asio::ip::tcp::socket socket);

}  // namespace aic::http::detail
