// Issue 33: ham learned without a moderator's click. Posts that go up from staff and trusted members
// train the classifier as ham, a member's first few of a UTC day only.
#include <catch2/catch.hpp>

#include "kring/notifications.h"
#include "kring/snapshot.h"
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct Shop : RulesSite {
  explicit Shop(Policy policy = Policy{}) : RulesSite(std::move(policy)) {}
  std::string key = thread(staff, "/p/trail-boot");

  std::uint32_t hamDecisions() const { return exportRecords(engine).hamDecisions; }
  std::int8_t trained(const std::string& postId) const { return postRecord(postId).ledger.spamTrained; }
  void grantTrust(const std::string& memberId, std::uint8_t level) {
    Op grant = ops.moderateMember(moderator, ModerationAction::setTrustLevel, memberId, "regular");
    std::get<Moderate>(grant.body).trustLevel = level;
    requireAccepted(grant);
  }
  // Posts `count` distinct texts a few minutes apart; returns their ids.
  std::vector<std::string> posts(const Actor& by, int count, const std::string& topic) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      ops.advance(3 * kMinute);
      ids.push_back(post(by, key, "Is the " + topic + " boot size " + std::to_string(40 + i) + " true to size?"));
    }
    return ids;
  }
};

}  // namespace

TEST_CASE("a TL2 member's and staff's visible posts train the filter as ham - a TL0 member's do not", "[rules][spam]") {
  Shop site;
  std::string first = site.post(site.alice, site.key, "Does the boot come in wide fit?");
  CHECK(site.trained(first) == 0);
  CHECK(site.hamDecisions() == 0);

  site.grantTrust("alice", 2);
  std::string trusted = site.post(site.alice, site.key, "The wide fit arrived, lovely leather.");
  CHECK(site.trained(trusted) == -1);
  CHECK(site.hamDecisions() == 1);
  std::string answer = site.post(site.staff, site.key, "Yes, sizes 38 to 47 come in wide fit.");
  CHECK(site.trained(answer) == -1);
  CHECK(site.hamDecisions() == 2);
  // The words it learnt are ham words now.
  const std::vector<TokenCountRecord> tokens = exportRecords(site.engine).spamTokens;
  auto leather =
      std::find_if(tokens.begin(), tokens.end(), [](const TokenCountRecord& t) { return t.token == "leather"; });
  REQUIRE(leather != tokens.end());
  CHECK(leather->ham == 1);
  CHECK(leather->spam == 0);

  // The default level is 2; the policy can lower it.
  Shop lowered([] {
    Policy policy;
    policy.spamHamTrustLevel = 0;
    return policy;
  }());
  std::string anyone = lowered.post(lowered.alice, lowered.key, "Does the boot come in wide fit?");
  CHECK(lowered.trained(anyone) == -1);
}

TEST_CASE("only a member's first posts of a UTC day train the filter, and the cap is a policy setting",
          "[rules][spam]") {
  Shop site;
  // The site's clock is at 10:13 UTC: seven posts three minutes apart stay on one day.
  std::vector<std::string> ids = site.posts(site.staff, 7, "trail");
  for (int i = 0; i < 5; ++i) CHECK(site.trained(ids[static_cast<std::size_t>(i)]) == -1);
  CHECK(site.trained(ids[5]) == 0);
  CHECK(site.trained(ids[6]) == 0);
  CHECK(site.hamDecisions() == 5);
  // Another member has a cap of their own; the next UTC day starts a new one.
  site.posts(site.moderator, 1, "alpine");
  CHECK(site.hamDecisions() == 6);
  site.ops.advance(RulesSite::kDay);
  site.posts(site.staff, 2, "winter");
  CHECK(site.hamDecisions() == 8);

  Policy off;
  off.spamHamPostsPerDay = 0;
  Shop quiet(off);
  quiet.posts(quiet.staff, 3, "trail");
  CHECK(quiet.hamDecisions() == 0);
}

TEST_CASE("a held post, or one a watched word puts before moderators, does not train the filter", "[rules][spam]") {
  Policy policy;
  policy.preModerateBelowTrustLevel = 3;
  Shop site(policy);
  site.post(site.staff, site.key, "Welcome to the boot's questions.");
  REQUIRE(site.hamDecisions() == 1);
  site.requireHeld(site.ops.post(site.alice, site.key, "Hello"), ReasonCode::preModerated);
  site.grantTrust("alice", 2);
  Outcome held = site.requireHeld(site.ops.post(site.alice, site.key, "Sizes run small"), ReasonCode::preModerated);
  CHECK(site.trained(held.opId) == 0);
  CHECK(site.hamDecisions() == 1);
  // A moderator's approval is what teaches it then.
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::approve, held.opId));
  CHECK(site.hamDecisions() == 2);

  Shop watched(withWords({WatchedWord{"*", "refund", WatchAction::flag}}));
  watched.post(watched.alice, watched.key, "Hello");
  watched.grantTrust("alice", 2);
  std::string flagged = watched.post(watched.alice, watched.key, "How long does a refund take?");
  CHECK(watched.stateOf(flagged) == PostState::visible);
  CHECK(watched.trained(flagged) == 0);
  CHECK(watched.hamDecisions() == 0);
}

