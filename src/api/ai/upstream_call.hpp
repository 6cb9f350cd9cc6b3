// One request to a model provider, awaited from a connection's coroutine.
//
// The HTTP client calls back on the thread it ran the request on (the gateway's client runs
// it on the awaiting connection's own server thread; other callers may be elsewhere); an
// UpstreamCall queues what arrives (the head, body pieces, the end) and wakes the awaiting
// coroutine on the coroutine's own executor, so handlers never block the client. A consumer that
// reads more slowly than the provider writes is bounded: past max_backlog bytes the call is
// cancelled and ends with an error.
//
// Threading: create, await and cancel from one coroutine's executor (a connection's I/O
// thread); the client's callbacks may run concurrently.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/client/http_client.hpp"

namespace aic::api::ai {

class UpstreamCall : public std::enable_shared_from_this<UpstreamCall> {
 public:
  // Starts `request` on `client`; awaits run on `executor`.
  static std::shared_ptr<UpstreamCall> start(http::HttpClient& client, http::ClientRequest request,
                                             boost::asio::any_io_executor executor,
                                             std::size_t max_backlog = 8 * 1024 * 1024);
  ~UpstreamCall();

  // The status line and headers, or the failure that came instead (error_kind set).
  boost::asio::awaitable<http::ClientResponse> head();

  struct Piece {
    std::string bytes;  // what arrived since the last call (empty at the end)
    bool end = false;   // the body is over; `ending` says how
  };
  // The next body bytes. At the end, ending() has the outcome.
  boost::asio::awaitable<Piece> next();
  // The whole body, up to `limit` bytes (an error ending beyond it).
  boost::asio::awaitable<std::string> read_all(std::size_t limit);

  // How the call ended (error_kind kNone for a complete answer). REQUIRES: next() said end.
  const http::ClientResponse& ending() const { return ending_; }
  // Stops the request (the connection is closed); a pending next() ends with kCancelled.
  void cancel();

 private:
  UpstreamCall(boost::asio::any_io_executor executor, std::size_t max_backlog)
      : signal_(executor), max_backlog_(max_backlog) {}
  void wake();
  boost::asio::awaitable<void> wait();

  boost::asio::steady_timer signal_;  // cancelled (on the executor) to wake the awaiter
  std::size_t max_backlog_;

  std::mutex mutex_;  // guards the members below, written by the client thread
  std::shared_ptr<http::ClientCall> call_;  // written once, in start()
  std::optional<http::ClientResponse> head_;
  std::deque<std::string> pieces_;
  std::size_t backlog_ = 0;
  std::optional<http::ClientResponse> end_;
  bool overflowed_ = false;
  bool wake_pending_ = false;  // a wake is posted and has not run yet

  http::ClientResponse ending_;  // the consumer's copy of end_
};

}  // namespace aic::api::ai
