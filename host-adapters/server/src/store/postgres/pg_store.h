// PostgreSQL store, for several kring-servers over one database (docs/operations.md, "Several
// servers on PostgreSQL"). SQLite's log holds the ops its one engine accepted; this log orders ops
// before any engine sees them: a site's ops get their sequences here, one transaction at a time
// under a lock on the site's row, and every server applies the log in that order through the same
// deterministic engine. A rejected op keeps its place in the log and is rejected alike everywhere.
// Checkpoints are the SQLite store's design (parts, compaction to ids), written by one server per
// site at a time (the holder of the site's advisory lock).
// Not thread-safe: used by start-up, then by the sequencer's thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kring/codec.h"
#include "store/op_log.h"
#include "store/store.h"

namespace kring::server {

// Settings each of the server's database sessions runs with, so that no server can hold a site's
// writes hostage: a session left idle inside a transaction (a paused or partitioned server) is ended
// by the database, and waits on locks and statements are bounded. 0 leaves a setting off.
struct PgSessionLimits {
  std::string applicationName;  // shown in pg_stat_activity: "kring-server <pid> <role>"
  unsigned lockTimeoutMs = 0;
  unsigned statementTimeoutMs = 0;
  unsigned idleInTransactionTimeoutMs = 0;
};

class PgStore final : public Store {
  struct Key {};

 public:
  struct Connection;  // libpqxx's, kept out of this header
  PgStore(Key, std::string url, std::unique_ptr<Connection> connection);
  // Connects and creates the tables, or migrates an older store's (pg_schema.h). Or
  // store_unavailable with the reason, and unsupported_version for a store a newer kring-server wrote.
  static Result<std::unique_ptr<PgStore>> open(const std::string& url);
  ~PgStore() override;
  // The session settings for this connection and every one it makes again. Throws on failure.
  void limitSessions(PgSessionLimits limits);
  // A new connection after a failure (the old one may be broken). Throws when none is made, and
  // keeps the old one: every call after a failed reconnect fails cleanly on it, never on nothing.
  void reconnect();
  // False once the connection is known to be lost.
  bool connected() const;
  const std::string& url() const { return url_; }

  struct Sequenced {
    std::vector<std::pair<Sequence, Bytes>> before;  // ops other servers stored after `after`, in order
    std::vector<bool> duplicate;                     // per op: its id was stored already, so it is not
  };
  // One transaction for one site: the ops whose ids are not stored yet take the next sequences and a
  // time no earlier than the site's last op's (set in `ops`), are stored, and the other servers are
  // notified at commit. `after` is the sequence this server has applied up to. Throws on failure.
  Sequenced sequence(const std::string& siteId, std::vector<Op>& ops, Sequence after);
  // The site's ops after `after`, in order, at most `limit`. Throws on failure.
  std::vector<std::pair<Sequence, Bytes>> opsAfter(const std::string& siteId, Sequence after, std::size_t limit);
  // The sequence of the site's newest op, for every site with one.
  std::vector<std::pair<std::string, Sequence>> lastSequences();
  // One transaction: the members' contacts, and the outbox rows of ops this server applied
  // (store/op_log.h). Every server writes the rows of each op it applies; a row written before is
  // left as it is (the same unique keys as SQLite's), and so is one of an op older than
  // `oldestKept` (its done rows may be cleaned away already). Throws on failure.
  void writeOutbox(const std::vector<StoredOp>& ops, const std::vector<MemberContact>& contacts, TimeMs oldestKept);
  // True when this server holds (or now takes) the site's checkpoint lock; held until it disconnects.
  bool tryCheckpointLock(const std::string& siteId);

  void saveCheckpoint(const std::string& siteId, const EncodedCheckpoint& checkpoint, Sequence compactUpTo,
                      LogErasure* erasure = nullptr) override;
  void importSite(const std::string& siteId, const EncodedCheckpoint& checkpoint) override;
  std::optional<Result<Engine>> loadCheckpoint(const std::string& siteId, Limits limits) override;
  std::optional<StoredSnapshot> legacySnapshot(const std::string&) override { return std::nullopt; }
  Sequence compactedUpTo(const std::string& siteId) override;
  void forEachOpAfter(const std::string& siteId, Sequence after,
                      const std::function<void(Sequence, ByteView)>& visit) override;
  std::vector<std::pair<Sequence, std::string>> newestOpIds(const std::string& siteId, std::size_t limit) override;
  bool logHoldsRejectedOps() const override { return true; }

 private:
  std::string url_;
  std::unique_ptr<Connection> connection_;
  PgSessionLimits limits_;
};

// The notification channel: its payload names the site whose log grew.
constexpr const char* kPgOpsChannel = "kring_ops";

// The sequencing transaction answers for op ids: nothing is looked up on the engine's thread.
class SequencedOpIds final : public OpIdLookup {
 public:
  bool contains(const std::string&, const std::string&) override { return false; }
};

}  // namespace kring::server
