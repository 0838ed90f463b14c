#include "sync/durable_sends.h"

namespace kring::server {

void DurableSends::send(const std::shared_ptr<Connection>& connection, Sequence sequence, Sequence committed,
                        Frame frame, SharedSnapshot snapshot) {
  if (sequence > committed) {
    waiting_.push_back(Waiting{connection, sequence, std::move(frame), std::move(snapshot)});
  } else if (snapshot) {
    connection->sendSnapshot(std::move(snapshot));
  } else {
    connection->send(std::move(frame));
  }
}

void DurableSends::release(Sequence committed) {
  while (!waiting_.empty() && waiting_.front().sequence <= committed) {
    Waiting& ready = waiting_.front();
    if (auto connection = ready.connection.lock()) {
      send(connection, ready.sequence, committed, std::move(ready.frame), std::move(ready.snapshot));
    }
    waiting_.pop_front();
  }
}

}  // namespace kring::server
