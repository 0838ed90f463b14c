// What a site needs of a client connection: somewhere to send frames, and the subscription
// bookkeeping that keeps a client from seeing an op twice.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kring/op.h"
#include "kring/sync.h"
#include "kring/types.h"
#include "kring/visibility.h"

namespace kring::server {

using Frame = std::shared_ptr<const Bytes>;

// Encoded once, shared by every connection it goes to.
inline Frame frameOf(const ServerMessage& message) {
  return std::make_shared<const Bytes>(encodeServerMessage(message));
}

// A thread snapshot as ThreadSnapshotPart frames, shared by every connection it goes to.
struct SnapshotFrames {
  Sequence sequence = 0;  // it holds every op up to here
  std::vector<Frame> parts;
  std::size_t bytes = 0;
  // For protocol 2: an Events message with no events and the HTML of the posts' text (rendered_bodies.h).
  Frame rendered;
};
using SharedSnapshot = std::shared_ptr<const SnapshotFrames>;

class Connection {
 public:
  virtual ~Connection() = default;
  // Queues a frame; a connection whose queue is full closes itself (slow reader).
  virtual void send(Frame frame) = 0;
  // Queues a snapshot's parts after what is queued; they count against a budget of their own, since
  // subscribers of a class share them.
  virtual void sendSnapshot(SharedSnapshot snapshot) = 0;
  // Who is signed in on it (from the verified token or guest credential): what it may see follows.
  virtual const Actor& actor() const = 0;

  // The viewer class its snapshots were projected for; a change (a new role, reputation past a
  // gate) means fresh snapshots, since the replica holds another class's projection.
  ViewerClass viewerClass() const { return viewerClass_; }
  void setViewerClass(ViewerClass viewerClass) { viewerClass_ = viewerClass; }
  const std::unordered_map<std::string, Sequence>& subscriptions() const { return seen_; }
  // The protocol its Hello asked for: from 2 it takes a snapshot's rendered bodies and RenderRequests.
  void setProtocolVersion(std::uint32_t version) { protocolVersion_ = version; }
  std::uint32_t protocolVersion() const { return protocolVersion_; }
  bool takesRenderedBodies() const { return protocolVersion_ >= 2; }

  // The highest sequence this connection has seen for a thread; nullopt when not subscribed.
  bool subscribed(const std::string& threadKey) const { return seen_.count(threadKey) != 0; }
  Sequence seen(const std::string& threadKey) const {
    auto it = seen_.find(threadKey);
    return it == seen_.end() ? 0 : it->second;
  }
  void markSeen(const std::string& threadKey, Sequence sequence) { seen_[threadKey] = sequence; }
  std::size_t subscriptionCount() const { return seen_.size(); }
  // The order a paged subscription's pages are cut in (thread_page.h); nullopt: it takes whole threads.
  // Bounded like the subscriptions: one per thread it subscribed to.
  void setPaged(const std::string& threadKey, std::optional<SortOrder> order) {
    if (order) {
      paged_[threadKey] = *order;
    } else {
      paged_.erase(threadKey);
    }
  }
  std::optional<SortOrder> pagedOrder(const std::string& threadKey) const {
    auto it = paged_.find(threadKey);
    return it == paged_.end() ? std::nullopt : std::optional<SortOrder>(it->second);
  }

 private:
  std::unordered_map<std::string, Sequence> seen_;
  std::unordered_map<std::string, SortOrder> paged_;
  ViewerClass viewerClass_ = ViewerClass::everyone;
  std::uint32_t protocolVersion_ = kOldestProtocolVersion;
};

}  // namespace kring::server
