// Internal to src/http: the connection coroutine as a template over the stream type, included
// by exactly two translation units (connection_plain.cpp, connection_tls.cpp).
#pragma once

#include <sys/socket.h>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>

#include "http/connection.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

namespace aic::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
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

// Beast's HTTP/1.1 grammar writing straight into our Request: the head is copied once, into
// strings the connection reuses for its next request, and the body is appended as it
// arrives. Limits (header bytes, body bytes) are Beast's, set on the parser.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& request) : request_(request) {}

 private:
  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target,
                       int version, beast::error_code&) override {
    request_.method_text.assign(method.data(), method.size());
    request_.method = http::parse_method(request_.method_text);
    request_.target.assign(target.data(), target.size());
    request_.version = static_cast<unsigned>(version);
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    request_.headers.add(std::string_view(name.data(), name.size()),
                         std::string_view(value.data(), value.size()));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    // The connection refuses a Content-Length over the route's limit before reading the body.
    if (length) request_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Request& request_;
};

// Routes the parsed request in `context`. Shared with the fuzz target, so the fuzzer
// exercises exactly what the server runs on untrusted bytes.
inline void route_request(const Router& router, RequestContext& context) {
  Router::Match match = router.match(context.request.method, context.request.path());
  context.route = match.route;
  context.path_params = std::move(match.params);
  context.allow = std::move(match.allow);
  context.bad_path_encoding = match.bad_encoding;
}

template <typename Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, tcp::socket>;

inline tcp::socket& socket_of(tcp::socket& stream) { return stream; }
inline tcp::socket& socket_of(beast::ssl_stream<tcp::socket>& stream) {
  return stream.next_layer();
}

// A connection's state that the drain signal and the deadline sweep need to reach.
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
    // and then closes because the server is draining; a streamed body is told to end.
    if (idle_) cancel();
    if (streaming_ != nullptr) streaming_->stop();
  }

  void on_deadline() override {
    // Cancel rather than close, so a 408 can still be written after a slow head or body.
    timed_out_ = true;
    cancel();
  }

  // The current step must be done within `timeout` (or by `when`); clears timed_out().
  void expire_after(Clock::duration timeout) { expire_at(coarse_now() + timeout); }
  void expire_at(Clock::time_point when) {
    deadline = when;
    timed_out_ = false;
  }
  void expire_never() { deadline = Clock::time_point::max(); }
  // Whether the deadline of the current step cancelled it.
  bool timed_out() const { return timed_out_; }

  // Idle: waiting for the first byte of the next request.
  void set_idle(bool idle) { idle_ = idle; }
  // The body being streamed, if any (told to stop when the server drains).
  void set_streaming(BodyStream* stream) { streaming_ = stream; }

 private:
  void cancel() {
    // error_code overload: the socket may already be closed.
    boost::system::error_code ignored;
    socket_of(stream_).cancel(ignored);
  }

  bool idle_ = true;
  bool timed_out_ = false;
  BodyStream* streaming_ = nullptr;
  Stream& stream_;
  IoWorker& worker_;
  std::list<SessionBase*>::iterator node_;
};

// Watches a connection while its handler runs, so a handler can stop work nobody will read
// (RequestContext::on_client_gone). Readable with nothing to read (a FIN) or a reset means the
// client went away, as nginx decides for proxy_ignore_client_abort off; readable with bytes
// (a pipelined request, a TLS record) means it is still there, and the watch ends. Runs on
// the connection's thread; `active` is cleared when the handler returns, after which the
// pending wait is cancelled and its handler does nothing. A close that arrived before the
// watch began (right behind the request) is not seen: that request runs to its end.
class ClientWatch {
 public:
  ClientWatch(tcp::socket& socket, RequestContext& context)
      : socket_(socket), context_(context), active_(std::make_shared<bool>(true)) {
    arm();
  }
  ~ClientWatch() {
    *active_ = false;
    boost::system::error_code ignored;
    socket_.cancel(ignored);  // nothing else waits on the socket while a handler runs
  }
  ClientWatch(const ClientWatch&) = delete;
  ClientWatch& operator=(const ClientWatch&) = delete;

 private:
  void arm() {
    socket_.async_wait(tcp::socket::wait_read,
                       [this, active = active_](const boost::system::error_code& ec) {
                         if (!*active || ec) return;
                         check();
                       });
  }
  void check() {
    char byte = 0;
    ssize_t peeked = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked > 0) return;  // the client is there and talking
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      arm();  // a spurious wake-up
      return;
    }
    context_.client_gone = true;
    if (context_.on_client_gone) context_.on_client_gone();
  }

  tcp::socket& socket_;
  RequestContext& context_;
  std::shared_ptr<bool> active_;
};

