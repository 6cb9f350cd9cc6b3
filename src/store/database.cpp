#include "store/database.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "core/random.hpp"
#include "store/postgres_database.hpp"
#include "store/sqlite_database.hpp"
#include "store/transaction_retry.hpp"

namespace aic::store {
namespace {

using core::Error;
using core::ErrorCode;

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr std::string_view kPostgresSchemes[] = {"postgres://", "postgresql://"};
constexpr std::string_view kUrlField = "database.url";

constexpr std::chrono::microseconds kBaseBackoff{5'000};
constexpr std::chrono::microseconds kMaxBackoff{500'000};

std::string_view type_name(const Value& value) {
  switch (value.index()) {
    case 0:
      return "NULL";
    case 1:
      return "integer";
    case 2:
      return "real";
    case 3:
      return "text";
    default:
      return "blob";
  }
}

// A type mismatch is a bug in the calling code (the query and the accessor disagree), so it
// throws instead of returning a default that would hide the bug.
[[noreturn]] void throw_type_mismatch(const QueryResult& result, std::size_t column,
                                      const Value& value, std::string_view wanted) {
  throw std::logic_error("column '" + result.columns.at(column) + "' holds " +
                         std::string(type_name(value)) + ", not " + std::string(wanted));
}

const Value& cell(const QueryResult& result, std::size_t row, std::size_t column) {
  assert(row < result.rows.size());
  assert(column < result.columns.size());
  return result.rows[row][column];
}

// Everything before "://" (or nothing), so that an error never echoes credentials.
std::string_view url_scheme(std::string_view url) {
  const auto end = url.find("://");
  return end == std::string_view::npos ? std::string_view{} : url.substr(0, end);
}

Result<std::string> sqlite_path(std::string_view url) {
  std::string_view path = url.substr(kSqliteScheme.size());
  if (path.empty()) {
    return Error::invalid("a SQLite URL needs a file path, e.g. sqlite://./var/aic.db",
                          std::string(kUrlField));
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return Error::invalid("a SQLite URL takes no query string or fragment: sqlite://PATH",
                          std::string(kUrlField));
  }
  // Each pooled connection to ":memory:" would see its own empty database.
  if (path == ":memory:") {
    return Error::invalid("in-memory SQLite databases are not supported; name a file",
                          std::string(kUrlField));
  }
  return std::string(path);
}

Status validate_options(const DatabaseOptions& options) {
  if (options.pool_size == 0) {
    return Error::invalid("pool_size must be at least 1", "database.pool_size");
  }
  if (options.busy_timeout.count() < 0) {
    return Error::invalid("busy_timeout must not be negative", "database.busy_timeout");
  }
  if (options.max_attempts < 1) {
    return Error::invalid("max_attempts must be at least 1", "database.max_attempts");
  }
  return {};
}

}  // namespace

bool QueryResult::is_null(std::size_t row, std::size_t column) const {
  return std::holds_alternative<std::nullptr_t>(cell(*this, row, column));
}

std::int64_t QueryResult::integer(std::size_t row, std::size_t column) const {
  const Value& value = cell(*this, row, column);
  if (std::holds_alternative<std::nullptr_t>(value)) return 0;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  throw_type_mismatch(*this, column, value, "an integer");
}

double QueryResult::real(std::size_t row, std::size_t column) const {
  const Value& value = cell(*this, row, column);
  if (std::holds_alternative<std::nullptr_t>(value)) return 0.0;
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    return static_cast<double>(*integer);
  }
  throw_type_mismatch(*this, column, value, "a real");
}

std::string QueryResult::text(std::size_t row, std::size_t column) const {
  const Value& value = cell(*this, row, column);
  if (std::holds_alternative<std::nullptr_t>(value)) return {};
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  throw_type_mismatch(*this, column, value, "text");
}

std::string QueryResult::take_text(std::size_t row, std::size_t column) {
  assert(row < rows.size() && column < columns.size());
  Value& value = rows[row][column];
  if (std::holds_alternative<std::nullptr_t>(value)) return {};
  if (auto* text = std::get_if<std::string>(&value)) return std::exchange(*text, std::string());
  throw_type_mismatch(*this, column, value, "text");
}

Blob QueryResult::blob(std::size_t row, std::size_t column) const {
  const Value& value = cell(*this, row, column);
  if (std::holds_alternative<std::nullptr_t>(value)) return {};
  if (const auto* blob = std::get_if<Blob>(&value)) return *blob;
  throw_type_mismatch(*this, column, value, "a blob");
}

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgres";
  }
  return "unknown";
}

