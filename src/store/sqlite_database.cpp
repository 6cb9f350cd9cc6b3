// SQLite backend: one writer connection and a pool of reader connections on one file in WAL
// mode. WAL lets readers run concurrently with the single writer, each reader seeing the last
// commit before its transaction started; SQLite itself allows only one writer at a time, so
// the writer connection is a pool of one and read-write transactions queue for it.
#include "store/sqlite_database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/thread_name.hpp"
#include "store/connection_pool.hpp"
#include "store/transaction_retry.hpp"

namespace aic::store {
namespace {

using core::Error;
using core::ErrorCode;

// Statements are cached per connection, keyed by their SQL text. SQL comes from code, so the
// set is small; the bound only protects memory from a caller that builds SQL at run time.
constexpr std::size_t kStatementCacheCapacity = 256;

enum class Role { kWriter, kReader };

// SQLite reports lock contention as BUSY (another connection holds the lock; BUSY_SNAPSHOT
// when a read snapshot went stale) or LOCKED (a conflict inside shared state). Both clear up
// once the other transaction ends, so the whole transaction is worth repeating.
bool is_transient(int result_code) {
  const int primary = result_code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

ErrorCode error_code_for(int result_code) {
  switch (result_code & 0xff) {
    case SQLITE_CONSTRAINT:  // UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK, NOT NULL
      return ErrorCode::kConflict;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return ErrorCode::kUnavailable;
    case SQLITE_ERROR:  // syntax errors, unknown tables or columns
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return ErrorCode::kInvalidArgument;
    default:  // READONLY (a write in a read-only transaction), CORRUPT, NOTADB, MISUSE, NOMEM
      return ErrorCode::kInternal;
  }
}

// A failed step of a transaction, and whether repeating the whole transaction may cure it.
struct Failure {
  Error error;
  bool transient = false;
};

// SQLite's own message names the constraint ("UNIQUE constraint failed: items.name").
Failure failure_from(sqlite3* db, int result_code) {
  const char* message = sqlite3_errmsg(db);
  return Failure{Error::make(error_code_for(result_code),
                             message != nullptr ? message : sqlite3_errstr(result_code)),
                 is_transient(result_code)};
}

Failure misuse(std::string message) { return Failure{Error::invalid(std::move(message)), false}; }

// A prepared statement. Its `$N` parameters were rewritten to SQLite's `?N` (see
// numbered_parameters()), so `$N` is bound at index N.
class PreparedStatement {
 public:
  explicit PreparedStatement(sqlite3_stmt* handle)
      : handle_(handle),
        parameter_count_(static_cast<std::size_t>(sqlite3_bind_parameter_count(handle))) {}
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement() { sqlite3_finalize(handle_); }

  sqlite3_stmt* handle() const { return handle_; }
  // The highest N: the number of values execute() must be given.
  std::size_t parameter_count() const { return parameter_count_; }

 private:
  sqlite3_stmt* handle_;
  std::size_t parameter_count_;
};

// Resets a statement and drops its bindings when leaving scope, so a cached statement is
// ready for its next use and holds no pointer into the caller's parameters, whatever happens.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* handle) : handle_(handle) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() {
    sqlite3_reset(handle_);
    sqlite3_clear_bindings(handle_);
  }

