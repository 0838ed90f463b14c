// Resubmissions waiting for an op on its way to the store (sync/resubmissions.h): a connection waits
// once, closed connections' places are freed, at most kPerOp wait, and take() hands them all over once.
#include <catch2/catch.hpp>

#include "fake_connection.h"
#include "sync/resubmissions.h"

using namespace kring::server;
using Admission = Resubmissions::Admission;

TEST_CASE("a connection waits for an op once - everyone waiting is taken once", "[server][resubmissions]") {
  Resubmissions waiting;
  auto ann = std::make_shared<FakeConnection>();
  REQUIRE(waiting.admit("a", ann) == Admission::room);
  waiting.add("a", {ann, {}});
  CHECK(waiting.admit("a", ann) == Admission::alreadyWaiting);
  int answers = 0;
  REQUIRE(waiting.admit("a", nullptr) == Admission::room);  // the console, by its callback
  waiting.add("a", {{}, [&](const kring::Outcome&) { ++answers; }});

  auto taken = waiting.take("a");
  REQUIRE(taken.size() == 2);
  CHECK(taken[0].from.lock() == ann);
  taken[1].answered(kring::Outcome{});
  CHECK(answers == 1);
  CHECK(waiting.take("a").empty());
  CHECK(waiting.take("never").empty());
}

TEST_CASE("at most kPerOp wait for one op - a closed connection's place is freed", "[server][resubmissions]") {
  Resubmissions waiting;
  std::vector<std::shared_ptr<FakeConnection>> connections;
  for (std::size_t i = 0; i < Resubmissions::kPerOp; ++i) {
    connections.push_back(std::make_shared<FakeConnection>());
    REQUIRE(waiting.admit("a", connections.back()) == Admission::room);
    waiting.add("a", {connections.back(), {}});
  }
  auto late = std::make_shared<FakeConnection>();
  CHECK(waiting.admit("a", late) == Admission::full);
  CHECK(waiting.admit("b", late) == Admission::room);  // another op has room

  connections.front().reset();
  CHECK(waiting.admit("a", late) == Admission::room);
  waiting.add("a", {late, {}});
  CHECK(waiting.take("a").size() == Resubmissions::kPerOp);
}

TEST_CASE("a console caller's place is kept: it has no connection to close", "[server][resubmissions]") {
  Resubmissions waiting;
  for (std::size_t i = 0; i < Resubmissions::kPerOp; ++i) {
    REQUIRE(waiting.admit("a", nullptr) == Admission::room);
    waiting.add("a", {{}, [](const kring::Outcome&) {}});
  }
  CHECK(waiting.admit("a", nullptr) == Admission::full);
}
