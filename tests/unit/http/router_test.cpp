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
