// The SQLite backend of Database. Private to src/store: callers use open_database().
#pragma once

#include <memory>
#include <string>

#include "store/database.hpp"

namespace aic::store {

// Opens the SQLite database file at `path`, creating the file and its parent directory when
// missing. Errors: kUnavailable when the file cannot be created or opened.
// REQUIRES: !path.empty(); options already validated by open_database().
Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       const DatabaseOptions& options);

}  // namespace aic::store
