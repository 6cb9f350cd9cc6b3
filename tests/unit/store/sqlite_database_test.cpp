// Behaviour specific to the SQLite backend.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/random.hpp"
#include "store/database.hpp"
#include "store_test_support.hpp"

namespace aic::store::testing {
namespace {

class SqliteDatabaseTest : public BackendTest {};

TEST_P(SqliteDatabaseTest, UsesWriteAheadLogging) {
  Result<QueryResult> mode = read(db(), "PRAGMA journal_mode");
  ASSERT_TRUE(ok(mode));
  EXPECT_EQ(mode->text(0, 0), "wal");
}

TEST_P(SqliteDatabaseTest, EnforcesForeignKeys) {
  Result<QueryResult> enabled = read(db(), "PRAGMA foreign_keys");
  ASSERT_TRUE(ok(enabled));
  EXPECT_EQ(enabled->integer(0, 0), 1);
}

TEST_P(SqliteDatabaseTest, DoubleQuotesAreIdentifiersAsInPostgres) {
  // With double-quoted string literals allowed, this would quietly compare with a string.
  Result<QueryResult> result = read(db(), "SELECT \"no_such_column\"");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidArgument);
}

TEST_P(SqliteDatabaseTest, NamedParametersAreRejected) {
  Result<QueryResult> result = read(db(), "SELECT :name", {std::int64_t{1}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("$1, $2"), std::string::npos) << result.error().message;
}

TEST_P(SqliteDatabaseTest, EveryOtherParameterFormIsRejected) {
  for (const char* sql :
       {"SELECT ?", "SELECT ?1", "SELECT @p", "SELECT $p", "SELECT $1x", "SELECT $0"}) {
    Result<QueryResult> result = read(db(), sql, {std::int64_t{1}});
    ASSERT_FALSE(result) << sql;
    EXPECT_EQ(result.error().code, core::ErrorCode::kInvalidArgument) << sql;
    EXPECT_NE(result.error().message.find("$1, $2"), std::string::npos) << result.error().message;
  }
}

TEST_P(SqliteDatabaseTest, DollarDigitsInLiteralsIdentifiersAndCommentsStayText) {
  // Only $N outside quotes and comments is a parameter; everything else reaches SQLite as is.
  Result<QueryResult> result = read(db(),
                                    "SELECT '$1 it''s $2' AS \"$1\", [$2] -- $3 ?\n"
                                    "  , $1 /* $4 ? :x */ FROM (SELECT 7 AS [$2])",
                                    {std::string("value")});
  ASSERT_TRUE(ok(result)) << result.error().message;
  EXPECT_EQ(result->text(0, 0), "$1 it's $2");
  EXPECT_EQ(result->integer(0, 1), 7);
  EXPECT_EQ(result->text(0, 2), "value");
  EXPECT_EQ(result->columns[0], "$1");
}

TEST_P(SqliteDatabaseTest, ThousandsOfParametersInOneStatement) {
  // Multi-row INSERTs bind thousands of values; every one lands at its own $N.
  std::string sql = "SELECT SUM(column1) FROM (VALUES ";
  std::vector<Value> params;
  for (int i = 1; i <= 3000; ++i) {
    if (i > 1) sql += ", ";
    sql += "($" + std::to_string(i) + ")";
    params.emplace_back(std::int64_t{i});
  }
  sql += ")";
  Result<QueryResult> result = read(db(), sql, params);
  ASSERT_TRUE(ok(result)) << result.error().message;
  EXPECT_EQ(result->integer(0, 0), 3000 * 3001 / 2);
}

TEST_P(SqliteDatabaseTest, CreatesTheMissingParentDirectory) {
  const std::filesystem::path file = sqlite_directory_ / "nested" / "deeper" / "aic.db";
  ASSERT_FALSE(std::filesystem::exists(file.parent_path()));
  DatabaseOptions nested = options();
  nested.url = "sqlite://" + file.string();
  std::unique_ptr<Database> database = open(nested);
  ASSERT_NE(database, nullptr);
  EXPECT_TRUE(ok(database->ping()));
  EXPECT_TRUE(std::filesystem::exists(file));
}

TEST_P(SqliteDatabaseTest, RelativePathsWork) {
  // sqlite://./x.db names x.db in the working directory.
  const std::filesystem::path saved = std::filesystem::current_path();
  std::filesystem::current_path(sqlite_directory_);
  DatabaseOptions relative = options();
  relative.url = "sqlite://./var/relative.db";
  std::unique_ptr<Database> database = open(relative);
  std::filesystem::current_path(saved);
  ASSERT_NE(database, nullptr);
  EXPECT_TRUE(std::filesystem::exists(sqlite_directory_ / "var" / "relative.db"));
}

TEST_P(SqliteDatabaseTest, UnwritableLocationIsUnavailable) {
  DatabaseOptions blocked = options();
  // A regular file where a directory is needed.
  const std::filesystem::path file = sqlite_directory_ / "plain_file";
  ASSERT_TRUE(ok(write(db(), "SELECT 1")));
  { std::ofstream(file.string()) << "x"; }
  blocked.url = "sqlite://" + (file / "aic.db").string();
  Result<std::unique_ptr<Database>> opened = open_database(blocked);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteDatabaseTest, ::testing::Values(Backend::kSqlite),
                         backend_param_name);

}  // namespace
}  // namespace aic::store::testing
