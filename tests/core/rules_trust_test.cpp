// Trust levels (docs/community-rules.md, Discourse's defaults), earned from batched reading ops and activity.
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

TEST_CASE("TL1 after entering 5 threads, reading 30 posts and 10 minutes of reading", "[rules][trust]") {
  RulesSite site;
  site.library();
  for (int i = 0; i < 4; ++i) site.requireRead(site.ops.reading(site.alice, {site.libraryKeys[i]}, 8, 150));
  CHECK(site.trustLevel(site.alice) == 0);  // 4 threads entered, 32 posts read, 10 minutes
  Outcome fifth = site.requireRead(site.ops.reading(site.alice, {site.libraryKeys[4]}, 8, 150));
  CHECK(site.trustLevel(site.alice) == 1);
  bool announced = false;
  for (const Event& event : fifth.events) {
    if (auto* changed = std::get_if<MemberChanged>(&event.body)) announced = changed->member.trustLevel == 1;
  }
  CHECK(announced);
}

TEST_CASE("reading claims are bounded by what exists and by the per-op time limit", "[rules][trust]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/short");
  site.post(site.staff, key, "Only post");
  site.requireRead(site.ops.reading(site.alice, {key}, 1000, 100'000));
  MemberRecord alice = site.member("alice");
  CHECK(alice.standing.postsRead == 1);
  CHECK(alice.standing.secondsReading == 3600);
  site.requireRejected(site.ops.reading(site.alice, {"/missing"}, 1, 1), ReasonCode::unknownThread);
}

TEST_CASE("a reading op repeated 100 times in a day gives one thread's credit, and a day's time is capped",
          "[rules][trust]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/farm");
  for (int i = 0; i < 10; ++i) site.post(site.staff, key, "Post " + std::to_string(i));
  for (int i = 0; i < 100; ++i) site.requireRead(site.ops.reading(site.alice, {key, key}, 10, 3600));
  MemberRecord alice = site.member("alice");
  CHECK(alice.standing.threadsEntered == 1);
  CHECK(alice.standing.postsRead == 10);
  CHECK(alice.standing.secondsReading == 14'400);  // readingMaxSecondsPerDay
  CHECK(site.trustLevel(site.alice) == 0);
  site.ops.advance(RulesSite::kDay);  // a new day: the thread counts again, once
  site.requireRead(site.ops.reading(site.alice, {key}, 10, 60));
  site.requireRead(site.ops.reading(site.alice, {key}, 10, 60));
  alice = site.member("alice");
  CHECK(alice.standing.threadsEntered == 2);
  CHECK(alice.standing.postsRead == 20);
  CHECK(alice.standing.secondsReading == 14'400 + 120);
}

TEST_CASE("a day's reading counts in at most readingMaxThreadsPerDay threads", "[rules][trust]") {
  Policy policy;
  policy.readingMaxThreadsPerDay = 2;
  RulesSite site(policy);
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) {
    keys.push_back(site.thread(site.staff, "/t" + std::to_string(i)));
    site.post(site.staff, keys.back(), "Post in " + keys.back());
  }
  site.requireRead(site.ops.reading(site.alice, keys, 3, 60));
  MemberRecord alice = site.member("alice");
  CHECK(alice.standing.threadsEntered == 2);
  CHECK(alice.standing.postsRead == 2);
}

TEST_CASE("posts seen in a thread entered earlier count without entering it again", "[rules][trust]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/long");
  for (int i = 0; i < 3; ++i) site.post(site.staff, key, "Post " + std::to_string(i));
  site.requireRead(site.ops.reading(site.alice, {key}, 1, 60));
  Op later = site.ops.reading(site.alice, {}, 5, 60);
  std::get<RecordReading>(later.body).readThreadKeys = {key};
  site.requireRead(later);
  MemberRecord alice = site.member("alice");
  CHECK(alice.standing.threadsEntered == 1);
  CHECK(alice.standing.postsRead == 3);  // the thread's 3 posts count once a day: 1, then 2 of the 5 claimed
  CHECK(alice.standing.secondsReading == 120);

  Op nothingNamed = site.ops.reading(site.alice, {}, 5, 60);
  site.requireRead(nothingNamed);
  CHECK(site.member("alice").standing.postsRead == 3);
  Op missing = site.ops.reading(site.alice, {}, 1, 1);
  std::get<RecordReading>(missing.body).readThreadKeys = {"/missing"};
  site.requireRejected(missing, ReasonCode::unknownThread);
  Op tooMany = site.ops.reading(site.alice, std::vector<std::string>(60, key), 1, 1);
  std::get<RecordReading>(tooMany.body).readThreadKeys = std::vector<std::string>(41, key);
  site.requireRejected(tooMany, ReasonCode::malformedOp);
}

