// Internal: whether the actor's standing lets them take this op at all. One check for every op,
// before its handler: a sanction covers what it says whatever the op (docs/community-rules.md).
#pragma once

#include <optional>

#include "rules/op_context.h"

namespace kring {

// Banned members and members suspended at the op's time take no op; silenced members do not
// create threads, post or edit, nor vote or flag where the policy says so.
std::optional<Outcome> checkAdmission(const OpContext& context);

}  // namespace kring
