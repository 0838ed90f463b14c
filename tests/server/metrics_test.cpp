// GET /metrics end to end: the Prometheus text a scraper reads, and that its numbers move.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <string>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;

namespace {

// Every sample line as "name{labels}" → value.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    values[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return values;
}

std::map<std::string, double> scrape(const ServerProcess& server) {
  HttpResult result = httpRequest(server.adminPort(), "/metrics");
  REQUIRE(result.status == 200);
  CHECK(result.contentType.starts_with("text/plain; version=0.0.4"));
  return samples(result.body);
}

// Every post of a member below trust level 1 waits for a moderator.
std::string preModeratedPolicy() {
  std::string policy = TestSite::mechanicsPolicy;
  policy.insert(policy.find("\"spamHoldScore\""), R"("preModerateBelowTrustLevel":1,)");
  return policy;
}

}  // namespace

TEST_CASE("metrics count connections - applied - rejected and held ops - and time commits and fan-out",
          "[server][http][metrics]") {
  ServerProcess server("--admin-port 0", preModeratedPolicy());
  REQUIRE(server.adminPort() != 0);
  const std::string site = R"({site="test"})";
  auto before = scrape(server);
  REQUIRE(before.count("kring_ops_applied_total" + site));
  CHECK(before["kring_ops_rejected_total" + site] == 0);
  CHECK(before["kring_held_posts" + site] == 0);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  CHECK(before["process_start_time_seconds"] <= static_cast<double>(now.count()));
  CHECK(before["process_start_time_seconds"] > static_cast<double>(now.count() - 120));

  auto ann = signedIn(server, "ann");
  auto bob = signedIn(server, "bob");
  bob->send(Subscribe{"/p/metrics", 0});
  ann->send(createThread("m-0", "/p/metrics"));
  REQUIRE(ackOf(*ann, "m-0"));
  for (const char* id : {"m-1", "m-2"}) {
    ann->send(post(id, "/p/metrics", "Waiting for a moderator"));
    REQUIRE(ackOf(*ann, id));
  }
  ann->send(post("m-1", "/p/metrics", "The same op again"));  // already applied
  REQUIRE(ann->receiveUntil<RejectedMessage>());
  ann->send(post("m-3", "/p/none", "No such thread"));
  REQUIRE(ann->receiveUntil<RejectedMessage>());

  auto after = scrape(server);
  CHECK(after["kring_ops_applied_total" + site] - before["kring_ops_applied_total" + site] == 3);
  CHECK(after["kring_ops_rejected_total" + site] == 2);
  CHECK(after["kring_held_posts" + site] == 2);
  CHECK(after["kring_open_connections"] >= 3);  // two WebSockets and the scrape's own
  for (const std::string histogram : {"kring_commit_seconds", "kring_fanout_seconds"}) {
    INFO(histogram);
    CHECK(after[histogram + "_count"] >= 3);  // a group commit holds one op here: each waited for its ack
    CHECK(after[histogram + "_count"] == after[histogram + "_bucket{le=\"+Inf\"}"]);
    CHECK(after[histogram + "_bucket{le=\"0.001\"}"] <= after[histogram + "_bucket{le=\"1\"}"]);
    CHECK(after[histogram + "_sum"] > 0);
  }
}

TEST_CASE("without an admin listener the console API stays public and /metrics needs the metrics key",
          "[server][http][deployment]") {
  SECTION("no metrics key: no /metrics") {
    ServerProcess server;
    CHECK(httpRequest(server.port(), "/metrics").status == 404);
    CHECK(httpRequest(server.port(), "/api/sites/test/export", std::string("Bearer ") + TestSite::adminKey).status ==
          200);
  }
  SECTION("a metrics key") {
    char path[] = "/tmp/kring-metrics-key-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    const std::string metricsKey = "metrics-key-0123456789-abcdef";
    std::ofstream(path) << metricsKey << "\n";
    ServerProcess server(std::string("--metrics-key-file ") + path);
    std::remove(path);
    CHECK(httpRequest(server.port(), "/metrics").status == 401);
    CHECK(httpRequest(server.port(), "/metrics", "Bearer wrong-key-0123456789-abcdefghi").status == 401);
    CHECK(httpRequest(server.port(), "/metrics", std::string("Bearer ") + TestSite::adminKey).status == 401);
    HttpResult scraped = httpRequest(server.port(), "/metrics", "Bearer " + metricsKey);
    CHECK(scraped.status == 200);
    CHECK(scraped.contentType == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(scraped.body.find("# TYPE kring_commit_seconds histogram") != std::string::npos);
  }
}
