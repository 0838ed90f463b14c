#include "sync/op_id_memory.h"

#include <algorithm>

namespace kring::server {

void OpIdMemory::restore(std::vector<std::pair<Sequence, std::string>> newestFirst, Sequence compactedUpTo) {
  if (newestFirst.size() > capacity_) {
    forgottenUpTo_ = newestFirst.back().first;
    newestFirst.pop_back();
  }
  // Compacted ops keep only their ids, which the store answers for.
  forgottenUpTo_ = std::max(forgottenUpTo_, compactedUpTo);
  for (auto it = newestFirst.rbegin(); it != newestFirst.rend(); ++it) remember(it->second, it->first);
}

void OpIdMemory::remember(const std::string& opId, Sequence sequence) {
  ids_.emplace(opId, sequence);
  order_.emplace_back(sequence, opId);
}

OpIdMemory::State OpIdMemory::state(const std::string& opId, Sequence committed) const {
  auto it = ids_.find(opId);
  if (it == ids_.end()) return State::unknown;
  return it->second > committed ? State::pending : State::stored;
}

void OpIdMemory::forgetDurable(Sequence committed) {
  while (order_.size() > capacity_ && order_.front().first <= committed) {
    forgottenUpTo_ = order_.front().first;
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace kring::server
