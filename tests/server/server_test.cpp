// kring-server end to end: the real binary on a loopback port, real WebSocket clients.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <signal.h>

#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include <boost/beast/http.hpp>

#include "auth/token.h"
#include "kring/engine.h"
#include "kring/snapshot.h"
#include "kring/visibility.h"
#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool hasPostCreated(const EventsMessage& message, const std::string& postId) {
  for (const Event& event : message.events) {
    if (auto* created = std::get_if<PostCreated>(&event.body); created && created->post.id == postId) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a signed-in member is welcomed with the identity from the token", "[server]") {
  ServerProcess server;
  SyncClient client(server.port());
  auto welcome = client.hello(TestSite::id, testToken("ann", "staff"), "c1");
  REQUIRE(welcome);
  CHECK(welcome->member.id == "ann");
  CHECK(welcome->member.displayName == "Name of ann");
  CHECK(welcome->member.role == Role::staff);
  CHECK(welcome->protocolVersion == kOldestProtocolVersion);  // the Hello's, echoed
}

TEST_CASE("a post fans out live to every subscriber of the thread", "[server]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  auto bob = signedIn(server, "bob");
  auto cat = signedIn(server, "cat");
  for (auto* client : {ann.get(), bob.get(), cat.get()}) client->send(Subscribe{"/p/1", 0});
  for (auto* client : {ann.get(), bob.get(), cat.get()}) REQUIRE(client->receiveUntil<EventsMessage>());

  ann->send(createThread("ann-1", "/p/1"));
  ann->send(post("ann-2", "/p/1", "First!"));
  for (auto* client : {ann.get(), bob.get(), cat.get()}) {
    auto ack = ackOf(*client, "ann-2");
    REQUIRE(ack);
    CHECK(ack->threadKey == "/p/1");
    CHECK(hasPostCreated(*ack, "ann-2"));
  }
}

TEST_CASE("a reading op is acknowledged to its reader by id and sends nothing to others", "[server]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  auto bob = signedIn(server, "bob");
  for (auto* client : {ann.get(), bob.get()}) client->send(Subscribe{"/p/1", 0});
  for (auto* client : {ann.get(), bob.get()}) REQUIRE(client->receiveUntil<EventsMessage>());
  ann->send(createThread("ann-1", "/p/1"));
  for (auto* client : {ann.get(), bob.get()}) REQUIRE(ackOf(*client, "ann-1"));

  // Bob's first op introduces him to his own replica; the second has nothing to show him.
  bob->send(Submit{makeOp("bob-read-1", RecordReading{{"/p/1"}, 1, 30})});
  auto joined = ackOf(*bob, "bob-read-1");
  REQUIRE(joined);
  CHECK(joined->events.size() == 1);
  bob->send(Submit{makeOp("bob-read-2", RecordReading{{"/p/1"}, 1, 30})});
  auto ack = ackOf(*bob, "bob-read-2");
  REQUIRE(ack);
  CHECK(ack->events.empty());
  CHECK(ack->acknowledges == "bob-read-2");

  // Ann's next frame is her own post: neither reading op, nor Bob's joining, reached her.
  ann->send(post("ann-2", "/p/1"));
  auto next = ann->receiveUntil<EventsMessage>();
  REQUIRE(next);
  CHECK(next->acknowledges.empty());
  CHECK(hasPostCreated(*next, "ann-2"));
}

TEST_CASE("events carry the member from the token, not the one the client claims", "[server]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("a-1", "/p/2"));
  auto ack = ackOf(*ann, "a-1");
  REQUIRE(ack);
  bool sawThread = false;
  for (const Event& event : ack->events) {
    if (auto* created = std::get_if<ThreadCreated>(&event.body)) {
      CHECK(created->thread.authorId == "ann");
      sawThread = true;
    }
    CHECK(event.sequence > 0);
    CHECK(event.time > 1'600'000'000'000);
  }
  CHECK(sawThread);
}

TEST_CASE("a rejected op is answered with its reason and changes nothing", "[server]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(post("a-1", "/no/such/thread"));
  auto rejected = ann->receiveUntil<RejectedMessage>();
  REQUIRE(rejected);
  CHECK(rejected->opId == "a-1");
  CHECK(rejected->code == ReasonCode::unknownThread);
  CHECK_FALSE(rejected->message.empty());
}

TEST_CASE("a client that reconnects with its last sequence gets what it missed", "[server]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(Subscribe{"/p/3", 0});
  REQUIRE(ann->receiveUntil<EventsMessage>());
  ann->send(createThread("a-1", "/p/3"));
  auto first = ackOf(*ann, "a-1");
  REQUIRE(first);
  Sequence lastSeen = first->fromSequence;

  auto bob = signedIn(server, "bob");
  for (int i = 0; i < 3; ++i) {
    bob->send(post("b-" + std::to_string(i), "/p/3"));
    REQUIRE(ackOf(*bob, "b-" + std::to_string(i)));
  }
  ann.reset();  // dropped connection; bob's posts happen while it is away

  auto again = signedIn(server, "ann");
  again->send(Subscribe{"/p/3", lastSeen});
  auto missed = again->receiveUntil<EventsMessage>();
  REQUIRE(missed);
  for (int i = 0; i < 3; ++i) CHECK(hasPostCreated(*missed, "b-" + std::to_string(i)));

  // A client with no history gets a snapshot holding the same posts.
  auto fresh = signedIn(server, "cat");
  CHECK(viewFromSnapshot(*fresh, "/p/3").posts.size() == 3);
}

