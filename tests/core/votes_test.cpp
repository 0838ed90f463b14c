// Voting: directions, score, retracting, and the viewer's own vote.
#include <algorithm>

#include "engine_fixture.h"
#include "snapshot_records.h"

using namespace kring;
using namespace kring::testing;

namespace {

struct VoteSite : Community {
  std::string key = thread(alice, "/t");
  std::string postId = post(alice, key, "Vote on me");

  std::int32_t score() const { return postIn(view(key), postId).score; }
};

}  // namespace

TEST_CASE("an up vote adds one to the score", "[votes]") {
  VoteSite site;
  Outcome outcome = site.vote(site.bob, site.postId, VoteDirection::up);

  REQUIRE(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "VoteChanged"});
  const VoteChanged changed = eventAt<VoteChanged>(outcome, 1);
  CHECK(changed.postId == site.postId);
  CHECK(changed.memberId == "bob");
  CHECK(changed.direction == VoteDirection::up);
  CHECK(changed.score == 1);
  CHECK(site.score() == 1);
}

TEST_CASE("a down vote takes one from the score", "[votes]") {
  VoteSite site;
  Outcome outcome = site.vote(site.bob, site.postId, VoteDirection::down);
  CHECK(eventAt<VoteChanged>(outcome, 1).direction == VoteDirection::down);
  CHECK(eventAt<VoteChanged>(outcome, 1).score == -1);
  CHECK(site.score() == -1);
}

TEST_CASE("votes from several members add up", "[votes]") {
  VoteSite site;
  site.vote(site.bob, site.postId, VoteDirection::up);
  site.vote(site.carol, site.postId, VoteDirection::up);
  Outcome last = site.vote(site.dave, site.postId, VoteDirection::down);
  CHECK(eventAt<VoteChanged>(last, 1).score == 1);
  CHECK(site.score() == 1);
}

TEST_CASE("switching a vote moves the score by two", "[votes]") {
  VoteSite site;
  site.vote(site.bob, site.postId, VoteDirection::up);

  Outcome down = site.vote(site.bob, site.postId, VoteDirection::down);
  REQUIRE(eventNames(down) == std::vector<std::string>{"VoteChanged"});
  CHECK(eventAt<VoteChanged>(down, 0).direction == VoteDirection::down);
  CHECK(eventAt<VoteChanged>(down, 0).score == -1);
  CHECK(site.score() == -1);

  Outcome up = site.vote(site.bob, site.postId, VoteDirection::up);
  CHECK(eventAt<VoteChanged>(up, 0).score == 1);
  CHECK(site.score() == 1);
}

TEST_CASE("retracting a vote undoes it", "[votes]") {
  VoteSite site;
  VoteDirection direction = GENERATE(VoteDirection::up, VoteDirection::down);
  site.vote(site.bob, site.postId, direction);

  Outcome retract = site.vote(site.bob, site.postId, VoteDirection::none);
  REQUIRE(eventNames(retract) == std::vector<std::string>{"VoteChanged"});
  CHECK(eventAt<VoteChanged>(retract, 0).direction == VoteDirection::none);
  CHECK(eventAt<VoteChanged>(retract, 0).score == 0);
  CHECK(site.score() == 0);
  CHECK(readSiteSnapshot(site.snapshot()).post(site.postId).votes.empty());

  SECTION("and a new vote can follow") {
    site.vote(site.bob, site.postId, VoteDirection::up);
    CHECK(site.score() == 1);
  }
}

TEST_CASE("a member cannot vote on their own post", "[votes]") {
  VoteSite site;
  VoteDirection direction = GENERATE(VoteDirection::up, VoteDirection::down, VoteDirection::none);
  site.requireRejected(site.ops.vote(site.alice, site.postId, direction), ReasonCode::ownPost);
}

TEST_CASE("the same vote twice is rejected", "[votes]") {
  VoteSite site;
  VoteDirection direction = GENERATE(VoteDirection::up, VoteDirection::down);
  site.vote(site.bob, site.postId, direction);
  site.requireRejected(site.ops.vote(site.bob, site.postId, direction), ReasonCode::alreadyVoted);
  CHECK(site.score() == (direction == VoteDirection::up ? 1 : -1));
}

