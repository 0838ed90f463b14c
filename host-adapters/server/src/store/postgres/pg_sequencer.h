// Several servers over one PostgreSQL: the thread that sequences this server's ops in the database
// (pg_store.h) and hands every site's log back in order, its own ops and the other servers'.
// Another connection LISTENs for the others' commits; notifications can be missed (a dropped
// connection), so every site's log is also checked for news once a second. Checkpoints go through
// a third connection on a thread of their own: the ops they cover are stored already, and writing
// one must not hold up the next ops' sequencing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/op_log.h"
#include "store/postgres/pg_store.h"
#include "store/store_health.h"

namespace kring::server {

class Sequencer final : public OpLog {
 public:
  // Runs on the sequencer's thread with one site's next ops, in log order; it posts them to the engine's thread.
  using Deliver = std::function<void(const std::string& siteId, std::vector<SequencedOp> ops)>;
  // `appliedUpTo`: each site's sequence as restored; the log after it is delivered first.
  // `checkpoints`: a connection of its own for writing checkpoints (it holds the sites' locks).
  // `health` is told of every sequencing attempt (store_health.h).
  Sequencer(PgStore& store, std::unique_ptr<PgStore> checkpoints, Deliver deliver,
            std::vector<std::pair<std::string, Sequence>> appliedUpTo, StoreHealth& health);
  ~Sequencer() override;
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  bool ordersOps() const override { return true; }
  // Throws: the database orders the ops of every server.
  void append(StoredOp op, std::function<void()> written) override;
  // The op (actor and time set) gets the site's next sequence in the database; it comes back through `deliver`.
  void submit(const std::string& siteId, Op op) override;
  // Both are written on the checkpoint thread, the contacts first, in one transaction, before any
  // checkpoint queued after them; every server writes those it has (pg_store.h, writeOutbox).
  void recordContact(MemberContact contact) override;
  void keepOutboxRows(StoredOp rows) override;
  // Runs on the checkpoint thread after outbox rows were written (the deliveries look for them).
  void setOutboxWritten(std::function<void()> written);
  // Only a site's checkpoint writer takes and sends its records. `request.written` runs on the checkpoint thread.
  void saveCheckpoint(ChangedRecords changed, CheckpointRequest request) override;
  // True when this server holds the site's lock in the database. When it does not, it asks for the
  // lock again, at most every few seconds: the holder may be gone.
  bool writesCheckpoints(const std::string& siteId) override;
  const StoreHealth& health() const override { return health_; }
  // Sequences what is queued, then stops its threads.
  void drainAndStop() override;
  WriterStats stats() override;

 private:
  struct Checkpoint {
    std::unique_ptr<ChangedRecords> changed;
    CheckpointRequest request;
  };
  void run();
  void writeCheckpoints();
  // False when the server stops before the database took them.
  bool writeOutbox(std::vector<StoredOp> rows, std::vector<MemberContact> contacts);
  void listen();
  void sequenceSite(const std::string& siteId, std::vector<Op> ops);
  void catchUp(const std::string& siteId);
  // Decodes the others' ops in order; the log has no holes, so a gap means this server fell behind
  // the log's compaction and must start again from the checkpoint.
  void appendForeign(const std::string& siteId, std::vector<std::pair<Sequence, Bytes>> rows,
                     std::vector<SequencedOp>& out);
  // Runs `attempt` until the database takes it, with a growing, jittered pause between tries. A
  // lost connection is made again before the next try, never used dead. The sequencing connection's
  // results are the store's health. False when the server stops before the database takes it
  // (what was not stored was never acknowledged).
  template <typename Attempt>
  bool untilDone(PgStore& store, const char* what, Attempt&& attempt);
  bool stopping();

  PgStore& store_;
  std::unique_ptr<PgStore> checkpointStore_;
  StoreHealth& health_;
  Deliver deliver_;
  std::map<std::string, Sequence> applied_;  // delivered up to, per site (sequencer's thread)

  std::mutex mutex_;
  std::condition_variable wake_;            // the sequencing thread's
  std::condition_variable checkpointWake_;  // the checkpoint thread's
  std::vector<std::pair<std::string, Op>> submitted_;
  std::vector<Checkpoint> checkpoints_;
  std::vector<StoredOp> outboxRows_;
  std::vector<MemberContact> contacts_;
  std::function<void()> outboxWritten_;
  std::set<std::string> catchUps_;  // sites a notification named
  bool pollAll_ = true;             // check every site's log
  std::set<std::string> lockWanted_;
  std::set<std::string> checkpointWriter_;
  std::map<std::string, std::chrono::steady_clock::time_point> lockAskedAt_;
  bool stopping_ = false;
  WriterStats stats_;

  std::atomic<bool> listening_{true};
  std::thread thread_;
  std::thread checkpointThread_;
  std::thread listener_;
};

}  // namespace kring::server
