// ClientOptions::run_on_server_threads: a request sent from a server handler runs on that
// handler's own I/O thread, and the client and the server it runs on may stop in either
// order while requests are in flight (run under ASan in the debug build).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "http/client/http_client.hpp"
#include "http/filters.hpp"
#include "http/io_thread.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace aic::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Our server with the routes `add` registers, on 127.0.0.1.
class LittleServer {
 public:
  explicit LittleServer(const std::function<void(Router&)>& add) {
    config_.server.listen = "127.0.0.1:0";
    config_.server.io_threads = 2;
    config_.server.shutdown_grace = 200ms;
    config_.server.shutdown_delay = 0ms;
    add(router_);
    pipeline_ = std::make_unique<Pipeline>(std::vector<std::unique_ptr<Filter>>{}, router_);
    server_ = std::make_unique<Server>(config_, *pipeline_, metrics_);
    if (auto started = server_->start(); !started)
      throw std::runtime_error(started.error().message);
  }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }
  void stop() { server_.reset(); }

 private:
  core::Config config_;
  core::Registry registry_;
  HttpMetrics metrics_{registry_};
  Router router_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Server> server_;
};

RouteOptions public_route() { return {.permission = std::string(kPublic)}; }

// The provider stand-in: /answer says "ok", /hold never answers.
struct Backend {
  std::atomic<int> held{0};
  LittleServer server{[this](Router& router) {
    router.add(
        Method::kGet, "/answer",
        [](RequestContext&) -> asio::awaitable<Response> {
          co_return Response::make(200, "ok", "text/plain");
        },
        public_route());
    router.add(
        Method::kGet, "/hold",
        [this](RequestContext&) -> asio::awaitable<Response> {
          held.fetch_add(1);
          asio::steady_timer timer(co_await asio::this_coro::executor, 30s);
          co_await timer.async_wait(asio::use_awaitable);
          co_return Response::make(200, "late", "text/plain");
        },
        public_route());
  }};
};

// What the front's handler saw of one relayed request.
struct Relayed {
  std::thread::id handler_thread;
  std::thread::id callback_thread;
  bool on_server_thread = false;
  ClientResponse response;
};

// The gateway stand-in: GET /relay?/path sends GET backend/path with `client` from the
// handler and answers with what came back; `seen` gets the details.
struct Front {
  Front(HttpClient*& client, std::string backend_url, std::function<void(Relayed)> seen)
      : server([&client, backend_url, seen](Router& router) {
          router.add(
              Method::kGet, "/relay/{path}",
              [&client, backend_url, seen](RequestContext& context) -> asio::awaitable<Response> {
                auto executor = co_await asio::this_coro::executor;
                auto relayed = std::make_shared<Relayed>();
                relayed->handler_thread = std::this_thread::get_id();
                relayed->on_server_thread = IoThread::current() != nullptr;
                auto wake = std::make_shared<asio::steady_timer>(executor);
                wake->expires_at(asio::steady_timer::time_point::max());
                client->send(
                    ClientRequest{.method = Method::kGet,
                                  .url = backend_url + "/" + std::string(context.param("path"))},
                    [relayed, wake, executor](ClientResponse response) {
                      relayed->callback_thread = std::this_thread::get_id();
                      relayed->response = std::move(response);
                      asio::post(executor, [wake] { wake->cancel(); });
                    });
                co_await wake->async_wait(asio::as_tuple(asio::use_awaitable));
                seen(*relayed);
                const int status = relayed->response.status != 0 ? relayed->response.status : 502;
                co_return Response::make(status, relayed->response.body, "text/plain");
              },
              public_route());
        }) {}
  LittleServer server;
};

ClientOptions on_server_threads() {
  ClientOptions options;
  options.address_policy = AddressPolicy::allow_all();
  options.run_on_server_threads = true;
  options.total_timeout = 20s;
  return options;
}

