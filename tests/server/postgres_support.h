// What the PostgreSQL tests share: the run's database server (scripts/test-postgres.sh, a CTest
// fixture), a fresh database on it, a private server a test may stop, and the servers' snapshots.
#pragma once

#include <pqxx/pqxx>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "server_test_ops.h"

namespace kring::testing {

// postgresql://…/postgres of the run's server, from the file the fixture wrote.
inline std::string serverUrl() {
  const char* file = std::getenv("KRING_TEST_POSTGRES_URL_FILE");
  REQUIRE(file != nullptr);
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  REQUIRE(!url.empty());
  return url;
}

// A new, empty database on the run's server; its URL.
inline std::string freshDatabase() {
  static std::atomic<int> count{0};
  std::string url = serverUrl();
  std::string name = "kring_test_" + std::to_string(getpid()) + "_" + std::to_string(++count);
  pqxx::connection admin(url);
  pqxx::nontransaction session(admin);
  session.exec0("DROP DATABASE IF EXISTS " + name);
  session.exec0("CREATE DATABASE " + name);
  return url.substr(0, url.rfind('/') + 1) + name;
}

inline std::string siteSnapshot(const ServerProcess& server) {
  HttpResult result =
      httpRequest(server.port(), "/api/sites/test/snapshot", std::string("Bearer ") + TestSite::adminKey);
  REQUIRE(result.status == 200);
  return result.body;
}

// Waits until every server's site stands at the same sequence, then returns their snapshots.
inline std::vector<std::string> settledSnapshots(const std::vector<ServerProcess*>& servers) {
  std::vector<std::string> snapshots;
  for (int attempt = 0; attempt < 100; ++attempt) {
    snapshots.clear();
    for (ServerProcess* server : servers) snapshots.push_back(siteSnapshot(*server));
    if (std::all_of(snapshots.begin(), snapshots.end(), [&](const std::string& s) { return s == snapshots.front(); }))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return snapshots;
}

inline std::string flags(const std::string& database) { return "--db " + database; }

// A PostgreSQL server of the test's own (scripts/test-postgres.sh), which it may stop and start again.
class PrivatePostgres {
 public:
  PrivatePostgres() {
    char pattern[] = "/tmp/kring-pg-private-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    directory_ = pattern;
    REQUIRE(run("start"));
    std::ifstream in(directory_ + "/url");
    std::getline(in, url_);
    REQUIRE(!url_.empty());
  }
  ~PrivatePostgres() {
    run("stop");
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  const std::string& url() const { return url_; }
  // Stops the server (fast: sessions are cut, as in a crash of the database) and starts it again.
  bool halt() { return run("halt"); }
  bool resume() { return run("resume"); }

 private:
  bool run(const std::string& action) {
    std::string command =
        std::string("bash ") + KRING_TEST_POSTGRES_SCRIPT + " " + action + " " + directory_ + " >/dev/null";
    return std::system(command.c_str()) == 0;
  }
  std::string directory_;
  std::string url_;
};

}  // namespace kring::testing