 private:
  sqlite3_stmt* handle_;
};

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// `sql` with its `$N` parameters in a form SQLite binds at index N without lookups. SQLite
// treats `$1` as a *named* parameter: it numbers names in order of first appearance and
// searches a list for each one while compiling, which is quadratic in the number of
// parameters (a 1,600-value INSERT spent most of its time there). `?N` is bound at index N,
// but code generation still searches that list once per `?N`; only a bare `?` (the next
// index) is free. So parameters used once each in order ($1, $2, $3 …, the multi-row INSERT)
// become `?`, and any other use becomes `?N`. String literals, quoted identifiers and
// comments are copied unchanged; any other parameter form (`?`, `:name`, `@name`, `$name`) is
// refused, so that both backends accept the same statements.
Result<std::string> numbered_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  // Where each `?N`'s digits are in `out`, while the parameters come in order.
  std::vector<std::pair<std::size_t, std::size_t>> digit_runs;
  bool in_order = true;
  std::size_t i = 0;
  auto copy_until = [&](std::string_view end) {
    const std::size_t found = sql.find(end, i);
    const std::size_t stop = found == std::string_view::npos ? sql.size() : found + end.size();
    out.append(sql.substr(i, stop - i));
    i = stop;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'' || c == '"' || c == '`') {
      // A doubled quote inside is an escaped quote: the scan resumes as a new literal.
      out += c;
      ++i;
      copy_until(std::string_view(&c, 1));
    } else if (c == '[') {
      copy_until("]");
    } else if (c == '-' && next == '-') {
      copy_until("\n");
    } else if (c == '/' && next == '*') {
      copy_until("*/");
    } else if (c == '$' && std::isdigit(static_cast<unsigned char>(next)) != 0) {
      std::size_t end = i + 1;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) != 0) ++end;
      const std::string_view digits = sql.substr(i + 1, end - i - 1);
      if ((end < sql.size() && is_identifier_char(sql[end])) || next == '0') {
        return Error::invalid("parameter " + std::string(sql.substr(i, end + 1 - i)) +
                              " is not allowed: write parameters as $1, $2, …");
      }
      out += '?';
      if (in_order) {
        const std::string expected = std::to_string(digit_runs.size() + 1);
        in_order = digits == expected;
        digit_runs.emplace_back(out.size(), digits.size());
      }
      out.append(digits);
      i = end;
    } else if (c == '?' || ((c == ':' || c == '@' || c == '$') && is_identifier_char(next))) {
      std::size_t end = i + 1;
      while (end < sql.size() && is_identifier_char(sql[end])) ++end;
      return Error::invalid("parameter " + std::string(sql.substr(i, end - i)) +
                            " is not allowed: write parameters as $1, $2, …");
    } else {
      out += c;
      ++i;
    }
  }
  if (!in_order || digit_runs.empty()) return out;
  std::string bare;
  bare.reserve(out.size());
  std::size_t copied = 0;
  for (const auto& [at, length] : digit_runs) {
    bare.append(out, copied, at - copied);
    copied = at + length;
  }
  bare.append(out, copied, std::string::npos);
  return bare;
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

