#include "handlers.h"
#include "reputation.h"

namespace kring {

namespace {

bool isAnswer(const SiteState& state, const PostEntry& post) {
  return state.threads[post.thread].kind == ThreadKind::question && post.depth == 1;
}

void countLike(SiteState& state, std::uint32_t voter, std::uint32_t author, TimeMs time, std::int32_t sign) {
  std::int32_t today = dayOf(time);
  MemberEntry& giver = state.members[voter];
  MemberEntry& receiver = state.members[author];
  if (sign > 0) {
    giver.likesGiven += 1;
    receiver.likesReceived += 1;
    giver.day(today).likesGiven += 1;
    receiver.day(today).likesReceived += 1;
  } else {
    if (giver.likesGiven > 0) giver.likesGiven -= 1;
    if (receiver.likesReceived > 0) receiver.likesReceived -= 1;
  }
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
    if (old.direction == VoteDirection::up) countLike(state, voter, post.author, time, -1);
    if (body.direction == VoteDirection::none) {
      post.votes.erase(post.votes.begin() + static_cast<std::ptrdiff_t>(position));
    } else {
      old = VoteEntry{voter, body.direction};
    }
  } else {
    post.votes.insert(post.votes.begin() + static_cast<std::ptrdiff_t>(position), VoteEntry{voter, body.direction});
  }
  post.score += voteWeight(body.direction);
  if (body.direction != VoteDirection::none) {
    VoteEntry& vote = post.votes[position];
    if (body.direction == VoteDirection::up) {
      vote.authorDelta = changeReputation(state, post.author, policy.reputationUpvoteReceived, time, Gain::fromVotes);
      countLike(state, voter, post.author, time, 1);
    } else {
      vote.authorDelta = changeReputation(state, post.author, -policy.reputationDownvoteReceived, time, Gain::fromVotes);
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
