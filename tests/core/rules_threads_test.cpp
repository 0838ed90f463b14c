// Who may create a thread, and its title (docs/community-rules.md "Threads"): a key belongs to
// whoever creates it first, so guests and fresh accounts need the host's approval.
#include "rules_fixture.h"

#include "kring/replica.h"
#include "kring/snapshot.h"
#include "kring/view.h"
#include "kring/visibility.h"

using namespace kring;
using namespace kring::testing;

namespace {

Op approvedThread(RulesSite& site, const Actor& who, std::string key, std::string title) {
  CreateThread body{std::move(key), ThreadKind::question, std::move(title)};
  body.hostApproved = true;
  return site.ops.make(who, std::move(body));
}

Op editTitle(RulesSite& site, const Actor& who, std::string key, std::string title) {
  Op op = site.ops.moderateThread(who, ModerationAction::editTitle, std::move(key), "offensive title");
  std::get<Moderate>(op.body).title = std::move(title);
  return op;
}

// The first event of type T in the outcome.
template <typename T>
T firstEvent(const Outcome& outcome) {
  for (const Event& event : outcome.events) {
    if (const T* body = std::get_if<T>(&event.body)) return *body;
  }
  FAIL("no such event");
  return T{};
}

}  // namespace

TEST_CASE("a TL0 member cannot take an upcoming product page's key - nor can a guest", "[rules][threads]") {
  RulesSite site;
  REQUIRE(Policy{}.threadCreateMinTrustLevel == 1);
  Outcome refused = site.requireRejected(
      site.ops.thread(site.alice, "/products/next-phone", ThreadKind::question, "This product is garbage"),
      ReasonCode::threadCreationRestricted);
  CHECK(refused.message ==
        "Members below trust level 1 cannot start a thread here; the site creates its pages' threads.");
  CHECK_FALSE(site.engine.hasThread("/products/next-phone"));
  site.requireRejected(site.ops.thread(OpFactory::member("guest:4f2a"), "/products/next-phone"),
                       ReasonCode::threadCreationRestricted);
}

TEST_CASE("a TL1 member creates a thread - a guest at TL1 still needs the host", "[rules][threads]") {
  RulesSite site;
  site.library();
  site.readToTrust1(site.alice);
  REQUIRE(site.trustLevel(site.alice) == 1);
  site.thread(site.alice, "/forum/trail-shoes");
  CHECK(site.view("/forum/trail-shoes").title == "A title");

  const Actor guest = OpFactory::member("guest:77aa");
  site.readToTrust1(guest);
  REQUIRE(site.trustLevel(guest) == 1);
  site.requireRejected(site.ops.thread(guest, "/forum/guest-thread"), ReasonCode::threadCreationRestricted);
}

TEST_CASE("staff, moderators and admins create threads at any trust level", "[rules][threads]") {
  RulesSite site;
  site.thread(site.staff, "/p/1");
  site.thread(site.moderator, "/p/2");
  site.thread(site.admin, "/p/3");
}

TEST_CASE("a host-approved CreateThread creates the thread for a TL0 member", "[rules][threads]") {
  RulesSite site;
  Outcome created = site.requireAccepted(approvedThread(site, site.alice, "/products/next-phone", "Next Phone"));
  ThreadCreated event = firstEvent<ThreadCreated>(created);
  CHECK(event.thread.authorId == "alice");
  CHECK(site.view("/products/next-phone").title == "Next Phone");
}

TEST_CASE("threadCreateMinTrustLevel tunes the gate - 0 lets anyone in, 5 only staff and the host",
          "[rules][threads]") {
  Policy open;
  open.threadCreateMinTrustLevel = 0;
  RulesSite anyone(open);
  anyone.thread(anyone.alice, "/t/1");

  Policy closed;
  closed.threadCreateMinTrustLevel = 5;
  RulesSite nobody(closed);
  nobody.library();
  nobody.readToTrust1(nobody.alice);
  Outcome refused =
      nobody.requireRejected(nobody.ops.thread(nobody.alice, "/t/1"), ReasonCode::threadCreationRestricted);
  CHECK(refused.message ==
        "Members below trust level 5 cannot start a thread here; the site creates its pages' threads.");
  nobody.thread(nobody.staff, "/t/1");
  CHECK(policySettings().size() > 0);
  CHECK(validatePolicy(closed).ok());
  closed.threadCreateMinTrustLevel = 6;
  CHECK_FALSE(validatePolicy(closed).ok());
}

TEST_CASE("thread titles are screened like posts - blocked, censored, or refused for review", "[rules][threads]") {
  RulesSite site(withWords({{"*", "garbage", WatchAction::block},
                            {"*", "darn", WatchAction::censor},
                            {"*", "lawsuit", WatchAction::requireApproval}}));
  Outcome blocked = site.requireRejected(site.ops.thread(site.staff, "/p/1", ThreadKind::discussion, "This is garbage"),
                                         ReasonCode::blockedWord);
  CHECK(blocked.message == "The title contains \"garbage\", which this site does not allow.");

  site.requireAccepted(site.ops.thread(site.staff, "/p/2", ThreadKind::discussion, "A darn good shoe"));
  CHECK(site.view("/p/2").title == "A *** good shoe");

  // A thread is never held: a plain member's title with a review word is refused; the host's passes.
  site.library();
  site.readToTrust1(site.alice);
  site.requireRejected(site.ops.thread(site.alice, "/p/3", ThreadKind::discussion, "Lawsuit coming"),
                       ReasonCode::titleNeedsReview);
  site.requireAccepted(approvedThread(site, site.bob, "/p/3", "Lawsuit coming"));
  site.requireRejected(approvedThread(site, site.bob, "/p/4", "Still garbage"), ReasonCode::blockedWord);

  site.requireRejected(site.ops.thread(site.staff, "/p/5", ThreadKind::discussion, std::string(301, 't')),
                       ReasonCode::titleTooLong);
  site.requireRejected(site.ops.thread(site.staff, "/p/5", ThreadKind::discussion, "bad \xC0\xAF"),
                       ReasonCode::invalidText);
  site.requireRejected(site.ops.thread(site.staff, "/p/5", ThreadKind::discussion, "two\nlines"),
                       ReasonCode::invalidText);
}