inline bool is_bodyless_status(int status) {
  return status == 204 || status == 304 || (status >= 100 && status < 200);
}

// Whether `text` contains CR, LF or NUL, which would break the framing of the response.
// Eight bytes at a time, looking for any byte below 0x20 (rare in header text: only TAB is
// legitimate); only then byte by byte to see which one it is.
inline bool unsafe_header_text(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const char* cursor = text.data();
  std::size_t left = text.size();
  while (left >= 8) {
    std::uint64_t word;
    std::memcpy(&word, cursor, sizeof word);
    if (((word - kOnes * 0x20) & ~word & kHighBits) != 0) break;
    cursor += 8;
    left -= 8;
  }
  for (; left > 0; ++cursor, --left) {
    if (*cursor == '\r' || *cursor == '\n' || *cursor == '\0') return true;
  }
  return false;
}

// Headers the connection writes itself; a handler's copy is dropped.
inline bool is_framing_header(std::string_view name) {
  switch (name.size()) {
    case 4:
      return iequals(name, "Date");
    case 6:
      return iequals(name, "Server");
    case 10:
      return iequals(name, "Connection");
    case 14:
      return iequals(name, "Content-Length");
    case 17:
      return iequals(name, "Transfer-Encoding");
    default:
      return false;
  }
}

// Renders the status line and headers of `response` into `head` (reused across requests,
// so steady-state keep-alive traffic allocates nothing here). The body is written from
// `response.body` as a second buffer, never copied. Framing headers are ours: a handler's
// Content-Length, Connection, Date or Server is replaced, and a header a handler filled with
// CR/LF is dropped rather than allowed to split the response.
inline void render_head(const Response& response, unsigned version, bool keep_alive,
                        std::string& head) {
  using namespace std::string_view_literals;
  // Sized once, then filled with plain copies: cheaper than growing the string piece by
  // piece. The fixed part (status line, Server, Date, Content-Length, Connection) needs well
  // under kFixedPart bytes.
  constexpr std::size_t kFixedPart = 256;
  std::size_t bound = kFixedPart;
  for (std::size_t i = 0; i < response.headers.size(); ++i) {
    auto [name, value] = response.headers.entry(i);
    bound += name.size() + value.size() + 4;
  }
  head.resize(bound);
  char* out = head.data();
  auto put = [&out](std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    out += text.size();
  };

  put(version == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv);
  int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  *out++ = static_cast<char>('0' + status / 100);
  *out++ = static_cast<char>('0' + status / 10 % 10);
  *out++ = static_cast<char>('0' + status % 10);
  *out++ = ' ';
  auto reason = reason_phrase(status);
  put(reason.empty() ? "Unknown"sv : reason);
  put("\r\n"sv);
  for (std::size_t i = 0; i < response.headers.size(); ++i) {
    auto [name, value] = response.headers.entry(i);
    if (name.empty() || is_framing_header(name) || unsafe_header_text(name) ||
        unsafe_header_text(value)) {
      continue;
    }
    put(name);
    put(": "sv);
    put(value);
    put("\r\n"sv);
  }
  put("Server: aic\r\nDate: "sv);
  put(http_date());
  put("\r\n"sv);
  if (response.stream && !is_bodyless_status(status)) {
    // HTTP/1.0 has no chunks: the body ends when the connection closes.
    if (version != 10) put("Transfer-Encoding: chunked\r\n"sv);
  } else if (!is_bodyless_status(status)) {
    // HEAD: the Content-Length a GET would send, and no body.
    put("Content-Length: "sv);
    out = std::to_chars(out, out + 24, response.body.size()).ptr;
    put("\r\n"sv);
  }
  if (version == 10 && keep_alive) put("Connection: keep-alive\r\n"sv);
  if (version != 10 && !keep_alive) put("Connection: close\r\n"sv);
  put("\r\n"sv);
  head.resize(static_cast<std::size_t>(out - head.data()));
}

// Reads this much at a time while waiting for a request head, and while reading a body.
inline constexpr std::size_t kReadChunk = 8192;
inline constexpr std::size_t kBodyReadChunk = 65536;

