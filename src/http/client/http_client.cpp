#include "http/client/http_client.hpp"

#include "http/io_thread.hpp"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <charconv>
#include <exception>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/allocator.hpp"
#include "core/logging.hpp"
#include "core/thread_name.hpp"

namespace aic::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Interim (1xx) answers skipped before the final one; more is a misbehaving server.
constexpr int kMaxInterimResponses = 8;
// The most read from a connection at once, as Beast's own reads do.
constexpr std::size_t kReadBytes = 64 * 1024;

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// RFC 9110 token characters, the only ones allowed in a header name.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A header value may not contain CR, LF, NUL or other controls except TAB: they would end
// the header early and let the value inject headers or a second request.
bool is_valid_header_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && byte != '\t') || byte == 0x7f;
  });
}

bool is_ipv4_literal(const std::string& host) {
  unsigned char bytes[4];
  return ::inet_pton(AF_INET, host.c_str(), bytes) == 1;
}

bool is_ipv6_literal(const std::string& host) {
  unsigned char bytes[16];
  return ::inet_pton(AF_INET6, host.c_str(), bytes) == 1;
}

std::string_view without_trailing_dot(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host;
}

// A pooled connection idle for less than this is reused without a look at its socket.
constexpr std::chrono::milliseconds kReuseUnseenWithin{1000};

// Whether the server has neither closed an idle connection nor sent anything on it: a
// readable idle socket holds either the end of the stream or bytes nobody asked for (a TLS
// alert), and is not worth sending on.
bool idle_socket_is_quiet(tcp::socket& socket) {
  char byte;
  ssize_t got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// The end of a connection the server closed before answering: on a kept-alive connection
// that means it timed the connection out as we reused it, and the request is worth one
// more try on a new connection.
bool is_closed_by_peer(const ErrorCode& error) {
  return error == bhttp::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe ||
         error == asio::error::connection_aborted || error == asio::ssl::error::stream_truncated;
}

std::string milliseconds_text(std::chrono::milliseconds value) {
  return std::to_string(value.count()) + " ms";
}

std::string describe_host(const Url& url) {
  return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
}

// A 1xx answer other than 101 Switching Protocols: skipped, the final answer follows it.
bool is_interim(int status) { return status >= 100 && status < 200 && status != 101; }

// One TCP connection, with TLS on top for https.
struct Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}

  tcp::socket& lowest_layer() { return tls ? tls->next_layer() : socket; }
  void close() {
    ErrorCode ignored;
    lowest_layer().close(ignored);
  }

  tcp::socket socket;  // moved into `tls` once the TCP connection is up, for https
  std::optional<beast::ssl_stream<tcp::socket>> tls;
  beast::flat_buffer buffer;  // bytes read beyond the last answer (none when reusable)
  std::string remote_address;
  Clock::time_point idle_since;
};

struct Exchange;
class ResponseParser;

// One I/O thread and what only it touches: one of the client's own threads, or a server I/O
// thread that sends on it (ClientOptions::run_on_server_threads).
struct Worker {
  // One of the client's own threads (started by the client).
  Worker()
      : owned_io(std::make_unique<asio::io_context>(1)),
        io(*owned_io),
        work(std::in_place, io.get_executor()),
        sweep_timer(std::in_place, io) {}
  // A server I/O thread's.
  explicit Worker(IoThread& on) : io(on.io()), server_thread(&on), sweep_timer(std::in_place, io) {}

  std::unique_ptr<asio::io_context> owned_io;  // first: what runs on it goes before it
  asio::io_context& io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  IoThread* server_thread = nullptr;  // a server thread's worker; dangling once `detached`
  IoThread::HookId stop_hook = 0;
  // Reset when a server thread's worker is detached: nothing of it may outlive that
  // thread's io_context.
  std::optional<asio::steady_timer> sweep_timer;
  // Idle keep-alive connections per "scheme://host:port", oldest first.
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::list<Exchange*> in_flight;
  bool stopping = false;
  bool sweeping = false;  // sweep_idle() was spawned and has not returned (it uses the worker)
  bool detached = false;  // a server thread's worker after its teardown (HttpClient::Impl's mutex)
  std::thread thread;
};

}  // namespace

struct HttpClient::Impl {
  explicit Impl(ClientOptions client_options);

  // Starts one request on the caller's server thread (when allowed and enabled) or on the
  // next own worker; exactly one of `done` and `stream` is set.
  std::shared_ptr<ClientCall> start(ClientRequest request, HttpClient::Callback done,
                                    std::optional<StreamHandlers> stream, bool may_attach);
  // The worker for the server thread `here`, made on first use; null while that thread
  // stops.
  Worker* attached_worker(IoThread& here);
  // Closes what a server thread's worker holds on that thread (idle connections, the sweep
  // timer), aborts its requests and makes later cancels no-ops. On that thread.
  void detach(Worker& worker);
  asio::awaitable<void> run(std::shared_ptr<Exchange> exchange);
  asio::awaitable<bool> open_connection(Exchange& exchange);
  asio::awaitable<bool> connect_tcp(Exchange& exchange, std::vector<tcp::endpoint> endpoints);
  asio::awaitable<bool> handshake(Exchange& exchange);
  template <typename Stream>
  asio::awaitable<bool> exchange_on(Exchange& exchange, Stream& stream, bool reused, bool& stale);
  template <typename Stream>
  asio::awaitable<ErrorCode> read_answer(Exchange& exchange, Stream& stream, ResponseParser& parser,
                                         bool& got_bytes);
  asio::awaitable<void> sweep_idle(Worker& worker);

  std::unique_ptr<Connection> take_idle(Worker& worker, const std::string& key);
  void keep_idle(Worker& worker, const std::string& key, std::unique_ptr<Connection> connection);
  void finish(Exchange& exchange);
  void cancel_all(Worker& worker);

