// Accepting answers in question threads.
#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

// alice asks; bob and carol answer; dave comments on bob's answer.
struct QuestionSite : Community {
  std::string key = thread(alice, "/q", ThreadKind::question);
  std::string question = post(alice, key, "Is it waterproof?");
  std::string answer = reply(bob, key, question, "Yes, to 50 m.");
  std::string other = reply(carol, key, question, "Only splash-proof.");
  std::string comment = reply(dave, key, answer, "Source?");

  int acceptedCount() const {
    int count = 0;
    for (const PostView& post : view(key).posts) count += post.accepted ? 1 : 0;
    return count;
  }
};

}  // namespace

TEST_CASE("the asker accepts an answer", "[answers]") {
  QuestionSite site;
  Outcome outcome = site.requireAccepted(site.ops.accept(site.alice, site.answer));

  REQUIRE(eventNames(outcome) == std::vector<std::string>{"AnswerAccepted"});
  const AnswerAccepted accepted = eventAt<AnswerAccepted>(outcome, 0);
  CHECK(accepted.questionId == site.question);
  CHECK(accepted.answerId == site.answer);
  CHECK(postIn(site.view(site.key), site.answer).accepted);
  CHECK(site.acceptedCount() == 1);
  CHECK(readSiteSnapshot(site.snapshot()).post(site.answer).accepted);
}

TEST_CASE("answers can be accepted only in question threads", "[answers]") {
  Community site;
  const std::string key = site.thread(site.alice, "/d");
  const std::string top = site.post(site.alice, key);
  const std::string reply = site.reply(site.bob, key, top);
  site.requireRejected(site.ops.accept(site.alice, reply), ReasonCode::notAQuestion);
  site.requireRejected(site.ops.accept(site.admin, reply), ReasonCode::notAQuestion);
  site.requireRejected(site.ops.unaccept(site.alice, reply), ReasonCode::notAQuestion);
}

TEST_CASE("only answers, not questions or comments, can be accepted", "[answers]") {
  QuestionSite site;
  site.requireRejected(site.ops.accept(site.alice, site.question), ReasonCode::notAnAnswer);
  site.requireRejected(site.ops.accept(site.alice, site.comment), ReasonCode::notAnAnswer);
  site.requireRejected(site.ops.unaccept(site.alice, site.comment), ReasonCode::notAnAnswer);
}

TEST_CASE("only the asker or someone speaking for the site may accept", "[answers]") {
  QuestionSite site;

  SECTION("another member may not") {
    site.requireRejected(site.ops.accept(site.dave, site.answer), ReasonCode::notPermitted);
  }
  SECTION("the answer's own author may not") {
    site.requireRejected(site.ops.accept(site.bob, site.answer), ReasonCode::notPermitted);
  }
  SECTION("a member never seen before may not") {
    site.requireRejected(site.ops.accept(OpFactory::member("eve"), site.answer), ReasonCode::notPermitted);
  }
  SECTION("a moderator, staff or an admin may") {
    Role role = GENERATE(Role::moderator, Role::staff, Role::admin);
    Actor actor = OpFactory::member("site-voice", role);
    Outcome outcome = site.requireAccepted(site.ops.accept(actor, site.answer));
    CHECK(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "AnswerAccepted"});
    CHECK(postIn(site.view(site.key), site.answer).accepted);
  }
  SECTION("others may not unaccept either") {
    site.requireAccepted(site.ops.accept(site.alice, site.answer));
    site.requireRejected(site.ops.unaccept(site.dave, site.answer), ReasonCode::notPermitted);
    site.requireRejected(site.ops.unaccept(site.bob, site.answer), ReasonCode::notPermitted);
    site.requireAccepted(site.ops.unaccept(site.staff, site.answer));
  }
}

TEST_CASE("an answer already accepted cannot be accepted again", "[answers]") {
  QuestionSite site;
  site.requireAccepted(site.ops.accept(site.alice, site.answer));
  site.requireRejected(site.ops.accept(site.alice, site.answer), ReasonCode::alreadyAccepted);
  site.requireRejected(site.ops.accept(site.moderator, site.answer), ReasonCode::alreadyAccepted);
}

