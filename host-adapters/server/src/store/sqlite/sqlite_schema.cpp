#include "store/sqlite/sqlite_schema.h"

#include <stdexcept>
#include <vector>

#include "store/store_migrations.h"

namespace kring::server {

namespace {

void execute(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw std::runtime_error("sqlite: " + text);
  }
}

// The tables of format 1, as every store before versions has them (IF NOT EXISTS: a store from
// before checkpoints has only `ops` and `snapshots`). The steps build on them.
void createFormatOne(sqlite3* db) {
  execute(db,
          "CREATE TABLE IF NOT EXISTS ops(site TEXT NOT NULL, seq INTEGER NOT NULL, op_id TEXT NOT NULL, "
          "op BLOB NOT NULL, PRIMARY KEY(site, seq), UNIQUE(site, op_id))");
  execute(db,
          "CREATE TABLE IF NOT EXISTS checkpoints(site TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
          "compacted INTEGER NOT NULL, site_part BLOB NOT NULL, spam_model BLOB NOT NULL)");
  execute(
      db,
      "CREATE TABLE IF NOT EXISTS checkpoint_parts(site TEXT NOT NULL, kind INTEGER NOT NULL, idx INTEGER NOT NULL, "
      "part BLOB NOT NULL, PRIMARY KEY(site, kind, idx))");
  // Ids of ops whose bodies the checkpoint replaced: a retried op is still known.
  execute(
      db,
      "CREATE TABLE IF NOT EXISTS compacted_op_ids(site TEXT NOT NULL, op_id TEXT NOT NULL, PRIMARY KEY(site, op_id)) "
      "WITHOUT ROWID");
}

// Step N migrates schema version N to N + 1. Append only: a released step never changes.
const std::vector<MigrationStep<sqlite3*>>& sqliteSteps() {
  static const std::vector<MigrationStep<sqlite3*>> list{
      {1, "table meta records the store's versions",
       [](sqlite3*& db) {
         execute(db, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
       }},
      {2, "tables outbox, webhook_deliveries and member_contacts hold the notifications to deliver and where to",
       [](sqlite3*& db) {
         // One row per notification, written in the transaction of the op that caused it; the key
         // (site, seq, recipient, post) makes a second write of the same op's rows a no-op.
         execute(db,
                 "CREATE TABLE outbox(id INTEGER PRIMARY KEY, site TEXT NOT NULL, seq INTEGER NOT NULL, "
                 "recipient TEXT NOT NULL, kind INTEGER NOT NULL, thread_key TEXT NOT NULL, post_id TEXT NOT NULL, "
                 "actor TEXT NOT NULL, created_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, "
                 "attempts INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0, "
                 "outcome TEXT NOT NULL DEFAULT '', done_ms INTEGER NOT NULL DEFAULT 0, "
                 "UNIQUE(site, seq, recipient, post_id))");
         execute(db, "CREATE INDEX outbox_due ON outbox(state, due_ms)");
         execute(db, "CREATE INDEX outbox_recipient ON outbox(site, recipient, done_ms)");
         execute(db, "CREATE INDEX outbox_sent ON outbox(site, done_ms) WHERE state = 1");
         // The same for the host's webhook endpoints: one row per endpoint and event.
         execute(db,
                 "CREATE TABLE webhook_deliveries(id INTEGER PRIMARY KEY, site TEXT NOT NULL, seq INTEGER NOT NULL, "
                 "url TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL, thread_key TEXT NOT NULL, "
                 "created_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
                 "state INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT '', "
                 "done_ms INTEGER NOT NULL DEFAULT 0, UNIQUE(site, seq, url, type, subject))");
         execute(db, "CREATE INDEX webhook_due ON webhook_deliveries(state, due_ms)");
         // Addresses come from the host's tokens: kept here, never in the op log or a client's frame.
         execute(db,
                 "CREATE TABLE member_contacts(site TEXT NOT NULL, member TEXT NOT NULL, email TEXT NOT NULL, "
                 "language TEXT NOT NULL, undeliverable INTEGER NOT NULL DEFAULT 0, "
                 "unsubscribed INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL, "
                 "PRIMARY KEY(site, member)) WITHOUT ROWID");
       }},
      {3, "member_contacts.daily: the kinds a member takes once a day, together",
       [](sqlite3*& db) { execute(db, "ALTER TABLE member_contacts ADD COLUMN daily INTEGER NOT NULL DEFAULT 0"); }},
      {4,
       "table webhook_endpoints holds the endpoints set in the console; the webhook log and the mail caps read by "
       "index",
       [](sqlite3*& db) {
         // Secrets and event types as lines (neither holds a newline).
         execute(db,
                 "CREATE TABLE webhook_endpoints(site TEXT NOT NULL, url TEXT NOT NULL, secrets TEXT NOT NULL, "
                 "events TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(site, url)) WITHOUT ROWID");
         // The console's delivery log: a site's newest deliveries.
         execute(db, "CREATE INDEX webhook_log ON webhook_deliveries(site, id)");
         // The caps count mails (rows sent with an empty outcome) from the index alone: a member's in
         // the hour, the site's in the day.
         execute(
             db,
             "CREATE INDEX outbox_member_mails ON outbox(site, recipient, done_ms) WHERE state = 1 AND outcome = ''");
         execute(db, "CREATE INDEX outbox_site_mails ON outbox(site, done_ms) WHERE state = 1 AND outcome = ''");
       }},
      {5, "member_contacts.chosen: the kinds a member chose themselves (the site's defaults say the rest)",
       [](sqlite3*& db) {
         execute(db, "ALTER TABLE member_contacts ADD COLUMN chosen INTEGER NOT NULL DEFAULT 0");
         // Before, a member who chose a kind at once stored nothing: what is known they chose.
         execute(db, "UPDATE member_contacts SET chosen = unsubscribed | daily");
       }},
  };
  return list;
}

bool hasTable(sqlite3* db, const char* name) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &statement,
                         nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  sqlite3_bind_text(statement, 1, name, -1, SQLITE_STATIC);
  const bool found = sqlite3_step(statement) == SQLITE_ROW;
  sqlite3_finalize(statement);
  return found;
}

// The store's versions; nullopt for a new store (no tables yet).
std::optional<StoreVersions> storedVersions(sqlite3* db) {
  if (!hasTable(db, "ops")) return std::nullopt;
  StoreVersions versions = kUnversionedStore;
  if (!hasTable(db, "meta")) return versions;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT key, value FROM meta", -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const std::string key = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const auto value = static_cast<std::uint32_t>(sqlite3_column_int64(statement, 1));
    if (key == kSchemaVersionKey) versions.schema = value;
    if (key == kCheckpointFormatKey) versions.checkpoint = value;
    if (key == kOpFormatKey) versions.op = value;
  }
  sqlite3_finalize(statement);
  return versions;
}