TEST_CASE("a resubmitted op is acknowledged as already applied, also after a restart", "[server]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("a-1", "/p/4"));
  REQUIRE(ackOf(*ann, "a-1"));
  ann->send(createThread("a-1", "/p/4"));
  auto duplicate = ann->receiveUntil<RejectedMessage>();
  REQUIRE(duplicate);
  CHECK(duplicate->code == ReasonCode::alreadyApplied);

  server.kill(SIGTERM);
  CHECK(server.exitStatus() == 0);
  server.start();
  auto again = signedIn(server, "ann");
  again->send(createThread("a-1", "/p/4"));
  auto afterRestart = again->receiveUntil<RejectedMessage>();
  REQUIRE(afterRestart);
  CHECK(afterRestart->code == ReasonCode::alreadyApplied);
}

TEST_CASE("a site remembers only its recent op ids - older resubmissions are still already applied, from the store",
          "[server][input]") {
  ServerProcess server(
      "--op-id-memory 10 --ops-per-second 1000 --ops-burst 1000 --member-ops-per-second 1000 "
      "--member-ops-burst 1000");
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "m", "/p/memory", 40);
  HttpResult health = httpRequest(server.port(), "/healthz");
  INFO(health.body);
  // 40 posts and the sites file's policy op, of which the site keeps 10 (and each op's id in the store).
  CHECK(health.body.find("\"rememberedOpIds\":10") != std::string::npos);
  for (const char* id : {"m-1", "m-40"}) {  // long forgotten, and recent
    ann->send(post(id, "/p/memory", "again"));
    auto duplicate = ann->receiveUntil<RejectedMessage>();
    REQUIRE(duplicate);
    CHECK(duplicate->opId == id);
    CHECK(duplicate->code == ReasonCode::alreadyApplied);
  }
  ann->send(post("m-41", "/p/memory", "new"));
  CHECK(ackOf(*ann, "m-41"));
  CHECK(viewFromSnapshot(*ann, "/p/memory").posts.size() == 41);
}

TEST_CASE("forged, expired, wrong-site and malformed tokens are refused and the connection closed", "[server][auth]") {
  ServerProcess server;
  std::string forged = testToken("ann", "admin", 600, TestSite::id, "not-the-secret-0123456789-abcdefghij");
  std::string expired = testToken("ann", "member", -10);
  std::string otherSite = testToken("ann", "member", 600, "closed");
  for (const std::string& token : {forged, expired, otherSite, std::string("not.a.jwt"), std::string("garbage")}) {
    SyncClient client(server.port());
    CHECK_FALSE(client.hello(TestSite::id, token, "c1"));
    REQUIRE(client.lastError());
    CHECK(client.lastError()->code == "bad_token");
    CHECK_FALSE(client.lastError()->message.empty());
    CHECK(client.closedByServer());
  }
}

TEST_CASE("guests post where the site allows it, and only read where it does not", "[server][auth]") {
  ServerProcess server;
  SyncClient guest(server.port());
  auto welcome = guest.hello(TestSite::id, "", "visitor-1");
  REQUIRE(welcome);
  // The server names guests (auth_session_test.cpp); the client id is only a label.
  CHECK(welcome->member.id.rfind("guest:", 0) == 0);
  CHECK(welcome->member.id != "guest:visitor-1");
  CHECK_FALSE(welcome->readOnly);
  CHECK(welcome->needsTicketToStart);  // a guest's new thread always needs the host's ticket
  // A member where the policy lets trust level 0 start threads (the test site's) needs none.
  SyncClient starter(server.port());
  auto starterWelcome = starter.hello(TestSite::id, testToken("sam"), "s-1");
  REQUIRE(starterWelcome);
  CHECK_FALSE(starterWelcome->needsTicketToStart);
  CHECK(welcome->preferencesUrl.empty());  // nothing is mailed to a guest

  // A proven address on a site that mails nobody (the test site has no "email"): no preferences page.
  server::TokenClaims mailed;
  mailed.subject = "mia";
  mailed.name = "Mia";
  mailed.email = "mia@example.com";
  mailed.expiresAt = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch() + std::chrono::minutes(10))
                         .count();
  SyncClient mia(server.port());
  auto miaWelcome = mia.hello(TestSite::id, server::signToken(mailed, TestSite::id, TestSite::secret), "m-1");
  REQUIRE(miaWelcome);
  CHECK(miaWelcome->member.id == "mia");
  CHECK(miaWelcome->preferencesUrl.empty());

  // The closed site (guestPosting false): a member writes a thread, a guest reads it and may not post.
  SyncClient member(server.port());
  REQUIRE(
      member.hello("closed", testToken("ann", "admin", 600, "closed", "closed-secret-0123456789-abcdefghijk"), "m-1"));
  member.send(createThread("t", "/closed/faq"));
  REQUIRE(ackOf(member, "t"));
  member.send(post("p-1", "/closed/faq", "Members write here."));
  REQUIRE(ackOf(member, "p-1"));
  SyncClient reader(server.port());
  auto readerWelcome = reader.hello("closed", "", "visitor-2");
  REQUIRE(readerWelcome);
  CHECK(readerWelcome->readOnly);
  reader.send(Subscribe{"/closed/faq", 0});
  auto snapshot = reader.receiveSnapshot();
  REQUIRE(snapshot);
  Engine replica("closed");
  REQUIRE(loadThreadSnapshot(replica, snapshot->snapshot));
  CHECK(replica.threadView("/closed/faq", SortOrder::oldest)->posts.size() == 1);
  reader.send(post("g-1", "/closed/faq", "A guest tries to post."));
  auto refused = reader.receiveUntil<RejectedMessage>();
  REQUIRE(refused);
  CHECK(refused->opId == "g-1");
  CHECK(refused->code == ReasonCode::signInRequired);
  CHECK(refused->message.find("signed-in members") != std::string::npos);
}

