#include "http/router.hpp"

#include <gtest/gtest.h>

namespace aic::http {
namespace {

Handler ok() {
  return
      [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response::empty(200); };
}

TEST(Router, MatchesLiteralAndTemplates) {
  Router router;
  router.add(Method::kGet, "/v1/things", ok());
  router.add(Method::kGet, "/v1/things/{id}", ok());
  router.add(Method::kGet, "/v1/things/{id}/parts/{part}", ok());

  auto list = router.match(Method::kGet, "/v1/things");
  ASSERT_NE(list.route, nullptr);
  EXPECT_EQ(list.route->path_template, "/v1/things");

  auto part = router.match(Method::kGet, "/v1/things/42/parts/a%20b");
  ASSERT_NE(part.route, nullptr);
  EXPECT_EQ(part.route->path_template, "/v1/things/{id}/parts/{part}");
  ASSERT_EQ(part.params.size(), 2u);
  EXPECT_EQ(part.params[0], (std::pair<std::string, std::string>{"id", "42"}));
  EXPECT_EQ(part.params[1].second, "a b");
}

TEST(Router, LiteralBeatsParameter) {
  Router router;
  router.add(Method::kGet, "/v1/things/{id}", ok());
  router.add(Method::kGet, "/v1/things/export", ok());
  EXPECT_EQ(router.match(Method::kGet, "/v1/things/export").route->path_template,
            "/v1/things/export");
  EXPECT_EQ(router.match(Method::kGet, "/v1/things/7").route->path_template, "/v1/things/{id}");
}

TEST(Router, UnknownPathHasNoAllow) {
  Router router;
  router.add(Method::kGet, "/healthz", ok());
  for (auto path : {"/nope", "/healthz/", "//healthz", "healthz", "", "/healthz/x"}) {
    auto match = router.match(Method::kGet, path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allow.empty()) << path;
  }
}

TEST(Router, WrongMethodListsAllowed) {
  Router router;
  router.add(Method::kGet, "/v1/things/{id}", ok());
  router.add(Method::kDelete, "/v1/things/{id}", ok());
  auto match = router.match(Method::kPost, "/v1/things/1");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allow, "GET, HEAD, DELETE, OPTIONS");
}

TEST(Router, HeadFallsBackToGet) {
  Router router;
  router.add(Method::kGet, "/healthz", ok());
  auto match = router.match(Method::kHead, "/healthz");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method, Method::kGet);
}

TEST(Router, BadPercentEncodingIsFlagged) {
  Router router;
  router.add(Method::kGet, "/v1/things/{id}", ok());
  EXPECT_TRUE(router.match(Method::kGet, "/v1/things/%zz").bad_encoding);
  EXPECT_TRUE(router.match(Method::kGet, "/v1/things/%2").bad_encoding);
  EXPECT_TRUE(router.match(Method::kGet, "/v1/things/%00").bad_encoding);
}

TEST(Router, RejectsMalformedAndDuplicateTemplates) {
  Router router;
  router.add(Method::kGet, "/v1/things/{id}", ok());
  EXPECT_THROW(router.add(Method::kGet, "/v1/things/{id}", ok()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "v1/things", ok()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "/v1//things", ok()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "/v1/{bad", ok()), std::invalid_argument);
  EXPECT_NO_THROW(router.add(Method::kPut, "/v1/things/{id}", ok()));
}

TEST(Router, SameShapeTemplatesShareOnePath) {
  Router router;
  router.add(Method::kGet, "/v1/things/{id}", ok());
  router.add(Method::kDelete, "/v1/things/{thing}", ok());
  EXPECT_THROW(router.add(Method::kGet, "/v1/things/{other}", ok()), std::invalid_argument);
  auto match = router.match(Method::kDelete, "/v1/things/7");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at(0).first, "thing");
  EXPECT_EQ(match.allow, "GET, HEAD, DELETE, OPTIONS");
}