class SqliteConnection {
 public:
  // Opens `path` as the writer (read-write, creates the file, switches it to WAL) or as a
  // reader (read-only; the writer must have created the file). Errors: kUnavailable.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, Role role,
                                                        std::chrono::milliseconds busy_timeout);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() {
    statements_.clear();  // finalizes every statement before the connection closes
    sqlite3_close_v2(db_);
  }

  sqlite3* handle() const { return db_; }

  // False when a transaction was left open (its ROLLBACK failed): the pool closes the
  // connection, which rolls the transaction back.
  bool reusable() const { return sqlite3_get_autocommit(db_) != 0; }

  // Runs SQL without parameters or result rows (pragmas) and returns the SQLite result code;
  // sqlite3_errmsg(handle()) describes a failure.
  int run(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

  // Runs a transaction-control statement (BEGIN, COMMIT, ROLLBACK) from the statement cache,
  // like run(). Every transaction runs two or three of these; compiling them anew each time
  // cost more than the point lookups most transactions exist for.
  int control(std::string_view sql);

  // The prepared statement for `sql`: from the cache, or prepared now and cached. Past the
  // cache's capacity the statement is owned by `uncached` and finalized with it.
  std::optional<Failure> prepare(std::string_view sql, PreparedStatement*& statement,
                                 std::unique_ptr<PreparedStatement>& uncached);

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  std::optional<Failure> configure(Role role, std::chrono::milliseconds busy_timeout);
  std::optional<Failure> compile(std::string_view sql, bool persistent,
                                 std::unique_ptr<PreparedStatement>& statement);

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<PreparedStatement>, TransparentHash,
                     std::equal_to<>>
      statements_;
};

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(
    const std::string& path, Role role, std::chrono::milliseconds busy_timeout) {
  // NOMUTEX: a connection is only ever used by the thread holding its pool lease.
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |=
      role == Role::kWriter ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  const int result_code = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (result_code != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
    sqlite3_close_v2(db);
    return Error::make(ErrorCode::kUnavailable,
                       "cannot open SQLite database " + path + ": " + message);
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  if (std::optional<Failure> failure = connection->configure(role, busy_timeout)) {
    failure->error.code = ErrorCode::kUnavailable;
    failure->error.message =
        "cannot configure SQLite database " + path + ": " + failure->error.message;
    return std::move(failure->error);
  }
  return connection;
}

std::optional<Failure> SqliteConnection::configure(Role role,
                                                   std::chrono::milliseconds busy_timeout) {
  sqlite3_extended_result_codes(db_, 1);
  // SQLite's busy handler waits up to busy_timeout for another process's lock before a
  // statement gives up with SQLITE_BUSY; transact() then retries the whole transaction.
  sqlite3_busy_timeout(db_, static_cast<int>(std::min<std::chrono::milliseconds::rep>(
                                busy_timeout.count(), INT_MAX)));
  // Defensive mode blocks the pragmas and writes that can corrupt the file. With double-quoted
  // string literals off, "x" is always an identifier, as in PostgreSQL, so SQL that works here
  // also works there. Schemas run no functions we did not write, so they need no trust.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);

  if (int result_code = run("PRAGMA foreign_keys = ON"); result_code != SQLITE_OK) {
    return failure_from(db_, result_code);
  }
  if (role == Role::kReader) return std::nullopt;

  // WAL is a property of the file, so setting it once on the writer covers the readers.
  std::unique_ptr<PreparedStatement> journal_mode;
  if (std::optional<Failure> failure = compile("PRAGMA journal_mode = WAL", false, journal_mode)) {
    return failure;
  }
  std::string mode;
  {
    StatementUse use(journal_mode->handle());
    const int result_code = sqlite3_step(journal_mode->handle());
    if (result_code != SQLITE_ROW) return failure_from(db_, result_code);
    const unsigned char* text = sqlite3_column_text(journal_mode->handle(), 0);
    mode = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  if (mode != "wal") {
    return misuse("cannot switch the database to WAL mode (journal_mode is '" + mode + "')");
  }
  // FULL, not NORMAL: in WAL mode NORMAL already survives a crash of this process, but a
  // power loss or kernel crash can drop the last commits. A transaction we reported as
  // committed (money moved, a webhook promised) must not disappear, so every commit waits
  // for the WAL to reach the disk. The cost is one fsync per commit on the single writer.
  if (int result_code = run("PRAGMA synchronous = FULL"); result_code != SQLITE_OK) {
    return failure_from(db_, result_code);
  }
  return std::nullopt;
}

std::optional<Failure> SqliteConnection::compile(std::string_view written, bool persistent,
                                                 std::unique_ptr<PreparedStatement>& statement) {
  if (written.size() > static_cast<std::size_t>(INT_MAX)) return misuse("SQL statement too long");
  Result<std::string> numbered = numbered_parameters(written);
  if (!numbered) return Failure{std::move(numbered).error(), false};
  const std::string_view sql = *numbered;
  sqlite3_stmt* handle = nullptr;
  const char* tail = nullptr;
  const unsigned int flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  int result_code =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &handle, &tail);
  if (result_code != SQLITE_OK) return failure_from(db_, result_code);
  if (handle == nullptr) return misuse("empty SQL statement");
  statement = std::make_unique<PreparedStatement>(handle);

  // Anything after the first statement must be blank or comments: a second statement would
  // silently never run.
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (!is_blank(rest)) {
    sqlite3_stmt* next = nullptr;
    result_code =
        sqlite3_prepare_v3(db_, rest.data(), static_cast<int>(rest.size()), 0, &next, nullptr);
    sqlite3_finalize(next);
    if (result_code != SQLITE_OK || next != nullptr) {
      statement.reset();
      return misuse("execute() runs one SQL statement; use execute_script() for several");
    }
  }
  return std::nullopt;
}

std::optional<Failure> SqliteConnection::prepare(std::string_view sql,
                                                 PreparedStatement*& statement,
                                                 std::unique_ptr<PreparedStatement>& uncached) {
  if (auto found = statements_.find(sql); found != statements_.end()) {
    statement = found->second.get();
    return std::nullopt;
  }
  const bool cache = statements_.size() < kStatementCacheCapacity;
  std::unique_ptr<PreparedStatement> compiled;
  // PERSISTENT tells SQLite the statement lives long, so it is kept out of the lookaside
  // allocator that short-lived statements share.
  if (std::optional<Failure> failure = compile(sql, cache, compiled)) return failure;
  statement = compiled.get();
  if (cache) {
    statements_.emplace(std::string(sql), std::move(compiled));
  } else {
    uncached = std::move(compiled);
  }
  return std::nullopt;
}

int SqliteConnection::control(std::string_view sql) {
  PreparedStatement* statement = nullptr;
  std::unique_ptr<PreparedStatement> uncached;
  if (std::optional<Failure> failure = prepare(sql, statement, uncached)) {
    return sqlite3_errcode(db_) != SQLITE_OK ? sqlite3_extended_errcode(db_) : SQLITE_MISUSE;
  }
  StatementUse use(statement->handle());
  const int result_code = sqlite3_step(statement->handle());
  return result_code == SQLITE_DONE ? SQLITE_OK : result_code;
}

std::optional<Failure> bind_parameters(sqlite3* db, const PreparedStatement& statement,
                                       std::span<const Value> params) {
  if (params.size() != statement.parameter_count()) {
    return misuse("the statement takes " + std::to_string(statement.parameter_count()) +
                  " parameters but " + std::to_string(params.size()) + " were given");
  }
  sqlite3_stmt* handle = statement.handle();
  for (std::size_t position = 0; position < params.size(); ++position) {
    const int index = static_cast<int>(position) + 1;
    const Value& value = params[position];
    int result_code = SQLITE_OK;
    // SQLITE_STATIC: the values outlive the statement's use, and StatementUse clears the
    // bindings before execute() returns, so SQLite need not copy them.
    if (std::holds_alternative<std::nullptr_t>(value)) {
      result_code = sqlite3_bind_null(handle, index);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      result_code = sqlite3_bind_int64(handle, index, *integer);
    } else if (const auto* real = std::get_if<double>(&value)) {
      result_code = sqlite3_bind_double(handle, index, *real);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      // PostgreSQL text cannot hold NUL; refusing it here keeps the backends alike.
      if (text->find('\0') != std::string::npos) {
        return misuse("text parameter $" + std::to_string(index) +
                      " contains a NUL byte; pass binary data as a Blob");
      }
      result_code = sqlite3_bind_text64(handle, index, text->data(), text->size(), SQLITE_STATIC,
                                        SQLITE_UTF8);
    } else {
      const Blob& blob = std::get<Blob>(value);
      // A null data pointer would bind NULL, so an empty blob needs its own call.
      result_code = blob.bytes.empty() ? sqlite3_bind_zeroblob(handle, index, 0)
                                       : sqlite3_bind_blob64(handle, index, blob.bytes.data(),
                                                             blob.bytes.size(), SQLITE_STATIC);
    }
    if (result_code != SQLITE_OK) return failure_from(db, result_code);
  }
  return std::nullopt;
}

Value column_value(sqlite3_stmt* handle, int column) {
  switch (sqlite3_column_type(handle, column)) {
    case SQLITE_INTEGER:
      return std::int64_t{sqlite3_column_int64(handle, column)};
    case SQLITE_FLOAT:
      return sqlite3_column_double(handle, column);
    case SQLITE_TEXT: {
      // The pointer first, then the size: that order never converts the value in between.
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(handle, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(handle, column));
      return text != nullptr ? std::string(text, size) : std::string();
    }
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const std::uint8_t*>(sqlite3_column_blob(handle, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(handle, column));
      return bytes != nullptr ? Blob{std::vector<std::uint8_t>(bytes, bytes + size)} : Blob{};
    }
    default:
      return nullptr;
  }
}

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(SqliteConnection& connection) : connection_(connection) {}

  using Transaction::execute;
  Result<QueryResult> execute(std::string_view sql, std::span<const Value> params) override;
  Status execute_script(std::string_view sql) override;
  Backend backend() const override { return Backend::kSqlite; }

  // The first failed statement, if any. After one, every later statement fails with the same
  // error and the transaction cannot commit. PostgreSQL aborts a transaction on any error;
  // SQLite would carry on, so it is made to behave the same: code that passes its tests on
  // one backend then behaves alike on the other.
  const std::optional<Failure>& failure() const { return failure_; }

 private:
  Error fail(Failure failure) {
    failure_ = std::move(failure);
    return failure_->error;
  }
  Error aborted() const {
    Error error = failure_->error;
    error.message = "transaction aborted by an earlier error: " + error.message;
    return error;
  }

  SqliteConnection& connection_;
  std::optional<Failure> failure_;
};

