// Frames that wait until the ops they show are durable (a member record, a thread snapshot): a client
// never sees an op a crash could still undo.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>

#include "sync/connection.h"

namespace kring::server {

class DurableSends {
 public:
  // Sends the frame (or the snapshot's parts) at once when every op up to `sequence` is durable by
  // `committed`, or else once release() is told they are.
  void send(const std::shared_ptr<Connection>& connection, Sequence sequence, Sequence committed, Frame frame,
            SharedSnapshot snapshot = nullptr);
  // Sends what `committed` made durable, in the order it was queued: a frame waits behind the one
  // before it, so a connection gets its frames in order. A closed connection's frames are dropped.
  void release(Sequence committed);

  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Waiting {
    std::weak_ptr<Connection> connection;
    Sequence sequence = 0;
    Frame frame;              // or
    SharedSnapshot snapshot;  // a thread snapshot's parts
  };

  std::deque<Waiting> waiting_;
};

}  // namespace kring::server
