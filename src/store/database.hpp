// The storage interface every module uses. One Database per process; the backend (embedded
// SQLite or PostgreSQL) is chosen by URL and hidden behind this interface.
//
// Threading: a Database is shared by all threads (it owns a connection pool). Every call
// blocks the calling thread on I/O, so request handlers must run it on the worker pool
// (core::WorkerPool::run), never on an I/O thread.
//
// SQL is written once for both backends where possible: parameters are `$1`, `$2`, … on both
// (the SQLite backend binds them by number). Dialect differences live in migrations, which
// carry one script per backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"

namespace aic::store {

using core::Result;
using core::Status;

struct Blob {
  std::vector<std::uint8_t> bytes;
  bool operator==(const Blob&) const = default;
};

// A parameter or a column value. Integers are 64-bit; booleans are stored as 0/1 integers.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  std::int64_t affected_rows = 0;  // for INSERT/UPDATE/DELETE

  // Typed accessors. REQUIRES: row < rows.size(), column < columns.size(). Reading a value
  // of another type (text as an integer) is a programmer error: std::logic_error.
  bool is_null(std::size_t row, std::size_t column) const;
  std::int64_t integer(std::size_t row, std::size_t column) const;  // 0 when NULL
  double real(std::size_t row, std::size_t column) const;           // ints widen
  std::string text(std::size_t row, std::size_t column) const;      // "" when NULL
  // text(), moved out of the result instead of copied; the cell is left holding "".
  std::string take_text(std::size_t row, std::size_t column);
  Blob blob(std::size_t row, std::size_t column) const;
};

enum class Backend { kSqlite, kPostgres };
std::string_view backend_name(Backend backend);

enum class Access {
  kReadOnly,   // SQLite: any reader connection; PostgreSQL: READ ONLY transaction
  kReadWrite,  // SQLite: the single writer (BEGIN IMMEDIATE); PostgreSQL: READ WRITE
};

// A transaction in progress. Only valid inside the `work` callback of Database::transact.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Runs one statement. Errors: kConflict for unique/foreign-key violations, kUnavailable
  // when the connection is lost, kInvalidArgument for SQL the backend rejects.
  // After a statement fails the transaction is aborted on both backends (PostgreSQL's rule):
  // later statements fail with the same error and the transaction never commits.
  virtual Result<QueryResult> execute(std::string_view sql, std::span<const Value> params = {}) = 0;
  Result<QueryResult> execute(std::string_view sql, std::initializer_list<Value> params) {
    return execute(sql, std::span<const Value>(params.begin(), params.size()));
  }

  // Runs several `;`-separated statements without parameters (migrations, fixtures).
  virtual Status execute_script(std::string_view sql) = 0;

  virtual Backend backend() const = 0;

  // Runs `action` once this transaction has committed; never when it rolls back (a retried
  // attempt starts with none). For telling other threads about committed work, such as a
  // webhook to deliver, without them seeing it before it exists. `action` must not throw.
  void after_commit(std::function<void()> action) { after_commit_.push_back(std::move(action)); }
  // Called by the backend right after a successful COMMIT.
  void run_after_commit() {
    for (auto& action : after_commit_) action();
    after_commit_.clear();
  }

 private:
  std::vector<std::function<void()>> after_commit_;
};

struct DatabaseOptions {
  std::string url;            // sqlite://PATH or postgres://…
  std::size_t pool_size = 8;  // SQLite: reader connections (plus one writer)
  std::chrono::milliseconds busy_timeout{5000};
  int max_attempts = 5;  // transact() attempts on busy / serialization failures
};

class Database {
 public:
  virtual ~Database() = default;

  virtual Backend backend() const = 0;

  // Runs `work` in one transaction and commits if it succeeds; rolls back if it returns an
  // error or throws (the exception propagates). When the backend reports a transient
  // conflict (SQLite busy/locked, PostgreSQL serialization failure or deadlock) the whole of
  // `work` is retried with backoff, up to DatabaseOptions::max_attempts: `work` must only
  // touch the database, never other state it cannot repeat. `work` must not call transact()
  // (the inner call would wait for a connection the outer one holds, then fail).
  virtual Status transact(Access access, const std::function<Status(Transaction&)>& work) = 0;

  // Succeeds when a connection can run a trivial query.
  Status ping();
};

// The options for the configured database (url, pool size, busy timeout).
DatabaseOptions database_options(const core::DatabaseConfig& config);

// Opens the database named by options.url. Creates a missing SQLite file (and its parent
// directory). Errors: kInvalidArgument for a bad URL, kUnavailable when it cannot connect.
Result<std::unique_ptr<Database>> open_database(const DatabaseOptions& options);

// Inserts `rows` rows of `columns` values each with multi-row INSERTs of at most 128 rows (a
// few round trips, well under every backend's parameter limit, few distinct statements). `head` is
// "INSERT INTO t (a, b) VALUES ", `tail` what follows the values (" ON CONFLICT … DO NOTHING");
// `add_row(i, params)` appends row i's values. Returns the rows the database inserted.
Result<std::int64_t> insert_rows(
    Transaction& tx, std::string_view head, std::size_t columns, std::size_t rows,
    const std::function<void(std::size_t, std::vector<Value>&)>& add_row,
    std::string_view tail = {});

}  // namespace aic::store
