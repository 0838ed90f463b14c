#include "sync/read_view_cache.h"

namespace kring::server {

bool ReadViewCache::due(Sequence lastSequence, Clock::time_point now) const {
  constexpr auto kCheapCopy = std::chrono::milliseconds(5);
  constexpr int kSpacing = 20;
  const bool changed = !view_ || view_->lastSequence() != lastSequence;
  return changed && (forced_ || took_ < kCheapCopy || now - madeAt_ >= kSpacing * took_);
}

void ReadViewCache::made(std::shared_ptr<const SiteReadView> view, Clock::time_point at, Clock::duration took) {
  view_ = std::move(view);
  madeAt_ = at;
  took_ = took;
  forced_ = false;
}

}  // namespace kring::server
