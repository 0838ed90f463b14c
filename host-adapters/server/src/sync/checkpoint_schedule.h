// When a site's next checkpoint is due, and how much of its op log the checkpoint lets go: the
// checkpoint bounds what a start after a crash replays, the retention what a follower can still read.
#pragma once

#include <cstdint>

#include "kring/types.h"

namespace kring::server {

class CheckpointSchedule {
 public:
  // A checkpoint every `every` applied ops (0: only when asked); `retention` op bodies are kept
  // behind it, or all of them with `keepOpLog`.
  CheckpointSchedule(std::uint64_t every, std::uint64_t retention, bool keepOpLog)
      : every_(every), retention_(retention), keepOpLog_(keepOpLog) {}

  // Where the stored checkpoint stands at a start; a site restored from a whole-site snapshot of the
  // format before has none yet.
  void restored(Sequence checkpointSequence, bool fromWholeSnapshot);
  // An op replayed at a start: it counts toward the first checkpoint, which waits for a live op.
  void replayed() { ++opsSince_; }
  // An applied op; true when a checkpoint is due.
  bool applied() { return every_ != 0 && ++opsSince_ >= every_; }
  // True when the stored checkpoint lacks applied ops, or the site still stands on a whole-site snapshot.
  bool behind(Sequence lastSequence) const { return lastSequence > sequence_ || fromWholeSnapshot_; }
  // A checkpoint of every op up to `lastSequence` is on its way to the store.
  void taken(Sequence lastSequence);
  // Op bodies up to here may go from the log (their ids stay).
  Sequence compactUpTo() const;

  Sequence sequence() const { return sequence_; }
  bool fromWholeSnapshot() const { return fromWholeSnapshot_; }

 private:
  std::uint64_t every_;
  std::uint64_t retention_;
  bool keepOpLog_;
  Sequence sequence_ = 0;
  std::uint64_t opsSince_ = 0;
  bool fromWholeSnapshot_ = false;
};

}  // namespace kring::server
