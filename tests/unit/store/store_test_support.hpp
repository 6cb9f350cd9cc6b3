// Test fixture shared by the store tests: a fresh, empty database of one backend per test.
//
// SQLite: a new file in a new temporary directory. PostgreSQL: a new database
// (aic_test_<random>) on the server whose URL is in the file named by
// AIC_TEST_POSTGRES_URL_FILE (ctest starts that server with tests/support/pg_cluster.sh),
// dropped again in TearDown. Without that file the PostgreSQL tests FAIL, so that a missing
// server never passes for a green run; AIC_TEST_SKIP_POSTGRES=1 skips them on purpose.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace aic::store {
// Prints "sqlite" / "postgres" in gtest messages instead of the enum's bytes.
inline void PrintTo(Backend backend, std::ostream* out) { *out << backend_name(backend); }
}  // namespace aic::store

namespace aic::store::testing {

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Backend backend() const { return GetParam(); }
  bool is_postgres() const { return backend() == Backend::kPostgres; }

  // Options for this test's database: its URL, a small pool and short timeouts.
  DatabaseOptions options() const;
  // A second (third …) independent Database on the same data, like another process.
  // Fails the test (and returns nullptr) when it cannot be opened.
  std::unique_ptr<Database> open(const DatabaseOptions& options);
  // The Database opened by SetUp with options().
  Database& db() { return *database_; }
  // Closes db(), e.g. before reopening the same data.
  void close_db() { database_.reset(); }

  // Column type for binary data: BLOB or BYTEA.
  std::string blob_type() const { return is_postgres() ? "BYTEA" : "BLOB"; }

  std::string url_;
  std::filesystem::path sqlite_directory_;  // SQLite only

 private:
  std::string postgres_admin_url_;
  std::string postgres_database_name_;
  std::unique_ptr<Database> database_;
};

// Runs one statement on a direct libpq connection to `url`; the error, if any. CREATE/DROP
// DATABASE cannot run inside a transaction, so they bypass Database::transact.
std::optional<std::string> admin_exec(const std::string& url, const std::string& sql);
// `url` with its database name replaced by `name`.
std::string with_database(const std::string& url, const std::string& name);
// The URL of the test PostgreSQL server (ctest starts it, fixture "postgres"), if any.
std::optional<std::string> postgres_server_url();

// "sqlite" / "postgres", for test names.
std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info);

::testing::AssertionResult ok(const Status& status);
template <typename T>
::testing::AssertionResult ok(const Result<T>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << core::error_code_name(result.error().code) << ": " << result.error().message;
}

// Runs one statement in its own transaction.
Result<QueryResult> run(Database& database, Access access, const std::string& sql,
                        const std::vector<Value>& params = {});
inline Result<QueryResult> write(Database& database, const std::string& sql,
                                 const std::vector<Value>& params = {}) {
  return run(database, Access::kReadWrite, sql, params);
}
inline Result<QueryResult> read(Database& database, const std::string& sql,
                                const std::vector<Value>& params = {}) {
  return run(database, Access::kReadOnly, sql, params);
}

// Lets threads wait for each other with a deadline, so a broken test fails instead of hanging.
class Rendezvous {
 public:
  explicit Rendezvous(int parties) : remaining_(parties) {}
  // Returns false when the others did not arrive within `timeout`.
  bool arrive_and_wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Arrives without waiting.
  void arrive();

 private:
  std::mutex mutex_;
  std::condition_variable all_arrived_;
  int remaining_;  // GUARDED_BY(mutex_)
};

}  // namespace aic::store::testing
