// A site's memory of recent op ids (sync/op_id_memory.h): pending until durable, stored after, and
// past its bound the oldest durable ones forgotten, which is when the store must be asked.
#include <catch2/catch.hpp>

#include "sync/op_id_memory.h"

using namespace kring::server;
using State = OpIdMemory::State;

TEST_CASE("an op id is pending until its op is durable, then stored - others are unknown", "[server][op_id_memory]") {
  OpIdMemory memory(10);
  memory.remember("a", 1);
  memory.remember("b", 2);
  CHECK(memory.state("a", 0) == State::pending);
  CHECK(memory.state("a", 1) == State::stored);
  CHECK(memory.state("b", 1) == State::pending);
  CHECK(memory.state("c", 2) == State::unknown);
  CHECK(memory.size() == 2);
  CHECK_FALSE(memory.mayHaveForgotten());
}

TEST_CASE("op ids past the bound are forgotten oldest first, and only once durable", "[server][op_id_memory]") {
  OpIdMemory memory(2);
  for (kring::Sequence s = 1; s <= 4; ++s) memory.remember("op-" + std::to_string(s), s);

  memory.forgetDurable(0);  // nothing durable: all four kept, the store need not be asked
  CHECK(memory.size() == 4);
  CHECK_FALSE(memory.mayHaveForgotten());

  memory.forgetDurable(1);  // only op-1 is durable
  CHECK(memory.size() == 3);
  CHECK(memory.state("op-1", 1) == State::unknown);
  CHECK(memory.state("op-2", 1) == State::pending);
  CHECK(memory.mayHaveForgotten());

  memory.forgetDurable(4);  // down to the bound, the newest kept
  CHECK(memory.size() == 2);
  CHECK(memory.state("op-2", 4) == State::unknown);
  CHECK(memory.state("op-3", 4) == State::stored);
  CHECK(memory.state("op-4", 4) == State::stored);
}

TEST_CASE("a second op with a remembered id keeps the first one's sequence", "[server][op_id_memory]") {
  OpIdMemory memory(10);
  memory.remember("a", 1);
  memory.remember("a", 5);
  CHECK(memory.state("a", 1) == State::stored);
}

TEST_CASE("restored op ids: one past the bound means older ids are in the store", "[server][op_id_memory]") {
  SECTION("the store holds no more than the bound") {
    OpIdMemory memory(3);
    memory.restore({{2, "b"}, {1, "a"}}, 0);
    CHECK(memory.size() == 2);
    CHECK(memory.state("a", 2) == State::stored);
    CHECK_FALSE(memory.mayHaveForgotten());
  }
  SECTION("the store holds more") {
    OpIdMemory memory(2);
    memory.restore({{3, "c"}, {2, "b"}, {1, "a"}}, 0);
    CHECK(memory.size() == 2);
    CHECK(memory.state("a", 3) == State::unknown);
    CHECK(memory.state("b", 3) == State::stored);
    CHECK(memory.mayHaveForgotten());
  }
  SECTION("compacted ops keep only their ids in the store") {
    OpIdMemory memory(5);
    memory.restore({{9, "i"}}, 8);
    CHECK(memory.mayHaveForgotten());
  }
  SECTION("the restored ids are forgotten first, oldest first") {
    OpIdMemory memory(2);
    memory.restore({{2, "b"}, {1, "a"}}, 0);
    memory.remember("c", 3);
    memory.forgetDurable(3);
    CHECK(memory.state("a", 3) == State::unknown);
    CHECK(memory.state("b", 3) == State::stored);
  }
}
