// What a site reads from its store at start-up and writes at each checkpoint, whichever store it is:
// SQLite (sqlite/sqlite_store.h, one server) or PostgreSQL (postgres/pg_store.h, several servers over
// one database).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kring/checkpoint.h"
#include "kring/types.h"

namespace kring::server {

struct StoredSnapshot {
  Sequence sequence = 0;
  Bytes snapshot;
};

// Data rights: which stored ops carry an erased member's words or name (docs/data-rights.md).
struct LogErasure {
  std::string memberId;
  std::unordered_set<std::string> postIds;  // the member's posts: edits of them hold their words
  std::uint64_t removed = 0;                // how many ops the store took out

  // The member's own ops (each names them), and edits of their posts. An op that does not decode
  // is covered too: nobody can tell what it holds.
  bool covers(ByteView op) const;
};

class Store {
 public:
  virtual ~Store() = default;

  // One transaction: the checkpoint's parts and its site part, after the ops it covers. It also
  // compacts the site's ops up to `compactUpTo` (they are in the checkpoint) to their ids. Throws on failure.
  // With an erasure, the same transaction also takes out every op up to the checkpoint that the
  // erasure covers (keeping its id, as compaction does), and the store then clears the space those
  // bytes held, so no copy stays in its files; `erasure->removed` counts the ops.
  virtual void saveCheckpoint(const std::string& siteId, const EncodedCheckpoint& checkpoint, Sequence compactUpTo,
                              LogErasure* erasure = nullptr) = 0;
  // A site new to this store (`kring-server import --format kring`), as one checkpoint in one
  // transaction: the site's log goes on after the checkpoint's sequence. Throws on failure, and when
  // the store holds anything of the site already (nothing is written then).
  virtual void importSite(const std::string& siteId, const EncodedCheckpoint& checkpoint) = 0;
  // The site's checkpoint restored, streamed part by part; nullopt when the site has none.
  virtual std::optional<Result<Engine>> loadCheckpoint(const std::string& siteId, Limits limits) = 0;
  // A whole-site snapshot as stores wrote them before checkpoints (migrated by the first checkpoint).
  virtual std::optional<StoredSnapshot> legacySnapshot(const std::string& siteId) = 0;
  // Ops up to here may be compacted away or erased (only their ids are kept).
  virtual Sequence compactedUpTo(const std::string& siteId) = 0;
  // Calls visit(sequence, opBytes) for each op after `after`, in order.
  virtual void forEachOpAfter(const std::string& siteId, Sequence after,
                              const std::function<void(Sequence, ByteView)>& visit) = 0;
  // The site's newest op ids, up to `limit`, newest first, with their sequences.
  virtual std::vector<std::pair<Sequence, std::string>> newestOpIds(const std::string& siteId, std::size_t limit) = 0;
  // True when the log keeps ops the rules rejected (it orders ops before the engine applies them).
  virtual bool logHoldsRejectedOps() const = 0;
};

// Which op ids the store holds: a site remembers only recent ones and asks here about older ones.
class OpIdLookup {
 public:
  virtual ~OpIdLookup() = default;
  // True when the op id is stored for the site. Throws on a store failure.
  virtual bool contains(const std::string& siteId, const std::string& opId) = 0;
};

}  // namespace kring::server
