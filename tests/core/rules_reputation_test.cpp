// Reputation (docs/community-rules.md, Stack Overflow's table) and the privileges it unlocks, as stories.
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct QandA : RulesSite {
  std::string key = thread(staff, "/sku-1", ThreadKind::question);
  std::string question = post(alice, key, "Does the battery last a day?");
  std::string answer = reply(bob, key, question, "Yes, about 30 hours in my use.");
};

}  // namespace

TEST_CASE("a new member starts with 1 reputation at trust level 0", "[rules][reputation]") {
  QandA site;
  CHECK(site.reputation(site.alice) == 1);
  CHECK(site.trustLevel(site.alice) == 0);
}

TEST_CASE("an upvoted answer earns its author 10, and the vote's retraction takes it back", "[rules][reputation]") {
  QandA site;
  Outcome up = site.vote(site.staff, site.answer, VoteDirection::up);
  CHECK(site.reputation(site.bob) == 11);
  // The author's new reputation reaches replicas as a MemberChanged event.
  bool announced = false;
  for (const Event& event : up.events) {
    if (auto* changed = std::get_if<MemberChanged>(&event.body); changed && changed->member.id == "bob") {
      announced = changed->member.reputation == 11;
    }
  }
  CHECK(announced);

  site.vote(site.staff, site.answer, VoteDirection::none);
  CHECK(site.reputation(site.bob) == 1);
}

TEST_CASE("up, retract, up again counts one like in the day buckets TL3 reads, as in the lifetime counters",
          "[rules][reputation][trust]") {
  QandA site;
  site.vote(site.staff, site.answer, VoteDirection::up);
  site.vote(site.staff, site.answer, VoteDirection::none);
  site.vote(site.staff, site.answer, VoteDirection::up);
  auto likes = [&](const std::string& id, auto field) {
    std::uint32_t inDays = 0;
    for (const DayActivity& day : site.member(id).standing.days) inDays += day.*field;
    return inDays;
  };
  CHECK(site.member("bob").standing.likesReceived == 1);
  CHECK(likes("bob", &DayActivity::likesReceived) == 1);
  CHECK(site.member("staff").standing.likesGiven == 1);
  CHECK(likes("staff", &DayActivity::likesGiven) == 1);

  // A vote cast yesterday and retracted today takes its like from yesterday's bucket.
  site.ops.advance(RulesSite::kDay);
  site.vote(site.staff, site.answer, VoteDirection::none);
  CHECK(likes("bob", &DayActivity::likesReceived) == 0);
  CHECK(likes("staff", &DayActivity::likesGiven) == 0);
}

TEST_CASE("a downvote costs the author 2 and a voter on an answer 1 - never below the floor of 1",
          "[rules][reputation]") {
  QandA site;
  site.earn(site.carol, 13, site.key);  // 131: past the downvote gate of 125
  REQUIRE(site.reputation(site.carol) == 131);
  site.vote(site.staff, site.answer, VoteDirection::up);  // bob 11
  site.vote(site.carol, site.answer, VoteDirection::down);
  CHECK(site.reputation(site.bob) == 9);
  CHECK(site.reputation(site.carol) == 130);

  // Bob's question-side post: a downvote on a question does not cost the voter.
  std::string bobsQuestion = site.post(site.bob, site.key, "Is it waterproof?");
  site.vote(site.carol, bobsQuestion, VoteDirection::down);
  CHECK(site.reputation(site.carol) == 130);
  CHECK(site.reputation(site.bob) == 7);

  // Alice has 1: a downvote cannot take her below the floor, and retracting gives back only what was taken.
  site.vote(site.carol, site.question, VoteDirection::down);
  CHECK(site.reputation(site.alice) == 1);
  site.vote(site.carol, site.question, VoteDirection::none);
  CHECK(site.reputation(site.alice) == 1);
}

TEST_CASE("an accepted answer earns 15, the asker 2 - moving or withdrawing the accept moves it back",
          "[rules][reputation]") {
  QandA site;
  site.requireAccepted(site.ops.accept(site.alice, site.answer));
  CHECK(site.reputation(site.bob) == 16);
  CHECK(site.reputation(site.alice) == 3);

  std::string second = site.reply(site.carol, site.key, site.question, "Mine lasts two days.");
  site.requireAccepted(site.ops.accept(site.alice, second));
  CHECK(site.reputation(site.bob) == 1);
  CHECK(site.reputation(site.carol) == 16);
  CHECK(site.reputation(site.alice) == 3);

  site.requireAccepted(site.ops.unaccept(site.alice, second));
  CHECK(site.reputation(site.carol) == 1);
  CHECK(site.reputation(site.alice) == 1);
}

TEST_CASE("accepting your own answer earns nothing", "[rules][reputation]") {
  QandA site;
  std::string own = site.reply(site.alice, site.key, site.question, "Found it myself: 28 hours.");
  site.requireAccepted(site.ops.accept(site.alice, own));
  CHECK(site.reputation(site.alice) == 1);
}

