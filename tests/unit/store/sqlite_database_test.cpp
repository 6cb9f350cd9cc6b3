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
