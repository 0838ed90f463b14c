#include "moderation/moderation_access.h"

#include "text/text.h"

namespace kring {

namespace {
constexpr std::size_t kMaxReasonBytes = 500;
}  // namespace

Target targetOf(ModerationAction action) {
  if (targetsThread(action)) return Target::thread;
  if (targetsMember(action)) return Target::member;
  return Target::post;
}

bool permitted(const OpContext& context, ModerationAction action) {
  const Policy& policy = context.policy();
  switch (action) {
    case ModerationAction::approve:
    case ModerationAction::reject: return context.mayModerate(policy.privilegeReviewQueue);
    case ModerationAction::lock:
    case ModerationAction::unlock: return context.mayModerate(policy.privilegeLockThreads);
    case ModerationAction::feature:
    case ModerationAction::pin:
    case ModerationAction::unpin: return context.mayModerate() || context.role() == Role::staff;
    case ModerationAction::setRole:
    case ModerationAction::erase: return context.role() == Role::admin;
    default: return context.mayModerate();
  }
}

std::optional<Outcome> checkMemberTarget(const OpContext& context, std::uint32_t member, ModerationAction action) {
  if (context.isActor(member)) return context.reject(ReasonCode::invalidAction, "Moderators cannot act on themselves.");
  Role role = context.state.members[member].role;
  if (role != Role::member && role != Role::staff && context.role() != Role::admin &&
      action != ModerationAction::setTrustLevel) {
    return context.reject(ReasonCode::notPermitted, "Only an admin can act on a moderator or admin.");
  }
  return std::nullopt;
}

std::optional<Outcome> checkReason(const OpContext& context, const std::string& reason) {
  if (reason.size() > kMaxReasonBytes || !isValidUtf8(reason)) {
    return context.reject(ReasonCode::invalidText,
                          "The reason is at most " + std::to_string(kMaxReasonBytes) + " bytes of UTF-8 text.");
  }
  if (isBlank(reason))
    return context.reject(ReasonCode::reasonRequired, "Moderator actions need a reason for the audit log.");
  return std::nullopt;
}

}  // namespace kring