Result<QueryResult> SqliteTransaction::execute(std::string_view sql,
                                               std::span<const Value> params) {
  if (failure_) return aborted();
  sqlite3* db = connection_.handle();
  PreparedStatement* statement = nullptr;
  std::unique_ptr<PreparedStatement> uncached;
  if (std::optional<Failure> failure = connection_.prepare(sql, statement, uncached)) {
    return fail(std::move(*failure));
  }
  sqlite3_stmt* handle = statement->handle();
  StatementUse use(handle);
  if (std::optional<Failure> failure = bind_parameters(db, *statement, params)) {
    return fail(std::move(*failure));
  }

  QueryResult result;
  const int column_count = sqlite3_column_count(handle);
  result.columns.reserve(static_cast<std::size_t>(column_count));
  for (int column = 0; column < column_count; ++column) {
    const char* name = sqlite3_column_name(handle, column);
    result.columns.emplace_back(name != nullptr ? name : "");
  }
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE even across other
  // statements, so it is only read when this statement changed something.
  const sqlite3_int64 total_changes_before = sqlite3_total_changes64(db);
  int result_code = SQLITE_OK;
  while ((result_code = sqlite3_step(handle)) == SQLITE_ROW) {
    std::vector<Value> row;
    row.reserve(static_cast<std::size_t>(column_count));
    for (int column = 0; column < column_count; ++column) {
      row.push_back(column_value(handle, column));
    }
    result.rows.push_back(std::move(row));
  }
  if (result_code != SQLITE_DONE) return fail(failure_from(db, result_code));
  if (sqlite3_total_changes64(db) != total_changes_before) {
    result.affected_rows = sqlite3_changes64(db);
  }
  return result;
}

