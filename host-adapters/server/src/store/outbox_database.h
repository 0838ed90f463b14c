// The database that holds the outbox (its rows, the members' contacts, the console's webhook
// endpoints), as the delivery threads, the preferences page and the console reach it: SQLite's file
// (one server, sqlite/sqlite_outbox.h) or PostgreSQL (several, postgres/pg_outbox.h).
// Each statement is written once, in the SQL both speak, with $1-style parameters, so both stores run
// the same delivery code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace kring::server {

// One statement: bound, then run once or read row by row. Throws on a store failure.
class OutboxQuery {
 public:
  virtual ~OutboxQuery() = default;
  virtual void bind(int column, const std::string& value) = 0;
  virtual void bind(int column, std::int64_t value) = 0;
  virtual bool row() = 0;  // the next row; false after the last
  virtual void run() = 0;
  virtual void reset() = 0;                      // ready to run again with new values
  virtual std::int64_t integer(int column) = 0;  // 0 for NULL
  virtual std::string text(int column) = 0;      // "" for NULL
};

// One connection, used by one thread at a time. Without begin(), each statement commits on its own.
class OutboxConnection {
 public:
  virtual ~OutboxConnection() = default;
  virtual std::unique_ptr<OutboxQuery> prepare(const std::string& sql) = 0;
  // A write transaction: SQLite takes its write lock at once.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Rows the last statement run changed.
  virtual std::int64_t changes() = 0;
  // True: each commit reaches the disk before it returns (a member's unsubscribe); false: a crash
  // may lose the last commits (a row's mark: the row is sent again, with the same id). PostgreSQL
  // commits durably either way.
  virtual void syncEachCommit(bool) {}
};

class OutboxDatabase {
 public:
  enum class Access { read, write };
  virtual ~OutboxDatabase() = default;
  // A new connection; `what` names the caller in errors. Throws when none is made.
  virtual std::unique_ptr<OutboxConnection> connect(Access access, const char* what) const = 0;
  // True when this server delivers the site's rows now (PostgreSQL: it holds the site's lock).
  virtual bool delivers(const std::string& siteId) const = 0;
  // True when other servers write to it too (PostgreSQL): what the console changes on one (the
  // webhook endpoints) reaches the others through it.
  virtual bool sharedByServers() const = 0;
};

}  // namespace kring::server
