// kring-server's deployment options end to end: trusted proxy networks, forwarding headers and the
// separate admin listener.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;

namespace {

constexpr int kPerIp = 64;  // the default --max-connections-per-ip

// `count` WebSocket connections through the proxy on loopback, each naming its client the same way.
std::vector<std::unique_ptr<SyncClient>> connectMany(const ServerProcess& server, int count,
                                                     const std::string& forwardedFor, const std::string& forwarded) {
  std::vector<std::unique_ptr<SyncClient>> held;
  for (int i = 0; i < count; ++i)
    held.push_back(std::make_unique<SyncClient>(server.port(), "", forwardedFor, forwarded));
  return held;
}

}  // namespace

TEST_CASE(
    "a trusted proxy network counts each forwarded client against its own limit - Forwarded and X-Forwarded-For alike",
    "[server][input][deployment]") {
  // The proxy is 127.0.0.1, inside the trusted 127.0.0.0/8; every client below has 64 slots of its own.
  ServerProcess server("--trusted-proxy 127.0.0.0/8 --trusted-proxy fd00::/8");
  auto viaXff = connectMany(server, kPerIp, "203.0.113.5", "");
  CHECK_THROWS(SyncClient(server.port(), "", "203.0.113.5"));
  // The standard header, a quoted IPv6 client with a port; the same client again without the port.
  auto viaForwarded = connectMany(server, kPerIp - 1, "", R"(for="[2001:db8::1]:4711";proto=https)");
  SyncClient last(server.port(), "", "", "For=\"[2001:DB8:0::1]\"");
  CHECK_THROWS(SyncClient(server.port(), "", "", R"(for="[2001:db8::1]")"));
  // Several elements: what the client wrote first is its to forge; trusted proxies on the right are skipped.
  CHECK_THROWS(SyncClient(server.port(), "", "", R"(for=198.51.100.1, for="[2001:db8::1]:80")"));
  CHECK_THROWS(
      SyncClient(server.port(), "", "", R"(for="[2001:db8::1]", for=127.0.0.9;by=127.0.0.1, for="[fd00::5]")"));
  // Forwarded is the one read when both are sent.
  CHECK_THROWS(SyncClient(server.port(), "", "198.51.100.77", "for=203.0.113.5"));
  SyncClient other(server.port(), "", "", "for=198.51.100.2:5555, for=127.0.0.2");
  CHECK(other.hello(TestSite::id, testToken("ann"), "c-ann").has_value());
  // An entry that is no address ("unknown", an obfuscated name) counts against the proxy itself.
  SyncClient unknown(server.port(), "", "", "for=unknown");
  CHECK(unknown.hello(TestSite::id, testToken("bob"), "c-bob").has_value());
}

TEST_CASE("forwarding headers from a peer that is not a trusted proxy are ignored", "[server][input][deployment]") {
  // Trusted: another network. Each spoofed client name would otherwise get 64 slots of its own.
  ServerProcess server("--trusted-proxy 10.0.0.0/8");
  std::vector<std::unique_ptr<SyncClient>> held;
  for (int i = 0; i < kPerIp; ++i) {
    const std::string spoofed = "203.0.113." + std::to_string(i);
    held.push_back(
        std::make_unique<SyncClient>(server.port(), "", i % 2 ? spoofed : "", i % 2 ? "" : "for=" + spoofed));
  }
  CHECK_THROWS(SyncClient(server.port(), "", "198.51.100.1"));
  CHECK_THROWS(SyncClient(server.port(), "", "", "for=198.51.100.1"));
}

TEST_CASE("a bad --trusted-proxy stops the server with a message naming it", "[server][deployment]") {
  for (const char* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0.1/8", "proxy.example", "10.0.0.0/"}) {
    INFO(bad);
    std::string log = logOfFailedStart(std::string("--trusted-proxy ") + bad);
    CHECK(log.find("bad_trusted_proxy") != std::string::npos);
    CHECK(log.find(bad) != std::string::npos);
  }
}

TEST_CASE("a metrics key file that is missing or too short stops the server with a message naming it",
          "[server][deployment]") {
  const std::string missing = "/tmp/kring-no-such-metrics-key-" + std::to_string(::getpid());
  std::string log = logOfFailedStart("--metrics-key-file " + missing);
  CHECK(log.find(R"("event":"bad_metrics_key_file")") != std::string::npos);
  CHECK(log.find(missing + ": cannot read the file") != std::string::npos);

  const std::string shortKey = missing + "-short";
  std::ofstream(shortKey) << "fifteen-chars!!\n";
  log = logOfFailedStart("--metrics-key-file " + shortKey);
  std::remove(shortKey.c_str());
  CHECK(log.find(R"("event":"bad_metrics_key_file")") != std::string::npos);
  CHECK(log.find("shorter than 16 characters") != std::string::npos);
}

TEST_CASE("a separate admin listener answers the console API and metrics - the public port answers 404 for them",
          "[server][http][deployment]") {
  ServerProcess server("--admin-port 0");
  REQUIRE(server.adminPort() != 0);
  const std::string key = std::string("Bearer ") + TestSite::adminKey;
  HttpResult api = httpRequest(server.port(), "/api/sites/test/export", key);
  CHECK(api.status == 404);
  CHECK(api.body.find("\"not_found\"") != std::string::npos);
  CHECK(httpRequest(server.port(), "/metrics").status == 404);
  CHECK(httpRequest(server.port(), "/console/").status == 404);
  CHECK(httpRequest(server.port(), "/healthz").status == 200);
  SyncClient member(server.port());
  CHECK(member.hello(TestSite::id, testToken("ann"), "c-ann").has_value());

  CHECK(httpRequest(server.adminPort(), "/api/sites/test/export", key).status == 200);
  CHECK(httpRequest(server.adminPort(), "/api/sites/test/export").status == 401);  // still the site's key
  CHECK(httpRequest(server.adminPort(), "/metrics").status == 200);
  CHECK_THROWS(SyncClient(server.adminPort()));  // no /sync there
}