  ClientOptions options;
  // Declared before the workers: TLS streams on the workers use it until they are destroyed.
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> next_worker{0};
  std::mutex attached_mutex;
  std::vector<std::unique_ptr<Worker>> attached;  // GUARDED_BY(attached_mutex)
};

namespace {

// The handle send() returns. cancel() may come from any thread, so it hands the abort to the
// exchange's worker, and only while that worker certainly exists: until the exchange
// finishes, which happens on the worker before the client can be destroyed.
class ExchangeCall final : public ClientCall {
 public:
  ExchangeCall(asio::io_context& io, std::weak_ptr<Exchange> exchange)
      : io_(&io), exchange_(std::move(exchange)) {}

  void cancel() override;

  // The exchange finished: cancel() does nothing from now on. Called on the worker.
  void detach() {
    std::lock_guard lock(mutex_);
    io_ = nullptr;
  }

 private:
  std::mutex mutex_;
  asio::io_context* io_;  // GUARDED_BY(mutex_); null once the exchange finished
  std::weak_ptr<Exchange> exchange_;
};

// The deadlines the watchdog enforces, the nearest armed at a time.
enum class Deadline { kConnect, kFirstByte, kBetweenBytes, kTotal };

// One request from send() to its callback. Shared between the coroutine that runs it and the
// handlers (watchdog, resolver, cancel) that may outlive a step of it; only its worker
// touches it.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(Worker& owner, ClientRequest client_request, HttpClient::Callback callback,
           std::optional<StreamHandlers> stream_handlers, const ClientOptions& options,
           Clock::time_point start)
      : worker(owner),
        request(std::move(client_request)),
        streaming(stream_handlers.has_value()),
        done(std::move(callback)),
        stream(std::move(stream_handlers)),
        started(start),
        connect_timeout(request.timeouts.connect.value_or(options.connect_timeout)),
        total_timeout(request.timeouts.total.value_or(options.total_timeout)),
        first_byte_timeout(request.timeouts.first_byte),
        between_bytes_timeout(request.timeouts.between_bytes),
        total_deadline(start + total_timeout),
        watchdog(owner.io),
        resolve_wake(owner.io) {}

  // Stops the current step; the coroutine sees `aborted` after its next await (or, within a
  // stream handler, as soon as the handler returns).
  void abort(ClientErrorKind kind, std::string message) {
    if (aborted || finished) return;
    aborted = kind;
    abort_message = std::move(message);
    resolve_wake.cancel();
    if (connection) connection->close();
  }

  void fail(ClientErrorKind kind, std::string message) {
    response.status = 0;
    response.error_kind = kind;
    response.error = std::move(message);
  }

  // Bytes of the answer arrived: the first-byte deadline is met and the between-bytes one
  // starts over.
  void note_answer_bytes() {
    first_byte_deadline.reset();
    last_byte_at = Clock::now();
    if (between_bytes_timeout) watch();
  }

  struct Due {
    Clock::time_point when;
    Deadline which;
  };
  Due nearest_deadline() const {
    Due nearest{total_deadline, Deadline::kTotal};
    auto consider = [&nearest](std::optional<Clock::time_point> when, Deadline which) {
      if (when && *when < nearest.when) nearest = Due{*when, which};
    };
    consider(connect_deadline, Deadline::kConnect);
    consider(first_byte_deadline, Deadline::kFirstByte);
    if (between_bytes_timeout && last_byte_at) {
      consider(*last_byte_at + *between_bytes_timeout, Deadline::kBetweenBytes);
    }
    return nearest;
  }

  // Arms the watchdog for the nearest deadline unless a wait ending no later is armed
  // already. A wait that ends before its deadline passed (it moved later, as the
  // between-bytes one does on every read) re-arms itself, which spares cancelling the timer
  // on every read.
  void watch() {
    Clock::time_point due = nearest_deadline().when;
    if (due >= watchdog_expiry) return;
    watchdog_expiry = due;
    std::uint64_t generation = ++watchdog_generation;
    watchdog.expires_at(due);
    watchdog.async_wait([self = shared_from_this(), generation](const ErrorCode& error) {
      // A re-armed watchdog's earlier wait may already have completed; only the current
      // one counts.
      if (error || self->finished || generation != self->watchdog_generation) return;
      self->watchdog_expiry = Clock::time_point::max();
      Due nearest = self->nearest_deadline();
      if (nearest.when > Clock::now()) {
        self->watch();
        return;
      }
      self->abort(ClientErrorKind::kTimeout, self->timeout_message(nearest.which));
    });
  }

  std::string timeout_message(Deadline which) const {
    std::string host = describe_host(url);
    std::string peer =
        response.remote_address.empty() ? host : host + " (" + response.remote_address + ")";
    switch (which) {
      case Deadline::kConnect:
        return "could not connect to " + host + " within connect_timeout (" +
               milliseconds_text(connect_timeout) + ")";
      case Deadline::kFirstByte:
        return "no answer from " + peer + " within first_byte_timeout (" +
               milliseconds_text(*first_byte_timeout) + ") of sending the request";
      case Deadline::kBetweenBytes:
        return peer + " stopped sending its answer: nothing for between_bytes_timeout (" +
               milliseconds_text(*between_bytes_timeout) + ")";
      case Deadline::kTotal:
        break;
    }
    return "no complete answer from " + host + " within total_timeout (" +
           milliseconds_text(total_timeout) + ")";
  }

  // The final status and headers go to on_head. Returns whether the exchange goes on.
  bool deliver_head() {
    response.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    return run_stream_handler("on_head", stream->on_head, std::as_const(response));
  }

  bool deliver_body(std::string_view piece) {
    return run_stream_handler("on_body", stream->on_body, piece);
  }

  // Runs a stream handler; one that throws cancels the exchange, as may the handler itself.
  // Returns whether the exchange goes on.
  template <typename Handler, typename Argument>
  bool run_stream_handler(std::string_view name, const Handler& handler, Argument&& argument) {
    if (!handler) return true;
    try {
      handler(std::forward<Argument>(argument));
    } catch (const std::exception& error) {
      abort(ClientErrorKind::kCancelled, std::string(name) + " threw (" + error.what() +
                                             "); the answer from " + describe_host(url) +
                                             " was abandoned");
    } catch (...) {
      abort(ClientErrorKind::kCancelled,
            std::string(name) + " threw; the answer from " + describe_host(url) + " was abandoned");
    }
    return !aborted;
  }

  Worker& worker;
  ClientRequest request;
  const bool streaming;                  // `stream` is set, `done` is not
  HttpClient::Callback done;             // buffered: runs once with the whole answer
  std::optional<StreamHandlers> stream;  // streaming: pieces as they arrive, then on_done
  std::shared_ptr<ExchangeCall> call;    // the caller's handle, detached on finishing
  Clock::time_point started;
  Url url;
  std::string pool_key;  // "https://host:port"
  std::string head;      // request line and headers, ready to send
  ClientResponse response;
  std::unique_ptr<Connection> connection;

  // The request's timeouts with the client's defaults filled in.
  std::chrono::milliseconds connect_timeout;
  std::chrono::milliseconds total_timeout;
  std::optional<std::chrono::milliseconds> first_byte_timeout;
  std::optional<std::chrono::milliseconds> between_bytes_timeout;
  // What the watchdog enforces; an unset deadline does not apply now.
  Clock::time_point total_deadline;
  std::optional<Clock::time_point> connect_deadline;     // while connecting
  std::optional<Clock::time_point> first_byte_deadline;  // from the request written
  std::optional<Clock::time_point> last_byte_at;         // the latest read of the answer

  asio::steady_timer watchdog;
  Clock::time_point watchdog_expiry = Clock::time_point::max();  // of the armed wait
  std::uint64_t watchdog_generation = 0;

  asio::steady_timer resolve_wake;  // cancelled when the resolver answers or on abort
  bool resolved = false;
  ErrorCode resolve_error;
  tcp::resolver::results_type resolve_results;

  std::optional<ClientErrorKind> aborted;  // kTimeout or kCancelled
  std::string abort_message;
  bool finished = false;
  bool registered = false;  // `node` is in worker.in_flight
  std::list<Exchange*>::iterator node;
};

