// PostgreSQL backend: a bounded pool of libpq connections. Each connection prepares a
// statement the first time it sees its SQL text and reuses it after that; parameters travel
// as text (blobs as binary) and results come back as text, converted by column type.
#include "store/postgres_database.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "store/connection_pool.hpp"
#include "store/transaction_retry.hpp"

namespace aic::store {
namespace {

using core::Error;
using core::ErrorCode;

constexpr std::string_view kUrlField = "database.url";

// See kStatementCacheCapacity in sqlite_database.cpp: SQL comes from code, the bound is a guard.
constexpr std::size_t kStatementCacheCapacity = 256;

// gen_random_uuid() (used by migrations) is built in from PostgreSQL 13.
constexpr int kMinimumServerVersion = 130000;

// libpq's minimum useful connect_timeout: it treats 1 as 2.
constexpr std::chrono::seconds kMinimumConnectTimeout{2};

// Built-in type OIDs (fixed since PostgreSQL 7; catalog/pg_type_d.h is a server header).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr int kTextFormat = 0;
constexpr int kBinaryFormat = 1;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

// Replaces every secret (the password, as written in the URL and as decoded) in messages
// that may quote the URL or parts of it: libpq's own errors sometimes do.
class SecretScrubber {
 public:
  explicit SecretScrubber(std::vector<std::string> secrets) {
    for (std::string& secret : secrets) {
      if (!secret.empty()) secrets_.push_back(std::move(secret));
    }
    // Longest first, so a secret that contains another is replaced whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }

  std::string operator()(std::string_view message) const {
    std::string out(message);
    for (const std::string& secret : secrets_) {
      for (std::size_t at = out.find(secret); at != std::string::npos;
           at = out.find(secret, at + 3)) {
        out.replace(at, secret.size(), "***");
      }
    }
    return out;
  }

 private:
  std::vector<std::string> secrets_;
};

// The password as written in `url` (still percent-encoded), from user:password@ and from a
// password= query parameter; PQconninfoParse supplies the decoded form.
std::vector<std::string> raw_passwords(std::string_view url) {
  std::vector<std::string> passwords;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return passwords;
  const auto authority_start = scheme_end + 3;
  const auto authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view user_info = authority.substr(0, at);
    if (const auto colon = user_info.find(':'); colon != std::string_view::npos) {
      passwords.emplace_back(user_info.substr(colon + 1));
    }
  }
  for (auto at = url.find("password=", authority_end); at != std::string_view::npos;
       at = url.find("password=", at + 1)) {
    const auto value_start = at + std::string_view("password=").size();
    const auto value_end = std::min(url.find_first_of("&#", value_start), url.size());
    passwords.emplace_back(url.substr(value_start, value_end - value_start));
  }
  return passwords;
}

// A failed step of a transaction: whether repeating the whole transaction may cure it, and
// whether the connection is no longer usable.
struct Failure {
  Error error;
  bool transient = false;
  bool connection_broken = false;
};

Failure misuse(std::string message) { return Failure{Error::invalid(std::move(message))}; }

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// Maps a failed libpq call to our error codes by SQLSTATE. The message is the server's
// primary message, never its DETAIL, which can quote row values.
Failure classify(PGconn* connection, const PGresult* result, const SecretScrubber& scrub) {
  if (result == nullptr || PQstatus(connection) == CONNECTION_BAD) {
    // The server never finished the transaction, so it rolled back; repeating it is safe.
    return Failure{
        Error::make(ErrorCode::kUnavailable,
                    "database connection lost: " + scrub(trimmed(PQerrorMessage(connection)))),
        true, true};
  }
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message =
      scrub(primary != nullptr ? std::string(primary) : trimmed(PQresultErrorMessage(result)));
  if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";

  if (sqlstate == "40001" || sqlstate == "40P01") {  // serialization failure, deadlock
    return Failure{Error::make(ErrorCode::kUnavailable, std::move(message)), true, false};
  }
  if (starts_with(sqlstate, "23")) {  // integrity constraint violation
    return Failure{Error::make(ErrorCode::kConflict, std::move(message))};
  }
  // Connection exceptions, and the server shutting down or not yet accepting connections:
  // this connection is finished, but a new one may work.
  if (starts_with(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return Failure{Error::make(ErrorCode::kUnavailable, std::move(message)), true, true};
  }
  if (starts_with(sqlstate, "53")) {  // insufficient resources (disk full, out of memory)
    return Failure{Error::make(ErrorCode::kUnavailable, std::move(message))};
  }
  if (sqlstate == "57014") {  // statement_timeout or a cancel request
    return Failure{Error::make(ErrorCode::kDeadlineExceeded, std::move(message))};
  }
  if (starts_with(sqlstate, "42") || starts_with(sqlstate, "22")) {  // bad SQL, bad data
    return Failure{Error::make(ErrorCode::kInvalidArgument, std::move(message))};
  }
  // "cached plan must not change result type": a migration by another process changed a
  // table under one of this connection's prepared statements. The statement stays broken on
  // this connection, so close it and repeat the transaction on a fresh one.
  const char* function = PQresultErrorField(result, PG_DIAG_SOURCE_FUNCTION);
  if (sqlstate == "0A000" && function != nullptr &&
      std::strcmp(function, "RevalidateCachedQuery") == 0) {
    return Failure{Error::make(ErrorCode::kUnavailable, std::move(message)), true, true};
  }
  return Failure{Error::make(ErrorCode::kInternal, std::move(message))};
}

bool succeeded(const PGresult* result) {
  if (result == nullptr) return false;
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// Statuses that are not errors but that we cannot serve (COPY, pipeline). The connection is
// left mid-protocol, so it is closed.
std::optional<Failure> unsupported_status(const PGresult* result) {
  switch (PQresultStatus(result)) {
    case PGRES_EMPTY_QUERY:
      return misuse("empty SQL statement");
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH: {
      Failure failure = misuse("COPY is not supported through Transaction::execute");
      failure.connection_broken = true;
      return failure;
    }
    default:
      return std::nullopt;
  }
}

// Shortest text that parses back to the same double; PostgreSQL's spellings for the rest.
std::string format_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  std::array<char, 32> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  assert(error == std::errc());
  return std::string(buffer.data(), end);
}

std::optional<Failure> convert_value(const PGresult* result, int row, int column, Value& out) {
  if (PQgetisnull(result, row, column) != 0) {
    out = nullptr;
    return std::nullopt;
  }
  const char* text = PQgetvalue(result, row, column);
  const auto size = static_cast<std::size_t>(PQgetlength(result, row, column));
  const auto unreadable = [&](std::string_view type) {
    return Failure{Error::make(ErrorCode::kInternal, "cannot read column '" +
                                                         std::string(PQfname(result, column)) +
                                                         "' as " + std::string(type))};
  };
  switch (PQftype(result, column)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      std::int64_t integer = 0;
      auto [end, error] = std::from_chars(text, text + size, integer);
      if (error != std::errc() || end != text + size) return unreadable("an integer");
      out = integer;
      return std::nullopt;
    }
    case kNumericOid: {
      // A numeric without fractional digits that fits is an integer: sum() and other
      // aggregates of BIGINT columns return numeric here (integer on SQLite), and money in
      // minor units must not round through a double.
      std::int64_t integer = 0;
      auto [end, error] = std::from_chars(text, text + size, integer);
      if (error == std::errc() && end == text + size) {
        out = integer;
        return std::nullopt;
      }
      [[fallthrough]];
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      // from_chars reads "NaN", "Infinity" and "-Infinity" too.
      double real = 0;
      auto [end, error] = std::from_chars(text, text + size, real);
      if (error != std::errc() || end != text + size) return unreadable("a double");
      out = real;
      return std::nullopt;
    }
    case kBoolOid:
      out = std::int64_t{size == 1 && text[0] == 't' ? 1 : 0};
      return std::nullopt;
    case kByteaOid: {
      std::size_t length = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &length);
      if (bytes == nullptr) return unreadable("bytea");
      out = Blob{std::vector<std::uint8_t>(bytes, bytes + length)};
      PQfreemem(bytes);
      return std::nullopt;
    }
    default:
      out = std::string(text, size);
      return std::nullopt;
  }
}

// The command tag of INSERT, UPDATE, DELETE or MERGE (with or without RETURNING).
bool is_data_change(std::string_view command_tag) {
  for (std::string_view verb : {"INSERT ", "UPDATE ", "DELETE ", "MERGE "}) {
    if (command_tag.starts_with(verb)) return true;
  }
  return false;
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

struct ConnectSettings {
  std::string url;
  std::string connect_timeout_seconds;
  SecretScrubber scrub;
};

class PostgresConnection {
 public:
  struct Statement {
    std::string name;  // "" is the unnamed statement, replaced by the next unnamed prepare
    std::size_t parameter_count = 0;
  };

  // Errors: kUnavailable when the server cannot be reached or is too old.
  static Result<std::unique_ptr<PostgresConnection>> connect(const ConnectSettings& settings);

  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;
  ~PostgresConnection() { PQfinish(connection_); }

  PGconn* handle() const { return connection_; }

  // False once the connection is lost or a transaction was left open.
  bool reusable() const {
    return PQstatus(connection_) == CONNECTION_OK &&
           PQtransactionStatus(connection_) == PQTRANS_IDLE;
  }

  // The server-side prepared statement for `sql`: cached, or prepared now (and cached while
  // the cache has room; otherwise prepared unnamed into `uncached`).
  std::optional<Failure> prepare(std::string_view sql, const SecretScrubber& scrub,
                                 const Statement*& statement, Statement& uncached);

 private:
  explicit PostgresConnection(PGconn* connection) : connection_(connection) {}

  PGconn* connection_;
  std::unordered_map<std::string, Statement, TransparentHash, std::equal_to<>> statements_;
  std::uint64_t statements_prepared_ = 0;
};

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::connect(
    const ConnectSettings& settings) {
  // Our defaults come first, so that the same keywords in the URL override them.
  const std::array<const char*, 5> keywords = {"application_name", "connect_timeout",
                                               "client_encoding", "dbname", nullptr};
  const std::array<const char*, 5> values = {"aic", settings.connect_timeout_seconds.c_str(),
                                             "UTF8", settings.url.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (raw == nullptr) {
    return Error::make(ErrorCode::kUnavailable, "cannot allocate a PostgreSQL connection");
  }
  std::unique_ptr<PostgresConnection> connection(new PostgresConnection(raw));
  const std::string where = settings.scrub(core::redact_url(settings.url));
  if (PQstatus(raw) != CONNECTION_OK) {
    return Error::make(ErrorCode::kUnavailable, "cannot connect to PostgreSQL at " + where + ": " +
                                                    settings.scrub(trimmed(PQerrorMessage(raw))));
  }
  if (PQserverVersion(raw) < kMinimumServerVersion) {
    return Error::make(ErrorCode::kUnavailable, "PostgreSQL at " + where + " is version " +
                                                    std::to_string(PQserverVersion(raw)) +
                                                    "; 13 or newer is required");
  }
  // libpq prints NOTICEs ("relation … already exists, skipping") to stderr by default.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return connection;
}

std::optional<Failure> PostgresConnection::prepare(std::string_view sql,
                                                   const SecretScrubber& scrub,
                                                   const Statement*& statement,
                                                   Statement& uncached) {
  if (auto found = statements_.find(sql); found != statements_.end()) {
    statement = &found->second;
    return std::nullopt;
  }
  const bool cache = statements_.size() < kStatementCacheCapacity;
  Statement prepared;
  if (cache) prepared.name = "aic_" + std::to_string(++statements_prepared_);
  const std::string text(sql);
  PgResult result(PQprepare(connection_, prepared.name.c_str(), text.c_str(), 0, nullptr));
  if (!succeeded(result.get())) return classify(connection_, result.get(), scrub);
  // The server knows how many parameters the statement takes; checking before executing
  // turns a wrong count into kInvalidArgument instead of a protocol error.
  PgResult description(PQdescribePrepared(connection_, prepared.name.c_str()));
  if (!succeeded(description.get())) return classify(connection_, description.get(), scrub);
  prepared.parameter_count = static_cast<std::size_t>(PQnparams(description.get()));
  if (cache) {
    statement = &statements_.emplace(text, std::move(prepared)).first->second;
  } else {
    uncached = std::move(prepared);
    statement = &uncached;
  }
  return std::nullopt;
}

class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(PostgresConnection& connection, const SecretScrubber& scrub)
      : connection_(connection), scrub_(scrub) {}

  using Transaction::execute;
  Result<QueryResult> execute(std::string_view sql, std::span<const Value> params) override;
  Status execute_script(std::string_view sql) override;
  Backend backend() const override { return Backend::kPostgres; }

  // The first failed statement, if any. The server aborts the transaction on any error, so
  // every later statement fails with the same error and the transaction cannot commit.
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

  PostgresConnection& connection_;
  const SecretScrubber& scrub_;
  std::optional<Failure> failure_;
};

Result<QueryResult> PostgresTransaction::execute(std::string_view sql,
                                                 std::span<const Value> params) {
  if (failure_) return aborted();
  PGconn* connection = connection_.handle();
  const PostgresConnection::Statement* statement = nullptr;
  PostgresConnection::Statement uncached;
  if (std::optional<Failure> failure = connection_.prepare(sql, scrub_, statement, uncached)) {
    return fail(std::move(*failure));
  }
  if (params.size() != statement->parameter_count) {
    return fail(misuse("the statement takes " + std::to_string(statement->parameter_count) +
                       " parameters but " + std::to_string(params.size()) + " were given"));
  }

  const std::size_t count = params.size();
  std::vector<std::string> texts(count);
  std::vector<const char*> values(count, nullptr);
  std::vector<int> lengths(count, 0);
  std::vector<int> formats(count, kTextFormat);
  for (std::size_t i = 0; i < count; ++i) {
    const Value& value = params[i];
    if (std::holds_alternative<std::nullptr_t>(value)) continue;  // a null pointer is NULL
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      texts[i] = std::to_string(*integer);
      values[i] = texts[i].c_str();
    } else if (const auto* real = std::get_if<double>(&value)) {
      texts[i] = format_double(*real);
      values[i] = texts[i].c_str();
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      // Text parameters are NUL-terminated on the wire: a NUL would cut the value short.
      if (text->find('\0') != std::string::npos) {
        return fail(misuse("text parameter $" + std::to_string(i + 1) +
                           " contains a NUL byte; pass binary data as a Blob"));
      }
      values[i] = text->c_str();
    } else {
      // Binary format for bytea is the raw bytes: no escaping, no doubling in size.
      static constexpr char kEmpty[] = "";
      const Blob& blob = std::get<Blob>(value);
      values[i] = blob.bytes.empty() ? kEmpty : reinterpret_cast<const char*>(blob.bytes.data());
      lengths[i] = static_cast<int>(blob.bytes.size());
      formats[i] = kBinaryFormat;
    }
  }

  PgResult result(PQexecPrepared(connection, statement->name.c_str(), static_cast<int>(count),
                                 values.data(), lengths.data(), formats.data(), kTextFormat));
  if (!succeeded(result.get())) {
    if (result != nullptr) {
      if (std::optional<Failure> failure = unsupported_status(result.get())) {
        return fail(std::move(*failure));
      }
    }
    return fail(classify(connection, result.get(), scrub_));
  }

  QueryResult out;
  const int column_count = PQnfields(result.get());
  const int row_count = PQntuples(result.get());
  out.columns.reserve(static_cast<std::size_t>(column_count));
  for (int column = 0; column < column_count; ++column) {
    out.columns.emplace_back(PQfname(result.get(), column));
  }
  out.rows.reserve(static_cast<std::size_t>(row_count));
  for (int row = 0; row < row_count; ++row) {
    std::vector<Value> cells(static_cast<std::size_t>(column_count));
    for (int column = 0; column < column_count; ++column) {
      if (std::optional<Failure> failure =
              convert_value(result.get(), row, column, cells[static_cast<std::size_t>(column)])) {
        return fail(std::move(*failure));
      }
    }
    out.rows.push_back(std::move(cells));
  }
  // Only data changes count, as on SQLite: PQcmdTuples also reports a SELECT's row count.
  if (is_data_change(PQcmdStatus(result.get()))) {
    const std::string_view affected = PQcmdTuples(result.get());
    std::from_chars(affected.data(), affected.data() + affected.size(), out.affected_rows);
  }
  return out;
}

Status PostgresTransaction::execute_script(std::string_view sql) {
  if (failure_) return aborted();
  const std::string script(sql);
  PGconn* connection = connection_.handle();
  // The simple-query protocol runs every statement of the script, inside our transaction.
  PgResult result(PQexec(connection, script.c_str()));
  if (succeeded(result.get())) return {};
  if (result != nullptr && PQresultStatus(result.get()) == PGRES_EMPTY_QUERY) return {};
  if (result != nullptr) {
    if (std::optional<Failure> failure = unsupported_status(result.get())) {
      return fail(std::move(*failure));
    }
  }
  return fail(classify(connection, result.get(), scrub_));
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(ConnectSettings settings, const DatabaseOptions& options)
      : settings_(std::move(settings)),
        max_attempts_(options.max_attempts),
        pool_(
            options.pool_size, options.busy_timeout,
            [this] { return PostgresConnection::connect(settings_); },
            "no database connection available") {}

  // Opens the first connection now, so that a wrong URL or an unreachable server shows at
  // start-up instead of on the first request.
  Status check_connection() {
    Result<Lease> lease = pool_.acquire();
    if (!lease) return std::move(lease).error();
    return {};
  }

  Backend backend() const override { return Backend::kPostgres; }

  Status transact(Access access, const std::function<Status(Transaction&)>& work) override {
    return run_with_retries(max_attempts_, [&] { return attempt(access, work); });
  }

 private:
  using Lease = ConnectionPool<PostgresConnection>::Lease;

  AttemptOutcome attempt(Access access, const std::function<Status(Transaction&)>& work);

  static void roll_back(Lease& lease) {
    PGconn* connection = lease->handle();
    if (PQtransactionStatus(connection) == PQTRANS_IDLE) return;
    PgResult result(PQexec(connection, "ROLLBACK"));
    if (!succeeded(result.get())) lease.discard();  // the server rolls back when we hang up
  }

  const ConnectSettings settings_;
  const int max_attempts_;
  ConnectionPool<PostgresConnection> pool_;
};

AttemptOutcome PostgresDatabase::attempt(Access access,
                                         const std::function<Status(Transaction&)>& work) {
  Result<Lease> acquired = pool_.acquire();
  if (!acquired) return {std::move(acquired).error(), false};
  Lease& lease = *acquired;
  PGconn* connection = lease->handle();

  // READ COMMITTED: each statement sees everything committed before it started. Code that
  // reads, then writes based on what it read, must lock the rows it read (SELECT … FOR
  // UPDATE) or write conditionally (UPDATE … WHERE version = $n).
  PgResult begin(PQexec(connection, access == Access::kReadWrite
                                        ? "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE"
                                        : "BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY"));
  if (!succeeded(begin.get())) {
    Failure failure = classify(connection, begin.get(), settings_.scrub);
    if (failure.connection_broken) lease.discard();
    roll_back(lease);
    return {std::move(failure.error), failure.transient};
  }

  PostgresTransaction transaction(*lease, settings_.scrub);
  Status status;
  try {
    status = work(transaction);
  } catch (...) {
    roll_back(lease);
    throw;
  }
  const std::optional<Failure>& failure = transaction.failure();
  if (failure && failure->connection_broken) lease.discard();
  if (!status) {
    roll_back(lease);
    return {std::move(status), failure && failure->transient};
  }
  if (failure) {
    // `work` swallowed a failed statement; the server has aborted the transaction anyway.
    roll_back(lease);
    return {failure->error, failure->transient};
  }

  PgResult commit(PQexec(connection, "COMMIT"));
  if (commit == nullptr || PQstatus(connection) == CONNECTION_BAD) {
    // The COMMIT may or may not have reached the server: repeating `work` could apply it
    // twice, so this is reported, never retried.
    lease.discard();
    return {Error::make(ErrorCode::kUnavailable,
                        "database connection lost during COMMIT; the transaction may or may "
                        "not have been committed"),
            false};
  }
  if (!succeeded(commit.get())) {
    // An error reply means the server rolled back (e.g. a deferred constraint failed).
    Failure commit_failure = classify(connection, commit.get(), settings_.scrub);
    if (commit_failure.connection_broken) lease.discard();
    roll_back(lease);
    return {std::move(commit_failure.error), commit_failure.transient};
  }
  if (std::strcmp(PQcmdStatus(commit.get()), "COMMIT") != 0) {
    return {Error::make(ErrorCode::kInternal, "the server rolled the transaction back"), false};
  }
  transaction.run_after_commit();
  return {};
}

}  // namespace

