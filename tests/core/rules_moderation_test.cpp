// Moderator actions: a reason is required, every action lands in the audit log, and undo restores.
#include "kring/names.h"
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct Moderated : RulesSite {
  std::string key = thread(staff, "/support", ThreadKind::question);
  std::string question = post(alice, key, "How do I reset it?");
};

}  // namespace

TEST_CASE("a moderator action without a reason is refused", "[rules][moderation]") {
  Moderated site;
  site.requireRejected(site.ops.moderatePost(site.moderator, ModerationAction::hide, site.question, "  "),
                       ReasonCode::reasonRequired);
}

TEST_CASE("members cannot use moderator tools - only admins set roles", "[rules][moderation]") {
  Moderated site;
  site.requireRejected(site.ops.moderatePost(site.bob, ModerationAction::hide, site.question),
                       ReasonCode::notPermitted);
  site.requireRejected(site.ops.moderateMember(site.moderator, ModerationAction::setRole, "bob"),
                       ReasonCode::notPermitted);
  site.requireRejected(site.ops.moderateMember(site.moderator, ModerationAction::ban, "nobody"),
                       ReasonCode::unknownMember);
  site.post(site.bob, site.key, "Hello");
  site.requireRejected(site.ops.moderateMember(site.moderator, ModerationAction::ban, "mod"),
                       ReasonCode::unknownMember);
}

TEST_CASE("the audit log records actor, action, target, reason and time - undo marks the entry",
          "[rules][moderation]") {
  Moderated site;
  Op hide = site.ops.moderatePost(site.moderator, ModerationAction::hide, site.question, "personal data");
  Outcome outcome = site.requireAccepted(hide);
  CHECK(site.stateOf(site.question) == PostState::hiddenByModerator);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, "bob"), site.question).body.empty());

  std::vector<AuditRecord> audit = site.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].id == hide.id);
  CHECK(audit[0].actorId == "mod");
  CHECK(audit[0].action == ModerationAction::hide);
  CHECK(audit[0].postId == site.question);
  CHECK(audit[0].memberId == "alice");
  CHECK(audit[0].reason == "personal data");
  CHECK(audit[0].time == hide.time);
  CHECK_FALSE(audit[0].undone);

  Op undo = site.ops.undo(site.moderator, hide.id, "it was a public address");
  site.requireAccepted(undo);
  CHECK(site.stateOf(site.question) == PostState::visible);
  audit = site.audit();
  CHECK(audit[0].undone);
  CHECK(audit[0].undoneBy == "mod");
  CHECK(audit[0].undoReason == "it was a public address");
  site.requireRejected(site.ops.undo(site.moderator, hide.id), ReasonCode::alreadyUndone);
  site.requireRejected(site.ops.undo(site.moderator, "no-such-action"), ReasonCode::nothingToUndo);
  site.requireRejected(site.ops.undo(site.moderator, hide.id + "x", ""), ReasonCode::nothingToUndo);
}

TEST_CASE("lock, pin and their undo", "[rules][moderation]") {
  Moderated site;
  Op lock = site.ops.moderateThread(site.moderator, ModerationAction::lock, site.key, "solved");
  Outcome locked = site.requireAccepted(lock);
  CHECK(eventAt<ThreadChanged>(locked, 1).thread.state == ThreadState::locked);
  site.requireRejected(site.ops.post(site.bob, site.key, "Late answer", site.question), ReasonCode::threadLocked);
  site.requireRejected(site.ops.moderateThread(site.moderator, ModerationAction::lock, site.key),
                       ReasonCode::invalidAction);
  site.requireAccepted(site.ops.undo(site.moderator, lock.id));
  site.reply(site.bob, site.key, site.question, "Late answer");

  site.requireAccepted(site.ops.moderateThread(site.staff, ModerationAction::pin, site.key, "FAQ"));
  CHECK(site.view(site.key).state == ThreadState::pinned);
  site.requireAccepted(site.ops.moderateThread(site.staff, ModerationAction::unpin, site.key, "stale"));
  CHECK(site.view(site.key).state == ThreadState::open);
}

