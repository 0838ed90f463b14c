// The console's POST actions body (docs/console.md, "Actions") read into one core op: a moderator
// action, an undo, or a policy update. Only the shape is checked here; the engine decides the rest
// exactly as for an op over /sync.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "kring/op.h"

namespace kring::server {

enum class ActionProblemCode { badRequest, invalidPolicy };
constexpr std::string_view actionProblemName(ActionProblemCode code) {
  return code == ActionProblemCode::invalidPolicy ? "invalid_policy" : "bad_request";
}

struct ActionProblem {
  ActionProblemCode code = ActionProblemCode::badRequest;
  std::string message;  // names the field
  std::string field;    // the policy setting at fault ("settings.privilegeVoteUp"); empty otherwise
};

// The op has its body and the client's id (empty when none was given); actor and time are the caller's.
std::variant<Op, ActionProblem> parseConsoleAction(std::string_view body);

}  // namespace kring::server
