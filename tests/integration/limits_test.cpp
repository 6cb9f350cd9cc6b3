// Every configured limit is enforced and answered with a clear problem+json error.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "raw_client.hpp"
#include "test_server.hpp"

namespace aic::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string problem_type(const RawResponse& response) {
  return std::string(json::parse(response.body).as_object()["type"].as_string());
}

void add_echo_routes(http::Router& router, TestServer&) {
  auto echo = [](http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
    co_return http::Response::make(200, context.request.body, "application/octet-stream");
  };
  router.add(http::Method::kPost, "/test/echo", echo);
  router.add(http::Method::kPost, "/test/upload", echo, {.max_body_bytes = 64 * 1024});
}

TEST(Limits, OversizedHeadersGet431) {
  TestServer server([](core::Config& config) { config.server.max_header_bytes = 2048; });
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') +
                          "\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(problem_type(*response), "urn:aic:problem:headers-too-large");
  EXPECT_TRUE(response->header("X-Request-Id"));
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz")->status, 200);
}

TEST(Limits, OversizedBodyGets413BeforeItIsRead) {
  TestServer server([](core::Config& config) { config.server.max_body_bytes = 1024; },
                    add_echo_routes);
  RawClient client(server.port());
  // Only the head is sent: the answer must not wait for a body it will refuse.
  ASSERT_TRUE(client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(problem_type(*response), "urn:aic:problem:payload-too-large");
  EXPECT_NE(response->body.find("1024"), std::string::npos);
  EXPECT_EQ(response->header("Connection"), "close");
}

TEST(Limits, ChunkedBodyOverLimitGets413) {
  TestServer server([](core::Config& config) { config.server.max_body_bytes = 1024; },
                    add_echo_routes);
  RawClient client(server.port());
  std::string chunk(800, 'z');
  ASSERT_TRUE(
      client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "320\r\n" +
                  chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST(Limits, RouteCanRaiseBodyLimit) {
  TestServer server([](core::Config& config) { config.server.max_body_bytes = 1024; },
                    add_echo_routes);
  std::string body(50 * 1024, 'b');
  auto upload = http_request(server.port(), "POST", "/test/upload", body);
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 200);
  EXPECT_EQ(upload->body.size(), body.size());
  auto echo = http_request(server.port(), "POST", "/test/echo", body);
  EXPECT_EQ(echo->status, 413);
  auto too_big = http_request(server.port(), "POST", "/test/upload", std::string(70 * 1024, 'c'));
  EXPECT_EQ(too_big->status, 413);
}

TEST(Limits, ChunkedBodyWithinLimitIsAssembled) {
  TestServer server({}, add_echo_routes);
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "hello world");
}

TEST(Limits, ExpectContinueGets100First) {
  TestServer server({}, add_echo_routes);
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send("data"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "data");
}

TEST(Limits, SlowHeadGets408) {
  TestServer server([](core::Config& config) { config.server.header_timeout = 300ms; });
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHo"));  // and then nothing more
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(problem_type(*response), "urn:aic:problem:request-timeout");
  EXPECT_TRUE(client.wait_closed());
}

TEST(Limits, SlowBodyGets408AtTheRequestDeadline) {
  TestServer server([](core::Config& config) { config.server.request_timeout = 300ms; },
                    add_echo_routes);
  RawClient client(server.port());
  ASSERT_TRUE(client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
}

TEST(Limits, IdleKeepAliveConnectionIsClosed) {
  TestServer server([](core::Config& config) { config.server.idle_timeout = 200ms; });
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(client.read_response()->status, 200);
  EXPECT_TRUE(client.wait_closed());  // silently: an idle close is not an error
}

TEST(Limits, ConnectionsAboveMaximumGet503) {
  TestServer server([](core::Config& config) { config.server.max_connections = 3; });
  std::vector<RawClient> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back(server.port());
    ASSERT_TRUE(held.back().send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(held.back().read_response()->status, 200);
  }
  RawClient extra(server.port());
  extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto refused = extra.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(problem_type(*refused), "urn:aic:problem:overloaded");
  EXPECT_EQ(refused->header("Retry-After"), "1");
  held.clear();
  EXPECT_TRUE(eventually([&] { return server.server().open_connections() == 0; }));
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz")->status, 200);
}

}  // namespace
}  // namespace aic::test
