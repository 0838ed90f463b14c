// The outbox's database on PostgreSQL (store/outbox_database.h): several servers share its tables,
// and the one holding a site's checkpoint lock delivers the site's rows (docs/notifications.md,
// "Several servers on PostgreSQL").
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "store/outbox_database.h"
#include "store/postgres/pg_store.h"

namespace kring::server {

// `delivers` says whether this server delivers a site's rows now; it is asked from the delivery threads.
std::shared_ptr<const OutboxDatabase> postgresOutboxDatabase(std::string url, PgSessionLimits limits,
                                                             std::function<bool(const std::string&)> delivers);

}  // namespace kring::server
