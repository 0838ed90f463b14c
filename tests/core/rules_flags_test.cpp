// Community flags (docs/community-rules.md): weights by trust level, hiding past the threshold, silencing a
// TL0 spammer, and moderators resolving flags, which feeds flag accuracy.
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

// Three members at TL1 with 21 reputation each (weight 1 flags), one at TL2 via a moderator.
struct Flagging : RulesSite {
  std::string key = thread(staff, "/forum");
  std::string firstShelf = library();
  Actor erin = OpFactory::member("erin");
  Actor frank = OpFactory::member("frank");
  Actor gina = OpFactory::member("gina");

  Flagging() {
    for (const Actor& who : {erin, frank, gina}) {
      readToTrust1(who);
      REQUIRE(trustLevel(who) == 1);
      earn(who, 2, key);
    }
    ops.advance(7 * kDay);  // past flagFullWeightAfterDays: their flags weigh
  }
};

}  // namespace

TEST_CASE("TL0 members cannot flag, whatever their reputation", "[rules][flags]") {
  Flagging site;
  std::string target = site.post(site.alice, site.key, "Buy my stuff");
  site.earn(site.bob, 2, site.key);
  Outcome outcome = site.requireRejected(site.ops.flag(site.bob, target), ReasonCode::insufficientTrustLevel);
  CHECK(outcome.message.find("trust level 0") != std::string::npos);
}

TEST_CASE("one flag per member per post, not on your own post", "[rules][flags]") {
  Flagging site;
  std::string target = site.post(site.alice, site.key, "Buy my stuff");
  site.requireAccepted(site.ops.flag(site.erin, target));
  site.requireRejected(site.ops.flag(site.erin, target, FlagReason::offensive), ReasonCode::alreadyFlagged);
  std::string own = site.post(site.erin, site.key, "Erin's own words");
  site.requireRejected(site.ops.flag(site.erin, own), ReasonCode::ownPost);
}

TEST_CASE("flags weighted by trust level hide a post past the threshold", "[rules][flags]") {
  Flagging site;
  std::string target = site.post(site.alice, site.key, "Off-topic rant");
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::setTrustLevel, "erin"));
  Op grant = site.ops.moderateMember(site.moderator, ModerationAction::setTrustLevel, "frank", "trusted");
  std::get<Moderate>(grant.body).trustLevel = 3;
  site.requireAccepted(grant);

  Outcome first = site.requireAccepted(site.ops.flag(site.gina, target, FlagReason::offTopic));  // weight 1
  CHECK(eventAt<PostFlagged>(first, 0).flagScore == 1);
  CHECK(site.stateOf(target) == PostState::visible);
  site.requireAccepted(site.ops.flag(site.frank, target, FlagReason::offTopic));  // TL3: weight 3 → 4
  CHECK(site.stateOf(target) == PostState::visible);
  site.requireAccepted(site.ops.flag(site.staff, target, FlagReason::offTopic));  // staff: weight 5 → 9 ≥ 5
  CHECK(site.stateOf(target) == PostState::hiddenByFlags);
  CHECK(site.postRecord(target).flagScore == 9);
}

TEST_CASE("a ring of five fresh accounts can neither hide a post nor silence its author - nor can anyone hide staff's",
          "[rules][flags]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/forum");
  site.library();
  std::vector<Actor> ring;
  for (int i = 0; i < 5; ++i) {
    ring.push_back(OpFactory::member("sock-" + std::to_string(i)));
    site.readToTrust1(ring.back());
    site.earn(ring.back(), 2, key);
  }
  auto ringFlags = [&](const std::vector<std::string>& posts, FlagReason reason) {
    for (const Actor& sock : ring) {
      for (const std::string& post : posts) site.requireAccepted(site.ops.flag(sock, post, reason));
    }
  };
  std::string staffPost = site.post(site.staff, key, "Official answer: the sale ends Friday");
  std::string memberPost = site.post(site.alice, key, "cheap watches here");
  ringFlags({staffPost, memberPost}, FlagReason::spam);
  CHECK(site.stateOf(staffPost) == PostState::visible);
  CHECK(site.stateOf(memberPost) == PostState::visible);
  CHECK(site.member("alice").state == MemberState::active);
  PostRecord flagged = site.postRecord(memberPost);
  CHECK(flagged.ledger.flags.size() == 5);  // open flags: in the moderation queue all the same
  CHECK(flagged.flagScore == 0);

  // A week on, the same ring's flags weigh: a member's post hides, staff's still waits for a moderator.
  site.ops.advance(7 * RulesSite::kDay);
  std::string later = site.post(site.alice, key, "more cheap watches");
  std::string staffLater = site.post(site.staff, key, "Official: returns are free");
  ringFlags({later, staffLater}, FlagReason::offTopic);
  CHECK(site.stateOf(later) == PostState::hiddenByFlags);
  CHECK(site.stateOf(staffLater) == PostState::visible);
}

TEST_CASE("spam flags from three members silence a TL0 author", "[rules][flags]") {
  Flagging site;
  std::string target = site.post(site.alice, site.key, "cheap watches here");
  site.requireAccepted(site.ops.flag(site.erin, target, FlagReason::spam));
  site.requireAccepted(site.ops.flag(site.frank, target, FlagReason::spam));
  CHECK(site.member("alice").state == MemberState::active);
  site.requireAccepted(site.ops.flag(site.gina, target, FlagReason::spam));
  CHECK(site.member("alice").state == MemberState::silenced);
  site.requireRejected(site.ops.post(site.alice, site.key, "more watches"), ReasonCode::memberSilenced);
}

TEST_CASE("upheld flags remove the post and count for the flaggers - dismissed flags restore it", "[rules][flags]") {
  Flagging site;
  std::string spam = site.post(site.alice, site.key, "cheap watches here");
  std::string fine = site.post(site.bob, site.key, "I disagree with the review");
  for (const Actor& who : {site.erin, site.frank}) site.requireAccepted(site.ops.flag(who, spam, FlagReason::spam));
  for (const Actor& who : {site.erin, site.frank, site.gina}) {
    site.requireAccepted(site.ops.flag(who, fine, FlagReason::offensive));
  }
  CHECK(site.stateOf(fine) == PostState::visible);  // 3 < 5
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::upholdFlags, spam, "spam"));
  CHECK(site.stateOf(spam) == PostState::spam);
  CHECK(site.reputation(site.alice) == 1);
  CHECK(site.member("erin").standing.flagsUpheld == 1);
  CHECK(site.member("erin").standing.flagsRaised == 2);

  Op dismiss = site.ops.moderatePost(site.moderator, ModerationAction::dismissFlags, fine, "disagreement is fine");
  site.requireAccepted(dismiss);
  CHECK(site.postRecord(fine).flagScore == 0);
  CHECK(site.member("gina").standing.flagsUpheld == 0);
  site.requireRejected(site.ops.moderatePost(site.moderator, ModerationAction::dismissFlags, fine),
                       ReasonCode::invalidAction);
}
