// Following a thread: who a new post in it tells, chosen by posting or by the follow op, kept by
// snapshots and replicas, and private to the member.
#include <algorithm>

#include "engine_fixture.h"
#include "kring/notifications.h"
#include "kring/replica.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"
#include "kring/visibility.h"

using namespace kring;
using namespace kring::testing;

namespace {

// Who is told that a thread has a new post (followed_thread), as "member" lines.
std::vector<std::string> followersTold(Community& c, const Actor& by, const std::string& key) {
  Op post = c.ops.post(by, key, "Something new");
  Outcome outcome = c.requireAccepted(post);
  std::vector<std::string> told;
  for (const NotificationIntent& intent : notificationIntents(c.engine, post, outcome)) {
    if (intent.kind == NotificationKind::followedThread) told.push_back(intent.recipientId);
  }
  return told;
}

Op follow(Community& c, const Actor& who, const std::string& key, bool following) {
  return c.ops.make(who, FollowThread{key, following});
}

}  // namespace

TEST_CASE("starting or posting in a thread follows it, and following or unfollowing chooses for good", "[follow]") {
  Community c;
  const std::string key = c.thread(c.alice, "/d/trail");
  CHECK(c.engine.follows(key, "alice"));
  const std::string bobsPost = c.post(c.bob, key);
  CHECK(c.engine.follows(key, "bob"));
  CHECK_FALSE(c.engine.follows(key, "carol"));
  CHECK(followersTold(c, c.dave, key) == std::vector<std::string>{"alice", "bob"});

  // Carol only reads, and follows: she is told from now on.
  Outcome followed = c.requireAccepted(follow(c, c.carol, key, true));
  CHECK(eventNames(followed) == std::vector<std::string>{"MemberJoined", "FollowChanged"});
  CHECK(followersTold(c, c.alice, key) == std::vector<std::string>{"bob", "carol", "dave"});

  // Bob unfollows: he is told nothing more, and posting there again does not follow him back.
  c.requireAccepted(follow(c, c.bob, key, false));
  CHECK_FALSE(c.engine.follows(key, "bob"));
  c.post(c.bob, key);
  CHECK_FALSE(c.engine.follows(key, "bob"));
  CHECK(followersTold(c, c.carol, key) == std::vector<std::string>{"alice", "dave"});

  // A reply to his post still tells him: it is about his own words.
  Op reply = c.ops.post(c.carol, key, "Good point", bobsPost);
  Outcome replied = c.requireAccepted(reply);
  std::vector<NotificationIntent> intents = notificationIntents(c.engine, reply, replied);
  CHECK(std::any_of(intents.begin(), intents.end(), [](const NotificationIntent& intent) {
    return intent.recipientId == "bob" && intent.kind == NotificationKind::reply;
  }));

  // Following again tells him again.
  c.requireAccepted(follow(c, c.bob, key, true));
  CHECK(followersTold(c, c.dave, key) == std::vector<std::string>{"alice", "bob", "carol"});
}

TEST_CASE("a follow op is refused for a thread that is not there, a guest, and a choice already made", "[follow]") {
  Community c;
  const std::string key = c.thread(c.alice, "/d/trail");
  c.requireRejected(follow(c, c.bob, "/d/missing", true), ReasonCode::unknownThread);
  Outcome guest = c.requireRejected(follow(c, OpFactory::member("guest:abc"), key, true), ReasonCode::notPermitted);
  CHECK(guest.message.find("guest") != std::string::npos);
  CHECK_FALSE(c.engine.member("guest:abc"));  // a refused op admits nobody
  c.requireRejected(follow(c, c.alice, key, true), ReasonCode::unchanged);
  // Bob never posted there: not following it is a choice too (posting later will not follow him).
  c.requireAccepted(follow(c, c.bob, key, false));
  c.requireRejected(follow(c, c.bob, key, false), ReasonCode::unchanged);
  c.post(c.bob, key);
  CHECK_FALSE(c.engine.follows(key, "bob"));
}