void ExchangeCall::cancel() {
  std::lock_guard lock(mutex_);
  if (io_ == nullptr) return;
  // Inline when called on the worker (from a stream handler), so no further piece is
  // delivered; posted otherwise.
  asio::dispatch(*io_, [exchange = exchange_] {
    if (auto target = exchange.lock()) {
      target->abort(ClientErrorKind::kCancelled, "cancelled by the caller");
    }
  });
}

// Beast's HTTP/1.1 response grammar writing straight into the exchange. A buffered answer
// keeps at most `max_body` bytes of the body: past that the parser stops with body_limit and
// marks the answer truncated. A streamed answer hands over its head and each body piece as
// the parser meets them, and stops when a handler cancels.
class ResponseParser final : public bhttp::basic_parser<false> {
 public:
  ResponseParser(Exchange& exchange, std::size_t max_body, std::size_t max_header,
                 bool head_request)
      : exchange_(exchange), max_body_(max_body) {
    header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_header, UINT32_MAX)));
    body_limit(boost::none);  // enforced by take_body, which keeps the first bytes
    skip(head_request);
  }

  bool truncated() const { return truncated_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int status, beast::string_view, int, beast::error_code&) override {
    exchange_.response.status = status;
  }
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    exchange_.response.headers.add(std::string_view(name.data(), name.size()),
                                   std::string_view(value.data(), value.size()));
  }
  void on_header_impl(beast::error_code& error) override {
    if (exchange_.streaming && !is_interim(exchange_.response.status) &&
        !exchange_.deliver_head()) {
      error = asio::error::operation_aborted;
    }
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length && !exchange_.streaming) {
      exchange_.response.body.reserve(
          static_cast<std::size_t>(std::min<std::uint64_t>(*length, max_body_)));
    }
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code& error) override {
    return take_body(body, error);
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code& error) override {
    return take_body(body, error);
  }
  void on_finish_impl(beast::error_code&) override {}

  std::size_t take_body(beast::string_view piece, beast::error_code& error) {
    if (exchange_.streaming) {
      if (!exchange_.deliver_body(std::string_view(piece.data(), piece.size()))) {
        error = asio::error::operation_aborted;
      }
      return piece.size();
    }
    std::string& body = exchange_.response.body;
    std::size_t room = max_body_ - body.size();
    if (piece.size() <= room) {
      body.append(piece.data(), piece.size());
      return piece.size();
    }
    body.append(piece.data(), room);
    truncated_ = true;
    error = bhttp::error::body_limit;
    return piece.size();
  }

  Exchange& exchange_;
  std::size_t max_body_;
  bool truncated_ = false;
};

