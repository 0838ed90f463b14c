// What a site needs of a client connection: somewhere to send frames, and the subscription
// bookkeeping that keeps a client from seeing an op twice.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "kring/sync.h"
#include "kring/types.h"

namespace kring::server {

using Frame = std::shared_ptr<const Bytes>;

// Encoded once, shared by every connection it goes to.
inline Frame frameOf(const ServerMessage& message) { return std::make_shared<const Bytes>(encodeServerMessage(message)); }

class Connection {
 public:
  virtual ~Connection() = default;
  // Queues a frame; a connection whose queue is full closes itself (slow reader).
  virtual void send(Frame frame) = 0;

  // The highest sequence this connection has seen for a thread; nullopt when not subscribed.
  bool subscribed(const std::string& threadKey) const { return seen_.count(threadKey) != 0; }
  Sequence seen(const std::string& threadKey) const {
    auto it = seen_.find(threadKey);
    return it == seen_.end() ? 0 : it->second;
  }
  void markSeen(const std::string& threadKey, Sequence sequence) { seen_[threadKey] = sequence; }
  std::size_t subscriptionCount() const { return seen_.size(); }

 private:
  std::unordered_map<std::string, Sequence> seen_;
};

}  // namespace kring::server