TEST(Router, LiteralBeatsParameterAtTheFirstDifferenceWithBacktracking) {
  Router router;
  router.add(Method::kGet, "/a/b/c", ok());
  router.add(Method::kGet, "/a/{x}/d", ok());
  // "/a/b/d": the literal "b" leads nowhere, so the parameter branch must still be tried.
  auto match = router.match(Method::kGet, "/a/b/d");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->path_template, "/a/{x}/d");
  EXPECT_EQ(router.match(Method::kGet, "/a/b/c").route->path_template, "/a/b/c");
}

TEST(Router, TooManySegmentsIsNotFound) {
  Router router;
  router.add(Method::kGet, "/{a}", ok());
  std::string deep;
  for (std::size_t i = 0; i <= Router::kMaxSegments; ++i) deep += "/x";
  auto match = router.match(Method::kGet, deep);
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.allow.empty());
}

TEST(Headers, ClearAndRemoveKeepOrderAndValues) {
  Headers headers;
  headers.add("A", "1");
  headers.add("B", "2");
  headers.add("a", "3");
  headers.add("C", "4");
  headers.remove("A");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers.entry(0).name, "B");
  EXPECT_EQ(headers.entry(1).name, "C");
  EXPECT_EQ(headers.entry(1).value, "4");
  EXPECT_FALSE(headers.contains("a"));
  headers.clear();
  EXPECT_TRUE(headers.empty());
  EXPECT_FALSE(headers.get("B"));
  headers.add("D", "5");
  EXPECT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers.get("d"), "5");
  headers.set("d", "6");
  EXPECT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers.get("D"), "6");
}

TEST(RequestContext, RecycleLeavesNothingOfThePreviousRequest) {
  Router router;
  router.add(Method::kGet, "/v1/things/{id}", ok());
  RequestContext context;
  context.request.method = Method::kGet;
  context.request.method_text = "GET";
  context.request.target = "/v1/things/9?x=1";
  context.request.version = 10;
  context.request.headers.add("Authorization", "Bearer secret");
  context.request.body = "payload";
  context.request.remote_address = "10.0.0.1";
  auto match = router.match(Method::kGet, "/v1/things/9");
  context.route = match.route;
  context.path_params = match.params;
  context.allow = match.allow;
  context.bad_path_encoding = true;
  context.request_id = "rid";
  context.trace = {"t", "p", "s", "01"};
  context.started = std::chrono::steady_clock::now();
  context.deadline = context.started;
  context.rejection = core::Error::invalid("x", "y");
  context.principal = std::make_shared<core::Principal>();

  context.recycle();
  RequestContext fresh;
  EXPECT_EQ(context.request.method, fresh.request.method);
  EXPECT_TRUE(context.request.method_text.empty());
  EXPECT_TRUE(context.request.target.empty());
  EXPECT_EQ(context.request.version, fresh.request.version);
  EXPECT_TRUE(context.request.headers.empty());
  EXPECT_FALSE(context.request.headers.get("Authorization"));
  EXPECT_TRUE(context.request.body.empty());
  EXPECT_TRUE(context.request.remote_address.empty());
  EXPECT_EQ(context.route, nullptr);
  EXPECT_TRUE(context.path_params.empty());
  EXPECT_TRUE(context.allow.empty());
  EXPECT_FALSE(context.bad_path_encoding);
  EXPECT_TRUE(context.request_id.empty());
  EXPECT_TRUE(context.trace.trace_id.empty());
  EXPECT_TRUE(context.trace.parent_id.empty());
  EXPECT_TRUE(context.trace.span_id.empty());
  EXPECT_EQ(context.trace.flags, fresh.trace.flags);
  EXPECT_EQ(context.started, fresh.started);
  EXPECT_EQ(context.deadline, fresh.deadline);
  EXPECT_FALSE(context.rejection);
  EXPECT_FALSE(context.principal);
}

TEST(PercentDecode, Cases) {
  EXPECT_EQ(percent_decode("a%2Fb"), "a/b");
  EXPECT_EQ(percent_decode("%41%42"), "AB");
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%g1"));
}

}  // namespace
}  // namespace aic::http