TEST_CASE("a page from an origin the site does not allow is refused", "[server][auth]") {
  ServerProcess server;
  SyncClient evil(server.port(), "http://evil.example");
  CHECK_FALSE(evil.hello(TestSite::id, testToken("ann"), "c1"));
  REQUIRE(evil.lastError());
  CHECK(evil.lastError()->code == "origin_not_allowed");

  SyncClient good(server.port(), TestSite::allowedOrigin);
  CHECK(good.hello(TestSite::id, testToken("ann"), "c1"));
}

TEST_CASE("garbage, text, oversized and out-of-order frames get an Error and a closed connection", "[server][input]") {
  ServerProcess server;
  struct Case {
    std::string name;
    Bytes bytes;
    bool binary;
    bool helloFirst;
    std::string code;
  };
  std::vector<Case> cases = {
      {"garbage", Bytes(64, 0xAB), true, true, "malformed_frame"},
      {"not words", Bytes(13, 0x01), true, true, "malformed_frame"},
      {"text frame", Bytes{'h', 'i'}, false, true, "text_frame"},
      {"oversized", Bytes(70 * 1024, 0), true, true, "frame_too_large"},
      {"subscribe before hello", encodeClientMessage(Subscribe{"/p/1", 0}), true, false, "hello_first"},
      {"hello twice", encodeClientMessage(Hello{TestSite::id, "", "c2", kProtocolVersion, ""}), true, true,
       "hello_twice"},
      {"unknown site", encodeClientMessage(Hello{"nope", "", "c3", kProtocolVersion, ""}), true, false, "unknown_site"},
      {"old protocol", encodeClientMessage(Hello{TestSite::id, "", "c4", 0, ""}), true, false, "unsupported_protocol"},
  };
  for (const Case& test : cases) {
    SECTION(test.name) {
      SyncClient client(server.port());
      if (test.helloFirst) REQUIRE(client.hello(TestSite::id, testToken("ann"), "c1"));
      client.sendRaw(test.bytes, test.binary);
      auto error = client.receiveUntil<ErrorMessage>();
      REQUIRE(error);
      CHECK(error->code == test.code);
      CHECK(client.closedByServer());
    }
  }
  // The server is still there for everyone else.
  SyncClient after(server.port());
  CHECK(after.hello(TestSite::id, testToken("bob"), "c9"));
}

TEST_CASE("a flood of ops is rate limited without closing the connection", "[server][input]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("a-0", "/p/5"));
  REQUIRE(ackOf(*ann, "a-0"));
  for (int i = 1; i <= 60; ++i) ann->send(post("a-" + std::to_string(i), "/p/5"));
  int limited = 0;
  for (int i = 0; i < 200; ++i) {
    auto message = ann->receive(2s);
    if (!message) break;
    if (auto* rejected = std::get_if<RejectedMessage>(&*message);
        rejected && rejected->code == ReasonCode::rateLimited) {
      ++limited;
    }
  }
  CHECK(limited > 0);
  ann->send(Ping{7});
  auto pong = ann->receiveUntil<Pong>();
  REQUIRE(pong);
  CHECK(pong->nonce == 7);
}

TEST_CASE(
    "kill -9 during a stream of ops loses no acknowledged op and duplicates nothing - also while checkpoints and "
    "compaction are written",
    "[server][durability]") {
  // With a checkpoint after every op, each compacting the log up to it, the kill lands while one
  // is taken, encoded or written.
  const std::string snapshots = GENERATE(as<std::string>{}, "", " --checkpoint-every 1 --op-log-retention 0",
                                         " --checkpoint-every 7 --op-log-retention 3");
  CAPTURE(snapshots);
  // 800 frames in well under a second: lift the flood limit too, or the test measures that instead.
  ServerProcess server(
      "--ops-per-second 100000 --ops-burst 100000 --member-ops-per-second 100000 "
      "--member-ops-burst 100000 --frames-per-second 100000 --frames-burst 100000" +
      snapshots);
  auto ann = signedIn(server, "ann");
  ann->send(createThread("k-thread", "/p/kill"));
  REQUIRE(ackOf(*ann, "k-thread"));

  constexpr int kOps = 400;
  for (int i = 0; i < kOps; ++i) ann->send(post("k-" + std::to_string(i), "/p/kill", "post " + std::to_string(i)));
  std::set<std::string> acknowledged;
  while (acknowledged.size() < kOps / 4) {
    auto events = ann->receiveUntil<EventsMessage>();
    REQUIRE(events);
    for (const Event& event : events->events) acknowledged.insert(event.opId);
  }
  server.kill(SIGKILL);
  server.start();

  // Everything acknowledged is there; resubmitting everything adds only what was lost unacknowledged.
  auto again = signedIn(server, "ann");
  std::set<std::string> stored;
  int added = 0;
  for (int i = 0; i < kOps; ++i) {
    std::string id = "k-" + std::to_string(i);
    again->send(post(id, "/p/kill", "post " + std::to_string(i)));
    for (;;) {
      auto message = again->receive();
      REQUIRE(message);
      if (auto* rejected = std::get_if<RejectedMessage>(&*message)) {
        REQUIRE(rejected->code == ReasonCode::alreadyApplied);
        stored.insert(id);
        break;
      }
      if (auto* events = std::get_if<EventsMessage>(&*message); events && hasPostCreated(*events, id)) {
        ++added;
        break;
      }
    }
  }
  for (const std::string& id : acknowledged) {
    if (id != "k-thread") CHECK(stored.count(id) == 1);
  }
  CHECK(viewFromSnapshot(*again, "/p/kill").posts.size() == kOps);  // each op once: none lost, none twice
  CHECK(stored.size() + static_cast<std::size_t>(added) == kOps);
}

