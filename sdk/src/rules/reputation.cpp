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
  if (applied != 0) entry.day(today, policy).reputationGained += applied;
  return applied;
}

std::int32_t pairAllowance(const SiteState& state, std::uint32_t giver, std::uint32_t receiver) {
  auto given = state.reputationGiven.find(SiteState::givenKey(giver, receiver));
  return std::max(0, state.policy.reputationPairMax - (given == state.reputationGiven.end() ? 0 : given->second));
}

void recordGiven(SiteState& state, std::uint32_t giver, std::uint32_t receiver, std::int32_t& field,
                 std::int32_t value) {
  if (giver != kNone) {
    std::int32_t change = std::max(value, 0) - std::max(field, 0);
    if (change != 0) {
      auto key = SiteState::givenKey(giver, receiver);
      if ((state.reputationGiven[key] += change) == 0) state.reputationGiven.erase(key);
    }
  }
  field = value;
}

namespace {

// Applies the post's recorded deltas with `sign` (-1 revoke, +1 restore), keeping what was applied.
std::vector<std::uint32_t> applyLedger(SiteState& state, std::uint32_t postIndex, TimeMs time, std::int32_t sign) {
  PostEntry& post = state.posts[postIndex];
  std::vector<std::uint32_t> changed;
  // `giver`: who gave the delta (the pair cap's records), kNone for what no member gave.
  auto apply = [&](std::uint32_t member, std::int32_t& delta, std::uint32_t giver) {
    if (delta == 0 || member == kNone) return;
    recordGiven(state, giver, member, delta, sign * changeReputation(state, member, sign * delta, time, Gain::other));
    if (std::find(changed.begin(), changed.end(), member) == changed.end()) changed.push_back(member);
  };
  for (VoteEntry& vote : post.votes) {
    apply(post.author, vote.authorDelta, vote.member);
    apply(vote.member, vote.voterDelta, kNone);
  }
  apply(post.author, post.acceptAuthorDelta, post.acceptor);
  apply(post.acceptor, post.acceptAcceptorDelta, post.author);
  apply(post.author, post.praiseDelta, kNone);
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