TEST_CASE("ban, unban, set role and grant TL4 are undone to the exact state before", "[rules][moderation]") {
  Moderated site;
  Op ban = site.ops.moderateMember(site.moderator, ModerationAction::ban, "alice", "abuse");
  site.requireAccepted(ban);
  CHECK(site.member("alice").state == MemberState::banned);
  site.requireAccepted(site.ops.undo(site.moderator, ban.id));
  CHECK(site.member("alice").state == MemberState::active);

  Op promote = site.ops.moderateMember(site.admin, ModerationAction::setRole, "alice", "new moderator");
  std::get<Moderate>(promote.body).role = Role::moderator;
  site.requireAccepted(promote);
  CHECK(site.member("alice").role == Role::moderator);
  // The assigned role outlasts the token's: alice's own ops now moderate.
  site.requireAccepted(site.ops.moderatePost(site.alice, ModerationAction::feature, site.question, "model question"));
  site.requireAccepted(site.ops.undo(site.admin, promote.id));
  CHECK(site.member("alice").role == Role::member);
  CHECK_FALSE(site.member("alice").roleAssigned);

  Op leader = site.ops.moderateMember(site.moderator, ModerationAction::setTrustLevel, "alice", "community leader");
  std::get<Moderate>(leader.body).trustLevel = 4;
  site.requireAccepted(leader);
  CHECK(site.trustLevel(site.alice) == 4);
  CHECK(site.member("alice").trustLevelGranted);
  site.requireAccepted(site.ops.undo(site.moderator, leader.id));
  CHECK(site.trustLevel(site.alice) == 0);
}

// Every field, the rules' standing included; the fields first, so a failure names the one that moved.
void requireSameMember(const MemberRecord& after, const MemberRecord& before) {
  CHECK(static_cast<const MemberProfile&>(after) == static_cast<const MemberProfile&>(before));
  CHECK(after.standing.lastSanctionAt == before.standing.lastSanctionAt);
  CHECK(after.standing.trust3Since == before.standing.trust3Since);
  CHECK(after == before);
}

TEST_CASE("silence, suspension and TL grants are undone to the whole record before, standing included",
          "[rules][moderation]") {
  Moderated site;
  for (ModerationAction action :
       {ModerationAction::silence, ModerationAction::suspend, ModerationAction::setTrustLevel}) {
    INFO(moderationActionName(action));
    MemberRecord before = site.member("alice");
    Op op = site.ops.moderateMember(site.moderator, action, "alice", "cooling off");
    std::get<Moderate>(op.body).until = site.ops.now() + RulesSite::kDay;
    std::get<Moderate>(op.body).trustLevel = 3;
    site.requireAccepted(op);
    site.requireAccepted(site.ops.undo(site.moderator, op.id));
    // An undone sanction must not keep the member out of TL3 for six months.
    requireSameMember(site.member("alice"), before);
  }
}

TEST_CASE("an action id already in the audit log is refused as a duplicate action, not a duplicate post",
          "[rules][moderation]") {
  Moderated site;
  Op hide = site.ops.moderatePost(site.moderator, ModerationAction::hide, site.question);
  site.requireAccepted(hide);
  Op again = site.ops.moderatePost(site.moderator, ModerationAction::restore, site.question);
  again.id = hide.id;
  site.requireRejected(again, ReasonCode::duplicateActionId);
  Policy policy;
  Op update = site.ops.policy(site.admin, policy);
  update.id = hide.id;
  site.requireRejected(update, ReasonCode::duplicateActionId);
}

