// The API description served by a real server with the real route set: every registered
// route is an operation, documented by the route itself, with its permission.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/docs/docs_routes.hpp"
#include "api/openapi.hpp"
#include "raw_client.hpp"
#include "test_server.hpp"

namespace aic::test {
namespace {

namespace json = boost::json;

// The test server's routes plus the docs routes (unless the test server has them already).
TestServer::AddRoutes with_docs() {
  return [](http::Router& router, TestServer&) {
    if (router.match(http::Method::kGet, "/v1/openapi.json").route == nullptr) {
      api::docs::add_docs_routes(router);
    }
  };
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(OpenApi, ServedDocumentDescribesEveryRoute) {
  TestServer server({}, with_docs());
  auto response = http_request(server.port(), "GET", "/v1/openapi.json");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("Content-Type"), "application/json");
  boost::system::error_code error;
  json::value parsed = json::parse(response->body, error);
  ASSERT_FALSE(error) << error.message();
  ASSERT_TRUE(parsed.is_object());
  const json::object& document = parsed.as_object();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  const json::object& paths = document.at("paths").as_object();

  std::size_t operations = 0;
  for (const auto& [path, item] : paths) operations += item.as_object().size();
  EXPECT_EQ(operations, server.router().routes().size());

  for (const http::Route* route : server.router().routes()) {
    std::string name = std::string(http::method_name(route->method)) + " " + route->path_template;
    SCOPED_TRACE(name);
    const json::value* item = paths.if_contains(route->path_template);
    ASSERT_NE(item, nullptr);
    const json::value* operation =
        item->as_object().if_contains(lower(http::method_name(route->method)));
    ASSERT_NE(operation, nullptr);
    const json::object& op = operation->as_object();

    bool is_public = route->options.permission == http::kPublic;
    EXPECT_EQ(op.at("x-aic-permission").as_string(),
              is_public ? std::string("public") : route->options.permission);
    EXPECT_EQ(op.at("security").as_array().empty(), is_public);
    if (!is_public) {
      for (auto status : {"401", "403", "429"}) {
        EXPECT_TRUE(op.at("responses").as_object().contains(status)) << status;
      }
    }

    // Documented by the route itself, not filled in by the generator's fallbacks.
    EXPECT_FALSE(route->options.operation_id.empty()) << "declare RouteOptions::operation_id";
    EXPECT_FALSE(route->options.summary.empty()) << "declare RouteOptions::summary";
    bool success_declared = false;
    for (const auto& doc : route->options.responses) {
      if (doc.status >= 200 && doc.status < 300) success_declared = true;
    }
    EXPECT_TRUE(success_declared) << "declare the success answer in RouteOptions::responses";
    EXPECT_NE(op.at("tags").as_array().at(0).as_string(), "other")
        << "add the path to a tag in api_info()";
  }

  // What a running server serves is what the generator produces for its routes.
  EXPECT_EQ(response->body, api::openapi_document(server.router(), api::docs::api_info()));
}

TEST(OpenApi, DocsPageIsServedSelfContained) {
  TestServer server({}, with_docs());
  auto response = http_request(server.port(), "GET", "/docs");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(response->header("Content-Security-Policy").value_or("").find("default-src 'none'"),
            0u);
  for (const http::Route* route : server.router().routes()) {
    EXPECT_NE(response->body.find(route->path_template), std::string::npos) << route->path_template;
  }
  EXPECT_EQ(response->body.find("<script"), std::string::npos);

  // Rendered once: a second request gets the same bytes.
  auto again = http_request(server.port(), "GET", "/docs");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, response->body);
}

}  // namespace
}  // namespace aic::test
