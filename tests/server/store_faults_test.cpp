// SQLite store faults (docs/operations.md, "Faults"): a resubmission while the op waits for its
// commit, and a store that refuses writes (a full disk, made here with a file-size limit on the
// server process). Nothing is acknowledged before it is stored; nothing crashes.
#include <catch2/catch.hpp>

#include <signal.h>

#include <sys/resource.h>

#include <filesystem>
#include <thread>

#include "kring/view.h"
#include "server_test_ops.h"
#include "store_fault_support.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;

namespace {

// Commits that take 2 s (a slow disk): ann sends post `id` on one connection, and 300 ms later the
// same op on another (a second tab, or the page reloaded), while the first is still being committed.
struct ResubmittedDuringCommit {
  ServerProcess server{"--commit-delay-ms 2000"};
  std::unique_ptr<SyncClient> ann, again;

  explicit ResubmittedDuringCommit(const std::string& id) {
    ann = signedIn(server, "ann");
    ann->send(createThread("ann-0", "/p/1"));
    REQUIRE(ackOf(*ann, "ann-0"));
    // Connected first: a welcome waits for every op applied before it to be stored.
    again = signedIn(server, "ann");
    ann->send(post(id, "/p/1", "sent twice"));
    std::this_thread::sleep_for(300ms);
    again->send(post(id, "/p/1", "sent twice"));
  }
};

}  // namespace

TEST_CASE("a resubmission of an op waiting for its commit gets that commit's answer, never already_applied before it",
          "[server][faults]") {
  ResubmittedDuringCommit sent("ann-1");
  Answer early = answerOf(*sent.again, "ann-1", 1000ms);
  CHECK(early.kind == Answer::none);  // the commit is still 0.7 s away
  Answer resubmitted = answerOf(*sent.again, "ann-1", 5000ms);
  CHECK(resubmitted.kind == Answer::acknowledged);
  Answer original = answerOf(*sent.ann, "ann-1", 5000ms);
  CHECK(original.kind == Answer::acknowledged);
  // Stored once.
  auto reader = signedIn(sent.server, "reader");
  ThreadView view = viewFromSnapshot(*reader, "/p/1");
  REQUIRE(view.posts.size() == 1);
  CHECK(view.posts[0].id == "ann-1");
}

TEST_CASE("kill -9 while a resubmitted op waits for its commit: nobody was told it is stored, and it is not",
          "[server][faults]") {
  ResubmittedDuringCommit sent("ann-1");
  Answer beforeCrash = answerOf(*sent.again, "ann-1", 700ms);
  sent.server.kill(SIGKILL);
  CHECK(beforeCrash.kind == Answer::none);
  CHECK(answerOf(*sent.ann, "ann-1", 100ms).kind == Answer::none);

  sent.server.start();
  auto reader = signedIn(sent.server, "reader");
  ThreadView view = viewFromSnapshot(*reader, "/p/1");
  CHECK(view.posts.empty());
  // The client resubmits once more and now it is stored.
  auto third = signedIn(sent.server, "ann");
  third->send(post("ann-1", "/p/1", "sent twice"));
  CHECK(answerOf(*third, "ann-1", 5000ms).kind == Answer::acknowledged);
}

TEST_CASE(
    "a full disk: writes refused with store_unavailable, connections kept, nothing acknowledged unstored, "
    "and writes resume when space returns",
    "[server][faults]") {
  ServerProcess server(std::string("--checkpoint-every 0") + kUnlimitedRates);
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "quiet", "/p/2", 2);
  writeThread(*ann, "ann", "/p/1", 40);
  const std::string wal = server.directory() + "/kring.db-wal";
  const auto walBytes = std::filesystem::file_size(wal);
  const auto logBytes = std::filesystem::file_size(server.directory() + "/server.log");
  // The next commit appends to the WAL past the limit; the log (an appended file too) stays under it.
  REQUIRE(walBytes > logBytes + 64 * 1024);
  REQUIRE(walBytes < 3u << 20);  // before SQLite's automatic checkpoint starts the WAL again
  // A reader already connected: its connection stays live through the fault. (With SQLite the
  // engine has applied the ops the store then refused: what shows them, a new connection's welcome
  // or a snapshot, waits until they are stored.)
  auto reader = signedIn(server, "reader");
  REQUIRE(fileSizeLimit(server.pid(), walBytes));
  CHECK(parsedObject(httpRequest(server.port(), "/healthz"))["store"].as_object()["writable"] == true);

  // Applied before the store failed: held, not acknowledged.
  ann->send(post("held-1", "/p/1", "written when the disk filled"));
  CHECK(answerOf(*ann, "held-1", 1500ms).kind == Answer::none);
  // From now on refused at once, with a reason the widget retries on.
  ann->send(post("refused-1", "/p/1", "refused"));
  Answer refused = answerOf(*ann, "refused-1", 3000ms);
  REQUIRE(refused.kind == Answer::rejected);
  CHECK(refused.code == ReasonCode::storeUnavailable);
  boost::json::object health = parsedObject(httpRequest(server.port(), "/healthz"));
  CHECK(health["store"].as_object()["writable"] == false);
  CHECK(health["store"].as_object()["error"].as_string().size() > 0);
  CHECK(serverLog(server).find(R"("event":"store_unavailable")") != std::string::npos);
  // The reader's connection is live; the snapshot it asks for waits for the held op to be stored.
  reader->send(Ping{7});
  auto pong = reader->receiveUntil<Pong>(2000ms);
  REQUIRE(pong);
  CHECK(pong->nonce == 7);
  reader->send(Subscribe{"/p/2", 0});
  CHECK_FALSE(reader->receiveSnapshot(500ms));

  // Space again: the held op is stored and acknowledged, new writes are taken.
  REQUIRE(fileSizeLimit(server.pid(), RLIM_INFINITY));
  CHECK(answerOf(*ann, "held-1", 5000ms).kind == Answer::acknowledged);
  auto snapshot = reader->receiveSnapshot(5000ms);
  REQUIRE(snapshot);
  CHECK(snapshot->threadKey == "/p/2");
  ann->send(post("after-1", "/p/1", "after"));
  CHECK(answerOf(*ann, "after-1", 5000ms).kind == Answer::acknowledged);
  CHECK(parsedObject(httpRequest(server.port(), "/healthz"))["store"].as_object()["writable"] == true);
  CHECK(serverLog(server).find(R"("event":"store_available")") != std::string::npos);

  // Whatever was acknowledged survives a crash; what was refused is not there.
  server.kill(SIGKILL);
  server.start();
  auto after = signedIn(server, "reader");
  ThreadView view = viewFromSnapshot(*after, "/p/1");
  std::vector<std::string> ids;
  for (const PostView& entry : view.posts) ids.push_back(entry.id);
  CHECK(ids.size() == 42);
  CHECK(std::count(ids.begin(), ids.end(), "held-1") == 1);
  CHECK(std::count(ids.begin(), ids.end(), "after-1") == 1);
  CHECK(std::count(ids.begin(), ids.end(), "refused-1") == 0);
}
