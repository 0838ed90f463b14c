// Internal: the one door from the core's modules (snapshots, replicas, metrics) to an engine's state.
// Hosts see only engine.h; they cannot reach SiteState.
#pragma once

#include <memory>

#include "kring/engine.h"
#include "state/site_state.h"

namespace kring {

struct EngineAccess {
  static const SiteState& state(const Engine& engine) { return *engine.state_; }
  static SiteState& state(Engine& engine) { return *engine.state_; }
  static Engine make(std::unique_ptr<SiteState> state) { return Engine(std::move(state)); }
};

}  // namespace kring
