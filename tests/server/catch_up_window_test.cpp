// The catch-up window (sync/catch_up_window.h): each thread keeps its newest events within its own
// bound, the site its newest within the site's, the oldest going first; a client that saw less than
// the window holds (or less than its floor) is told to take a snapshot.
#include <catch2/catch.hpp>

#include "sync/catch_up_window.h"

using namespace kring::server;
using kring::OpEvents;
using kring::Sequence;

namespace {

OpEvents op(Sequence sequence, std::size_t events = 1) {
  OpEvents made;
  made.opId = "op-" + std::to_string(sequence);
  made.sequence = sequence;
  made.events.resize(events);
  return made;
}

// The sequences a client that saw `lastSeen` is sent, or {0} when it must take a snapshot.
std::vector<Sequence> caughtUp(const CatchUpWindow& window, const std::string& key, Sequence lastSeen,
                               Sequence committed) {
  auto missed = window.missedSince(key, lastSeen, committed);
  if (!missed) return {0};
  std::vector<Sequence> sequences;
  for (const OpEvents* each : *missed) sequences.push_back(each->sequence);
  return sequences;
}

const std::vector<Sequence> kSnapshot{0};

}  // namespace

TEST_CASE("a client catches up from the window with the committed ops it missed", "[server][catch_up_window]") {
  CatchUpWindow window(100, 1000);
  window.remember("t", op(1));
  window.remember("u", op(2));
  window.remember("t", op(3));
  window.remember("t", op(4));
  CHECK(caughtUp(window, "t", 1, 4) == std::vector<Sequence>{3, 4});
  CHECK(caughtUp(window, "t", 1, 3) == std::vector<Sequence>{3});  // op 4 is not durable yet
  CHECK(caughtUp(window, "t", 4, 4).empty());
  CHECK(caughtUp(window, "u", 2, 4).empty());
  CHECK(caughtUp(window, "t", 0, 4) == kSnapshot);  // it saw nothing
  CHECK(caughtUp(window, "t", 5, 4) == kSnapshot);  // it saw more than is durable
  CHECK(caughtUp(window, "never", 2, 4).empty());   // a thread with no remembered op missed nothing
  CHECK(window.events() == 4);
}

TEST_CASE("a thread keeps its newest events within its own bound, at least one op", "[server][catch_up_window]") {
  CatchUpWindow window(3, 1000);
  window.remember("t", op(1));
  window.remember("t", op(2));
  window.remember("t", op(3, 2));  // 4 events: op 1 goes
  CHECK(window.events() == 3);
  CHECK(caughtUp(window, "t", 1, 3) == std::vector<Sequence>{2, 3});
  CHECK(caughtUp(window, "t", 0, 3) == kSnapshot);
  window.remember("t", op(4, 5));  // larger than the bound alone: kept by itself
  CHECK(window.events() == 5);
  CHECK(caughtUp(window, "t", 2, 4) == kSnapshot);  // op 3 is gone
  CHECK(caughtUp(window, "t", 3, 4) == std::vector<Sequence>{4});
}

TEST_CASE("over the site's bound the site's oldest events go first, whichever thread holds them",
          "[server][catch_up_window]") {
  CatchUpWindow window(100, 3);
  window.remember("a", op(1));
  window.remember("b", op(2));
  window.remember("a", op(3));
  window.remember("c", op(4));  // 4 events: op 1 (thread a's oldest) goes
  CHECK(window.events() == 3);
  CHECK(caughtUp(window, "a", 0, 4) == kSnapshot);
  CHECK(caughtUp(window, "a", 1, 4) == std::vector<Sequence>{3});  // it saw op 1: only op 3 is missing
  CHECK(caughtUp(window, "b", 1, 4) == std::vector<Sequence>{2});
  window.remember("c", op(5));  // op 2 goes: thread b has nothing left, and a client that saw less gets a snapshot
  CHECK(caughtUp(window, "b", 1, 5) == kSnapshot);
  CHECK(caughtUp(window, "b", 2, 5).empty());
  CHECK(window.threadCount() == 3);
}

TEST_CASE("forgetting everything sets a floor below which a client gets a snapshot", "[server][catch_up_window]") {
  CatchUpWindow window(100, 1000);
  window.forgetAll(10);  // restored at sequence 10: nothing before is remembered
  window.remember("t", op(11));
  CHECK(caughtUp(window, "t", 9, 11) == kSnapshot);
  CHECK(caughtUp(window, "t", 10, 11) == std::vector<Sequence>{11});

  window.remember("t", op(12));
  window.forgetAll(12);  // an erasure: its events are not handed out again
  CHECK(window.events() == 0);
  CHECK(caughtUp(window, "t", 11, 12) == kSnapshot);
  CHECK(caughtUp(window, "t", 12, 12).empty());
  CHECK(window.threadCount() == 1);
}
