// Holes an attacker found in what ships (issue 27), each closed on the real binary: a socket that
// never says Hello, IPv6 clients counted by network, the server's own subjects in tokens, a banned
// moderator at the console and in the widget, the console and API on public addresses, failed
// console sign-ins, guests made by the dozen from one address, and console reads that held the io thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "kring/view.h"
#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

std::string errorOf(const HttpResult& result) {
  boost::json::object body = parsedObject(result);
  return body.contains("error") ? std::string(body.at("error").as_string()) : std::string();
}

std::string bearer(const std::string& credential) { return "Bearer " + credential; }

HttpResult act(const ServerProcess& server, const std::string& body) {
  return httpRequest(server.port(), "/api/sites/test/actions", bearer(TestSite::adminKey), http::verb::post, body);
}

// The test sites with `fields` added to the test site ("name":value pairs, comma-separated).
std::string sitesWith(const std::string& fields) {
  std::string sites = testSitesJson();
  const std::string anchor = R"("guestPosting":true,)";
  return sites.insert(sites.find(anchor) + anchor.size(), fields + ",");
}

}  // namespace

TEST_CASE("a WebSocket that never says Hello is closed with hello_timeout and gives its slot back",
          "[server][hardening]") {
  ServerProcess server("--hello-timeout-seconds 1 --max-connections-per-ip 1");
  SyncClient silent(server.port());
  CHECK_THROWS(SyncClient(server.port()));  // the one slot is held
  auto error = silent.receiveUntil<ErrorMessage>(3000ms);
  REQUIRE(error);
  CHECK(error->code == "hello_timeout");
  CHECK(silent.closedByServer(2000ms));
  // The slot is free again, and a client that says Hello in time stays.
  std::optional<SyncClient> prompt;
  for (int attempt = 0; attempt < 20 && !prompt; ++attempt) {
    try {
      prompt.emplace(server.port());
    } catch (const std::exception&) {
      std::this_thread::sleep_for(50ms);
    }
  }
  REQUIRE(prompt);
  REQUIRE(prompt->hello(TestSite::id, testToken("ann"), "c-ann"));
  std::this_thread::sleep_for(1500ms);
  prompt->send(Ping{3});
  CHECK(prompt->receiveUntil<Pong>());
}

TEST_CASE("per-address connection caps count an IPv6 client by its /64, through a trusted proxy",
          "[server][hardening]") {
  ServerProcess server("--trusted-proxy 127.0.0.0/8 --max-connections-per-ip 3");
  // Three addresses of one /64 share its three slots.
  SyncClient a(server.port(), "", "", R"(for="[2001:db8:1:2::1]")");
  SyncClient b(server.port(), "", "", R"(for="[2001:db8:1:2::2]")");
  SyncClient c(server.port(), "", "", R"(for="[2001:db8:1:2:ffff:ffff:ffff:ffff]")");
  CHECK_THROWS(SyncClient(server.port(), "", "", R"(for="[2001:db8:1:2::4]")"));
  // Another /64 has its own; IPv4 addresses are counted one by one.
  SyncClient other(server.port(), "", "", R"(for="[2001:db8:1:3::1]")");
  CHECK(other.hello(TestSite::id, testToken("ann"), "c-ann"));
  SyncClient v4a(server.port(), "", "203.0.113.5"), v4b(server.port(), "", "203.0.113.6");
  CHECK(v4b.hello(TestSite::id, testToken("bob"), "c-bob"));

  SECTION("the prefix length is a flag") {
    ServerProcess perAddress("--trusted-proxy 127.0.0.0/8 --max-connections-per-ip 1 --ipv6-prefix-length 128");
    SyncClient first(perAddress.port(), "", "", R"(for="[2001:db8:1:2::1]")");
    SyncClient second(perAddress.port(), "", "", R"(for="[2001:db8:1:2::2]")");
    CHECK(second.hello(TestSite::id, testToken("ann"), "c-ann"));
  }
}

TEST_CASE("a token may use none of the server's own subjects: kring: as well as guest:", "[server][hardening]") {
  ServerProcess server;
  for (const char* subject : {"kring:console", "kring:site", "guest:abc"}) {
    INFO(subject);
    SyncClient client(server.port());
    CHECK_FALSE(client.hello(TestSite::id, testToken(subject, "admin"), "c-1"));
    REQUIRE(client.lastError());
    CHECK(client.lastError()->code == "bad_token");
    CHECK(client.lastError()->message.find("kring:") != std::string::npos);
    HttpResult console = httpRequest(server.port(), "/api/sites/test/whoami", bearer(testToken(subject, "admin")));
    CHECK(console.status == 401);
  }
  // The admin key still acts as kring:console.
  CHECK(httpRequest(server.port(), "/api/sites/test/whoami", bearer(TestSite::adminKey)).status == 200);
}

