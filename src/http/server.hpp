// The HTTP/1.1 server: Boost.Beast over Asio, one coroutine per connection.
//
// - N I/O threads, each with its own io_context; the listener hands new connections out
//   round-robin, so a connection lives on one thread for its whole life (no locking).
// - Keep-alive and pipelining: requests on a connection are answered in order.
// - Limits from core::ServerConfig, each answered with problem+json: header bytes (431),
//   body bytes (413; per-route override), header-read timeout (408), idle keep-alive
//   timeout (silent close), max open connections (503), per-request deadline (503).
// - Graceful shutdown: begin_shutdown() flips draining() (so /readyz answers 503), closes the
//   listener, closes idle connections and lets in-flight requests finish with
//   `Connection: close`, up to the grace period; then the rest are closed.
// - Optional TLS when core::TlsConfig names a certificate and key.
//
// Threading: start(), begin_shutdown() and wait() are called from the owning thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "core/config.hpp"
#include "core/result.hpp"
#include "http/filters.hpp"
#include "http/pipeline.hpp"

namespace aic::http {

class Server {
 public:
  Server(const core::Config& config, const Pipeline& pipeline, HttpMetrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listener and starts the I/O threads. Errors: kUnavailable when the address
  // cannot be bound, kInvalidArgument for bad TLS material.
  core::Status start();

  // The bound port (useful with port 0). REQUIRES: start() succeeded.
  std::uint16_t port() const;

  bool draining() const;

  // Stops accepting and drains as described above; returns immediately. Idempotent.
  void begin_shutdown();

  // Blocks until every connection has closed or the grace period has passed since
  // begin_shutdown(), then stops the I/O threads. Returns true when all drained in time.
  bool wait();

  // Connections open right now.
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aic::http
