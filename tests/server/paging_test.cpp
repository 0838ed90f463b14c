// Paged threads through kring-server (docs/protocol.md, "Paged threads"): a protocol 3 client that
// subscribes paged gets the first page, loads more on demand, keeps following live posts, and a page
// never arrives ahead of the events of ops it holds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "engine_fixture.h"
#include "kring/engine.h"
#include "kring/replica.h"
#include "kring/snapshot.h"
#include "kring/thread_page.h"
#include "server_process.h"
#include "server_test_ops.h"
#include "sync/snapshot_cache.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::server;
using namespace kring::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<SyncClient> pagedClient(ServerProcess& server, const std::string& member) {
  auto client = std::make_unique<SyncClient>(server.port());
  REQUIRE(client->hello(TestSite::id, testToken(member, "member"), "client-" + member, {}, kProtocolVersion));
  return client;
}

// `roots` top-level posts `<prefix>-1` …, sent at once, acknowledged when the last one is.
void writeRoots(SyncClient& client, const std::string& prefix, const std::string& key, int roots) {
  client.send(createThread(prefix + "-0", key));
  REQUIRE(ackOf(client, prefix + "-0"));
  for (int i = 1; i <= roots; ++i)
    client.send(post(prefix + "-" + std::to_string(i), key, "root " + std::to_string(i)));
  const std::string last = prefix + "-" + std::to_string(roots);
  for (int i = 0; i < roots; ++i) {
    if (ackOf(client, last)) return;
  }
  FAIL("post " << last << " was never acknowledged");
}

// A replica fed every message a client receives, as kring_receive feeds one.
struct PagedReplica {
  Engine engine{"replica"};
  SnapshotAssembler parts;

  // Takes messages until a snapshot (a first page or a continuing one) is taken in.
  void untilSnapshot(SyncClient& client) {
    for (int i = 0; i < 200; ++i) {
      auto message = client.receive();
      INFO((client.lastError() ? client.lastError()->code + ": " + client.lastError()->message : std::string()));
      REQUIRE(message);
      if (take(*message) == "snapshot") return;
    }
    FAIL("no snapshot came");
  }
  // Takes messages until it holds the post.
  void until(SyncClient& client, const std::string& key, const std::string& id) {
    for (int i = 0; i < 50 && !holds(key, id); ++i) {
      auto message = client.receive();
      REQUIRE(message);
      take(*message);
    }
    REQUIRE(holds(key, id));
  }
  std::string take(ServerMessage& message) {
    if (auto* part = std::get_if<ThreadSnapshotPart>(&message)) {
      Result<std::optional<Bytes>> whole = parts.add(std::move(*part));
      REQUIRE(whole.ok());
      if (!whole.value()) return "part";
      Status loaded = loadThreadSnapshot(engine, *whole.value());
      INFO((loaded.ok() ? std::string() : loaded.error().message));
      REQUIRE(loaded.ok());
      return "snapshot";
    }
    if (auto* events = std::get_if<EventsMessage>(&message)) {
      Status applied = applyEvents(engine, *events);
      INFO((applied.ok() ? std::string() : applied.error().message));
      REQUIRE(applied.ok());
      return "events";
    }
    return "other";
  }
  ThreadView view(const std::string& key) {
    auto view = engine.threadView(key, SortOrder::oldest);
    REQUIRE(view);
    return std::move(*view);
  }
  bool holds(const std::string& key, const std::string& id) {
    ThreadView thread = view(key);
    return std::any_of(thread.posts.begin(), thread.posts.end(), [&](const PostView& p) { return p.id == id; });
  }
};

}  // namespace

