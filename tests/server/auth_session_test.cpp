// Who a connection is, and for how long: server-issued guest identities, and a signed-in
// connection that ends with its token unless the client refreshes it (docs/auth.md).
#include <catch2/catch.hpp>

#include <chrono>

#include "auth/guest_credential.h"
#include "auth/thread_ticket.h"
#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
std::int64_t nowSeconds() { return nowMs() / 1000; }

std::optional<RejectedMessage> rejectionOf(SyncClient& client, Submit submit) {
  const std::string opId = submit.op.id;
  client.send(submit);
  auto rejected = client.receiveUntil<RejectedMessage>();
  if (rejected) CHECK(rejected->opId == opId);
  return rejected;
}

// A guest connection with a thread and one post of its own, "/p/g" and "g-post".
struct GuestWithPost {
  explicit GuestWithPost(ServerProcess& server, const std::string& clientId) : client(server.port()) {
    auto welcomed = client.hello(TestSite::id, "", clientId);
    REQUIRE(welcomed);
    welcome = *welcomed;
    // Guests create no thread on their own: the page carries the host's ticket for it.
    Submit thread = createThread("g-thread", "/p/g");
    CreateThread& body = std::get<CreateThread>(thread.op.body);
    body.ticket = server::signThreadTicket(TestSite::id, body, TestSite::secret);
    client.send(thread);
    REQUIRE(ackOf(client, "g-thread"));
    client.send(post("g-post", "/p/g", "A guest's post"));
    REQUIRE(ackOf(client, "g-post"));
  }
  SyncClient client;
  Welcome welcome;
};

// Refused at Hello with this error code, then closed.
void requireRefusedHello(ServerProcess& server, const std::string& token, const std::string& credential,
                         const std::string& code) {
  SyncClient client(server.port());
  CHECK_FALSE(client.hello(TestSite::id, token, "c1", credential));
  REQUIRE(client.lastError());
  CHECK(client.lastError()->code == code);
  CHECK_FALSE(client.lastError()->message.empty());
  CHECK(client.closedByServer());
}

}  // namespace

TEST_CASE("the server names each guest, and a client id that spells another guest's id gets nothing of theirs",
          "[server][auth][guest]") {
  ServerProcess server;
  GuestWithPost first(server, "same-label");
  CHECK_THAT(first.welcome.member.id, StartsWith("guest:"));
  CHECK_FALSE(first.welcome.guestCredential.empty());
  CHECK(first.welcome.tokenExpiresAt == 0);

  // The first guest's author id is public (every event names it); the old way in was to send it
  // as the client id.
  const std::string publicId = first.welcome.member.id.substr(std::string("guest:").size());
  for (const std::string& clientId : {publicId, std::string("same-label")}) {
    SyncClient other(server.port());
    auto welcome = other.hello(TestSite::id, "", clientId);
    REQUIRE(welcome);
    CHECK_THAT(welcome->member.id, StartsWith("guest:"));
    CHECK(welcome->member.id != first.welcome.member.id);
    CHECK(welcome->guestCredential != first.welcome.guestCredential);

    auto edit = rejectionOf(other, Submit{makeOp("x-edit-" + clientId, EditPost{"g-post", "Not yours"})});
    REQUIRE(edit);
    CHECK(edit->code == ReasonCode::notAuthor);
    auto remove = rejectionOf(other, Submit{makeOp("x-delete-" + clientId, DeletePost{"g-post"})});
    REQUIRE(remove);
    CHECK(remove->code == ReasonCode::notAuthor);
  }
}

TEST_CASE("a guest that comes back with its credential is the same member and may edit its post",
          "[server][auth][guest]") {
  ServerProcess server;
  std::string credential;
  std::string memberId;
  {
    GuestWithPost first(server, "tab-1");
    credential = first.welcome.guestCredential;
    memberId = first.welcome.member.id;
  }
  SyncClient back(server.port());
  auto welcome = back.hello(TestSite::id, "", "tab-2", credential);
  REQUIRE(welcome);
  CHECK(welcome->member.id == memberId);
  CHECK_FALSE(welcome->guestCredential.empty());  // renewed: another 90 days from this visit
  back.send(Submit{makeOp("g-edit", EditPost{"g-post", "Edited by its author"})});
  CHECK(ackOf(back, "g-edit"));
}

