// The spam filter's opinion of a text now, for the console's review queue: the same score the
// moderation pipeline holds posts by (docs/community-rules.md), with the site's current policy and
// what the filter has learned since the post was written.
#pragma once

#include <cstdint>
#include <string_view>

#include "kring/engine.h"

namespace kring {

// 0-100: the pipeline's points for `body` as if `authorId` (unknown: a newcomer) wrote it at `now`,
// clamped. A member's post is held at the policy's spamHoldScore (60 by default).
std::int32_t spamScoreNow(const Engine& engine, std::string_view authorId, std::string_view body, TimeMs now,
                          bool reply = false);

}  // namespace kring
