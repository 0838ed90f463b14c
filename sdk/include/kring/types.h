// Value types shared by the whole core. Enum values match sdk/schema/kring.capnp.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace kring {

using TimeMs = std::int64_t;      // milliseconds since the Unix epoch, carried by each op
using Sequence = std::uint64_t;   // site-wide op order assigned by the server; 0 = not yet sequenced
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

enum class Role : std::uint8_t { member, moderator, staff, admin };
enum class ThreadKind : std::uint8_t { discussion, question };
enum class ThreadState : std::uint8_t { open, locked, pinned, archived };
enum class PostState : std::uint8_t { visible, pendingReview, hiddenByFlags, removed, spam, hiddenByModerator };
enum class MemberState : std::uint8_t { active, silenced, suspended, banned };
enum class FlagReason : std::uint8_t { spam, offensive, offTopic, other };
enum class ModerationAction : std::uint8_t {
  approve, reject, hide, restore, lock, unlock, pin, unpin, feature, silence, suspend, ban, unban, setRole,
  setTrustLevel, upholdFlags, dismissFlags
};
enum class VoteDirection : std::uint8_t { none, up, down };
enum class SortOrder : std::uint8_t { top, newest, oldest };
enum class OutcomeStatus : std::uint8_t { accepted, held, rejected };

// Anyone but a plain member speaks for the site: may accept answers on others' questions.
constexpr bool speaksForSite(Role role) { return role != Role::member; }
// Moderators and admins may remove others' posts.
constexpr bool canModerate(Role role) { return role == Role::moderator || role == Role::admin; }

// What a moderator action is about: a thread, a member, or (the rest) a post.
constexpr bool targetsThread(ModerationAction action) {
  return action == ModerationAction::lock || action == ModerationAction::unlock || action == ModerationAction::pin ||
         action == ModerationAction::unpin;
}
constexpr bool targetsMember(ModerationAction action) {
  return action == ModerationAction::silence || action == ModerationAction::suspend || action == ModerationAction::ban ||
         action == ModerationAction::unban || action == ModerationAction::setRole ||
         action == ModerationAction::setTrustLevel;
}

constexpr std::uint8_t kMaxTrustLevel = 4;
// UTC day number of a time: the day the daily reputation cap and visits count in.
constexpr std::int32_t dayOf(TimeMs time) {
  constexpr TimeMs kDay = 86'400'000;
  return static_cast<std::int32_t>(time >= 0 ? time / kDay : (time - kDay + 1) / kDay);
}

}  // namespace kring
