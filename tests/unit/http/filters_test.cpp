#include "http/filters.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>

#include "core/logging.hpp"

namespace aic::http {
namespace {

TEST(Traceparent, AcceptsValid) {
  auto trace = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(trace->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(trace->flags, "01");
}

TEST(Traceparent, RejectsInvalid) {
  for (auto header : {
           "",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // unknown version
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",   // short flags
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // separators
       }) {
    EXPECT_FALSE(parse_traceparent(header)) << header;
  }
}

TEST(RequestId, Validation) {
  EXPECT_TRUE(valid_request_id("abc-123_X.y:z"));
  EXPECT_TRUE(valid_request_id(std::string(128, 'a')));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
  EXPECT_FALSE(valid_request_id("has space"));
  EXPECT_FALSE(valid_request_id("quote\""));
  EXPECT_FALSE(valid_request_id("line\nbreak"));
}

TEST(AccessLog, OneJsonLinePerRequestWithoutSecrets) {
  core::configure_logging(core::LogConfig{});
  RequestContext context;
  context.request.method_text = "POST";
  context.request.remote_address = "127.0.0.1";
  context.request.headers.add("Authorization", "Bearer secret-token");
  context.request_id = "req-42";
  context.trace.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  context.started = std::chrono::steady_clock::now();
  Response response = Response::json(201, R"({"id":1})");
  AccessLogFilter filter;
  testing::internal::CaptureStdout();
  filter.on_response(context, response);
  std::fflush(stdout);
  std::string line = testing::internal::GetCapturedStdout();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  auto entry = boost::json::parse(line).as_object();
  EXPECT_EQ(entry["method"], "POST");
  EXPECT_EQ(entry["route"], "unmatched");
  EXPECT_EQ(entry["status"], 201);
  EXPECT_EQ(entry["bytes"], 8);
  EXPECT_TRUE(entry["duration_us"].is_int64());
  EXPECT_EQ(entry["request_id"], "req-42");
  EXPECT_EQ(entry["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(line.find("secret-token"), std::string::npos);
}

}  // namespace
}  // namespace aic::http
