#include "handlers.h"

namespace kring {

Outcome applyCastVote(OpContext& context, const CastVote& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupLivePost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (!acceptsChanges(state.threads[post.thread])) {
    return context.reject(ReasonCode::threadLocked, "This thread is locked.");
  }
  if (context.isActor(post.author)) return context.reject(ReasonCode::ownPost, "You cannot vote on your own post.");

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
  if (hasVote) {
    post.score -= voteWeight(post.votes[position].direction);
    if (body.direction == VoteDirection::none) {
      post.votes.erase(post.votes.begin() + static_cast<std::ptrdiff_t>(position));
    } else {
      post.votes[position].direction = body.direction;
    }
  } else {
    post.votes.insert(post.votes.begin() + static_cast<std::ptrdiff_t>(position), VoteEntry{voter, body.direction});
  }
  post.score += voteWeight(body.direction);
  context.emit(VoteChanged{post.id, state.members[voter].id, body.direction, post.score});
  return context.accept();
}

}  // namespace kring
