// Data rights: an admin erases a member's words and name; the posts stay as tombstones so the
// threads, replies, votes and counts around them hold together.
#include <algorithm>

#include "kring/snapshot.h"
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

bool holds(const Bytes& bytes, std::string_view needle) {
  return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
}

struct ErasedSite : RulesSite {
  std::string key = thread(staff, "/support", ThreadKind::question);
  std::string question = post(alice, key, "Where is my parcel? alicesecretone");
  std::string answer;

  ErasedSite() {
    requireAccepted(ops.edit(alice, question, "Where is my parcel now? alicesecrettwo"));
    answer = reply(bob, key, question, "It left the depot this morning.");
    reply(alice, key, answer, "Thanks! alicesecretthree");
    vote(staff, question, VoteDirection::up);
  }
};

}  // namespace

TEST_CASE("erasing a member removes their words and name from the site and keeps the tombstones", "[rules][erasure]") {
  ErasedSite site;
  MemberRecord before = site.member("alice");
  std::int32_t score = site.postRecord(site.question).score;
  REQUIRE(holds(encodeSiteSnapshot(site.engine), "alicesecrettwo"));

  Op erase = site.ops.moderateMember(site.admin, ModerationAction::erase, "alice", "GDPR article 17 request");
  Outcome erased = site.requireAccepted(erase);
  std::size_t changedPosts = std::count_if(erased.events.begin(), erased.events.end(), [](const Event& event) {
    const auto* changed = std::get_if<PostChanged>(&event.body);
    return changed != nullptr && changed->post.erased && changed->post.body.empty();
  });
  CHECK(changedPosts == 2);

  Bytes snapshot = encodeSiteSnapshot(site.engine);
  for (std::string_view words : {"alicesecretone", "alicesecrettwo", "alicesecretthree", "Name of alice"}) {
    INFO(words);
    CHECK_FALSE(holds(snapshot, words));
  }
  PostRecord question = site.postRecord(site.question);
  CHECK(question.erased);
  CHECK(question.body.empty());
  REQUIRE(question.edits.size() == 1);
  CHECK(question.edits[0].previousBody.empty());
  CHECK(question.score == score);
  CHECK(question.state == PostState::visible);

  MemberRecord after = site.member("alice");
  CHECK(after.displayName.empty());
  CHECK(after.postCount == before.postCount);
  CHECK(after.reputation == before.reputation);

  // Bob's answer is his own and stays; the thread keeps its shape.
  ThreadView view = site.view(site.key, SortOrder::oldest, "bob");
  CHECK(postIn(view, site.answer).body == "It left the depot this morning.");
  CHECK(postIn(view, site.question).erased);
  CHECK(postIn(view, site.question).replyCount == 1);

  // The erasure is audited, for good, and survives a snapshot's round trip.
  std::vector<AuditRecord> audit = site.audit();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == ModerationAction::erase);
  CHECK(audit[0].memberId == "alice");
  site.requireRejected(site.ops.undo(site.admin, erase.id, "changed my mind"), ReasonCode::invalidAction);
  site.requireRejected(site.ops.edit(site.alice, site.question, "Back again alicesecretfour"), ReasonCode::postRemoved);
  Result<Engine> restored = restoreSiteSnapshot(snapshot);
  REQUIRE(restored);
  CHECK(encodeSiteSnapshot(restored.value()) == snapshot);
}

TEST_CASE("only an admin erases a member", "[rules][erasure]") {
  ErasedSite site;
  site.requireRejected(site.ops.moderateMember(site.moderator, ModerationAction::erase, "alice"),
                       ReasonCode::notPermitted);
  site.requireRejected(site.ops.moderateMember(site.bob, ModerationAction::erase, "alice"), ReasonCode::notPermitted);
  site.requireRejected(site.ops.moderateMember(site.admin, ModerationAction::erase, "nobody"),
                       ReasonCode::unknownMember);
  CHECK(site.postRecord(site.question).body == "Where is my parcel now? alicesecrettwo");
}