Status SqliteTransaction::execute_script(std::string_view sql) {
  if (failure_) return aborted();
  const std::string script(sql);  // sqlite3_exec needs a NUL-terminated string
  sqlite3* db = connection_.handle();
  char* raw_message = nullptr;
  const int result_code = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &raw_message);
  std::unique_ptr<char, void (*)(void*)> message(raw_message, sqlite3_free);
  if (result_code == SQLITE_OK) return {};
  const int extended_code = sqlite3_extended_errcode(db);
  return fail(Failure{Error::make(error_code_for(extended_code),
                                  message ? message.get() : sqlite3_errstr(extended_code)),
                      is_transient(extended_code)});
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, const DatabaseOptions& options)
      : max_attempts_(options.max_attempts),
        writer_(
            1, options.busy_timeout,
            [path, timeout = options.busy_timeout] {
              return SqliteConnection::open(path, Role::kWriter, timeout);
            },
            "database is busy: timed out waiting for the write connection"),
        readers_(
            options.pool_size, options.busy_timeout,
            [path, timeout = options.busy_timeout] {
              return SqliteConnection::open(path, Role::kReader, timeout);
            },
            "no database connection available: every reader connection is in use"),
        trimmer_([this] { trim_idle_connections(); }) {}

  ~SqliteDatabase() override {
    {
      std::lock_guard lock(trim_mutex_);
      stopping_ = true;
    }
    trim_wake_.notify_one();
    trimmer_.join();
  }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Opens the writer now: that creates the file and switches it to WAL, and a bad path or
  // permission problem shows at start-up instead of on the first request.
  Status open_writer() {
    Result<ConnectionPool<SqliteConnection>::Lease> lease = writer_.acquire();
    if (!lease) return std::move(lease).error();
    return {};
  }

  Backend backend() const override { return Backend::kSqlite; }

  Status transact(Access access, const std::function<Status(Transaction&)>& work) override {
    return run_with_retries(max_attempts_, [&] { return attempt(access, work); });
  }

 private:
  using Lease = ConnectionPool<SqliteConnection>::Lease;

  AttemptOutcome attempt(Access access, const std::function<Status(Transaction&)>& work);

  static void roll_back(Lease& lease) {
    if (sqlite3_get_autocommit(lease->handle()) != 0) return;      // SQLite already rolled back
    if (lease->control("ROLLBACK") != SQLITE_OK) lease.discard();  // closing rolls back
  }

  // A burst of traffic fills every connection's page cache (up to cache_size each), and SQLite
  // keeps those pages for as long as the connection lives. A connection idle for a while gives
  // them back, so the process returns to its idle size after a load; under steady traffic no
  // connection sits idle that long, and a trimmed one refills from the OS's file cache.
  void trim_idle_connections() {
    core::name_this_thread("aic-sqlite-trim");
    constexpr std::chrono::seconds kIdleFor{5};
    const auto release = [](SqliteConnection& connection) {
      sqlite3_db_release_memory(connection.handle());
    };
    std::unique_lock lock(trim_mutex_);
    while (!trim_wake_.wait_for(lock, kIdleFor, [this] { return stopping_; })) {
      lock.unlock();
      writer_.trim_idle(kIdleFor, release);
      readers_.trim_idle(kIdleFor, release);
      lock.lock();
    }
  }

  const int max_attempts_;
  ConnectionPool<SqliteConnection> writer_;  // capacity 1: SQLite has one writer at a time
  ConnectionPool<SqliteConnection> readers_;
  std::mutex trim_mutex_;
  std::condition_variable trim_wake_;
  bool stopping_ = false;  // guarded by trim_mutex_
  std::thread trimmer_;    // last: starts once the members above exist
};

