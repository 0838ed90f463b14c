// Who sees what: each viewer's projection of a thread, and replicas that hold only their projection.
#include <catch2/catch.hpp>

#include <map>

#include "kring/codec.h"
#include "kring/replica.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"
#include "kring/visibility.h"
#include "op_generator.h"
#include "rules_fixture.h"
#include "snapshot_records.h"

namespace kring::testing {
namespace {

bool contains(const Bytes& bytes, std::string_view text) {
  return std::search(bytes.begin(), bytes.end(), text.begin(), text.end()) != bytes.end();
}

Bytes snapshotFor(const Engine& engine, const std::string& key, const Actor& who) {
  Result<Bytes> bytes = encodeThreadSnapshot(engine, key, viewerOf(engine, who, 0));
  REQUIRE(bytes.ok());
  return bytes.value();
}

// The bytes each viewer receives of one op, as kring-server sends them.
Bytes framesFor(const Engine& engine, const Op& op, const Outcome& outcome, const Actor& who) {
  std::vector<Event> events = projectEvents(opEventsForReplicas(engine, op, outcome), viewerOf(engine, who, 0));
  return encodeServerMessage(EventsMessage{engine.threadKeyOf(op).value_or(""), op.sequence, events});
}

// The same snapshot with lastSequence cleared: a replica hears of no op that shows it nothing.
Bytes withoutSequence(const Bytes& snapshot) {
  ThreadSnapshotEditor editor(snapshot);
  editor.root().setLastSequence(0);
  return editor.bytes();
}

}  // namespace

TEST_CASE(
    "a held post's text reaches its author and the moderators, then everyone once approved, then only "
    "moderators once removed",
    "[visibility]") {
  RulesSite site;
  const Actor guest = OpFactory::member("guest:reader");
  const Actor reviewer = OpFactory::member("rita");
  std::string key = site.thread(site.staff, "/p/held");
  site.earn(reviewer, 20, "/p/held");  // 200 reputation in a day
  Policy policy;
  policy.privilegeReviewQueue = 150;      // enough for rita to review held posts
  policy.preModerateBelowTrustLevel = 1;  // from now on every new member's post waits for review
  site.requireAccepted(site.ops.policy(site.admin, policy));
  const std::string secret = "Call me on 555-0199 for the real deal";

  Op held = site.ops.post(site.alice, key, secret);
  Outcome heldOutcome = site.requireHeld(held, ReasonCode::preModerated);
  for (const Actor& who : {site.alice, site.moderator, reviewer}) {
    INFO(who.memberId);
    CHECK(contains(snapshotFor(site.engine, key, who), secret));
    CHECK(contains(framesFor(site.engine, held, heldOutcome, who), secret));
  }
  for (const Actor& who : {site.bob, guest, site.staff}) {
    INFO(who.memberId);
    CHECK_FALSE(contains(snapshotFor(site.engine, key, who), secret));
    CHECK_FALSE(contains(framesFor(site.engine, held, heldOutcome, who), secret));
    CHECK_FALSE(contains(framesFor(site.engine, held, heldOutcome, who), "pre_moderated"));
  }

  Op approve = site.ops.moderatePost(site.moderator, ModerationAction::approve, held.id, "fine by the rules");
  Outcome approved = site.requireAccepted(approve);
  for (const Actor& who : {site.bob, guest, site.alice}) {
    INFO(who.memberId);
    Bytes frames = framesFor(site.engine, approve, approved, who);
    CHECK(contains(frames, secret));                     // the text arrives with the approval
    CHECK_FALSE(contains(frames, "fine by the rules"));  // the audit reason does not
    CHECK_FALSE(contains(frames, "mod"));                // nor who approved
    CHECK(contains(snapshotFor(site.engine, key, who), secret));
  }
  CHECK(contains(framesFor(site.engine, approve, approved, site.moderator), "fine by the rules"));

  Op edit = site.ops.edit(site.alice, held.id, "Edited: ask in the shop");
  site.requireHeld(edit, ReasonCode::preModerated);  // pre-moderation covers edits too
  Op reject = site.ops.rejectAsSpam(site.moderator, held.id);
  Outcome rejected = site.requireAccepted(reject);
  for (const Actor& who : {site.bob, guest, site.alice, reviewer}) {
    INFO(who.memberId);
    CHECK_FALSE(contains(framesFor(site.engine, reject, rejected, who), "Edited: ask in the shop"));
    Bytes snapshot = snapshotFor(site.engine, key, who);
    CHECK_FALSE(contains(snapshot, "Edited: ask in the shop"));
    CHECK_FALSE(contains(snapshot, secret));  // nor the edited-out text
  }
  Bytes forModerator = snapshotFor(site.engine, key, site.moderator);
  CHECK(contains(forModerator, "Edited: ask in the shop"));
  CHECK(contains(forModerator, secret));  // the edit history
}

TEST_CASE("members see vote counts and their own vote, flags only as their own, and no screening policy",
          "[visibility]") {
  Policy policy;
  policy.privilegeVoteUp = 0;
  policy.privilegeVoteDown = 0;
  policy.privilegeFlag = 0;
  policy.watchedWords.push_back(WatchedWord{"*", "crypto-giveaway", WatchAction::requireApproval});
  policy.spamHoldScore = 77;
  RulesSite site(policy);
  std::string key = site.thread(site.staff, "/p/votes");
  std::string answer = site.post(site.staff, key, "Use the size chart");
  Op up = site.ops.vote(site.bob, answer, VoteDirection::up);
  Outcome upOutcome = site.requireAccepted(up);
  Op down = site.ops.vote(site.carol, answer, VoteDirection::down);
  Outcome downOutcome = site.requireAccepted(down);

  // A first-time voter is not announced either.
  const Actor newcomer = OpFactory::member("newcomer-nia");
  Op firstVote = site.ops.vote(newcomer, answer, VoteDirection::up);
  Outcome firstOutcome = site.requireAccepted(firstVote);
  for (const Event& event :
       projectEvents(opEventsForReplicas(site.engine, firstVote, firstOutcome), viewerOf(site.engine, site.dave, 0))) {
    INFO(event.body.index());
  }
  CHECK_FALSE(contains(framesFor(site.engine, firstVote, firstOutcome, site.dave), "newcomer-nia"));

  Bytes forDave = snapshotFor(site.engine, key, site.dave);
  CHECK_FALSE(contains(forDave, "bob"));
  CHECK_FALSE(contains(forDave, "carol"));
  CHECK_FALSE(contains(framesFor(site.engine, up, upOutcome, site.dave), "bob"));
  CHECK_FALSE(contains(framesFor(site.engine, down, downOutcome, site.dave), "carol"));
  CHECK(contains(snapshotFor(site.engine, key, site.bob), "bob"));  // their own vote
  CHECK(contains(snapshotFor(site.engine, key, site.moderator), "carol"));

  Engine replica("test-site");
  REQUIRE(loadThreadSnapshot(replica, forDave).ok());
  CHECK(replica.threadView(key, SortOrder::top)->posts.at(0).score == 1);  // +1 −1 +1, counted by the server

  CHECK_FALSE(contains(forDave, "crypto-giveaway"));
  CHECK_FALSE(contains(forDave, "spamHoldScore"));
  CHECK(contains(snapshotFor(site.engine, key, site.moderator), "crypto-giveaway"));
  Policy held = projectPolicy(site.engine.policy(), viewerOf(site.engine, site.dave, 0));
  CHECK(held.screeningWithheld);
  CHECK(held.watchedWords.empty());
  CHECK(held.spamHoldScore == Policy{}.spamHoldScore);
  CHECK(held.privilegeVoteUp == 0);  // the gates a replica predicts with

  Moderate trust;
  trust.action = ModerationAction::setTrustLevel;
  trust.memberId = "bob";
  trust.trustLevel = 2;
  trust.reason = "a regular elsewhere";
  site.requireAccepted(site.ops.make(site.moderator, trust));
  Op flag = site.ops.flag(site.bob, answer, FlagReason::offensive);
  Outcome flagged = site.requireAccepted(flag);
  CHECK_FALSE(contains(framesFor(site.engine, flag, flagged, site.dave), "bob"));
  CHECK(projectEvents(opEventsForReplicas(site.engine, flag, flagged), viewerOf(site.engine, site.dave, 0)).empty());
  CHECK(contains(framesFor(site.engine, flag, flagged, site.bob), "bob"));
}

TEST_CASE("what a member reads, and their joining by reading, reach only that member", "[visibility]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/p/reading");
  Actor reader = OpFactory::member("quiet-reader", Role::member);
  Op first = site.ops.reading(reader, {key}, 3, 30);
  Outcome joined = site.requireRead(first);
  OpEvents events = opEventsForReplicas(site.engine, first, joined);
  REQUIRE_FALSE(events.events.empty());  // the reader's own record, for their replica
  CHECK(projectEvents(events, viewerOf(site.engine, site.dave, 0)).empty());
  CHECK(projectEvents(events, viewerOf(site.engine, site.moderator, 0)).empty());
  std::vector<Event> toReader = projectEvents(events, viewerOf(site.engine, reader, 0));
  REQUIRE(toReader.size() == 1);
  CHECK(std::get<MemberJoined>(toReader[0].body).member.id == "quiet-reader");
  CHECK(events.opId == first.id);
}

