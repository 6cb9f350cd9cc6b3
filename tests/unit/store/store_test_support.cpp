#include "store_test_support.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "core/random.hpp"

namespace aic::store::testing {
namespace {

constexpr const char* kUrlFileVariable = "AIC_TEST_POSTGRES_URL_FILE";
constexpr const char* kSkipVariable = "AIC_TEST_SKIP_POSTGRES";

}  // namespace

std::optional<std::string> admin_exec(const std::string& url, const std::string& sql) {
  PGconn* connection = PQconnectdb(url.c_str());
  std::optional<std::string> error;
  if (PQstatus(connection) != CONNECTION_OK) {
    error = std::string("cannot connect: ") + PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      error = sql + ": " + PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(connection);
  return error;
}

std::string with_database(const std::string& url, const std::string& name) {
  const auto authority_start = url.find("://") + 3;
  const auto path_start = url.find('/', authority_start);
  const auto query_start = url.find('?', authority_start);
  std::string out = url.substr(0, std::min(path_start, query_start)) + "/" + name;
  if (query_start != std::string::npos) out += url.substr(query_start);
  return out;
}

std::optional<std::string> postgres_server_url() {
  const char* url_file = std::getenv(kUrlFileVariable);
  std::ifstream in(url_file != nullptr ? url_file : "");
  std::string base_url;
  if (!in || !std::getline(in, base_url) || base_url.empty()) return std::nullopt;
  return base_url;
}

void BackendTest::SetUp() {
  const std::string suffix = core::random_hex(core::system_random(), 8);
  if (backend() == Backend::kSqlite) {
    sqlite_directory_ = std::filesystem::temp_directory_path() / ("aic_store_test_" + suffix);
    url_ = "sqlite://" + (sqlite_directory_ / "aic.db").string();
  } else {
    const char* skip = std::getenv(kSkipVariable);
    if (skip != nullptr && std::string(skip) == "1") {
      GTEST_SKIP() << kSkipVariable << "=1: PostgreSQL tests skipped on request";
    }
    const char* url_file = std::getenv(kUrlFileVariable);
    std::ifstream in(url_file != nullptr ? url_file : "");
    std::string base_url;
    if (!in || !std::getline(in, base_url) || base_url.empty()) {
      FAIL() << "PostgreSQL tests need a server, but " << kUrlFileVariable << " ("
             << (url_file != nullptr ? url_file : "unset")
             << ") does not name a file holding its URL. Run the tests through ctest, which "
                "starts one with tests/support/pg_cluster.sh, or set "
             << kSkipVariable << "=1 to skip them.";
    }
    postgres_admin_url_ = base_url;
    postgres_database_name_ = "aic_test_" + suffix;
    if (auto error =
            admin_exec(postgres_admin_url_, "CREATE DATABASE " + postgres_database_name_)) {
      postgres_database_name_.clear();
      FAIL() << *error;
    }
    url_ = with_database(base_url, postgres_database_name_);
  }
  database_ = open(options());
  ASSERT_NE(database_, nullptr);
}

void BackendTest::TearDown() {
  database_.reset();
  if (!sqlite_directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(sqlite_directory_, ignored);
  }
  if (!postgres_database_name_.empty()) {
    if (auto error =
            admin_exec(postgres_admin_url_,
                       "DROP DATABASE IF EXISTS " + postgres_database_name_ + " WITH (FORCE)")) {
      ADD_FAILURE() << *error;
    }
  }
}

DatabaseOptions BackendTest::options() const {
  DatabaseOptions options;
  options.url = url_;
  options.pool_size = 4;
  options.busy_timeout = std::chrono::seconds(5);
  options.max_attempts = 10;
  return options;
}

std::unique_ptr<Database> BackendTest::open(const DatabaseOptions& options) {
  Result<std::unique_ptr<Database>> opened = open_database(options);
  if (!opened) {
    ADD_FAILURE() << "open_database(" << backend_name(backend()) << "): " << opened.error().message;
    return nullptr;
  }
  return std::move(opened).value();
}

std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(backend_name(info.param));
}

::testing::AssertionResult ok(const Status& status) {
  if (status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << core::error_code_name(status.error().code) << ": " << status.error().message;
}

Result<QueryResult> run(Database& database, Access access, const std::string& sql,
                        const std::vector<Value>& params) {
  std::optional<QueryResult> out;
  Status status = database.transact(access, [&](Transaction& transaction) -> Status {
    Result<QueryResult> result = transaction.execute(sql, params);
    if (!result) return std::move(result).error();
    out = std::move(result).value();
    return {};
  });
  if (!status) return std::move(status).error();
  return std::move(*out);
}

bool Rendezvous::arrive_and_wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (--remaining_ <= 0) {
    all_arrived_.notify_all();
    return true;
  }
  return all_arrived_.wait_for(lock, timeout, [this] { return remaining_ <= 0; });
}

void Rendezvous::arrive() {
  std::lock_guard lock(mutex_);
  if (--remaining_ <= 0) all_arrived_.notify_all();
}

}  // namespace aic::store::testing