// Feeds buffered bytes to `parser` until it has the head (or, with `whole`, the whole
// message). Returns true when that is reached or parsing failed (`ec` set), false when more
// bytes are needed. Parsing what is already buffered first means a request that arrived in
// one piece, or was pipelined behind the previous one, costs no trip through the event loop.
inline bool parse_buffered(RequestParser& parser, beast::flat_buffer& buffer, bool whole,
                           beast::error_code& ec) {
  for (;;) {
    if (whole ? parser.is_done() : parser.is_header_done()) return true;
    if (buffer.size() == 0) return false;
    std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return false;
    }
    if (ec) return true;
    if (used == 0) return false;
  }
}

// Reads until parse_buffered is satisfied. A connection that ends before the head starts is
// end_of_stream; one that ends mid-message is partial_message.
template <typename Stream>
asio::awaitable<beast::error_code> read_more(Stream& stream, beast::flat_buffer& buffer,
                                             RequestParser& parser, bool whole) {
  beast::error_code ec;
  while (!parse_buffered(parser, buffer, whole, ec)) {
    auto [read_ec, n] = co_await stream.async_read_some(
        buffer.prepare(whole ? kBodyReadChunk : kReadChunk), kUseTuple);
    if (read_ec == asio::error::eof) {
      if (!parser.got_some()) co_return bhttp::error::end_of_stream;
      parser.put_eof(ec);
      co_return ec ? ec : beast::error_code(bhttp::error::partial_message);
    }
    if (read_ec) co_return read_ec;
    buffer.commit(n);
  }
  co_return ec;
}

// Writes `response`: the head rendered into `head`, then the body unless HEAD or a bodyless
// status. On a plain socket the bytes are first offered to the kernel directly; a response
// that fits the send buffer (nearly all) then needs no asynchronous operation at all.
template <typename Stream>
asio::awaitable<beast::error_code> write_response(Stream& stream, const Response& response,
                                                  unsigned version, bool keep_alive,
                                                  bool head_request, std::string& head) {
  render_head(response, version, keep_alive, head);
  bool send_body = !head_request && !is_bodyless_status(response.status);
  std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head), asio::buffer(response.body.data(), send_body ? response.body.size() : 0)};
  beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(buffers);
  if constexpr (!kIsTls<Stream>) {
    beast::error_code ec;
    std::size_t written = stream.write_some(buffers, ec);  // the socket is non-blocking
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
    if (written == asio::buffer_size(buffers)) co_return beast::error_code();
    rest.consume(written);
  }
  auto [ec, written] = co_await asio::async_write(stream, rest, kUseTuple);
  co_return ec;
}

// Writes the pieces of `response.stream` after its head, each as one chunk (HTTP/1.1) or as
// plain bytes (HTTP/1.0), until the stream ends, the client is gone or too slow. True when the
// whole body, last chunk included, was written: the connection can carry another request.
template <typename Stream>
asio::awaitable<bool> write_stream(Stream& stream, Session<Stream>& session, BodyStream& body,
                                   unsigned version, Clock::duration write_timeout) {
  session.set_streaming(&body);
  std::string frame;
  for (;;) {
    session.expire_never();  // waiting for the next piece is not the client's fault
    std::optional<std::string> piece = co_await body.next();
    if (!piece) break;
    if (piece->empty()) continue;  // an empty chunk would end the body
    frame.clear();
    if (version != 10) {
      char size[20];
      auto end = std::to_chars(size, size + sizeof size, piece->size(), 16).ptr;
      frame.append(size, end);
      frame += "\r\n";
    }
    frame += *piece;
    if (version != 10) frame += "\r\n";
    session.expire_after(write_timeout);
    auto [ec, written] = co_await asio::async_write(stream, asio::buffer(frame), kUseTuple);
    if (ec) {
      session.set_streaming(nullptr);
      co_return false;
    }
  }
  session.set_streaming(nullptr);
  if (version == 10) co_return false;  // the body ends with the connection
  session.expire_after(write_timeout);
  static constexpr std::string_view kLastChunk = "0\r\n\r\n";
  auto [ec, written] = co_await asio::async_write(stream, asio::buffer(kLastChunk), kUseTuple);
  co_return !ec && !session.timed_out();
}