TEST_CASE("a paged subscriber gets the first page, pages on, follows live posts, and keeps its pages on reconnect",
          "[server][paging]") {
  ServerProcess server{kUnlimitedRates};
  auto writer = signedIn(server, "wes");
  writeRoots(*writer, "w", "/p/big", 130);

  auto ann = pagedClient(server, "ann");
  PagedReplica replica;
  ann->send(Subscribe{"/p/big", 0, true, SortOrder::oldest});
  replica.untilSnapshot(*ann);
  ThreadView first = replica.view("/p/big");
  REQUIRE(first.posts.size() == 25);  // PageSize{}.listPosts
  CHECK(first.posts.front().id == "w-1");
  CHECK(first.unloadedTopLevel == 105);
  CHECK(first.unloadedVisible == 105);

  // Four more pages: the fifth ends at root 125.
  for (int pages = 2; pages <= 5; ++pages) {
    std::optional<LoadPage> next = nextPage(replica.engine, "/p/big", "");
    REQUIRE(next);
    ann->send(*next);
    replica.untilSnapshot(*ann);
  }
  ThreadView paged = replica.view("/p/big");
  CHECK(paged.posts.size() == 125);
  CHECK(paged.posts.back().id == "w-125");
  CHECK(paged.unloadedTopLevel == 5);

  // Live posts arrive on the pages it holds: a new top-level post, a reply to root 3.
  writer->send(post("w-live", "/p/big", "a live post"));
  Submit reply = post("w-reply", "/p/big", "a live reply");
  std::get<CreatePost>(reply.op.body).parentId = "w-3";
  writer->send(reply);
  REQUIRE(ackOf(*writer, "w-reply"));
  replica.until(*ann, "/p/big", "w-reply");
  CHECK(replica.holds("/p/big", "w-live"));

  // Reconnecting from its last sequence keeps the pages: the server sends only what it missed.
  Sequence last = threadLastSequence(replica.engine, "/p/big");
  writer->send(post("w-missed", "/p/big", "while away"));
  REQUIRE(ackOf(*writer, "w-missed"));
  ann.reset();
  auto again = pagedClient(server, "ann");
  again->send(Subscribe{"/p/big", last, true, SortOrder::oldest});
  replica.until(*again, "/p/big", "w-missed");
  ThreadView resumed = replica.view("/p/big");
  CHECK(resumed.posts.size() == 128);
  CHECK(resumed.unloadedTopLevel == 5);
  // The last page brings the rest, and the replica is the thread a whole snapshot shows.
  std::optional<LoadPage> next = nextPage(replica.engine, "/p/big", "");
  REQUIRE(next);
  again->send(*next);
  replica.untilSnapshot(*again);
  CHECK(!nextPage(replica.engine, "/p/big", ""));
  auto whole = signedIn(server, "cat");
  ThreadView expected = viewFromSnapshot(*whole, "/p/big");
  ThreadView held = replica.view("/p/big");
  REQUIRE(held.posts.size() == expected.posts.size());
  for (std::size_t i = 0; i < held.posts.size(); ++i) CHECK(held.posts[i].id == expected.posts[i].id);
}

TEST_CASE("a page asked for while a reply in it is on its way to the store comes after that reply's events",
          "[server][paging]") {
  // Commits wait 300 ms: the reply is applied (and in the page) before it is durable.
  ServerProcess server{std::string(kUnlimitedRates) + " --commit-delay-ms 300"};
  auto writer = signedIn(server, "wes");
  writeRoots(*writer, "w", "/p/race", 40);
  auto ann = pagedClient(server, "ann");
  PagedReplica replica;
  ann->send(Subscribe{"/p/race", 0, true, SortOrder::oldest});
  replica.untilSnapshot(*ann);
  REQUIRE(!replica.holds("/p/race", "w-30"));
  // A reply to root 30, which the next page brings; the page is asked for before the reply is stored.
  Submit reply = post("w-under-30", "/p/race", "a reply on its way");
  std::get<CreatePost>(reply.op.body).parentId = "w-30";
  writer->send(reply);
  std::this_thread::sleep_for(50ms);
  std::optional<LoadPage> next = nextPage(replica.engine, "/p/race", "");
  REQUIRE(next);
  ann->send(*next);
  // Every message applies (a page ahead of the reply's events would make them a duplicate post),
  // and the reply is held once.
  replica.untilSnapshot(*ann);
  REQUIRE(ackOf(*writer, "w-under-30"));
  while (auto later = ann->receive(500ms)) replica.take(*later);
  CHECK(replica.holds("/p/race", "w-30"));
  CHECK(replica.holds("/p/race", "w-under-30"));
}