TEST_CASE("TL2 after 15 days visited, a like given and received, and replies in 3 threads", "[rules][trust]") {
  RulesSite site;
  std::string library = site.library();
  std::vector<std::string> threads;
  for (int i = 0; i < 3; ++i) {
    threads.push_back(site.thread(site.staff, "/topic-" + std::to_string(i)));
    site.post(site.staff, threads.back(), "Topic opener " + std::to_string(i));
  }
  for (int day = 0; day < 13; ++day) {
    site.requireRead(site.ops.reading(site.alice, site.libraryKeys, 40, 900));  // 5 threads a day
    site.ops.advance(RulesSite::kDay);
  }
  REQUIRE(site.trustLevel(site.alice) == 1);
  site.earn(site.alice, 2, threads[0]);  // likes received; 21 reputation, past the vote-up gate
  std::string bobs = site.post(site.bob, threads[0], "Bob's take");
  site.vote(site.alice, bobs, VoteDirection::up);  // a like given
  for (const std::string& key : threads) site.post(site.alice, key, "Alice replies in " + key);
  CHECK(site.trustLevel(site.alice) == 1);  // 14 days visited so far: 13 reading, 1 posting
  site.ops.advance(RulesSite::kDay);
  site.requireRead(site.ops.reading(site.alice, {library}, 1, 1));
  CHECK(site.trustLevel(site.alice) == 2);
}

namespace {

// A site with small TL3 numbers, so a story of a few weeks reaches and loses TL3.
Policy smallTrust3() {
  Policy policy;
  policy.trust1ThreadsEntered = 0;
  policy.trust1PostsRead = 0;
  policy.trust1MinutesReading = 0;
  policy.trust2DaysVisited = 1;
  policy.trust2LikesGiven = 0;
  policy.trust2LikesReceived = 0;
  policy.trust2ThreadsRepliedTo = 1;
  policy.trust2ThreadsEntered = 0;
  policy.trust2PostsRead = 0;
  policy.trust2MinutesReading = 0;
  policy.trust3WindowDays = 10;
  policy.trust3DaysVisitedPercent = 50;
  policy.trust3ThreadsRepliedTo = 2;
  policy.trust3LikesReceived = 0;
  policy.trust3LikesGiven = 0;
  policy.trust3MinimumDays = 14;
  return policy;
}

}  // namespace

TEST_CASE("TL3 while active over the window - kept 14 days, then lost when activity lapses", "[rules][trust]") {
  RulesSite site(smallTrust3());
  std::string a = site.thread(site.staff, "/a");
  std::string b = site.thread(site.staff, "/b");
  site.post(site.alice, a, "Alice in a");
  site.post(site.alice, b, "Alice in b");
  REQUIRE(site.trustLevel(site.alice) == 2);
  for (int day = 0; day < 5; ++day) {
    site.ops.advance(RulesSite::kDay);
    site.requireRead(site.ops.reading(site.alice, {a, b}, 2, 60));
  }
  CHECK(site.trustLevel(site.alice) == 3);  // visited 6 of 10 days, replied in 2 threads

  // Silent for 20 days: after the 14-day minimum, the next visit finds the criteria lapsed.
  site.ops.advance(20 * RulesSite::kDay);
  site.requireRead(site.ops.reading(site.alice, {a}, 1, 60));
  CHECK(site.trustLevel(site.alice) == 2);
}

TEST_CASE("a sanction within 6 months keeps a member out of TL3", "[rules][trust]") {
  RulesSite site(smallTrust3());
  std::string a = site.thread(site.staff, "/a");
  std::string b = site.thread(site.staff, "/b");
  site.post(site.alice, a, "Alice in a");
  site.post(site.alice, b, "Alice in b");
  Op silence = site.ops.moderateMember(site.moderator, ModerationAction::silence, "alice", "heated");
  site.requireAccepted(silence);
  site.requireAccepted(site.ops.moderateMember(site.moderator, ModerationAction::unban, "alice", "calmer"));
  for (int day = 0; day < 5; ++day) {
    site.ops.advance(RulesSite::kDay);
    site.requireRead(site.ops.reading(site.alice, {a, b}, 2, 60));
  }
  CHECK(site.trustLevel(site.alice) == 2);
}

TEST_CASE("a granted trust level is not changed by the automatic rules", "[rules][trust]") {
  RulesSite site;
  std::string library = site.library();
  site.post(site.alice, library, "Hi");
  Op grant = site.ops.moderateMember(site.moderator, ModerationAction::setTrustLevel, "alice", "known expert");
  std::get<Moderate>(grant.body).trustLevel = 4;
  site.requireAccepted(grant);
  site.ops.advance(30 * RulesSite::kDay);
  site.requireRead(site.ops.reading(site.alice, {library}, 1, 1));
  CHECK(site.trustLevel(site.alice) == 4);
}

TEST_CASE("TL3 also needs the likes received in the window", "[rules][trust]") {
  Policy policy = smallTrust3();
  policy.trust3LikesReceived = 1;
  RulesSite site(policy);
  std::string a = site.thread(site.staff, "/a");
  std::string b = site.thread(site.staff, "/b");
  std::string first = site.post(site.alice, a, "Alice in a");
  site.post(site.alice, b, "Alice in b");
  for (int day = 0; day < 5; ++day) {
    site.ops.advance(RulesSite::kDay);
    site.requireRead(site.ops.reading(site.alice, {a, b}, 1, 60));
  }
  CHECK(site.trustLevel(site.alice) == 2);  // everything but a like received
  site.vote(site.staff, first, VoteDirection::up);
  site.ops.advance(RulesSite::kDay);
  site.requireRead(site.ops.reading(site.alice, {a}, 0, 60));
  CHECK(site.trustLevel(site.alice) == 3);  // the like was what was missing
}