AttemptOutcome SqliteDatabase::attempt(Access access,
                                       const std::function<Status(Transaction&)>& work) {
  // Waiting for a pooled connection already took up to busy_timeout: not retried.
  Result<Lease> acquired = access == Access::kReadWrite ? writer_.acquire() : readers_.acquire();
  if (!acquired) return {std::move(acquired).error(), false};
  Lease& lease = *acquired;

  // IMMEDIATE takes the write lock now, so two writers (in different processes) cannot both
  // read and then deadlock when upgrading; a busy lock surfaces here and is retried.
  const int begin_code = lease->control(access == Access::kReadWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  if (begin_code != SQLITE_OK) {
    Failure failure = failure_from(lease->handle(), begin_code);
    return {std::move(failure.error), failure.transient};
  }

  SqliteTransaction transaction(*lease);
  Status status;
  try {
    status = work(transaction);
  } catch (...) {
    roll_back(lease);
    throw;
  }
  const std::optional<Failure>& failure = transaction.failure();
  if (!status) {
    roll_back(lease);
    return {std::move(status), failure && failure->transient};
  }
  if (failure) {
    // `work` swallowed a failed statement; what it did afterwards cannot be committed.
    roll_back(lease);
    return {failure->error, failure->transient};
  }
  const int commit_code = lease->control("COMMIT");
  if (commit_code != SQLITE_OK) {
    Failure commit_failure = failure_from(lease->handle(), commit_code);
    roll_back(lease);
    return {std::move(commit_failure.error), commit_failure.transient};
  }
  transaction.run_after_commit();
  return {};
}

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       const DatabaseOptions& options) {
  assert(!path.empty());
  if (sqlite3_threadsafe() == 0) {
    return Error::make(ErrorCode::kInternal, "the SQLite library was built without threads");
  }
  // SQLite counts every allocation under a process-wide mutex unless told not to; nothing
  // here reads those counts. The setting only takes before SQLite initialises (the first
  // open), so a later call is refused and changes nothing.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return Error::make(ErrorCode::kUnavailable, "cannot create directory " + parent.string() +
                                                      " for the database: " + error.message());
    }
  }
  auto database = std::make_unique<SqliteDatabase>(path, options);
  if (Status opened = database->open_writer(); !opened) return std::move(opened).error();
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace aic::store
