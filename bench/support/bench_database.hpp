// The benchmarks' database: opened by URL (SQLite or PostgreSQL), migrated, with one
// enterprise tenant for the bench to work in.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aic::bench {

// Opens `url`, applies the migrations and inserts the tenant `tenant_id`. On failure says
// what failed on stderr and returns null.
inline std::unique_ptr<store::Database> open_bench_database(const std::string& url,
                                                            const std::string& tenant_id) {
  store::DatabaseOptions options;
  options.url = url;
  auto database = store::open_database(options);
  if (!database || !store::apply_migrations(**database, store::builtin_migrations())) {
    std::cerr << "cannot open or migrate " << url << "\n";
    return nullptr;
  }
  auto inserted = (*database)->transact(store::Access::kReadWrite, [&](store::Transaction& tx) {
    auto row = tx.execute(
        "INSERT INTO tenants (id, slug, name, plan, created_at) "
        "VALUES ($1, $1, 'bench', 'enterprise', '2026-01-01T00:00:00Z')",
        {tenant_id});
    return row ? core::Status{} : core::Status(row.error());
  });
  if (!inserted) {
    std::cerr << "cannot create the bench tenant: " << inserted.error().message << "\n";
    return nullptr;
  }
  return std::move(*database);
}

}  // namespace aic::bench
