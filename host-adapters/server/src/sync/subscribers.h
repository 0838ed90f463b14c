// Who follows which thread of a site, and who follows keys no thread has yet (their creation will
// reach them). Any client can name any key, so the latter are swept rather than kept.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sync/connection.h"

namespace kring::server {

class Subscribers {
 public:
  using List = std::vector<std::weak_ptr<Connection>>;

  // Follows a thread the site has.
  void follow(const std::string& threadKey, const std::shared_ptr<Connection>& connection);
  // Follows a key no thread has. Closed connections' keys are swept once their count has doubled
  // since the last sweep (from 64): cheap per call, bounded however many keys clients name.
  void await(const std::string& threadKey, const std::shared_ptr<Connection>& connection);
  // The thread's subscribers now that it has an op: those that waited for its creation join them,
  // and closed connections leave.
  const List& ofThread(const std::string& threadKey);
  // Every list, threads' then pending keys' (a connection may be in several).
  template <class Visit>
  void forEachList(Visit&& visit) const {
    for (const auto& [key, list] : threads_) visit(list);
    for (const auto& [key, list] : pending_) visit(list);
  }

  template <class Visit>
  void forEachThread(Visit&& visit) const {
    for (const auto& [key, list] : threads_) visit(key);
  }
  std::size_t pendingKeys() const { return pending_.size(); }

 private:
  void sweepPending();

  std::unordered_map<std::string, List> threads_;
  std::unordered_map<std::string, List> pending_;
  std::size_t sweepPendingAt_ = 64;
};

}  // namespace kring::server
