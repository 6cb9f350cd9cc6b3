#include "http/server.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

#include "core/allocator.hpp"
#include "core/logging.hpp"
#include "core/thread_name.hpp"
#include "http/connection.hpp"

namespace aic::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using detail::IoWorker;
using detail::SessionBase;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

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
  // the workers' io_contexts) use `tls`, and acceptors[k] runs on workers[k].
  std::unique_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<IoWorker>> workers;
  // One per I/O thread, all on the same listening socket (duplicated descriptors): each
  // thread accepts for itself, so no single thread's event loop limits the accept rate and
  // no connection is handed between threads. Not SO_REUSEPORT: a second server started on
  // the same port by mistake must fail to bind, not silently share the traffic.
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::uint16_t bound_port = 0;

  std::atomic<std::size_t> open{0};
  std::atomic<bool> draining{false};  // readiness fails; responses close their connection
  std::atomic<bool> closing{false};   // the listener is closed; idle connections end
  std::atomic<bool> stopped{false};
  detail::ConnectionEnv connection_env{limits, pipeline, draining, closing};

  std::mutex shutdown_mutex;
  std::condition_variable shutdown_changed;
  std::optional<Clock::time_point> drain_started;  // GUARDED_BY(shutdown_mutex)

  core::Status start();
  asio::awaitable<void> accept_loop(std::size_t index);
  asio::awaitable<void> sweep_deadlines(IoWorker& worker);
  asio::awaitable<void> release_cache_when_quiet(IoWorker& worker);
  void start_connection(tcp::socket socket, IoWorker& accepted_on);
  IoWorker& least_loaded(IoWorker& preferred);
  void drain_now();
  void connection_closed(IoWorker& worker);
};

void Server::Impl::connection_closed(IoWorker& worker) {
  worker.connections.fetch_sub(1);
  open.fetch_sub(1);
  metrics.open_connections.add(-1);
  if (draining) shutdown_changed.notify_all();
}

// Connections already waiting are accepted in batches of up to this many per wake-up.
constexpr int kAcceptBatch = 64;

asio::awaitable<void> Server::Impl::accept_loop(std::size_t index) {
  IoWorker& worker = *workers[index];
  tcp::acceptor& acceptor = *acceptors[index];
  asio::steady_timer backoff(worker.io);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(worker.io, kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      // Out of file descriptors (or similar): back off instead of spinning.
      core::log_warn("accept failed: " + ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    start_connection(std::move(socket), worker);
    // Drain the listen queue without a trip through the event loop per connection (the
    // acceptor is non-blocking: an empty queue ends the batch with would_block).
    for (int more = 0; more < kAcceptBatch; ++more) {
      tcp::socket next(worker.io);
      boost::system::error_code batch_ec;
      acceptor.accept(next, batch_ec);
      if (batch_ec) break;
      start_connection(std::move(next), worker);
    }
  }
}

asio::awaitable<void> Server::Impl::sweep_deadlines(IoWorker& worker) {
  asio::steady_timer timer(worker.io);
  const Clock::duration interval = detail::deadline_sweep_interval(limits);
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(kUseTuple);
    if (ec) break;
    auto now = detail::coarse_now();
    // on_deadline only cancels socket operations (their handlers run later), so the list
    // cannot change under this loop.
    for (SessionBase* session : worker.sessions) {
      if (session->deadline <= now) {
        session->deadline = Clock::time_point::max();
        session->on_deadline();
      }
    }
  }
}

IoWorker& Server::Impl::least_loaded(IoWorker& preferred) {
  IoWorker* best = &preferred;
  std::size_t best_load = preferred.connections.load(std::memory_order_relaxed);
  for (auto& worker : workers) {
    std::size_t load = worker->connections.load(std::memory_order_relaxed);
    if (load < best_load) {
      best = worker.get();
      best_load = load;
    }
  }
  return *best;
}

// The thread's allocator cache goes back once a burst is over (core::ThreadCacheRelease).
asio::awaitable<void> Server::Impl::release_cache_when_quiet(IoWorker& worker) {
  asio::steady_timer timer(worker.io);
  core::ThreadCacheRelease cache;
  for (;;) {
    timer.expires_after(core::ThreadCacheRelease::kTickInterval);
    auto [ec] = co_await timer.async_wait(kUseTuple);
    if (ec || closing) break;
    cache.tick();
  }
}

