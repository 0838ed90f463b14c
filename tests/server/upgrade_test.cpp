// Upgrades over the real binary: a store written by the previous format (fixtures/v1_store.db, with
// what that server served from it) is migrated at start-up and serves the same; a store written by
// a newer kring-server is refused and left as it was.
#include <signal.h>
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "kring/view.h"
#include "server_test_ops.h"
#include "upgrade_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string fixturePath(const char* name) { return std::string(KRING_UPGRADE_FIXTURES) + "/" + name; }

// A fresh directory holding a copy of the fixture store as kring.db.
std::string storeCopy() {
  char pattern[] = "/tmp/kring-upgrade-test-XXXXXX";
  REQUIRE(mkdtemp(pattern));
  std::filesystem::copy_file(fixturePath(kUpgradeStoreFile), std::string(pattern) + "/kring.db");
  return pattern;
}

// The first place where `served` lacks or differs from what was `recorded`, or "" when it has it
// all. Fields added since the fixture was recorded are ignored: the views must keep what they showed.
std::string missingFrom(const boost::json::value& recorded, const boost::json::value& served,
                        const std::string& path = "$") {
  if (recorded.is_object()) {
    if (!served.is_object()) return path + ": not an object";
    for (const auto& [key, value] : recorded.as_object()) {
      const boost::json::value* other = served.as_object().if_contains(key);
      if (!other) return path + "." + std::string(key) + ": missing";
      if (std::string difference = missingFrom(value, *other, path + "." + std::string(key)); !difference.empty()) {
        return difference;
      }
    }
    return {};
  }
  if (recorded.is_array()) {
    if (!served.is_array() || served.as_array().size() != recorded.as_array().size()) return path + ": another length";
    for (std::size_t i = 0; i < recorded.as_array().size(); ++i) {
      if (std::string difference =
              missingFrom(recorded.as_array()[i], served.as_array()[i], path + "[" + std::to_string(i) + "]");
          !difference.empty()) {
        return difference;
      }
    }
    return {};
  }
  if (recorded != served)
    return path + ": " + boost::json::serialize(recorded) + " became " + boost::json::serialize(served);
  return {};
}

// Everything the format-1 server served from the fixture, served the same now.
void checkServesRecordedViews(ServerProcess& server) {
  const std::string admin = "Bearer " + std::string(TestSite::adminKey);
  for (const auto& [route, file] : {std::pair{"export", kUpgradeExportFile}, std::pair{"policy", kUpgradePolicyFile}}) {
    HttpResult served = httpRequest(server.port(), std::string("/api/sites/test/") + route, admin);
    REQUIRE(served.status == 200);
    INFO(route);
    CHECK(missingFrom(boost::json::parse(readFile(fixturePath(file))), boost::json::parse(served.body)) == "");
  }
  const boost::json::value views = boost::json::parse(readFile(fixturePath(kUpgradeViewsFile)));
  for (const boost::json::value& recorded : views.as_array()) {
    const boost::json::object& entry = recorded.as_object();
    const std::string viewer(entry.at("viewer").as_string());
    const std::string thread(entry.at("thread").as_string());
    auto client = signedIn(server, viewer, std::string(entry.at("role").as_string()));
    INFO(viewer << " viewing " << thread);
    CHECK(missingFrom(entry.at("view"), boost::json::parse(toJson(viewFromSnapshot(*client, thread)))) == "");
  }
}

std::string queryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

void execute(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("a store of format 1 is migrated at start-up and serves the views its server served", "[server][upgrade]") {
  const std::string directory = storeCopy();
  const std::string store = directory + "/kring.db";
  {
    ServerProcess server(KeptStore{directory}, "", testSitesJson());
    const std::string log = serverLog(server);
    INFO(log);
    REQUIRE(occurrences(log, R"("event":"store_migrated")") == 1);
    CHECK(log.find(R"("from":"1")") != std::string::npos);
    // The store now names its version, the one the log says it was migrated to.
    const std::string version = queryText(store, "SELECT value FROM meta WHERE key = 'schema_version'");
    CHECK(std::stoi(version.empty() ? "0" : version) >= 2);
    CHECK(log.find(R"("to":")" + version + "\"") != std::string::npos);
    // The checkpoint and the ops after it were both read.
    std::string loaded = lastSiteLoaded(server);
    CHECK(loaded.find(R"("replayedOps":"0")") == std::string::npos);
    CHECK(loaded.find(R"("checkpointSequence":"0")") == std::string::npos);
    checkServesRecordedViews(server);

    // The migrated store keeps working: a new op, a restart, no second migration.
    auto ann = signedIn(server, "ann");
    ann->send(post("after-upgrade", kUpgradeDiscussion, "Written after the upgrade."));
    REQUIRE(ackOf(*ann, "after-upgrade"));
    ann.reset();
    server.kill(SIGTERM);
    CHECK(server.exitStatus() == 0);
    server.start();
    CHECK(occurrences(serverLog(server), R"("event":"store_migrated")") == 1);
    auto again = signedIn(server, "ann");
    ThreadView view = viewFromSnapshot(*again, kUpgradeDiscussion);
    REQUIRE_FALSE(view.posts.empty());
    CHECK(view.posts.back().id == "after-upgrade");
    CHECK(view.posts.back().body == "Written after the upgrade.");
    // A retry of an op of the fixture's log, compacted or not, is still known.
    for (const char* old : {"v1-3", "v1-27"}) {
      again->send(post(old, kUpgradeDiscussion, "again"));
      auto rejected = again->receiveUntil<RejectedMessage>();
      REQUIRE(rejected);
      CHECK(rejected->code == ReasonCode::alreadyApplied);
    }
  }
  std::filesystem::remove_all(directory);
}

TEST_CASE("a store written by a newer kring-server is refused at start-up and left untouched", "[server][upgrade]") {
  // Each version the store records, in turn.
  const std::string field =
      GENERATE(std::string("schema_version"), std::string("checkpoint_format"), std::string("op_format"));
  const std::string directory = storeCopy();
  const std::string store = directory + "/kring.db";
  {
    // Migrated by this server, then marked as a later version would mark it.
    ServerProcess server(KeptStore{directory}, "", testSitesJson());
    server.kill(SIGTERM);
  }
  // In rollback-journal mode: a server that set WAL mode (or wrote anything) before refusing changes the file.
  execute(store, "UPDATE meta SET value = 999 WHERE key = '" + field + "'; PRAGMA journal_mode=DELETE");
  REQUIRE(queryText(store, "SELECT value FROM meta WHERE key = '" + field + "'") == "999");
  REQUIRE_FALSE(std::filesystem::exists(store + "-wal"));
  const std::string before = readFile(store);

  REQUIRE_THROWS(ServerProcess(KeptStore{directory}, "", testSitesJson()));
  std::string log = readFile(directory + "/server.log");
  INFO(log);
  const std::size_t at = log.find(R"("event":"store_too_new")");
  REQUIRE(at != std::string::npos);
  const std::string refusal = log.substr(at, log.find('\n', at) - at);
  // The store's version and the newest this server knows.
  CHECK(refusal.find(R"("stored":"999")") != std::string::npos);
  CHECK(refusal.find(R"("known":")") != std::string::npos);
  CHECK(refusal.find(field) != std::string::npos);
  CHECK(readFile(store) == before);
  CHECK((!std::filesystem::exists(store + "-wal") || std::filesystem::file_size(store + "-wal") == 0));
  std::filesystem::remove_all(directory);
}
