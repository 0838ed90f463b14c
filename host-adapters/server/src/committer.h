// Group commit: a thread that writes every queued op in one transaction, then reports each as
// committed. Acks and events go out only from those reports, so nothing unstored is acknowledged.
// The engine has applied the ops already: a failed write is never dropped, only tried again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage.h"
#include "store_health.h"

namespace kring::server {

// What a checkpoint cost, summed into the stats and logged as checkpoint_written.
struct CheckpointCost {
  std::uint64_t parts = 0;
  std::uint64_t bytes = 0;
  std::uint64_t microseconds = 0;  // encoding and writing
};
// A checkpoint to write: the ops to compact with it, what taking its records cost the engine's
// thread (logged), and an erasure to carry out in the same transaction (store.h), after which
// `written` runs (the committer: on the engine's thread).
struct CheckpointRequest {
  Sequence compactUpTo = 0;
  std::chrono::microseconds taken{0};
  std::shared_ptr<LogErasure> erasure;
  std::function<void()> written;
};

// Encodes the changed records and writes them to `store` as the site's checkpoint (the calling
// thread: never the engine's). The write runs through `attempt` when given (which may retry it).
// Throws on failure.
CheckpointCost writeCheckpoint(Store& store, std::unique_ptr<ChangedRecords> changed, const CheckpointRequest& request,
                               const std::function<void(const std::function<void()>&)>& attempt = {});

class Committer {
 public:
  using Callback = std::function<void()>;
  // `deliver` runs a callback on the engine's thread (the io context), in commit order.
  // `commitDelay` holds each transaction back, as a slow disk would: a test aid, 0 in production.
  // `timed` (may be empty) is told each group commit's time, on the commit thread (for /metrics).
  using Timed = std::function<void(std::chrono::steady_clock::duration)>;
  // A write the store refuses (a full disk, a read-only file system) is tried again until it is
  // taken, the ops' acks waiting meanwhile; `health` hears of each try (store_health.h).
  Committer(Storage& storage, std::function<void(std::vector<Callback>)> deliver, StoreHealth& health,
            std::chrono::milliseconds commitDelay = std::chrono::milliseconds(0), Timed timed = {});
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void append(StoredOp op, Callback committed);
  // Encodes the changed records here, off the engine's thread, and writes them as a checkpoint
  // after the ops queued before it (in a transaction of its own, so the ops' acks do not wait).
  void saveCheckpoint(ChangedRecords changed, CheckpointRequest request);
  // Writes what is queued, then stops the thread.
  void drainAndStop();

  struct Stats {
    std::uint64_t ops = 0;
    std::uint64_t transactions = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t checkpointParts = 0;
    std::uint64_t checkpointBytes = 0;
    std::uint64_t checkpointMicroseconds = 0;  // encoding and writing, in all
  };
  Stats stats();

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

  Storage& storage_;
  StoreHealth& health_;
  std::function<void(std::vector<Callback>)> deliver_;
  std::chrono::milliseconds commitDelay_;
  Timed timed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Item> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace kring::server
