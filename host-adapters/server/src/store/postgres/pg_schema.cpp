#include "store/postgres/pg_schema.h"

#include <vector>

#include "store/store_migrations.h"

namespace kring::server {

namespace {

// The tables of format 1, as every store before versions has them. The steps build on them.
void createFormatOne(pqxx::work& schema) {
  schema.exec0(
      "CREATE TABLE IF NOT EXISTS kring_sites(site text PRIMARY KEY, last_seq bigint NOT NULL, "
      "last_time bigint NOT NULL)");
  // Op ids are bytes: the log takes an op before the engine has checked its id.
  schema.exec0(
      "CREATE TABLE IF NOT EXISTS kring_ops(site text NOT NULL, seq bigint NOT NULL, op_id bytea NOT NULL, "
      "op bytea NOT NULL, PRIMARY KEY(site, seq), UNIQUE(site, op_id))");
  schema.exec0(
      "CREATE TABLE IF NOT EXISTS kring_checkpoints(site text PRIMARY KEY, seq bigint NOT NULL, "
      "compacted bigint NOT NULL, site_part bytea NOT NULL, spam_model bytea NOT NULL)");
  schema.exec0(
      "CREATE TABLE IF NOT EXISTS kring_checkpoint_parts(site text NOT NULL, kind integer NOT NULL, "
      "idx bigint NOT NULL, part bytea NOT NULL, PRIMARY KEY(site, kind, idx))");
  schema.exec0(
      "CREATE TABLE IF NOT EXISTS kring_compacted_op_ids(site text NOT NULL, op_id bytea NOT NULL, "
      "PRIMARY KEY(site, op_id))");
}

// Step N migrates schema version N to N + 1. Append only: a released step never changes.
const std::vector<MigrationStep<pqxx::work>>& postgresSteps() {
  static const std::vector<MigrationStep<pqxx::work>> list{
      {1, "table kring_meta records the store's versions",
       [](pqxx::work& schema) {
         schema.exec0("CREATE TABLE IF NOT EXISTS kring_meta(key text PRIMARY KEY, value bigint NOT NULL)");
       }},
      {2,
       "tables outbox, webhook_deliveries, member_contacts and webhook_endpoints hold the notifications to deliver, "
       "where to and the console's endpoints",
       [](pqxx::work& schema) {
         // SQLite's tables (sqlite_schema.cpp, steps 2 to 5) as they stand: the delivery code reads
         // and writes both alike (store/outbox_database.h). Every server writes the rows of the
         // ops it applies; the keys make a second write of the same op's rows a no-op.
         schema.exec0(
             "CREATE TABLE IF NOT EXISTS outbox(id bigserial PRIMARY KEY, site text NOT NULL, seq bigint NOT NULL, "
             "recipient text NOT NULL, kind bigint NOT NULL, thread_key text NOT NULL, post_id text NOT NULL, "
             "actor text NOT NULL, created_ms bigint NOT NULL, due_ms bigint NOT NULL, "
             "attempts bigint NOT NULL DEFAULT 0, state bigint NOT NULL DEFAULT 0, outcome text NOT NULL DEFAULT '', "
             "done_ms bigint NOT NULL DEFAULT 0, UNIQUE(site, seq, recipient, post_id))");
         schema.exec0("CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, due_ms)");
         schema.exec0("CREATE INDEX IF NOT EXISTS outbox_recipient ON outbox(site, recipient, done_ms)");
         schema.exec0(
             "CREATE INDEX IF NOT EXISTS outbox_member_mails ON outbox(site, recipient, done_ms) WHERE state = 1 AND "
             "outcome = ''");
         schema.exec0(
             "CREATE INDEX IF NOT EXISTS outbox_site_mails ON outbox(site, done_ms) WHERE state = 1 AND outcome = ''");
         schema.exec0(
             "CREATE TABLE IF NOT EXISTS webhook_deliveries(id bigserial PRIMARY KEY, site text NOT NULL, seq bigint "
             "NOT NULL, "
             "url text NOT NULL, type text NOT NULL, subject text NOT NULL, thread_key text NOT NULL, "
             "created_ms bigint NOT NULL, due_ms bigint NOT NULL, attempts bigint NOT NULL DEFAULT 0, "
             "state bigint NOT NULL DEFAULT 0, outcome text NOT NULL DEFAULT '', done_ms bigint NOT NULL DEFAULT 0, "
             "UNIQUE(site, seq, url, type, subject))");
         schema.exec0("CREATE INDEX IF NOT EXISTS webhook_due ON webhook_deliveries(state, due_ms)");
         schema.exec0("CREATE INDEX IF NOT EXISTS webhook_log ON webhook_deliveries(site, id)");
         schema.exec0(
             "CREATE TABLE IF NOT EXISTS member_contacts(site text NOT NULL, member text NOT NULL, email text NOT "
             "NULL, "
             "language text NOT NULL, undeliverable bigint NOT NULL DEFAULT 0, unsubscribed bigint NOT NULL DEFAULT 0, "
             "daily bigint NOT NULL DEFAULT 0, chosen bigint NOT NULL DEFAULT 0, updated_ms bigint NOT NULL, "
             "PRIMARY KEY(site, member))");
         schema.exec0(
             "CREATE TABLE IF NOT EXISTS webhook_endpoints(site text NOT NULL, url text NOT NULL, secrets text NOT "
             "NULL, "
             "events text NOT NULL, created_ms bigint NOT NULL, PRIMARY KEY(site, url))");
       }},
  };
  return list;
}

bool hasTable(pqxx::work& schema, const char* name) {
  return !schema.exec_params1("SELECT to_regclass($1) IS NULL", std::string(name))[0].as<bool>();
}

// The store's versions; nullopt for a new store (no tables yet).
std::optional<StoreVersions> storedVersions(pqxx::work& schema) {
  if (!hasTable(schema, "kring_ops")) return std::nullopt;
  StoreVersions versions = kUnversionedStore;
  if (!hasTable(schema, "kring_meta")) return versions;
  for (const pqxx::row& row : schema.exec("SELECT key, value FROM kring_meta")) {
    const auto key = row[0].as<std::string>();
    const auto value = static_cast<std::uint32_t>(row[1].as<std::int64_t>());
    if (key == kSchemaVersionKey) versions.schema = value;
    if (key == kCheckpointFormatKey) versions.checkpoint = value;
    if (key == kOpFormatKey) versions.op = value;
  }
  return versions;
}

}  // namespace

Status migratePgStore(pqxx::connection& connection) {
  const StoreVersions written = checkedVersions(postgresSteps());
  pqxx::work schema(connection);
  // Servers starting together would race to create or migrate the same tables.
  schema.exec("SELECT pg_advisory_xact_lock(hashtext('kring-schema'))");
  std::optional<StoreVersions> stored = storedVersions(schema);
  if (stored && *stored == written) return std::monostate{};
  if (stored) {
    if (Status refused = refusal(*stored, written); !refused) {
      logRefusal("postgresql", *stored, written);
      return refused;
    }
  }
  createFormatOne(schema);
  const std::string changes = runSteps(schema, postgresSteps(), stored ? stored->schema : 1);
  for (auto [key, value] : {std::pair{kSchemaVersionKey, written.schema},
                            std::pair{kCheckpointFormatKey, written.checkpoint}, std::pair{kOpFormatKey, written.op}}) {
    schema.exec_params0(
        "INSERT INTO kring_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        std::string(key), static_cast<std::int64_t>(value));
  }
  schema.commit();
  // A new store is created at this server's versions: nothing was migrated.
  if (stored) logMigrated("postgresql", *stored, written, changes);
  return std::monostate{};
}

}  // namespace kring::server