TEST_CASE("a sanction reaches the member and the moderators only", "[visibility]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/p/sanction");
  site.post(site.bob, key, "Hi");
  Op ban = site.ops.moderateMember(site.moderator, ModerationAction::ban, "bob", "doxxing another member");
  Outcome banned = site.requireAccepted(ban);
  OpEvents events = opEventsForReplicas(site.engine, ban, banned);
  CHECK(projectEvents(events, viewerOf(site.engine, site.dave, 0)).empty());
  std::vector<Event> toBob = projectEvents(events, viewerOf(site.engine, site.bob, 0));
  REQUIRE(toBob.size() == 1);
  CHECK(std::get<MemberChanged>(toBob[0].body).member.state == MemberState::banned);
  CHECK_FALSE(contains(framesFor(site.engine, ban, banned, site.bob), "doxxing"));
  CHECK(contains(framesFor(site.engine, ban, banned, site.admin), "doxxing"));
  Engine daves("test-site");
  REQUIRE(loadThreadSnapshot(daves, snapshotFor(site.engine, key, site.dave)).ok());
  CHECK(daves.member("bob")->state == MemberState::active);  // others' sanctions are not theirs to hold
  Engine bobs("test-site");
  REQUIRE(loadThreadSnapshot(bobs, snapshotFor(site.engine, key, site.bob)).ok());
  CHECK(bobs.member("bob")->state == MemberState::banned);
}