// The request line and headers. Errors name the header at fault.
core::Result<std::string> build_head(const ClientRequest& request, const Url& url,
                                     const ClientOptions& options) {
  if (request.method == Method::kOther) {
    return core::Error::invalid("Method::kOther cannot be sent; name a standard method", "method");
  }
  std::string head;
  std::size_t header_bytes = 0;
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    auto entry = request.headers.entry(i);
    header_bytes += entry.name.size() + entry.value.size() + 4;
  }
  head.reserve(96 + url.target.size() + url.host.size() + header_bytes + options.user_agent.size());
  head.append(method_name(request.method));
  head.push_back(' ');
  head.append(url.target);
  head.append(" HTTP/1.1\r\nHost: ");
  bool bracketed = url.host.find(':') != std::string::npos;
  if (bracketed) head.push_back('[');
  head.append(url.host);
  if (bracketed) head.push_back(']');
  if (url.port != (url.tls ? 443 : 80)) {
    head.push_back(':');
    head.append(std::to_string(url.port));
  }
  head.append("\r\n");

  bool has_user_agent = false;
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    auto [name, value] = request.headers.entry(i);
    if (iequals(name, "Host") || iequals(name, "Content-Length") ||
        iequals(name, "Transfer-Encoding") || iequals(name, "Connection")) {
      continue;
    }
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      return core::Error::invalid("the header name \"" + std::string(name) + "\" is not a token",
                                  "headers");
    }
    if (!is_valid_header_value(value)) {
      return core::Error::invalid(
          "the value of header " + std::string(name) + " contains control characters", "headers");
    }
    has_user_agent = has_user_agent || iequals(name, "User-Agent");
    head.append(name);
    head.append(": ");
    head.append(value);
    head.append("\r\n");
  }
  if (!has_user_agent && !options.user_agent.empty() && is_valid_header_value(options.user_agent)) {
    head.append("User-Agent: ");
    head.append(options.user_agent);
    head.append("\r\n");
  }
  bool body_expected = request.method == Method::kPost || request.method == Method::kPut ||
                       request.method == Method::kPatch;
  if (body_expected || !request.body.empty()) {
    head.append("Content-Length: ");
    head.append(std::to_string(request.body.size()));
    head.append("\r\n");
  }
  if (options.max_idle_per_host == 0) head.append("Connection: close\r\n");
  head.append("\r\n");
  return head;
}

}  // namespace

std::string_view client_error_kind_name(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::kNone:
      return "none";
    case ClientErrorKind::kBadUrl:
      return "bad-url";
    case ClientErrorKind::kBadRequest:
      return "bad-request";
    case ClientErrorKind::kBlockedAddress:
      return "blocked-address";
    case ClientErrorKind::kResolve:
      return "resolve";
    case ClientErrorKind::kConnect:
      return "connect";
    case ClientErrorKind::kTls:
      return "tls";
    case ClientErrorKind::kTimeout:
      return "timeout";
    case ClientErrorKind::kProtocol:
      return "protocol";
    case ClientErrorKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

core::Result<Url> parse_url(std::string_view text) {
  auto bad = [](std::string message) { return core::Error::invalid(std::move(message), "url"); };
  std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return bad("the URL must start with http:// or https://");
  }
  std::string_view scheme = text.substr(0, scheme_end);
  Url url;
  if (iequals(scheme, "https")) {
    url.tls = true;
  } else if (!iequals(scheme, "http")) {
    std::string shown(scheme.substr(0, 16));
    for (char& c : shown) c = lower_ascii(c);
    if (scheme.size() > 16) shown += "...";
    return bad("the URL's scheme must be http or https, not \"" + shown + "\"");
  }

  std::string_view rest = text.substr(scheme_end + 3);
  // (find_first_of would search the three delimiters once per character.)
  std::size_t authority_end = std::string_view::npos;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '/' || rest[i] == '?' || rest[i] == '#') {
      authority_end = i;
      break;
    }
  }
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view remainder =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad("the URL may not contain user info (user@host)");
  }
  if (authority.empty()) return bad("the URL has no host");

  std::string_view port_text;
  bool has_port = false;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("the URL's IPv6 host has no closing ']'");
    url.host.assign(authority.substr(1, close - 1));
    for (char& c : url.host) c = lower_ascii(c);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("the URL has characters after its IPv6 host");
      port_text = after.substr(1);
      has_port = true;
    }
    if (!is_ipv6_literal(url.host)) {
      return bad("the URL's host [" + url.host.substr(0, 64) + "] is not an IPv6 address");
    }
    url.host_is_ip = true;
  } else {
    std::size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return bad("the URL has no host");
    if (host.size() > 253 || host.front() == '.' ||
        !std::all_of(host.begin(), host.end(), is_host_char)) {
      return bad("the URL's host \"" + std::string(host.substr(0, 64)) +
                 "\" is not a host name or IP address");
    }
    url.host.assign(host);
    for (char& c : url.host) c = lower_ascii(c);
    url.host_is_ip = is_ipv4_literal(url.host);
  }

  url.port = url.tls ? 443 : 80;
  if (has_port) {
    unsigned value = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || port_text.size() > 5 || error != std::errc() ||
        end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return bad("the URL's port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  std::string_view target = remainder.substr(0, remainder.find('#'));
  bool printable = std::all_of(target.begin(), target.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f;
  });
  if (!printable) {
    return bad(
        "the URL's path and query may not contain spaces, control or non-ASCII "
        "characters (percent-encode them)");
  }
  if (target.empty() || target.front() == '?') url.target = "/";
  url.target.append(target);
  return url;
}

HttpClient::Impl::Impl(ClientOptions client_options) : options(std::move(client_options)) {
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  // Idle pooled connections give their read and write buffers back.
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  tls.set_verify_mode(asio::ssl::verify_peer);
  ErrorCode error;
  if (options.ca_file.empty()) {
    tls.set_default_verify_paths(error);
    if (error) {
      throw std::runtime_error("the system's CA certificates could not be loaded: " +
                               error.message());
    }
  } else {
    tls.load_verify_file(options.ca_file, error);
    if (error) {
      throw std::runtime_error("ca_file " + options.ca_file +
                               " could not be loaded: " + error.message());
    }
  }
  if (options.io_threads < 1) options.io_threads = 1;
  for (int i = 0; i < options.io_threads; ++i) workers.push_back(std::make_unique<Worker>());
  for (std::size_t i = 0; i < workers.size(); ++i) {
    Worker& worker = *workers[i];
    asio::co_spawn(worker.io, sweep_idle(worker), asio::detached);
    worker.thread = std::thread([&io = worker.io, i] {
      core::name_this_thread("aic-client-" + std::to_string(i));
      io.run();
    });
  }
}

