// Internal: reputation changes, with the daily cap on vote gains and the floor.
#pragma once

#include <cstdint>

#include "state/site_state.h"

namespace kring {

enum class Gain { fromVotes, other };

// Adds `delta` to the member's reputation. Gains from votes stop at the daily cap (UTC day of
// `time`); no change takes reputation below the floor. Returns what was actually applied, which
// the caller keeps so that undoing the change reverses exactly that.
std::int32_t changeReputation(SiteState& state, std::uint32_t member, std::int32_t delta, TimeMs time, Gain gain);

// What the pair cap (reputationPairMax) still lets `giver`'s up votes and accepts give `receiver`.
std::int32_t pairAllowance(const SiteState& state, std::uint32_t giver, std::uint32_t receiver);
// Sets a recorded delta that `giver` gave `receiver` (a vote's authorDelta, an accept's deltas) and
// keeps SiteState::reputationGiven the sum of those records' gains.
void recordGiven(SiteState& state, std::uint32_t giver, std::uint32_t receiver, std::int32_t& field,
                 std::int32_t value);

// Takes back (or gives back) what a post earned through votes, its accept and praise: a removed
// post earns nothing, a restored one earns it again.
// Both return the members whose reputation changed, for MemberChanged events.
std::vector<std::uint32_t> revokePostReputation(SiteState& state, std::uint32_t post, TimeMs time);
std::vector<std::uint32_t> restorePostReputation(SiteState& state, std::uint32_t post, TimeMs time);

}  // namespace kring