TEST_CASE("a held post is approved or rejected from the queue - reject as spam trains the filter",
          "[rules][moderation]") {
  Policy policy;
  policy.preModerateBelowTrustLevel = 1;
  RulesSite site(policy);
  std::string key = site.thread(site.staff, "/q");
  Outcome first = site.requireHeld(site.ops.post(site.alice, key, "hello all"), ReasonCode::preModerated);
  Outcome second = site.requireHeld(site.ops.post(site.bob, key, "casino bonus"), ReasonCode::preModerated);
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::approve, first.opId));
  Op reject = site.ops.rejectAsSpam(site.moderator, second.opId);
  site.requireAccepted(reject);
  SiteRecords records = exportRecords(site.engine);
  CHECK(records.hamDecisions == 1);
  CHECK(records.spamDecisions == 1);
  CHECK(site.stateOf(second.opId) == PostState::spam);
  site.requireRejected(site.ops.moderatePost(site.moderator, ModerationAction::approve, first.opId),
                       ReasonCode::notPending);
  // Undoing the rejection unlearns it and puts the post back in the queue.
  site.requireAccepted(site.ops.undo(site.moderator, reject.id));
  CHECK(exportRecords(site.engine).spamDecisions == 0);
  CHECK(site.stateOf(second.opId) == PostState::pendingReview);
}

TEST_CASE("policy changes are admin ops, validated whole and audited", "[rules][moderation]") {
  Moderated site;
  Policy policy;
  policy.reputationFloor = 5;  // above the initial reputation of 1: refused
  Outcome refused = site.requireRejected(site.ops.policy(site.admin, policy), ReasonCode::invalidPolicy);
  CHECK(refused.message.find("reputationFloor") != std::string::npos);
  site.requireRejected(site.ops.policy(site.moderator, Policy{}), ReasonCode::notPermitted);

  Policy lower;
  lower.privilegeVoteUp = 1;
  Op update = site.ops.policy(site.admin, lower);
  Outcome outcome = site.requireAccepted(update);
  CHECK(eventAt<PolicyChanged>(outcome, 1).policy == lower);
  CHECK(site.engine.policy() == lower);
  CHECK(site.audit().back().isPolicyChange);
  site.requireRejected(site.ops.undo(site.admin, update.id), ReasonCode::invalidAction);
  site.vote(site.bob, site.question, VoteDirection::up);
}

TEST_CASE("bad moderator input is refused with its reason and changes nothing", "[rules][moderation]") {
  Moderated site;
  site.post(site.bob, site.key, "Hello");
  site.requireRejected(
      site.ops.moderatePost(site.moderator, ModerationAction::hide, site.question, std::string(501, 'r')),
      ReasonCode::invalidText);
  site.requireRejected(
      site.ops.moderatePost(site.moderator, ModerationAction::hide, site.question, "bad \xC3\x28 utf-8"),
      ReasonCode::invalidText);
  site.requireRejected(site.ops.moderatePost(site.moderator, ModerationAction::hide, "no-such-post"),
                       ReasonCode::unknownPost);
  site.requireRejected(site.ops.moderateThread(site.moderator, ModerationAction::lock, "/no-such-thread"),
                       ReasonCode::unknownThread);
  Op past = site.ops.moderateMember(site.moderator, ModerationAction::suspend, "bob", "cool off");
  std::get<Moderate>(past.body).until = site.ops.now() - 1;
  site.requireRejected(past, ReasonCode::invalidAction);
  Op level = site.ops.moderateMember(site.moderator, ModerationAction::setTrustLevel, "bob", "typo");
  std::get<Moderate>(level.body).trustLevel = 5;
  site.requireRejected(level, ReasonCode::invalidAction);
  site.requireRejected(site.ops.moderateMember(site.moderator, ModerationAction::unban, "bob"),
                       ReasonCode::invalidAction);
  site.requireRejected(site.ops.moderatePost(site.moderator, ModerationAction::restore, site.question),
                       ReasonCode::invalidAction);
}

TEST_CASE("a reading op naming too many threads is refused", "[rules][trust]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/t");
  site.requireRejected(site.ops.reading(site.alice, std::vector<std::string>(101, key), 1, 1), ReasonCode::malformedOp);
  site.requireRead(site.ops.reading(site.alice, std::vector<std::string>(100, key), 1, 1));
}
