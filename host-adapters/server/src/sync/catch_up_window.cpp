#include "sync/catch_up_window.h"

#include <algorithm>

namespace kring::server {

void CatchUpWindow::remember(const std::string& threadKey, OpEvents op) {
  Thread& thread = threads_[threadKey];
  thread.events += op.events.size();
  events_ += op.events.size();
  order_.emplace_back(op.sequence, threadKey);
  thread.recent.push_back(std::move(op));
  while (thread.events > eventsPerThread_ && thread.recent.size() > 1) evictOldest(thread);
  // A site of many threads: each stays within its window, and all of them within the site's.
  while (events_ > eventsPerSite_ && !order_.empty()) {
    auto [sequence, key] = std::move(order_.front());
    order_.pop_front();
    auto oldest = threads_.find(key);
    // Gone already when the thread's own window evicted it.
    if (oldest != threads_.end() && !oldest->second.recent.empty() &&
        oldest->second.recent.front().sequence == sequence) {
      evictOldest(oldest->second);
    }
  }
  // Entries the threads' own windows evicted leave the order too, once it holds twice what is remembered.
  if (order_.size() > 2 * eventsPerSite_ + 1024) {
    std::erase_if(order_, [this](const std::pair<Sequence, std::string>& entry) {
      auto it = threads_.find(entry.second);
      return it == threads_.end() || it->second.recent.empty() || entry.first < it->second.recent.front().sequence;
    });
  }
}

void CatchUpWindow::evictOldest(Thread& thread) {
  thread.evictedUpTo = thread.recent.front().sequence;
  thread.events -= thread.recent.front().events.size();
  events_ -= thread.recent.front().events.size();
  thread.recent.pop_front();
}

std::optional<std::vector<const OpEvents*>> CatchUpWindow::missedSince(const std::string& threadKey, Sequence lastSeen,
                                                                       Sequence committed) const {
  auto it = threads_.find(threadKey);
  const Sequence evictedUpTo = it == threads_.end() ? 0 : it->second.evictedUpTo;
  if (lastSeen == 0 || lastSeen < std::max(evictedUpTo, floor_) || lastSeen > committed) return std::nullopt;
  std::vector<const OpEvents*> missed;
  if (it == threads_.end()) return missed;
  for (const OpEvents& op : it->second.recent) {
    if (op.sequence > lastSeen && op.sequence <= committed) missed.push_back(&op);
  }
  return missed;
}

void CatchUpWindow::forgetAll(Sequence floor) {
  for (auto& [key, thread] : threads_) {
    thread.recent.clear();
    thread.events = 0;
  }
  floor_ = floor;
  order_.clear();
  events_ = 0;
}

}  // namespace kring::server