Worker* HttpClient::Impl::attached_worker(IoThread& here) {
  std::lock_guard lock(attached_mutex);
  for (auto& worker : attached) {
    if (worker->server_thread == &here) return worker->detached ? nullptr : worker.get();
  }
  auto worker = std::make_unique<Worker>(here);
  Worker* raw = worker.get();
  raw->stop_hook = here.add_stop_hook([this, raw] { detach(*raw); });
  if (raw->stop_hook == 0) return nullptr;  // the thread is stopping already
  raw->sweeping = true;                     // from now: the coroutine may run any time
  asio::co_spawn(raw->io, sweep_idle(*raw), asio::detached);
  attached.push_back(std::move(worker));
  return raw;
}

void HttpClient::Impl::detach(Worker& worker) {
  {
    std::lock_guard lock(attached_mutex);
    if (worker.detached) return;
    worker.detached = true;
  }
  cancel_all(worker);
  // The thread's io_context may stop before these exchanges run again; their handles must
  // not post to it afterwards.
  for (Exchange* exchange : worker.in_flight) exchange->call->detach();
  worker.sweep_timer.reset();
}

std::unique_ptr<Connection> HttpClient::Impl::take_idle(Worker& worker, const std::string& key) {
  auto found = worker.idle.find(key);
  if (found == worker.idle.end()) return nullptr;
  auto& connections = found->second;
  auto now = Clock::now();
  std::unique_ptr<Connection> usable;
  // The newest first: the one least likely to have been timed out by the server.
  while (!connections.empty() && !usable) {
    std::unique_ptr<Connection> candidate = std::move(connections.back());
    connections.pop_back();
    const Clock::duration idle_for = now - candidate->idle_since;
    // A connection back in the pool moments ago is taken without looking: a server closes
    // kept-alive connections after seconds of quiet, not within one, and the rare close that
    // races a reuse is retried on a new connection (is_closed_by_peer). This saves a
    // system call per request under load.
    if (idle_for < options.idle_timeout &&
        (idle_for < kReuseUnseenWithin || idle_socket_is_quiet(candidate->lowest_layer()))) {
      usable = std::move(candidate);
    } else {
      candidate->close();
    }
  }
  // An emptied entry stays for the connection about to come back; the sweep removes it if
  // none does.
  return usable;
}

void HttpClient::Impl::keep_idle(Worker& worker, const std::string& key,
                                 std::unique_ptr<Connection> connection) {
  if (worker.stopping || options.max_idle_per_host == 0) {
    connection->close();
    return;
  }
  auto& connections = worker.idle[key];
  if (connections.size() >= options.max_idle_per_host) {
    connection->close();
    return;
  }
  connection->idle_since = Clock::now();
  connections.push_back(std::move(connection));
}

asio::awaitable<void> HttpClient::Impl::sweep_idle(Worker& worker) {
  Clock::duration period = std::clamp<Clock::duration>(
      std::chrono::duration_cast<Clock::duration>(options.idle_timeout) / 4,
      std::chrono::milliseconds(250), std::chrono::seconds(5));
  core::ThreadCacheRelease cache;  // on a server thread the server does this
  while (!worker.stopping) {
    worker.sweep_timer->expires_after(period);
    co_await worker.sweep_timer->async_wait(kUseTuple);
    if (worker.stopping) break;
    if (worker.owned_io) cache.tick();
    auto now = Clock::now();
    // Old connections go, and so do those the server closed meanwhile, which would
    // otherwise hold a descriptor until they are next taken.
    for (auto entry = worker.idle.begin(); entry != worker.idle.end();) {
      auto& connections = entry->second;
      std::erase_if(connections, [&](const std::unique_ptr<Connection>& connection) {
        bool drop = now - connection->idle_since >= options.idle_timeout ||
                    !idle_socket_is_quiet(connection->lowest_layer());
        if (drop) connection->close();
        return drop;
      });
      entry = connections.empty() ? worker.idle.erase(entry) : std::next(entry);
    }
  }
  worker.sweeping = false;
}

void HttpClient::Impl::cancel_all(Worker& worker) {
  worker.stopping = true;
  if (worker.sweep_timer) worker.sweep_timer->cancel();
  for (auto& [key, connections] : worker.idle) {
    for (auto& connection : connections) connection->close();
  }
  worker.idle.clear();
  for (Exchange* exchange : worker.in_flight) {
    exchange->abort(ClientErrorKind::kCancelled,
                    "the HTTP client was shut down before the request to " +
                        describe_host(exchange->url) + " completed");
  }
}

void HttpClient::Impl::finish(Exchange& exchange) {
  if (exchange.finished) return;
  exchange.finished = true;
  exchange.watchdog.cancel();
  if (exchange.registered) exchange.worker.in_flight.erase(exchange.node);
  if (exchange.connection) {
    exchange.connection->close();
    exchange.connection.reset();
  }
  exchange.call->detach();
  exchange.response.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - exchange.started);
  // Moved out so that what the handlers hold is released once they are done.
  HttpClient::Callback done = std::move(exchange.done);
  std::optional<StreamHandlers> stream = std::move(exchange.stream);
  exchange.stream.reset();
  try {
    if (stream) {
      if (stream->on_done) stream->on_done(std::move(exchange.response));
    } else if (done) {
      done(std::move(exchange.response));
    }
  } catch (const std::exception& error) {
    core::log_error(std::string("an HTTP client callback threw: ") + error.what());
  } catch (...) {
    core::log_error("an HTTP client callback threw");
  }
}