TEST_CASE("kill -9 right after subscribes during a write burst: no client held a post the store lacks",
          "[server][durability]") {
  // Commits held back as on a slow disk: ops wait for their commit while readers subscribe.
  ServerProcess server(
      "--commit-delay-ms 300 --ops-per-second 100000 --ops-burst 100000 "
      "--member-ops-per-second 100000 --member-ops-burst 100000");
  auto writer = signedIn(server, "wes");
  writer->send(createThread("c-thread", "/p/committed"));
  REQUIRE(ackOf(*writer, "c-thread"));
  std::set<std::string> held;
  SnapshotAssembler parts;  // a 200-post snapshot is one part, so the readers' parts never mix
  auto hold = [&](const ServerMessage& message) {
    if (auto* part = std::get_if<ThreadSnapshotPart>(&message)) {
      Result<std::optional<Bytes>> whole = parts.add(*part);
      REQUIRE(whole);
      if (!whole.value()) return;
      Engine replica("test");
      REQUIRE(loadThreadSnapshot(replica, *whole.value()));
      auto view = replica.threadView("/p/committed", SortOrder::oldest);
      REQUIRE(view);
      for (const PostView& post : view->posts) held.insert(post.id);
    } else if (auto* events = std::get_if<EventsMessage>(&message)) {
      for (const Event& event : events->events) {
        if (auto* created = std::get_if<PostCreated>(&event.body)) held.insert(created->post.id);
      }
    }
  };
  std::vector<std::unique_ptr<SyncClient>> readers;
  for (int r = 0; r < 3; ++r) readers.push_back(signedIn(server, "reader-" + std::to_string(r)));
  // The subscribes land while the burst waits for its commit; the kill follows the first snapshot.
  constexpr int kOps = 200;
  for (int i = 0; i < kOps; ++i)
    writer->send(post("c-" + std::to_string(i), "/p/committed", "burst " + std::to_string(i)));
  for (auto& reader : readers) reader->send(Subscribe{"/p/committed", 0});
  auto first = readers.front()->receive();
  server.kill(SIGKILL);
  REQUIRE(first);
  hold(*first);
  for (auto& reader : readers) {  // whatever reached the readers' sockets before the kill
    while (auto message = reader->receive(std::chrono::milliseconds(200))) hold(*message);
  }
  server.start();
  auto again = signedIn(server, "wes");
  std::set<std::string> inStore;
  for (const PostView& post : viewFromSnapshot(*again, "/p/committed").posts) inStore.insert(post.id);
  INFO(held.size() << " posts held by readers, " << inStore.size() << " in the store after the kill");
  CHECK(held.size() > 0);
  std::size_t phantoms = 0;
  for (const std::string& id : held) phantoms += inStore.count(id) == 0;
  CHECK(phantoms == 0);
}

TEST_CASE("the sites file's policy seeds a new site under an op id no client can take - a restart keeps the site's own",
          "[server][input]") {
  ServerProcess server;
  auto eve = signedIn(server, "eve");
  eve->send(createThread("t-eve", "/p/eve"));
  REQUIRE(ackOf(*eve, "t-eve"));
  // The server's own ops use the kring: prefix; a client's op may not.
  eve->send(post("kring:config-policy-4", "/p/eve", "mine now"));
  auto refused = eve->receiveUntil<RejectedMessage>();
  REQUIRE(refused);
  CHECK(refused->code == ReasonCode::invalidId);
  CHECK(httpRequest(server.port(), "/api/sites/test/audit", std::string("Bearer ") + TestSite::adminKey)
            .body.find(R"("id":"kring:config-policy-1")") != std::string::npos);
  server.kill(SIGTERM);
  // The sites file changes; the site has ops, so its policy is its own now (the console changes it).
  std::string sites = readFile(server.directory() + "/sites.json");
  const std::string from = "\"privilegeVoteUp\":0";
  REQUIRE(sites.find(from) != std::string::npos);
  sites.replace(sites.find(from), from.size(), "\"privilegeVoteUp\":7");
  std::ofstream(server.directory() + "/sites.json") << sites;
  server.start();
  auto ann = std::make_unique<SyncClient>(server.port());
  auto welcome = ann->hello(TestSite::id, testToken("ann"), "client-ann");
  REQUIRE(welcome);
  CHECK(welcome->policy.privilegeVoteUp == 0);
  std::string log = readFile(server.directory() + "/server.log");
  CHECK(log.find(R"("event":"site_policy_kept")") != std::string::npos);
}

