// The real server over real sockets: endpoints, keep-alive, pipelining, routing answers,
// middleware effects and error mapping.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <latch>
#include <map>
#include <sstream>
#include <thread>

#include "http/problem.hpp"

#include "core/build_info.hpp"
#include "raw_client.hpp"
#include "test_server.hpp"

namespace aic::test {
namespace {

namespace json = boost::json;

TEST(Server, HealthzReadyzVersion) {
  TestServer server;
  auto health = http_request(server.port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(health->body).as_object()["status"], "ok");

  auto ready = http_request(server.port(), "GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  auto checks = json::parse(ready->body).as_object()["checks"].as_object();
  EXPECT_EQ(checks["database"], "ok");
  EXPECT_EQ(checks["migrations"], "ok");

  auto version = http_request(server.port(), "GET", "/v1/version");
  ASSERT_TRUE(version);
  auto body = json::parse(version->body).as_object();
  EXPECT_EQ(body["version"].as_string(), core::build_info().version);
  EXPECT_EQ(body["commit"].as_string(), core::build_info().commit);
  EXPECT_TRUE(body["build_time"].is_string());
}

TEST(Server, KeepAliveServesManyRequestsOnOneConnection) {
  TestServer server;
  RawClient client(server.port());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = client.read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_FALSE(response->header("Connection").has_value() &&
                 *response->header("Connection") == "close");
  }
}

// A body written piece by piece (three chunks), as streamed AI answers are.
class ThreePieces final : public http::BodyStream {
 public:
  explicit ThreePieces(std::string tag) : tag_(std::move(tag)) {}
  boost::asio::awaitable<std::optional<std::string>> next() override {
    if (sent_ == 3) co_return std::nullopt;
    co_return tag_ + " piece " + std::to_string(++sent_) + "\n";
  }
  void stop() override { sent_ = 3; }

