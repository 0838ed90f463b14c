// Checkpoints over the real binary: a store of the format before checkpoints opens and moves to
// them; ops behind the checkpoint are compacted to their ids, which still refuse a retry.
#include <signal.h>
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "kring/codec.h"
#include "kring/policy_json.h"
#include "kring/snapshot.h"
#include "kring/visibility.h"
#include "op_factory.h"
#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;

namespace {

// Runs one statement and returns its first column of its first row as text.
std::string queryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

void execute(sqlite3* db, const std::string& sql) {
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
}

// A thread as a member sees it, through the same snapshot and replica path the server uses.
std::string memberView(const Engine& engine, const std::string& key, const Actor& member) {
  Result<Bytes> snapshot = encodeThreadSnapshot(engine, key, viewerOf(engine, member, 0));
  REQUIRE(snapshot);
  Engine replica("test");
  REQUIRE(loadThreadSnapshot(replica, snapshot.value()));
  return toJson(*replica.threadView(key, SortOrder::oldest));
}

}  // namespace

TEST_CASE("a store of the format before checkpoints opens with identical thread views and moves to checkpoints",
          "[server][durability][checkpoint]") {
  // Written here as the previous kring-server wrote it: the op log, and one whole-site snapshot
  // taken partway, with ops after it.
  const std::string directory = (std::filesystem::temp_directory_path() / "kring-format-before-checkpoints").string();
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  Result<Policy> policy = parsePolicyJson(TestSite::mechanicsPolicy);
  REQUIRE(policy);
  OpFactory ops;
  const Actor admin = OpFactory::member("kring:site-config", Role::admin);
  const Actor ann = OpFactory::member("ann");
  const Actor bob = OpFactory::member("bob");
  std::vector<Op> log{ops.make(admin, UpdatePolicy{policy.value()}), ops.thread(ann, "/p/old", ThreadKind::question)};
  for (int i = 0; i < 6; ++i) log.push_back(ops.post(i % 2 == 0 ? ann : bob, "/p/old", "answer " + std::to_string(i)));
  log.push_back(ops.vote(bob, log[2].id, VoteDirection::up));
  log.push_back(ops.thread(bob, "/p/other"));
  for (int i = 0; i < 3; ++i) log.push_back(ops.post(ann, "/p/other", "reply " + std::to_string(i)));
  log.push_back(ops.vote(ann, log[3].id, VoteDirection::up));

  Engine engine("test");
  Bytes wholeSnapshot;
  const std::size_t snapshotAfter = 9;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((directory + "/kring.db").c_str(), &db) == SQLITE_OK);
  execute(db, "PRAGMA journal_mode=WAL");
  execute(db,
          "CREATE TABLE ops(site TEXT NOT NULL, seq INTEGER NOT NULL, op_id TEXT NOT NULL, op BLOB NOT NULL, "
          "PRIMARY KEY(site, seq), UNIQUE(site, op_id))");
  execute(db, "CREATE TABLE snapshots(site TEXT PRIMARY KEY, seq INTEGER NOT NULL, snapshot BLOB NOT NULL)");
  sqlite3_stmt* insert = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO ops VALUES ('test', ?1, ?2, ?3)", -1, &insert, nullptr) == SQLITE_OK);
  for (const Op& op : log) {
    REQUIRE(engine.apply(op).stored());
    Bytes bytes = encodeOp(op);
    sqlite3_reset(insert);
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(op.sequence));
    sqlite3_bind_text(insert, 2, op.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(insert, 3, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
    if (op.sequence == snapshotAfter) wholeSnapshot = encodeSiteSnapshot(engine);
  }
  sqlite3_finalize(insert);
  sqlite3_stmt* snapshot = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO snapshots VALUES ('test', ?1, ?2)", -1, &snapshot, nullptr) == SQLITE_OK);
  sqlite3_bind_int64(snapshot, 1, snapshotAfter);
  sqlite3_bind_blob(snapshot, 2, wholeSnapshot.data(), static_cast<int>(wholeSnapshot.size()), SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(snapshot) == SQLITE_DONE);
  sqlite3_finalize(snapshot);
  sqlite3_close(db);

  {
    ServerProcess server(KeptStore{directory}, "", testSitesJson());
    std::string started = lastSiteLoaded(server);
    INFO(started);
    CHECK(started.find(R"("replayedOps":")" + std::to_string(log.size() - snapshotAfter) + "\"") != std::string::npos);
    CHECK(serverLog(server).find(R"("event":"site_migrated_to_checkpoints")") != std::string::npos);
    for (const Actor& member : {ann, bob}) {
      auto client = signedIn(server, member.memberId);
      for (const std::string key : {"/p/old", "/p/other"}) {
        CHECK(toJson(viewFromSnapshot(*client, key)) == memberView(engine, key, member));
      }
    }
    // An op id of the old log is still known.
    auto client = signedIn(server, "ann");
    client->send(post(log[4].id, "/p/old", "again"));
    auto rejected = client->receiveUntil<RejectedMessage>();
    REQUIRE(rejected);
    CHECK(rejected->code == ReasonCode::alreadyApplied);

    // The whole-site snapshot is gone; the next start loads the checkpoint and replays nothing.
    server.kill(SIGTERM);
    const std::string path = directory + "/kring.db";
    CHECK(queryText(path, "SELECT count(*) FROM snapshots") == "0");
    CHECK(queryText(path, "SELECT seq FROM checkpoints WHERE site = 'test'") == std::to_string(log.size()));
    server.start();
    std::string restarted = lastSiteLoaded(server);
    INFO(restarted);
    CHECK(restarted.find(R"("replayedOps":"0")") != std::string::npos);
    CHECK(restarted.find(R"("checkpointSequence":")" + std::to_string(log.size()) + "\"") != std::string::npos);
    auto again = signedIn(server, "bob");
    CHECK(toJson(viewFromSnapshot(*again, "/p/old")) == memberView(engine, "/p/old", bob));
  }
  std::filesystem::remove_all(directory);
}

