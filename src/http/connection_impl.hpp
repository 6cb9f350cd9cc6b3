// Internal to src/http: the connection coroutine as a template over the stream type, included
// by exactly two translation units (connection_plain.cpp, connection_tls.cpp).
#pragma once

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>

#include "http/connection.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

namespace aic::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// The Date header (RFC 9110 §6.6.1), formatted at most once per second per thread.
inline std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char buffer[40];
  thread_local std::size_t length = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm parts{};
    gmtime_r(&now, &parts);
    length = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    cached_second = now;
  }
  return std::string_view(buffer, length);
}

// Whether the bytes already buffered contain a complete request head, in which case the
// parser needs no I/O and no timer has to guard it.
inline bool has_complete_head(const beast::flat_buffer& buffer) {
  std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  return data.find("\r\n\r\n") != std::string_view::npos;
}

inline bool client_went_away(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::not_connected;
}

inline core::Error read_error(const beast::error_code& ec, bool timed_out, bool reading_body,
                              const core::ServerConfig& limits, std::size_t body_limit) {
  using core::ErrorCode;
  if (timed_out) {
    return core::Error::make(ErrorCode::kRequestTimeout,
                             reading_body
                                 ? "the request body did not arrive before the request deadline"
                                 : "the request head did not arrive within server.header_timeout");
  }
  if (ec == bhttp::error::header_limit) {
    return core::Error::make(ErrorCode::kHeadersTooLarge,
                             "the request line and headers exceed " +
                                 std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {
    return core::Error::make(
        ErrorCode::kPayloadTooLarge,
        "the request body exceeds " + std::to_string(body_limit) + " bytes allowed on this route");
  }
  core::Error error = core::Error::make(ErrorCode::kMalformedRequest,
                                        "the request could not be parsed: " + ec.message());
  if (ec == bhttp::error::bad_content_length) error.header = "Content-Length";
  if (ec == bhttp::error::bad_transfer_encoding) error.header = "Transfer-Encoding";
  if (ec == bhttp::error::bad_method) error.field = "method";
  if (ec == bhttp::error::bad_target) error.field = "target";
  if (ec == bhttp::error::bad_version) error.field = "version";
  return error;
}

// Copies a parsed request head into `context.request` and routes it. Shared with the fuzz
// target, so the fuzzer exercises exactly what the server runs on untrusted bytes.
inline void route_request_head(const bhttp::request<bhttp::string_body>& message,
                               const Router& router, RequestContext& context) {
  Request& request = context.request;
  request.method_text = std::string(message.method_string());
  request.method = parse_method(request.method_text);
  request.target = std::string(message.target());
  request.version = message.version();
  for (const auto& field : message) request.headers.add(field.name_string(), field.value());

  Router::Match match = router.match(request.method, request.path());
  context.route = match.route;
  context.path_params = std::move(match.params);
  context.allow = std::move(match.allow);
  context.bad_path_encoding = match.bad_encoding;
}

// A connection's coroutine state that the drain signal needs to reach.
template <typename Stream>
class Session final : public SessionBase {
 public:
  Session(Stream& stream, IoWorker& worker) : stream_(stream), worker_(worker) {
    worker_.sessions.push_front(this);
    node_ = worker_.sessions.begin();
  }
  ~Session() override { worker_.sessions.erase(node_); }

  void on_drain() override {
    // A connection waiting for its next request is closed now; one mid-request finishes
    // and then closes because the server is draining.
    // error_code overload: the socket may already be closed by an idle timeout.
    boost::system::error_code ignored;
    if (idle_) beast::get_lowest_layer(stream_).socket().cancel(ignored);
  }

  // Idle: waiting for the first byte of the next request.
  void set_idle(bool idle) { idle_ = idle; }

 private:
  bool idle_ = true;
  Stream& stream_;
  IoWorker& worker_;
  std::list<SessionBase*>::iterator node_;
};

inline bool is_bodyless_status(int status) {
  return status == 204 || status == 304 || (status >= 100 && status < 200);
}

// A header name or value that would break the framing of the response (CR, LF, NUL).
inline bool unsafe_header_text(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Renders the status line and headers of `response` into `head` (reused across requests,
// so steady-state keep-alive traffic allocates nothing here). The body is written from
// `response.body` as a second buffer, never copied. Framing headers are ours: a handler's
// Content-Length, Connection, Date or Server is replaced, and a header a handler filled with
// CR/LF is dropped rather than allowed to split the response.
inline void render_head(const Response& response, unsigned version, bool keep_alive,
                        std::string& head) {
  head.clear();
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  head += static_cast<char>('0' + status / 100);
  head += static_cast<char>('0' + status / 10 % 10);
  head += static_cast<char>('0' + status % 10);
  head += ' ';
  auto reason = reason_phrase(status);
  head += reason.empty() ? std::string_view("Unknown") : reason;
  head += "\r\n";
  for (const auto& [name, value] : response.headers.entries()) {
    if (name.empty() || unsafe_header_text(name) || unsafe_header_text(value) ||
        iequals(name, "Content-Length") || iequals(name, "Connection") || iequals(name, "Date") ||
        iequals(name, "Server") || iequals(name, "Transfer-Encoding")) {
      continue;
    }
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "Server: aic\r\nDate: ";
  head += http_date();
  head += "\r\n";
  if (!is_bodyless_status(status)) {
    // HEAD: the Content-Length a GET would send, and no body.
    head += "Content-Length: ";
    head += std::to_string(response.body.size());
    head += "\r\n";
  }
  if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
}

// Writes `response` (head from render_head, then the body unless HEAD or bodyless status).
template <typename Stream>
asio::awaitable<beast::error_code> write_response(Stream& stream, const Response& response,
                                                  unsigned version, bool keep_alive,
                                                  bool head_request, std::string& head) {
  render_head(response, version, keep_alive, head);
  bool send_body = !head_request && !is_bodyless_status(response.status);
  std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head), asio::buffer(response.body.data(), send_body ? response.body.size() : 0)};
  auto [ec, written] = co_await asio::async_write(stream, buffers, kUseTuple);
  co_return ec;
}

template <typename Stream>
asio::awaitable<void> serve(Stream stream, IoWorker& worker, const ConnectionEnv& env,
                            std::string remote) {
  const core::ServerConfig& limits = env.limits;
  Session<Stream> session(stream, worker);
  auto& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  std::string response_head;            // reused for every response on this connection
  asio::steady_timer guard(worker.io);  // header/body timeouts that still allow an answer
  std::uint64_t guard_epoch = 0;

  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    lowest.expires_after(limits.header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (ec) co_return;
  }

  for (;;) {
    session.set_idle(true);
    if (env.closing) break;
    if (buffer.size() == 0) {
      lowest.expires_after(limits.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kUseTuple);
      if (ec) break;  // idle timeout, drain or the client closed: nothing to answer
      buffer.commit(n);
    }
    session.set_idle(false);
    lowest.expires_never();

    RequestContext context;
    context.request.remote_address = remote;
    bool close_after = false;
    bool timed_out = false;
    // The guard cancels (rather than closes) the socket, so a 408 can still be written. The
    // epoch stops a timer that fired just as the read finished from cancelling later I/O.
    auto arm_guard = [&](Clock::time_point when) {
      timed_out = false;
      guard.expires_at(when);
      guard.async_wait(
          [&timed_out, &lowest, &guard_epoch, epoch = ++guard_epoch](beast::error_code ec) {
            if (ec || epoch != guard_epoch) return;
            timed_out = true;
            boost::system::error_code ignored;
            lowest.socket().cancel(ignored);
          });
    };
    auto disarm_guard = [&] {
      ++guard_epoch;
      guard.cancel();
    };

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(boost::none);  // the route's limit is applied once it is known
    std::size_t body_limit = limits.max_body_bytes;

    bool guarded = !has_complete_head(buffer);
    if (guarded) arm_guard(Clock::now() + limits.header_timeout);
    auto [head_ec, head_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
    if (guarded) disarm_guard();
    context.started = Clock::now();
    context.deadline = context.started + limits.request_timeout;

    if (head_ec) {
      if (!timed_out && client_went_away(head_ec)) break;
      if (head_ec == asio::error::operation_aborted && !timed_out) break;  // drain
      context.rejection = read_error(head_ec, timed_out, false, limits, body_limit);
      close_after = true;
    } else {
      auto& message = parser.get();
      Request& request = context.request;
      route_request_head(message, env.pipeline.router(), context);
      if (context.route != nullptr && context.route->options.max_body_bytes) {
        body_limit = *context.route->options.max_body_bytes;
      }
      parser.body_limit(body_limit);

      if (!parser.is_done()) {
        auto length = parser.content_length();
        bool too_large = length && *length > body_limit;
        if (!too_large && bhttp::token_list(message[bhttp::field::expect]).exists("100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          lowest.expires_after(limits.header_timeout);
          auto [write_ec, written] =
              co_await asio::async_write(stream, asio::buffer(kContinue), kUseTuple);
          if (write_ec) break;
          lowest.expires_never();
        }
        beast::error_code body_ec;
        if (too_large) {
          body_ec = bhttp::error::body_limit;  // refuse before reading a byte of it
        } else {
          arm_guard(context.deadline);
          auto [ec, read] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple);
          disarm_guard();
          body_ec = ec;
        }
        if (body_ec) {
          if (!timed_out && client_went_away(body_ec)) break;
          if (body_ec == asio::error::operation_aborted && !timed_out) break;
          context.rejection = read_error(body_ec, timed_out, true, limits, body_limit);
          close_after = true;
        }
      }
      if (!context.rejection) request.body = std::move(message.body());
    }

    Response response = co_await env.pipeline.handle(context);
    bool keep_alive = !close_after && !env.draining && parser.keep_alive();
    lowest.expires_after(limits.request_timeout);
    auto write_ec = co_await write_response(stream, response, context.request.version, keep_alive,
                                            context.request.method == Method::kHead, response_head);
    if (write_ec || !keep_alive) break;
  }

  // Close politely: TLS close_notify, then a TCP half-close so the client reads our last
  // response before the connection goes away.
  lowest.expires_after(std::chrono::seconds(2));
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    co_await stream.async_shutdown(kUseTuple);
  }
  beast::error_code ignored;
  lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
  lowest.close();
}

}  // namespace aic::http::detail
