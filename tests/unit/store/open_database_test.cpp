// open_database() argument checking, QueryResult accessors and retry backoff: no server needed.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>

#include "store/database.hpp"
#include "store/transaction_retry.hpp"

namespace aic::store {
namespace {

using core::ErrorCode;

TEST(OpenDatabaseTest, BadUrlsAreInvalidArgument) {
  for (const std::string url :
       {"", "sqlite://", "sqlite:", "mysql://root:pw@localhost/aic", "user:s3cret@localhost/aic",
        "sqlite://./var/aic.db?mode=ro",
        "sqlite://:memory:", "postgres://user:s3cret@localhost/aic?no_such_option=1"}) {
    DatabaseOptions options;
    options.url = url;
    Result<std::unique_ptr<Database>> opened = open_database(options);
    ASSERT_FALSE(opened) << url;
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_EQ(opened.error().field, "database.url") << url;
    EXPECT_EQ(opened.error().message.find("s3cret"), std::string::npos) << opened.error().message;
  }
}

TEST(OpenDatabaseTest, BadOptionsAreInvalidArgument) {
  DatabaseOptions no_pool;
  no_pool.url = "sqlite:///tmp/never-created.db";
  no_pool.pool_size = 0;
  Result<std::unique_ptr<Database>> opened = open_database(no_pool);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(opened.error().field, "database.pool_size");

  DatabaseOptions no_attempts;
  no_attempts.url = "sqlite:///tmp/never-created.db";
  no_attempts.max_attempts = 0;
  opened = open_database(no_attempts);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenDatabaseTest, UnreachablePostgresIsUnavailableAndHidesThePassword) {
  for (const std::string url : {"postgres://aic:hunter2-secret@127.0.0.1:1/aic",
                                "postgresql://127.0.0.1:1/aic?user=aic&password=hunter2-secret"}) {
    DatabaseOptions options;
    options.url = url;
    options.busy_timeout = std::chrono::milliseconds(100);
    Result<std::unique_ptr<Database>> opened = open_database(options);
    ASSERT_FALSE(opened) << url;
    EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable) << opened.error().message;
    EXPECT_EQ(opened.error().message.find("hunter2"), std::string::npos) << opened.error().message;
    EXPECT_NE(opened.error().message.find("127.0.0.1"), std::string::npos)
        << opened.error().message;
  }
}

TEST(BackendNameTest, NamesEachBackend) {
  EXPECT_EQ(backend_name(Backend::kSqlite), "sqlite");
  EXPECT_EQ(backend_name(Backend::kPostgres), "postgres");
}

QueryResult sample_result() {
  QueryResult result;
  result.columns = {"nothing", "count", "ratio", "label", "bytes"};
  result.rows = {{nullptr, std::int64_t{-3}, 0.5, std::string("hi"), Blob{{1, 2}}}};
  return result;
}

TEST(QueryResultTest, TypedAccessorsReadTheirType) {
  const QueryResult result = sample_result();
  EXPECT_TRUE(result.is_null(0, 0));
  EXPECT_FALSE(result.is_null(0, 1));
  EXPECT_EQ(result.integer(0, 1), -3);
  EXPECT_EQ(result.real(0, 2), 0.5);
  EXPECT_EQ(result.real(0, 1), -3.0);  // integers widen
  EXPECT_EQ(result.text(0, 3), "hi");
  EXPECT_EQ(result.blob(0, 4), (Blob{{1, 2}}));
}

TEST(QueryResultTest, NullReadsAsTheEmptyValue) {
  const QueryResult result = sample_result();
  EXPECT_EQ(result.integer(0, 0), 0);
  EXPECT_EQ(result.real(0, 0), 0.0);
  EXPECT_EQ(result.text(0, 0), "");
  EXPECT_EQ(result.blob(0, 0), Blob{});
}

TEST(QueryResultTest, AccessorOfTheWrongTypeIsAProgrammerError) {
  const QueryResult result = sample_result();
  EXPECT_THROW((void)result.integer(0, 3), std::logic_error);
  EXPECT_THROW((void)result.integer(0, 2), std::logic_error);
  EXPECT_THROW((void)result.text(0, 1), std::logic_error);
  EXPECT_THROW((void)result.blob(0, 3), std::logic_error);
  EXPECT_THROW((void)result.real(0, 3), std::logic_error);
}

TEST(RetryBackoffTest, GrowsExponentiallyWithJitterUpToACap) {
  for (int retry = 1; retry <= 30; ++retry) {
    const auto ceiling =
        std::min(std::chrono::microseconds(500'000),
                 std::chrono::microseconds(5'000) * (std::int64_t{1} << std::min(retry - 1, 20)));
    for (int sample = 0; sample < 20; ++sample) {
      const std::chrono::microseconds pause = retry_backoff(retry);
      EXPECT_GE(pause, ceiling / 2) << "retry " << retry;
      EXPECT_LE(pause, ceiling) << "retry " << retry;
    }
  }
}

TEST(RetryTest, StopsAtTheFirstPermanentOutcome) {
  int calls = 0;
  Status status = run_with_retries(5, [&] {
    ++calls;
    return AttemptOutcome{core::Error::invalid("bad"), false};
  });
  EXPECT_EQ(calls, 1);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "bad");
}

TEST(RetryTest, RetriesTransientOutcomesThenGivesUp) {
  int calls = 0;
  Status status = run_with_retries(3, [&] {
    ++calls;
    return AttemptOutcome{core::Error::make(ErrorCode::kUnavailable, "database is locked"), true};
  });
  EXPECT_EQ(calls, 3);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(status.error().message,
            "database is busy (gave up after 3 attempts): database is locked");
}

TEST(RetryTest, SucceedsAfterATransientOutcome) {
  int calls = 0;
  Status status = run_with_retries(3, [&] {
    ++calls;
    if (calls == 1) {
      return AttemptOutcome{core::Error::make(ErrorCode::kUnavailable, "deadlock"), true};
    }
    return AttemptOutcome{};
  });
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(status);
}

}  // namespace
}  // namespace aic::store