TEST_CASE("reputation from votes stops at 200 a UTC day and starts again the next day", "[rules][reputation]") {
  QandA site;
  site.earn(site.bob, 25, site.key);  // 250 wanted
  CHECK(site.reputation(site.bob) == 201);
  // An accept is not a vote: it is not capped.
  site.requireAccepted(site.ops.accept(site.alice, site.answer));
  CHECK(site.reputation(site.bob) == 216);

  site.ops.advance(24 * 3'600'000);
  site.earn(site.bob, 1, site.key);
  CHECK(site.reputation(site.bob) == 226);
}

TEST_CASE("a post removed as spam loses what it earned and costs its author 100, down to the floor",
          "[rules][reputation]") {
  QandA site;
  site.earn(site.bob, 12, site.key);                      // 121
  site.vote(site.staff, site.answer, VoteDirection::up);  // 131
  REQUIRE(site.reputation(site.bob) == 131);
  Op reject = site.ops.rejectAsSpam(site.moderator, site.answer);
  site.requireAccepted(reject);
  CHECK(site.reputation(site.bob) == 21);  // -10 earned, -100 penalty
  CHECK(site.stateOf(site.answer) == PostState::spam);

  // Undo restores both.
  site.requireAccepted(site.ops.undo(site.moderator, reject.id));
  CHECK(site.reputation(site.bob) == 131);
  CHECK(site.stateOf(site.answer) == PostState::visible);
}

TEST_CASE("an author deleting a post gives back what it earned", "[rules][reputation]") {
  QandA site;
  site.vote(site.staff, site.answer, VoteDirection::up);
  site.requireAccepted(site.ops.accept(site.alice, site.answer));
  REQUIRE(site.reputation(site.bob) == 26);
  site.requireAccepted(site.ops.remove(site.bob, site.answer));
  CHECK(site.reputation(site.bob) == 1);
  CHECK(site.reputation(site.alice) == 1);
}

TEST_CASE("featuring a post praises its author with 10 - undo takes it back", "[rules][reputation]") {
  QandA site;
  Op feature = site.ops.moderatePost(site.moderator, ModerationAction::feature, site.answer, "great answer");
  site.requireAccepted(feature);
  CHECK(site.reputation(site.bob) == 11);
  CHECK(site.postRecord(site.answer).featured);
  CHECK(postIn(site.view(site.key), site.answer).featured);
  site.requireAccepted(site.ops.undo(site.moderator, feature.id));
  CHECK(site.reputation(site.bob) == 1);
  CHECK_FALSE(site.postRecord(site.answer).featured);
}

TEST_CASE("privileges: each gate names the privilege and the reputation it needs", "[rules][privileges]") {
  QandA site;
  Outcome up = site.requireRejected(site.ops.vote(site.carol, site.answer, VoteDirection::up),
                                    ReasonCode::insufficientReputation);
  CHECK(up.message == "You need 15 reputation to vote up; you have 1.");
  Outcome down = site.requireRejected(site.ops.vote(site.carol, site.answer, VoteDirection::down),
                                      ReasonCode::insufficientReputation);
  CHECK(down.message == "You need 125 reputation to vote down; you have 1.");
  Outcome flag = site.requireRejected(site.ops.flag(site.carol, site.answer), ReasonCode::insufficientReputation);
  CHECK(flag.message.find("15 reputation to flag") != std::string::npos);
  Outcome comment = site.requireRejected(site.ops.post(site.carol, site.key, "Are you sure?", site.answer),
                                         ReasonCode::insufficientReputation);
  CHECK(comment.message.find("50 reputation to comment") != std::string::npos);
  // Commenting under your own question's answers needs nothing.
  site.reply(site.alice, site.key, site.answer, "Thanks!");

  site.earn(site.carol, 2, site.key);  // 21
  site.vote(site.carol, site.answer, VoteDirection::up);
  site.requireRejected(site.ops.vote(site.carol, site.question, VoteDirection::down),
                       ReasonCode::insufficientReputation);
}

TEST_CASE("privileges: 500 to review held posts, 2000 to edit others, 3000 to lock", "[rules][privileges]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/t");
  std::string postId = site.post(site.alice, key, "Original text");
  site.requireRejected(site.ops.edit(site.carol, postId, "Carol's version"), ReasonCode::notAuthor);
  site.requireRejected(site.ops.moderateThread(site.carol, ModerationAction::lock, key), ReasonCode::notPermitted);
  site.requireRejected(site.ops.moderatePost(site.carol, ModerationAction::approve, postId), ReasonCode::notPermitted);

  // The same gates, lowered by policy to carol's 1 reputation, let her through.
  Policy policy;
  policy.privilegeReviewQueue = 1;
  policy.privilegeEditOthers = 1;
  policy.privilegeLockThreads = 1;
  site.requireAccepted(site.ops.policy(site.admin, policy));
  site.requireAccepted(site.ops.edit(site.carol, postId, "Carol's version"));
  site.requireAccepted(site.ops.moderateThread(site.carol, ModerationAction::lock, key, "resolved"));
  site.requireRejected(site.ops.moderatePost(site.carol, ModerationAction::approve, postId), ReasonCode::notPending);
  // Banning stays with moderators.
  site.requireRejected(site.ops.moderateMember(site.carol, ModerationAction::ban, "alice"), ReasonCode::notPermitted);
}

