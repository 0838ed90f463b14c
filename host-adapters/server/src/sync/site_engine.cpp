#include "sync/site_engine.h"

#include "kring/codec.h"
#include "kring/snapshot.h"

namespace kring::server {

Result<CheckpointedEngine> loadCheckpointedEngine(Store& storage, const std::string& siteId) {
  if (auto loaded = storage.loadCheckpoint(siteId, Limits{})) {
    if (!*loaded) return Error{loaded->error().code, "stored checkpoint refused: " + loaded->error().message};
    return CheckpointedEngine{std::move(loaded->value()), false};
  }
  if (auto stored = storage.legacySnapshot(siteId)) {
    Result<Engine> restored = restoreSiteSnapshot(stored->snapshot);
    if (!restored) return Error{restored.error().code, "stored snapshot refused: " + restored.error().message};
    return CheckpointedEngine{std::move(restored.value()), true};
  }
  return CheckpointedEngine{Engine(siteId), false};
}

Status replayStoredOps(Store& storage, const std::string& siteId, Engine& engine,
                       const std::function<void(const Op&, const Outcome&)>& replayed) {
  std::size_t refused = 0;
  // A log that orders ops before the rules see them keeps rejected ones, and every sequence.
  const bool ordersInput = storage.logHoldsRejectedOps();
  storage.forEachOpAfter(siteId, engine.lastSequence(), [&](Sequence sequence, ByteView bytes) {
    Result<Op> op = decodeOp(bytes);
    if (!op || op.value().sequence != sequence || (ordersInput && sequence != engine.lastSequence() + 1)) {
      ++refused;
      return;
    }
    Outcome outcome = engine.apply(op.value());
    if (ordersInput) engine.skipTo(sequence);
    if (!outcome.stored()) {
      if (!ordersInput) ++refused;
      return;
    }
    if (replayed) replayed(op.value(), outcome);
  });
  if (refused != 0)
    return Error{ReasonCode::unsupportedVersion, std::to_string(refused) + " stored ops no longer apply"};
  return okStatus();
}

}  // namespace kring::server
