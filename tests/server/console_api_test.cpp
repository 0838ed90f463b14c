// The console API (docs/console.md) on the real binary: who is asking, the actions that go through
// the same core path as /sync ops, members, and the review queue.
#include <catch2/catch.hpp>

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>

#include "kring/metrics.h"

#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
namespace http = boost::beast::http;

namespace {

std::string bearer(const std::string& credential) { return "Bearer " + credential; }
const std::string kAdminKey = bearer(TestSite::adminKey);
const std::string kModerator = bearer(testToken("mia", "moderator"));
const std::string kAdmin = bearer(testToken("ada", "admin"));

HttpResult get(const ServerProcess& server, const std::string& what, const std::string& credential = kAdminKey) {
  return httpRequest(server.port(), "/api/sites/test/" + what, credential);
}

HttpResult act(const ServerProcess& server, const std::string& body, const std::string& credential = kModerator) {
  return httpRequest(server.port(), "/api/sites/test/actions", credential, http::verb::post, body);
}

std::string errorOf(const HttpResult& result) {
  boost::json::object body = parsedObject(result);
  return body.contains("error") ? std::string(body.at("error").as_string()) : std::string();
}

// The tests' mechanics policy with more settings: a console policy update replaces the whole policy.
std::string mechanicsWith(const std::string& settings) {
  std::string policy = TestSite::mechanicsPolicy;
  return policy.insert(policy.size() - 2, "," + settings);
}

// A thread by ann with one post of hers, and ann's client following it.
std::unique_ptr<SyncClient> annWithPost(ServerProcess& server, const std::string& postId = "ann-post") {
  auto ann = signedIn(server, "ann");
  ann->send(Subscribe{"/p/console", 0});
  REQUIRE(ann->receiveUntil<EventsMessage>());
  ann->send(createThread("ann-thread", "/p/console"));
  REQUIRE(ackOf(*ann, "ann-thread"));
  ann->send(post(postId, "/p/console", "Where do I find the manual?"));
  REQUIRE(ackOf(*ann, postId));
  return ann;
}

}  // namespace

TEST_CASE("console whoami: the admin key is kring:console, a token its member with the role they act with",
          "[server][console]") {
  ServerProcess server;
  boost::json::object key = parsedObject(get(server, "whoami"));
  CHECK(key.at("site") == "test");
  CHECK(key.at("memberId") == "kring:console");
  CHECK(key.at("displayName") == "Site admin (key)");
  CHECK(key.at("role") == "admin");

  boost::json::object moderator = parsedObject(get(server, "whoami", kModerator));
  CHECK(moderator.at("memberId") == "mia");
  CHECK(moderator.at("displayName") == "Name of mia");
  CHECK(moderator.at("role") == "moderator");
  CHECK(parsedObject(get(server, "whoami", kAdmin)).at("role") == "admin");

  CHECK(get(server, "whoami", "").status == 401);
  CHECK(errorOf(get(server, "whoami", "")) == "credentials_required");
  CHECK(errorOf(get(server, "whoami", bearer("not-a-token"))) == "bad_credentials");
  const std::string member = bearer(testToken("bob"));
  CHECK(get(server, "whoami", member).status == 403);
  CHECK(errorOf(get(server, "whoami", member)) == "not_a_moderator");

  // A role an admin assigned in Kring wins over the token's: bob becomes a moderator.
  auto bob = signedIn(server, "bob");
  bob->send(Submit{makeOp("bob-reads", RecordReading{{}, 0, 0})});
  REQUIRE(ackOf(*bob, "bob-reads"));
  HttpResult promoted =
      act(server, R"({"moderate":{"action":"set_role","memberId":"bob","role":"moderator","reason":"helps a lot"}})",
          kAdmin);
  CHECK(promoted.status == 200);
  CHECK(parsedObject(get(server, "whoami", member)).at("role") == "moderator");
}

