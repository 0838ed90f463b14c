#include <algorithm>

#include "ops/handlers.h"
#include "rules/reputation.h"

namespace kring {

namespace {

bool isAnswer(const SiteState& state, const PostEntry& post) {
  return state.threads[post.thread].kind == ThreadKind::question && post.depth == 1;
}

// A like counts on the day it was cast, in the lifetime counters and in that day's buckets (which
// TL3 sums); a retraction takes it back from the same day, if that day is still kept.
void countLike(SiteState& state, std::uint32_t voter, std::uint32_t author, std::int32_t day, std::int32_t sign) {
  MemberEntry& giver = state.members[voter];
  MemberEntry& receiver = state.members[author];
  if (sign > 0) {
    giver.likesGiven += 1;
    receiver.likesReceived += 1;
    giver.day(day, state.policy).likesGiven += 1;
    receiver.day(day, state.policy).likesReceived += 1;
    return;
  }
  auto takeBack = [](std::uint32_t& count) { count -= count > 0 ? 1 : 0; };
  takeBack(giver.likesGiven);
  takeBack(receiver.likesReceived);
  auto bucket = [day](MemberEntry& member) -> DayActivity* {
    auto it =
        std::find_if(member.days.begin(), member.days.end(), [day](const DayActivity& d) { return d.day == day; });
    return it == member.days.end() ? nullptr : &*it;
  };
  if (DayActivity* given = bucket(giver)) takeBack(given->likesGiven);
  if (DayActivity* received = bucket(receiver)) takeBack(received->likesReceived);
}

}  // namespace

Outcome applyCastVote(OpContext& context, const CastVote& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupShownPost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (!acceptsChanges(state.threads[post.thread])) {
    return context.reject(ReasonCode::threadLocked, "This thread is locked.");
  }
  if (context.isActor(post.author)) return context.reject(ReasonCode::ownPost, "You cannot vote on your own post.");
  const Policy& policy = context.policy();
  if (body.direction == VoteDirection::up) {
    if (auto rejection = context.requireReputation(policy.privilegeVoteUp, "vote up")) return std::move(*rejection);
  } else if (body.direction == VoteDirection::down) {
    if (auto rejection = context.requireReputation(policy.privilegeVoteDown, "vote down")) return std::move(*rejection);
  }

  // A member admitted by this op gets the highest index, so its vote goes last.
  std::size_t position = context.actor == kNone ? post.votes.size() : post.voteSlot(context.actor);
  bool hasVote = position < post.votes.size() && post.votes[position].member == context.actor;
  if (body.direction == VoteDirection::none && !hasVote) {
    return context.reject(ReasonCode::noVoteToRetract, "You have not voted on this post.");
  }
  if (hasVote && post.votes[position].direction == body.direction) {
    return context.reject(ReasonCode::alreadyVoted, "You have already cast this vote.");
  }

  std::uint32_t voter = context.admitActor();
  TimeMs time = context.op.time;
  std::int32_t authorBefore = state.members[post.author].reputation;
  std::int32_t voterBefore = state.members[voter].reputation;
  if (hasVote) {
    // A changed or retracted vote first takes back exactly what the old one gave and cost.
    VoteEntry& old = post.votes[position];
    post.score -= voteWeight(old.direction);
    if (old.authorDelta != 0) changeReputation(state, post.author, -old.authorDelta, time, Gain::fromVotes);
    if (old.voterDelta != 0) changeReputation(state, voter, -old.voterDelta, time, Gain::other);
    recordGiven(state, voter, post.author, old.authorDelta, 0);
    if (old.direction == VoteDirection::up) countLike(state, voter, post.author, old.day, -1);
    if (body.direction == VoteDirection::none) {
      post.votes.erase(post.votes.begin() + static_cast<std::ptrdiff_t>(position));
    } else {
      old = VoteEntry{voter, body.direction, 0, 0, dayOf(time)};
    }
  } else {
    post.votes.insert(post.votes.begin() + static_cast<std::ptrdiff_t>(position),
                      VoteEntry{voter, body.direction, 0, 0, dayOf(time)});
  }
  post.score += voteWeight(body.direction);
  if (body.direction != VoteDirection::none) {
    VoteEntry& vote = post.votes[position];
    if (body.direction == VoteDirection::up) {
      // One member's votes give another at most the pair cap: serial voting and sock puppets stop there.
      std::int32_t wanted = std::min(policy.reputationUpvoteReceived, pairAllowance(state, voter, post.author));
      recordGiven(state, voter, post.author, vote.authorDelta,
                  changeReputation(state, post.author, wanted, time, Gain::fromVotes));
      countLike(state, voter, post.author, vote.day, 1);
    } else {
      recordGiven(state, voter, post.author, vote.authorDelta,
                  changeReputation(state, post.author, -policy.reputationDownvoteReceived, time, Gain::fromVotes));
      if (isAnswer(state, post)) {
        vote.voterDelta = changeReputation(state, voter, -policy.reputationDownvoteCast, time, Gain::other);
      }
    }
  }
  if (state.members[post.author].reputation != authorBefore) context.touch(post.author);
  if (state.members[voter].reputation != voterBefore) context.touch(voter);
  context.emit(VoteChanged{post.id, state.members[voter].id, body.direction, post.score});
  return context.accept();
}

}  // namespace kring