void recordVersions(sqlite3* db, const StoreVersions& versions) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", -1, &statement, nullptr) !=
      SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  for (auto [key, value] :
       {std::pair{kSchemaVersionKey, versions.schema}, std::pair{kCheckpointFormatKey, versions.checkpoint},
        std::pair{kOpFormatKey, versions.op}}) {
    sqlite3_reset(statement);
    sqlite3_bind_text(statement, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 2, value);
    if (sqlite3_step(statement) != SQLITE_DONE) {
      std::string error = sqlite3_errmsg(db);
      sqlite3_finalize(statement);
      throw std::runtime_error("sqlite record versions: " + error);
    }
  }
  sqlite3_finalize(statement);
}

}  // namespace

Status sqliteStoreRefusal(sqlite3* db) {
  const StoreVersions written = checkedVersions(sqliteSteps());
  std::optional<StoreVersions> stored = storedVersions(db);
  if (!stored) return std::monostate{};
  Status refused = refusal(*stored, written);
  if (!refused) logRefusal("sqlite", *stored, written);
  return refused;
}

void migrateSqliteStore(sqlite3* db) {
  const StoreVersions written = checkedVersions(sqliteSteps());
  execute(db, "BEGIN IMMEDIATE");
  try {
    std::optional<StoreVersions> stored = storedVersions(db);
    if (stored && *stored == written) {
      execute(db, "COMMIT");
      return;
    }
    if (stored) {
      if (Status refused = refusal(*stored, written); !refused) throw std::runtime_error(refused.error().message);
    }
    createFormatOne(db);
    const std::string changes = runSteps(db, sqliteSteps(), stored ? stored->schema : 1);
    recordVersions(db, written);
    execute(db, "COMMIT");
    // A new store is created at this server's versions: nothing was migrated.
    if (stored) logMigrated("sqlite", *stored, written, changes);
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace kring::server
