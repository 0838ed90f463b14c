// Several kring-servers over one PostgreSQL (docs/operations.md, "Several servers on PostgreSQL"):
// fan-out across servers, one order for concurrent writers, a server killed and restarted, and a
// store of the previous format migrated (docs/operations.md, "Upgrades").
// The database server is the test run's own (scripts/test-postgres.sh, a CTest fixture); each test
// gets a database of its own.
#include <pqxx/pqxx>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "kring/view.h"
#include "postgres_support.h"
#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;

TEST_CASE("a post through one server reaches a widget connected to another live", "[postgres]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database)), b(flags(database));
  auto ann = signedIn(a, "ann");
  auto bob = signedIn(b, "bob");
  bob->send(Subscribe{"/p/1", 0});
  REQUIRE(bob->receiveUntil<EventsMessage>());

  ann->send(createThread("ann-1", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-1"));
  ann->send(post("ann-2", "/p/1", "Hello from A"));
  auto seen = ackOf(*bob, "ann-2");
  REQUIRE(seen);
  CHECK(seen->threadKey == "/p/1");

  // And back: bob's reply through B reaches ann on A.
  ann->send(Subscribe{"/p/1", 0});
  REQUIRE(ann->receiveSnapshot());
  bob->send(post("bob-1", "/p/1", "Hello from B"));
  REQUIRE(ackOf(*bob, "bob-1"));
  REQUIRE(ackOf(*ann, "bob-1"));
}

TEST_CASE("an op id retried through another server is already applied", "[postgres]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database)), b(flags(database));
  auto ann = signedIn(a, "ann");
  ann->send(createThread("ann-1", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-1"));
  auto again = signedIn(b, "ann");
  again->send(createThread("ann-1", "/p/1"));
  auto rejected = again->receiveUntil<RejectedMessage>();
  REQUIRE(rejected);
  CHECK(rejected->opId == "ann-1");
  CHECK(rejected->code == ReasonCode::alreadyApplied);
}

TEST_CASE("concurrent posts through three servers get one order on every server", "[postgres]") {
  std::string database = freshDatabase();
  // Every writer's posts go out at once, past the per-connection burst.
  std::string burst = flags(database) + " --ops-burst 100 --member-ops-burst 100";
  ServerProcess a(burst), b(burst), c(burst);
  std::vector<ServerProcess*> servers{&a, &b, &c};
  {
    auto ann = signedIn(a, "ann");
    ann->send(createThread("ann-0", "/p/1"));
    REQUIRE(ackOf(*ann, "ann-0"));
  }
  constexpr int kPosts = 40;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      std::string member = "writer" + std::to_string(w);
      SyncClient client(servers[w]->port());
      if (!client.hello(TestSite::id, testToken(member), "client-" + member)) return;
      // All in flight at once: the servers sequence them in the same moments.
      for (int i = 0; i < kPosts; ++i) {
        client.send(post(member + "-" + std::to_string(i), "/p/1", "post " + std::to_string(i) + " by " + member));
      }
      for (int i = 0; i < kPosts; ++i) {
        if (ackOf(client, member + "-" + std::to_string(i))) ++acknowledged;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  REQUIRE(acknowledged == 3 * kPosts);

  std::vector<std::string> snapshots = settledSnapshots(servers);
  CHECK(snapshots[0] == snapshots[1]);
  CHECK(snapshots[0] == snapshots[2]);
  // Each server's widget shows the same thread in the same order.
  std::vector<std::vector<std::string>> orders;
  for (ServerProcess* server : servers) {
    auto reader = signedIn(*server, "reader");
    ThreadView view = viewFromSnapshot(*reader, "/p/1");
    std::vector<std::string> order;
    for (const PostView& entry : view.posts) order.push_back(entry.id);
    orders.push_back(order);
  }
  CHECK(orders[0].size() == 3 * kPosts);
  CHECK(orders[0] == orders[1]);
  CHECK(orders[0] == orders[2]);
}

TEST_CASE("a server killed with kill -9 and restarted catches up with what the others stored", "[postgres]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database)), b(flags(database));
  auto ann = signedIn(a, "ann");
  writeThread(*ann, "ann", "/p/1", 10);
  b.kill(SIGKILL);
  for (int i = 11; i <= 20; ++i) {
    ann->send(post("ann-" + std::to_string(i), "/p/1", "post " + std::to_string(i)));
    REQUIRE(ackOf(*ann, "ann-" + std::to_string(i)));
  }
  b.start();
  auto bob = signedIn(b, "bob");
  ThreadView view = viewFromSnapshot(*bob, "/p/1");
  CHECK(view.posts.size() == 20);
  // And it is live again: a post through A reaches B's widget.
  ann->send(post("ann-21", "/p/1", "after the restart"));
  REQUIRE(ackOf(*bob, "ann-21"));
  std::vector<std::string> snapshots = settledSnapshots({&a, &b});
  CHECK(snapshots[0] == snapshots[1]);
}

TEST_CASE("a restart on PostgreSQL loads the checkpoint and replays only the ops after it", "[postgres]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database) + " --checkpoint-every 10 --op-log-retention 5");
  auto ann = signedIn(a, "ann");
  writeThread(*ann, "ann", "/p/1", 24);
  ann.reset();
  std::string before = siteSnapshot(a);
  // The checkpoint thread writes apart from the ops' sequencing: a kill before it is done would
  // leave the one at 10 (another test's subject).
  REQUIRE(logShows(a, R"("event":"checkpoint_written","site":"test","sequence":"20")"));
  a.kill(SIGKILL);
  a.start();
  std::string loaded = lastSiteLoaded(a);
  CHECK(loaded.find(R"("checkpointSequence":"20")") != std::string::npos);
  CHECK(loaded.find(R"("replayedOps":"6")") != std::string::npos);
  CHECK(siteSnapshot(a) == before);
  // Compacted ops are still known by id.
  auto again = signedIn(a, "ann");
  again->send(post("ann-3", "/p/1", "retried"));
  auto rejected = again->receiveUntil<RejectedMessage>();
  REQUIRE(rejected);
  CHECK(rejected->code == ReasonCode::alreadyApplied);
}

TEST_CASE("the admin API answers a thread's creation once the database has sequenced it", "[postgres]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database)), b(flags(database));
  const std::string admin = std::string("Bearer ") + TestSite::adminKey;
  const std::string thread = R"({"key":"/sku/1","kind":"question","title":"Does it fit?"})";
  HttpResult created = httpRequest(a.port(), "/api/sites/test/threads", admin, boost::beast::http::verb::post, thread);
  CHECK(created.status == 201);
  CHECK(created.body.find(R"("key":"/sku/1")") != std::string::npos);
  // The key is taken on every server: B applies A's thread before it applies its own attempt.
  HttpResult again = httpRequest(b.port(), "/api/sites/test/threads", admin, boost::beast::http::verb::post, thread);
  CHECK(again.status == 409);
  CHECK(again.body.find("thread_exists") != std::string::npos);
}

namespace {

// What the store holds, in short: its ops, its checkpoint and its versions.
std::string storeSummary(const std::string& database) {
  pqxx::connection connection(database);
  pqxx::nontransaction session(connection);
  return session
      .exec1(
          "SELECT (SELECT count(*) FROM kring_ops) || ':' || (SELECT coalesce(max(seq), 0) FROM kring_checkpoints) || "
          "':' || "
          "coalesce((SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM kring_meta), '')")[0]
      .as<std::string>();
}

void execute(const std::string& database, const std::string& sql) {
  pqxx::connection connection(database);
  pqxx::nontransaction session(connection);
  session.exec0(sql);
}

std::string scalar(const std::string& database, const std::string& sql) {
  pqxx::connection connection(database);
  pqxx::nontransaction session(connection);
  return session.exec1(sql)[0].as<std::string>();
}

}  // namespace

TEST_CASE("a PostgreSQL store of format 1 is migrated at start-up and one a newer server wrote is refused untouched",
          "[postgres][upgrade]") {
  std::string database = freshDatabase();
  char pattern[] = "/tmp/kring-pg-upgrade-XXXXXX";
  REQUIRE(mkdtemp(pattern));
  const std::string directory = pattern;
  std::string before;
  {
    ServerProcess server(KeptStore{directory}, flags(database), testSitesJson());
    auto ann = signedIn(server, "ann");
    writeThread(*ann, "u", "/p/upgrade", 3);
    ann.reset();
    before = toJson(viewFromSnapshot(*signedIn(server, "bob"), "/p/upgrade"));
    server.kill(SIGTERM);
    // Format 1 is these tables without kring_meta and the outbox's (steps 1 and 2 add them).
    execute(database, "DROP TABLE kring_meta");
    for (const char* table : {"outbox", "webhook_deliveries", "member_contacts", "webhook_endpoints"}) {
      execute(database, std::string("DROP TABLE ") + table);
    }

    server.start();
    const std::string log = serverLog(server);
    INFO(log);
    CHECK(log.find(R"("event":"store_migrated","store":"postgresql","from":"1")") != std::string::npos);
    CHECK(storeSummary(database).find("schema_version=") != std::string::npos);
    CHECK(scalar(database,
                 "SELECT count(*) FROM pg_tables WHERE tablename IN ('outbox', 'webhook_deliveries', "
                 "'member_contacts', 'webhook_endpoints')") == "4");
    auto bob = signedIn(server, "bob");
    CHECK(toJson(viewFromSnapshot(*bob, "/p/upgrade")) == before);
    bob.reset();
    server.kill(SIGTERM);
  }
  execute(database, "UPDATE kring_meta SET value = 999 WHERE key = 'schema_version'");
  const std::string marked = storeSummary(database);
  REQUIRE_THROWS(ServerProcess(KeptStore{directory}, flags(database), testSitesJson()));
  std::ifstream in(directory + "/server.log");
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(log);
  CHECK(log.find(R"("event":"store_too_new","store":"postgresql","version":"schema_version","stored":"999")") !=
        std::string::npos);
  CHECK(storeSummary(database) == marked);
  std::filesystem::remove_all(directory);
}

namespace {

// Every op, checkpoint part and site part the database holds for the site, one after the other.
std::string storedBytes(const std::string& database) {
  pqxx::connection connection(database);
  pqxx::nontransaction session(connection);
  std::string bytes;
  for (const char* sql : {"SELECT op FROM kring_ops", "SELECT part FROM kring_checkpoint_parts",
                          "SELECT site_part FROM kring_checkpoints", "SELECT spam_model FROM kring_checkpoints"}) {
    for (const pqxx::row& row : session.exec(sql)) bytes += pqxx::binarystring(row[0]).str();
  }
  return bytes;
}

// True when any 8 consecutive bytes of `needle` occur (packed parts keep each whole word's bytes together).
bool holds(const std::string& haystack, const std::string& needle) {
  for (std::size_t at = 0; at + 8 <= needle.size(); ++at) {
    if (haystack.find(needle.substr(at, 8)) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("an erasure through one server clears every server and the database of the member's words", "[postgres]") {
  std::string database = freshDatabase();
  ServerProcess a(flags(database) + " --checkpoint-every 3"), b(flags(database) + " --checkpoint-every 3");
  const std::string words = "erinpgsecret-5e2b9c7a10-her words";
  auto erin = signedIn(a, "erin");
  erin->send(createThread("erin-thread", "/p/pg-erasure"));
  REQUIRE(ackOf(*erin, "erin-thread"));
  for (int i = 1; i <= 4; ++i) {
    erin->send(post("erin-" + std::to_string(i), "/p/pg-erasure", words + " " + std::to_string(i)));
    REQUIRE(ackOf(*erin, "erin-" + std::to_string(i)));
  }
  auto bob = signedIn(b, "bob");
  bob->send(post("bob-1", "/p/pg-erasure", "Bob's own reply"));
  REQUIRE(ackOf(*bob, "bob-1"));
  REQUIRE(holds(storedBytes(database), words));
  REQUIRE(storedBytes(database).find("Name of erin") != std::string::npos);

  const std::string admin = std::string("Bearer ") + TestSite::adminKey;
  HttpResult erased = httpRequest(a.port(), "/api/sites/test/actions", admin, boost::beast::http::verb::post,
                                  R"({"moderate":{"action":"erase","memberId":"erin","reason":"request"}})");
  REQUIRE(erased.status == 200);
  // Whichever server writes the site's checkpoints clears the database once it applies the erasure.
  bool cleared = false;
  for (int attempt = 0; attempt < 100 && !cleared; ++attempt) {
    std::string bytes = storedBytes(database);
    cleared = !holds(bytes, words) && bytes.find("Name of erin") == std::string::npos;
    if (!cleared) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(cleared);
  std::vector<std::string> snapshots = settledSnapshots({&a, &b});
  CHECK(snapshots[0] == snapshots[1]);
  CHECK_FALSE(holds(snapshots[1], words));
  ThreadView view = viewFromSnapshot(*signedIn(b, "carol"), "/p/pg-erasure");
  REQUIRE(view.posts.size() == 5);
  CHECK(view.posts[0].erased);
  CHECK(view.posts[4].body == "Bob's own reply");
}

namespace {

// kring-server's own command line (export, import), its output and exit status.
struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult runKring(const std::string& arguments) {
  CommandResult result;
  FILE* pipe = popen((std::string(KRING_SERVER_BINARY) + " " + arguments + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::size_t read = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, read);
  result.status = WEXITSTATUS(pclose(pipe));
  return result;
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a site moves from SQLite to PostgreSQL and back through its archive and each store serves it byte for byte",
          "[postgres]") {
  ServerProcess sqlite;
  {
    auto ann = signedIn(sqlite, "ann");
    writeThread(*ann, "ann", "/p/1", 12);
  }
  const std::string before = siteSnapshot(sqlite);
  sqlite.kill(SIGTERM);
  const std::string archive = sqlite.directory() + "/test.kring.jsonl";
  CommandResult exported =
      runKring("export --db sqlite:" + sqlite.directory() + "/kring.db --site test --to " + archive);
  REQUIRE(exported.status == 0);
  CHECK(exported.output.find(R"("event":"export_done")") != std::string::npos);

  const std::string database = freshDatabase();
  CommandResult imported = runKring("import --format kring " + archive + " --db " + database);
  INFO(imported.output);
  REQUIRE(imported.status == 0);
  // Twice: refused, nothing written.
  CommandResult twice = runKring("import --format kring " + archive + " --db " + database);
  CHECK(twice.status == 2);
  CHECK(twice.output.find("already holds site test") != std::string::npos);

  // Two servers on the database serve the site the SQLite server served, and go on after it.
  ServerProcess a(flags(database)), b(flags(database));
  CHECK(siteSnapshot(a) == before);
  CHECK(siteSnapshot(b) == before);
  {
    auto ann = signedIn(a, "ann");
    ann->send(post("ann-after", "/p/1", "after the move"));
    auto acked = ackOf(*ann, "ann-after");
    REQUIRE(acked);
  }
  const std::vector<std::string> moved = settledSnapshots({&a, &b});
  CHECK(moved[0] == moved[1]);
  CHECK(moved[0] != before);

  // And back: PostgreSQL's export into a new SQLite store gives the site the servers hold.
  const std::string back = sqlite.directory() + "/back.kring.jsonl";
  REQUIRE(runKring("export --db " + database + " --site test --to " + back).status == 0);
  CHECK(fileText(back) != fileText(archive));
  const std::string returnedStore = sqlite.directory() + "/returned.db";
  REQUIRE(runKring("import --format kring " + back + " --db sqlite:" + returnedStore).status == 0);
  ServerProcess returned("--db sqlite:" + returnedStore);
  CHECK(siteSnapshot(returned) == moved[0]);
}

TEST_CASE("a Disqus export imported through one of two servers on PostgreSQL reaches both, each post once",
          "[postgres]") {
  const std::string database = freshDatabase();
  ServerProcess a(flags(database)), b(flags(database));
  {
    auto ann = signedIn(a, "ann");
    writeThread(*ann, "ann", "/p/1", 2);  // the site is live: its servers number its ops
  }
  const std::string fixture =
      (std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "import" / "disqus_export.xml")
          .string();
  const std::string sites = " --site test --sites " + a.directory() + "/sites.json";
  // Into the live database behind its servers' backs: refused, nothing written.
  CommandResult direct = runKring("import --format disqus " + fixture + " --db " + database + sites);
  CHECK(direct.status == 2);
  CHECK(direct.output.find("live on PostgreSQL") != std::string::npos);

  const std::string server = " --server http://127.0.0.1:" + std::to_string(a.port());
  CommandResult first = runKring("import --format disqus " + fixture + server + sites);
  INFO(first.output);
  REQUIRE(first.status == 0);
  CHECK(first.output.find(R"("imported":7,"alreadyThere":0,"refused":0,"skipped":3)") != std::string::npos);
  CommandResult again = runKring("import --format disqus " + fixture + server + sites);
  CHECK(again.output.find(R"("imported":0,"alreadyThere":7)") != std::string::npos);

  const std::vector<std::string> settled = settledSnapshots({&a, &b});
  CHECK(settled[0] == settled[1]);
  HttpResult exported = httpRequest(b.port(), "/api/sites/test/export", std::string("Bearer ") + TestSite::adminKey);
  REQUIRE(exported.status == 200);
  for (const char* id : {"disqus-2001", "disqus-2002", "disqus-2003", "disqus-2010"}) {
    INFO(id);
    CHECK(exported.body.find(std::string("\"") + id + "\"") != std::string::npos);
  }
  CHECK(exported.body.find("\"disqus-2007\"") == std::string::npos);  // its page was deleted in the source
}