TEST_CASE("retracting without a vote is rejected", "[votes]") {
  VoteSite site;

  SECTION("by a member never seen before") {
    site.requireRejected(site.ops.vote(site.bob, site.postId, VoteDirection::none), ReasonCode::noVoteToRetract);
  }
  SECTION("by a known member who has not voted on this post") {
    site.post(site.bob, site.key);
    site.requireRejected(site.ops.vote(site.bob, site.postId, VoteDirection::none), ReasonCode::noVoteToRetract);
  }
  SECTION("by a member whose vote is already retracted") {
    site.vote(site.bob, site.postId, VoteDirection::up);
    site.vote(site.bob, site.postId, VoteDirection::none);
    site.requireRejected(site.ops.vote(site.bob, site.postId, VoteDirection::none), ReasonCode::noVoteToRetract);
  }
}

TEST_CASE("votes need a live, known post", "[votes]") {
  VoteSite site;

  SECTION("a removed post cannot be voted on") {
    site.vote(site.bob, site.postId, VoteDirection::up);
    site.requireAccepted(site.ops.remove(site.alice, site.postId));
    site.requireRejected(site.ops.vote(site.carol, site.postId, VoteDirection::up), ReasonCode::postRemoved);
    site.requireRejected(site.ops.vote(site.bob, site.postId, VoteDirection::none), ReasonCode::postRemoved);
  }
  SECTION("an unknown post cannot be voted on") {
    site.requireRejected(site.ops.vote(site.bob, "no-such-post", VoteDirection::up), ReasonCode::unknownPost);
  }
}

TEST_CASE("a rejected vote records no member", "[votes][members]") {
  VoteSite site;
  site.requireRejected(site.ops.vote(site.bob, "no-such-post", VoteDirection::up), ReasonCode::unknownPost);
  CHECK(readSiteSnapshot(site.snapshot()).findMember("bob") == nullptr);
}

TEST_CASE("the view shows each viewer their own vote", "[votes][view]") {
  VoteSite site;
  const std::string other = site.post(site.bob, site.key, "Another post");
  site.vote(site.bob, site.postId, VoteDirection::up);
  site.vote(site.carol, site.postId, VoteDirection::down);
  site.vote(site.carol, other, VoteDirection::up);

  CHECK(postIn(site.view(site.key, SortOrder::oldest, "bob"), site.postId).myVote == VoteDirection::up);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, "bob"), other).myVote == VoteDirection::none);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, "carol"), site.postId).myVote == VoteDirection::down);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, "carol"), other).myVote == VoteDirection::up);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, "alice"), site.postId).myVote == VoteDirection::none);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, "stranger"), site.postId).myVote == VoteDirection::none);
  CHECK(postIn(site.view(site.key, SortOrder::oldest, ""), site.postId).myVote == VoteDirection::none);

  SECTION("a retracted vote shows as none") {
    site.vote(site.bob, site.postId, VoteDirection::none);
    CHECK(postIn(site.view(site.key, SortOrder::oldest, "bob"), site.postId).myVote == VoteDirection::none);
  }
}

TEST_CASE("a member has at most one vote per post", "[votes]") {
  VoteSite site;
  site.vote(site.dave, site.postId, VoteDirection::down);
  site.vote(site.bob, site.postId, VoteDirection::up);
  site.vote(site.bob, site.postId, VoteDirection::down);
  site.vote(site.bob, site.postId, VoteDirection::none);
  site.vote(site.bob, site.postId, VoteDirection::up);
  site.vote(site.carol, site.postId, VoteDirection::up);
  site.vote(site.carol, site.postId, VoteDirection::down);

  const PostRecord record = readSiteSnapshot(site.snapshot()).post(site.postId);
  REQUIRE(record.votes.size() == 3);
  std::int32_t sum = 0;
  std::vector<std::string> voters;
  for (const VoteRecord& vote : record.votes) {
    voters.push_back(vote.memberId);
    sum += vote.direction == VoteDirection::up ? 1 : -1;
  }
  std::sort(voters.begin(), voters.end());
  CHECK(voters == std::vector<std::string>{"bob", "carol", "dave"});
  CHECK(record.score == sum);
  CHECK(record.score == -1);
  CHECK(site.score() == -1);
}
