// Value types shared by the whole core.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kring/enums.h"

namespace kring {

using TimeMs = std::int64_t;     // milliseconds since the Unix epoch, carried by each op
using Sequence = std::uint64_t;  // site-wide op order assigned by the server; 0 = not yet sequenced
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// The enums (Role, ThreadKind, PostState, …) are generated from the schema: kring/enums.h.

// Anyone but a plain member speaks for the site: may accept answers on others' questions.
constexpr bool speaksForSite(Role role) { return role != Role::member; }
// Moderators and admins may remove others' posts.
constexpr bool canModerate(Role role) { return role == Role::moderator || role == Role::admin; }

// What a moderator action is about: a thread, a member, or (the rest) a post.
constexpr bool targetsThread(ModerationAction action) {
  return action == ModerationAction::lock || action == ModerationAction::unlock || action == ModerationAction::pin ||
         action == ModerationAction::unpin || action == ModerationAction::editTitle;
}
constexpr bool targetsMember(ModerationAction action) {
  return action == ModerationAction::silence || action == ModerationAction::suspend ||
         action == ModerationAction::ban || action == ModerationAction::unban || action == ModerationAction::setRole ||
         action == ModerationAction::setTrustLevel || action == ModerationAction::erase;
}

constexpr std::uint8_t kMaxTrustLevel = 4;
// UTC day number of a time: the day the daily reputation cap and visits count in.
constexpr std::int32_t dayOf(TimeMs time) {
  constexpr TimeMs kDay = 86'400'000;
  return static_cast<std::int32_t>(time >= 0 ? time / kDay : (time - kDay + 1) / kDay);
}

}  // namespace kring
