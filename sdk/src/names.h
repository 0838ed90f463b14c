// Internal: stable lowercase names of the core's enums, as used in JSON.
#pragma once

#include <string_view>

#include "kring/types.h"

namespace kring {

std::string_view roleName(Role role);
std::string_view threadKindName(ThreadKind kind);
std::string_view threadStateName(ThreadState state);
std::string_view postStateName(PostState state);
std::string_view voteName(VoteDirection direction);
std::string_view sortOrderName(SortOrder order);
std::string_view outcomeStatusName(OutcomeStatus status);

}  // namespace kring