TEST_CASE(
    "console actions: a moderator's approve is a core op like /sync's - widgets hear it, retries are already applied",
    "[server][console]") {
  ServerProcess server;
  // Hold every post from members below trust level 1, by the admin's policy update.
  HttpResult policy =
      act(server, R"({"policy":)" + mechanicsWith(R"("preModerateBelowTrustLevel":1)") + "}", kAdminKey);
  REQUIRE(policy.status == 200);
  auto ann = annWithPost(server, "held-post");

  boost::json::object queue = parsedObject(get(server, "moderation", kModerator));
  REQUIRE(queue.at("queue").as_array().size() == 1);
  const boost::json::object& item = queue.at("queue").as_array()[0].as_object();
  CHECK(item.at("postId") == "held-post");
  CHECK(item.at("category") == "held");
  CHECK(item.at("stage") == "pre_moderation");
  CHECK(item.at("heldReason") == "pre_moderated");
  CHECK(item.at("threadTitle") == "Title");
  CHECK(item.at("threadKind") == "discussion");
  CHECK(item.at("author").as_object().at("id") == "ann");
  CHECK(item.at("author").as_object().at("trustLevel") == 0);
  CHECK(item.at("author").as_object().at("guest") == false);
  std::int64_t spamScore = item.at("spamScore").as_int64();
  CHECK(spamScore >= 0);
  CHECK(spamScore <= 100);

  HttpResult approved =
      act(server, R"({"id":"console-1","moderate":{"action":"approve","postId":"held-post","reason":"fine"}})");
  CHECK(approved.status == 200);
  CHECK(parsedObject(approved).at("opId") == "console-1");
  CHECK(parsedObject(approved).at("status") == "accepted");
  // Ann's widget hears that her post is up, as for a moderator's op over /sync.
  bool shown = false;
  for (int i = 0; i < 5 && !shown; ++i) {
    auto events = ann->receiveUntil<EventsMessage>();
    REQUIRE(events);
    for (const Event& event : events->events) {
      if (auto* changed = std::get_if<PostChanged>(&event.body)) {
        shown = changed->post.id == "held-post" && changed->post.state == PostState::visible;
      }
    }
  }
  CHECK(shown);
  // Ann's first post, once approved, has had its look: it does not come back as a first post.
  CHECK(parsedObject(get(server, "moderation")).at("queue").as_array().empty());

  // A retry with the same id is already applied; the same action again is not pending.
  HttpResult retried =
      act(server, R"({"id":"console-1","moderate":{"action":"approve","postId":"held-post","reason":"fine"}})");
  CHECK(retried.status == 409);
  CHECK(errorOf(retried) == "already_applied");
  HttpResult again = act(server, R"({"moderate":{"action":"approve","postId":"held-post","reason":"fine"}})");
  CHECK(again.status == 409);
  CHECK(errorOf(again) == "not_pending");

  // The audit names the moderator; the undo goes through the same door, once.
  boost::json::array audit = boost::json::parse(get(server, "audit").body).as_array();
  bool byMia = false;
  for (const auto& entry : audit) byMia = byMia || (entry.at("id") == "console-1" && entry.at("actorId") == "mia");
  CHECK(byMia);
  CHECK(act(server, R"({"undo":{"moderationId":"console-1","reason":"second look"}})").status == 200);
  HttpResult undoneTwice = act(server, R"({"undo":{"moderationId":"console-1","reason":"third look"}})");
  CHECK(undoneTwice.status == 409);
  CHECK(errorOf(undoneTwice) == "already_undone");
}

