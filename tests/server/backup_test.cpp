// `kring-server backup` and `restore` over the real binary: a backup taken while writers post is a
// consistent state holding every op acknowledged before it began; a quiet store restores to the same
// site snapshot, byte for byte; restore refuses what would lose or corrupt a store.
#include <sqlite3.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFastFlags =
    "--ops-per-second 100000 --ops-burst 100000 --member-ops-per-second 100000 --member-ops-burst 100000 "
    "--frames-per-second 100000 --frames-burst 100000";

// A directory removed at the end of the test.
struct ScratchDirectory {
  ScratchDirectory() {
    char pattern[] = "/tmp/kring-backup-test-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    path = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string path;
};

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `kring-server <arguments>` and collects its exit status, stdout and stderr. A backup that never
// finishes (one that restarts at each of the server's commits) fails with status 124 instead of hanging.
CommandResult kringServer(const std::string& arguments, const ScratchDirectory& scratch) {
  const std::string errFile = scratch.path + "/command.err";
  std::string command = "timeout 60 " + std::string(KRING_SERVER_BINARY) + " " + arguments + " 2>" + errFile;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  CommandResult result;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.out.append(buffer, n);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  std::ifstream in(errFile);
  result.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return result;
}

// A number field of the command's JSON line.
std::int64_t jsonNumber(const std::string& json, const std::string& field) {
  std::smatch match;
  REQUIRE(std::regex_search(json, match, std::regex("\"" + field + "\":([0-9]+)")));
  return std::stoll(match[1]);
}

std::string sqliteText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0)) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

std::string siteSnapshot(const ServerProcess& server) {
  HttpResult result =
      httpRequest(server.port(), "/api/sites/test/snapshot", std::string("Bearer ") + TestSite::adminKey);
  REQUIRE(result.status == 200);
  return result.body;
}

std::int64_t committedSequence(const ServerProcess& server) {
  HttpResult stats = httpRequest(server.port(), "/api/sites/test/stats", std::string("Bearer ") + TestSite::adminKey);
  REQUIRE(stats.status == 200);
  return jsonNumber(stats.body, "committedSequence");
}

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A member posting to a thread of its own, each post acknowledged before the next, until told to stop.
// Posts are a kilobyte, so the store grows to many pages while the backup copies it.
class Writer {
 public:
  Writer(ServerProcess& server, int index)
      : client_(signedIn(server, "writer" + std::to_string(index))),
        key_("/p/writer-" + std::to_string(index)),
        prefix_("w" + std::to_string(index)) {
    client_->send(createThread(prefix_ + "-0", key_));
    REQUIRE(ackOf(*client_, prefix_ + "-0"));
    thread_ = std::thread([this] { run(); });
  }
  ~Writer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int acknowledged() const { return acknowledged_; }
  bool failed() const { return failed_; }
  const std::string& key() const { return key_; }

 private:
  void run() {
    const std::string padding(1000, 'x');
    for (int i = 1; !stop_; ++i) {
      const std::string id = prefix_ + "-" + std::to_string(i);
      client_->send(post(id, key_, "post " + std::to_string(i) + " " + padding));
      if (!ackOf(*client_, id)) {
        failed_ = true;
        return;
      }
      acknowledged_ = i;
    }
  }

  std::unique_ptr<SyncClient> client_;
  std::string key_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int> acknowledged_{0};
  std::thread thread_;
};

int total(const std::vector<std::unique_ptr<Writer>>& writers) {
  int sum = 0;
  for (const auto& writer : writers) sum += writer->acknowledged();
  return sum;
}

// The thread's posts are exactly "post 1" … "post n", in order: no hole, nothing from after a gap.
int contiguousPosts(ServerProcess& server, const std::string& key) {
  auto reader = signedIn(server, "reader");
  ThreadView view = viewFromSnapshot(*reader, key);
  for (std::size_t i = 0; i < view.posts.size(); ++i) {
    INFO(key << " post " << i);
    REQUIRE(view.posts[i].body.rfind("post " + std::to_string(i + 1) + " ", 0) == 0);
  }
  return static_cast<int>(view.posts.size());
}

