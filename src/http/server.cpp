#include "http/server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <ctime>
#include <list>
#include <mutex>
#include <thread>

#include "core/logging.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

namespace aic::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// One I/O thread with its own io_context. Sessions on it are only touched by that thread.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on the session's thread when the server starts draining.
  virtual void on_drain() = 0;
};

struct IoWorker {
  // Declared before `io`: destroying the io_context destroys suspended session coroutines,
  // whose destructors unlink themselves from this list.
  std::list<SessionBase*> sessions;  // only accessed on this worker's thread
  asio::io_context io{1};
  std::thread thread;
};

// The Date header (RFC 9110 §6.6.1), formatted at most once per second per thread.
std::string_view http_date() {
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
bool has_complete_head(const beast::flat_buffer& buffer) {
  std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  return data.find("\r\n\r\n") != std::string_view::npos;
}

bool client_went_away(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::not_connected;
}

core::Error read_error(const beast::error_code& ec, bool timed_out, bool reading_body,
                       const core::ServerConfig& limits, std::size_t body_limit) {
  using core::ErrorCode;
  if (timed_out) {
    return core::Error::make(
        reading_body ? ErrorCode::kRequestTimeout : ErrorCode::kRequestTimeout,
        reading_body ? "the request body did not arrive before the request deadline"
                     : "the request head did not arrive within server.header_timeout");
  }
  if (ec == bhttp::error::header_limit) {
    return core::Error::make(ErrorCode::kHeadersTooLarge,
                             "the request line and headers exceed " +
                                 std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {
    return core::Error::make(ErrorCode::kPayloadTooLarge,
                             "the request body exceeds " + std::to_string(body_limit) +
                                 " bytes allowed on this route");
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

}  // namespace

struct Server::Impl {
  Impl(const core::Config& server_config, const Pipeline& server_pipeline,
       HttpMetrics& server_metrics)
      : config(server_config),
        limits(server_config.server),
        pipeline(server_pipeline),
        metrics(server_metrics) {}

  const core::Config& config;
  const core::ServerConfig& limits;
  const Pipeline& pipeline;
  HttpMetrics& metrics;

  // Member order matters for destruction: TLS streams inside session coroutines (owned by
  // the workers' io_contexts) use `tls`, and the acceptor runs on workers[0].
  std::unique_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<IoWorker>> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::size_t next_worker = 0;
  std::uint16_t bound_port = 0;

  std::atomic<std::size_t> open{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};

  std::mutex shutdown_mutex;
  std::condition_variable shutdown_changed;
  std::optional<Clock::time_point> drain_started;  // GUARDED_BY(shutdown_mutex)

  core::Status start();
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> refuse(tcp::socket socket);
  template <typename Stream>
  asio::awaitable<void> serve(Stream stream, IoWorker& worker, std::string remote);
  void drain_now();
  void connection_closed();
};

namespace {

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
    if (idle_) beast::get_lowest_layer(stream_).socket().cancel();
  }

  bool idle_ = true;

 private:
  Stream& stream_;
  IoWorker& worker_;
  std::list<SessionBase*>::iterator node_;
};

bhttp::response<bhttp::string_body> to_beast(Response&& response, unsigned version,
                                             bool keep_alive, bool head_request) {
  bhttp::response<bhttp::string_body> out;
  out.result(static_cast<unsigned>(response.status));
  out.version(version == 10 ? 10 : 11);
  for (auto& [name, value] : response.headers.entries()) out.insert(name, value);
  out.set(bhttp::field::server, "aic");
  out.set(bhttp::field::date, http_date());
  out.keep_alive(keep_alive);
  bool no_body_status = response.status == 204 || response.status == 304 ||
                        (response.status >= 100 && response.status < 200);
  if (head_request) {
    // HEAD: the headers a GET would send, including its Content-Length, but no body.
    if (!no_body_status) out.content_length(response.body.size());
  } else if (!no_body_status) {
    out.body() = std::move(response.body);
    out.prepare_payload();
  }
  return out;
}

}  // namespace

template <typename Stream>
asio::awaitable<void> Server::Impl::serve(Stream stream, IoWorker& worker, std::string remote) {
  Session<Stream> session(stream, worker);
  auto& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  asio::steady_timer guard(worker.io);  // header/body timeouts that still allow an answer
  std::uint64_t guard_epoch = 0;

  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    lowest.expires_after(limits.header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (ec) co_return;
  }

  for (;;) {
    session.idle_ = true;
    if (draining) break;
    if (buffer.size() == 0) {
      lowest.expires_after(limits.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kUseTuple);
      if (ec) break;  // idle timeout, drain or the client closed: nothing to answer
      buffer.commit(n);
    }
    session.idle_ = false;
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
      guard.async_wait([&timed_out, &lowest, &guard_epoch, epoch = ++guard_epoch](
                           beast::error_code ec) {
        if (ec || epoch != guard_epoch) return;
        timed_out = true;
        lowest.socket().cancel();
      });
    };
    auto disarm_guard = [&] {
      ++guard_epoch;
      guard.cancel();
    };

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(boost::none);  // the route's limit is applied once it is known
    std::size_t body_limit = limits.max_body_bytes;

    bool guarded = !has_complete_head(buffer);
    if (guarded) arm_guard(Clock::now() + limits.header_timeout);
    auto [head_ec, head_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
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
      request.method_text = std::string(message.method_string());
      request.method = parse_method(request.method_text);
      request.target = std::string(message.target());
      request.version = message.version();
      for (const auto& field : message) request.headers.add(field.name_string(), field.value());

      Router::Match match = pipeline.router().match(request.method, request.path());
      context.route = match.route;
      context.path_params = std::move(match.params);
      context.allow = std::move(match.allow);
      context.bad_path_encoding = match.bad_encoding;
      if (match.route != nullptr && match.route->options.max_body_bytes) {
        body_limit = *match.route->options.max_body_bytes;
      }
      parser.body_limit(body_limit);

      if (!parser.is_done()) {
        auto length = parser.content_length();
        bool too_large = length && *length > body_limit;
        if (!too_large && bhttp::token_list(message[bhttp::field::expect]).exists("100-continue")) {
          bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, message.version()};
          lowest.expires_after(limits.header_timeout);
          auto [write_ec, written] = co_await bhttp::async_write(stream, proceed, kUseTuple);
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

    Response response = co_await pipeline.handle(context);
    bool keep_alive = !close_after && !draining && parser.keep_alive();
    auto out = to_beast(std::move(response), context.request.version, keep_alive,
                        context.request.method == Method::kHead);
    lowest.expires_after(limits.request_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, out, kUseTuple);
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

void Server::Impl::connection_closed() {
  open.fetch_sub(1);
  metrics.open_connections.add(-1);
  if (draining) shutdown_changed.notify_all();
}

asio::awaitable<void> Server::Impl::refuse(tcp::socket socket) {
  // Over max_connections: say why in one response, then close.
  beast::tcp_stream stream(std::move(socket));
  Response problem = problem_response(
      core::Error::make(core::ErrorCode::kOverloaded,
                        "the server has reached server.max_connections; retry shortly"),
      "");
  auto out = to_beast(std::move(problem), 11, false, false);
  stream.expires_after(std::chrono::seconds(1));
  co_await bhttp::async_write(stream, out, kUseTuple);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

asio::awaitable<void> Server::Impl::accept_loop() {
  asio::steady_timer backoff(workers[0]->io);
  for (;;) {
    IoWorker& target = *workers[next_worker];
    next_worker = (next_worker + 1) % workers.size();
    auto [ec, socket] = co_await acceptor->async_accept(target.io, kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) break;
      // Out of file descriptors (or similar): back off instead of spinning.
      core::log_warn("accept failed: " + ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (open.load() >= limits.max_connections) {
      metrics.refused_connections.increment();
      asio::co_spawn(target.io, refuse(std::move(socket)), asio::detached);
      continue;
    }
    auto endpoint = socket.remote_endpoint(ignored);
    std::string remote = ignored ? std::string() : endpoint.address().to_string();
    open.fetch_add(1);
    metrics.open_connections.add(1);
    auto done = [this](const std::exception_ptr& error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          core::log_error(std::string("connection ended by exception: ") + e.what());
        } catch (...) {
          core::log_error("connection ended by unknown exception");
        }
      }
      connection_closed();
    };
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
      asio::co_spawn(target.io, serve(std::move(stream), target, std::move(remote)), done);
    } else {
      asio::co_spawn(target.io, serve(beast::tcp_stream(std::move(socket)), target,
                                      std::move(remote)),
                     done);
    }
  }
}

core::Status Server::Impl::start() {
  auto host_port = core::parse_host_port(limits.listen);
  if (!host_port) return core::Error::invalid("bad listen address", "server.listen");

  if (config.tls.enabled()) {
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code ec;
    tls->use_certificate_chain_file(config.tls.cert_file, ec);
    if (ec) return core::Error::invalid("cannot load certificate: " + ec.message(), "tls.cert_file");
    tls->use_private_key_file(config.tls.key_file, asio::ssl::context::pem, ec);
    if (ec) return core::Error::invalid("cannot load private key: " + ec.message(), "tls.key_file");
  }

  unsigned threads = core::effective_io_threads(limits);
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<IoWorker>());

  beast::error_code ec;
  auto address = asio::ip::make_address(host_port->host, ec);
  tcp::endpoint endpoint;
  if (ec) {
    tcp::resolver resolver(workers[0]->io);
    auto results = resolver.resolve(host_port->host, std::to_string(host_port->port), ec);
    if (ec || results.empty()) {
      return core::Error::invalid("cannot resolve " + host_port->host, "server.listen");
    }
    endpoint = *results.begin();
  } else {
    endpoint = tcp::endpoint(address, host_port->port);
  }
  acceptor = std::make_unique<tcp::acceptor>(workers[0]->io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Error::make(core::ErrorCode::kUnavailable,
                             "cannot listen on " + limits.listen + ": " + ec.message());
  }
  bound_port = acceptor->local_endpoint().port();

  asio::co_spawn(workers[0]->io, accept_loop(), asio::detached);
  for (auto& worker : workers) {
    IoWorker* raw = worker.get();
    raw->thread = std::thread([raw] {
      auto guard = asio::make_work_guard(raw->io);
      raw->io.run();
    });
  }
  return {};
}

void Server::Impl::drain_now() {
  asio::post(workers[0]->io, [this] {
    beast::error_code ignored;
    acceptor->close(ignored);
  });
  for (auto& worker : workers) {
    IoWorker* raw = worker.get();
    asio::post(raw->io, [raw] {
      // on_drain may end a session, which erases it from the list: iterate over a copy.
      std::vector<SessionBase*> sessions(raw->sessions.begin(), raw->sessions.end());
      for (auto* session : sessions) session->on_drain();
    });
  }
  {
    std::lock_guard lock(shutdown_mutex);
    drain_started = Clock::now();
  }
  shutdown_changed.notify_all();
}

Server::Server(const core::Config& config, const Pipeline& pipeline, HttpMetrics& metrics)
    : impl_(std::make_unique<Impl>(config, pipeline, metrics)) {}

Server::~Server() {
  if (!impl_->stopped) {
    begin_shutdown();
    wait();
  }
}

core::Status Server::start() { return impl_->start(); }

std::uint16_t Server::port() const { return impl_->bound_port; }

bool Server::draining() const { return impl_->draining; }

std::size_t Server::open_connections() const { return impl_->open.load(); }

void Server::begin_shutdown() {
  if (impl_->draining.exchange(true)) return;
  if (impl_->workers.empty()) return;
  auto delay = impl_->limits.shutdown_delay;
  if (delay.count() == 0) {
    impl_->drain_now();
    return;
  }
  // Keep accepting while /readyz reports 503, so a load balancer can notice first.
  auto timer = std::make_shared<asio::steady_timer>(impl_->workers[0]->io, delay);
  timer->async_wait([this, timer](beast::error_code) { impl_->drain_now(); });
}

bool Server::wait() {
  Impl& impl = *impl_;
  if (impl.stopped) return true;
  bool drained = true;
  if (!impl.workers.empty()) {
    std::unique_lock lock(impl.shutdown_mutex);
    impl.shutdown_changed.wait(lock, [&] { return impl.drain_started.has_value(); });
    auto deadline = *impl.drain_started + impl.limits.shutdown_grace;
    // Connections close on their own threads; poll the count as a fallback to notify().
    while (impl.open.load() > 0 && Clock::now() < deadline) {
      impl.shutdown_changed.wait_until(
          lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(20)));
    }
    drained = impl.open.load() == 0;
  }
  for (auto& worker : impl.workers) worker->io.stop();
  for (auto& worker : impl.workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  impl.stopped = true;
  if (!drained) {
    core::log_warn("shutdown grace period over; closed " + std::to_string(impl.open.load()) +
                   " connection(s) with requests still in flight");
  }
  return drained;
}

}  // namespace aic::http
