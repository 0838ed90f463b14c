#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "observe/logging.h"
#include "store/part_stream.h"
#include "store/sqlite/sqlite_schema.h"

namespace kring::server {

SqliteStore::Statement::Statement(sqlite3* db, const char* sql) {
  if (sqlite3_prepare_v2(db, sql, -1, &handle, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
}

SqliteStore::Statement::~Statement() { sqlite3_finalize(handle); }

namespace {

// Up to 10 s, as sqlite3_busy_timeout(10'000) would, but first in steps of 50 µs where SQLite's own
// handler sleeps 1 ms and more: an outbox round holds the write lock for its marks a fraction of a
// millisecond, and every acknowledgement waits for its commit.
int waitForWriter(void*, int tries) {
  constexpr int kBriefTries = 200;  // 10 ms
  if (tries < kBriefTries) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return 1;
  }
  if (tries >= kBriefTries + 9'990) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return 1;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Error error{ReasonCode::storeUnavailable, db ? sqlite3_errmsg(db) : "out of memory"};
    sqlite3_close(db);
    return error;
  }
  // Another connection may hold the database a moment (the outbox's marks, a backup or sqlite3 shell):
  // a commit waits for it; failing would abort the server, which cannot un-apply ops.
  sqlite3_busy_handler(db, waitForWriter, nullptr);
  auto storage = std::make_unique<SqliteStore>(Key{}, db);
  try {
    // Before anything writes, the journal mode included: a store this server must not open stays as it was.
    if (Status refused = sqliteStoreRefusal(db); !refused) return refused.error();
    storage->execute("PRAGMA journal_mode=WAL");
    storage->execute("PRAGMA synchronous=FULL");
    // Checkpoints and compaction touch pages all over a large store: 32 MiB of page cache keeps
    // their B-tree interiors in memory (SQLite's default is 2 MiB).
    storage->execute("PRAGMA cache_size=-32768");
    migrateSqliteStore(db);
    Statement legacy(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'");
    storage->legacySnapshots_ = sqlite3_step(legacy.handle) == SQLITE_ROW;
  } catch (const std::exception& e) {
    return Error{ReasonCode::storeUnavailable, e.what()};
  }
  return storage;
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

void SqliteStore::execute(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error("sqlite: " + text);
  }
}

void SqliteStore::fail(const char* what) { throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db_)); }

void SqliteStore::append(const std::vector<StoredOp>& ops, const std::vector<MemberContact>& contacts) {
  execute("BEGIN IMMEDIATE");
  try {
    Statement insert(db_, "INSERT INTO ops(site, seq, op_id, op) VALUES (?1, ?2, ?3, ?4)");
    std::optional<Statement> outbox;
    for (const StoredOp& op : ops) {
      sqlite3_reset(insert.handle);
      sqlite3_bind_text(insert.handle, 1, op.siteId.data(), static_cast<int>(op.siteId.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert.handle, 2, static_cast<sqlite3_int64>(op.sequence));
      sqlite3_bind_text(insert.handle, 3, op.opId.data(), static_cast<int>(op.opId.size()), SQLITE_STATIC);
      sqlite3_bind_blob(insert.handle, 4, op.op.data(), static_cast<int>(op.op.size()), SQLITE_STATIC);
      if (sqlite3_step(insert.handle) != SQLITE_DONE) fail("sqlite insert op");
      for (const NotificationIntent& intent : op.notifications) {
        if (!outbox) {
          outbox.emplace(db_,
                         "INSERT OR IGNORE INTO outbox(site, seq, recipient, kind, thread_key, post_id, actor, "
                         "created_ms, due_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
        }
        sqlite3_stmt* row = outbox->handle;
        sqlite3_reset(row);
        sqlite3_bind_text(row, 1, op.siteId.data(), static_cast<int>(op.siteId.size()), SQLITE_STATIC);
        sqlite3_bind_int64(row, 2, static_cast<sqlite3_int64>(op.sequence));
        sqlite3_bind_text(row, 3, intent.recipientId.data(), static_cast<int>(intent.recipientId.size()),
                          SQLITE_STATIC);
        sqlite3_bind_int(row, 4, static_cast<int>(intent.kind));
        sqlite3_bind_text(row, 5, intent.threadKey.data(), static_cast<int>(intent.threadKey.size()), SQLITE_STATIC);
        sqlite3_bind_text(row, 6, intent.postId.data(), static_cast<int>(intent.postId.size()), SQLITE_STATIC);
        sqlite3_bind_text(row, 7, intent.actorId.data(), static_cast<int>(intent.actorId.size()), SQLITE_STATIC);
        sqlite3_bind_int64(row, 8, static_cast<sqlite3_int64>(op.time));
        if (sqlite3_step(row) != SQLITE_DONE) fail("sqlite insert outbox row");
      }
    }
    std::optional<Statement> webhooks;
    for (const StoredOp& op : ops) {
      for (const OutboxWebhook& webhook : op.webhooks) {
        if (!webhooks) {
          webhooks.emplace(db_,
                           "INSERT OR IGNORE INTO webhook_deliveries(site, seq, url, type, subject, thread_key, "
                           "created_ms, due_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
        }
        sqlite3_stmt* row = webhooks->handle;
        sqlite3_reset(row);
        for (auto [column, value] : {std::pair{1, &op.siteId}, std::pair{3, &webhook.url}, std::pair{4, &webhook.type},
                                     std::pair{5, &webhook.subject}, std::pair{6, &webhook.threadKey}}) {
          sqlite3_bind_text(row, column, value->data(), static_cast<int>(value->size()), SQLITE_STATIC);
        }
        sqlite3_bind_int64(row, 2, static_cast<sqlite3_int64>(op.sequence));
        sqlite3_bind_int64(row, 7, static_cast<sqlite3_int64>(op.time));
        if (sqlite3_step(row) != SQLITE_DONE) fail("sqlite insert webhook row");
      }
    }
    if (!contacts.empty()) {
      // A new address is a new chance: it is not undeliverable until its own server says so.
      Statement upsert(db_,
                       "INSERT INTO member_contacts(site, member, email, language, updated_ms) "
                       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(site, member) DO UPDATE SET "
                       "undeliverable = CASE WHEN email = excluded.email THEN undeliverable ELSE 0 END, "
                       "email = excluded.email, language = excluded.language, updated_ms = excluded.updated_ms");
      for (const MemberContact& contact : contacts) {
        sqlite3_reset(upsert.handle);
        for (auto [column, value] : {std::pair{1, &contact.siteId}, std::pair{2, &contact.memberId},
                                     std::pair{3, &contact.email}, std::pair{4, &contact.language}}) {
          sqlite3_bind_text(upsert.handle, column, value->data(), static_cast<int>(value->size()), SQLITE_STATIC);
        }
        sqlite3_bind_int64(upsert.handle, 5, static_cast<sqlite3_int64>(contact.updatedAt));
        if (sqlite3_step(upsert.handle) != SQLITE_DONE) fail("sqlite upsert member contact");
      }
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

namespace {

void bindText(sqlite3_stmt* statement, int column, const std::string& value) {
  sqlite3_bind_text(statement, column, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
}

void bindBlob(sqlite3_stmt* statement, int column, const Bytes& value) {
  // A zero-length blob still binds as a blob, never as NULL.
  sqlite3_bind_blob(statement, column, value.empty() ? "" : static_cast<const void*>(value.data()),
                    static_cast<int>(value.size()), SQLITE_STATIC);
}

ByteView columnBlob(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, column));
  return ByteView(data, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

}  // namespace

void SqliteStore::importSite(const std::string& siteId, const EncodedCheckpoint& checkpoint) {
  Statement held(
      db_,
      "SELECT EXISTS(SELECT 1 FROM ops WHERE site = ?1) OR EXISTS(SELECT 1 FROM checkpoints WHERE site = ?1) "
      "OR EXISTS(SELECT 1 FROM compacted_op_ids WHERE site = ?1)");
  bindText(held.handle, 1, siteId);
  if (sqlite3_step(held.handle) != SQLITE_ROW) fail("sqlite check site");
  if (sqlite3_column_int(held.handle, 0) != 0) throw std::runtime_error("the store already holds site " + siteId);
  saveCheckpoint(siteId, checkpoint, checkpoint.lastSequence);
}

void SqliteStore::saveCheckpoint(const std::string& siteId, const EncodedCheckpoint& checkpoint, Sequence compactUpTo,
                                 LogErasure* erasure) {
  execute("BEGIN IMMEDIATE");
  try {
    Sequence compacted = compactedUpTo(siteId);
    {
      Statement upsert(db_, "INSERT OR REPLACE INTO checkpoint_parts(site, kind, idx, part) VALUES (?1, ?2, ?3, ?4)");
      for (const CheckpointPart& part : checkpoint.parts) {
        sqlite3_reset(upsert.handle);
        bindText(upsert.handle, 1, siteId);
        sqlite3_bind_int(upsert.handle, 2, static_cast<int>(part.kind));
        sqlite3_bind_int64(upsert.handle, 3, part.index);
        bindBlob(upsert.handle, 4, part.bytes);
        if (sqlite3_step(upsert.handle) != SQLITE_DONE) fail("sqlite save checkpoint part");
      }
    }
    if (compactUpTo > compacted) {
      // Whole rows go (a row emptied in place keeps its page); the ids move to their own table.
      for (const char* sql :
           {"INSERT INTO compacted_op_ids(site, op_id) SELECT site, op_id FROM ops WHERE site = ?1 AND seq <= ?2",
            "DELETE FROM ops WHERE site = ?1 AND seq <= ?2"}) {
        Statement compact(db_, sql);
        bindText(compact.handle, 1, siteId);
        sqlite3_bind_int64(compact.handle, 2, static_cast<sqlite3_int64>(compactUpTo));
        if (sqlite3_step(compact.handle) != SQLITE_DONE) fail("sqlite compact ops");
      }
      compacted = compactUpTo;
    }
    {
      // The spam model part is kept when this checkpoint carries none: it did not change.
      Statement upsert(
          db_,
          "INSERT INTO checkpoints(site, seq, compacted, site_part, spam_model) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT(site) DO UPDATE SET seq = excluded.seq, compacted = excluded.compacted, "
          "site_part = excluded.site_part, spam_model = CASE WHEN ?6 THEN excluded.spam_model "
          "ELSE checkpoints.spam_model END");
      bindText(upsert.handle, 1, siteId);
      sqlite3_bind_int64(upsert.handle, 2, static_cast<sqlite3_int64>(checkpoint.lastSequence));
      sqlite3_bind_int64(upsert.handle, 3, static_cast<sqlite3_int64>(compacted));
      bindBlob(upsert.handle, 4, checkpoint.site);
      static const Bytes kNoModel;
      bindBlob(upsert.handle, 5, checkpoint.spamModel ? *checkpoint.spamModel : kNoModel);
      sqlite3_bind_int(upsert.handle, 6, checkpoint.spamModel ? 1 : 0);
      if (sqlite3_step(upsert.handle) != SQLITE_DONE) fail("sqlite save checkpoint");
    }
    if (legacySnapshots_) {
      Statement drop(db_, "DELETE FROM snapshots WHERE site = ?1");
      bindText(drop.handle, 1, siteId);
      if (sqlite3_step(drop.handle) != SQLITE_DONE) fail("sqlite drop whole-site snapshot");
    }
    if (erasure) {
      eraseOps(siteId, checkpoint.lastSequence, *erasure);
      // Their address, and what was still to be mailed to them, go with the rest.
      for (const char* sql : {"DELETE FROM member_contacts WHERE site = ?1 AND member = ?2",
                              "DELETE FROM outbox WHERE site = ?1 AND recipient = ?2"}) {
        Statement erase(db_, sql);
        bindText(erase.handle, 1, siteId);
        bindText(erase.handle, 2, erasure->memberId);
        if (sqlite3_step(erase.handle) != SQLITE_DONE) fail("sqlite erase member contact");
      }
    }
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (erasure) clearFreedSpace();
}

void SqliteStore::eraseOps(const std::string& siteId, Sequence upTo, LogErasure& erasure) {
  std::vector<sqlite3_int64> covered;
  {
    Statement scan(db_, "SELECT seq, op FROM ops WHERE site = ?1 AND seq <= ?2");
    bindText(scan.handle, 1, siteId);
    sqlite3_bind_int64(scan.handle, 2, static_cast<sqlite3_int64>(upTo));
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(scan.handle)) == SQLITE_ROW) {
      if (erasure.covers(columnBlob(scan.handle, 1))) covered.push_back(sqlite3_column_int64(scan.handle, 0));
    }
    if (step != SQLITE_DONE) fail("sqlite read ops to erase");
  }
  // The ids stay, as for compacted ops: a retry of one is still already_applied.
  Statement keepId(
      db_,
      "INSERT OR IGNORE INTO compacted_op_ids(site, op_id) SELECT site, op_id FROM ops WHERE site = ?1 AND seq = ?2");
  Statement drop(db_, "DELETE FROM ops WHERE site = ?1 AND seq = ?2");
  for (sqlite3_int64 sequence : covered) {
    for (sqlite3_stmt* statement : {keepId.handle, drop.handle}) {
      sqlite3_reset(statement);
      bindText(statement, 1, siteId);
      sqlite3_bind_int64(statement, 2, sequence);
      if (sqlite3_step(statement) != SQLITE_DONE) fail("sqlite erase op");
    }
  }
  erasure.removed = covered.size();
  if (covered.empty()) return;
  // Ids up to the newest erased op may now be only among the compacted ones: start-up asks the store.
  Statement mark(db_, "UPDATE checkpoints SET compacted = MAX(compacted, ?2) WHERE site = ?1");
  bindText(mark.handle, 1, siteId);
  sqlite3_bind_int64(mark.handle, 2, *std::max_element(covered.begin(), covered.end()));
  if (sqlite3_step(mark.handle) != SQLITE_DONE) fail("sqlite mark erased ops");
}

void SqliteStore::clearFreedSpace() {
  // Deleted rows and replaced parts leave their bytes in free pages and in the WAL: VACUUM rewrites
  // the file from the live rows alone, and a truncating WAL checkpoint empties the WAL.
  execute("VACUUM");
  for (int attempt = 0; attempt < 50; ++attempt) {
    int logFrames = 0, checkpointed = 0;
    int result = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &checkpointed);
    if (result == SQLITE_OK) return;
    if (result != SQLITE_BUSY && result != SQLITE_LOCKED) fail("sqlite truncate the WAL");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The rows are gone and the file rewritten; the WAL's old frames go with a later truncation.
  logEvent("warn", "erasure_wal_busy", {{"error", "readers kept the WAL busy for 5 s; it was not emptied"}});
}

std::optional<Result<Engine>> SqliteStore::loadCheckpoint(const std::string& siteId, Limits limits) {
  Statement site(db_, "SELECT site_part, spam_model FROM checkpoints WHERE site = ?1");
  bindText(site.handle, 1, siteId);
  if (sqlite3_step(site.handle) != SQLITE_ROW) return std::nullopt;
  Result<CheckpointLoader> loader = CheckpointLoader::begin(columnBlob(site.handle, 0), limits);
  if (!loader) return Result<Engine>(loader.error());
  if (Status spam = loader.value().setSpamModel(columnBlob(site.handle, 1)); !spam) return Result<Engine>(spam.error());
  // The primary key's order: kinds in PartKind order, each by index, as the loader takes them.
  Statement parts(db_, "SELECT kind, idx, part FROM checkpoint_parts WHERE site = ?1 ORDER BY kind, idx");
  bindText(parts.handle, 1, siteId);

  return buildFromParts(loader.value(), [&](const EmitPart& emit) -> std::string {
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(parts.handle)) == SQLITE_ROW) {
      if (!emit(sqlite3_column_int64(parts.handle, 0), sqlite3_column_int64(parts.handle, 1),
                columnBlob(parts.handle, 2))) {
        return {};
      }
    }
    return step == SQLITE_DONE ? std::string() : std::string("sqlite: ") + sqlite3_errmsg(db_);
  });
}

std::optional<StoredSnapshot> SqliteStore::legacySnapshot(const std::string& siteId) {
  if (!legacySnapshots_) return std::nullopt;
  Statement select(db_, "SELECT seq, snapshot FROM snapshots WHERE site = ?1");
  bindText(select.handle, 1, siteId);
  if (sqlite3_step(select.handle) != SQLITE_ROW) return std::nullopt;
  StoredSnapshot snapshot;
  snapshot.sequence = static_cast<Sequence>(sqlite3_column_int64(select.handle, 0));
  ByteView bytes = columnBlob(select.handle, 1);
  snapshot.snapshot.assign(bytes.begin(), bytes.end());
  return snapshot;
}

Sequence SqliteStore::compactedUpTo(const std::string& siteId) {
  Statement select(db_, "SELECT compacted FROM checkpoints WHERE site = ?1");
  bindText(select.handle, 1, siteId);
  if (sqlite3_step(select.handle) != SQLITE_ROW) return 0;
  return static_cast<Sequence>(sqlite3_column_int64(select.handle, 0));
}

void SqliteStore::forEachOpAfter(const std::string& siteId, Sequence after,
                                 const std::function<void(Sequence, ByteView)>& visit) {
  Statement statement(db_, "SELECT seq, op FROM ops WHERE site = ?1 AND seq > ?2 ORDER BY seq");
  bindText(statement.handle, 1, siteId);
  sqlite3_bind_int64(statement.handle, 2, static_cast<sqlite3_int64>(after));
  while (sqlite3_step(statement.handle) == SQLITE_ROW) {
    visit(static_cast<Sequence>(sqlite3_column_int64(statement.handle, 0)), columnBlob(statement.handle, 1));
  }
}

std::vector<std::pair<Sequence, std::string>> SqliteStore::newestOpIds(const std::string& siteId, std::size_t limit) {
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

Result<std::unique_ptr<SqliteOpIds>> SqliteOpIds::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    Error error{ReasonCode::storeUnavailable, db ? sqlite3_errmsg(db) : "out of memory"};
    sqlite3_close(db);
    return error;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* select = nullptr;
  const char* sql =
      "SELECT 1 FROM ops WHERE site = ?1 AND op_id = ?2 UNION ALL SELECT 1 FROM compacted_op_ids WHERE site = ?1 AND "
      "op_id = ?2";
  if (sqlite3_prepare_v2(db, sql, -1, &select, nullptr) != SQLITE_OK) {
    Error error{ReasonCode::storeUnavailable, sqlite3_errmsg(db)};
    sqlite3_close(db);
    return error;
  }
  return std::make_unique<SqliteOpIds>(Key{}, db, select);
}

SqliteOpIds::~SqliteOpIds() {
  sqlite3_finalize(select_);
  sqlite3_close(db_);
}

bool SqliteOpIds::contains(const std::string& siteId, const std::string& opId) {
  sqlite3_reset(select_);
  sqlite3_bind_text(select_, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  sqlite3_bind_text(select_, 2, opId.data(), static_cast<int>(opId.size()), SQLITE_STATIC);
  int step = sqlite3_step(select_);
  sqlite3_reset(select_);
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
  return step == SQLITE_ROW;
}

}  // namespace kring::server
