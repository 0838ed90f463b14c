#include "storage.h"

#include <stdexcept>

namespace kring::server {

Storage::Statement::Statement(sqlite3* db, const char* sql) {
  if (sqlite3_prepare_v2(db, sql, -1, &handle, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
}

Storage::Statement::~Statement() { sqlite3_finalize(handle); }

std::unique_ptr<Storage> Storage::open(const std::string& path, std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return nullptr;
  }
  // Another connection may hold the database a moment (the op-id reader, a backup or sqlite3 shell):
  // a commit waits for it; failing would abort the server, which cannot un-apply ops.
  sqlite3_busy_timeout(db, 10'000);
  auto storage = std::make_unique<Storage>(Key{}, db);
  try {
    storage->execute("PRAGMA journal_mode=WAL");
    storage->execute("PRAGMA synchronous=FULL");
    storage->execute(
        "CREATE TABLE IF NOT EXISTS ops(site TEXT NOT NULL, seq INTEGER NOT NULL, op_id TEXT NOT NULL, "
        "op BLOB NOT NULL, PRIMARY KEY(site, seq), UNIQUE(site, op_id))");
    storage->execute(
        "CREATE TABLE IF NOT EXISTS snapshots(site TEXT PRIMARY KEY, seq INTEGER NOT NULL, snapshot BLOB NOT NULL)");
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
  return storage;
}

Storage::~Storage() { sqlite3_close(db_); }

void Storage::execute(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error("sqlite: " + text);
  }
}

void Storage::fail(const char* what) { throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db_)); }

void Storage::append(const std::vector<StoredOp>& ops) {
  execute("BEGIN IMMEDIATE");
  try {
    Statement insert(db_, "INSERT INTO ops(site, seq, op_id, op) VALUES (?1, ?2, ?3, ?4)");
    for (const StoredOp& op : ops) {
      sqlite3_reset(insert.handle);
      sqlite3_bind_text(insert.handle, 1, op.siteId.data(), static_cast<int>(op.siteId.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert.handle, 2, static_cast<sqlite3_int64>(op.sequence));
      sqlite3_bind_text(insert.handle, 3, op.opId.data(), static_cast<int>(op.opId.size()), SQLITE_STATIC);
      sqlite3_bind_blob(insert.handle, 4, op.op.data(), static_cast<int>(op.op.size()), SQLITE_STATIC);
      if (sqlite3_step(insert.handle) != SQLITE_DONE) fail("sqlite insert op");
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Storage::saveSnapshot(const std::string& siteId, Sequence sequence, const Bytes& snapshot) {
  Statement upsert(db_, "INSERT OR REPLACE INTO snapshots(site, seq, snapshot) VALUES (?1, ?2, ?3)");
  sqlite3_bind_text(upsert.handle, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  sqlite3_bind_int64(upsert.handle, 2, static_cast<sqlite3_int64>(sequence));
  sqlite3_bind_blob(upsert.handle, 3, snapshot.data(), static_cast<int>(snapshot.size()), SQLITE_STATIC);
  if (sqlite3_step(upsert.handle) != SQLITE_DONE) fail("sqlite save snapshot");
}

std::optional<StoredSnapshot> Storage::latestSnapshot(const std::string& siteId) {
  Statement select(db_, "SELECT seq, snapshot FROM snapshots WHERE site = ?1");
  sqlite3_bind_text(select.handle, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  if (sqlite3_step(select.handle) != SQLITE_ROW) return std::nullopt;
  StoredSnapshot snapshot;
  snapshot.sequence = static_cast<Sequence>(sqlite3_column_int64(select.handle, 0));
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(select.handle, 1));
  snapshot.snapshot.assign(data, data + sqlite3_column_bytes(select.handle, 1));
  return snapshot;
}

std::vector<std::pair<Sequence, std::string>> Storage::newestOpIds(const std::string& siteId, std::size_t limit) {
  Statement select(db_, "SELECT seq, op_id FROM ops WHERE site = ?1 ORDER BY seq DESC LIMIT ?2");
  sqlite3_bind_text(select.handle, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  sqlite3_bind_int64(select.handle, 2, static_cast<sqlite3_int64>(limit));
  std::vector<std::pair<Sequence, std::string>> ids;
  while (sqlite3_step(select.handle) == SQLITE_ROW) {
    ids.emplace_back(static_cast<Sequence>(sqlite3_column_int64(select.handle, 0)),
                     std::string(reinterpret_cast<const char*>(sqlite3_column_text(select.handle, 1)),
                                 static_cast<std::size_t>(sqlite3_column_bytes(select.handle, 1))));
  }
  return ids;
}

std::unique_ptr<StoredOpIds> StoredOpIds::open(const std::string& path, std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* select = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM ops WHERE site = ?1 AND op_id = ?2", -1, &select, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return nullptr;
  }
  return std::make_unique<StoredOpIds>(Key{}, db, select);
}

StoredOpIds::~StoredOpIds() {
  sqlite3_finalize(select_);
  sqlite3_close(db_);
}

bool StoredOpIds::contains(const std::string& siteId, const std::string& opId) {
  sqlite3_reset(select_);
  sqlite3_bind_text(select_, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  sqlite3_bind_text(select_, 2, opId.data(), static_cast<int>(opId.size()), SQLITE_STATIC);
  int step = sqlite3_step(select_);
  sqlite3_reset(select_);
  if (step != SQLITE_ROW && step != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
  return step == SQLITE_ROW;
}

Sequence Storage::lastSequence(const std::string& siteId) {
  Statement select(db_, "SELECT COALESCE(MAX(seq), 0) FROM ops WHERE site = ?1");
  sqlite3_bind_text(select.handle, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  if (sqlite3_step(select.handle) != SQLITE_ROW) return 0;
  return static_cast<Sequence>(sqlite3_column_int64(select.handle, 0));
}

}  // namespace kring::server