TEST_CASE("a suspended or banned moderator reads as everyone until the sanction ends", "[visibility]") {
  RulesSite site;
  site.thread(site.moderator, "/p/moderated");  // the moderator is a member of the site
  REQUIRE(viewerOf(site.engine, site.moderator, 0).viewerClass == ViewerClass::moderator);
  Op suspend = site.ops.moderateMember(site.admin, ModerationAction::suspend, site.moderator.memberId,
                                       "a second look at their calls");
  std::get<Moderate>(suspend.body).until = suspend.time + RulesSite::kHour;
  site.requireAccepted(suspend);
  REQUIRE(site.member(site.moderator.memberId).state == MemberState::suspended);
  CHECK(viewerOf(site.engine, site.moderator, suspend.time).viewerClass == ViewerClass::everyone);
  CHECK(viewerOf(site.engine, site.moderator, suspend.time + RulesSite::kHour - 1).viewerClass ==
        ViewerClass::everyone);
  // The suspension ends with its time, without an op: the view comes back with the role.
  CHECK(viewerOf(site.engine, site.moderator, suspend.time + RulesSite::kHour).viewerClass == ViewerClass::moderator);

  site.requireAccepted(site.ops.moderateMember(site.admin, ModerationAction::ban, site.moderator.memberId, "rogue"));
  CHECK(viewerOf(site.engine, site.moderator, suspend.time + 365 * RulesSite::kDay).viewerClass ==
        ViewerClass::everyone);
}

