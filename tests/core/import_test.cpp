// Imported history (ImportPost, docs/import.md): another system's posts keep their time, author and
// state; no rule of ours runs on them and nobody is told.
#include "engine_fixture.h"
#include "kring/metrics.h"
#include "kring/notifications.h"
#include "kring/snapshot.h"

using namespace kring;
using namespace kring::testing;

namespace {

constexpr TimeMs kDay = 86'400'000;
const Actor kImporter{"kring:import", "Import", Role::admin};

struct Importing : Community {
  using Community::Community;
  TimeMs past = 1'690'000'000'000;  // before the factory's clock (1.7e12)

  ImportPost body(std::string thread, std::string author, TimeMs at, std::string parent = {},
                  PostState state = PostState::visible, ThreadKind kind = ThreadKind::discussion) {
    return ImportPost{
        std::move(thread),    kind, "An old page", false, std::move(parent), "imported:" + author, "Name of " + author,
        "Words of " + author, at,   state};
  }
  Op op(std::string id, ImportPost post) {
    Op made = ops.make(kImporter, std::move(post));
    made.id = std::move(id);
    return made;
  }
};

}  // namespace

TEST_CASE("an imported post keeps its original time and author, and creates its thread and member", "[import]") {
  Importing c;
  Op first = c.op("disqus-1", c.body("/blog/old", "zoe", c.past));
  Outcome outcome = c.requireAccepted(first);
  CHECK(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "ThreadCreated", "PostCreated"});
  MemberRecord author = eventAt<MemberJoined>(outcome, 0).member;
  CHECK(author.id == "imported:zoe");
  CHECK(author.displayName == "Name of zoe");
  CHECK(author.joinedAt == c.past);
  ThreadRecord thread = eventAt<ThreadCreated>(outcome, 1).thread;
  CHECK(thread.title == "An old page");
  CHECK(thread.createdAt == c.past);
  CHECK(thread.authorId == "imported:zoe");
  PostRecord post = eventAt<PostCreated>(outcome, 2).post;
  CHECK(post.id == "disqus-1");
  CHECK(post.createdAt == c.past);
  CHECK(post.imported);
  CHECK(post.authorId == "imported:zoe");
  CHECK(post.state == PostState::visible);
  // The importer is no member: it acted for the source.
  CHECK_FALSE(c.engine.member("kring:import").has_value());

  // An older post of the same author: they joined with it.
  Outcome older = c.requireAccepted(c.op("disqus-0", c.body("/blog/old", "zoe", c.past - kDay)));
  CHECK(eventNames(older) == std::vector<std::string>{"PostCreated", "MemberChanged"});
  CHECK(c.engine.member("imported:zoe")->joinedAt == c.past - kDay);
  CHECK(c.engine.member("imported:zoe")->postCount == 2);
  // A live member's reply to imported history is an ordinary post.
  std::string reply = c.reply(c.alice, "/blog/old", "disqus-1", "Still true today");
  CHECK_FALSE(c.engine.post(reply)->imported);
}

TEST_CASE("the source's states come over: held waits for review, spam and deleted posts are out of view", "[import]") {
  Importing c;
  c.requireAccepted(c.op("wordpress-1", c.body("/p", "a", c.past)));
  Outcome held = c.requireAccepted(c.op("wordpress-2", c.body("/p", "b", c.past + 1, {}, PostState::pendingReview)));
  PostRecord heldPost = eventAt<PostCreated>(held, 1).post;
  CHECK(heldPost.state == PostState::pendingReview);
  CHECK(heldPost.heldReason == ReasonCode::importedHeld);
  c.requireAccepted(c.op("wordpress-3", c.body("/p", "c", c.past + 2, {}, PostState::spam)));
  ImportPost tombstone = c.body("/p", "d", c.past + 3, "wordpress-1", PostState::removed);
  tombstone.body.clear();  // the source kept no text of it
  c.requireAccepted(c.op("wordpress-4", tombstone));

  CHECK(c.engine.post("wordpress-3")->state == PostState::spam);
  CHECK(c.engine.post("wordpress-4")->state == PostState::removed);
  CHECK(c.engine.post("wordpress-4")->parentId == "wordpress-1");
  // A moderator approves the held one as any other.
  Op approve = c.ops.moderatePost(c.moderator, ModerationAction::approve, "wordpress-2");
  c.requireAccepted(approve);
  CHECK(c.engine.post("wordpress-2")->state == PostState::visible);
}

