// The SQLite store's tables and their versions (store_migrations.h): table `meta` records them, and
// opening a store creates or migrates its tables.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>

#include "kring/reason.h"

namespace kring::server {

// Ok, or unsupported_version when this server must not open the store (written by a newer
// kring-server). Only reads: run it before anything writes, the journal mode included.
Status sqliteStoreRefusal(sqlite3* db);

// Creates a new store's tables, or migrates an older store's, in one transaction, and records this
// server's versions. Throws on failure (the transaction is rolled back).
void migrateSqliteStore(sqlite3* db);

}  // namespace kring::server
