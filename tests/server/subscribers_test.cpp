// A site's subscribers (sync/subscribers.h): a thread's subscribers, those waiting for a key no
// thread has (joining it once it exists), closed connections leaving, and the waiting keys of closed
// connections swept once their count has doubled.
#include <algorithm>

#include <catch2/catch.hpp>

#include "fake_connection.h"
#include "sync/subscribers.h"

using namespace kring::server;

namespace {

std::vector<std::shared_ptr<Connection>> live(const Subscribers::List& list) {
  std::vector<std::shared_ptr<Connection>> connections;
  for (const auto& weak : list) connections.push_back(weak.lock());
  return connections;
}

std::size_t lists(const Subscribers& subscribers) {
  std::size_t count = 0;
  subscribers.forEachList([&](const Subscribers::List&) { ++count; });
  return count;
}

}  // namespace

TEST_CASE("a thread's subscribers, joined by those that waited for it, without closed connections",
          "[server][subscribers]") {
  Subscribers subscribers;
  auto ann = std::make_shared<FakeConnection>();
  auto bob = std::make_shared<FakeConnection>();
  auto cat = std::make_shared<FakeConnection>();
  subscribers.follow("t", ann);
  subscribers.follow("t", cat);
  subscribers.await("t", bob);  // followed before the thread existed
  CHECK(subscribers.pendingKeys() == 1);

  cat.reset();
  using Live = std::vector<std::shared_ptr<Connection>>;
  CHECK(live(subscribers.ofThread("t")) == Live{ann, bob});
  CHECK(subscribers.pendingKeys() == 0);
  CHECK(live(subscribers.ofThread("nobody")).empty());

  std::vector<std::string> threads;
  subscribers.forEachThread([&](const std::string& key) { threads.push_back(key); });
  std::sort(threads.begin(), threads.end());
  CHECK(threads == std::vector<std::string>{"nobody", "t"});
}

TEST_CASE("every list, threads' and waiting keys', for a site-wide op", "[server][subscribers]") {
  Subscribers subscribers;
  auto ann = std::make_shared<FakeConnection>();
  subscribers.follow("t", ann);
  subscribers.await("x", ann);
  subscribers.await("y", ann);
  std::size_t seen = 0;
  subscribers.forEachList([&](const Subscribers::List& list) { seen += list.size(); });
  CHECK(lists(subscribers) == 3);
  CHECK(seen == 3);
}

TEST_CASE("closed connections' waiting keys are swept once their count has doubled", "[server][subscribers]") {
  Subscribers subscribers;
  auto stays = std::make_shared<FakeConnection>();
  subscribers.await("kept", stays);
  {
    auto gone = std::make_shared<FakeConnection>();
    for (int i = 0; i < 62; ++i) subscribers.await("gone-" + std::to_string(i), gone);
  }
  CHECK(subscribers.pendingKeys() == 63);  // below 64: not swept yet
  auto next = std::make_shared<FakeConnection>();
  subscribers.await("next", next);  // 64: the sweep leaves the open connections' two
  CHECK(subscribers.pendingKeys() == 2);

  // The next sweep waits for 64 keys again (twice 2 is less), then for twice what stayed.
  for (int i = 0; i < 61; ++i) subscribers.await("open-" + std::to_string(i), next);
  CHECK(subscribers.pendingKeys() == 63);
  subscribers.await("last", next);
  CHECK(subscribers.pendingKeys() == 64);  // swept, none closed: the next sweep is at 128
  next.reset();
  for (int i = 0; i < 63; ++i) subscribers.await("stays-" + std::to_string(i), stays);
  CHECK(subscribers.pendingKeys() == 127);
  subscribers.await("stays-last", stays);  // 128: the closed connection's 63 keys go
  CHECK(subscribers.pendingKeys() == 65);
}