TEST_CASE("a moderator edits a squatted title - audited, undoable, and a replica sees the new title",
          "[rules][threads]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/products/next-phone");
  Bytes snapshot = encodeThreadSnapshot(site.engine, key, Viewer{}).value();
  Engine replica{"replica"};
  REQUIRE(loadThreadSnapshot(replica, snapshot).ok());

  Op edit = editTitle(site, site.moderator, key, "Next Phone");
  Outcome edited = site.requireAccepted(edit);
  CHECK(firstEvent<ThreadChanged>(edited).thread.title == "Next Phone");
  CHECK(site.view(key).title == "Next Phone");
  CHECK(toJson(site.view(key)).find("\"title\":\"Next Phone\"") != std::string::npos);

  OpEvents events = opEventsForReplicas(site.engine, edit, edited);
  REQUIRE(applyEvents(replica, projectEvents(events, Viewer{})).ok());
  CHECK(replica.threadView(key, SortOrder::oldest, "")->title == "Next Phone");

  std::vector<AuditRecord> audit = site.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == ModerationAction::editTitle);
  CHECK(audit[0].threadKey == key);
  CHECK(audit[0].before.title == "A title");
  CHECK(audit[0].reason == "offensive title");

  // The audit entry survives a site snapshot, and undo restores the old title.
  Result<Engine> restored = restoreSiteSnapshot(encodeSiteSnapshot(site.engine));
  REQUIRE(restored.ok());
  CHECK(exportRecords(restored.value()).audit[0].before.title == "A title");
  site.requireAccepted(site.ops.undo(site.moderator, edit.id));
  CHECK(site.view(key).title == "A title");
  CHECK(site.view(key).state == ThreadState::open);
}

TEST_CASE("only moderators edit titles - and the new title is screened and must differ", "[rules][threads]") {
  RulesSite site(withWords({{"*", "garbage", WatchAction::block}, {"*", "darn", WatchAction::censor}}));
  std::string key = site.thread(site.staff, "/products/next-phone");
  site.library();
  site.readToTrust1(site.alice);
  site.requireRejected(editTitle(site, site.alice, key, "Mine now"), ReasonCode::notPermitted);
  site.requireRejected(editTitle(site, site.staff, key, "Mine now"), ReasonCode::notPermitted);
  site.requireRejected(editTitle(site, site.moderator, key, "Pure garbage"), ReasonCode::blockedWord);
  site.requireRejected(editTitle(site, site.moderator, key, "A title"), ReasonCode::unchanged);
  site.requireRejected(editTitle(site, site.moderator, "/nowhere", "New"), ReasonCode::unknownThread);
  Op noReason = editTitle(site, site.moderator, key, "New");
  std::get<Moderate>(noReason.body).reason.clear();
  site.requireRejected(noReason, ReasonCode::reasonRequired);
  site.requireAccepted(editTitle(site, site.moderator, key, "A darn phone"));
  CHECK(site.view(key).title == "A *** phone");
}

TEST_CASE("a CreateThread's ticket and host approval survive the op codec", "[rules][threads][codec]") {
  RulesSite site;
  CreateThread body{"/k", ThreadKind::question, "T", "ticket-text"};
  body.hostApproved = true;
  Op op = site.ops.make(site.alice, body);
  Result<Op> decoded = decodeOp(encodeOp(op));
  REQUIRE(decoded.ok());
  const CreateThread& back = std::get<CreateThread>(decoded.value().body);
  CHECK(back.ticket == "ticket-text");
  CHECK(back.hostApproved);
  Op edit = editTitle(site, site.moderator, "/k", "New title");
  CHECK(std::get<Moderate>(decodeOp(encodeOp(edit)).value().body).title == "New title");
}

TEST_CASE("a replica predicts a ticketed CreateThread as the server's call - the server's engine ignores a raw ticket",
          "[rules][threads][replica]") {
  // A member's replica holds the projected policy (no screening): it cannot verify the ticket.
  RulesSite replica(projectPolicy(Policy{}, Viewer{}));
  REQUIRE(replica.engine.policy().screeningWithheld);
  CreateThread ticketed{"/products/next-phone", ThreadKind::question, "Next Phone", "header.claims.signature"};
  Op predicted = replica.ops.make(replica.alice, ticketed);
  Outcome outcome = replica.engine.apply(predicted);
  CHECK(outcome.status == OutcomeStatus::accepted);
  CHECK(outcome.code == ReasonCode::screenedByServer);
  replica.requireRejected(replica.ops.thread(replica.alice, "/products/other"), ReasonCode::threadCreationRestricted);

  // The server verifies and clears tickets before its engine applies the op: one left in counts for nothing.
  RulesSite server;
  server.requireRejected(server.ops.make(server.alice, ticketed), ReasonCode::threadCreationRestricted);
}
