// Hostile and broken clients: the server answers what it can with a problem document,
// closes what it must, and keeps serving /healthz to everyone else throughout. Runs under
// ASan+UBSan in `make test`.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/json.hpp>

#include "raw_client.hpp"
#include "test_server.hpp"

namespace aic::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using namespace std::string_literals;

void expect_healthy(std::uint16_t port) {
  auto health = http_request(port, "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

struct BadRequest {
  const char* name;
  std::string bytes;
};

TEST(BadInput, MalformedRequestsGet400ProblemAndClose) {
  TestServer server;
  std::vector<BadRequest> cases = {
      {"garbage line", "THIS IS NOT HTTP\r\n\r\n"},
      {"missing version", "GET /healthz\r\n\r\n"},
      {"bad version", "GET /healthz HTTP/9.9x\r\nHost: x\r\n\r\n"},
      {"space in method", "G ET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"control char in target", std::string("GET /he\x01z HTTP/1.1\r\nHost: x\r\n\r\n")},
      {"bare LF line endings", "GET /healthz HTTP/1.1\nHost: x\n\n"},
      {"header without colon", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n"},
      {"space before colon", "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n"},
      {"NUL in header value", "GET /healthz HTTP/1.1\r\nX-A: a\0b\r\n\r\n"s},
      {"DEL in header name", "GET /healthz HTTP/1.1\r\nX-\x7f: a\r\n\r\n"},
      {"negative content length", "POST /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n"},
      {"non-numeric content length", "POST /healthz HTTP/1.1\r\nContent-Length: ten\r\n\r\n"},
      {"conflicting content lengths",
       "POST /healthz HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
      {"bad chunk size", "POST /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
      {"smuggling: length and chunked",
       "POST /healthz HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: "
       "chunked\r\n\r\n0\r\n\r\n"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.name);
    RawClient client(server.port());
    ASSERT_TRUE(client.send(bad.bytes));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(response->header("Content-Type"), "application/problem+json");
    auto problem = json::parse(response->body).as_object();
    EXPECT_EQ(problem["type"], "urn:aic:problem:malformed-request");
    EXPECT_TRUE(problem.contains("detail"));
    EXPECT_TRUE(client.wait_closed());
  }
  expect_healthy(server.port());
}

TEST(BadInput, HeaderAtFaultIsNamed) {
  TestServer server;
  auto response = [&] {
    RawClient client(server.port());
    client.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
    return client.read_response();
  }();
  ASSERT_TRUE(response);
  EXPECT_EQ(json::parse(response->body).as_object()["header"], "Content-Length");
}

TEST(BadInput, UnsupportedMethodsGet405OrNotFound) {
  TestServer server;
  for (const char* method : {"TRACE", "CONNECT", "PROPFIND", "BREW"}) {
    SCOPED_TRACE(method);
    RawClient client(server.port());
    client.send(std::string(method) + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 405);
    EXPECT_EQ(response->header("Allow"), "GET, HEAD, OPTIONS");
  }
  auto absolute = [&] {
    RawClient client(server.port());
    client.send("GET http://elsewhere/healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    return client.read_response();
  }();
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->status, 404);
  expect_healthy(server.port());
}

TEST(BadInput, AbruptDisconnectsMidRequest) {
  TestServer server([](core::Config&) {},
                    [](http::Router& router, TestServer&) {
                      router.add(
                          http::Method::kPost, "/test/sink",
                          [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
                            co_return http::Response::empty(204);
                          });
                    });
  const std::vector<std::string> partials = {
      "G",
      "GET /healthz HTTP/1.1\r\nHost: x\r\n",
      "POST /test/sink HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf",
      "POST /test/sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
  };
  for (int round = 0; round < 20; ++round) {
    for (const auto& partial : partials) {
      RawClient client(server.port());
      client.send(partial);
      if (round % 2 == 0) {
        client.reset();  // RST
      }                  // else: FIN when the client is destroyed
    }
  }
  // A client that sends a full request and disconnects before reading the answer.
  for (int i = 0; i < 20; ++i) {
    RawClient client(server.port());
    client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    client.reset();
  }
  expect_healthy(server.port());
  EXPECT_TRUE(eventually([&] { return server.server().open_connections() == 0; }));
}

TEST(BadInput, SlowClientsDoNotStarveOthers) {
  TestServer server([](core::Config& config) { config.server.header_timeout = 2s; });
  // Slowloris: many connections trickling a head byte by byte.
  std::vector<RawClient> slow;
  for (int i = 0; i < 50; ++i) {
    slow.emplace_back(server.port());
    slow.back().send("GET /healthz HTTP/1.1\r\n");
  }
  for (int step = 0; step < 3; ++step) {
    for (auto& client : slow) client.send("X");
    expect_healthy(server.port());
  }
  // The header timeout ends every one of them with a 408.
  for (auto& client : slow) {
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 408);
  }
  expect_healthy(server.port());
}

TEST(BadInput, FiveThousandIdleConnections) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  // Each connection costs one descriptor here and one in the server (same process).
  if (limit.rlim_cur < 11000) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 11000);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  ASSERT_GE(limit.rlim_cur, 10100u) << "need ~10,100 file descriptors for 5,000 connections";
  TestServer server;
  std::vector<RawClient> idle;
  idle.reserve(5000);
  for (int i = 0; i < 5000; ++i) {
    idle.emplace_back(server.port());
    if (i % 1000 == 999) expect_healthy(server.port());
  }
  ASSERT_TRUE(eventually([&] { return server.server().open_connections() >= 5000; }));
  expect_healthy(server.port());
  // Idle connections are still live and can be used.
  for (int i = 0; i < 5000; i += 500) {
    ASSERT_TRUE(idle[i].send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = idle[i].read_response();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 200);
  }
  idle.clear();
  EXPECT_TRUE(eventually([&] { return server.server().open_connections() == 0; }, 30s));
  expect_healthy(server.port());
}

}  // namespace
}  // namespace aic::test
