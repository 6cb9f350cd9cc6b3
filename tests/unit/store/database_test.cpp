// The Database contract, run against both backends.
#include "store/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store_test_support.hpp"

namespace aic::store::testing {
namespace {

using core::ErrorCode;

class DatabaseTest : public BackendTest {
 protected:
  void create_items_table() {
    ASSERT_TRUE(ok(write(db(), "CREATE TABLE items (name TEXT PRIMARY KEY, quantity BIGINT)")));
  }
  std::int64_t count_items() {
    Result<QueryResult> counted = read(db(), "SELECT count(*) FROM items");
    EXPECT_TRUE(ok(counted));
    return counted ? counted->integer(0, 0) : -1;
  }
};

TEST_P(DatabaseTest, PingSucceeds) { EXPECT_TRUE(ok(db().ping())); }

TEST_P(DatabaseTest, ReportsItsBackend) { EXPECT_EQ(db().backend(), backend()); }

TEST_P(DatabaseTest, EveryValueTypeRoundTrips) {
  ASSERT_TRUE(ok(write(db(),
                       "CREATE TABLE value_types (id BIGINT PRIMARY KEY, i BIGINT, "
                       "r DOUBLE PRECISION, t TEXT, b " +
                           blob_type() + ")")));
  const std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, nullptr, nullptr, nullptr, nullptr},
      {std::int64_t{2}, std::numeric_limits<std::int64_t>::min(), -0.5, std::string(), Blob{}},
      {std::int64_t{3}, std::numeric_limits<std::int64_t>::max(), 1e300,
       std::string("h\xc3\xa9llo \xe2\x80\x94 \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x9a\x80"),
       Blob{{0x00, 0x01, 0x00, 0xff, 0x00}}},
      {std::int64_t{4}, std::int64_t{-1}, 3.141592653589793, std::string("'; DROP TABLE x; --"),
       Blob{{0x00}}},
      {std::int64_t{5}, std::int64_t{0}, 1e-300, std::string("\\x00 not bytes"),
       Blob{{'\\', 'x', '0', '0'}}},
      {std::int64_t{6}, std::int64_t{1} << 53, std::numeric_limits<double>::infinity(),
       std::string(10000, 'x'), Blob{std::vector<std::uint8_t>(70000, 0xab)}},
  };
  Status inserted = db().transact(Access::kReadWrite, [&](Transaction& transaction) -> Status {
    for (const std::vector<Value>& row : rows) {
      Result<QueryResult> result = transaction.execute(
          "INSERT INTO value_types (id, i, r, t, b) VALUES ($1, $2, $3, $4, $5)", row);
      if (!result) return std::move(result).error();
      EXPECT_EQ(result->affected_rows, 1);
    }
    return {};
  });
  ASSERT_TRUE(ok(inserted));