Result<std::unique_ptr<Database>> open_database(const DatabaseOptions& options) {
  if (Status valid = validate_options(options); !valid) return std::move(valid).error();
  const std::string_view url = options.url;
  if (url.starts_with(kSqliteScheme)) {
    Result<std::string> path = sqlite_path(url);
    if (!path) return std::move(path).error();
    return open_sqlite_database(*path, options);
  }
  for (std::string_view scheme : kPostgresSchemes) {
    if (url.starts_with(scheme)) return open_postgres_database(options);
  }
  std::string message = "database URL must start with sqlite:// or postgres://";
  if (std::string_view scheme = url_scheme(url); !scheme.empty()) {
    message += " (got " + std::string(scheme) + "://)";
  }
  return Error::invalid(std::move(message), std::string(kUrlField));
}

std::chrono::microseconds retry_backoff(int retry) {
  // Jitter needs no cryptographic quality, only independence between threads and processes.
  thread_local std::mt19937_64 generator = [] {
    std::array<std::uint8_t, sizeof(std::uint64_t)> seed_bytes{};
    core::system_random().fill(seed_bytes);
    std::uint64_t seed = 0;
    for (std::uint8_t byte : seed_bytes) seed = (seed << 8) | byte;
    return std::mt19937_64(seed);
  }();
  const int doublings = std::clamp(retry - 1, 0, 20);
  const auto ceiling = std::min(kMaxBackoff, kBaseBackoff * (std::int64_t{1} << doublings));
  std::uniform_int_distribution<std::int64_t> distribution(ceiling.count() / 2, ceiling.count());
  return std::chrono::microseconds(distribution(generator));
}

Status run_with_retries(int max_attempts, const std::function<AttemptOutcome()>& attempt) {
  assert(max_attempts >= 1);
  std::string last_failure;
  for (int attempt_number = 1; attempt_number <= max_attempts; ++attempt_number) {
    AttemptOutcome outcome = attempt();
    if (!outcome.transient) return std::move(outcome.status);
    last_failure = outcome.status ? std::string("unknown") : outcome.status.error().message;
    if (attempt_number < max_attempts) std::this_thread::sleep_for(retry_backoff(attempt_number));
  }
  return Error::make(ErrorCode::kUnavailable,
                     "database is busy (gave up after " + std::to_string(max_attempts) +
                         (max_attempts == 1 ? " attempt" : " attempts") + "): " + last_failure);
}

Status Database::ping() {
  return transact(Access::kReadOnly, [](Transaction& transaction) -> Status {
    Result<QueryResult> result = transaction.execute("SELECT 1");
    if (!result) return std::move(result).error();
    return {};
  });
}

DatabaseOptions database_options(const core::DatabaseConfig& config) {
  DatabaseOptions options;
  options.url = config.url;
  options.pool_size = config.pool_size;
  options.busy_timeout = config.busy_timeout;
  return options;
}

Result<std::int64_t> insert_rows(
    Transaction& tx, std::string_view head, std::size_t columns, std::size_t rows,
    const std::function<void(std::size_t, std::vector<Value>&)>& add_row, std::string_view tail) {
  // Statements of 128, 64, 32 … 1 rows: whatever the batch size, a table needs at most eight
  // different statements, which stay in the connections' statement caches instead of being
  // prepared anew for every batch size.
  constexpr std::size_t kMaxRowsPerInsert = 128;
  std::int64_t inserted = 0;
  std::vector<Value> params;
  for (std::size_t start = 0; start < rows;) {
    std::size_t chunk = kMaxRowsPerInsert;
    while (chunk > rows - start) chunk /= 2;
    const std::size_t end = start + chunk;
    std::string sql(head);
    std::size_t next = 1;
    for (std::size_t row = start; row < end; ++row) {
      sql += row == start ? "(" : ", (";
      for (std::size_t column = 0; column < columns; ++column) {
        if (column > 0) sql += ", ";
        sql += '$';
        sql += std::to_string(next++);
      }
      sql += ')';
    }
    sql += tail;
    params.clear();
    params.reserve((end - start) * columns);
    for (std::size_t row = start; row < end; ++row) add_row(row, params);
    auto result = tx.execute(sql, params);
    if (!result) return std::move(result).error();
    inserted += result->affected_rows;
    start = end;
  }
  return inserted;
}

}  // namespace aic::store
