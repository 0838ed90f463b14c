// One op's events, encoded once per distinct projection: a viewer class, or a member the events
// name (their own vote, their held post). Fan-out to a thousand readers costs a handful of encodes.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "kring/visibility.h"
#include "sync/connection.h"
#include "sync/rendered_bodies.h"

namespace kring::server {

class ProjectedFrames {
 public:
  ProjectedFrames(std::string threadKey, const OpEvents& op)
      : threadKey_(std::move(threadKey)), op_(op), subjects_(eventSubjects(op)) {}

  // The viewer's Events frame, with the HTML of the post text it carries; `empty` tells when the op
  // shows them nothing.
  struct Projected {
    Frame frame;
    bool empty = true;
  };
  Projected frameFor(const Viewer& viewer) {
    // Members the events do not name see exactly what their class sees.
    bool named = std::binary_search(subjects_.begin(), subjects_.end(), viewer.memberId);
    Viewer key{named ? viewer.memberId : std::string(), viewer.viewerClass};
    for (auto& [known, projected] : cache_) {
      if (known == key) return projected;
    }
    std::vector<Event> events = projectEvents(op_, key);
    std::vector<RenderedBody> rendered = renderedBodies(events);
    Projected projected{frameOf(EventsMessage{threadKey_, op_.sequence, events, {}, std::move(rendered)}),
                        events.empty()};
    cache_.emplace_back(std::move(key), projected);
    return projected;
  }

 private:
  std::string threadKey_;
  const OpEvents& op_;
  std::vector<std::string> subjects_;  // sorted
  std::vector<std::pair<Viewer, Projected>> cache_;
};

}  // namespace kring::server