// A server on a restored store in `directory` (left for the caller's ScratchDirectory to remove).
std::unique_ptr<ServerProcess> serverOn(const std::string& directory) {
  return std::make_unique<ServerProcess>(KeptStore{directory}, kFastFlags, testSitesJson());
}

}  // namespace

TEST_CASE("a backup taken while writers post restores to a consistent store holding every op acknowledged before it",
          "[server][backup]") {
  ScratchDirectory scratch;
  // Checkpoints and compaction run during the backup too: their transactions must be in it whole or not at all.
  ServerProcess server(std::string(kFastFlags) + " --checkpoint-every 100 --op-log-retention 20");
  const std::string store = server.directory() + "/kring.db";
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < 3; ++i) writers.push_back(std::make_unique<Writer>(server, i));
  auto busy = [&](int posts) {
    for (int waited = 0; waited < 600; ++waited) {
      if (total(writers) >= posts) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the writers made no progress");
  };
  busy(600);

  std::vector<int> acknowledgedBefore;
  for (const auto& writer : writers) acknowledgedBefore.push_back(writer->acknowledged());
  const std::int64_t sequenceBefore = committedSequence(server);
  // Small steps with pauses: the copy spans many of the server's commits and checkpoints.
  CommandResult backup = kringServer(
      "backup --db sqlite:" + store + " --to " + scratch.path + "/under-load.db" + " --pages-per-step 8 --pause-ms 2",
      scratch);
  INFO(backup.out << backup.err);
  REQUIRE(backup.status == 0);
  busy(total(writers) + 30);  // the writers go on after the copy
  for (auto& writer : writers) {
    writer->stop();
    CHECK_FALSE(writer->failed());
  }
  const std::int64_t backupSequence = jsonNumber(backup.out, "test");
  CHECK(jsonNumber(backup.out, "bytes") == static_cast<std::int64_t>(fs::file_size(scratch.path + "/under-load.db")));
  CHECK(jsonNumber(backup.out, "pages") > 100);
  // The whole community: readable by its owner alone, whatever the umask.
  CHECK((fs::status(scratch.path + "/under-load.db").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(backupSequence >= sequenceBefore);
  CHECK(backupSequence < committedSequence(server));
  CHECK(sqliteText(scratch.path + "/under-load.db", "PRAGMA integrity_check") == "ok");

  // Restored and served, the copy holds each writer's posts up to some point at or past what was
  // acknowledged before the backup began, with nothing missing in between, and nothing else.
  fs::create_directories(scratch.path + "/restored");
  CommandResult restore = kringServer(
      "restore --from " + scratch.path + "/under-load.db --db sqlite:" + scratch.path + "/restored/kring.db", scratch);
  INFO(restore.out << restore.err);
  REQUIRE(restore.status == 0);
  CHECK(jsonNumber(restore.out, "test") == backupSequence);
  auto restored = serverOn(scratch.path + "/restored");
  CHECK(committedSequence(*restored) == backupSequence);
  std::int64_t ops = 1 + static_cast<std::int64_t>(writers.size());  // the sites file's policy, the threads
  for (std::size_t i = 0; i < writers.size(); ++i) {
    int posts = contiguousPosts(*restored, writers[i]->key());
    CHECK(posts >= acknowledgedBefore[i]);
    CHECK(posts <= writers[i]->acknowledged());
    ops += posts;
  }
  CHECK(ops == backupSequence);
  restored->kill(SIGTERM);
  CHECK(restored->exitStatus() == 0);

  SECTION("a backup of the quiet store restores to the same site snapshot, byte for byte") {
    const std::string original = siteSnapshot(server);
    CommandResult quiet = kringServer("backup --db sqlite:" + store + " --to " + scratch.path + "/quiet.db", scratch);
    INFO(quiet.out << quiet.err);
    REQUIRE(quiet.status == 0);
    CHECK(jsonNumber(quiet.out, "test") == committedSequence(server));
    fs::create_directories(scratch.path + "/quiet");
    REQUIRE(kringServer("restore --from " + scratch.path + "/quiet.db --db sqlite:" + scratch.path + "/quiet/kring.db",
                        scratch)
                .status == 0);
    auto again = serverOn(scratch.path + "/quiet");
    CHECK(committedSequence(*again) == committedSequence(server));
    const std::string copy = siteSnapshot(*again);
    CHECK(copy.size() == original.size());
    CHECK(copy == original);
  }
}

TEST_CASE(
    "a backup is restored only where that is safe - restore refuses an existing target without --force and files that "
    "are not Kring stores",
    "[server][backup]") {
  ScratchDirectory scratch;
  ServerProcess server(kFastFlags);
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "a", "/p/refusals", 5);
  const std::string backupFile = scratch.path + "/backup.db";
  REQUIRE(kringServer("backup --db sqlite:" + server.directory() + "/kring.db --to " + backupFile, scratch).status ==
          0);
  CHECK_FALSE(fs::exists(backupFile + ".tmp"));

  // A store in use: replaced neither without --force nor with it while its server runs.
  const std::string live = server.directory() + "/kring.db";
  const std::string liveBytes = fileBytes(live);
  CommandResult exists = kringServer("restore --from " + backupFile + " --db sqlite:" + live, scratch);
  CHECK(exists.status != 0);
  CHECK(exists.err.find("exists") != std::string::npos);
  CommandResult running = kringServer("restore --from " + backupFile + " --db sqlite:" + live + " --force", scratch);
  CHECK(running.status != 0);
  CHECK(running.err.find("open in another process") != std::string::npos);
  CHECK(fileBytes(live) == liveBytes);

  // Not a database, not a Kring store, no file at all.
  std::ofstream(scratch.path + "/notes.txt") << "these are not the pages you are looking for\n";
  CommandResult text =
      kringServer("restore --from " + scratch.path + "/notes.txt --db sqlite:" + scratch.path + "/a.db", scratch);
  CHECK(text.status != 0);
  CHECK(text.err.find("not a SQLite database") != std::string::npos);
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open((scratch.path + "/other.db").c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "CREATE TABLE recipes(name TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  CommandResult foreign =
      kringServer("restore --from " + scratch.path + "/other.db --db sqlite:" + scratch.path + "/a.db", scratch);
  CHECK(foreign.status != 0);
  CHECK(foreign.err.find("not a Kring store") != std::string::npos);
  CommandResult missing =
      kringServer("restore --from " + scratch.path + "/gone.db --db sqlite:" + scratch.path + "/a.db", scratch);
  CHECK(missing.status != 0);
  CHECK(missing.err.find("no such file") != std::string::npos);
  CommandResult noStore =
      kringServer("backup --db sqlite:" + scratch.path + "/gone.db --to " + scratch.path + "/b.db", scratch);
  CHECK(noStore.status != 0);
  CHECK(noStore.err.find("no such file") != std::string::npos);
  CHECK_FALSE(fs::exists(scratch.path + "/a.db"));
  CHECK_FALSE(fs::exists(scratch.path + "/b.db"));

  // A backup written over its own store (or its WAL) would destroy what it copies.
  for (const std::string& onto : {live, live + "-wal"}) {
    CommandResult itself = kringServer("backup --db sqlite:" + live + " --to " + onto, scratch);
    CHECK(itself.status != 0);
    CHECK(itself.err.find("would overwrite") != std::string::npos);
  }
  CHECK(fs::exists(live + "-wal"));
  CHECK(committedSequence(server) == 7);  // the policy, the thread and its 5 posts, all still served

  SECTION("with --force a stopped store is replaced and its stale WAL removed") {
    ServerProcess target(kFastFlags);  // a store of its own with other content
    auto bob = signedIn(target, "bob");
    writeThread(*bob, "b", "/p/other", 2);
    target.kill(SIGKILL);  // leaves its WAL behind, which would be replayed into the restored store
    const std::string path = target.directory() + "/kring.db";
    REQUIRE(fs::exists(path + "-wal"));
    CommandResult forced = kringServer("restore --from " + backupFile + " --db sqlite:" + path + " --force", scratch);
    INFO(forced.out << forced.err);
    REQUIRE(forced.status == 0);
    CHECK_FALSE(fs::exists(path + "-wal"));
    CHECK_FALSE(fs::exists(path + "-shm"));
    target.start();
    CHECK(committedSequence(target) == committedSequence(server));
    auto reader = signedIn(target, "reader");
    CHECK(viewFromSnapshot(*reader, "/p/refusals").posts.size() == 5);
  }
}
