// Resubmissions of ops on their way to the store, by connections or the console, kept by op id: each
// is answered when its op is, never before, and a few at most wait for one op.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kring/outcome.h"
#include "sync/connection.h"

namespace kring::server {

class Resubmissions {
 public:
  // A connection (its frames), a console caller (`answered`), or both.
  struct Waiter {
    std::weak_ptr<Connection> from;
    std::function<void(const Outcome&)> answered;
  };
  static constexpr std::size_t kPerOp = 16;  // more are refused (rate_limited)

  enum class Admission { room, alreadyWaiting, full };
  // Whether `from` may wait for the op (closed connections' places are freed first); a connection
  // already waiting needs no second place.
  Admission admit(const std::string& opId, const std::shared_ptr<Connection>& from);
  // Waits for the op; admit() said there is room.
  void add(const std::string& opId, Waiter waiter);
  // Everyone waiting for the op, who then no longer waits.
  std::vector<Waiter> take(const std::string& opId);

  std::size_t ops() const { return waiting_.size(); }

 private:
  std::unordered_map<std::string, std::vector<Waiter>> waiting_;
};

}  // namespace kring::server
