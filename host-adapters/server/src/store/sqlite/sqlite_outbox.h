// The outbox's database on SQLite (store/outbox_database.h): connections of their own to the store's
// file. WAL lets them read and mark rows while the commit thread writes ops.
#pragma once

#include <memory>
#include <string>

#include "store/outbox_database.h"

namespace kring::server {

// One server delivers every site's rows.
std::shared_ptr<const OutboxDatabase> sqliteOutboxDatabase(std::string path);

}  // namespace kring::server
