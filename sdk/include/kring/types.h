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
enum class PostState : std::uint8_t { visible, pendingReview, hiddenByFlags, removed, spam };
enum class VoteDirection : std::uint8_t { none, up, down };
enum class SortOrder : std::uint8_t { top, newest, oldest };
enum class OutcomeStatus : std::uint8_t { accepted, held, rejected };

// Anyone but a plain member speaks for the site: may accept answers on others' questions.
constexpr bool speaksForSite(Role role) { return role != Role::member; }
// Moderators and admins may remove others' posts.
constexpr bool canModerate(Role role) { return role == Role::moderator || role == Role::admin; }

}  // namespace kring