TEST_CASE("erasure takes back what the spam filter learnt from the words and the titles the member wrote",
          "[rules][erasure]") {
  ErasedSite site;
  std::string spam = site.post(site.alice, site.key, "Cheap watches at spamwordzeta");
  Op reject = site.ops.moderatePost(site.moderator, ModerationAction::reject, spam, "spam");
  std::get<Moderate>(reject.body).asSpam = true;
  site.requireAccepted(reject);
  REQUIRE(holds(encodeSiteSnapshot(site.engine), "spamwordzeta"));

  // A thread the member started, whose title a moderator then changed: the audit log keeps the old one.
  Actor writer = OpFactory::member("writer", Role::staff);
  std::string own = site.thread(writer, "/writer");
  Op retitle = site.ops.moderateThread(site.moderator, ModerationAction::editTitle, own, "tidy");
  std::get<Moderate>(retitle.body).title = "A tidier title";
  site.requireAccepted(retitle);
  REQUIRE_FALSE(site.audit().back().before.title.empty());

  site.requireAccepted(site.ops.moderateMember(site.admin, ModerationAction::erase, "alice", "request"));
  CHECK_FALSE(holds(encodeSiteSnapshot(site.engine), "spamwordzeta"));

  site.requireAccepted(site.ops.moderateMember(site.admin, ModerationAction::erase, "writer", "request"));
  CHECK(site.view(own).title.empty());
  for (const AuditRecord& entry : site.audit()) CHECK(entry.before.title.empty());
}

namespace {

// The same community with or without eve: her posts are held, approved, edited (a version the filter
// never trained on) and rejected as spam; everyone else's go through the same decisions.
SiteRecords spamModelAfter(bool withEve) {
  Policy policy;
  policy.preModerateBelowTrustLevel = 1;  // every new member's post is held for a moderator
  RulesSite site(policy);
  Actor eve = OpFactory::member("eve");
  std::string key = site.thread(site.staff, "/deals");
  auto held = [&](const Actor& who, const std::string& body) {
    Op op = site.ops.post(who, key, body);
    site.requireHeld(op, ReasonCode::preModerated);
    return op.id;
  };
  auto approve = [&](const std::string& id) {
    site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::approve, id, "fine"));
  };
  std::string bobs = held(site.bob, "Shipping to Norway works, see https://post.example/no");
  approve(bobs);
  if (withEve) {
    std::string first = held(eve, "Great shoes evewordone at https://evefirst.example/shop");
    approve(first);
    site.engine.apply(site.ops.edit(eve, first, "Great boots evewordtwo at https://evesecond.example/x"));
    approve(first);
    std::string spam = held(eve, "Cheap watches evewordthree https://evespam.example");
    site.requireAccepted(site.ops.rejectAsSpam(site.moderator, spam));
    // Learnt as ham, edited, then learnt as spam and restored: three trainings over two versions.
    std::string turned = held(eve, "Nice bags evewordfour at https://evebags.example");
    approve(turned);
    site.engine.apply(site.ops.edit(eve, turned, "Cheap bags evewordfive at https://evefake.example"));
    site.requireAccepted(site.ops.rejectAsSpam(site.moderator, turned));
    site.requireAccepted(
        site.ops.moderatePost(site.moderator, ModerationAction::restore, turned, "not spam after all"));
  }
  std::string carols = held(site.carol, "Cheap pills at https://pills.example now");
  site.requireAccepted(site.ops.rejectAsSpam(site.moderator, carols));
  site.engine.apply(site.ops.edit(site.bob, bobs, "Shipping to Norway and Sweden works"));
  if (withEve) site.requireAccepted(site.ops.moderateMember(site.admin, ModerationAction::erase, "eve", "request"));
  return exportRecords(site.engine);
}

}  // namespace

TEST_CASE("after an erasure the spam model equals one that never saw the member, edited versions included",
          "[rules][erasure]") {
  SiteRecords erased = spamModelAfter(true);
  SiteRecords never = spamModelAfter(false);
  CHECK(erased.spamDecisions == never.spamDecisions);
  CHECK(erased.hamDecisions == never.hamDecisions);
  auto describe = [](const SiteRecords& records) {
    std::string out;
    for (const TokenCountRecord& token : records.spamTokens) {
      out += token.token + "=" + std::to_string(token.spam) + "/" + std::to_string(token.ham) + " ";
    }
    return out;
  };
  CHECK(describe(erased) == describe(never));
}