asio::awaitable<bool> HttpClient::Impl::connect_tcp(Exchange& exchange,
                                                    std::vector<tcp::endpoint> endpoints) {
  std::string failures;
  for (const tcp::endpoint& endpoint : endpoints) {
    exchange.connection = std::make_unique<Connection>(exchange.worker.io);
    Connection& connection = *exchange.connection;
    connection.remote_address = endpoint.address().to_string();
    ErrorCode error;
    connection.socket.open(endpoint.protocol(), error);
    if (!error) connection.socket.set_option(tcp::no_delay(true), error);
    if (!error) std::tie(error) = co_await connection.socket.async_connect(endpoint, kUseTuple);
    if (exchange.aborted) co_return false;
    if (!error) {
      exchange.response.remote_address = connection.remote_address;
      co_return true;
    }
    if (!failures.empty()) failures.append("; ");
    failures.append(connection.remote_address + " port " + std::to_string(endpoint.port()) + ": " +
                    error.message());
    exchange.connection.reset();
  }
  exchange.fail(ClientErrorKind::kConnect,
                "could not connect to " + describe_host(exchange.url) + " (" + failures + ")");
  co_return false;
}

asio::awaitable<bool> HttpClient::Impl::handshake(Exchange& exchange) {
  Connection& connection = *exchange.connection;
  connection.tls.emplace(std::move(connection.socket), tls);
  SSL* ssl = connection.tls->native_handle();
  std::string host(without_trailing_dot(exchange.url.host));
  // SNI carries host names only (RFC 6066); an IP literal is verified against the
  // certificate's IP address entries instead of its DNS names.
  X509_VERIFY_PARAM* verify = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  bool configured = exchange.url.host_is_ip
                        ? X509_VERIFY_PARAM_set1_ip_asc(verify, host.c_str()) == 1
                        : SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
                              X509_VERIFY_PARAM_set1_host(verify, host.c_str(), 0) == 1;
  if (!configured) {
    exchange.fail(ClientErrorKind::kTls, "could not set up TLS for " + describe_host(exchange.url));
    co_return false;
  }
  auto [error] =
      co_await connection.tls->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (exchange.aborted) co_return false;
  if (!error) co_return true;
  long verify_result = SSL_get_verify_result(ssl);
  std::string reason = verify_result != X509_V_OK
                           ? std::string("certificate verification failed: ") +
                                 X509_verify_cert_error_string(verify_result)
                           : error.message();
  exchange.fail(ClientErrorKind::kTls, "TLS handshake with " + describe_host(exchange.url) + " (" +
                                           connection.remote_address + ") failed: " + reason);
  co_return false;
}

// Resolves the host, keeps the addresses the policy permits and connects to the first that
// answers, with TLS for https. On failure the exchange's response says why.
asio::awaitable<bool> HttpClient::Impl::open_connection(Exchange& exchange) {
  const Url& url = exchange.url;
  exchange.connect_deadline = Clock::now() + exchange.connect_timeout;
  exchange.watch();

  std::vector<tcp::endpoint> candidates;
  if (url.host_is_ip) {
    ErrorCode error;
    asio::ip::address address = asio::ip::make_address(url.host, error);
    if (error) {
      exchange.fail(ClientErrorKind::kBadUrl, "the URL's host is not an IP address");
      co_return false;
    }
    candidates.emplace_back(address, url.port);
  } else {
    // The resolver cannot interrupt getaddrinfo, so the coroutine waits on a timer that the
    // resolver's answer, the watchdog or shutdown cancels, whichever comes first.
    tcp::resolver resolver(exchange.worker.io);
    exchange.resolved = false;
    exchange.resolve_wake.expires_at(Clock::time_point::max());
    resolver.async_resolve(std::string(without_trailing_dot(url.host)), std::to_string(url.port),
                           tcp::resolver::numeric_service,
                           [self = exchange.shared_from_this()](
                               const ErrorCode& error, tcp::resolver::results_type results) {
                             if (self->resolved || self->aborted) return;
                             self->resolved = true;
                             self->resolve_error = error;
                             self->resolve_results = std::move(results);
                             self->resolve_wake.cancel();
                           });
    co_await exchange.resolve_wake.async_wait(kUseTuple);
    if (exchange.aborted) co_return false;
    if (exchange.resolve_error || exchange.resolve_results.empty()) {
      exchange.fail(ClientErrorKind::kResolve,
                    "could not resolve " + url.host + ": " +
                        (exchange.resolve_error ? exchange.resolve_error.message()
                                                : std::string("no addresses")));
      co_return false;
    }
    for (const auto& entry : exchange.resolve_results) {
      tcp::endpoint endpoint = entry.endpoint();
      if (std::find(candidates.begin(), candidates.end(), endpoint) == candidates.end()) {
        candidates.push_back(endpoint);
      }
    }
    exchange.resolve_results = {};
  }

  std::vector<tcp::endpoint> permitted;
  std::string refusals;
  for (const tcp::endpoint& endpoint : candidates) {
    if (auto refusal = options.address_policy.refusal(endpoint.address().to_string())) {
      if (!refusals.empty()) refusals.append("; ");
      refusals.append(*refusal);
    } else {
      permitted.push_back(endpoint);
    }
  }
  if (permitted.empty()) {
    exchange.fail(ClientErrorKind::kBlockedAddress,
                  "refused to connect to " + describe_host(url) + ": " + refusals);
    co_return false;
  }

  if (!co_await connect_tcp(exchange, std::move(permitted))) co_return false;
  if (url.tls && !co_await handshake(exchange)) co_return false;
  exchange.connect_deadline.reset();  // connected
  co_return true;
}