TEST_CASE("a page request for a thread not subscribed paged, or after a post of another list, closes the connection",
          "[server][paging][input]") {
  ServerProcess server{kUnlimitedRates};
  auto writer = signedIn(server, "wes");
  writeRoots(*writer, "w", "/p/pages", 30);

  auto whole = pagedClient(server, "ann");
  whole->send(Subscribe{"/p/pages", 0});
  REQUIRE(whole->receiveSnapshot());
  whole->send(LoadPage{"/p/pages", SortOrder::oldest, {}, "w-25"});
  CHECK(whole->closedByServer());
  REQUIRE(whole->lastError());
  CHECK(whole->lastError()->code == "bad_page_request");

  auto paged = pagedClient(server, "bob");
  paged->send(Subscribe{"/p/pages", 0, true, SortOrder::oldest});
  REQUIRE(paged->receiveSnapshot());
  paged->send(LoadPage{"/p/pages", SortOrder::oldest, "w-1", "w-25"});  // w-25 is no reply of w-1
  CHECK(paged->closedByServer());
  REQUIRE(paged->lastError());
  CHECK(paged->lastError()->code == "bad_page_request");

  // Pages faster than a reader clicks are a flood.
  auto greedy = pagedClient(server, "cat");
  greedy->send(Subscribe{"/p/pages", 0, true, SortOrder::oldest});
  REQUIRE(greedy->receiveSnapshot());
  for (int i = 0; i < 60; ++i) greedy->send(LoadPage{"/p/pages", SortOrder::oldest, {}, "w-25"});
  CHECK(greedy->closedByServer());
  REQUIRE(greedy->lastError());
  CHECK(greedy->lastError()->code == "flood");
}

TEST_CASE("first pages are cut once per viewer class and order, and a member the thread names gets their own",
          "[paging][snapshot]") {
  Engine engine("test", structuralPolicy());
  OpFactory ops;
  const Actor bob = OpFactory::member("bob");
  REQUIRE(engine.apply(ops.thread(bob, "/p/shared")).accepted());
  for (int i = 0; i < 60; ++i)
    REQUIRE(engine.apply(ops.post(bob, "/p/shared", "post " + std::to_string(i))).accepted());
  SnapshotCache cache(64 << 20);
  const Viewer reader{"reader-1", ViewerClass::everyone};
  SharedSnapshot first = cache.firstPage(engine, "/p/shared", SortOrder::oldest, reader);
  REQUIRE(first);
  CHECK(cache.firstPage(engine, "/p/shared", SortOrder::oldest, Viewer{"reader-2", ViewerClass::everyone}) == first);
  CHECK(cache.firstPage(engine, "/p/shared", SortOrder::newest, reader) != first);
  CHECK(cache.get(engine, "/p/shared", reader) != first);  // the whole thread is another snapshot
  CHECK(cache.firstPage(engine, "/p/shared", SortOrder::oldest, Viewer{"bob", ViewerClass::everyone}) != first);
  // It is the first page: 25 of the 60 posts, the rest marked.
  Engine replica("replica");
  Bytes whole;
  for (const Frame& part : first->parts) {
    Result<ServerMessage> message = decodeServerMessage(*part);
    REQUIRE(message.ok());
    const Bytes& bytes = std::get<ThreadSnapshotPart>(message.value()).bytes;
    whole.insert(whole.end(), bytes.begin(), bytes.end());
  }
  REQUIRE(loadThreadSnapshot(replica, whole).ok());
  CHECK(replica.threadView("/p/shared", SortOrder::oldest)->posts.size() == 25);
  CHECK(replica.threadView("/p/shared", SortOrder::oldest)->unloadedTopLevel == 35);
  // A change to the thread cuts it again.
  cache.invalidate("/p/shared");
  CHECK(cache.firstPage(engine, "/p/shared", SortOrder::oldest, reader) != first);
}