TEST_CASE("SIGTERM tells clients, stores everything in flight and exits cleanly", "[server][durability]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("t-1", "/p/term"));
  REQUIRE(ackOf(*ann, "t-1"));
  server.kill(SIGTERM);
  CHECK(server.exitStatus() == 0);
  auto error = ann->receiveUntil<ErrorMessage>(2s);
  if (error) CHECK(error->code == "shutting_down");
  server.start();
  auto again = signedIn(server, "ann");
  again->send(Subscribe{"/p/term", 0});
  CHECK(again->receiveSnapshot());
}

TEST_CASE("a restart loads the stored checkpoint and replays the ops after it", "[server][durability]") {
  ServerProcess server("--checkpoint-every 4");
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "s", "/p/snap", 10);
  server.kill(SIGKILL);
  server.start();
  auto again = signedIn(server, "ann");
  again->send(Subscribe{"/p/snap", 0});
  auto snapshot = again->receiveSnapshot();
  REQUIRE(snapshot);
  Engine replica("test");
  REQUIRE(loadThreadSnapshot(replica, snapshot->snapshot));
  CHECK(replica.threadView("/p/snap", SortOrder::oldest)->posts.size() == 10);
  // Sequence 1 is the sites file's policy, adopted at the first start; the restart finds it
  // stored and adopts nothing again.
  CHECK(replica.lastSequence() == 12);
  // The new op continues the sequence: nothing replayed twice, nothing skipped.
  again->send(post("s-11", "/p/snap"));
  auto ack = ackOf(*again, "s-11");
  REQUIRE(ack);
  CHECK(ack->events.back().sequence == 13);
}

TEST_CASE("a restart after SIGTERM replays no op, one after kill -9 replays the ops since the last checkpoint",
          "[server][durability]") {
  ServerProcess server;  // a checkpoint every 5,000 ops: none of these ops is in one
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "r", "/p/replay", 5);
  server.kill(SIGKILL);
  server.start();
  // The sites file's policy (sequence 1), the thread and its five posts.
  std::string afterKill = lastSiteLoaded(server);
  INFO(afterKill);
  CHECK(afterKill.find(R"("replayedOps":"7")") != std::string::npos);
  server.kill(SIGTERM);
  std::string stopLog = readFile(server.directory() + "/server.log");
  INFO(stopLog);
  CHECK(stopLog.find(R"("event":"checkpoint_at_shutdown")") != std::string::npos);
  server.start();
  std::string loaded = lastSiteLoaded(server);
  INFO(loaded);
  CHECK(loaded.find(R"("replayedOps":"0")") != std::string::npos);
  CHECK(loaded.find(R"("checkpointSequence":"7")") != std::string::npos);
  auto again = signedIn(server, "ann");
  again->send(Subscribe{"/p/replay", 0});
  auto snapshot = again->receiveSnapshot();
  REQUIRE(snapshot);
  Engine replica("test");
  REQUIRE(loadThreadSnapshot(replica, snapshot->snapshot));
  CHECK(replica.threadView("/p/replay", SortOrder::oldest)->posts.size() == 5);
  again->send(post("r-6", "/p/replay"));
  auto ack = ackOf(*again, "r-6");
  REQUIRE(ack);
  CHECK(ack->events.back().sequence == 8);
  // A shutdown with nothing new since that snapshot writes none.
  server.kill(SIGTERM);
  server.start();
  CHECK(lastSiteLoaded(server).find(R"("replayedOps":"0")") != std::string::npos);
  server.kill(SIGTERM);
  std::string log = readFile(server.directory() + "/server.log");
  std::size_t snapshots = 0;
  for (std::size_t at = log.find("checkpoint_at_shutdown"); at != std::string::npos;
       at = log.find("checkpoint_at_shutdown", at + 1))
    ++snapshots;
  CHECK(snapshots == 2);
}

TEST_CASE("a store another process holds for a moment delays commits - the server neither fails nor loses the op",
          "[server][durability]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("l-0", "/p/locked"));
  REQUIRE(ackOf(*ann, "l-0"));
  // A backup tool or an operator's sqlite3 shell takes the write lock for half a second.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open((server.directory() + "/kring.db").c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  ann->send(post("l-1", "/p/locked", "written while the store is locked"));
  std::this_thread::sleep_for(500ms);
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  REQUIRE(ackOf(*ann, "l-1"));
  server.kill(SIGKILL);
  CHECK(server.exitStatus() == 128 + SIGKILL);  // it was still running: the lock did not abort it
  server.start();
  auto again = signedIn(server, "ann");
  CHECK(viewFromSnapshot(*again, "/p/locked").posts.size() == 1);
}

