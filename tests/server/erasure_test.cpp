// Data rights on the real binary (docs/data-rights.md): an admin exports one member's data, then
// erases it; after that no byte of the member's words or name is in the store's files or in any
// frame a client receives, and the threads around their posts hold together.
#include <catch2/catch.hpp>

#include <signal.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "auth/token.h"
#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
namespace http = boost::beast::http;

namespace {

const std::string kAdminKey = "Bearer " + std::string(TestSite::adminKey);
// Long enough that a packed Cap'n Proto record (a checkpoint part) still holds whole 8-byte runs of them.
const std::string kName = "Erin Quasimodo-Zyxwvut Longname";
const std::string kFirstText = "erinsecretalpha-9f3c1b7e2d-first words";
const std::string kEditedText = "erinsecretbeta-4a7d0c9e11-edited words";
const std::string kReplyText = "erinsecretgamma-77e0b3a5c2-a reply of hers";

std::string erinToken() {
  server::TokenClaims claims;
  claims.subject = "erin";
  claims.name = kName;
  claims.role = Role::member;
  claims.expiresAt =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      600;
  return server::signToken(claims, TestSite::id, TestSite::secret);
}

// True when any 8 consecutive bytes of `needle` occur: packing splits text at word boundaries but
// keeps each whole word's bytes together, so this finds packed copies as well as plain ones.
bool holds(const std::string& haystack, const std::string& needle) {
  for (std::size_t at = 0; at + 8 <= needle.size(); ++at) {
    if (haystack.find(needle.substr(at, 8)) != std::string::npos) return true;
  }
  return false;
}

std::string fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The store's files as they are on disk: the database, its WAL and shared memory.
std::string storeBytes(const ServerProcess& server) {
  std::string bytes;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::path path = server.directory() + "/kring.db" + suffix;
    if (std::filesystem::exists(path)) bytes += fileBytes(path);
  }
  return bytes;
}

std::string asString(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

void requireNoneOf(const std::string& bytes, const char* where) {
  for (const std::string& words : {kName, kFirstText, kEditedText, kReplyText}) {
    INFO(where << ": " << words);
    CHECK_FALSE(holds(bytes, words));
  }
}

HttpResult adminGet(const ServerProcess& server, const std::string& what, const std::string& credential = kAdminKey) {
  return httpRequest(server.port(), "/api/sites/test/" + what, credential);
}

HttpResult act(const ServerProcess& server, const std::string& body, const std::string& credential = kAdminKey) {
  return httpRequest(server.port(), "/api/sites/test/actions", credential, http::verb::post, body);
}

const boost::json::object* postIn(const boost::json::object& exported, std::string_view id) {
  for (const auto& post : exported.at("posts").as_array()) {
    if (post.at("id").as_string() == id) return &post.as_object();
  }
  return nullptr;
}

// Erin starts a thread, posts and edits, replies to Bob; Bob answers and votes. A checkpoint every
// few ops puts her words in packed parts as well as in the log.
struct ErinsThread {
  ServerProcess server{"--checkpoint-every 4"};
  std::unique_ptr<SyncClient> erin;
  std::unique_ptr<SyncClient> bob = signedIn(server, "bob");

  ErinsThread() {
    erin = std::make_unique<SyncClient>(server.port());
    REQUIRE(erin->hello(TestSite::id, erinToken(), "client-erin"));
    erin->send(createThread("erin-thread", "/p/erasure"));
    REQUIRE(ackOf(*erin, "erin-thread"));
    erin->send(post("erin-post", "/p/erasure", kFirstText));
    REQUIRE(ackOf(*erin, "erin-post"));
    erin->send(Submit{makeOp("erin-edit", EditPost{"erin-post", kEditedText})});
    REQUIRE(ackOf(*erin, "erin-edit"));
    bob->send(Subscribe{"/p/erasure", 0});
    REQUIRE(bob->receiveSnapshot());
    bob->send(Submit{makeOp("bob-answer", CreatePost{"/p/erasure", "erin-post", "Bob's answer stays his own."})});
    REQUIRE(ackOf(*bob, "bob-answer"));
    bob->send(Submit{makeOp("bob-vote", CastVote{"erin-post", VoteDirection::up})});
    REQUIRE(ackOf(*bob, "bob-vote"));
    erin->send(Submit{makeOp("erin-reply", CreatePost{"/p/erasure", "bob-answer", kReplyText})});
    REQUIRE(ackOf(*erin, "erin-reply"));
  }
};

}  // namespace

