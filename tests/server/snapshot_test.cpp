// Thread snapshots over the real binary: in parts no larger than kSnapshotPartBytes, whatever the
// thread's size, and encoded once per viewer class without mixing up what one member may read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kFastFlags =
    "--ops-per-second 100000 --ops-burst 100000 --member-ops-per-second 100000 --member-ops-burst 100000 "
    "--frames-per-second 100000 --frames-burst 100000";

// Sends the ops 50 at a time, each batch acknowledged before the next (acknowledgements carry the
// text: a client that only writes would be dropped as a slow reader).
bool submitAll(SyncClient& client, const std::vector<Submit>& ops) {
  for (std::size_t first = 0; first < ops.size(); first += 50) {
    std::size_t end = std::min(ops.size(), first + 50);
    for (std::size_t i = first; i < end; ++i) client.send(ops[i]);
    const std::string& last = ops[end - 1].op.id;
    bool acknowledged = false;
    while (!acknowledged) {
      auto message = client.receive(30s);
      if (!message) {
        FAIL_CHECK("no acknowledgement of " << last << (client.lastError() ? ": " + client.lastError()->code : ""));
        return false;
      }
      if (auto* rejected = std::get_if<RejectedMessage>(&*message)) {
        FAIL_CHECK(rejected->opId << " rejected: " << rejected->message);
        return false;
      }
      if (auto* events = std::get_if<EventsMessage>(&*message)) {
        for (const Event& event : events->events) acknowledged = acknowledged || event.opId == last;
      }
    }
  }
  return true;
}

// Receives one whole snapshot part by part, checking each part's size.
struct Parts {
  std::size_t count = 0;
  std::size_t largest = 0;
  Bytes whole;
};
std::optional<Parts> receiveParts(SyncClient& client) {
  Parts parts;
  SnapshotAssembler assembler;
  while (auto part = client.receiveUntil<ThreadSnapshotPart>(30s)) {
    ++parts.count;
    parts.largest = std::max(parts.largest, part->bytes.size());
    Result<std::optional<Bytes>> whole = assembler.add(std::move(*part));
    if (!whole) return std::nullopt;
    if (whole.value()) {
      parts.whole = std::move(*whole.value());
      return parts;
    }
  }
  return std::nullopt;
}

ThreadView load(const Bytes& snapshot, const std::string& key) {
  Engine replica("test");
  REQUIRE(loadThreadSnapshot(replica, snapshot));
  auto view = replica.threadView(key, SortOrder::oldest);
  REQUIRE(view);
  return std::move(*view);
}

}  // namespace

TEST_CASE("a 5,000-post thread reaches a new subscriber in parts none larger than the part size",
          "[server][snapshot]") {
  ServerProcess server(kFastFlags);
  auto ann = signedIn(server, "ann");
  std::vector<Submit> ops{createThread("t", "/p/long")};
  for (int i = 0; i < 5000; ++i) {
    ops.push_back(
        post("p-" + std::to_string(i), "/p/long", "Post " + std::to_string(i) + ": it fits, and the colour is true."));
  }
  REQUIRE(submitAll(*ann, ops));
  auto bob = signedIn(server, "bob");
  bob->send(Subscribe{"/p/long", 0});
  auto parts = receiveParts(*bob);
  REQUIRE(parts);
  CHECK(parts->count > 1);
  CHECK(parts->largest <= kSnapshotPartBytes);
  ThreadView view = load(parts->whole, "/p/long");
  CHECK(view.posts.size() == 5000);
  CHECK(view.posts.back().body == "Post 4999: it fits, and the colour is true.");
}

