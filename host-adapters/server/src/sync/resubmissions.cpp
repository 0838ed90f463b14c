#include "sync/resubmissions.h"

#include <algorithm>

namespace kring::server {

Resubmissions::Admission Resubmissions::admit(const std::string& opId, const std::shared_ptr<Connection>& from) {
  std::vector<Waiter>& waiting = waiting_[opId];
  std::erase_if(waiting, [](const Waiter& entry) { return !entry.answered && entry.from.expired(); });
  for (const Waiter& entry : waiting) {
    if (from && entry.from.lock() == from) return Admission::alreadyWaiting;
  }
  return waiting.size() >= kPerOp ? Admission::full : Admission::room;
}

void Resubmissions::add(const std::string& opId, Waiter waiter) { waiting_[opId].push_back(std::move(waiter)); }

std::vector<Resubmissions::Waiter> Resubmissions::take(const std::string& opId) {
  if (waiting_.empty()) return {};
  auto it = waiting_.find(opId);
  if (it == waiting_.end()) return {};
  std::vector<Waiter> waiting = std::move(it->second);
  waiting_.erase(it);
  return waiting;
}

}  // namespace kring::server
