// The recent events a reconnecting client catches up from: a window per thread, and one over the
// whole site whose oldest go first. A client that saw less than the window holds gets a snapshot.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kring/visibility.h"

namespace kring::server {

class CatchUpWindow {
 public:
  CatchUpWindow(std::size_t eventsPerThread, std::size_t eventsPerSite)
      : eventsPerThread_(eventsPerThread), eventsPerSite_(eventsPerSite) {}

  // A durable op of the thread, in sequence order. A thread keeps at least its newest op.
  void remember(const std::string& threadKey, OpEvents op);
  // The ops after `lastSeen` up to `committed`, oldest first, for a client that saw the thread up to
  // `lastSeen`; nullopt when the window no longer holds them all (or lastSeen is 0 or ahead of
  // `committed`): that client gets a snapshot.
  std::optional<std::vector<const OpEvents*>> missedSince(const std::string& threadKey, Sequence lastSeen,
                                                          Sequence committed) const;
  // Forgets every remembered event: a client that saw less than `floor` gets a snapshot (the events
  // before a restore are not remembered; an erasure's must not be handed out again).
  void forgetAll(Sequence floor);

  // Threads it has remembered ops of (an emptied thread still counts).
  std::size_t threadCount() const { return threads_.size(); }
  bool hasThread(const std::string& threadKey) const { return threads_.count(threadKey) != 0; }
  std::size_t events() const { return events_; }

 private:
  struct Thread {
    std::deque<OpEvents> recent;
    std::size_t events = 0;
    Sequence evictedUpTo = 0;  // events up to here are gone from `recent`
  };
  void evictOldest(Thread& thread);

  std::size_t eventsPerThread_;
  std::size_t eventsPerSite_;
  std::unordered_map<std::string, Thread> threads_;
  // Every remembered op, oldest first, so the site-wide cap evicts the site's oldest.
  std::deque<std::pair<Sequence, std::string>> order_;
  std::size_t events_ = 0;
  Sequence floor_ = 0;  // events before it are not remembered
};

}  // namespace kring::server
