// The PostgreSQL backend of Database. Private to src/store: callers use open_database().
#pragma once

#include <memory>

#include "store/database.hpp"

namespace aic::store {

// Connects to the PostgreSQL server named by options.url (a postgres:// or postgresql:// URI)
// and returns a pool of up to options.pool_size connections; one is opened now to check the
// URL and the server. Errors: kInvalidArgument (field "database.url") for a URL libpq cannot
// parse, kUnavailable when the server cannot be reached. No error message contains the
// password. REQUIRES: options already validated by open_database().
Result<std::unique_ptr<Database>> open_postgres_database(const DatabaseOptions& options);

}  // namespace aic::store