TEST_CASE("a replica predicts without the screening policy and says the server decides", "[visibility]") {
  Policy policy;
  policy.watchedWords.push_back(WatchedWord{"*", "crypto-giveaway", WatchAction::block});
  RulesSite site(policy);
  std::string key = site.thread(site.staff, "/p/predict");
  Engine replica("test-site");
  REQUIRE(loadThreadSnapshot(replica, snapshotFor(site.engine, key, site.bob)).ok());
  Op op = site.ops.post(site.bob, key, "Win a crypto-giveaway now");
  Outcome predicted = replica.apply(op);
  CHECK(predicted.status == OutcomeStatus::accepted);
  CHECK(predicted.code == ReasonCode::screenedByServer);
  Outcome actual = site.engine.apply(op);
  CHECK(actual.code == ReasonCode::blockedWord);
  // The gates a replica holds are predicted exactly: a vote below the reputation gate.
  std::string staffPost = site.post(site.staff, key, "Welcome");
  REQUIRE(loadThreadSnapshot(replica, snapshotFor(site.engine, key, site.bob)).ok());
  Op vote = site.ops.vote(site.bob, staffPost, VoteDirection::up);
  CHECK(replica.apply(vote).code == ReasonCode::insufficientReputation);
  CHECK(site.engine.apply(vote).code == ReasonCode::insufficientReputation);
}

// For a generated op log, every viewer's replica, fed only its projected snapshot and events (as
// kring-server sends them, with fresh snapshots when the viewer's class changes), ends
// byte-identical to the server's projection for that viewer.
TEST_CASE("every viewer's replica ends equal to the server's projection for that viewer", "[visibility]") {
  GeneratorOptions options;
  options.ops = 6000;
  options.members = 16;
  std::vector<Op> ops = generateOps(options);
  Engine server("site");

  struct Follower {
    Actor actor;
    std::size_t joinsAt;
    Engine replica{"site"};
    ViewerClass loaded = ViewerClass::everyone;
    bool joined = false;
  };
  // m0 admin, m1 moderator, m2 staff, members, and a guest who never acts.
  std::vector<Follower> followers;
  for (auto [id, role, joinsAt] : {std::tuple{"m0", Role::admin, 0},
                                   {"m1", Role::moderator, 2500},
                                   {"m2", Role::staff, 0},
                                   {"m5", Role::member, 0},
                                   {"m7", Role::member, 3000},
                                   {"m11", Role::member, 1200},
                                   {"guest:abc", Role::member, 0}}) {
    followers.push_back(Follower{Actor{id, id, role}, static_cast<std::size_t>(joinsAt)});
  }
  auto loadAll = [&](Follower& follower) {
    Viewer viewer = viewerOf(server, follower.actor, 0);
    follower.loaded = viewer.viewerClass;
    for (const ThreadRecord& thread : exportRecords(server).threads) {
      Result<Bytes> bytes = encodeThreadSnapshot(server, thread.key, viewer);
      REQUIRE(bytes.ok());
      Status loaded = loadThreadSnapshot(follower.replica, bytes.value());
      INFO((loaded.ok() ? std::string() : loaded.error().message));
      REQUIRE(loaded.ok());
    }
    follower.joined = true;
  };

  std::size_t classChanges = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    for (Follower& follower : followers) {
      if (!follower.joined && follower.joinsAt == i) loadAll(follower);
    }
    Outcome outcome = server.apply(ops[i]);
    if (!outcome.stored()) continue;
    OpEvents events = opEventsForReplicas(server, ops[i], outcome);
    std::string key = server.threadKeyOf(ops[i]).value_or("");
    for (Follower& follower : followers) {
      if (!follower.joined) continue;
      Viewer viewer = viewerOf(server, follower.actor, 0);
      if (viewer.viewerClass != follower.loaded) {
        ++classChanges;
        loadAll(follower);
        continue;
      }
      std::vector<Event> projected = projectEvents(events, viewer);
      if (projected.empty()) continue;
      Status applied = applyEvents(follower.replica, EventsMessage{key, ops[i].sequence, projected});
      INFO("op " << i << " (" << ops[i].id << ") for " << follower.actor.memberId << ": "
                 << (applied.ok() ? std::string() : applied.error().message));
      REQUIRE(applied.ok());
    }
  }
  std::map<std::string, int> compared;
  for (const Follower& follower : followers) {
    Viewer viewer = viewerOf(server, follower.actor, 0);
    for (const ThreadRecord& thread : exportRecords(server).threads) {
      INFO(follower.actor.memberId << " on " << thread.key);
      Bytes expected = withoutSequence(encodeThreadSnapshot(server, thread.key, viewer).value());
      Bytes actual = withoutSequence(encodeThreadSnapshot(follower.replica, thread.key, viewer).value());
      REQUIRE(actual == expected);
      compared[follower.actor.memberId] += 1;
    }
  }
  CHECK(compared.size() == followers.size());
  CHECK(compared["m5"] > 10);
  // The log made posts hidden and removed, so projections really differ between viewers.
  std::size_t differing = 0;
  for (const ThreadRecord& thread : exportRecords(server).threads) {
    differing += encodeThreadSnapshot(server, thread.key, viewerOf(server, followers.back().actor, 0)).value() !=
                 encodeThreadSnapshot(server, thread.key, fullViewer()).value();
  }
  CHECK(differing > 5);
  CHECK(classChanges > 0);  // roles set by admins changed what some viewers may see, mid-log
}