TEST_CASE("a member's follow reaches their own replica alone, and their thread snapshot carries only it", "[follow]") {
  Community c;
  const std::string key = c.thread(c.alice, "/d/trail");
  c.post(c.bob, key);
  Op op = follow(c, c.carol, key, true);
  Outcome outcome = c.requireAccepted(op);
  OpEvents events = opEventsForReplicas(c.engine, op, outcome);
  CHECK(projectEvents(events, viewerOf(c.engine, c.alice, 0)).empty());
  CHECK(projectEvents(events, viewerOf(c.engine, c.moderator, 0)).empty());
  std::vector<Event> own = projectEvents(events, viewerOf(c.engine, c.carol, 0));
  REQUIRE(own.size() == 2);
  REQUIRE(std::holds_alternative<FollowChanged>(own[1].body));
  CHECK(std::get<FollowChanged>(own[1].body).memberId == "carol");

  // Bob's copy names bob as following and nobody else; a moderator's names no one.
  Engine bobs("replica");
  REQUIRE(loadThreadSnapshot(bobs, encodeThreadSnapshot(c.engine, key, viewerOf(c.engine, c.bob, 0)).value()).ok());
  CHECK(bobs.follows(key, "bob"));
  CHECK_FALSE(bobs.follows(key, "alice"));
  CHECK_FALSE(bobs.member("carol"));
  Engine moderators("replica");
  REQUIRE(
      loadThreadSnapshot(moderators, encodeThreadSnapshot(c.engine, key, viewerOf(c.engine, c.moderator, 0)).value())
          .ok());
  CHECK_FALSE(moderators.follows(key, "alice"));

  // Carol's replica learns her choice from her own events, and her unfollow.
  Engine carols("replica");
  REQUIRE(loadThreadSnapshot(carols, encodeThreadSnapshot(c.engine, key, viewerOf(c.engine, c.carol, 0)).value()).ok());
  CHECK(carols.follows(key, "carol"));
  Op unfollow = follow(c, c.carol, key, false);
  Outcome unfollowed = c.requireAccepted(unfollow);
  REQUIRE(applyEvents(carols, projectEvents(opEventsForReplicas(c.engine, unfollow, unfollowed),
                                            viewerOf(c.engine, c.carol, 0)))
              .ok());
  CHECK_FALSE(carols.follows(key, "carol"));
  // What her replica holds is what the server would send her now, byte for byte.
  CHECK(encodeThreadSnapshot(carols, key, viewerOf(carols, c.carol, 0)).value() ==
        encodeThreadSnapshot(c.engine, key, viewerOf(c.engine, c.carol, 0)).value());
}

TEST_CASE("follows survive a site snapshot, and an erasure takes the member's", "[follow]") {
  Community c;
  const std::string key = c.thread(c.alice, "/d/trail");
  c.post(c.bob, key);
  c.requireAccepted(follow(c, c.carol, key, true));
  c.requireAccepted(follow(c, c.bob, key, false));
  Result<Engine> back = restoreSiteSnapshot(encodeSiteSnapshot(c.engine));
  REQUIRE(back.ok());
  CHECK(back.value().follows(key, "alice"));
  CHECK(back.value().follows(key, "carol"));
  CHECK_FALSE(back.value().follows(key, "bob"));
  const std::vector<FollowRecord> expected{{"alice", true}, {"bob", false}, {"carol", true}};
  CHECK(exportRecords(back.value()).threads[0].follows == expected);

  c.requireAccepted(c.ops.moderateMember(c.admin, ModerationAction::erase, "carol", "asked to be forgotten"));
  CHECK_FALSE(c.engine.follows(key, "carol"));
  CHECK(exportRecords(c.engine).threads[0].follows == std::vector<FollowRecord>{{"alice", true}, {"bob", false}});
}
