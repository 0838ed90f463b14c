// Thread creation over the real server: a TL0 member needs the host's ticket for exactly the
// thread they create, and the admin API creates threads as the site (docs/protocol.md).
#include <catch2/catch.hpp>

#include <signal.h>

#include "auth/thread_ticket.h"
#include "auth/token.h"
#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

#include <ctime>

using namespace kring;
using namespace kring::testing;
using kring::server::checkThreadTicket;
using kring::server::signThreadTicket;

namespace {

// The mechanics policy with the thread gate at its default (TL1).
const std::string kGatedPolicy = [] {
  std::string policy = TestSite::mechanicsPolicy;
  const std::string open = "\"threadCreateMinTrustLevel\":0,";
  policy.erase(policy.find(open), open.size());
  return policy;
}();

CreateThread launch(std::string title = "Next Phone") {
  return CreateThread{"/products/next-phone", ThreadKind::question, std::move(title)};
}

Submit withTicket(std::string id, CreateThread thread, std::string ticket) {
  thread.ticket = std::move(ticket);
  return Submit{makeOp(std::move(id), std::move(thread))};
}

std::optional<RejectedMessage> rejectionOf(SyncClient& client) { return client.receiveUntil<RejectedMessage>(); }

HttpResult postJson(unsigned short port, const std::string& target, const std::string& body,
                    const std::string& authorization) {
  return httpRequest(port, target, authorization, boost::beast::http::verb::post, body);
}

const std::string kAdmin = std::string("Bearer ") + TestSite::adminKey;

}  // namespace

TEST_CASE("a TL0 member cannot squat a thread key - a forged or mismatched ticket is refused", "[server][threads]") {
  ServerProcess server("", kGatedPolicy);
  auto nina = signedIn(server, "nina");

  nina->send(Submit{makeOp("t-0", launch())});
  auto plain = rejectionOf(*nina);
  REQUIRE(plain);
  CHECK(plain->code == ReasonCode::threadCreationRestricted);

  // The client's own hostApproved is cleared like its actor and time.
  CreateThread claimed = launch();
  claimed.hostApproved = true;
  nina->send(Submit{makeOp("t-1", claimed)});
  auto cleared = rejectionOf(*nina);
  REQUIRE(cleared);
  CHECK(cleared->code == ReasonCode::threadCreationRestricted);

  const std::string wrongSecret = signThreadTicket(TestSite::id, launch(), "not-the-site-secret-0123456789-abcdef");
  const std::string otherTitle = signThreadTicket(TestSite::id, launch("This phone is garbage"), TestSite::secret);
  const std::string otherSite = signThreadTicket("closed", launch(), TestSite::secret);
  const std::string expired = signThreadTicket(TestSite::id, launch(), TestSite::secret, 1'000'000'000);
  const std::string good = signThreadTicket(TestSite::id, launch(), TestSite::secret);
  std::string tampered = good;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  int n = 2;
  for (const std::string& ticket :
       {wrongSecret, otherTitle, otherSite, expired, tampered, std::string("not.a.ticket")}) {
    INFO("ticket " << n);
    nina->send(withTicket("t-" + std::to_string(n++), launch(), ticket));
    auto refused = rejectionOf(*nina);
    REQUIRE(refused);
    CHECK(refused->code == ReasonCode::badThreadTicket);
  }
  // A good ticket for another title does not approve this one.
  nina->send(withTicket("t-title", launch("This phone is garbage"), good));
  auto mismatched = rejectionOf(*nina);
  REQUIRE(mismatched);
  CHECK(mismatched->code == ReasonCode::badThreadTicket);

  auto cat = signedIn(server, "cat");
  cat->send(Subscribe{"/products/next-phone", 0});
  auto nothing = cat->receiveUntil<EventsMessage>();
  REQUIRE(nothing);
  CHECK(nothing->events.empty());  // no thread yet
}

TEST_CASE("a valid thread ticket creates the thread for a TL0 member - also after a restart", "[server][threads]") {
  ServerProcess server("", kGatedPolicy);
  auto nina = signedIn(server, "nina");
  nina->send(withTicket("t-1", launch(), signThreadTicket(TestSite::id, launch(), TestSite::secret)));
  REQUIRE(ackOf(*nina, "t-1"));
  auto cat = signedIn(server, "cat");
  ThreadView view = viewFromSnapshot(*cat, "/products/next-phone");
  CHECK(view.title == "Next Phone");
  CHECK(view.kind == ThreadKind::question);

  // The stored op carries hostApproved, so the log replays.
  server.kill(SIGTERM);
  REQUIRE(server.exitStatus() == 0);
  server.start();
  auto again = signedIn(server, "cat");
  CHECK(viewFromSnapshot(*again, "/products/next-phone").title == "Next Phone");
}

TEST_CASE("the admin API creates a thread as the site before anyone can take its key", "[server][threads][http]") {
  ServerProcess server("", kGatedPolicy);
  const std::string target = "/api/sites/test/threads";
  const std::string body = R"({"key":"/products/next-phone","kind":"question","title":"Next Phone"})";
  CHECK(postJson(server.port(), target, body, "").status == 401);
  CHECK(postJson(server.port(), target, body, "Bearer wrong-key-0123456789-abcdef").status == 401);
  CHECK(postJson(server.port(), target, "{\"key\":1}", kAdmin).status == 400);
  CHECK(postJson(server.port(), target, R"({"key":"/x","title":"T","kind":"poll"})", kAdmin).status == 400);

  HttpResult created = postJson(server.port(), target, body, kAdmin);
  CHECK(created.status == 201);
  CHECK(created.body.find("\"title\":\"Next Phone\"") != std::string::npos);
  HttpResult again = postJson(server.port(), target, body, kAdmin);
  CHECK(again.status == 409);
  CHECK(again.body.find("thread_exists") != std::string::npos);

  auto nina = signedIn(server, "nina");
  ThreadView view = viewFromSnapshot(*nina, "/products/next-phone");
  CHECK(view.title == "Next Phone");
  CHECK(view.kind == ThreadKind::question);
  nina->send(post("p-1", "/products/next-phone", "Does it come in blue?"));
  CHECK(ackOf(*nina, "p-1"));
  // The squatter is too late.
  nina->send(Submit{makeOp("t-late", launch("This phone is garbage"))});
  auto late = rejectionOf(*nina);
  REQUIRE(late);
  CHECK(late->code == ReasonCode::threadCreationRestricted);

  // Other admin routes still answer GET only.
  CHECK(postJson(server.port(), "/api/sites/test/export", "{}", kAdmin).status == 405);
}

TEST_CASE("a thread ticket is no login token, and a login token no ticket", "[server][threads][auth]") {
  const std::int64_t now = std::time(nullptr);
  const std::string ticket = signThreadTicket(TestSite::id, launch(), TestSite::secret, now + 600);
  CHECK(checkThreadTicket(ticket, TestSite::secret, TestSite::id, launch(), now));
  server::TokenResult asToken = server::verifyToken(ticket, TestSite::secret, now, TestSite::id);
  CHECK_FALSE(asToken);
  CHECK(asToken.error().code == server::TokenError::missingClaim);
  const Status asTicket = checkThreadTicket(testToken("nina"), TestSite::secret, TestSite::id, launch(), now);
  REQUIRE_FALSE(asTicket);
  CHECK(asTicket.error().code == ReasonCode::badThreadTicket);
}
