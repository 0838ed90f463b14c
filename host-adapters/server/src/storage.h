// SQLite store: an append-only op log per site plus its latest checkpoint, kept in parts
// (kring/checkpoint.h) so each checkpoint rewrites only what changed. Ops the checkpoint covers
// are compacted away (past a retention); their ids stay, so a retried op is still known.
// Not thread-safe: owned and used by the commit thread only (and by start-up before it runs).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kring/checkpoint.h"
#include "kring/types.h"

namespace kring::server {

struct StoredOp {
  std::string siteId;
  Sequence sequence = 0;
  std::string opId;
  Bytes op;  // the op as applied: actor, time and sequence filled in by the server
};

struct StoredSnapshot {
  Sequence sequence = 0;
  Bytes snapshot;
};

class Storage {
  struct Key {};  // only open() constructs a Storage

 public:
  Storage(Key, sqlite3* db) : db_(db) {}
  // Opens (creating if needed) in WAL mode with synchronous=FULL: a committed op survives a crash.
  static std::unique_ptr<Storage> open(const std::string& path, std::string& error);
  ~Storage();

  // One transaction, one fsync, for the whole batch (group commit). Throws on failure.
  void append(const std::vector<StoredOp>& ops);
  // One transaction: the checkpoint's parts and its site part, after the ops it covers. It also
  // compacts the site's ops up to `compactUpTo` (they are in the checkpoint) to their ids, and drops
  // a whole-site snapshot of the format before checkpoints. Throws on failure.
  void saveCheckpoint(const std::string& siteId, const EncodedCheckpoint& checkpoint, Sequence compactUpTo);
  // The site's checkpoint restored, streamed part by part; nullopt when the site has none.
  std::optional<Result<Engine>> loadCheckpoint(const std::string& siteId, Limits limits = {});
  // A whole-site snapshot as stores wrote them before checkpoints (migrated by the first checkpoint).
  std::optional<StoredSnapshot> legacySnapshot(const std::string& siteId);
  // Ops up to here are compacted away (only their ids are kept).
  Sequence compactedUpTo(const std::string& siteId);
  // Calls visit(sequence, opBytes) for each op after `after`, in order.
  template <typename Visit>
  void forEachOpAfter(const std::string& siteId, Sequence after, Visit&& visit);
  // The site's newest op ids, up to `limit`, newest first, with their sequences.
  std::vector<std::pair<Sequence, std::string>> newestOpIds(const std::string& siteId, std::size_t limit);

 private:
  struct Statement;
  void execute(const char* sql);
  [[noreturn]] void fail(const char* what);

  sqlite3* db_;
  bool legacySnapshots_ = false;  // the store has the table of whole-site snapshots
};

// Which op ids the store holds, through a connection of its own that only reads (WAL lets it read while the
// commit thread writes): a site remembers only recent op ids and asks here about older ones.
// Used by the io thread.
class StoredOpIds {
  struct Key {};

 public:
  StoredOpIds(Key, sqlite3* db, sqlite3_stmt* select) : db_(db), select_(select) {}
  static std::unique_ptr<StoredOpIds> open(const std::string& path, std::string& error);
  ~StoredOpIds();
  StoredOpIds(const StoredOpIds&) = delete;
  StoredOpIds& operator=(const StoredOpIds&) = delete;

  // True when the op id is stored for the site. Throws on a store failure.
  bool contains(const std::string& siteId, const std::string& opId);

 private:
  sqlite3* db_;
  sqlite3_stmt* select_;
};

// Internal RAII wrapper over a prepared statement.
struct Storage::Statement {
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* handle = nullptr;
};

template <typename Visit>
void Storage::forEachOpAfter(const std::string& siteId, Sequence after, Visit&& visit) {
  Statement statement(db_, "SELECT seq, op FROM ops WHERE site = ?1 AND seq > ?2 ORDER BY seq");
  sqlite3_bind_text(statement.handle, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(statement.handle, 2, static_cast<sqlite3_int64>(after));
  while (sqlite3_step(statement.handle) == SQLITE_ROW) {
    auto sequence = static_cast<Sequence>(sqlite3_column_int64(statement.handle, 0));
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement.handle, 1));
    int size = sqlite3_column_bytes(statement.handle, 1);
    visit(sequence, ByteView(data, static_cast<std::size_t>(size)));
  }
}

}  // namespace kring::server