 private:
  std::string tag_;
  int sent_ = 0;
};

// HTTP/1.1 keeps the connection after a streamed (chunked) body has ended; HTTP/1.0, whose
// body ends with the connection, does not.
TEST(Server, AStreamedBodyKeepsTheConnectionForTheNextRequest) {
  TestServer server(
      [](core::Config&) {},
      [](http::Router& router, TestServer&) {
        router.add(http::Method::kGet, "/pieces/{tag}",
                   [](http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
                     http::Response response;
                     response.headers.set("Content-Type", "text/plain");
                     response.stream =
                         std::make_shared<ThreePieces>(std::string(context.param("tag")));
                     co_return response;
                   });
      });
  RawClient client(server.port());
  for (std::string tag : {"first", "second"}) {
    ASSERT_TRUE(client.send("GET /pieces/" + tag + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string raw = client.read_until("\r\n0\r\n\r\n");
    EXPECT_NE(raw.find("Transfer-Encoding: chunked"), std::string::npos) << raw;
    EXPECT_EQ(raw.find("Connection: close"), std::string::npos) << raw;
    EXPECT_NE(raw.find(tag + " piece 3"), std::string::npos) << raw;
  }
  RawClient old(server.port());
  ASSERT_TRUE(old.send("GET /pieces/old HTTP/1.0\r\nHost: x\r\n\r\n"));
  std::string raw = old.read_until("never arrives");  // until the server closes
  EXPECT_NE(raw.find("old piece 3"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("chunked"), std::string::npos) << raw;
}

// The connection reuses its request buffers; nothing of one request may show in the next.
TEST(Server, KeepAliveRequestsDoNotInheritEachOthersState) {
  TestServer server(
      [](core::Config&) {},
      [](http::Router& router, TestServer&) {
        router.add(http::Method::kPost, "/echo",
                   [](http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
                     json::object seen;
                     seen["body"] = context.request.body;
                     seen["headers"] = context.request.headers.size();
                     seen["custom"] =
                         std::string(context.request.headers.get("X-Custom").value_or(""));
                     co_return http::Response::json(200, json::serialize(seen));
                   });
      });
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: first-request\r\n"
                  "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
                  "X-Custom: one\r\nContent-Length: 11\r\n\r\nhello world"));
  auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->header("X-Request-Id"), "first-request");
  auto first_seen = json::parse(first->body).as_object();
  EXPECT_EQ(first_seen["body"], "hello world");
  EXPECT_EQ(first_seen["headers"], 5);
  EXPECT_EQ(first_seen["custom"], "one");

  ASSERT_TRUE(client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  auto second = client.read_response();
  ASSERT_TRUE(second);
  auto id = second->header("X-Request-Id");
  ASSERT_TRUE(id);
  EXPECT_NE(*id, "first-request");
  EXPECT_EQ(id->size(), 32u);
  auto trace = second->header("traceparent");
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->find("0af7651916cd43dd8448eb211c80319c"), std::string::npos);
  auto second_seen = json::parse(second->body).as_object();
  EXPECT_EQ(second_seen["body"], "hi");
  EXPECT_EQ(second_seen["headers"], 2);
  EXPECT_EQ(second_seen["custom"], "");
}

TEST(Server, ConnectionsAreSpreadOverIoThreads) {
  TestServer server([](core::Config& config) { config.server.io_threads = 2; },
                    [](http::Router& router, TestServer&) {
                      router.add(
                          http::Method::kGet, "/thread",
                          [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
                            std::ostringstream id;
                            id << std::this_thread::get_id();
                            co_return http::Response::make(200, id.str(), "text/plain");
                          });
                    });
  // Opened back to back, so one I/O thread wakes and accepts them in one batch.
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(std::make_unique<RawClient>(server.port()));
  std::map<std::string, int> per_thread;
  for (auto& client : clients) {
    ASSERT_TRUE(client->send("GET /thread HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = client->read_response();
    ASSERT_TRUE(response);
    ++per_thread[response->body];
  }
  // Both threads serve; two accepts racing on different threads may both pick the same
  // worker, so allow a small imbalance.
  ASSERT_EQ(per_thread.size(), 2u);
  for (const auto& [thread, count] : per_thread) {
    EXPECT_GE(count, 3) << thread;
    EXPECT_LE(count, 5) << thread;
  }
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server;
  RawClient client(server.port());
  std::string batch;
  for (int i = 0; i < 10; ++i) {
    batch += "GET " + std::string(i % 2 ? "/nope" : "/healthz") +
             " HTTP/1.1\r\nHost: x\r\nX-Request-Id: r" + std::to_string(i) + "\r\n\r\n";
  }
  ASSERT_TRUE(client.send(batch));
  for (int i = 0; i < 10; ++i) {
    auto response = client.read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, i % 2 ? 404 : 200);
    EXPECT_EQ(response->header("X-Request-Id"), "r" + std::to_string(i));
  }
}

TEST(Server, Http10ClosesUnlessKeepAlive) {
  TestServer server;
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(client.wait_closed());
}

TEST(Server, ConnectionCloseIsHonoured) {
  TestServer server;
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.wait_closed());
}

TEST(Server, NotFoundAndMethodNotAllowedAreProblems) {
  TestServer server;
  auto missing = http_request(server.port(), "GET", "/v1/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("Content-Type"), "application/problem+json");
  auto problem = json::parse(missing->body).as_object();
  EXPECT_EQ(problem["type"], "urn:aic:problem:not-found");
  EXPECT_EQ(problem["status"], 404);
  EXPECT_EQ(problem["request_id"].as_string(), *missing->header("X-Request-Id"));

  auto wrong = http_request(server.port(), "DELETE", "/healthz");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(json::parse(wrong->body).as_object()["type"], "urn:aic:problem:method-not-allowed");
}

TEST(Server, HeadAndOptions) {
  TestServer server;
  auto get = http_request(server.port(), "GET", "/healthz");
  RawClient client(server.port());
  ASSERT_TRUE(client.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.read_response(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), std::to_string(get->body.size()));
  EXPECT_TRUE(head->body.empty());
  // The connection is still in sync: no stray body bytes follow the HEAD answer.
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, get->body);

  auto options = http_request(server.port(), "OPTIONS", "/v1/version");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 204);
  EXPECT_EQ(options->header("Allow"), "GET, HEAD, OPTIONS");
}

TEST(Server, RequestIdIsAcceptedOrGenerated) {
  TestServer server;
  auto given = http_request(server.port(), "GET", "/healthz", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(given->header("X-Request-Id"), "abc-123");
  auto invalid =
      http_request(server.port(), "GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}});
  auto generated = invalid->header("X-Request-Id");
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->size(), 32u);
  auto other = http_request(server.port(), "GET", "/healthz");
  EXPECT_NE(other->header("X-Request-Id"), generated);
}

TEST(Server, TraceparentIsContinuedOrStarted) {
  TestServer server;
  const std::string inbound = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto continued = http_request(server.port(), "GET", "/healthz", "", {{"traceparent", inbound}});
  auto outbound = continued->header("traceparent");
  ASSERT_TRUE(outbound);
  EXPECT_EQ(outbound->substr(0, 36), inbound.substr(0, 36));    // same trace id
  EXPECT_NE(outbound->substr(36, 16), inbound.substr(36, 16));  // our own span id
  EXPECT_EQ(outbound->substr(53), "01");

  auto started = http_request(server.port(), "GET", "/healthz", "", {{"traceparent", "garbage"}});
  auto fresh = started->header("traceparent");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->size(), 55u);
  EXPECT_NE(fresh->substr(3, 32), inbound.substr(3, 32));
}

TEST(Server, HandlerExceptionIs500AndServerKeepsServing) {
  TestServer server({}, [](http::Router& router, TestServer&) {
    router.add(http::Method::kGet, "/test/throw",
               [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
                 throw std::logic_error("bug in handler");
                 co_return http::Response::empty(200);
               });
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /test/throw HTTP/1.1\r\nHost: x\r\nX-Request-Id: boom-1\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  auto problem = json::parse(response->body).as_object();
  EXPECT_EQ(problem["type"], "urn:aic:problem:internal");
  EXPECT_EQ(problem["request_id"], "boom-1");
  // Same connection still works, and so does the server.
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(client.read_response()->status, 200);
}

TEST(Server, MetricsExposeRequestsConnectionsAndBuildInfo) {
  TestServer server;
  for (int i = 0; i < 3; ++i) http_request(server.port(), "GET", "/healthz");
  http_request(server.port(), "GET", "/missing");
  auto metrics = http_request(server.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = metrics->body;
  EXPECT_NE(
      text.find("aic_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 3"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("aic_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"),
      std::string::npos);
  EXPECT_NE(text.find("aic_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("aic_http_requests_in_flight 1"), std::string::npos);  // this request
  EXPECT_NE(text.find("aic_http_open_connections "), std::string::npos);
  // The process's own, under the names Prometheus client libraries use.
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos) << text;
  EXPECT_NE(text.find("\nprocess_open_fds "), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
}

TEST(Server, CorsWhenConfigured) {
  TestServer server(
      [](core::Config& config) { config.cors.allowed_origins = {"https://dashboard.example"}; });
  auto preflight = http_request(server.port(), "OPTIONS", "/v1/version", "",
                                {{"Origin", "https://dashboard.example"},
                                 {"Access-Control-Request-Method", "GET"},
                                 {"Access-Control-Request-Headers", "authorization"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->header("Access-Control-Allow-Origin"), "https://dashboard.example");
  auto get = http_request(server.port(), "GET", "/v1/version", "",
                          {{"Origin", "https://dashboard.example"}});
  EXPECT_EQ(get->header("Access-Control-Allow-Origin"), "https://dashboard.example");
  EXPECT_EQ(get->header("Access-Control-Expose-Headers"), "X-Request-Id");
}

TEST(Server, BlockingWorkNeverBlocksTheIoThread) {
  std::latch release(1);
  TestServer server([](core::Config& config) { config.server.io_threads = 1; },
                    [&](http::Router& router, TestServer& self) {
                      router.add(http::Method::kGet, "/test/blocking",
                                 [&release, &self](http::RequestContext& context)
                                     -> boost::asio::awaitable<http::Response> {
                                   // Stands in for a slow query on the worker pool.
                                   auto done = co_await self.workers().run(
                                       context.deadline, [&release] { release.wait(); });
                                   co_return http::Response::empty(done ? 204 : 500);
                                 });
                    });
  RawClient slow(server.port());
  ASSERT_TRUE(slow.send("GET /test/blocking HTTP/1.1\r\nHost: x\r\n\r\n"));
  // With a single I/O thread, this answer proves the blocked job is not on it.
  auto health = http_request(server.port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  release.count_down();
  auto answer = slow.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 204);
}

TEST(Server, RequestDeadlineAnswers503WhenWorkIsStuckInQueue) {
  std::latch release(1);
  std::atomic<bool> started{false};
  TestServer server(
      [](core::Config& config) {
        config.workers.threads = 1;
        config.server.request_timeout = std::chrono::milliseconds(300);
      },
      [&](http::Router& router, TestServer& self) {
        router.add(http::Method::kGet, "/test/blocking",
                   [&](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
                     co_await self.workers().run(core::kNoDeadline, [&] {
                       started = true;
                       release.wait();
                     });
                     co_return http::Response::empty(204);
                   });
        router.add(
            http::Method::kGet, "/test/queued",
            [&self](http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
              auto done = co_await self.workers().run(context.deadline, [] {});
              if (!done) co_return http::problem_response(done.error(), context.request_id);
              co_return http::Response::empty(204);
            });
      });
  RawClient blocker(server.port());
  ASSERT_TRUE(blocker.send("GET /test/blocking HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return started.load(); }));  // the only worker is busy
  auto late = http_request(server.port(), "GET", "/test/queued");
  release.count_down();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 503);
  EXPECT_EQ(json::parse(late->body).as_object()["type"], "urn:aic:problem:deadline-exceeded");
  EXPECT_EQ(blocker.read_response()->status, 204);
}

}  // namespace
}  // namespace aic::test