TEST_CASE("console actions refuse bad input, unknown targets, the server's ids and members", "[server][console]") {
  ServerProcess server;
  auto ann = annWithPost(server);
  struct Case {
    std::string body, error, mentions;
    unsigned status;
  };
  const std::vector<Case> cases = {
      {"{not json", "bad_request", "body", 400},
      {"[]", "bad_request", "body", 400},
      {"{}", "bad_request", "moderate, undo or policy", 400},
      {R"({"smite":{}})", "bad_request", "smite", 400},
      {R"({"moderate":{"postId":"ann-post","reason":"r"}})", "bad_request", "moderate.action", 400},
      {R"({"moderate":{"action":"smite","postId":"ann-post","reason":"r"}})", "bad_request", "moderate.action", 400},
      {R"({"moderate":{"action":"hide","reason":"r"}})", "bad_request", "moderate.postId", 400},
      {R"({"moderate":{"action":"lock","reason":"r"}})", "bad_request", "moderate.threadKey", 400},
      {R"({"moderate":{"action":"suspend","memberId":"ann","reason":"r"}})", "bad_request", "moderate.until", 400},
      {R"({"moderate":{"action":"set_role","memberId":"ann","role":"king","reason":"r"}})", "bad_request",
       "moderate.role", 400},
      {R"({"moderate":{"action":"set_trust_level","memberId":"ann","trustLevel":9,"reason":"r"}})", "bad_request",
       "moderate.trustLevel", 400},
      {R"({"moderate":{"action":"hide","postId":7,"reason":"r"}})", "bad_request", "moderate.postId", 400},
      {R"({"undo":{"reason":"r"}})", "bad_request", "undo.moderationId", 400},
      {R"({"id":5,"undo":{"moderationId":"x"}})", "bad_request", "id", 400},
      {R"({"moderate":{"action":"hide","postId":"ann-post"}})", "reason_required", "", 400},
      {R"({"moderate":{"action":"hide","postId":"no-such-post","reason":"r"}})", "unknown_post", "", 404},
      {R"({"moderate":{"action":"ban","memberId":"nobody","reason":"r"}})", "unknown_member", "", 404},
      {R"({"undo":{"moderationId":"never-was","reason":"r"}})", "nothing_to_undo", "", 404},
      {R"({"id":"kring:console-9","moderate":{"action":"hide","postId":"ann-post","reason":"r"}})", "invalid_id", "",
       400},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    HttpResult result = act(server, c.body);
    INFO(result.body);
    CHECK(result.status == c.status);
    CHECK(errorOf(result) == c.error);
    CHECK(std::string(parsedObject(result).at("message").as_string()).find(c.mentions) != std::string::npos);
  }
  // Nothing of that reached the audit log: only the sites file's policy is there.
  HttpResult audit = get(server, "audit");
  INFO(audit.body);
  CHECK(boost::json::parse(audit.body).as_array().size() == 1);
  // Members may not act; neither may anyone without credentials.
  HttpResult member =
      act(server, R"({"moderate":{"action":"hide","postId":"ann-post","reason":"r"}})", bearer(testToken("bob")));
  CHECK(member.status == 403);
  CHECK(errorOf(member) == "not_a_moderator");
  CHECK(act(server, R"({"moderate":{"action":"hide","postId":"ann-post","reason":"r"}})", "").status == 401);
  // The server's request body limit (1 MiB) holds for actions: a bigger one is refused from its header.
  {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));
    http::request<http::empty_body> request(http::verb::post, "/api/sites/test/actions", 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, kModerator);
    request.set(http::field::content_length, "2000000");
    http::request_serializer<http::empty_body> header(request);
    http::write_header(stream, header);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    CHECK(response.result_int() == 413);
    CHECK(response.body().find("too_large") != std::string::npos);
  }
  // Only actions and threads take a POST.
  CHECK(httpRequest(server.port(), "/api/sites/test/moderation", kModerator, http::verb::post, "{}").status == 405);
}

TEST_CASE("console policy updates are the admins', name the setting at fault, and survive a restart",
          "[server][console]") {
  ServerProcess server;
  HttpResult moderator = act(server, R"({"policy":{"settings":{"privilegeVoteUp":3}}})", kModerator);
  CHECK(moderator.status == 403);
  CHECK(errorOf(moderator) == "admins_only");

  HttpResult outOfRange = act(server, R"({"policy":{"settings":{"privilegeVoteUp":-1}}})", kAdmin);
  CHECK(outOfRange.status == 400);
  CHECK(errorOf(outOfRange) == "invalid_policy");
  CHECK(parsedObject(outOfRange).at("field") == "settings.privilegeVoteUp");
  HttpResult unknown = act(server, R"({"policy":{"settings":{"noSuchSetting":1}}})", kAdmin);
  CHECK(parsedObject(unknown).at("field") == "settings.noSuchSetting");
  HttpResult inconsistent = act(server, R"({"policy":{"settings":{"reputationFloor":5}}})", kAdmin);
  CHECK(parsedObject(inconsistent).at("field") == "settings.reputationFloor");
  CHECK(errorOf(act(server, R"({"policy":7})", kAdmin)) == "bad_request");

  HttpResult changed = act(server, R"({"id":"policy-1","policy":{"settings":{"privilegeVoteUp":3}}})", kAdmin);
  CHECK(changed.status == 200);
  CHECK(get(server, "policy").body.find(R"("privilegeVoteUp":3)") != std::string::npos);
  CHECK(get(server, "audit").body.find(R"("action":"update_policy")") != std::string::npos);

  // The sites file still says 0: the site keeps the policy it was given in the console.
  server.kill(SIGTERM);
  server.start();
  CHECK(get(server, "policy").body.find(R"("privilegeVoteUp":3)") != std::string::npos);
  auto ann = std::make_unique<SyncClient>(server.port());
  auto welcome = ann->hello(TestSite::id, testToken("ann"), "client-ann");
  REQUIRE(welcome);
  CHECK(welcome->policy.privilegeVoteUp == 3);
}

