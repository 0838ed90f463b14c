// Stable lowercase names of the core's enums, as used in JSON, tokens and exports.
#pragma once

#include <optional>
#include <string_view>

#include "kring/types.h"

namespace kring {

std::string_view roleName(Role role);
std::optional<Role> parseRole(std::string_view name);  // nullopt for an unknown name
std::string_view threadKindName(ThreadKind kind);
std::string_view threadStateName(ThreadState state);
std::string_view postStateName(PostState state);
std::string_view voteName(VoteDirection direction);
std::string_view sortOrderName(SortOrder order);
std::string_view outcomeStatusName(OutcomeStatus status);
std::string_view memberStateName(MemberState state);
std::string_view flagReasonName(FlagReason reason);
std::string_view moderationActionName(ModerationAction action);
std::optional<ModerationAction> parseModerationAction(std::string_view name);

}  // namespace kring