TEST_CASE("members a thread does not name get exactly their class's snapshot - the others are its subjects",
          "[visibility][snapshot]") {
  Policy policy;
  policy.privilegeVoteUp = 0;
  policy.watchedWords.push_back(WatchedWord{"*", "crypto-giveaway", WatchAction::requireApproval});
  RulesSite site(policy);
  std::string key = site.thread(site.staff, "/p/subjects");
  std::string bobs = site.post(site.bob, key, "Use the size chart");
  CHECK(site.engine.apply(site.ops.post(site.carol, key, "Free crypto-giveaway here")).status == OutcomeStatus::held);
  site.vote(site.dave, bobs, VoteDirection::up);
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::silence, "bob", "spam run"));
  const Actor erin = OpFactory::member("erin");  // has not joined the site

  std::vector<std::string> subjects = threadSubjects(site.engine, key);
  CHECK(subjects == std::vector<std::string>{"bob", "carol", "dave", "staff"});
  CHECK(threadSubjects(site.engine, "/p/none").empty());
  int shared = 0;
  for (const Actor& who : {site.alice, site.bob, site.carol, site.dave, erin, site.moderator, site.admin}) {
    Viewer viewer = viewerOf(site.engine, who, 0);
    Bytes classBytes = encodeThreadSnapshot(site.engine, key, Viewer{"", viewer.viewerClass}).value();
    bool subject = std::binary_search(subjects.begin(), subjects.end(), who.memberId);
    INFO(who.memberId);
    if (!subject) {
      CHECK(snapshotFor(site.engine, key, who) == classBytes);
      ++shared;
    }
  }
  CHECK(shared == 4);  // alice, erin and both moderators
  // Subjects do differ: the held post's author, the voter, the silenced author.
  for (const Actor& who : {site.bob, site.carol, site.dave}) {
    INFO(who.memberId);
    CHECK(snapshotFor(site.engine, key, who) != encodeThreadSnapshot(site.engine, key, Viewer{}).value());
  }
}

}  // namespace kring::testing
