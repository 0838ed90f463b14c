#include "kring/names.h"

#include <iterator>

namespace kring {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::member: return "member";
    case Role::moderator: return "moderator";
    case Role::staff: return "staff";
    case Role::admin: return "admin";
  }
  return "member";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role role : {Role::member, Role::moderator, Role::staff, Role::admin}) {
    if (roleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view threadKindName(ThreadKind kind) {
  return kind == ThreadKind::question ? "question" : "discussion";
}

std::string_view threadStateName(ThreadState state) {
  switch (state) {
    case ThreadState::open: return "open";
    case ThreadState::locked: return "locked";
    case ThreadState::pinned: return "pinned";
    case ThreadState::archived: return "archived";
  }
  return "open";
}

std::string_view postStateName(PostState state) {
  switch (state) {
    case PostState::visible: return "visible";
    case PostState::pendingReview: return "pending_review";
    case PostState::hiddenByFlags: return "hidden_by_flags";
    case PostState::removed: return "removed";
    case PostState::spam: return "spam";
    case PostState::hiddenByModerator: return "hidden_by_moderator";
  }
  return "visible";
}

std::string_view voteName(VoteDirection direction) {
  switch (direction) {
    case VoteDirection::up: return "up";
    case VoteDirection::down: return "down";
    case VoteDirection::none: return "none";
  }
  return "none";
}

std::string_view sortOrderName(SortOrder order) {
  switch (order) {
    case SortOrder::top: return "top";
    case SortOrder::newest: return "newest";
    case SortOrder::oldest: return "oldest";
  }
  return "top";
}

std::string_view outcomeStatusName(OutcomeStatus status) {
  switch (status) {
    case OutcomeStatus::accepted: return "accepted";
    case OutcomeStatus::held: return "held";
    case OutcomeStatus::rejected: return "rejected";
  }
  return "rejected";
}

std::string_view memberStateName(MemberState state) {
  switch (state) {
    case MemberState::active: return "active";
    case MemberState::silenced: return "silenced";
    case MemberState::suspended: return "suspended";
    case MemberState::banned: return "banned";
  }
  return "active";
}

std::string_view flagReasonName(FlagReason reason) {
  switch (reason) {
    case FlagReason::spam: return "spam";
    case FlagReason::offensive: return "offensive";
    case FlagReason::offTopic: return "off_topic";
    case FlagReason::other: return "other";
  }
  return "other";
}

std::string_view moderationActionName(ModerationAction action) {
  static constexpr std::string_view kNames[] = {
      "approve", "reject", "hide",    "restore", "lock", "unlock",   "pin",          "unpin",       "feature",
      "silence", "suspend", "ban",    "unban",   "set_role", "set_trust_level", "uphold_flags", "dismiss_flags"};
  auto index = static_cast<std::size_t>(action);
  return index < std::size(kNames) ? kNames[index] : std::string_view("unknown");
}

std::optional<ModerationAction> parseModerationAction(std::string_view name) {
  for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(ModerationAction::dismissFlags); ++i) {
    auto action = static_cast<ModerationAction>(i);
    if (moderationActionName(action) == name) return action;
  }
  return std::nullopt;
}

}  // namespace kring
