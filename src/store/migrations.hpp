// Versioned, forward-only schema migrations.
//
// The `schema_migrations` table records each applied version with its name, a checksum of
// the script that ran and when. A database whose newest version is above what this binary
// knows is refused (an older binary must not write to a newer schema), and so is one whose
// recorded checksum differs from the script of the same version (a migration was edited
// after it shipped).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace aic::store {

struct Migration {
  int version;               // 1, 2, 3 … with no gaps
  std::string name;          // "create_instance"
  std::string sqlite_sql;    // script for SQLite
  std::string postgres_sql;  // script for PostgreSQL
};

// Every migration this binary knows, in version order.
std::span<const Migration> builtin_migrations();

struct MigrationStatus {
  int current_version = 0;  // highest applied version; 0 for an empty database
  int latest_version = 0;   // highest version known to this binary
  std::vector<Migration> pending;
  bool up_to_date() const { return pending.empty(); }
};

// Reads the applied versions and compares them with `known`. Errors: kConflict when the
// database is newer than `known` or a checksum differs.
Result<MigrationStatus> migration_status(Database& database, std::span<const Migration> known);

// Applies every pending migration, each in its own transaction. Safe against concurrent
// callers (several replicas starting at once): the work is serialised by a lock and a
// version already applied by another process is skipped. Returns the versions applied.
Result<std::vector<int>> apply_migrations(Database& database, std::span<const Migration> known);

}  // namespace aic::store