TEST_CASE("a post edited 1,000 times still reaches moderators, whose snapshot is far past the send queue",
          "[server][snapshot]") {
  // The mechanics policy, with the per-post edit limit at its maximum.
  const std::string policy =
      std::string(TestSite::mechanicsPolicy)
          .replace(std::string(TestSite::mechanicsPolicy).find("\"spamHoldScore\""), 0, "\"editMaxPerPost\":1000,");
  ServerProcess server(kFastFlags, policy);
  auto mo = signedIn(server, "mo", "moderator");
  std::vector<Submit> ops{createThread("t", "/p/edited"), post("p", "/p/edited", "First words")};
  std::string body;
  for (int i = 0; i < 1000; ++i) {
    body.clear();
    while (body.size() < 19'000) body += "edit " + std::to_string(i) + " says a little more; ";
    ops.push_back(Submit{makeOp("e-" + std::to_string(i), EditPost{"p", body})});
  }
  REQUIRE(submitAll(*mo, ops));

  // The edit history is the moderators' to read: ~19 MB, more than twice the 8 MiB send queue.
  auto reader = signedIn(server, "reader-mo", "moderator");
  reader->send(Subscribe{"/p/edited", 0});
  auto parts = receiveParts(*reader);
  REQUIRE(parts);
  CHECK(parts->whole.size() > 16u << 20);
  CHECK(parts->largest <= kSnapshotPartBytes);
  ThreadView view = load(parts->whole, "/p/edited");
  REQUIRE(view.posts.size() == 1);
  CHECK(view.posts[0].body == body);
  // A member holds no history: one small part.
  auto member = signedIn(server, "member");
  member->send(Subscribe{"/p/edited", 0});
  auto small = receiveParts(*member);
  REQUIRE(small);
  CHECK(small->count == 1);
  CHECK(load(small->whole, "/p/edited").posts[0].body == body);
}

TEST_CASE("snapshots shared by a viewer class follow each commit and never carry one member's own posts to another",
          "[server][snapshot]") {
  const std::string policy = policyHolding("holdme");
  ServerProcess server(kFastFlags, policy);
  auto ann = signedIn(server, "ann");
  REQUIRE(submitAll(*ann, {createThread("t", "/p/shared"), post("a-1", "/p/shared", "One")}));
  auto bob = signedIn(server, "bob");
  bob->send(Subscribe{"/p/shared", 0});
  auto first = bob->receiveSnapshot();
  REQUIRE(first);
  CHECK(load(first->snapshot, "/p/shared").posts.size() == 1);

  // A commit replaces the class's snapshot: the next subscriber has the new post.
  REQUIRE(submitAll(*ann, {post("a-2", "/p/shared", "Two")}));
  auto cat = signedIn(server, "cat");
  cat->send(Subscribe{"/p/shared", 0});
  auto second = cat->receiveSnapshot();
  REQUIRE(second);
  CHECK(load(second->snapshot, "/p/shared").posts.size() == 2);

  // Dan's held post: his own snapshot shows its text, a member's after his does not.
  auto dan = signedIn(server, "dan");
  REQUIRE(submitAll(*dan, {post("d-1", "/p/shared", "Please holdme for review")}));
  auto eve = signedIn(server, "eve");
  for (auto* who : {eve.get(), dan.get(), cat.get()}) who->send(Subscribe{"/p/shared", 0});
  auto forEve = eve->receiveSnapshot();
  auto forDan = dan->receiveSnapshot();
  auto forCat = cat->receiveSnapshot();
  REQUIRE((forEve && forDan && forCat));
  auto holds = [](const Bytes& bytes) {
    const std::string text = "holdme";
    return std::search(bytes.begin(), bytes.end(), text.begin(), text.end()) != bytes.end();
  };
  CHECK(holds(forDan->snapshot));
  CHECK_FALSE(holds(forEve->snapshot));
  CHECK_FALSE(holds(forCat->snapshot));
  CHECK(forCat->snapshot == forEve->snapshot);  // one encode for both
}

TEST_CASE("events kept for catching up are capped over the whole site - a client further behind gets a snapshot",
          "[server][snapshot][memory]") {
  ServerProcess server(std::string(kFastFlags) + " --recent-events-per-site 6");
  auto ann = signedIn(server, "ann");
  std::vector<Submit> ops{createThread("ta", "/p/a"), createThread("tb", "/p/b")};
  for (int i = 0; i < 5; ++i) ops.push_back(post("a-" + std::to_string(i), "/p/a"));
  for (int i = 0; i < 5; ++i) ops.push_back(post("b-" + std::to_string(i), "/p/b"));
  REQUIRE(submitAll(*ann, ops));
  // Sequence 1 is the sites file's policy: the threads are 2 and 3, /p/a's posts 4-8, /p/b's 9-13.
  auto bob = signedIn(server, "bob");
  // One op behind on /p/b: its last post is still remembered, and comes as events.
  bob->send(Subscribe{"/p/b", 12});
  auto caughtUp = bob->receiveUntil<EventsMessage>();
  REQUIRE(caughtUp);
  CHECK(caughtUp->threadKey == "/p/b");
  REQUIRE_FALSE(caughtUp->events.empty());
  // /p/a's posts fell out of the site's window when /p/b's came, though its own window has room.
  CHECK(viewFromSnapshot(*bob, "/p/a", 5).posts.size() == 5);
}
