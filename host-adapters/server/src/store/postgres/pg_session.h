// A database session with the server's settings (pg_store.h, PgSessionLimits): every connection the
// server makes to PostgreSQL runs with them, a new one after a lost one included.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "store/postgres/pg_store.h"

namespace kring::server {

inline void applySessionLimits(pqxx::connection& connection, const PgSessionLimits& limits) {
  pqxx::nontransaction session(connection);
  if (!limits.applicationName.empty()) session.exec0("SET application_name = " + session.quote(limits.applicationName));
  session.exec0("SET lock_timeout = " + std::to_string(limits.lockTimeoutMs));
  session.exec0("SET statement_timeout = " + std::to_string(limits.statementTimeoutMs));
  session.exec0("SET idle_in_transaction_session_timeout = " + std::to_string(limits.idleInTransactionTimeoutMs));
}

}  // namespace kring::server