TEST_CASE("a reader too slow for its events is disconnected and the others are not", "[server][input]") {
  ServerProcess server(
      "--max-send-queue-bytes 65536 --ops-per-second 100000 --ops-burst 100000 "
      "--member-ops-per-second 100000 --member-ops-burst 100000 --frames-per-second 100000 "
      "--frames-burst 100000");
  auto ann = signedIn(server, "ann");
  auto slow = signedIn(server, "slow");
  auto bob = signedIn(server, "bob");
  ann->send(createThread("w-0", "/p/slow"));
  REQUIRE(ackOf(*ann, "w-0"));
  slow->send(Subscribe{"/p/slow", 0});
  bob->send(Subscribe{"/p/slow", 0});
  REQUIRE(bob->receiveSnapshot());
  // `slow` never reads again: its socket buffers fill, then the server's queue for it. Ann and
  // Bob keep up, one event at a time.
  std::string body(19000, 'x');
  constexpr int kPosts = 800;
  for (int i = 1; i <= kPosts; ++i) {
    std::string id = "w-" + std::to_string(i);
    ann->send(post(id, "/p/slow", body));
    REQUIRE(ackOf(*ann, id));
    REQUIRE(ackOf(*bob, id));
  }
  CHECK(slow->closedByServer(10s));
}

TEST_CASE("an address past its connection limit is turned away", "[server][input]") {
  ServerProcess server("--max-connections-per-ip 3");
  std::vector<std::unique_ptr<SyncClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(signedIn(server, "m" + std::to_string(i)));
  CHECK_THROWS(SyncClient(server.port()));
  held.pop_back();
  // The slot frees when the server sees the close: retry until it has (bounded), no fixed wait.
  bool admitted = false;
  for (int attempt = 0; attempt < 250 && !admitted; ++attempt) {
    try {
      SyncClient client(server.port());
      admitted = client.hello(TestSite::id, testToken("m9"), "client-m9").has_value();
    } catch (const std::exception&) {
      std::this_thread::sleep_for(20ms);
    }
  }
  CHECK(admitted);
}

TEST_CASE("an exception while handling one connection's message closes that connection only", "[server][input]") {
  ServerProcess server("--fault-ping-nonce 77");
  auto ann = signedIn(server, "ann");
  auto bob = signedIn(server, "bob");
  for (auto* client : {ann.get(), bob.get()}) client->send(Subscribe{"/p/1", 0});
  for (auto* client : {ann.get(), bob.get()}) REQUIRE(client->receiveUntil<EventsMessage>());
  bob->send(Ping{77});
  auto error = bob->receiveUntil<ErrorMessage>();
  REQUIRE(error);
  CHECK(error->code == "internal_error");
  CHECK(bob->closedByServer());
  ann->send(createThread("ann-1", "/p/1"));
  ann->send(post("ann-2", "/p/1", "Still here"));
  CHECK(ackOf(*ann, "ann-2"));
  auto carol = signedIn(server, "carol");
  carol->send(Ping{5});
  auto pong = carol->receiveUntil<Pong>();
  REQUIRE(pong);
  CHECK(pong->nonce == 5);
}

TEST_CASE("past the global connection cap every address is turned away", "[server][input]") {
  ServerProcess server("--max-connections 3");
  std::vector<std::unique_ptr<SyncClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(signedIn(server, "m" + std::to_string(i)));
  CHECK_THROWS(SyncClient(server.port()));
}

TEST_CASE("behind a trusted proxy each forwarded client has its own connection limit - elsewhere the header is ignored",
          "[server][input]") {
  SECTION("a trusted proxy") {
    ServerProcess server("--trusted-proxy 127.0.0.1 --max-connections-per-ip 2");
    std::vector<std::unique_ptr<SyncClient>> held;
    for (int i = 0; i < 2; ++i) held.push_back(std::make_unique<SyncClient>(server.port(), "", "203.0.113.5"));
    CHECK_THROWS(SyncClient(server.port(), "", "203.0.113.5"));
    CHECK_THROWS(
        SyncClient(server.port(), "", "198.51.100.1, 203.0.113.5"));  // what the client put first is its to forge
    SyncClient other(server.port(), "", "203.0.113.6");
    CHECK(other.hello(TestSite::id, testToken("ann"), "c-ann").has_value());
    SyncClient viaTwoProxies(server.port(), "", "203.0.113.7, 127.0.0.1");
    CHECK(viaTwoProxies.hello(TestSite::id, testToken("bob"), "c-bob").has_value());
  }
  SECTION("a forwarded entry that is empty or too long to be an address counts against the proxy itself") {
    ServerProcess server("--trusted-proxy 127.0.0.1 --max-connections-per-ip 2");
    SyncClient overlong(server.port(), "", std::string(65, '7'));
    SyncClient empty(server.port(), "", "203.0.113.5, ");
    CHECK_THROWS(SyncClient(server.port(), "", " , "));      // the proxy's two slots are taken
    SyncClient forwarded(server.port(), "", "203.0.113.5");  // a well-formed client still has its own
    CHECK(forwarded.hello(TestSite::id, testToken("ann"), "c-ann").has_value());
  }
  SECTION("no trusted proxy") {
    ServerProcess server("--max-connections-per-ip 2");
    SyncClient first(server.port(), "", "203.0.113.5");
    SyncClient second(server.port(), "", "203.0.113.6");
    CHECK_THROWS(SyncClient(server.port(), "", "203.0.113.7"));
  }
}

