// Stable snake_case names of the core's enums, as used in JSON, tokens and exports. The names come
// from the schema (kring/enums.h); these are the readable spellings hosts call.
#pragma once

#include <optional>
#include <string_view>

#include "kring/types.h"

namespace kring {

// The value whose name this is; nullopt for an unknown name.
template <typename Enum>
constexpr std::optional<Enum> parseEnum(std::string_view name) {
  const auto& names = EnumTable<Enum>::names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

constexpr std::string_view roleName(Role role) { return enumName(role); }
constexpr std::optional<Role> parseRole(std::string_view name) { return parseEnum<Role>(name); }
constexpr std::string_view threadKindName(ThreadKind kind) { return enumName(kind); }
constexpr std::string_view threadStateName(ThreadState state) { return enumName(state); }
constexpr std::string_view postStateName(PostState state) { return enumName(state); }
constexpr std::string_view voteName(VoteDirection direction) { return enumName(direction); }
constexpr std::string_view sortOrderName(SortOrder order) { return enumName(order); }
constexpr std::string_view outcomeStatusName(OutcomeStatus status) { return enumName(status); }
constexpr std::string_view memberStateName(MemberState state) { return enumName(state); }
constexpr std::string_view flagReasonName(FlagReason reason) { return enumName(reason); }
constexpr std::string_view moderationActionName(ModerationAction action) { return enumName(action); }
constexpr std::string_view watchActionName(WatchAction action) { return enumName(action); }
constexpr std::optional<ModerationAction> parseModerationAction(std::string_view name) {
  return parseEnum<ModerationAction>(name);
}

}  // namespace kring
