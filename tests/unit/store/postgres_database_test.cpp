// Behaviour specific to the PostgreSQL backend.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "store/database.hpp"
#include "store_test_support.hpp"

namespace aic::store::testing {
namespace {

class PostgresDatabaseTest : public BackendTest {};

TEST_P(PostgresDatabaseTest, ConvertsColumnsByType) {
  Result<QueryResult> result =
      read(db(),
           "SELECT true AS yes, false AS no, 42::int2 AS small, 7::int4 AS medium, 26::oid AS oid, "
           "1.25::numeric AS exact, 2.5::float4 AS single, 'x'::varchar AS varchar, "
           "'\\x00ff'::bytea AS bytes, NULL::int8 AS missing, 'NaN'::float8 AS nan, "
           "'-Infinity'::float8 AS minus_infinity, DATE '2024-02-29' AS day, "
           "12345678901234567::numeric AS big, sum(x) AS total "
           "FROM (VALUES (9007199254740993::int8), (1::int8)) AS v (x)");
  ASSERT_TRUE(ok(result));
  ASSERT_EQ(result->rows.size(), 1u);
  const std::vector<Value>& row = result->rows[0];
  EXPECT_EQ(row[0], Value{std::int64_t{1}});
  EXPECT_EQ(row[1], Value{std::int64_t{0}});
  EXPECT_EQ(row[2], Value{std::int64_t{42}});
  EXPECT_EQ(row[3], Value{std::int64_t{7}});
  EXPECT_EQ(row[4], Value{std::int64_t{26}});
  EXPECT_EQ(row[5], Value{1.25});
  EXPECT_EQ(row[6], Value{2.5});
  EXPECT_EQ(row[7], Value{std::string("x")});
  EXPECT_EQ(row[8], Value{(Blob{{0x00, 0xff}})});
  EXPECT_EQ(row[9], Value{nullptr});
  EXPECT_TRUE(std::isnan(result->real(0, 10)));
  EXPECT_EQ(result->real(0, 11), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(row[12], Value{std::string("2024-02-29")});
  // Integral numerics stay exact integers, beyond the 2^53 a double can hold.
  EXPECT_EQ(row[13], Value{std::int64_t{12345678901234567}});
  EXPECT_EQ(row[14], Value{std::int64_t{9007199254740994}});
}

TEST_P(PostgresDatabaseTest, IdentifiesItselfAsAic) {
  Result<QueryResult> name = read(db(), "SELECT current_setting('application_name')");
  ASSERT_TRUE(ok(name));
  EXPECT_EQ(name->text(0, 0), "aic");
}

TEST_P(PostgresDatabaseTest, ABrokenConnectionIsReplaced) {
  DatabaseOptions single = options();
  single.pool_size = 1;
  std::unique_ptr<Database> database = open(single);
  ASSERT_NE(database, nullptr);
  Result<QueryResult> before = read(*database, "SELECT pg_backend_pid()");
  ASSERT_TRUE(ok(before));
  const std::int64_t pid = before->integer(0, 0);

  ASSERT_TRUE(ok(read(db(), "SELECT pg_terminate_backend($1::int4)", {Value{pid}})));
  // Termination is asynchronous: poll until the server process is gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    Result<QueryResult> alive =
        read(db(), "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int4", {Value{pid}});
    ASSERT_TRUE(ok(alive));
    if (alive->integer(0, 0) == 0) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "backend " << pid << " lingers";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // The pooled connection is dead; the transaction fails over to a fresh one.
  Result<QueryResult> after = read(*database, "SELECT pg_backend_pid()");
  ASSERT_TRUE(ok(after));
  EXPECT_NE(after->integer(0, 0), pid);
}

TEST_P(PostgresDatabaseTest, NoticesStayOffStderr) {
  // "relation … already exists, skipping" is a NOTICE; it must not reach the process output.
  ::testing::internal::CaptureStderr();
  Status status = db().transact(Access::kReadWrite, [](Transaction& transaction) {
    return transaction.execute_script(
        "CREATE TABLE IF NOT EXISTS t (x BIGINT); CREATE TABLE IF NOT EXISTS t (x BIGINT)");
  });
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(ok(status));
  EXPECT_EQ(printed, "");
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresDatabaseTest, ::testing::Values(Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::store::testing
