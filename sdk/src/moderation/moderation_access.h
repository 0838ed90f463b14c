// Internal: who may take a moderator action, what it is about, and its reason; shared by the
// actions and their undo.
#pragma once

#include <optional>
#include <string>

#include "rules/op_context.h"

namespace kring {

enum class Target { post, thread, member };
Target targetOf(ModerationAction action);

// Moderators always; members past a reputation gate for review and locking; staff may praise and
// pin; only admins set roles.
bool permitted(const OpContext& context, ModerationAction action);

// A member action's target, for the action and its undo alike: not the actor themselves, and a
// moderator or admin only for an admin (a trust level grant excepted).
std::optional<Outcome> checkMemberTarget(const OpContext& context, std::uint32_t member, ModerationAction action);

// A reason is required (the audit log keeps it): 1 to 500 bytes of UTF-8, not only spaces.
std::optional<Outcome> checkReason(const OpContext& context, const std::string& reason);

}  // namespace kring
