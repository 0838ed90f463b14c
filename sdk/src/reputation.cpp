#include "reputation.h"

#include <algorithm>

namespace kring {

std::int32_t changeReputation(SiteState& state, std::uint32_t member, std::int32_t delta, TimeMs time, Gain gain) {
  MemberEntry& entry = state.members[member];
  const Policy& policy = state.policy;
  std::int32_t today = dayOf(time);
  if (gain == Gain::fromVotes) {
    if (entry.reputationDay != today) {
      entry.reputationDay = today;
      entry.reputationGainedToday = 0;
    }
    if (delta > 0) {
      delta = std::min(delta, std::max(0, policy.reputationDailyVoteCap - entry.reputationGainedToday));
      entry.reputationGainedToday += delta;
    } else {
      // Taking back a gain of today makes room under today's cap again.
      entry.reputationGainedToday = std::max(0, entry.reputationGainedToday + delta);
    }
  }
  std::int64_t wanted = static_cast<std::int64_t>(entry.reputation) + delta;
  std::int64_t floored = std::max<std::int64_t>(wanted, policy.reputationFloor);
  auto next = static_cast<std::int32_t>(std::min<std::int64_t>(floored, 2'000'000'000));
  std::int32_t applied = next - entry.reputation;
  entry.reputation = next;
  if (applied != 0) entry.day(today).reputationGained += applied;
  return applied;
}

namespace {

// Applies the post's recorded deltas with `sign` (-1 revoke, +1 restore), keeping what was applied.
void applyLedger(SiteState& state, std::uint32_t postIndex, TimeMs time, std::int32_t sign) {
  PostEntry& post = state.posts[postIndex];
  for (VoteEntry& vote : post.votes) {
    if (vote.authorDelta != 0) vote.authorDelta = sign * changeReputation(state, post.author, sign * vote.authorDelta, time, Gain::other);
    if (vote.voterDelta != 0) vote.voterDelta = sign * changeReputation(state, vote.member, sign * vote.voterDelta, time, Gain::other);
  }
  if (post.acceptAuthorDelta != 0) {
    post.acceptAuthorDelta = sign * changeReputation(state, post.author, sign * post.acceptAuthorDelta, time, Gain::other);
  }
  if (post.acceptAcceptorDelta != 0 && post.acceptor != kNone) {
    post.acceptAcceptorDelta =
        sign * changeReputation(state, post.acceptor, sign * post.acceptAcceptorDelta, time, Gain::other);
  }
  if (post.praiseDelta != 0) post.praiseDelta = sign * changeReputation(state, post.author, sign * post.praiseDelta, time, Gain::other);
}

}  // namespace

void revokePostReputation(SiteState& state, std::uint32_t post, TimeMs time) {
  if (state.posts[post].reputationRevoked) return;
  applyLedger(state, post, time, -1);
  state.posts[post].reputationRevoked = true;
}

void restorePostReputation(SiteState& state, std::uint32_t post, TimeMs time) {
  if (!state.posts[post].reputationRevoked) return;
  applyLedger(state, post, time, 1);
  state.posts[post].reputationRevoked = false;
}

std::vector<std::uint32_t> membersInLedger(const SiteState& state, std::uint32_t postIndex) {
  const PostEntry& post = state.posts[postIndex];
  std::vector<std::uint32_t> members{post.author};
  for (const VoteEntry& vote : post.votes) {
    if (vote.voterDelta != 0) members.push_back(vote.member);
  }
  if (post.acceptor != kNone) members.push_back(post.acceptor);
  return members;
}

}  // namespace kring
