// A Connection that keeps what it was sent, for the tests of sync/'s parts.
#pragma once

#include <vector>

#include "sync/connection.h"

namespace kring::server {

class FakeConnection final : public Connection {
 public:
  void send(Frame frame) override { frames.push_back(std::move(frame)); }
  void sendSnapshot(SharedSnapshot snapshot) override { snapshots.push_back(std::move(snapshot)); }
  const Actor& actor() const override { return actor_; }

  std::vector<Frame> frames;
  std::vector<SharedSnapshot> snapshots;

 private:
  Actor actor_{"fake", "Fake", Role::member};
};

}  // namespace kring::server
