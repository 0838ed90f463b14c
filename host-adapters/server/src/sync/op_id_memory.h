// The ids of a site's recent ops, so a resubmission is answered without asking the store; past its
// bound the oldest durable ones are forgotten, and only then is the store asked (mayHaveForgotten).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kring/types.h"

namespace kring::server {

class OpIdMemory {
 public:
  // pending: applied (or sequenced) but not yet durable, so a resubmission waits for it.
  enum class State { unknown, pending, stored };

  explicit OpIdMemory(std::size_t capacity) : capacity_(capacity) {}

  // The op ids the store holds, newest first, up to capacity() + 1 (the one past the bound shows
  // that older ids exist), and where the store keeps only ids of compacted ops.
  void restore(std::vector<std::pair<Sequence, std::string>> newestFirst, Sequence compactedUpTo);
  // An op applied at `sequence`; the first sequence given an id stays its own.
  void remember(const std::string& opId, Sequence sequence);
  // What memory knows of the id while ops up to `committed` are durable: unknown also for an id it forgot.
  State state(const std::string& opId, Sequence committed) const;
  // Forgets the oldest ids past capacity(), but none whose op is not durable by `committed` yet.
  void forgetDurable(Sequence committed);
  // Ops may be stored with ids no longer remembered: only then is the store worth asking.
  bool mayHaveForgotten() const { return forgottenUpTo_ != 0; }

  std::size_t capacity() const { return capacity_; }
  std::size_t size() const { return ids_.size(); }

 private:
  std::size_t capacity_;
  std::unordered_map<std::string, Sequence> ids_;
  std::deque<std::pair<Sequence, std::string>> order_;  // oldest first
  Sequence forgottenUpTo_ = 0;                          // ops up to here may be stored with ids not in memory
};

}  // namespace kring::server