TEST_CASE("a post learnt as ham and then rejected as spam is unlearnt - undoing the rejection learns it again",
          "[rules][spam][undo]") {
  Shop site;
  std::string answer = site.post(site.staff, site.key, "Free returns within 30 days on every boot.");
  REQUIRE(site.trained(answer) == -1);
  Op reject = site.ops.rejectAsSpam(site.moderator, answer);
  site.requireAccepted(reject);
  CHECK(site.trained(answer) == 1);
  CHECK(exportRecords(site.engine).hamDecisions == 0);
  CHECK(exportRecords(site.engine).spamDecisions == 1);
  site.requireAccepted(site.ops.undo(site.moderator, reject.id));
  CHECK(site.trained(answer) == -1);
  CHECK(exportRecords(site.engine).hamDecisions == 1);
  CHECK(exportRecords(site.engine).spamDecisions == 0);
}

TEST_CASE("the day's cap holds across a snapshot: a restored site counts the posts made before it",
          "[rules][spam][snapshot]") {
  Shop site;
  site.posts(site.staff, 3, "trail");
  REQUIRE(site.hamDecisions() == 3);
  Result<Engine> restored = restoreSiteSnapshot(site.snapshot());
  REQUIRE(restored);
  site.engine = std::move(restored.value());
  CHECK(site.hamDecisions() == 3);
  site.posts(site.staff, 4, "alpine");
  CHECK(site.hamDecisions() == 5);
}

namespace {

Op scheduledCheck(OpFactory& ops) { return ops.make(Actor{"kring:alerts", "Alerts", Role::staff}, CheckAlerts{}); }

// Learning by time alone: the alerts and the digest, which the same check serves, off.
Policy learningByTime(std::int32_t minutes = 24 * 60) {
  Policy policy;
  policy.unansweredAlertMinutes = 0;
  policy.staffDigestHourUtc = -1;
  policy.spamHamAfterMinutes = minutes;
  return policy;
}

// The check learns without an event: nothing a client shows changes.
void requireChecked(Shop& site) {
  const Outcome outcome = site.engine.apply(scheduledCheck(site.ops));
  INFO(outcome.message);
  REQUIRE(outcome.status == OutcomeStatus::accepted);
  CHECK(outcome.events.empty());
}

}  // namespace

TEST_CASE(
    "a new member's post that stood unflagged for spamHamAfterMinutes trains the filter at the server's next "
    "check - a flagged, removed or held one does not",
    "[rules][spam]") {
  REQUIRE(Policy{}.spamHamAfterMinutes == 24 * 60);  // the default
  Shop site(learningByTime());
  const std::string stands = site.post(site.alice, site.key, "Does the trail boot come in wide fit?");
  const std::string flagged = site.post(site.bob, site.key, "Which laces fit the trail boot best?");
  const std::string removed = site.post(site.carol, site.key, "My boots squeak on wet stone, normal?");
  site.requireAccepted(site.ops.flag(site.moderator, flagged));
  site.requireAccepted(site.ops.remove(site.carol, removed));
  for (const std::string& id : {stands, flagged, removed}) CHECK(site.trained(id) == 0);

  // Before the day has passed the check has nothing to do, and the filter has learnt nothing.
  site.ops.advance(23 * RulesSite::kHour);
  Outcome early = site.engine.apply(scheduledCheck(site.ops));
  CHECK(early.code == ReasonCode::unchanged);
  CHECK(early.message == "Nothing is due yet.");
  CHECK_FALSE(alertsDue(site.engine, site.ops.now()));
  CHECK(site.hamDecisions() == 0);

  site.ops.advance(RulesSite::kHour);
  REQUIRE(alertsDue(site.engine, site.ops.now()));
  CHECK(alertsDue(site.engine, site.ops.now(), false));  // a site that tells nobody still trains
  requireChecked(site);
  CHECK(site.trained(stands) == -1);
  CHECK(site.trained(flagged) == 0);
  CHECK(site.trained(removed) == 0);
  CHECK(site.hamDecisions() == 1);
  // Each post is reached once: the next check finds nothing, and nobody is left waiting.
  site.ops.advance(RulesSite::kDay);
  CHECK_FALSE(alertsDue(site.engine, site.ops.now()));
  CHECK(site.engine.apply(scheduledCheck(site.ops)).code == ReasonCode::unchanged);
  CHECK(site.hamDecisions() == 1);
}

TEST_CASE("posts waiting to train the filter survive a snapshot, keep the daily cap, and 0 turns it off",
          "[rules][spam][snapshot]") {
  Shop site(learningByTime());
  // Seven posts on one UTC day by a new member: the first five wait (spamHamPostsPerDay).
  const std::vector<std::string> ids = site.posts(site.alice, 7, "trail");
  REQUIRE(site.postRecord(ids[0]).state == PostState::visible);
  CHECK(site.postRecord(ids[4]).ledger.hamPending);
  CHECK_FALSE(site.postRecord(ids[5]).ledger.hamPending);
  Result<Engine> restored = restoreSiteSnapshot(site.snapshot());
  REQUIRE(restored);
  site.engine = std::move(restored.value());
  site.ops.advance(RulesSite::kDay);
  requireChecked(site);
  CHECK(site.hamDecisions() == 5);
  for (int i = 0; i < 7; ++i) {
    CHECK(site.trained(ids[static_cast<std::size_t>(i)]) == (i < 5 ? -1 : 0));
    CHECK_FALSE(site.postRecord(ids[static_cast<std::size_t>(i)]).ledger.hamPending);
  }

  Shop off(learningByTime(0));
  const std::string post = off.post(off.alice, off.key, "Does the trail boot come in wide fit?");
  CHECK_FALSE(off.postRecord(post).ledger.hamPending);
  off.ops.advance(2 * RulesSite::kDay);
  Outcome check = off.engine.apply(scheduledCheck(off.ops));
  CHECK(check.code == ReasonCode::notPermitted);
  CHECK(check.message == "Unanswered-question alerts, the staff's digest and ham learning by time are off.");
  CHECK(off.hamDecisions() == 0);
}