TEST_CASE("one member's up votes give another at most 50 in all - a retraction makes room again",
          "[rules][reputation]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/p/serial");
  std::vector<std::string> posts;
  for (int i = 0; i < 8; ++i) {
    site.ops.advance(2 * RulesSite::kMinute);  // within a new member's rate limit
    posts.push_back(site.post(site.bob, key, "Tip number " + std::to_string(i)));
  }
  for (const std::string& id : posts) site.vote(site.staff, id, VoteDirection::up);
  CHECK(site.reputation(site.bob) == 51);  // 1 + 5 votes' worth; the other 3 votes count, but pay nothing
  site.vote(site.moderator, posts[0], VoteDirection::up);  // another member still pays in full
  CHECK(site.reputation(site.bob) == 61);
  site.vote(site.staff, posts[0], VoteDirection::none);  // it had given 10
  CHECK(site.reputation(site.bob) == 51);
  site.vote(site.staff, posts[0], VoteDirection::up);
  CHECK(site.reputation(site.bob) == 61);
}

TEST_CASE("self-dealt accepts between two names stop paying at the pair cap, the asker's bonus too",
          "[rules][reputation]") {
  QandA site;
  // Alice asks, Bob answers, Alice accepts: 15 to Bob, 2 to Alice, each time.
  for (int i = 0; i < 6; ++i) {
    site.ops.advance(5 * RulesSite::kMinute);
    std::string key = site.thread(site.staff, "/sku/farm-" + std::to_string(i), ThreadKind::question);
    std::string question = site.post(site.alice, key, "Question " + std::to_string(i) + "?");
    std::string answer = site.reply(site.bob, key, question, "Answer " + std::to_string(i) + ".");
    site.requireAccepted(site.ops.accept(site.alice, answer));
  }
  CHECK(site.reputation(site.bob) == 51);    // 15 + 15 + 15 + 5, then nothing
  CHECK(site.reputation(site.alice) == 13);  // 2 a time: all six under the cap
  // Withdrawing one accept gives back room for the next.
  SiteRecords records = exportRecords(site.engine);
  std::string firstAnswer;
  for (const PostRecord& post : records.posts) {
    if (post.body == "Answer 0.") firstAnswer = post.id;
  }
  site.requireAccepted(site.ops.unaccept(site.alice, firstAnswer));
  CHECK(site.reputation(site.bob) == 36);
  site.requireAccepted(site.ops.accept(site.alice, firstAnswer));
  CHECK(site.reputation(site.bob) == 51);
}

TEST_CASE("the pair cap's counts survive a site snapshot - a restored site pays exactly as the original",
          "[rules][reputation][snapshot]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/p/restore");
  std::vector<std::string> posts;
  for (int i = 0; i < 7; ++i) {
    site.ops.advance(2 * RulesSite::kMinute);
    posts.push_back(site.post(site.bob, key, "Post " + std::to_string(i)));
  }
  for (int i = 0; i < 4; ++i) site.vote(site.staff, posts[static_cast<std::size_t>(i)], VoteDirection::up);
  Result<Engine> restored = restoreSiteSnapshot(encodeSiteSnapshot(site.engine));
  REQUIRE(restored);
  for (int i = 4; i < 7; ++i) {
    Op vote = site.ops.vote(site.staff, posts[static_cast<std::size_t>(i)], VoteDirection::up);
    for (Engine* engine : {&site.engine, &restored.value()})
      REQUIRE(engine->apply(vote).status == OutcomeStatus::accepted);
  }
  CHECK(encodeSiteSnapshot(restored.value()) == encodeSiteSnapshot(site.engine));
  CHECK(site.reputation(site.bob) == 51);
}

TEST_CASE("guests post and read but do not vote or flag, and a guest's accept marks the answer without paying",
          "[rules][reputation][guests]") {
  Policy policy;
  policy.guestPreModerate = 0;
  policy.privilegeVoteUp = 0;
  policy.privilegeFlag = 0;
  policy.trust1ThreadsEntered = 0;
  RulesSite site(policy);
  const Actor guest = OpFactory::member("guest:g-1");
  std::string key = site.thread(site.staff, "/sku-guest", ThreadKind::question);
  std::string question = site.post(guest, key, "Is the strap replaceable?");
  std::string answer = site.reply(site.bob, key, question, "Yes, any 20 mm strap fits.");
  site.requireRejected(site.ops.vote(guest, answer, VoteDirection::up), ReasonCode::signInRequired);
  site.requireRejected(site.ops.flag(guest, answer, FlagReason::spam), ReasonCode::signInRequired);
  const Actor stranger = OpFactory::member("guest:never-seen");  // not yet a member: the same gate
  site.requireRejected(site.ops.vote(stranger, answer, VoteDirection::down), ReasonCode::signInRequired);
  site.requireAccepted(site.ops.accept(guest, answer));
  CHECK(site.reputation(site.bob) == 1);
  CHECK(site.reputation(guest) == 1);
  CHECK(site.postRecord(answer).accepted);
}
