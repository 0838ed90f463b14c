// The SQLite op log (op_log.h). Group commit: a thread that writes every queued op in one transaction, then reports
// each as committed. Acks and events go out only from those reports, so nothing unstored is acknowledged. The engine
// has applied the ops already: a failed write is never dropped, only tried again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/op_log.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_health.h"

namespace kring::server {

class Committer final : public OpLog {
 public:
  using Callback = std::function<void()>;
  // `deliver` runs a callback on the engine's thread (the io context), in commit order.
  // `commitDelay` holds each transaction back, as a slow disk would: a test aid, 0 in production.
  // `timed` (may be empty) is told each group commit's time, on the commit thread (for /metrics).
  using Timed = std::function<void(std::chrono::steady_clock::duration)>;
  // A write the store refuses (a full disk, a read-only file system) is tried again until it is
  // taken, the ops' acks waiting meanwhile; `health` hears of each try (store_health.h).
  Committer(SqliteStore& storage, std::function<void(std::vector<Callback>)> deliver, StoreHealth& health,
            std::chrono::milliseconds commitDelay = std::chrono::milliseconds(0), Timed timed = {});
  ~Committer() override;
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  bool ordersOps() const override { return false; }
  void append(StoredOp op, Callback committed) override;
  // Throws: one server orders its own ops.
  void submit(const std::string& siteId, Op op) override;
  void recordContact(MemberContact contact) override;
  // Throws: this server's ops carry their rows to append().
  void keepOutboxRows(StoredOp) override;
  // Told on the commit thread after a transaction that wrote outbox rows (the mail delivery wakes).
  void setOutboxWritten(std::function<void()> written) { outboxWritten_ = std::move(written); }
  // A checkpoint is written in a transaction of its own, so the ops' acks do not wait for it.
  void saveCheckpoint(ChangedRecords changed, CheckpointRequest request) override;
  bool writesCheckpoints(const std::string&) override { return true; }
  const StoreHealth& health() const override { return health_; }
  void drainAndStop() override;

  using Stats = WriterStats;
  Stats stats() override;

 private:
  struct Item {
    StoredOp op;
    Callback committed;
    std::unique_ptr<ChangedRecords> checkpoint;  // or a checkpoint
    CheckpointRequest request{};
  };
  void run();
  // Runs `attempt` until the store takes it; false when the committer stops first.
  bool untilStored(const char* what, const std::function<void()>& attempt);

  SqliteStore& storage_;
  StoreHealth& health_;
  std::function<void(std::vector<Callback>)> deliver_;
  std::chrono::milliseconds commitDelay_;
  Timed timed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Item> queue_;
  std::vector<MemberContact> contacts_;
  std::function<void()> outboxWritten_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace kring::server