  Result<QueryResult> selected = read(db(), "SELECT id, i, r, t, b FROM value_types ORDER BY id");
  ASSERT_TRUE(ok(selected));
  EXPECT_EQ(selected->columns, (std::vector<std::string>{"id", "i", "r", "t", "b"}));
  EXPECT_EQ(selected->affected_rows, 0);
  ASSERT_EQ(selected->rows.size(), rows.size());
  for (std::size_t row = 0; row < rows.size(); ++row) {
    for (std::size_t column = 0; column < rows[row].size(); ++column) {
      EXPECT_EQ(selected->rows[row][column], rows[row][column])
          << "row " << row << ", column " << selected->columns[column];
    }
  }
  EXPECT_TRUE(selected->is_null(0, 1));
  EXPECT_EQ(selected->integer(1, 1), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(selected->real(2, 2), 1e300);
  EXPECT_EQ(selected->text(3, 3), "'; DROP TABLE x; --");
  EXPECT_EQ(selected->blob(2, 4), (Blob{{0x00, 0x01, 0x00, 0xff, 0x00}}));
}

TEST_P(DatabaseTest, ParametersBindByNumberNotPosition) {
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE pairs (a TEXT, b BIGINT)")));
  ASSERT_TRUE(ok(write(db(), "INSERT INTO pairs (b, a) VALUES ($2, $1)",
                       {std::string("first"), std::int64_t{2}})));
  Result<QueryResult> found = read(db(), "SELECT a, b FROM pairs WHERE b = $2 AND a = $1",
                                   {std::string("first"), std::int64_t{2}});
  ASSERT_TRUE(ok(found));
  ASSERT_EQ(found->rows.size(), 1u);
  EXPECT_EQ(found->text(0, 0), "first");
  EXPECT_EQ(found->integer(0, 1), 2);

  // One parameter used twice counts once.
  Result<QueryResult> repeated =
      read(db(), "SELECT a FROM pairs WHERE b >= $1 AND b <= $1", {std::int64_t{2}});
  ASSERT_TRUE(ok(repeated));
  EXPECT_EQ(repeated->rows.size(), 1u);
}

// Batches of any size go in as statements of 128, 64 … 1 rows, every row once.
TEST_P(DatabaseTest, InsertRowsInsertsEveryRowOfAnyBatchSize) {
  ASSERT_TRUE(ok(testing::write(db(), "CREATE TABLE batch (n BIGINT PRIMARY KEY, label TEXT)")));
  std::int64_t next = 0;
  for (std::size_t size :
       {std::size_t{1}, std::size_t{7}, std::size_t{128}, std::size_t{137}, std::size_t{500}}) {
    std::int64_t first = next;
    auto status = db().transact(Access::kReadWrite, [&](Transaction& tx) -> Status {
      auto inserted = insert_rows(tx, "INSERT INTO batch (n, label) VALUES ", 2, size,
                                  [&](std::size_t i, std::vector<Value>& row) {
                                    row.emplace_back(first + static_cast<std::int64_t>(i));
                                    row.emplace_back("row " + std::to_string(first + i));
                                  });
      if (!inserted) return std::move(inserted).error();
      EXPECT_EQ(*inserted, static_cast<std::int64_t>(size));
      return {};
    });
    ASSERT_TRUE(ok(status));
    next += static_cast<std::int64_t>(size);
  }
  auto counted = testing::read(db(), "SELECT COUNT(*), MIN(n), MAX(n) FROM batch");
  ASSERT_TRUE(ok(counted));
  EXPECT_EQ(counted->integer(0, 0), next);
  EXPECT_EQ(counted->integer(0, 1), 0);
  EXPECT_EQ(counted->integer(0, 2), next - 1);
}

TEST_P(DatabaseTest, WrongParameterCountIsInvalidArgument) {
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE pairs (a TEXT, b BIGINT)")));
  Result<QueryResult> too_few = read(db(), "SELECT a FROM pairs WHERE b = $1");
  ASSERT_FALSE(too_few);
  EXPECT_EQ(too_few.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(too_few.error().message.find("takes 1 parameters but 0"), std::string::npos)
      << too_few.error().message;

  Result<QueryResult> too_many =
      read(db(), "SELECT a FROM pairs WHERE b = $1", {std::int64_t{1}, std::int64_t{2}});
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DatabaseTest, OtherParameterStylesAreRejected) {
  Result<QueryResult> question_mark = read(db(), "SELECT ?", {std::int64_t{1}});
  ASSERT_FALSE(question_mark);
  EXPECT_EQ(question_mark.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DatabaseTest, TextWithNulByteIsRejected) {
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE notes (body TEXT)")));
  Result<QueryResult> inserted =
      write(db(), "INSERT INTO notes (body) VALUES ($1)", {std::string("a\0b", 3)});
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DatabaseTest, BadSqlIsInvalidArgument) {
  Result<QueryResult> syntax = read(db(), "SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, ErrorCode::kInvalidArgument);

  Result<QueryResult> missing_table = read(db(), "SELECT * FROM no_such_table");
  ASSERT_FALSE(missing_table);
  EXPECT_EQ(missing_table.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DatabaseTest, ExecuteRunsExactlyOneStatement) {
  Result<QueryResult> two = write(db(), "CREATE TABLE a (x BIGINT); CREATE TABLE b (x BIGINT)");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, ErrorCode::kInvalidArgument);
  // A trailing semicolon or comment is not a second statement.
  EXPECT_TRUE(ok(read(db(), "SELECT 1; -- done")));
}

TEST_P(DatabaseTest, ExecuteScriptRunsEveryStatement) {
  Status created = db().transact(Access::kReadWrite, [](Transaction& transaction) {
    return transaction.execute_script(
        "CREATE TABLE a (x BIGINT);\n"
        "CREATE TABLE b (x BIGINT);\n"
        "INSERT INTO a (x) VALUES (1);\n"
        "INSERT INTO b (x) VALUES (2);\n");
  });
  ASSERT_TRUE(ok(created));
  Result<QueryResult> sum = read(db(), "SELECT (SELECT x FROM a) + (SELECT x FROM b)");
  ASSERT_TRUE(ok(sum));
  EXPECT_EQ(sum->integer(0, 0), 3);
}

TEST_P(DatabaseTest, ExecuteScriptFailureRollsBackTheTransaction) {
  Status failed = db().transact(Access::kReadWrite, [](Transaction& transaction) {
    return transaction.execute_script("CREATE TABLE a (x BIGINT); CREATE TABLE b (");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(read(db(), "SELECT x FROM a"));  // DDL is transactional on both backends
}

TEST_P(DatabaseTest, AffectedRowsCountsChangedRows) {
  create_items_table();
  Status filled = db().transact(Access::kReadWrite, [](Transaction& transaction) {
    return transaction.execute_script(
        "INSERT INTO items (name, quantity) VALUES ('a', 1), ('b', 2), ('c', 3)");
  });
  ASSERT_TRUE(ok(filled));
  Result<QueryResult> updated = write(
      db(), "UPDATE items SET quantity = quantity + 1 WHERE quantity >= $1", {std::int64_t{2}});
  ASSERT_TRUE(ok(updated));
  EXPECT_EQ(updated->affected_rows, 2);
  Result<QueryResult> none = write(db(), "DELETE FROM items WHERE name = $1", {std::string("z")});
  ASSERT_TRUE(ok(none));
  EXPECT_EQ(none->affected_rows, 0);
  Result<QueryResult> returning =
      write(db(), "DELETE FROM items WHERE name = $1 RETURNING quantity", {std::string("a")});
  ASSERT_TRUE(ok(returning));
  EXPECT_EQ(returning->affected_rows, 1);
  ASSERT_EQ(returning->rows.size(), 1u);
  EXPECT_EQ(returning->integer(0, 0), 1);
}

TEST_P(DatabaseTest, CommitsWhenWorkSucceeds) {
  create_items_table();
  Status status = db().transact(Access::kReadWrite, [](Transaction& transaction) -> Status {
    for (const char* name : {"apple", "pear"}) {
      Result<QueryResult> inserted =
          transaction.execute("INSERT INTO items (name, quantity) VALUES ($1, $2)",
                              {Value{std::string(name)}, Value{std::int64_t{1}}});
      if (!inserted) return std::move(inserted).error();
    }
    return {};
  });
  ASSERT_TRUE(ok(status));
  EXPECT_EQ(count_items(), 2);
}

TEST_P(DatabaseTest, RollsBackWhenWorkReturnsAnError) {
  create_items_table();
  Status status = db().transact(Access::kReadWrite, [](Transaction& transaction) -> Status {
    Result<QueryResult> inserted =
        transaction.execute("INSERT INTO items (name, quantity) VALUES ($1, $2)",
                            {Value{std::string("apple")}, Value{std::int64_t{1}}});
    if (!inserted) return std::move(inserted).error();
    return core::Error::invalid("quantity too low", "quantity");
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message, "quantity too low");
  EXPECT_EQ(status.error().field, "quantity");
  EXPECT_EQ(count_items(), 0);
}

TEST_P(DatabaseTest, RollsBackAndRethrowsWhenWorkThrows) {
  create_items_table();
  EXPECT_THROW(
      {
        Status ignored = db().transact(Access::kReadWrite, [](Transaction& transaction) -> Status {
          Result<QueryResult> inserted =
              transaction.execute("INSERT INTO items (name, quantity) VALUES ($1, $2)",
                                  {Value{std::string("apple")}, Value{std::int64_t{1}}});
          EXPECT_TRUE(ok(inserted));
          throw std::runtime_error("boom");
        });
      },
      std::runtime_error);
  EXPECT_EQ(count_items(), 0);
  // The connection went back to the pool clean: the next transaction works.
  EXPECT_TRUE(ok(write(db(), "INSERT INTO items (name, quantity) VALUES ('pear', 1)")));
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseTest, ConstraintViolationsAreConflicts) {
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE owners (id BIGINT PRIMARY KEY)")));
  ASSERT_TRUE(ok(write(db(),
                       "CREATE TABLE pets (id BIGINT PRIMARY KEY, "
                       "owner_id BIGINT NOT NULL REFERENCES owners (id), "
                       "name TEXT NOT NULL UNIQUE, legs BIGINT CHECK (legs >= 0))")));
  ASSERT_TRUE(ok(write(db(), "INSERT INTO owners (id) VALUES (1)")));
  ASSERT_TRUE(
      ok(write(db(), "INSERT INTO pets (id, owner_id, name, legs) VALUES (1, 1, 'rex', 4)")));

  const auto expect_conflict = [&](const std::string& sql, const std::string& mentions) {
    Result<QueryResult> result = write(db(), sql);
    ASSERT_FALSE(result) << sql;
    EXPECT_EQ(result.error().code, ErrorCode::kConflict) << result.error().message;
    std::string message = result.error().message;
    for (char& c : message) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(message.find(mentions), std::string::npos) << result.error().message;
  };
  expect_conflict("INSERT INTO pets (id, owner_id, name, legs) VALUES (1, 1, 'max', 4)",
                  is_postgres() ? "pets_pkey" : "unique");
  expect_conflict("INSERT INTO pets (id, owner_id, name, legs) VALUES (2, 1, 'rex', 4)",
                  is_postgres() ? "pets_name_key" : "pets.name");
  expect_conflict("INSERT INTO pets (id, owner_id, name, legs) VALUES (3, 99, 'tom', 4)",
                  "foreign key");
  expect_conflict("INSERT INTO pets (id, owner_id, name, legs) VALUES (4, 1, NULL, 4)",
                  is_postgres() ? "not-null" : "not null");
  expect_conflict("INSERT INTO pets (id, owner_id, name, legs) VALUES (5, 1, 'odd', -1)", "check");
}

TEST_P(DatabaseTest, AFailedStatementAbortsTheWholeTransaction) {
  create_items_table();
  ASSERT_TRUE(ok(write(db(), "INSERT INTO items (name, quantity) VALUES ('apple', 1)")));
  Status status = db().transact(Access::kReadWrite, [](Transaction& transaction) -> Status {
    EXPECT_TRUE(ok(transaction.execute("INSERT INTO items (name, quantity) VALUES ('pear', 1)")));
    Result<QueryResult> duplicate =
        transaction.execute("INSERT INTO items (name, quantity) VALUES ('apple', 1)");
    EXPECT_FALSE(duplicate);
    // Every later statement fails too, on both backends.
    Result<QueryResult> after = transaction.execute("SELECT count(*) FROM items");
    EXPECT_FALSE(after);
    if (!after) {
      EXPECT_EQ(after.error().code, ErrorCode::kConflict);
    }
    return {};  // swallowing the error cannot commit the rest
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseTest, ReadOnlyTransactionCannotWrite) {
  create_items_table();
  Result<QueryResult> written =
      read(db(), "INSERT INTO items (name, quantity) VALUES ('apple', 1)");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kInternal) << written.error().message;
  EXPECT_EQ(count_items(), 0);
}

TEST_P(DatabaseTest, ConcurrentReadModifyWriteIncrementsAreExact) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 50;
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE counter (id BIGINT PRIMARY KEY, value BIGINT)")));
  ASSERT_TRUE(ok(write(db(), "INSERT INTO counter (id, value) VALUES (1, 0)")));
  // PostgreSQL runs READ COMMITTED: a read-modify-write must lock the row it reads. SQLite
  // has one writer, so its read-write transactions are serial anyway.
  const std::string select =
      std::string("SELECT value FROM counter WHERE id = 1") + (is_postgres() ? " FOR UPDATE" : "");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Status status = db().transact(Access::kReadWrite, [&](Transaction& transaction) -> Status {
          Result<QueryResult> current = transaction.execute(select);
          if (!current) return std::move(current).error();
          Result<QueryResult> updated = transaction.execute(
              "UPDATE counter SET value = $1 WHERE id = 1", {Value{current->integer(0, 0) + 1}});
          if (!updated) return std::move(updated).error();
          return {};
        });
        if (!status) {
          ++failures;
          ADD_FAILURE() << status.error().message;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  Result<QueryResult> final_value = read(db(), "SELECT value FROM counter WHERE id = 1");
  ASSERT_TRUE(ok(final_value));
  EXPECT_EQ(final_value->integer(0, 0), kThreads * kIncrements);
}

TEST_P(DatabaseTest, ReadersAreNotBlockedByAnOpenWriteTransaction) {
  create_items_table();
  ASSERT_TRUE(ok(write(db(), "INSERT INTO items (name, quantity) VALUES ('apple', 1)")));
  Rendezvous written(2);
  Rendezvous read_done(2);
  std::thread writer([&] {
    Status status = db().transact(Access::kReadWrite, [&](Transaction& transaction) -> Status {
      EXPECT_TRUE(ok(transaction.execute("UPDATE items SET quantity = 2")));
      EXPECT_TRUE(written.arrive_and_wait());
      EXPECT_TRUE(read_done.arrive_and_wait());
      return {};
    });
    EXPECT_TRUE(ok(status));
  });
  ASSERT_TRUE(written.arrive_and_wait());
  Result<QueryResult> seen = read(db(), "SELECT quantity FROM items");
  read_done.arrive();
  writer.join();
  ASSERT_TRUE(ok(seen));
  EXPECT_EQ(seen->integer(0, 0), 1);  // the last committed value, not the open write
  Result<QueryResult> after = read(db(), "SELECT quantity FROM items");
  ASSERT_TRUE(ok(after));
  EXPECT_EQ(after->integer(0, 0), 2);
}

TEST_P(DatabaseTest, WaitingForABusyConnectionTimesOut) {
  DatabaseOptions small = options();
  small.pool_size = 1;
  small.busy_timeout = std::chrono::milliseconds(100);
  std::unique_ptr<Database> database = open(small);
  ASSERT_NE(database, nullptr);
  Rendezvous started(2);
  Rendezvous finished(2);
  std::thread holder([&] {
    Status status = database->transact(Access::kReadWrite, [&](Transaction&) -> Status {
      EXPECT_TRUE(started.arrive_and_wait());
      EXPECT_TRUE(finished.arrive_and_wait());
      return {};
    });
    EXPECT_TRUE(ok(status));
  });
  ASSERT_TRUE(started.arrive_and_wait());
  Status waited = database->transact(Access::kReadWrite, [](Transaction&) { return Status{}; });
  finished.arrive();
  holder.join();
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(ok(database->ping()));
}

TEST_P(DatabaseTest, DataSurvivesReopening) {
  create_items_table();
  ASSERT_TRUE(ok(write(db(), "INSERT INTO items (name, quantity) VALUES ('apple', 7)")));
  close_db();
  std::unique_ptr<Database> reopened = open(options());
  ASSERT_NE(reopened, nullptr);
  Result<QueryResult> found = read(*reopened, "SELECT quantity FROM items WHERE name = 'apple'");
  ASSERT_TRUE(ok(found));
  ASSERT_EQ(found->rows.size(), 1u);
  EXPECT_EQ(found->integer(0, 0), 7);
}

TEST_P(DatabaseTest, ManyDistinctStatementsOutgrowTheStatementCache) {
  Status status = db().transact(Access::kReadOnly, [](Transaction& transaction) -> Status {
    for (std::int64_t i = 0; i < 300; ++i) {
      Result<QueryResult> result =
          transaction.execute("SELECT " + std::to_string(i) + " + $1", {Value{std::int64_t{1}}});
      if (!result) return std::move(result).error();
      EXPECT_EQ(result->integer(0, 0), i + 1);
    }
    return {};
  });
  EXPECT_TRUE(ok(status));
  // Both cached and uncached statements still work afterwards.
  EXPECT_TRUE(ok(read(db(), "SELECT 5 + $1", {std::int64_t{1}})));
  EXPECT_TRUE(ok(read(db(), "SELECT 299 + $1", {std::int64_t{1}})));
}

// Provokes the backend's transient conflict and checks that transact() repeats the work.
TEST_P(DatabaseTest, TransientConflictsAreRetried) {
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT)")));
  ASSERT_TRUE(ok(write(db(), "INSERT INTO accounts (id, balance) VALUES (1, 0), (2, 0)")));
  if (is_postgres()) {
    // Two transactions lock the two rows in opposite orders: the server breaks the deadlock
    // by failing one of them, and that one is repeated.
    Rendezvous both_locked(2);
    std::atomic<int> attempts{0};
    const auto transfer = [&](std::int64_t first, std::int64_t second) {
      bool first_attempt = true;
      Status status = db().transact(Access::kReadWrite, [&](Transaction& transaction) -> Status {
        ++attempts;
        EXPECT_TRUE(ok(transaction.execute("SET LOCAL deadlock_timeout = '50ms'")));
        Result<QueryResult> locked = transaction.execute(
            "UPDATE accounts SET balance = balance + 1 WHERE id = $1", {Value{first}});
        if (!locked) return std::move(locked).error();
        if (std::exchange(first_attempt, false)) {
          EXPECT_TRUE(both_locked.arrive_and_wait());
        }
        Result<QueryResult> other = transaction.execute(
            "UPDATE accounts SET balance = balance + 1 WHERE id = $1", {Value{second}});
        if (!other) return std::move(other).error();
        return {};
      });
      EXPECT_TRUE(ok(status));
    };
    std::thread one([&] { transfer(1, 2); });
    std::thread two([&] { transfer(2, 1); });
    one.join();
    two.join();
    EXPECT_EQ(attempts.load(), 3);
  } else {
    // Another Database on the same file (as another process would) holds the write lock for
    // longer than this one's busy_timeout: only retrying the transaction gets it through.
    std::unique_ptr<Database> other = open(options());
    ASSERT_NE(other, nullptr);
    Rendezvous locked(2);
    std::thread holder([&] {
      Status status = other->transact(Access::kReadWrite, [&](Transaction& transaction) {
        EXPECT_TRUE(ok(transaction.execute("UPDATE accounts SET balance = balance + 1")));
        EXPECT_TRUE(locked.arrive_and_wait());
        // Holding a lock for a while is the point here, not waiting for a condition.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return Status{};
      });
      EXPECT_TRUE(ok(status));
    });
    ASSERT_TRUE(locked.arrive_and_wait());
    DatabaseOptions impatient = options();
    impatient.busy_timeout = std::chrono::milliseconds(20);
    impatient.max_attempts = 100;
    std::unique_ptr<Database> contender = open(impatient);
    const auto started = std::chrono::steady_clock::now();
    Status status =
        contender ? contender->transact(
                        Access::kReadWrite,
                        [](Transaction& transaction) {
                          Result<QueryResult> updated =
                              transaction.execute("UPDATE accounts SET balance = balance + 1");
                          return updated ? Status{} : Status{std::move(updated).error()};
                        })
                  : Status{core::Error::make(ErrorCode::kInternal, "not opened")};
    const auto waited = std::chrono::steady_clock::now() - started;
    holder.join();
    EXPECT_TRUE(ok(status));
    EXPECT_GT(waited, std::chrono::milliseconds(100));  // far beyond one busy_timeout
  }
  Result<QueryResult> balances = read(db(), "SELECT sum(balance) FROM accounts");
  ASSERT_TRUE(ok(balances));
  EXPECT_EQ(balances->integer(0, 0), 4);  // every increment applied exactly once
}

TEST_P(DatabaseTest, PersistentConflictsGiveUpAsUnavailable) {
  ASSERT_TRUE(ok(write(db(), "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT)")));
  ASSERT_TRUE(ok(write(db(), "INSERT INTO accounts (id, balance) VALUES (1, 0), (2, 0)")));
  DatabaseOptions one_attempt = options();
  one_attempt.max_attempts = 1;
  one_attempt.busy_timeout = std::chrono::milliseconds(20);
  std::unique_ptr<Database> database = open(one_attempt);
  ASSERT_NE(database, nullptr);
  if (is_postgres()) {
    Rendezvous both_locked(2);
    std::vector<Status> results(2);
    const auto transfer = [&](std::int64_t first, std::int64_t second, Status& result) {
      result = database->transact(Access::kReadWrite, [&](Transaction& transaction) -> Status {
        EXPECT_TRUE(ok(transaction.execute("SET LOCAL deadlock_timeout = '50ms'")));
        Result<QueryResult> locked = transaction.execute(
            "UPDATE accounts SET balance = balance + 1 WHERE id = $1", {Value{first}});
        if (!locked) return std::move(locked).error();
        EXPECT_TRUE(both_locked.arrive_and_wait());
        Result<QueryResult> other = transaction.execute(
            "UPDATE accounts SET balance = balance + 1 WHERE id = $1", {Value{second}});
        if (!other) return std::move(other).error();
        return {};
      });
    };
    std::thread one([&] { transfer(1, 2, results[0]); });
    std::thread two([&] { transfer(2, 1, results[1]); });
    one.join();
    two.join();
    ASSERT_NE(results[0].has_value(), results[1].has_value()) << "exactly one must lose";
    const Status& lost = results[0] ? results[1] : results[0];
    EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(lost.error().message.find("database is busy"), std::string::npos)
        << lost.error().message;
    EXPECT_NE(lost.error().message.find("40P01"), std::string::npos) << lost.error().message;
  } else {
    std::unique_ptr<Database> other = open(options());
    ASSERT_NE(other, nullptr);
    Rendezvous locked(2);
    Rendezvous release(2);
    std::thread holder([&] {
      Status status = other->transact(Access::kReadWrite, [&](Transaction& transaction) {
        EXPECT_TRUE(ok(transaction.execute("UPDATE accounts SET balance = balance + 1")));
        EXPECT_TRUE(locked.arrive_and_wait());
        EXPECT_TRUE(release.arrive_and_wait());
        return Status{};
      });
      EXPECT_TRUE(ok(status));
    });
    ASSERT_TRUE(locked.arrive_and_wait());
    Result<QueryResult> blocked = write(*database, "UPDATE accounts SET balance = balance + 1");
    release.arrive();
    holder.join();
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(blocked.error().message.find("database is busy"), std::string::npos)
        << blocked.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_param_name);

}  // namespace
}  // namespace aic::store::testing