// Writes the request and reads the answer: into exchange.response, or for a stream through
// its handlers. `stale` is set when a reused connection turned out closed before any byte of
// an answer (so nothing was delivered). Returns whether the connection may be reused.
template <typename Stream>
asio::awaitable<bool> HttpClient::Impl::exchange_on(Exchange& exchange, Stream& stream, bool reused,
                                                    bool& stale) {
  Connection& connection = *exchange.connection;
  auto where = [&] { return describe_host(exchange.url) + " (" + connection.remote_address + ")"; };
  exchange.first_byte_deadline.reset();
  exchange.last_byte_at.reset();
  std::array<asio::const_buffer, 2> pieces{asio::buffer(exchange.head),
                                           asio::buffer(exchange.request.body)};
  auto [write_error, written] = co_await asio::async_write(stream, pieces, kUseTuple);
  if (exchange.aborted) co_return false;
  if (write_error) {
    stale = reused && is_closed_by_peer(write_error);
    exchange.fail(ClientErrorKind::kProtocol,
                  "sending the request to " + where() + " failed: " + write_error.message());
    co_return false;
  }
  if (exchange.first_byte_timeout) {
    exchange.first_byte_deadline = Clock::now() + *exchange.first_byte_timeout;
    exchange.watch();
  }

  bool head_request = exchange.request.method == Method::kHead;
  bool got_bytes = false;
  for (int interim = 0;; ++interim) {
    ResponseParser parser(exchange, options.max_response_bytes, options.max_response_header_bytes,
                          head_request);
    ErrorCode read_error = co_await read_answer(exchange, stream, parser, got_bytes);
    if (exchange.aborted) co_return false;
    if (read_error == bhttp::error::body_limit && parser.truncated()) {
      exchange.response.body_truncated = true;
      co_return false;  // answered, but the rest of the body is still on the connection
    }
    if (read_error) {
      stale = reused && !got_bytes && is_closed_by_peer(read_error);
      std::string detail = read_error != bhttp::error::header_limit ? read_error.message()
                           : parser.is_header_done()
                               ? "a chunk header or trailer exceeds " +
                                     std::to_string(options.max_response_header_bytes) + " bytes"
                               : "its status line and headers exceed " +
                                     std::to_string(options.max_response_header_bytes) + " bytes";
      exchange.response.headers.clear();
      exchange.response.body.clear();
      exchange.fail(ClientErrorKind::kProtocol,
                    "reading the answer from " + where() + " failed: " + detail);
      co_return false;
    }
    int status = exchange.response.status;
    if (is_interim(status)) {
      if (interim + 1 >= kMaxInterimResponses) {
        exchange.fail(ClientErrorKind::kProtocol, where() + " sent too many interim (1xx) answers");
        co_return false;
      }
      exchange.response.headers.clear();
      continue;
    }
    // Reusable only if the server keeps it open and sent nothing beyond the answer.
    co_return parser.keep_alive() && connection.buffer.size() == 0 && status != 101;
  }
}

// Reads until `parser` holds a complete answer, parsing whatever arrived before reading on, so
// a streamed piece reaches its handler as soon as it is read rather than when its chunk or
// the body is complete. Each read moves the first-byte and between-bytes deadlines. Returns
// the read or parse error, if any.
template <typename Stream>
asio::awaitable<ErrorCode> HttpClient::Impl::read_answer(Exchange& exchange, Stream& stream,
                                                         ResponseParser& parser, bool& got_bytes) {
  beast::flat_buffer& buffer = exchange.connection->buffer;
  for (;;) {
    if (buffer.size() > 0) {
      ErrorCode error;
      buffer.consume(parser.put(buffer.data(), error));
      if (parser.is_done() || (error && error != bhttp::error::need_more)) co_return error;
      if (!error) continue;  // one part of the answer parsed; the next may be buffered too
      // Beast limits the head itself but not a chunk header or the trailers, which would
      // otherwise grow the buffer without bound.
      if (parser.is_header_done() && buffer.size() >= options.max_response_header_bytes) {
        co_return bhttp::error::header_limit;
      }
    }
    auto [error, read] = co_await stream.async_read_some(
        buffer.prepare(beast::read_size(buffer, kReadBytes)), kUseTuple);
    buffer.commit(read);
    if (exchange.aborted) co_return asio::error::operation_aborted;
    if (read > 0) {
      got_bytes = true;
      exchange.note_answer_bytes();
    }
    if (error == asio::error::eof) {
      if (!parser.got_some()) co_return bhttp::error::end_of_stream;
      ErrorCode end;
      parser.put_eof(end);  // completes a body that the end of the connection delimits
      co_return end;
    }
    if (error) co_return error;
  }
}