TEST_CASE("the console API answers the admin key and moderators' or admins' tokens - moderators do not export",
          "[server][http][console]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("u-1", "/p/waiting"));
  REQUIRE(ackOf(*ann, "u-1"));
  ann->send(post("u-2", "/p/waiting", "Does anyone know the opening hours?"));
  REQUIRE(ackOf(*ann, "u-2"));
  auto bearer = [](const std::string& credential) { return "Bearer " + credential; };
  const std::string moderator = bearer(testToken("mia", "moderator"));
  const std::string adminToken = bearer(testToken("ada", "admin"));
  const std::string adminKey = bearer(TestSite::adminKey);

  for (const char* resource : {"/api/sites/test/moderation", "/api/sites/test/audit", "/api/sites/test/unanswered"}) {
    INFO(resource);
    CHECK(httpRequest(server.port(), resource).status == 401);
    CHECK(httpRequest(server.port(), resource, bearer(testToken("ann"))).status == 403);  // a member
    CHECK(httpRequest(server.port(), resource,
                      bearer(testToken("mia", "moderator", 600, "test", "another-secret-0123456789-abcdefghij")))
              .status == 401);
    CHECK(httpRequest(server.port(), resource, bearer(testToken("mia", "moderator", -60))).status == 401);  // expired
    CHECK(httpRequest(server.port(), resource, moderator).status == 200);
    CHECK(httpRequest(server.port(), resource, adminToken).status == 200);
    CHECK(httpRequest(server.port(), resource, adminKey).status == 200);
  }
  HttpResult waiting = httpRequest(server.port(), "/api/sites/test/unanswered", moderator);
  INFO(waiting.body);
  CHECK(waiting.body.find("\"count\":1") != std::string::npos);
  CHECK(waiting.body.find("\"postId\":\"u-2\"") != std::string::npos);
  CHECK(waiting.body.find("\"threadKey\":\"/p/waiting\"") != std::string::npos);
  // The whole site's data is the admins'.
  CHECK(httpRequest(server.port(), "/api/sites/test/export", moderator).status == 403);
  CHECK(httpRequest(server.port(), "/api/sites/test/export", adminToken).status == 200);
  CHECK(httpRequest(server.port(), "/api/sites/test/snapshot", moderator).status == 403);
}

TEST_CASE("the admin API needs the site's key and exports every post as JSON", "[server][http]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("x-1", "/p/export"));
  REQUIRE(ackOf(*ann, "x-1"));
  ann->send(post("x-2", "/p/export", "Exported \"quoted\" <b>text</b>"));
  REQUIRE(ackOf(*ann, "x-2"));

  HttpResult health = httpRequest(server.port(), "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);

  CHECK(httpRequest(server.port(), "/api/sites/test/export").status == 401);
  CHECK(httpRequest(server.port(), "/api/sites/test/export", "Bearer wrong-key-0123456789-abcdef").status == 401);
  CHECK(httpRequest(server.port(), "/api/sites/nope/export", "Bearer x").status == 404);
  HttpResult exported =
      httpRequest(server.port(), "/api/sites/test/export", std::string("Bearer ") + TestSite::adminKey);
  CHECK(exported.status == 200);
  CHECK(exported.body.find("\"id\":\"x-2\"") != std::string::npos);
  CHECK(exported.body.find(R"(Exported \"quoted\" <b>text</b>)") != std::string::npos);
  CHECK(exported.body.find("\"authorId\":\"ann\"") != std::string::npos);

  CHECK(httpRequest(server.port(), "/../../etc/passwd").status == 404);
  CHECK(httpRequest(server.port(), "/kring/../sites.json").status == 404);
  CHECK(httpRequest(server.port(), "/healthz", {}, boost::beast::http::verb::post).status == 405);
}

TEST_CASE("per-member op budgets of members gone quiet are forgotten: 500 members leave fewer than 130",
          "[server][input]") {
  ServerProcess server("--member-ops-per-second 1000 --member-ops-burst 2 --max-connections-per-ip 1000");
  for (int i = 0; i < 500; ++i) {
    auto client = signedIn(server, "passer-" + std::to_string(i));
    client->send(Submit{makeOp("p-" + std::to_string(i), RecordReading{{"/none"}, 0, 0})});
    REQUIRE(client->receiveUntil<RejectedMessage>());  // unknown_thread: the budget was spent first
  }
  HttpResult health = httpRequest(server.port(), "/healthz");
  auto at = health.body.find("\"memberBudgets\":");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoul(health.body.substr(at + 16)) < 130);
}

TEST_CASE("subscribes to keys no thread has leave nothing behind once their connections close - bad keys are refused",
          "[server][input]") {
  ServerProcess server;
  const std::string key = std::string("Bearer ") + TestSite::adminKey;
  auto tracked = [&] {
    HttpResult stats = httpRequest(server.port(), "/api/sites/test/stats", key);
    REQUIRE(stats.status == 200);
    auto at = stats.body.find("\"trackedThreads\":");
    REQUIRE(at != std::string::npos);
    return std::stoul(stats.body.substr(at + 17));
  };
  // 60 connections in turn, each following 50 keys no thread has, then gone: 3,000 keys.
  for (int c = 0; c < 60; ++c) {
    auto client = signedIn(server, "churn");
    for (int k = 0; k < 50; ++k) {
      client->send(Subscribe{"/nothing/" + std::to_string(c) + "-" + std::to_string(k), 0});
      REQUIRE(client->receiveUntil<EventsMessage>());
    }
  }
  auto last = signedIn(server, "last");
  last->send(Subscribe{"/nothing/last", 0});
  REQUIRE(last->receiveUntil<EventsMessage>());
  CHECK(tracked() < 200);

  last->send(Subscribe{std::string(201, 'k'), 0});
  auto refused = last->receiveUntil<ErrorMessage>();
  REQUIRE(refused);
  CHECK(refused->code == "bad_thread_key");
}