template <typename Stream>
asio::awaitable<void> serve(Stream stream, IoWorker& worker, const ConnectionEnv& env,
                            std::string remote) {
  const core::ServerConfig& limits = env.limits;
  Session<Stream> session(stream, worker);
  tcp::socket& socket = socket_of(stream);
  beast::flat_buffer buffer;
  std::string response_head;  // reused for every response on this connection
  RequestContext context;     // recycled for every request on this connection
  {
    // Synchronous writes (see write_response) must never block the I/O thread.
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
  }

  if constexpr (kIsTls<Stream>) {
    session.expire_after(limits.header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (ec) co_return;
  }

  for (;;) {
    session.set_idle(true);
    if (env.closing) break;
    if (buffer.size() == 0) {
      session.expire_after(limits.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
      if (ec) break;  // idle timeout, drain or the client closed: nothing to answer
      buffer.commit(n);
    }
    session.set_idle(false);

    context.recycle();
    context.request.remote_address = remote;
    bool close_after = false;
    RequestParser parser(context.request);
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(boost::none);  // the route's limit is applied once it is known
    std::size_t body_limit = limits.max_body_bytes;

    session.expire_after(limits.header_timeout);
    beast::error_code head_ec;
    if (!parse_buffered(parser, buffer, false, head_ec)) {
      head_ec = co_await read_more(stream, buffer, parser, false);
    }
    context.started = Clock::now();
    context.deadline = context.started + limits.request_timeout;

    if (head_ec) {
      bool timed_out = session.timed_out();
      if (!timed_out && (client_went_away(head_ec) || head_ec == asio::error::operation_aborted)) {
        break;  // gone, or cancelled by the drain
      }
      context.rejection = read_error(head_ec, timed_out, false, limits, body_limit);
      close_after = true;
    } else {
      route_request(env.pipeline.router(), context);
      if (context.route != nullptr && context.route->options.max_body_bytes) {
        body_limit = *context.route->options.max_body_bytes;
      }
      parser.body_limit(body_limit);

      if (!parser.is_done()) {
        auto length = parser.content_length();
        bool too_large = length && *length > body_limit;
        auto expect = context.request.headers.get("Expect");
        if (!too_large && expect && bhttp::token_list(*expect).exists("100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          session.expire_after(limits.header_timeout);
          auto [write_ec, written] =
              co_await asio::async_write(stream, asio::buffer(kContinue), kUseTuple);
          if (write_ec) break;
        }
        beast::error_code body_ec;
        bool timed_out = false;
        if (too_large) {
          body_ec = bhttp::error::body_limit;  // refuse before reading a byte of it
        } else {
          session.expire_at(context.deadline);
          parser.eager(true);
          if (!parse_buffered(parser, buffer, true, body_ec)) {
            body_ec = co_await read_more(stream, buffer, parser, true);
          }
          timed_out = session.timed_out();
        }
        if (body_ec) {
          if (!timed_out &&
              (client_went_away(body_ec) || body_ec == asio::error::operation_aborted)) {
            break;
          }
          context.rejection = read_error(body_ec, timed_out, true, limits, body_limit);
          close_after = true;
        }
      }
    }
    session.expire_never();  // the handler has the request deadline

    Response response;
    if (context.route != nullptr && context.route->options.watch_client && !context.rejection) {
      ClientWatch watch(socket, context);
      response = co_await env.pipeline.handle(context);
    } else {
      response = co_await env.pipeline.handle(context);
    }
    // A streamed body (chunked) keeps the connection for the next request once it has ended,
    // as HTTP/1.1 clients expect; HTTP/1.0 has no chunks, so its body ends with the connection.
    bool keep_alive = !close_after && !env.draining && parser.keep_alive() &&
                      !(response.stream && context.request.version == 10);
    session.expire_after(limits.request_timeout);
    const bool head_request = context.request.method == Method::kHead;
    auto write_ec = co_await write_response(stream, response, context.request.version, keep_alive,
                                            head_request, response_head);
    if (!write_ec && response.stream && !head_request && !is_bodyless_status(response.status)) {
      if (env.draining) response.stream->stop();  // began after the drain: end at once
      bool ended = co_await write_stream(stream, session, *response.stream, context.request.version,
                                         limits.request_timeout);
      // A stream stopped by a drain, a client too slow or gone: no further requests here.
      if (!ended || env.draining) keep_alive = false;
    }
    if (write_ec || !keep_alive) break;
  }

  // Close politely: TLS close_notify, then a TCP half-close so the client reads our last
  // response before the connection goes away.
  session.expire_after(std::chrono::seconds(2));
  if constexpr (kIsTls<Stream>) {
    co_await stream.async_shutdown(kUseTuple);
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

}  // namespace aic::http::detail
