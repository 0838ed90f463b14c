// A site's engine as its store holds it: the checkpoint (or a store's whole snapshot from before
// checkpoints), then the ops after it replayed. The server's start-up and `kring-server export` read a
// site the same way.
#pragma once

#include <functional>
#include <string>

#include "kring/engine.h"
#include "kring/reason.h"
#include "store/store.h"

namespace kring::server {

struct CheckpointedEngine {
  Engine engine;
  bool fromWholeSnapshot = false;  // a store written before checkpoints: its first checkpoint migrates it
};

// The site's checkpoint, or its legacy whole snapshot, or an empty engine when the store holds neither.
Result<CheckpointedEngine> loadCheckpointedEngine(Store& storage, const std::string& siteId);

// Applies every op the store holds after the engine's sequence, in order; `replayed` sees each one the
// engine stored. unsupported_version when stored ops no longer apply (a newer release's rules refuse
// what an older one stored: docs/operations.md, "Upgrades").
Status replayStoredOps(Store& storage, const std::string& siteId, Engine& engine,
                       const std::function<void(const Op&, const Outcome&)>& replayed = {});

}  // namespace kring::server
