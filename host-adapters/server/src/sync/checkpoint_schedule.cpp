#include "sync/checkpoint_schedule.h"

#include <algorithm>

namespace kring::server {

void CheckpointSchedule::restored(Sequence checkpointSequence, bool fromWholeSnapshot) {
  sequence_ = checkpointSequence;
  fromWholeSnapshot_ = fromWholeSnapshot;
}

void CheckpointSchedule::taken(Sequence lastSequence) {
  sequence_ = lastSequence;
  opsSince_ = 0;
  fromWholeSnapshot_ = false;
}

Sequence CheckpointSchedule::compactUpTo() const {
  const Sequence retained = keepOpLog_ ? sequence_ : std::min<Sequence>(sequence_, retention_);
  return sequence_ - retained;
}

}  // namespace kring::server
