#include "sync/subscribers.h"

#include <algorithm>

namespace kring::server {

namespace {

bool closed(const std::weak_ptr<Connection>& weak) { return weak.expired(); }

}  // namespace

void Subscribers::follow(const std::string& threadKey, const std::shared_ptr<Connection>& connection) {
  threads_[threadKey].push_back(connection);
}

void Subscribers::await(const std::string& threadKey, const std::shared_ptr<Connection>& connection) {
  pending_[threadKey].push_back(connection);
  sweepPending();
}

const Subscribers::List& Subscribers::ofThread(const std::string& threadKey) {
  List& list = threads_[threadKey];
  if (auto waiting = pending_.find(threadKey); waiting != pending_.end()) {  // the thread now exists
    list.insert(list.end(), waiting->second.begin(), waiting->second.end());
    pending_.erase(waiting);
  }
  std::erase_if(list, closed);
  return list;
}

void Subscribers::sweepPending() {
  if (pending_.size() < sweepPendingAt_) return;
  for (auto it = pending_.begin(); it != pending_.end();) {
    std::erase_if(it->second, closed);
    it = it->second.empty() ? pending_.erase(it) : std::next(it);
  }
  sweepPendingAt_ = std::max<std::size_t>(64, 2 * pending_.size());
}

}  // namespace kring::server
