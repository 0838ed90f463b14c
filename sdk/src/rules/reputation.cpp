#include "rules/reputation.h"

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
std::vector<std::uint32_t> applyLedger(SiteState& state, std::uint32_t postIndex, TimeMs time, std::int32_t sign) {
  PostEntry& post = state.posts[postIndex];
  std::vector<std::uint32_t> changed;
  auto apply = [&](std::uint32_t member, std::int32_t& delta) {
    if (delta == 0 || member == kNone) return;
    delta = sign * changeReputation(state, member, sign * delta, time, Gain::other);
    if (std::find(changed.begin(), changed.end(), member) == changed.end()) changed.push_back(member);
  };
  for (VoteEntry& vote : post.votes) {
    apply(post.author, vote.authorDelta);
    apply(vote.member, vote.voterDelta);
  }
  apply(post.author, post.acceptAuthorDelta);
  apply(post.acceptor, post.acceptAcceptorDelta);
  apply(post.author, post.praiseDelta);
  return changed;
}

}  // namespace

std::vector<std::uint32_t> revokePostReputation(SiteState& state, std::uint32_t post, TimeMs time) {
  if (state.posts[post].reputationRevoked) return {};
  state.posts[post].reputationRevoked = true;
  return applyLedger(state, post, time, -1);
}

std::vector<std::uint32_t> restorePostReputation(SiteState& state, std::uint32_t post, TimeMs time) {
  if (!state.posts[post].reputationRevoked) return {};
  state.posts[post].reputationRevoked = false;
  return applyLedger(state, post, time, 1);
}

}  // namespace kring
