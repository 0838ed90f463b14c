// Deleting posts: soft deletion, who may delete, and what a deletion takes with it.
#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct DeleteSite : Community {
  std::string key = thread(alice, "/t");
  std::string postId = post(bob, key, "Secret body");
};

}  // namespace

TEST_CASE("deleting a post removes it softly", "[deletes]") {
  DeleteSite site;
  Outcome outcome = site.requireAccepted(site.ops.remove(site.bob, site.postId));

  REQUIRE(eventNames(outcome) == std::vector<std::string>{"PostDeleted"});
  CHECK(eventAt<PostDeleted>(outcome, 0).postId == site.postId);

  // Readers see a removed post without its body...
  const PostView view = postIn(site.view(site.key), site.postId);
  CHECK(view.state == PostState::removed);
  CHECK(view.body.empty());
  CHECK(view.authorId == "bob");

  // ...but the state keeps it for the audit trail.
  const PostRecord record = readSiteSnapshot(site.snapshot()).post(site.postId);
  CHECK(record.state == PostState::removed);
  CHECK(record.body == "Secret body");
}

TEST_CASE("the removed body does not leak into the view's JSON", "[deletes]") {
  DeleteSite site;
  site.requireAccepted(site.ops.remove(site.bob, site.postId));
  for (SortOrder order : {SortOrder::top, SortOrder::newest, SortOrder::oldest}) {
    CHECK(toJson(site.view(site.key, order)).find("Secret body") == std::string::npos);
  }
}

TEST_CASE("only the author, a moderator or an admin may delete a post", "[deletes]") {
  DeleteSite site;

  SECTION("another member may not") {
    site.requireRejected(site.ops.remove(site.carol, site.postId), ReasonCode::notAuthor);
  }
  SECTION("staff may not delete others' posts") {
    site.requireRejected(site.ops.remove(site.staff, site.postId), ReasonCode::notAuthor);
  }
  SECTION("staff may delete their own post") {
    const std::string own = site.post(site.staff, site.key, "Official answer");
    site.requireAccepted(site.ops.remove(site.staff, own));
  }
  SECTION("a moderator may") {
    site.requireAccepted(site.ops.remove(site.moderator, site.postId));
    CHECK(postIn(site.view(site.key), site.postId).state == PostState::removed);
  }
  SECTION("an admin may") {
    site.requireAccepted(site.ops.remove(site.admin, site.postId));
    CHECK(postIn(site.view(site.key), site.postId).state == PostState::removed);
  }
}

TEST_CASE("a post can be deleted only once, and only if it exists", "[deletes]") {
  DeleteSite site;
  site.requireAccepted(site.ops.remove(site.bob, site.postId));
  site.requireRejected(site.ops.remove(site.bob, site.postId), ReasonCode::postRemoved);
  site.requireRejected(site.ops.remove(site.moderator, site.postId), ReasonCode::postRemoved);
  site.requireRejected(site.ops.remove(site.bob, "no-such-post"), ReasonCode::unknownPost);
}

TEST_CASE("replies under a removed post stay visible", "[deletes]") {
  DeleteSite site;
  const std::string reply = site.reply(site.carol, site.key, site.postId, "Still here");
  const std::string nested = site.reply(site.dave, site.key, reply, "Me too");
  site.requireAccepted(site.ops.remove(site.moderator, site.postId));

  for (SortOrder order : {SortOrder::top, SortOrder::newest, SortOrder::oldest}) {
    ThreadView view = site.view(site.key, order);
    REQUIRE(idsOf(view) == std::vector<std::string>{site.postId, reply, nested});
    CHECK(view.posts[0].replyCount == 1);
    CHECK(view.posts[1].state == PostState::visible);
    CHECK(view.posts[1].body == "Still here");
    CHECK(view.posts[1].depth == 1);
    CHECK(view.posts[2].body == "Me too");
    CHECK(view.posts[2].depth == 2);
  }
  // The replies stay live: they can still be replied to and voted on.
  site.reply(site.bob, site.key, reply);
  site.vote(site.bob, reply, VoteDirection::up);
}

TEST_CASE("deleting the accepted answer unaccepts it", "[deletes][answers]") {
  Community site;
  const std::string key = site.thread(site.alice, "/q", ThreadKind::question);
  const std::string question = site.post(site.alice, key, "Which size?");
  const std::string answer = site.reply(site.bob, key, question, "Medium.");
  const std::string other = site.reply(site.carol, key, question, "Large.");
  site.requireAccepted(site.ops.accept(site.alice, answer));

  Outcome outcome = site.requireAccepted(site.ops.remove(site.bob, answer));
  REQUIRE(eventNames(outcome) == std::vector<std::string>{"AnswerUnaccepted", "PostDeleted"});
  const AnswerUnaccepted unaccepted = eventAt<AnswerUnaccepted>(outcome, 0);
  CHECK(unaccepted.questionId == question);
  CHECK(unaccepted.answerId == answer);

  CHECK_FALSE(postIn(site.view(key), answer).accepted);
  CHECK_FALSE(readSiteSnapshot(site.snapshot()).post(answer).accepted);

  SECTION("another answer can then be accepted, alone") {
    Outcome accepted = site.requireAccepted(site.ops.accept(site.alice, other));
    CHECK(eventNames(accepted) == std::vector<std::string>{"AnswerAccepted"});
    ThreadView view = site.view(key);
    CHECK(postIn(view, other).accepted);
    CHECK_FALSE(postIn(view, answer).accepted);
  }
  SECTION("the removed answer can no longer be unaccepted or accepted") {
    site.requireRejected(site.ops.unaccept(site.alice, answer), ReasonCode::postRemoved);
    site.requireRejected(site.ops.accept(site.alice, answer), ReasonCode::postRemoved);
  }
}

TEST_CASE("deleting an answer that is not accepted emits only PostDeleted", "[deletes][answers]") {
  Community site;
  const std::string key = site.thread(site.alice, "/q", ThreadKind::question);
  const std::string question = site.post(site.alice, key);
  const std::string accepted = site.reply(site.bob, key, question);
  const std::string other = site.reply(site.carol, key, question);
  site.requireAccepted(site.ops.accept(site.alice, accepted));

  Outcome outcome = site.requireAccepted(site.ops.remove(site.carol, other));
  CHECK(eventNames(outcome) == std::vector<std::string>{"PostDeleted"});
  CHECK(postIn(site.view(key), accepted).accepted);
}