TEST_CASE("console members: search by id or name, most reputation first, and one member's posts and audit",
          "[server][console]") {
  ServerProcess server;
  auto ann = annWithPost(server);
  auto anna = signedIn(server, "anna");
  anna->send(Submit{makeOp("anna-up", CastVote{"ann-post", VoteDirection::up})});
  REQUIRE(ackOf(*anna, "anna-up"));
  auto bob = signedIn(server, "bob");
  bob->send(post("bob-post", "/p/console", "Page 12."));
  REQUIRE(ackOf(*bob, "bob-post"));

  boost::json::object found = parsedObject(get(server, "members?q=AN", kModerator));
  CHECK(found.at("total") == 2);
  const boost::json::array& members = found.at("members").as_array();
  REQUIRE(members.size() == 2);
  CHECK(members[0].at("id") == "ann");  // the up vote's reputation first
  CHECK(members[1].at("id") == "anna");
  for (const char* field : {"displayName", "role", "trustLevel", "reputation", "state", "stateUntil", "postCount",
                            "joinedAt", "guest", "roleAssigned", "trustLevelGranted"}) {
    CHECK(members[0].as_object().contains(field));
  }
  // Decoded: %41 is A, + a space in the name "Name of bob".
  CHECK(parsedObject(get(server, "members?q=%41nna")).at("total") == 1);
  CHECK(parsedObject(get(server, "members?q=of+bob")).at("total") == 1);
  CHECK(parsedObject(get(server, "members")).at("total") == 3);
  boost::json::object limited = parsedObject(get(server, "members?limit=1"));
  CHECK(limited.at("members").as_array().size() == 1);
  CHECK(limited.at("total") == 3);
  CHECK(get(server, "members?limit=99999").status == 200);
  CHECK(get(server, "members?limit=many").status == 400);
  CHECK(get(server, "members?q=%zz").status == 400);
  CHECK(get(server, "members?sort=name").status == 400);

  CHECK(act(server, R"({"moderate":{"action":"hide","postId":"ann-post","reason":"spoiler"}})").status == 200);
  CHECK(act(server, R"({"moderate":{"action":"silence","memberId":"bob","reason":"noise"}})").status == 200);
  boost::json::object annDetail = parsedObject(get(server, "members/ann", kModerator));
  CHECK(annDetail.at("member").at("id") == "ann");
  REQUIRE(annDetail.at("posts").as_array().size() == 1);
  CHECK(annDetail.at("posts").as_array()[0].at("id") == "ann-post");
  CHECK(annDetail.at("posts").as_array()[0].at("state") == "hidden_by_moderator");
  REQUIRE(annDetail.at("audit").as_array().size() == 1);  // the hide of her post, not bob's silence
  CHECK(annDetail.at("audit").as_array()[0].at("action") == "hide");
  boost::json::object bobDetail = parsedObject(get(server, "members/bob"));
  REQUIRE(bobDetail.at("audit").as_array().size() == 1);
  CHECK(bobDetail.at("audit").as_array()[0].at("action") == "silence");
  CHECK(bobDetail.at("member").at("state") == "silenced");

  HttpResult nobody = get(server, "members/nobody");
  CHECK(nobody.status == 404);
  CHECK(errorOf(nobody) == "unknown_member");
  CHECK(get(server, "members/%zz").status == 400);
  CHECK(get(server, "members", bearer(testToken("bob"))).status == 403);
}