void Server::Impl::start_connection(tcp::socket socket, IoWorker& accepted_on) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (open.load() >= limits.max_connections) {
    metrics.refused_connections.increment();
    detail::refuse_connection(std::move(socket));
    return;
  }
  // Whichever thread the kernel woke accepts, often a whole batch: hand each connection to
  // the I/O thread with the fewest, or one thread ends up serving most of the clients
  // while the other idles.
  IoWorker& worker = least_loaded(accepted_on);
  if (&worker != &accepted_on) {
    boost::system::error_code moved;
    auto protocol = socket.local_endpoint(moved).protocol();
    int fd = moved ? -1 : socket.release(moved);
    tcp::socket handed(worker.io);
    if (fd >= 0) handed.assign(protocol, fd, moved);
    if (fd < 0 || moved) {
      if (fd >= 0 && !handed.is_open()) ::close(fd);
      core::log_warn("could not hand a connection to another I/O thread: " + moved.message());
      return;
    }
    socket = std::move(handed);
  }
  auto endpoint = socket.remote_endpoint(ignored);
  std::string remote = ignored ? std::string() : endpoint.address().to_string();
  open.fetch_add(1);
  worker.connections.fetch_add(1);
  metrics.open_connections.add(1);
  auto done = [this, &worker](const std::exception_ptr& error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        core::log_error(std::string("connection ended by exception: ") + e.what());
      } catch (...) {
        core::log_error("connection ended by unknown exception");
      }
    }
    connection_closed(worker);
  };
  if (tls) {
    asio::co_spawn(
        worker.io,
        detail::serve_tls(std::move(socket), *tls, worker, connection_env, std::move(remote)),
        done);
  } else {
    asio::co_spawn(
        worker.io,
        detail::serve_plain(std::move(socket), worker, connection_env, std::move(remote)), done);
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
    boost::system::error_code ec;
    tls->use_certificate_chain_file(config.tls.cert_file, ec);
    if (ec)
      return core::Error::invalid("cannot load certificate: " + ec.message(), "tls.cert_file");
    tls->use_private_key_file(config.tls.key_file, asio::ssl::context::pem, ec);
    if (ec) return core::Error::invalid("cannot load private key: " + ec.message(), "tls.key_file");
  }

  unsigned threads = core::effective_io_threads(limits);
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<IoWorker>());

  boost::system::error_code ec;
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
  auto listener = std::make_unique<tcp::acceptor>(workers[0]->io);
  listener->open(endpoint.protocol(), ec);
  if (!ec) listener->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) listener->bind(endpoint, ec);
  if (!ec) listener->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) listener->non_blocking(true, ec);
  if (ec) {
    return core::Error::make(core::ErrorCode::kUnavailable,
                             "cannot listen on " + limits.listen + ": " + ec.message());
  }
  bound_port = listener->local_endpoint().port();
  int listen_fd = listener->native_handle();
  acceptors.push_back(std::move(listener));
  for (std::size_t i = 1; i < workers.size(); ++i) {
    int duplicate = ::fcntl(listen_fd, F_DUPFD_CLOEXEC, 0);
    auto acceptor = std::make_unique<tcp::acceptor>(workers[i]->io);
    if (duplicate < 0) {
      return core::Error::make(core::ErrorCode::kUnavailable, "cannot duplicate the listener");
    }
    acceptor->assign(endpoint.protocol(), duplicate, ec);
    if (ec) ::close(duplicate);  // not adopted by the acceptor
    if (!ec) acceptor->non_blocking(true, ec);
    if (ec) {
      return core::Error::make(core::ErrorCode::kUnavailable,
                               "cannot share the listener: " + ec.message());
    }
    acceptors.push_back(std::move(acceptor));
  }

  for (std::size_t i = 0; i < workers.size(); ++i) {
    asio::co_spawn(workers[i]->io, accept_loop(i), asio::detached);
    asio::co_spawn(workers[i]->io, sweep_deadlines(*workers[i]), asio::detached);
    asio::co_spawn(workers[i]->io, release_cache_when_quiet(*workers[i]), asio::detached);
  }
  for (std::size_t i = 0; i < workers.size(); ++i) {
    IoWorker* raw = workers[i].get();
    raw->thread = std::thread([raw, i] {
      core::name_this_thread("aic-http-" + std::to_string(i));
      IoThread::set_current(&raw->io_thread);
      auto guard = asio::make_work_guard(raw->io);
      raw->io.run();
      IoThread::set_current(nullptr);
    });
  }
  return {};
}

void Server::Impl::drain_now() {
  closing = true;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    // Fewer acceptors than workers when start() failed midway.
    tcp::acceptor* acceptor = i < acceptors.size() ? acceptors[i].get() : nullptr;
    IoWorker* worker = workers[i].get();
    asio::post(worker->io, [acceptor, worker] {
      boost::system::error_code ignored;
      if (acceptor != nullptr) acceptor->close(ignored);
      // on_drain may end a session, which erases it from the list: iterate over a copy.
      std::vector<SessionBase*> sessions(worker->sessions.begin(), worker->sessions.end());
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
  timer->async_wait([this, timer](boost::system::error_code) { impl_->drain_now(); });
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
  // What others keep on the threads (the outbound client's connections) goes while the
  // io_contexts still run; each thread runs its own hooks.
  std::vector<std::future<void>> hooks_done;
  for (auto& worker : impl.workers) {
    if (!worker->thread.joinable()) continue;
    auto done = std::make_shared<std::promise<void>>();
    hooks_done.push_back(done->get_future());
    IoWorker* raw = worker.get();
    asio::post(raw->io, [raw, done] {
      raw->io_thread.run_stop_hooks();
      done->set_value();
    });
  }
  for (auto& done : hooks_done) done.wait_for(std::chrono::seconds(5));
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