Result<std::unique_ptr<Database>> open_postgres_database(const DatabaseOptions& options) {
  if (PQisthreadsafe() == 0) {
    return Error::make(ErrorCode::kInternal, "the libpq library was built without threads");
  }
  std::vector<std::string> secrets = raw_passwords(options.url);
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &parse_error);
  if (parsed == nullptr) {
    const SecretScrubber scrub(std::move(secrets));
    std::string detail = parse_error != nullptr ? trimmed(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return Error::invalid("not a valid PostgreSQL URL: " + scrub(detail), std::string(kUrlField));
  }
  for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (std::strcmp(option->keyword, "password") == 0 && option->val != nullptr) {
      secrets.emplace_back(option->val);
    }
  }
  PQconninfoFree(parsed);

  // Connecting is bounded like waiting for a pooled connection, but libpq counts in whole
  // seconds and treats anything under two as two.
  const auto timeout = std::max(kMinimumConnectTimeout,
                                std::chrono::ceil<std::chrono::seconds>(options.busy_timeout));
  ConnectSettings settings{options.url, std::to_string(timeout.count()),
                           SecretScrubber(std::move(secrets))};
  auto database = std::make_unique<PostgresDatabase>(std::move(settings), options);
  if (Status connected = database->check_connection(); !connected) {
    return std::move(connected).error();
  }
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace aic::store
