// The PostgreSQL store's tables and their versions (store_migrations.h): table `kring_meta` records
// them, and opening the store creates or migrates its tables.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>

#include "kring/reason.h"

namespace kring::server {

// In one transaction: creates a new store's tables, or migrates an older store's, and records this
// server's versions. Refuses (unsupported_version, writing nothing) a store written by a newer
// kring-server. Throws on failure (the transaction is rolled back).
Status migratePgStore(pqxx::connection& connection);

}  // namespace kring::server