TEST_CASE("a forged, foreign or expired guest credential is refused with bad_guest_credential",
          "[server][auth][guest]") {
  ServerProcess server;
  SyncClient guest(server.port());
  auto welcome = guest.hello(TestSite::id, "", "tab-1");
  REQUIRE(welcome);
  std::string forged = welcome->guestCredential;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const std::string randomId = welcome->member.id.substr(std::string("guest:").size());
  const std::string otherSite =
      server::signGuestCredential({randomId, "closed", nowSeconds() + 3600}, "closed-secret-0123456789-abcdefghijk");
  const std::string expired = server::signGuestCredential({randomId, TestSite::id, nowSeconds() - 1}, TestSite::secret);
  for (const std::string& credential : {forged, otherSite, expired, std::string("guest:tab-1")}) {
    requireRefusedHello(server, "", credential, "bad_guest_credential");
  }
}

TEST_CASE("a token may not name a guest", "[server][auth]") {
  ServerProcess server;
  SyncClient client(server.port());
  CHECK_FALSE(client.hello(TestSite::id, testToken("guest:x"), "c1"));
  REQUIRE(client.lastError());
  CHECK(client.lastError()->code == "bad_token");
  CHECK_THAT(client.lastError()->message, Contains("sub may not start with guest:"));
  CHECK(client.closedByServer());
}

TEST_CASE("a connection whose token expires gets token_expired and is closed", "[server][auth][expiry]") {
  ServerProcess server;
  SyncClient client(server.port());
  const std::int64_t before = nowSeconds();
  auto welcome = client.hello(TestSite::id, testToken("ann", "member", 2), "c1");
  REQUIRE(welcome);
  CHECK(welcome->tokenExpiresAt >= (before + 2) * 1000);
  CHECK(welcome->tokenExpiresAt <= (before + 3) * 1000);
  CHECK(welcome->guestCredential.empty());
  auto error = client.receiveUntil<ErrorMessage>(4s);
  REQUIRE(error);
  CHECK(error->code == "token_expired");
  CHECK(error->message == "Your sign-in expired; reconnect with a fresh token.");
  CHECK(client.closedByServer());
}

TEST_CASE("a connection that refreshes its token stays open past the first expiry", "[server][auth][expiry]") {
  ServerProcess server;
  SyncClient client(server.port());
  auto first = client.hello(TestSite::id, testToken("ann", "member", 2), "c1");
  REQUIRE(first);
  client.send(RefreshToken{testToken("ann", "moderator", 600)});
  auto renewed = client.receiveUntil<Welcome>();
  REQUIRE(renewed);
  CHECK(renewed->member.id == "ann");
  CHECK(renewed->member.role == Role::moderator);
  CHECK(renewed->tokenExpiresAt > first->tokenExpiresAt + 500'000);

  // Past the first token's expiry: nothing arrives, and the connection still answers.
  CHECK_FALSE(client.receive(std::chrono::milliseconds(first->tokenExpiresAt + 500 - nowMs())));
  client.send(Ping{9});
  auto pong = client.receiveUntil<Pong>();
  REQUIRE(pong);
  CHECK(pong->nonce == 9);
}

TEST_CASE("a refresh for another member, a bad token or a guest is refused", "[server][auth][expiry]") {
  ServerProcess server;
  const auto refusedRefresh = [&](SyncClient& client, const std::string& token) {
    client.send(RefreshToken{token});
    auto error = client.receiveUntil<ErrorMessage>();
    REQUIRE(error);
    CHECK(error->code == "bad_token");
    CHECK(client.closedByServer());
  };
  auto ann = signedIn(server, "ann");
  refusedRefresh(*ann, testToken("bob"));
  auto cat = signedIn(server, "cat");
  refusedRefresh(*cat, testToken("cat", "member", -10));
  SyncClient guest(server.port());
  REQUIRE(guest.hello(TestSite::id, "", "tab-1"));
  refusedRefresh(guest, testToken("cat"));
}