TEST_CASE("imported history tells nobody, and its questions are never alerted as unanswered", "[import]") {
  Policy policy = structuralPolicy();
  policy.unansweredAlertMinutes = 1;
  Importing c(policy);
  c.thread(c.staff, "/q", ThreadKind::question);
  c.post(c.alice, "/q", "A live question");  // the staff member follows the thread
  Op imported = c.op("disqus-7", c.body("/q", "asker", c.past, {}, PostState::visible, ThreadKind::question));
  Outcome outcome = c.requireAccepted(imported);
  CHECK(notificationIntents(c.engine, imported, outcome).empty());
  Op answer = c.op("disqus-8", c.body("/q", "helper", c.past + 1000, "disqus-7"));
  Outcome answered = c.requireAccepted(answer);
  CHECK(notificationIntents(c.engine, answer, answered).empty());

  c.ops.advance(10 * 60'000);
  Outcome check = c.requireAccepted(c.ops.make(Actor{"kring:alerts", "Alerts", Role::staff}, CheckAlerts{}));
  std::vector<std::string> alerted;
  for (const Event& event : check.events) {
    if (const auto* unanswered = std::get_if<QuestionUnanswered>(&event.body)) alerted.push_back(unanswered->postId);
  }
  REQUIRE(alerted.size() == 1);  // the live question: its wait began here
  CHECK(alerted[0] != "disqus-7");
}

TEST_CASE("replies nested deeper than the thread allows go under their deepest ancestor that may take them",
          "[import]") {
  Importing c;
  const std::uint32_t maxDepth = c.engine.limits().maxDepth(ThreadKind::question);
  c.requireAccepted(c.op("d-0", c.body("/q", "a", c.past, {}, PostState::visible, ThreadKind::question)));
  for (std::uint32_t depth = 1; depth <= maxDepth + 2; ++depth) {
    c.requireAccepted(
        c.op("d-" + std::to_string(depth), c.body("/q", "a", c.past + depth, "d-" + std::to_string(depth - 1))));
  }
  CHECK(c.engine.post("d-" + std::to_string(maxDepth))->parentId == "d-" + std::to_string(maxDepth - 1));
  CHECK(c.engine.post("d-" + std::to_string(maxDepth + 1))->parentId == "d-" + std::to_string(maxDepth - 1));
  CHECK(c.engine.post("d-" + std::to_string(maxDepth + 2))->parentId == "d-" + std::to_string(maxDepth - 1));
}

TEST_CASE("an import is refused for what it may not do, changing nothing", "[import]") {
  Importing c;
  c.requireAccepted(c.op("disqus-1", c.body("/p", "a", c.past)));
  SECTION("a member imports") {
    Op op = c.ops.make(c.alice, c.body("/p", "b", c.past));
    CHECK(c.requireRejected(op, ReasonCode::notPermitted).message.find("server") != std::string::npos);
  }
  SECTION("an author who is not an imported one: a host's member or the server") {
    ImportPost body = c.body("/p", "b", c.past);
    body.authorId = "alice";
    c.requireRejected(c.op("disqus-2", body), ReasonCode::invalidMember);
    body.authorId = "imported:";
    c.requireRejected(c.op("disqus-2", body), ReasonCode::invalidMember);
  }
  SECTION("a time after the import's, or none") {
    c.requireRejected(c.op("disqus-2", c.body("/p", "b", c.ops.now() + kDay)), ReasonCode::malformedOp);
    c.requireRejected(c.op("disqus-2", c.body("/p", "b", 0)), ReasonCode::malformedOp);
  }
  SECTION("the same post again: the second import of a file adds nothing") {
    c.requireRejected(c.op("disqus-1", c.body("/p", "a", c.past)), ReasonCode::duplicatePostId);
  }
  SECTION("a parent that is not there, or in another thread") {
    c.requireRejected(c.op("disqus-2", c.body("/p", "b", c.past, "disqus-404")), ReasonCode::unknownPost);
    c.requireRejected(c.op("disqus-2", c.body("/other", "b", c.past, "disqus-1")), ReasonCode::parentNotInThread);
  }
  SECTION("a visible post without words, a state no source has") {
    ImportPost empty = c.body("/p", "b", c.past);
    empty.body = " ";
    c.requireRejected(c.op("disqus-2", empty), ReasonCode::emptyBody);
    c.requireRejected(c.op("disqus-2", c.body("/p", "b", c.past, {}, PostState::hiddenByModerator)),
                      ReasonCode::malformedOp);
  }
}

TEST_CASE("metrics count imported posts on their original days and say how many they are", "[import]") {
  Importing c;
  const TimeMs asked = c.past;
  c.requireAccepted(c.op("d-1", c.body("/q", "asker", asked, {}, PostState::visible, ThreadKind::question)));
  c.requireAccepted(c.op("d-2", c.body("/q", "helper", asked + 3'600'000, "d-1")));
  c.post(c.alice, "/q", "A question of today");

  Metrics then = computeMetrics(c.engine, MetricsWindow{asked - kDay, asked + kDay, std::nullopt});
  CHECK(then.questionsAsked == 1);
  CHECK(then.responded == 1);
  CHECK(then.firstResponseMedianMs == 3'600'000);
  CHECK(then.importedPosts == 2);
  CHECK(then.newMembers == 2);
  Metrics today = computeMetrics(c.engine, MetricsWindow{c.ops.now() - kDay, c.ops.now() + 1, std::nullopt});
  CHECK(today.questionsAsked == 1);
  CHECK(today.importedPosts == 0);
  CHECK(toJson(then).find("\"importedPosts\":2") != std::string::npos);
}

TEST_CASE("an imported post stays imported through a site snapshot", "[import]") {
  Importing c;
  c.requireAccepted(c.op("disqus-1", c.body("/p", "a", c.past)));
  c.post(c.alice, "/p", "Live words");
  Result<Engine> restored = restoreSiteSnapshot(encodeSiteSnapshot(c.engine));
  REQUIRE(restored.ok());
  CHECK(restored.value().post("disqus-1")->imported);
  CHECK(restored.value().post("disqus-1")->createdAt == c.past);
  CHECK(encodeSiteSnapshot(restored.value()) == encodeSiteSnapshot(c.engine));
}

TEST_CASE("a member who claims an imported author takes their posts, threads and reputation, once", "[import]") {
  Policy policy = structuralPolicy();
  policy.reputationUpvoteReceived = 10;
  policy.reputationDailyVoteCap = 200;
  policy.reputationPairMax = 50;
  Importing c(policy);
  c.requireAccepted(c.op("disqus-1", c.body("/blog/old", "zoe", c.past)));
  c.requireAccepted(c.op("disqus-2", c.body("/blog/old", "zoe", c.past + 1000, "disqus-1")));
  c.requireAccepted(c.op("disqus-3", c.body("/blog/old", "ravi", c.past + 2000, "disqus-1")));
  c.vote(c.bob, "disqus-1", VoteDirection::up);  // live readers' votes reach the imported author
  const std::int32_t earned = c.engine.member("imported:zoe")->reputation - policy.reputationInitial;
  REQUIRE(earned == 10);

  const Actor claims{"kring:claims", "Claims", Role::admin};
  Op claim = c.ops.make(claims, ClaimImported{"imported:zoe", "zoe@host", "Zoë", Role::member});
  Outcome outcome = c.requireAccepted(claim);
  CHECK(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "ThreadChanged", "PostChanged", "PostChanged",
                                                        "FollowChanged", "MemberChanged", "MemberChanged"});
  CHECK(c.engine.post("disqus-1")->authorId == "zoe@host");
  CHECK(c.engine.post("disqus-2")->authorId == "zoe@host");
  CHECK(c.engine.post("disqus-3")->authorId == "imported:ravi");
  CHECK(eventAt<ThreadChanged>(outcome, 1).thread.authorId == "zoe@host");
  // The imported author followed the page they wrote on; the member now does.
  CHECK(c.engine.follows("/blog/old", "zoe@host"));
  CHECK_FALSE(c.engine.follows("/blog/old", "imported:zoe"));
  CHECK(c.engine.follows("/blog/old", "imported:ravi"));
  std::optional<MemberRecord> zoe = c.engine.member("zoe@host");
  REQUIRE(zoe.has_value());
  CHECK(zoe->postCount == 2);
  CHECK(zoe->reputation == policy.reputationInitial + earned);
  CHECK(zoe->joinedAt == c.past);
  CHECK(c.engine.member("imported:zoe")->postCount == 0);
  CHECK(c.engine.member("imported:zoe")->reputation == policy.reputationInitial);

  SECTION("a second claim finds nothing left") {
    Op again = c.ops.make(claims, ClaimImported{"imported:zoe", "someone-else", "X", Role::member});
    c.requireRejected(again, ReasonCode::unchanged);
  }
  SECTION("only the server hands history over, to a host's member, of an imported author") {
    c.requireRejected(c.ops.make(c.alice, ClaimImported{"imported:ravi", "alice", "A", Role::member}),
                      ReasonCode::notPermitted);
    c.requireRejected(c.ops.make(claims, ClaimImported{"imported:ravi", "guest:abc", "G", Role::member}),
                      ReasonCode::invalidMember);
    c.requireRejected(c.ops.make(claims, ClaimImported{"alice", "bob", "B", Role::member}), ReasonCode::unknownMember);
  }
  SECTION("the member's later ops are theirs as ever: they edit their imported post") {
    c.requireAccepted(c.ops.edit(Actor{"zoe@host", "Zoë", Role::member}, "disqus-1", "Edited years later"));
  }
}