TEST_CASE(
    "ops behind the checkpoint are compacted to their ids - a retry is still refused and a restart restores everything",
    "[server][durability][checkpoint]") {
  ServerProcess server("--checkpoint-every 5 --op-log-retention 3");
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "c", "/p/compact", 20);
  server.kill(SIGTERM);  // checkpoints all 22 ops (the sites file's policy, the thread, 20 posts)
  const std::string path = server.directory() + "/kring.db";
  // Everything but the last 3 ops is in the checkpoint alone, with the ids of all the others kept.
  CHECK(queryText(path, "SELECT count(*) FROM ops WHERE site = 'test'") == "3");
  CHECK(queryText(path, "SELECT min(seq) FROM ops WHERE site = 'test'") == "20");
  CHECK(queryText(path, "SELECT count(*) FROM compacted_op_ids WHERE site = 'test'") == "19");

  server.start();
  auto again = signedIn(server, "ann");
  again->send(post("c-2", "/p/compact", "a retry of a compacted op"));
  auto rejected = again->receiveUntil<RejectedMessage>();
  REQUIRE(rejected);
  CHECK(rejected->code == ReasonCode::alreadyApplied);
  ThreadView view = viewFromSnapshot(*again, "/p/compact");
  REQUIRE(view.posts.size() == 20);
  CHECK(view.posts.front().body == "post 1");
  CHECK(view.posts.back().body == "post 20");
  again->send(post("c-21", "/p/compact"));
  auto ack = ackOf(*again, "c-21");
  REQUIRE(ack);
  CHECK(ack->events.back().sequence == 23);
}

TEST_CASE("a client that saw less than a restarted server loaded gets a snapshot - not an empty catch-up",
          "[server][checkpoint]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "ann", "/p/resume", 2);
  auto bob = signedIn(server, "bob");
  Sequence seen = viewFromSnapshot(*bob, "/p/resume").lastSequence;
  REQUIRE(seen > 0);
  bob.reset();
  ann->send(post("ann-later", "/p/resume", "Written while Bob was away"));
  REQUIRE(ackOf(*ann, "ann-later"));
  ann.reset();
  // A clean stop checkpoints everything: the restarted server remembers no events of the thread.
  server.kill(SIGTERM);
  server.start();
  auto back = signedIn(server, "bob");
  ThreadView view = viewFromSnapshot(*back, "/p/resume", seen);
  REQUIRE(view.posts.size() == 3);
  CHECK(view.posts.back().body == "Written while Bob was away");
}