TEST_CASE("console queue: flagged posts show their flaggers' trust levels, first posts of new members come for a look",
          "[server][console]") {
  ServerProcess server;
  auto ann = annWithPost(server);
  // Bob is trusted by a moderator's grant; his flag reaches the queue with his trust level.
  auto bob = signedIn(server, "bob");
  bob->send(post("bob-post", "/p/console", "Page 12."));
  REQUIRE(ackOf(*bob, "bob-post"));
  REQUIRE(act(server, R"({"moderate":{"action":"set_trust_level","memberId":"bob","trustLevel":2,"reason":"known"}})")
              .status == 200);
  bob->send(Submit{makeOp("bob-flag", FlagPost{"ann-post", FlagReason::offensive})});
  REQUIRE(ackOf(*bob, "bob-flag"));

  boost::json::array queue = parsedObject(get(server, "moderation", kModerator)).at("queue").as_array();
  REQUIRE(queue.size() == 1);  // ann's flagged post; bob is no longer at trust level 0
  const boost::json::object& flagged = queue[0].as_object();
  CHECK(flagged.at("postId") == "ann-post");
  CHECK(flagged.at("category") == "flagged");
  CHECK(flagged.at("stage") == "flags");
  REQUIRE(flagged.at("openFlags").as_array().size() == 1);
  const boost::json::object& flag = flagged.at("openFlags").as_array()[0].as_object();
  CHECK(flag.at("memberId") == "bob");
  CHECK(flag.at("reason") == "offensive");
  CHECK(flag.at("trustLevel") == 2);

  auto cat = signedIn(server, "cat");
  cat->send(post("cat-post", "/p/console", "Hello from a newcomer"));
  REQUIRE(ackOf(*cat, "cat-post"));
  cat->send(post("cat-post-2", "/p/console", "And again"));
  REQUIRE(ackOf(*cat, "cat-post-2"));
  queue = parsedObject(get(server, "moderation", kModerator)).at("queue").as_array();
  REQUIRE(queue.size() == 2);
  CHECK(queue[1].at("postId") == "cat-post");  // her first post only, after the older flagged one
  CHECK(queue[1].at("category") == "firstPost");
  CHECK(queue[1].at("stage").is_null());
}

TEST_CASE("console metrics as CSV: every number of the JSON as metric,value rows, and a row per day",
          "[server][console]") {
  ServerProcess server;
  auto ann = annWithPost(server);
  // A member whose id a spreadsheet would take for a formula, with a comma and a quote in it.
  auto odd = signedIn(server, R"(=evil,"x")");
  odd->send(post("odd-post", "/p/console", "Page 12 of the manual."));
  REQUIRE(ackOf(*odd, "odd-post"));
  auto bob = signedIn(server, "bob");
  bob->send(Submit{makeOp("bob-up", CastVote{"odd-post", VoteDirection::up})});
  REQUIRE(ackOf(*bob, "bob-up"));

  const TimeMs now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const TimeMs from = (now / 86'400'000 - 1) * 86'400'000;  // yesterday and today, UTC
  const std::string window = "?from=" + std::to_string(from) + "&to=" + std::to_string(now + 60'000);

  HttpResult csv = get(server, "metrics.csv" + window, kModerator);
  INFO(csv.body);
  CHECK(csv.status == 200);
  CHECK(csv.contentType == "text/csv; charset=utf-8");
  CHECK(csv.contentDisposition ==
        "attachment; filename=\"test-metrics-" + std::to_string(from) + "-" + std::to_string(now + 60'000) + ".csv\"");
  CHECK(csv.body.rfind("metric,value\r\n", 0) == 0);
  CHECK(csv.body.find("\r\nquestionsAsked,2\r\n") != std::string::npos);
  CHECK(csv.body.find("\r\nanswerRate.count,0\r\nanswerRate.of,2\r\nanswerRate.permille,0\r\n") != std::string::npos);
  CHECK(csv.body.find("\r\nmoderation.flagAccuracy.permille,0\r\n") != std::string::npos);
  CHECK(csv.body.find("\r\nchampions.1.memberId,\"'=evil,\"\"x\"\"\"\r\n") != std::string::npos);
  CHECK(csv.body.find("\r\nchampions.1.reputationGained,10\r\n") != std::string::npos);
  CHECK(csv.body.find("days") == std::string::npos);  // they have their own file

  HttpResult days = get(server, "metrics-days.csv" + window, kModerator);
  INFO(days.body);
  CHECK(days.status == 200);
  CHECK(days.contentType == "text/csv; charset=utf-8");
  CHECK(days.contentDisposition.find("attachment; filename=\"test-metrics-days-") == 0);
  const std::string expected = "date,questions,answers,moderationActions,newMembers\r\n" + utcDate(dayOf(from)) +
                               ",0,0,0,0\r\n" + utcDate(dayOf(now)) + ",2,0,0,2\r\n";
  CHECK(days.body == expected);

  CHECK(get(server, "metrics.csv?from=5&to=1").status == 400);
  CHECK(get(server, "metrics-days.csv").status == 400);
  CHECK(get(server, "metrics.csv" + window, bearer(testToken("bob"))).status == 403);
  CHECK(get(server, "metrics.csv" + window, "").status == 401);
}