TEST_CASE("an admin exports everything the site holds about one member", "[server][data-rights]") {
  ErinsThread site;
  HttpResult exported = adminGet(site.server, "members/erin/export");
  REQUIRE(exported.status == 200);
  CHECK(exported.contentDisposition.find("test-member-erin.json") != std::string::npos);
  boost::json::object data = parsedObject(exported);
  CHECK(data.at("member").at("displayName").as_string() == kName);
  CHECK(data.at("member").at("postCount") == 2);
  REQUIRE(data.at("threads").as_array().size() == 1);
  CHECK(data.at("threads").as_array()[0].at("key") == "/p/erasure");
  const boost::json::object* first = postIn(data, "erin-post");
  REQUIRE(first);
  CHECK(first->at("body").as_string() == kEditedText);
  CHECK(first->at("edits").as_array()[0].at("previousBody").as_string() == kFirstText);
  CHECK(first->at("votes").as_array()[0].at("memberId") == "bob");
  CHECK(postIn(data, "erin-reply"));
  CHECK_FALSE(postIn(data, "bob-answer"));  // Bob's words are Bob's

  boost::json::object bobs = parsedObject(adminGet(site.server, "members/bob/export"));
  REQUIRE(bobs.at("votes").as_array().size() == 1);
  CHECK(bobs.at("votes").as_array()[0].at("postId") == "erin-post");

  CHECK(adminGet(site.server, "members/erin/export", "Bearer " + testToken("mia", "moderator")).status == 403);
  CHECK(adminGet(site.server, "members/nobody/export").status == 404);
}

TEST_CASE("after an erasure no byte of the member's words or name is in the store or in what clients receive",
          "[server][data-rights]") {
  ErinsThread site;
  std::string before = storeBytes(site.server);
  for (const std::string& words : {kName, kFirstText, kEditedText, kReplyText}) {
    INFO("before the erasure the store holds " << words);
    REQUIRE(holds(before, words));
  }
  // Bob reads what he was sent before the erasure, up to her reply.
  bool sawReply = false;
  while (!sawReply) {
    auto events = site.bob->receiveUntil<EventsMessage>();
    REQUIRE(events);
    for (const Event& event : events->events) {
      if (auto* created = std::get_if<PostCreated>(&event.body))
        sawReply = sawReply || created->post.id == "erin-reply";
    }
  }
  std::size_t bobHadBytes = site.bob->received().size();

  HttpResult erased =
      act(site.server,
          R"({"id":"erase-erin","moderate":{"action":"erase","memberId":"erin","reason":"GDPR article 17 request"}})");
  REQUIRE(erased.status == 200);
  // The answer comes once the store is clear: its files hold none of her words or name.
  requireNoneOf(storeBytes(site.server), "store after the erasure");

  // Bob's open widget hears that her posts are now tombstones, in frames that carry none of it.
  bool tombstoned = false;
  for (int i = 0; i < 5 && !tombstoned; ++i) {
    auto events = site.bob->receiveUntil<EventsMessage>();
    REQUIRE(events);
    for (const Event& event : events->events) {
      auto* changed = std::get_if<PostChanged>(&event.body);
      tombstoned = tombstoned || (changed && changed->post.id == "erin-post" && changed->post.erased);
    }
  }
  CHECK(tombstoned);
  requireNoneOf(asString(Bytes(site.bob->received().begin() + static_cast<std::ptrdiff_t>(bobHadBytes),
                               site.bob->received().end())),
                "Bob's frames after the erasure");

  // A new reader, and a reader coming back from before the erasure, get a snapshot without them.
  auto carol = signedIn(site.server, "carol");
  ThreadView fresh = viewFromSnapshot(*carol, "/p/erasure");
  auto returning = signedIn(site.server, "dave");
  ThreadView resumed = viewFromSnapshot(*returning, "/p/erasure", 3);
  for (const ThreadView* view : {&fresh, &resumed}) {
    REQUIRE(view->posts.size() == 3);
    for (const PostView& post : view->posts) {
      if (post.authorId != "erin") continue;
      CHECK(post.erased);
      CHECK(post.body.empty());
      CHECK(post.authorName.empty());
    }
    CHECK(std::any_of(view->posts.begin(), view->posts.end(),
                      [](const PostView& post) { return post.body == "Bob's answer stays his own."; }));
  }
  requireNoneOf(asString(carol->received()), "a new reader's frames");
  requireNoneOf(asString(returning->received()), "a returning reader's frames");

  // The export and the audit say what happened; an erasure is not undone.
  boost::json::object data = parsedObject(adminGet(site.server, "members/erin/export"));
  CHECK(data.at("member").at("displayName") == "");
  CHECK(data.at("member").at("postCount") == 2);
  const boost::json::object* tombstone = postIn(data, "erin-post");
  REQUIRE(tombstone);
  CHECK(tombstone->at("erased") == true);
  CHECK(tombstone->at("score") == 1);
  requireNoneOf(boost::json::serialize(data), "the export after the erasure");
  HttpResult undo = act(site.server, R"({"undo":{"moderationId":"erase-erin","reason":"oops"}})");
  CHECK(undo.status == 400);
  bool audited = false;
  boost::json::value audit = boost::json::parse(adminGet(site.server, "audit").body);
  for (const auto& entry : audit.as_array()) {
    audited = audited || (entry.at("action") == "erase" && entry.at("memberId") == "erin");
  }
  CHECK(audited);

  // Her old op ids stay used, across a restart that loads the checkpoint.
  site.server.kill(SIGTERM);
  site.server.start();
  requireNoneOf(storeBytes(site.server), "store after a restart");
  auto again = std::make_unique<SyncClient>(site.server.port());
  REQUIRE(again->hello(TestSite::id, erinToken(), "client-erin-2"));
  again->send(post("erin-post", "/p/erasure", kFirstText));
  auto rejected = again->receiveUntil<RejectedMessage>();
  REQUIRE(rejected);
  CHECK(rejected->code == ReasonCode::alreadyApplied);
}