TEST_CASE("a banned or suspended moderator is refused by the console and loses the moderator view",
          "[server][hardening]") {
  ServerProcess server;
  const std::string mia = bearer(testToken("mia", "moderator"));
  auto ann = signedIn(server, "ann");
  ann->send(createThread("ann-0", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-0"));
  auto miaClient = signedIn(server, "mia", "moderator");
  miaClient->send(post("mia-1", "/p/1", "a moderator's post"));
  REQUIRE(ackOf(*miaClient, "mia-1"));
  REQUIRE(httpRequest(server.port(), "/api/sites/test/moderation", mia).status == 200);
  // What a moderator's widget holds that a member's does not: the screening settings (spamHoldScore
  // is 1,000,000 in the test site's policy, the default 60 for everyone else).
  auto welcomedSpamHoldScore = [&] {
    SyncClient client(server.port());
    auto welcome = client.hello(TestSite::id, testToken("mia", "moderator"), "c-mia");
    REQUIRE(welcome);
    return welcome->policy.spamHoldScore;
  };
  REQUIRE(welcomedSpamHoldScore() == 1'000'000);

  SECTION("banned") {
    REQUIRE(act(server, R"({"moderate":{"action":"ban","memberId":"mia","reason":"abuse"}})").status == 200);
    HttpResult refused = httpRequest(server.port(), "/api/sites/test/moderation", mia);
    CHECK(refused.status == 403);
    CHECK(errorOf(refused) == "member_banned");
    CHECK(httpRequest(server.port(), "/api/sites/test/audit", mia).status == 403);
    CHECK(welcomedSpamHoldScore() == Policy{}.spamHoldScore);
  }
  SECTION("suspended") {
    const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                           .count();
    REQUIRE(act(server, R"({"moderate":{"action":"suspend","memberId":"mia","reason":"cool off","until":)" +
                            std::to_string(until) + "}}")
                .status == 200);
    HttpResult refused = httpRequest(server.port(), "/api/sites/test/moderation", mia);
    CHECK(refused.status == 403);
    CHECK(errorOf(refused) == "member_suspended");
    CHECK(welcomedSpamHoldScore() == Policy{}.spamHoldScore);
  }
}

TEST_CASE("without --admin-port the console and its API answer this machine only, unless --public-admin",
          "[server][hardening]") {
  const std::vector<std::pair<std::string, std::string>> remote{{"X-Forwarded-For", "203.0.113.5"}};
  const std::string admin = bearer(TestSite::adminKey);
  {
    ServerProcess server("--trusted-proxy 127.0.0.0/8");
    HttpResult refused = httpRequest(server.port(), "/api/sites/test/whoami", admin, http::verb::get, "", remote);
    CHECK(refused.status == 403);
    CHECK(errorOf(refused) == "admin_not_public");
    CHECK(httpRequest(server.port(), "/console/", "", http::verb::get, "", remote).status == 403);
    CHECK(httpRequest(server.port(), "/api/sites/test/whoami", admin).status == 200);  // on loopback
    CHECK(httpRequest(server.port(), "/healthz", "", http::verb::get, "", remote).status == 200);
    CHECK(serverLog(server).find(R"("event":"console_reachable","from":"this machine only)") != std::string::npos);
  }
  ServerProcess open("--trusted-proxy 127.0.0.0/8 --public-admin");
  CHECK(httpRequest(open.port(), "/api/sites/test/whoami", admin, http::verb::get, "", remote).status == 200);
}

TEST_CASE("failed console sign-ins are logged without the credential and throttled per address",
          "[server][hardening]") {
  ServerProcess server;
  const std::string wrong = "not-the-admin-key-0123456789-zz";
  int unauthorized = 0;
  HttpResult last;
  for (int i = 0; i < 12; ++i) {
    last = httpRequest(server.port(), "/api/sites/test/whoami", bearer(wrong));
    if (last.status == 401) ++unauthorized;
  }
  CHECK(unauthorized == 10);
  CHECK(last.status == 429);
  CHECK(errorOf(last) == "too_many_sign_in_failures");
  CHECK(!last.retryAfter.empty());
  // Even the right key waits until the address's budget refills.
  CHECK(httpRequest(server.port(), "/api/sites/test/whoami", bearer(TestSite::adminKey)).status == 429);
  const std::string log = serverLog(server);
  CHECK(log.find(R"("event":"console_sign_in_failed")") != std::string::npos);
  CHECK(log.find(wrong) == std::string::npos);
  std::this_thread::sleep_for(1100ms);
  CHECK(httpRequest(server.port(), "/api/sites/test/whoami", bearer(TestSite::adminKey)).status == 200);
}

TEST_CASE("guests from one address: new guests and guest posts are limited per hour, by the site's settings",
          "[server][hardening]") {
  ServerProcess server("--trusted-proxy 127.0.0.0/8", TestSite::mechanicsPolicy,
                       sitesWith(R"("newGuestsPerAddressPerHour":3,"guestPostsPerAddressPerHour":4)"));
  auto ann = signedIn(server, "ann");
  ann->send(createThread("ann-0", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-0"));

  std::vector<std::unique_ptr<SyncClient>> guests;
  for (int i = 0; i < 3; ++i) {
    guests.push_back(std::make_unique<SyncClient>(server.port(), "", "198.51.100.7"));
    REQUIRE(guests.back()->hello(TestSite::id, "", "guest-" + std::to_string(i)));
  }
  SyncClient fourth(server.port(), "", "198.51.100.7");
  CHECK_FALSE(fourth.hello(TestSite::id, "", "guest-3"));
  REQUIRE(fourth.lastError());
  CHECK(fourth.lastError()->code == "too_many_guests");
  // Another address, and a signed-in member from this one, are not held back.
  SyncClient elsewhere(server.port(), "", "198.51.100.8");
  CHECK(elsewhere.hello(TestSite::id, "", "guest-elsewhere"));

  // Four guest posts from the address in all, whichever guest sends them.
  int stored = 0;
  for (int i = 0; i < 5; ++i) {
    SyncClient& guest = *guests[static_cast<std::size_t>(i % 2)];
    std::string id = "guest-post-" + std::to_string(i);
    guest.send(post(id, "/p/1", "a guest's post " + std::to_string(i)));
    auto answer = guest.receiveUntil<RejectedMessage>(300ms);
    if (!answer) {
      ++stored;
      continue;
    }
    CHECK(i == 4);
    CHECK(answer->code == ReasonCode::rateLimited);
    CHECK(answer->message.find("Guests from this address") != std::string::npos);
  }
  CHECK(stored == 4);
  SyncClient member(server.port(), "", "198.51.100.7");
  REQUIRE(member.hello(TestSite::id, testToken("bob"), "c-bob"));
  member.send(post("bob-1", "/p/1", "a member's post"));
  CHECK(ackOf(member, "bob-1"));
}

TEST_CASE("console requests are limited per credential, and the unanswered list per answer", "[server][hardening]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  for (int i = 0; i < 3; ++i) {
    std::string key = "/p/" + std::to_string(i);
    ann->send(createThread("t-" + std::to_string(i), key));
    REQUIRE(ackOf(*ann, "t-" + std::to_string(i)));
    ann->send(post("q-" + std::to_string(i), key, "Does anyone know? " + std::to_string(i)));
    REQUIRE(ackOf(*ann, "q-" + std::to_string(i)));
  }
  const std::string admin = bearer(TestSite::adminKey);
  boost::json::object limited = parsedObject(httpRequest(server.port(), "/api/sites/test/unanswered?limit=2", admin));
  CHECK(limited["count"] == 3);
  CHECK(limited["starters"].as_array().size() == 2);
  CHECK(httpRequest(server.port(), "/api/sites/test/unanswered?limit=0", admin).status == 400);
  CHECK(httpRequest(server.port(), "/api/sites/test/unanswered?limit=1001", admin).status == 400);

  // A flood from one credential is refused past its burst; another credential is not held back.
  int refused = 0;
  HttpResult last;
  for (int i = 0; i < 60; ++i) {
    HttpResult result = httpRequest(server.port(), "/api/sites/test/members?limit=1", admin);
    if (result.status == 429) {
      ++refused;
      last = result;
    }
  }
  CHECK(refused > 0);
  CHECK(errorOf(last) == "too_many_requests");
  CHECK(last.retryAfter == "1");
  CHECK(httpRequest(server.port(), "/api/sites/test/whoami", bearer(testToken("ada", "admin"))).status == 200);
}

TEST_CASE("console reads run beside the io thread: a write is acknowledged while a slow read is under way",
          "[server][hardening]") {
  // Each read waits 1.5 s on the reader thread: on the io thread it would hold every site's writes.
  ServerProcess server("--fault-console-read-delay-ms 1500");
  auto ann = signedIn(server, "ann");
  std::atomic<bool> readDone{false};
  auto read = std::async(std::launch::async, [&] {
    HttpResult result = httpRequest(server.port(), "/api/sites/test/moderation", bearer(TestSite::adminKey));
    readDone = true;
    return result;
  });
  std::this_thread::sleep_for(200ms);  // the read has reached the reader
  ann->send(createThread("during-read", "/p/during-read"));
  REQUIRE(ackOf(*ann, "during-read"));
  CHECK_FALSE(readDone.load());
  HttpResult answered = read.get();
  CHECK(answered.status == 200);
  CHECK(parsedObject(answered).at("queue").is_array());
}

TEST_CASE(
    "console reads: two at once per credential, a bounded queue over all, and both refusals say when to come back",
    "[server][hardening]") {
  ServerProcess server("--fault-console-read-delay-ms 300" + std::string(kUnlimitedRates));
  auto askAll = [&](const std::vector<std::string>& credentials) {
    std::vector<std::future<HttpResult>> asked;
    for (const std::string& credential : credentials) {
      asked.push_back(std::async(std::launch::async, [&server, credential] {
        return httpRequest(server.port(), "/api/sites/test/members?limit=1", credential);
      }));
    }
    std::vector<HttpResult> results;
    for (auto& answer : asked) results.push_back(answer.get());
    return results;
  };
  // One moderator's three reads at once: the third waits for none, it is refused.
  const std::string mia = bearer(testToken("mia", "moderator"));
  std::vector<HttpResult> three = askAll({mia, mia, mia});
  int served = 0;
  for (const HttpResult& result : three) {
    if (result.status == 200) {
      ++served;
    } else {
      CHECK(result.status == 429);
      CHECK(errorOf(result) == "too_many_requests");
      CHECK(parsedObject(result).at("message").as_string().find("Two reads") != boost::json::string::npos);
      CHECK(result.retryAfter == "1");
    }
  }
  CHECK(served == 2);

  // Twenty moderators with two reads each: 16 wait (the server's bound), one more may already be
  // running, the rest are refused 503.
  constexpr std::size_t kConsoleReadsWaitingForTests = 16;
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) {
    const std::string credential = bearer(testToken("m" + std::to_string(i), "moderator"));
    many.push_back(credential);
    many.push_back(credential);
  }
  int ok = 0, busy = 0;
  for (const HttpResult& result : askAll(many)) {
    if (result.status == 200) ++ok;
    if (result.status == 503) {
      ++busy;
      CHECK(errorOf(result) == "console_busy");
      CHECK(result.retryAfter == "1");
    }
  }
  CHECK(ok + busy == 40);
  CHECK(busy > 0);
  CHECK(ok >= static_cast<int>(kConsoleReadsWaitingForTests));
}

TEST_CASE(
    "console lists are paged: the audit by pages from the newest with a Link to the one before, the queue with its "
    "total",
    "[server][hardening]") {
  std::string policy = TestSite::mechanicsPolicy;
  policy.insert(policy.size() - 2, R"(,"preModerateBelowTrustLevel":1)");
  ServerProcess server("", policy);
  auto ann = signedIn(server, "ann");
  ann->send(createThread("paged-thread", "/p/paged"));
  REQUIRE(ackOf(*ann, "paged-thread"));
  for (int i = 0; i < 5; ++i) {
    const std::string id = "held-" + std::to_string(i);
    ann->send(post(id, "/p/paged", "Post number " + std::to_string(i)));
    REQUIRE(ackOf(*ann, id));
  }
  const std::string admin = bearer(TestSite::adminKey);
  boost::json::object firstTwo = parsedObject(httpRequest(server.port(), "/api/sites/test/moderation?limit=2", admin));
  REQUIRE(firstTwo.at("total") == 5);
  REQUIRE(firstTwo.at("queue").as_array().size() == 2);
  CHECK(firstTwo.at("queue").as_array()[0].at("postId") == "held-0");
  CHECK(firstTwo.at("queue").as_array()[1].at("postId") == "held-1");
  CHECK(parsedObject(httpRequest(server.port(), "/api/sites/test/moderation", admin)).at("queue").as_array().size() ==
        5);
  CHECK(httpRequest(server.port(), "/api/sites/test/moderation?limit=1001", admin).status == 400);

  for (int i = 0; i < 5; ++i) {
    REQUIRE(act(server, R"({"id":"approve-)" + std::to_string(i) +
                            R"(","moderate":{"action":"approve","postId":"held-)" + std::to_string(i) +
                            R"(","reason":"fine"}})")
                .status == 200);
  }
  auto ids = [](const HttpResult& result) {
    std::vector<std::string> found;
    const boost::json::value entries = boost::json::parse(result.body);
    for (const auto& entry : entries.as_array()) found.emplace_back(entry.at("id").as_string());
    return found;
  };
  HttpResult everything = httpRequest(server.port(), "/api/sites/test/audit", admin);
  const std::vector<std::string> all = ids(everything);
  REQUIRE(all.size() >= 5);
  REQUIRE(std::vector<std::string>(all.end() - 5, all.end()) ==
          std::vector<std::string>{"approve-0", "approve-1", "approve-2", "approve-3", "approve-4"});
  CHECK(everything.link.empty());

  // Page by page from the newest, following each Link, gives the whole audit back in order.
  HttpResult page = httpRequest(server.port(), "/api/sites/test/audit?limit=2", admin);
  CHECK(ids(page) == std::vector<std::string>{"approve-3", "approve-4"});
  std::vector<std::string> paged = ids(page);
  int pages = 1;
  while (!page.link.empty() && pages < 10) {
    REQUIRE(page.link.starts_with("</api/sites/test/audit?limit=2&before="));
    REQUIRE(page.link.ends_with(">; rel=\"next\""));
    page = httpRequest(server.port(), page.link.substr(1, page.link.find('>') - 1), admin);
    REQUIRE(page.status == 200);
    std::vector<std::string> older = ids(page);
    REQUIRE(!older.empty());
    paged.insert(paged.begin(), older.begin(), older.end());
    ++pages;
  }
  CHECK(paged == all);
  CHECK(pages == static_cast<int>((all.size() + 1) / 2));
  CHECK(httpRequest(server.port(), "/api/sites/test/audit?limit=0", admin).status == 400);
  CHECK(httpRequest(server.port(), "/api/sites/test/audit?limit=1001", admin).status == 400);
  CHECK(httpRequest(server.port(), "/api/sites/test/audit?before=x", admin).status == 400);
}

TEST_CASE(
    "a flood of guests' held posts does not bury the queue: past the site's share they wait apart as suspected spam",
    "[server][hardening]") {
  ServerProcess server("", TestSite::mechanicsPolicy, sitesWith(R"("heldGuestPostsInQueue":2)"));
  auto ann = signedIn(server, "ann");
  ann->send(createThread("ann-0", "/p/1"));
  REQUIRE(ackOf(*ann, "ann-0"));
  SyncClient guest(server.port());
  REQUIRE(guest.hello(TestSite::id, "", "guest-flood"));
  for (int i = 0; i < 5; ++i) {
    const std::string id = "guest-" + std::to_string(i);
    guest.send(post(id, "/p/1", "words of a guest, number " + std::to_string(i)));
    REQUIRE(ackOf(guest, id));
  }
  const std::string admin = bearer(TestSite::adminKey);
  auto heldIds = [](const boost::json::object& answer) {
    std::vector<std::string> ids;
    for (const auto& item : answer.at("queue").as_array()) {
      if (item.at("category") == "held" || item.at("category") == "spamSuspect")
        ids.emplace_back(item.at("postId").as_string());
    }
    return ids;
  };
  boost::json::object queue = parsedObject(httpRequest(server.port(), "/api/sites/test/moderation", admin));
  CHECK(heldIds(queue) == std::vector<std::string>{"guest-3", "guest-4"});
  CHECK(queue.at("spamSuspect") == 3);
  boost::json::object aside =
      parsedObject(httpRequest(server.port(), "/api/sites/test/moderation?bucket=spam_suspect", admin));
  CHECK(heldIds(aside) == std::vector<std::string>{"guest-0", "guest-1", "guest-2"});
  CHECK(aside.at("total") == 3);
  for (const auto& item : aside.at("queue").as_array()) CHECK(item.at("category") == "spamSuspect");
  CHECK(httpRequest(server.port(), "/api/sites/test/moderation?bucket=other", admin).status == 400);

  // A moderator's decision takes a post out of either list.
  REQUIRE(act(server, R"({"moderate":{"action":"reject","postId":"guest-0","reason":"spam"}})").status == 200);
  aside = parsedObject(httpRequest(server.port(), "/api/sites/test/moderation?bucket=spam_suspect", admin));
  CHECK(heldIds(aside) == std::vector<std::string>{"guest-1", "guest-2"});
}