TEST_CASE("accepting another answer moves the acceptance", "[answers]") {
  QuestionSite site;
  site.requireAccepted(site.ops.accept(site.alice, site.answer));

  Outcome outcome = site.requireAccepted(site.ops.accept(site.alice, site.other));
  REQUIRE(eventNames(outcome) == std::vector<std::string>{"AnswerUnaccepted", "AnswerAccepted"});
  CHECK(eventAt<AnswerUnaccepted>(outcome, 0).questionId == site.question);
  CHECK(eventAt<AnswerUnaccepted>(outcome, 0).answerId == site.answer);
  CHECK(eventAt<AnswerAccepted>(outcome, 1).questionId == site.question);
  CHECK(eventAt<AnswerAccepted>(outcome, 1).answerId == site.other);

  ThreadView view = site.view(site.key);
  CHECK_FALSE(postIn(view, site.answer).accepted);
  CHECK(postIn(view, site.other).accepted);
  CHECK(site.acceptedCount() == 1);
}

TEST_CASE("each question has its own accepted answer", "[answers]") {
  QuestionSite site;
  const std::string second = site.post(site.bob, site.key, "Does it float?");
  const std::string secondAnswer = site.reply(site.carol, site.key, second, "Yes.");
  site.requireAccepted(site.ops.accept(site.alice, site.answer));
  Outcome outcome = site.requireAccepted(site.ops.accept(site.bob, secondAnswer));
  CHECK(eventNames(outcome) == std::vector<std::string>{"AnswerAccepted"});
  CHECK(site.acceptedCount() == 2);
}

TEST_CASE("unaccepting an answer", "[answers]") {
  QuestionSite site;

  SECTION("the accepted answer is unaccepted") {
    site.requireAccepted(site.ops.accept(site.alice, site.answer));
    Outcome outcome = site.requireAccepted(site.ops.unaccept(site.alice, site.answer));
    REQUIRE(eventNames(outcome) == std::vector<std::string>{"AnswerUnaccepted"});
    CHECK(eventAt<AnswerUnaccepted>(outcome, 0).questionId == site.question);
    CHECK(eventAt<AnswerUnaccepted>(outcome, 0).answerId == site.answer);
    CHECK(site.acceptedCount() == 0);

    site.requireRejected(site.ops.unaccept(site.alice, site.answer), ReasonCode::notAccepted);
    site.requireAccepted(site.ops.accept(site.alice, site.answer));
  }
  SECTION("an answer that is not the accepted one cannot be unaccepted") {
    site.requireRejected(site.ops.unaccept(site.alice, site.answer), ReasonCode::notAccepted);
    site.requireAccepted(site.ops.accept(site.alice, site.answer));
    site.requireRejected(site.ops.unaccept(site.alice, site.other), ReasonCode::notAccepted);
  }
}

TEST_CASE("accepting needs a live, known answer to a live question", "[answers]") {
  QuestionSite site;

  SECTION("an unknown post") {
    site.requireRejected(site.ops.accept(site.alice, "no-such-post"), ReasonCode::unknownPost);
    site.requireRejected(site.ops.unaccept(site.alice, "no-such-post"), ReasonCode::unknownPost);
  }
  SECTION("a removed answer") {
    site.requireAccepted(site.ops.remove(site.bob, site.answer));
    site.requireRejected(site.ops.accept(site.alice, site.answer), ReasonCode::postRemoved);
  }
  SECTION("an answer to a removed question") {
    site.requireAccepted(site.ops.remove(site.alice, site.question));
    site.requireRejected(site.ops.accept(site.alice, site.answer), ReasonCode::postRemoved);
    site.requireRejected(site.ops.accept(site.moderator, site.other), ReasonCode::postRemoved);
  }
}

TEST_CASE("the accepted answer is listed first among its siblings in every order", "[answers][view]") {
  QuestionSite site;
  // The other answer is newer, and scores higher, yet the accepted one leads.
  site.vote(site.dave, site.other, VoteDirection::up);
  site.vote(site.moderator, site.other, VoteDirection::up);
  site.vote(site.dave, site.answer, VoteDirection::down);
  site.requireAccepted(site.ops.accept(site.alice, site.answer));
  const std::string late = site.reply(site.moderator, site.key, site.question, "Newest answer");

  SortOrder order = GENERATE(SortOrder::top, SortOrder::newest, SortOrder::oldest);
  ThreadView view = site.view(site.key, order);
  REQUIRE(view.posts.size() == 5);
  CHECK(view.posts[0].id == site.question);
  CHECK(view.posts[1].id == site.answer);
  CHECK(view.posts[1].accepted);
  CHECK(view.posts[2].id == site.comment);  // the accepted answer's comment follows it

  SECTION("moving the acceptance moves the lead") {
    site.requireAccepted(site.ops.accept(site.alice, late));
    ThreadView moved = site.view(site.key, order);
    CHECK(moved.posts[1].id == late);
    CHECK(moved.posts[1].accepted);
  }
}