asio::awaitable<void> HttpClient::Impl::run(std::shared_ptr<Exchange> exchange_owner) {
  Exchange& exchange = *exchange_owner;
  Worker& worker = exchange.worker;
  worker.in_flight.push_front(&exchange);
  exchange.node = worker.in_flight.begin();
  exchange.registered = true;
  if (worker.stopping) {
    exchange.fail(ClientErrorKind::kCancelled, "the HTTP client was shut down");
    finish(exchange);
    co_return;
  }

  auto url = parse_url(exchange.request.url);
  if (!url) {
    exchange.fail(ClientErrorKind::kBadUrl, url.error().message);
    finish(exchange);
    co_return;
  }
  exchange.url = std::move(url).value();
  auto head = build_head(exchange.request, exchange.url, options);
  if (!head) {
    exchange.fail(ClientErrorKind::kBadRequest, head.error().message);
    finish(exchange);
    co_return;
  }
  exchange.head = std::move(head).value();
  exchange.pool_key = (exchange.url.tls ? "https://" : "http://") + describe_host(exchange.url) +
                      ":" + std::to_string(exchange.url.port);

  bool retried = false;
  for (;;) {
    if (exchange.aborted) break;  // cancelled before it started
    bool reused = false;
    if (!retried) {
      exchange.connection = take_idle(worker, exchange.pool_key);
      reused = exchange.connection != nullptr;
    }
    if (reused) {
      exchange.watch();
      exchange.response.remote_address = exchange.connection->remote_address;
    } else if (!co_await open_connection(exchange)) {
      break;
    }
    exchange.response.reused_connection = reused;

    bool stale = false;
    bool reusable =
        exchange.connection->tls
            ? co_await exchange_on(exchange, *exchange.connection->tls, reused, stale)
            : co_await exchange_on(exchange, exchange.connection->socket, reused, stale);
    if (exchange.aborted) break;
    if (stale && !retried) {
      // The server closed the kept-alive connection as we reused it: once more, on a new one.
      // Nothing of an answer arrived, so a stream has delivered nothing yet either.
      retried = true;
      exchange.connection->close();
      exchange.connection.reset();
      exchange.response = ClientResponse{};
      continue;
    }
    if (reusable && exchange.response.error_kind == ClientErrorKind::kNone) {
      keep_idle(worker, exchange.pool_key, std::move(exchange.connection));
    }
    break;
  }
  if (exchange.aborted) {
    exchange.response.headers.clear();
    exchange.response.body.clear();
    exchange.response.body_truncated = false;
    exchange.fail(*exchange.aborted, exchange.abort_message);
  }
  finish(exchange);
}

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() {
  Impl& impl = *impl_;
  for (auto& worker : impl.workers) {
    Worker& target = *worker;
    asio::post(target.io, [&impl, &target] { impl.cancel_all(target); });
    target.work.reset();
  }
  // Server threads this client ran on that still run: their hooks go, their requests are
  // aborted on them, and the client waits until none is left, because each request's
  // coroutine uses the client until it ends. (Threads already stopped detached their
  // workers in their stop hooks, and none of those coroutines runs again.)
  std::vector<Worker*> live;
  {
    std::lock_guard lock(impl.attached_mutex);
    for (auto& worker : impl.attached) {
      if (!worker->detached) live.push_back(worker.get());
    }
  }
  bool stuck = false;
  for (Worker* worker : live) {
    worker->server_thread->remove_stop_hook(worker->stop_hook);
    bool ended = false;
    for (int round = 0; round < 5000 && !ended; ++round) {  // 5 s at most
      // Shared: a check that comes after this wait gave up must not touch a gone promise.
      auto settled = std::make_shared<std::promise<bool>>();
      asio::post(worker->io, [&impl, worker, settled] {
        impl.detach(*worker);
        settled->set_value(worker->in_flight.empty() && !worker->sweeping);
      });
      auto answer = settled->get_future();
      if (answer.wait_for(std::chrono::seconds(1)) != std::future_status::ready) break;
      ended = answer.get();
      if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // The thread did not run the check, or its requests did not end in time: what is queued
    // or running there still uses `impl`.
    if (!ended) stuck = true;
  }
  for (auto& worker : impl.workers) worker->thread.join();
  if (stuck) {
    // Better a leak at shutdown than freeing what a server thread will still touch.
    core::log_error(
        "the HTTP client was destroyed while a server thread it runs on was stuck; "
        "its state is left allocated");
    (void)impl_.release();
  }
}

std::shared_ptr<ClientCall> HttpClient::Impl::start(ClientRequest request,
                                                    HttpClient::Callback done,
                                                    std::optional<StreamHandlers> stream,
                                                    bool may_attach) {
  auto started = Clock::now();
  Worker* chosen = nullptr;
  if (may_attach && options.run_on_server_threads) {
    if (IoThread* here = IoThread::current()) chosen = attached_worker(*here);
  }
  if (chosen == nullptr) {
    std::size_t index = next_worker.fetch_add(1, std::memory_order_relaxed) % workers.size();
    chosen = workers[index].get();
  }
  Worker& worker = *chosen;
  auto exchange = std::make_shared<Exchange>(worker, std::move(request), std::move(done),
                                             std::move(stream), options, started);
  exchange->call = std::make_shared<ExchangeCall>(worker.io, exchange);
  std::shared_ptr<ClientCall> call = exchange->call;
  asio::co_spawn(worker.io, run(exchange), [this, exchange](std::exception_ptr error) {
    // Only allocation failures can get here; the callback still runs exactly once.
    if (error && !exchange->finished) {
      exchange->fail(ClientErrorKind::kProtocol, "the HTTP client failed internally");
      finish(*exchange);
    }
  });
  return call;
}

std::shared_ptr<ClientCall> HttpClient::send(ClientRequest request, Callback done) {
  return impl_->start(std::move(request), std::move(done), std::nullopt, true);
}

std::shared_ptr<ClientCall> HttpClient::send_streaming(ClientRequest request,
                                                       StreamHandlers handlers) {
  return impl_->start(std::move(request), nullptr, std::move(handlers), true);
}

ClientResponse HttpClient::send_and_wait(ClientRequest request) {
  for (const auto& worker : impl_->workers) {
    if (worker->thread.get_id() == std::this_thread::get_id()) {
      ClientResponse refused;
      refused.error_kind = ClientErrorKind::kBadRequest;
      refused.error = "send_and_wait was called on an HTTP client thread";
      return refused;
    }
  }
  std::promise<ClientResponse> answer;
  std::future<ClientResponse> result = answer.get_future();
  // Never on the caller's own server thread, which is about to block.
  impl_->start(
      std::move(request),
      [&answer](ClientResponse response) { answer.set_value(std::move(response)); }, std::nullopt,
      false);
  return result.get();
}

}  // namespace aic::http
