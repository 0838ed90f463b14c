// The outbox's lanes (util/lanes.h): sends go several at a time while the next are handed in, each
// item is worked on once, and what a lane throws reaches the round.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "util/lanes.h"

using namespace kring::server;
using namespace std::chrono_literals;

namespace {

struct Send {
  int number = 0;
  int worked = 0;
  std::size_t lane = 99;
};

}  // namespace

TEST_CASE("lanes work on items at once, each item once, and give them back in order", "[server][lanes]") {
  std::atomic<int> active = 0;
  std::atomic<int> mostAtOnce = 0;
  // Each item waits until four are under way (or a second has passed): with four lanes they all are.
  Lanes<Send> lanes(4, [&](std::size_t lane, Send& send) {
    const int now = ++active;
    for (int seen = mostAtOnce; now > seen && !mostAtOnce.compare_exchange_weak(seen, now);) {}
    for (int i = 0; i < 100 && mostAtOnce < 4; ++i) std::this_thread::sleep_for(10ms);
    send.worked += 1;
    send.lane = lane;
    --active;
  });
  for (int i = 0; i < 12; ++i) lanes.add(Send{i});
  const auto sent = lanes.finish();
  REQUIRE(sent.size() == 12);
  for (int i = 0; i < 12; ++i) {
    CHECK(sent[i].number == i);
    CHECK(sent[i].worked == 1);
    CHECK(sent[i].lane < 4);
  }
  CHECK(mostAtOnce == 4);
}

TEST_CASE("one lane works in the order items came, and a round without items starts no lane", "[server][lanes]") {
  std::vector<int> order;
  Lanes<Send> one(1, [&](std::size_t, Send& send) { order.push_back(send.number); });
  for (int i = 0; i < 5; ++i) one.add(Send{i});
  CHECK(one.finish().size() == 5);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});

  int calls = 0;
  Lanes<Send> none(4, [&](std::size_t, Send&) { ++calls; });
  CHECK(none.finish().empty());
  CHECK(calls == 0);
}

TEST_CASE("what a lane throws is thrown by finish, after every other item was worked on", "[server][lanes]") {
  std::atomic<int> worked = 0;
  Lanes<Send> lanes(2, [&](std::size_t, Send& send) {
    ++worked;
    if (send.number == 3) throw std::runtime_error("relay gone");
  });
  for (int i = 0; i < 8; ++i) lanes.add(Send{i});
  CHECK_THROWS_WITH(lanes.finish(), "relay gone");
  CHECK(worked == 8);
}
