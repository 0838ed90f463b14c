// Internal: visits and trust levels 0-3 (TL4 is granted by a moderator).
#pragma once

#include <cstdint>

#include "state/site_state.h"

namespace kring {

// Counts a day visited the first time the member acts on a UTC day; true on that first op.
bool recordVisit(SiteState& state, std::uint32_t member, TimeMs time);

// Promotes (TL0→1→2→3) or demotes (TL3→2 after the minimum stay, once the criteria lapse) from
// the member's counters. TL3 is judged only on the member's first op of a day. Members with a
// granted level are left alone. True when the level changed.
bool updateTrustLevel(SiteState& state, std::uint32_t member, TimeMs time, bool firstOpOfDay);

// Whether the member meets the TL3 criteria over the trailing window ending on `today`.
bool meetsTrust3(const SiteState& state, const MemberEntry& member, TimeMs time);

// Remembers that the member replied in a thread on `day` (TL2 and TL3 count distinct threads).
void recordReply(MemberEntry& member, std::uint32_t thread, std::int32_t day);

}  // namespace kring
