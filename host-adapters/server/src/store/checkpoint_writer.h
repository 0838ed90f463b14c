// Writing a checkpoint from either store's writing thread (the SQLite committer, the PostgreSQL
// sequencer's checkpoint thread), and what the writers count.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "kring/checkpoint.h"
#include "store/store.h"

namespace kring::server {

// What a store's writing thread has done since start-up (the stopped line of the log).
struct WriterStats {
  std::uint64_t ops = 0;
  std::uint64_t transactions = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t checkpointParts = 0;
  std::uint64_t checkpointBytes = 0;
  std::uint64_t checkpointMicroseconds = 0;  // encoding and writing, in all
};

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

}  // namespace kring::server
