// The light path's followers (sync/live_threads.h): the map holds only threads with open streams,
// each change reaches every follower once, and a follower that closes while it is sent to (a slow
// reader) leaves the others their event.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine_fixture.h"
#include "sync/live_threads.h"

using namespace kring;
using namespace kring::testing;
using kring::server::LiveReader;
using kring::server::LiveThreads;
using kring::server::RenderedPages;

namespace {

struct FakeReader : LiveReader {
  std::vector<std::string> events;
  std::function<void()> onSend;  // what the reader does while it is sent to
  void send(std::shared_ptr<const std::string> event) override {
    events.push_back(*event);
    if (onSend) onSend();
  }
};

}  // namespace

TEST_CASE("live followers: only threads with open streams are kept, whatever keys streams name", "[server][live]") {
  LiveThreads live;
  std::vector<std::shared_ptr<FakeReader>> readers;
  for (int i = 0; i < 100; ++i) {
    readers.push_back(std::make_shared<FakeReader>());
    live.follow("/made-up/" + std::to_string(i), readers.back(), nullptr);
  }
  REQUIRE(live.threads() == 100);
  CHECK(live.readers() == 100);
  for (int i = 0; i < 100; ++i)
    live.unfollow("/made-up/" + std::to_string(i), readers[static_cast<std::size_t>(i)].get());
  CHECK(live.threads() == 0);
  CHECK(live.readers() == 0);
}

TEST_CASE("live followers: a reader that closes while the change is sent leaves the others theirs", "[server][live]") {
  Community c(structuralPolicy());
  const std::string key = c.thread(c.alice, "/blog/live");
  c.post(c.alice, key, "First.");
  RenderedPages pages(1 << 20, "en");
  LiveThreads live;
  auto slow = std::make_shared<FakeReader>();
  auto other = std::make_shared<FakeReader>();
  auto third = std::make_shared<FakeReader>();
  live.follow(key, slow, pages.thread(c.engine, key));
  live.follow(key, other, nullptr);
  live.follow(key, third, nullptr);
  // The first reader's send closes it, as a reader past its queue bound does.
  slow->onSend = [&] { live.unfollow(key, slow.get()); };

  c.post(c.bob, key, "Second.");
  pages.invalidate(key);
  live.changed(key);
  REQUIRE(live.pending());
  live.publish([&](const std::string& threadKey) { return pages.thread(c.engine, threadKey); });
  for (const auto* reader : {slow.get(), other.get(), third.get()}) {
    REQUIRE(reader->events.size() == 1);
    CHECK(reader->events[0].starts_with("data: {\"from\":"));
    CHECK(reader->events[0].find("Second.") != std::string::npos);
  }
  CHECK(live.readers() == 2);

  // The last readers leave: the thread is forgotten, and a change to it sends nothing.
  live.unfollow(key, other.get());
  live.unfollow(key, third.get());
  CHECK(live.threads() == 0);
  live.changed(key);
  CHECK_FALSE(live.pending());
}
