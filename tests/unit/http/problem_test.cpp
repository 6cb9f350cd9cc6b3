#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace aic::http {
namespace {

TEST(Problem, RendersRfc9457Document) {
  core::Error error = core::Error::invalid("must be a positive integer", "limit");
  auto response = problem_response(error, "req-1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json");
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body["type"], "urn:aic:problem:invalid-argument");
  EXPECT_EQ(body["title"], "Invalid request");
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["detail"], "must be a positive integer");
  EXPECT_EQ(body["field"], "limit");
  EXPECT_EQ(body["request_id"], "req-1");
  EXPECT_FALSE(body.contains("header"));
}

TEST(Problem, StatusMappingAndRetryAfter) {
  EXPECT_EQ(status_for(core::ErrorCode::kHeadersTooLarge), 431);
  EXPECT_EQ(status_for(core::ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(status_for(core::ErrorCode::kMethodNotAllowed), 405);
  EXPECT_EQ(status_for(core::ErrorCode::kRequestTimeout), 408);
  auto overloaded = problem_response(core::Error::make(core::ErrorCode::kOverloaded, "busy"), "");
  EXPECT_EQ(overloaded.status, 503);
  EXPECT_EQ(overloaded.headers.get("Retry-After"), "1");
}

TEST(Problem, EveryCodeHasADistinctType) {
  std::set<std::string> types;
  for (int code = 0; code <= static_cast<int>(core::ErrorCode::kInternal); ++code) {
    auto response =
        problem_response(core::Error::make(static_cast<core::ErrorCode>(code), "x"), "");
    types.insert(std::string(boost::json::parse(response.body).as_object()["type"].as_string()));
  }
  EXPECT_EQ(types.size(), static_cast<std::size_t>(core::ErrorCode::kInternal) + 1);
}

}  // namespace
}  // namespace aic::http