TEST(ClientOnServerThreads, ARequestFromAHandlerRunsOnTheHandlersThreadAndKeepsItsConnection) {
  Backend backend;
  auto client = std::make_unique<HttpClient>(on_server_threads());
  HttpClient* raw = client.get();
  std::mutex mutex;
  std::vector<Relayed> seen;
  Front front(raw, backend.server.url(""), [&](Relayed relayed) {
    std::lock_guard lock(mutex);
    seen.push_back(std::move(relayed));
  });
  HttpClient caller([] {
    ClientOptions options;
    options.address_policy = AddressPolicy::allow_all();
    options.max_idle_per_host = 1;  // one connection to the front: one of its threads
    return options;
  }());
  for (int i = 0; i < 3; ++i) {
    ClientResponse answer =
        caller.send_and_wait({.method = Method::kGet, .url = front.server.url("/relay/answer")});
    EXPECT_EQ(answer.status, 200) << answer.error;
    EXPECT_EQ(answer.body, "ok");
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 3u);
  for (const Relayed& relayed : seen) {
    EXPECT_TRUE(relayed.on_server_thread);
    EXPECT_EQ(relayed.callback_thread, relayed.handler_thread);
  }
  // The front's connection stayed on one server thread, whose own pool kept the upstream one.
  EXPECT_FALSE(seen[0].response.reused_connection);
  EXPECT_TRUE(seen[1].response.reused_connection);
  EXPECT_TRUE(seen[2].response.reused_connection);

  // The same client from a thread that is no server's: its own thread serves it.
  ClientResponse direct =
      client->send_and_wait({.method = Method::kGet, .url = backend.server.url("/answer")});
  EXPECT_EQ(direct.status, 200);
}

TEST(ClientOnServerThreads, TheServerStoppingFirstAbortsWhatRunsOnItsThreads) {
  Backend backend;
  auto client = std::make_unique<HttpClient>(on_server_threads());
  HttpClient* raw = client.get();
  auto front = std::make_unique<Front>(raw, backend.server.url(""), [](Relayed) {});
  HttpClient caller([] {
    ClientOptions options;
    options.address_policy = AddressPolicy::allow_all();
    return options;
  }());
  std::promise<ClientResponse> answered;
  caller.send({.method = Method::kGet, .url = front->server.url("/relay/hold")},
              [&](ClientResponse response) { answered.set_value(std::move(response)); });
  for (int i = 0; i < 500 && backend.held.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(backend.held.load(), 1);
  front->server.stop();  // the stop hook closes the upstream request on its thread
  auto outcome = answered.get_future();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  // The abort may reach the handler before the thread stops (it answers 502) or not (the
  // connection closes unanswered); either way the caller is not left waiting.
  const int status = outcome.get().status;
  EXPECT_TRUE(status == 0 || status == 502) << status;
  client.reset();                      // after its server threads are gone
  front.reset();
}

TEST(ClientOnServerThreads, TheClientGoingFirstEndsItsRequestsOnTheRunningThreads) {
  Backend backend;
  auto client = std::make_unique<HttpClient>(on_server_threads());
  HttpClient* raw = client.get();
  std::promise<Relayed> relayed_out;
  Front front(raw, backend.server.url(""),
              [&](Relayed relayed) { relayed_out.set_value(relayed); });
  HttpClient caller([] {
    ClientOptions options;
    options.address_policy = AddressPolicy::allow_all();
    return options;
  }());
  std::promise<ClientResponse> answered;
  caller.send({.method = Method::kGet, .url = front.server.url("/relay/hold")},
              [&](ClientResponse response) { answered.set_value(std::move(response)); });
  for (int i = 0; i < 500 && backend.held.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(backend.held.load(), 1);
  client.reset();  // waits until the request on the front's thread has ended
  auto relayed = relayed_out.get_future();
  ASSERT_EQ(relayed.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(relayed.get().response.error_kind, ClientErrorKind::kCancelled);
  auto outcome = answered.get_future();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(outcome.get().status, 502);
}

}  // namespace
}  // namespace aic::http