TEST_CASE("the community rules reach clients over the wire, and the admin API reads the queue, audit and metrics",
          "[server][rules]") {
  ServerProcess server;
  auto root = signedIn(server, "root", "admin");
  auto ann = signedIn(server, "ann");
  auto mo = signedIn(server, "mo", "moderator");
  root->send(createThread("r-1", "/p/rules"));
  REQUIRE(ackOf(*root, "r-1"));
  root->send(post("r-2", "/p/rules", "Welcome to the product page"));
  REQUIRE(ackOf(*root, "r-2"));
  ann->send(Subscribe{"/p/rules", 0});
  REQUIRE(ann->receiveSnapshot());
  // An admin tightens the rules over /sync: new members' links are held, votes need 15 reputation.
  // A policy concerns the whole site: every open widget hears of it.
  Policy policy;
  policy.ratePostsTrust0 = 1'000'000;
  root->send(Submit{makeOp("r-3", UpdatePolicy{policy})});
  REQUIRE(ackOf(*root, "r-3"));
  // An audited op reaches members without its op id or its actor: the policy change is what counts.
  auto announced = ann->receiveUntil<EventsMessage>();
  REQUIRE(announced);
  bool policyChanged = false;
  for (const Event& event : announced->events) {
    CHECK(event.opId.empty());
    // A member holds the gates and limits, not the screening settings a spammer would tune to.
    if (auto* changed = std::get_if<PolicyChanged>(&event.body)) {
      policyChanged = changed->policy == projectPolicy(policy, Viewer{"ann", ViewerClass::everyone}) &&
                      changed->policy.screeningWithheld && changed->policy.ratePostsTrust0 == 1'000'000;
    }
  }
  CHECK(policyChanged);
  ann->send(post("r-4", "/p/rules", "Deals: https://a.example/1 https://b.example/2 https://c.example/3 for you"));
  auto held = ackOf(*ann, "r-4");
  REQUIRE(held);
  bool heldForLinks = false;
  for (const Event& event : held->events) {
    if (auto* created = std::get_if<PostCreated>(&event.body)) {
      heldForLinks =
          created->post.state == PostState::pendingReview && created->post.heldReason == ReasonCode::tooManyLinks;
    }
  }
  CHECK(heldForLinks);
  ann->send(Submit{makeOp("r-5", CastVote{"r-2", VoteDirection::up})});
  auto refused = ann->receiveUntil<RejectedMessage>();
  REQUIRE(refused);
  CHECK(refused->code == ReasonCode::insufficientReputation);
  CHECK(refused->message == "You need 15 reputation to vote up; you have 1.");

  const std::string key = std::string("Bearer ") + TestSite::adminKey;
  HttpResult queue = httpRequest(server.port(), "/api/sites/test/moderation", key);
  CHECK(queue.status == 200);
  CHECK(queue.body.find(R"("postId":"r-4")") != std::string::npos);
  CHECK(queue.body.find(R"("heldReason":"too_many_links")") != std::string::npos);
  CHECK(queue.body.find(R"("stage":"new_member_limits")") != std::string::npos);
  CHECK(queue.body.find(R"("category":"held")") != std::string::npos);

  Moderate approve;
  approve.action = ModerationAction::approve;
  approve.postId = "r-4";
  approve.reason = "links are fine";
  mo->send(Submit{makeOp("r-6", approve)});
  REQUIRE(ackOf(*mo, "r-6"));
  mo->send(Submit{makeOp("r-7", UndoModeration{"r-6", "second look"})});
  REQUIRE(ackOf(*mo, "r-7"));

  HttpResult audit = httpRequest(server.port(), "/api/sites/test/audit", key);
  CHECK(audit.status == 200);
  CHECK(audit.body.find(R"("action":"approve")") != std::string::npos);
  CHECK(audit.body.find(R"("actorId":"mo")") != std::string::npos);
  CHECK(audit.body.find(R"("undone":true)") != std::string::npos);
  CHECK(audit.body.find(R"("action":"update_policy")") != std::string::npos);

  HttpResult metrics = httpRequest(server.port(), "/api/sites/test/metrics?from=0&to=99999999999999", key);
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find(R"("questionsAsked":2)") != std::string::npos);
  CHECK(metrics.body.find(R"("approve":1)") != std::string::npos);
  CHECK(httpRequest(server.port(), "/api/sites/test/metrics?from=5&to=1", key).status == 400);
  CHECK(httpRequest(server.port(), "/api/sites/test/metrics?from=0&to=9&kind=poll", key).status == 400);
  CHECK(httpRequest(server.port(), "/api/sites/test/metrics", key).status == 400);
  HttpResult current = httpRequest(server.port(), "/api/sites/test/policy", key);
  CHECK(current.body.find(R"("privilegeVoteUp":15)") != std::string::npos);
}
