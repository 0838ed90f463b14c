// Frames that wait for durability (sync/durable_sends.h): sent at once when what they show is
// durable, else released in the order queued once it is; a closed connection's frames are dropped.
#include <catch2/catch.hpp>

#include "fake_connection.h"
#include "sync/durable_sends.h"

using namespace kring::server;

namespace {

Frame frame(std::uint8_t byte) { return std::make_shared<const kring::Bytes>(kring::Bytes{byte}); }

std::vector<std::uint8_t> sent(const FakeConnection& connection) {
  std::vector<std::uint8_t> bytes;
  for (const Frame& f : connection.frames) bytes.push_back(f->at(0));
  return bytes;
}

}  // namespace

TEST_CASE("a frame whose ops are durable goes at once", "[server][durable_sends]") {
  DurableSends sends;
  auto connection = std::make_shared<FakeConnection>();
  sends.send(connection, 3, 3, frame(1));
  CHECK(sent(*connection) == std::vector<std::uint8_t>{1});
  CHECK(sends.waiting() == 0);
}

TEST_CASE("waiting frames are released in order, each only once durable", "[server][durable_sends]") {
  DurableSends sends;
  auto connection = std::make_shared<FakeConnection>();
  sends.send(connection, 2, 0, frame(2));
  sends.send(connection, 4, 0, frame(4));
  sends.send(connection, 3, 0, frame(3));  // queued behind 4: the connection's frames stay in order
  CHECK(sent(*connection).empty());

  sends.release(1);
  CHECK(sent(*connection).empty());
  sends.release(3);
  CHECK(sent(*connection) == std::vector<std::uint8_t>{2});
  CHECK(sends.waiting() == 2);
  sends.release(4);
  CHECK(sent(*connection) == std::vector<std::uint8_t>{2, 4, 3});
  CHECK(sends.waiting() == 0);
}

TEST_CASE("a waiting snapshot goes out as a snapshot", "[server][durable_sends]") {
  DurableSends sends;
  auto connection = std::make_shared<FakeConnection>();
  auto snapshot = std::make_shared<const SnapshotFrames>(SnapshotFrames{5, {}, 0, nullptr});
  sends.send(connection, 5, 4, nullptr, snapshot);
  CHECK(connection->snapshots.empty());
  sends.release(5);
  REQUIRE(connection->snapshots.size() == 1);
  CHECK(connection->snapshots[0] == snapshot);
  CHECK(connection->frames.empty());
}

TEST_CASE("a closed connection's waiting frames are dropped", "[server][durable_sends]") {
  DurableSends sends;
  auto gone = std::make_shared<FakeConnection>();
  auto open = std::make_shared<FakeConnection>();
  sends.send(gone, 2, 0, frame(1));
  sends.send(open, 2, 0, frame(2));
  gone.reset();
  sends.release(2);
  CHECK(sent(*open) == std::vector<std::uint8_t>{2});
  CHECK(sends.waiting() == 0);
}
