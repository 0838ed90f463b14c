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

#include "store/op_log.h"
#include "store/store.h"

namespace kring::server {

class SqliteStore final : public Store {
  struct Key {};  // only open() constructs a SqliteStore

 public:
  SqliteStore(Key, sqlite3* db) : db_(db) {}
  // Opens (creating if needed, migrating an older store: sqlite_schema.h) in WAL mode with
  // synchronous=FULL: a committed op survives a crash. Or store_unavailable with the reason, and
  // unsupported_version for a store a newer kring-server wrote (left untouched).
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;

  // One transaction, one fsync, for the whole batch (group commit). Throws on failure.
  // The ops' outbox rows and the contacts go in the same transaction.
  void append(const std::vector<StoredOp>& ops, const std::vector<MemberContact>& contacts = {});
  void saveCheckpoint(const std::string& siteId, const EncodedCheckpoint& checkpoint, Sequence compactUpTo,
                      LogErasure* erasure = nullptr) override;
  void importSite(const std::string& siteId, const EncodedCheckpoint& checkpoint) override;
  std::optional<Result<Engine>> loadCheckpoint(const std::string& siteId, Limits limits) override;
  std::optional<StoredSnapshot> legacySnapshot(const std::string& siteId) override;
  Sequence compactedUpTo(const std::string& siteId) override;
  void forEachOpAfter(const std::string& siteId, Sequence after,
                      const std::function<void(Sequence, ByteView)>& visit) override;
  std::vector<std::pair<Sequence, std::string>> newestOpIds(const std::string& siteId, std::size_t limit) override;
  bool logHoldsRejectedOps() const override { return false; }

 private:
  struct Statement;
  void execute(const char* sql);
  void eraseOps(const std::string& siteId, Sequence upTo, LogErasure& erasure);
  void clearFreedSpace();
  [[noreturn]] void fail(const char* what);

  sqlite3* db_;
  bool legacySnapshots_ = false;  // the store has the table of whole-site snapshots
};

// Which op ids the store holds, through a connection of its own that only reads (WAL lets it read while the
// commit thread writes): a site remembers only recent op ids and asks here about older ones.
// Used by the io thread.
class SqliteOpIds final : public OpIdLookup {
  struct Key {};

 public:
  SqliteOpIds(Key, sqlite3* db, sqlite3_stmt* select) : db_(db), select_(select) {}
  static Result<std::unique_ptr<SqliteOpIds>> open(const std::string& path);
  ~SqliteOpIds() override;
  SqliteOpIds(const SqliteOpIds&) = delete;
  SqliteOpIds& operator=(const SqliteOpIds&) = delete;

  // True when the op id is stored for the site. Throws on a store failure.
  bool contains(const std::string& siteId, const std::string& opId) override;

 private:
  sqlite3* db_;
  sqlite3_stmt* select_;
};

// Internal RAII wrapper over a prepared statement.
struct SqliteStore::Statement {
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* handle = nullptr;
};

}  // namespace kring::server
