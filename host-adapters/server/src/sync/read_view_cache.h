// A site's latest read view (read_view.h), renewed only when the site changed and a copy is due: a
// copy that took long waits 20 times as long before the next, so reads cost the io thread ~5% at most.
#pragma once

#include <chrono>
#include <memory>

#include "sync/read_view.h"

namespace kring::server {

class ReadViewCache {
 public:
  using Clock = std::chrono::steady_clock;

  // True when the site at `lastSequence` differs from the copy and a new copy may be made at `now`:
  // at once when the last one was cheap (under 5 ms) or forced, else 20 times its cost after it.
  bool due(Sequence lastSequence, Clock::time_point now) const;
  // A copy made at `at` that took `took`; what is due next follows its cost.
  void made(std::shared_ptr<const SiteReadView> view, Clock::time_point at, Clock::duration took);
  // The next change is copied at once (a moderator reads their own action).
  void force() { forced_ = true; }
  // Lets go of the copy (reads under way keep theirs).
  void release() { view_.reset(); }

  const std::shared_ptr<const SiteReadView>& view() const { return view_; }

 private:
  std::shared_ptr<const SiteReadView> view_;
  Clock::time_point madeAt_;
  Clock::duration took_{};
  bool forced_ = false;
};

}  // namespace kring::server
