// Readers on the light path (docs/server-rendering.md, "Live"): visitors who have not acted follow
// a thread's server-rendered page over a stream instead of a WebSocket and the core. After a commit
// changes a followed thread, its page is rendered once and every follower gets the same change
// (render/page_changes.h), framed once. Bounded by the streams: a thread nobody follows is forgotten.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sync/rendered_pages.h"

namespace kring::server {

// One follower's stream; `send` takes a framed event, shared by every follower.
class LiveReader {
 public:
  virtual ~LiveReader() = default;
  virtual void send(std::shared_ptr<const std::string> event) = 0;
};

class LiveThreads {
 public:
  // `shown`: the thread's page now (nullptr for a thread not created yet); a changes' `from` version.
  void follow(const std::string& threadKey, const std::weak_ptr<LiveReader>& reader, SharedPage shown);
  // The reader's stream ended: the thread is forgotten with its last reader, so the map holds only
  // threads with open streams (a stream per made-up key cannot grow it).
  void unfollow(const std::string& threadKey, const LiveReader* reader);
  bool followed(const std::string& threadKey) const { return threads_.contains(threadKey); }
  // A commit changed the thread (an empty key: a site-wide op, every followed thread).
  void changed(const std::string& threadKey);
  bool pending() const { return !changed_.empty(); }
  // Renders each changed thread with `render` (a SharedPage for its key) and sends its followers
  // the change; forgets threads whose followers have all gone.
  template <class Render>
  void publish(Render&& render) {
    std::unordered_set<std::string> changed = std::move(changed_);
    changed_.clear();
    for (const std::string& threadKey : changed) {
      auto it = threads_.find(threadKey);
      if (it != threads_.end()) publishTo(it, render(threadKey));
    }
  }
  // Open streams (/healthz's liveReaders), and the threads they follow.
  std::size_t readers() const;
  std::size_t threads() const { return threads_.size(); }

  // The event a change is sent as (an EventSource's message): the JSON on one data line.
  static std::string frame(const std::string& changes);

 private:
  struct Followed {
    SharedPage shown;
    std::vector<std::weak_ptr<LiveReader>> readers;
  };
  using Threads = std::unordered_map<std::string, Followed>;
  void publishTo(Threads::iterator it, SharedPage now);

  Threads threads_;
  std::unordered_set<std::string> changed_;
};

}  // namespace kring::server
