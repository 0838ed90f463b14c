#include "console/console_action.h"

#include <boost/json.hpp>

#include <optional>

#include "kring/names.h"
#include "kring/policy_json.h"

namespace kring::server {

namespace json = boost::json;

namespace {

ActionProblem badRequest(std::string message) {
  return ActionProblem{ActionProblemCode::badRequest, std::move(message), {}};
}

// Reads the named fields of one JSON object, remembering the first that is missing or mistyped.
class Fields {
 public:
  Fields(const json::object& object, std::string path) : object_(object), path_(std::move(path)) {}

  std::optional<std::string> text(const char* name, bool required) {
    const json::value* value = object_.if_contains(name);
    if (!value) return missing(name, required, "a string");
    if (!value->is_string()) return wrong(name, "a string");
    return std::string(value->get_string());
  }
  std::optional<std::int64_t> integer(const char* name, bool required, std::int64_t minimum, std::int64_t maximum) {
    const json::value* value = object_.if_contains(name);
    if (!value) return missing<std::int64_t>(name, required, "an integer");
    std::optional<std::int64_t> number;
    if (value->is_int64()) number = value->get_int64();
    if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(maximum)) {
      number = static_cast<std::int64_t>(value->get_uint64());
    }
    if (!number || *number < minimum || *number > maximum) {
      return wrong<std::int64_t>(name, "an integer from " + std::to_string(minimum) + " to " + std::to_string(maximum));
    }
    return number;
  }
  std::optional<bool> flag(const char* name) {
    const json::value* value = object_.if_contains(name);
    if (!value) return false;
    if (!value->is_bool()) return wrong<bool>(name, "true or false");
    return value->get_bool();
  }
  const std::optional<ActionProblem>& problem() const { return problem_; }

 private:
  template <typename T = std::string>
  std::optional<T> missing(const char* name, bool required, const std::string& kind) {
    if (required && !problem_) problem_ = badRequest(path_ + "." + name + ": missing; it must be " + kind);
    return std::nullopt;
  }
  template <typename T = std::string>
  std::optional<T> wrong(const char* name, const std::string& kind) {
    if (!problem_) problem_ = badRequest(path_ + "." + name + ": must be " + kind);
    return std::nullopt;
  }

  const json::object& object_;
  std::string path_;
  std::optional<ActionProblem> problem_;
};

std::variant<OpBody, ActionProblem> readModerate(const json::object& object) {
  Fields fields(object, "moderate");
  Moderate moderate;
  std::optional<std::string> actionName = fields.text("action", true);
  if (fields.problem()) return *fields.problem();
  std::optional<ModerationAction> action = parseModerationAction(*actionName);
  if (!action) return badRequest("moderate.action: unknown action \"" + *actionName + "\"");
  moderate.action = *action;
  // The target the action needs is required; the engine checks that it exists.
  const bool onThread = targetsThread(*action), onMember = targetsMember(*action);
  moderate.postId = fields.text("postId", !onThread && !onMember).value_or("");
  moderate.threadKey = fields.text("threadKey", onThread).value_or("");
  moderate.memberId = fields.text("memberId", onMember).value_or("");
  moderate.reason = fields.text("reason", false).value_or("");
  moderate.until = fields.integer("until", *action == ModerationAction::suspend, 0, 253'402'300'799'999).value_or(0);
  moderate.trustLevel = static_cast<std::uint8_t>(
      fields.integer("trustLevel", *action == ModerationAction::setTrustLevel, 0, kMaxTrustLevel).value_or(0));
  moderate.asSpam = fields.flag("asSpam").value_or(false);
  moderate.title = fields.text("title", *action == ModerationAction::editTitle).value_or("");
  if (std::optional<std::string> roleName = fields.text("role", *action == ModerationAction::setRole)) {
    std::optional<Role> role = parseRole(*roleName);
    if (!role) return badRequest("moderate.role: must be member, moderator, staff or admin");
    moderate.role = *role;
  }
  if (fields.problem()) return *fields.problem();
  return OpBody(std::move(moderate));
}

std::variant<OpBody, ActionProblem> readUndo(const json::object& object) {
  Fields fields(object, "undo");
  std::optional<std::string> moderationId = fields.text("moderationId", true);
  std::optional<std::string> reason = fields.text("reason", false);
  if (fields.problem()) return *fields.problem();
  return OpBody(UndoModeration{*moderationId, reason.value_or("")});
}

std::variant<OpBody, ActionProblem> readPolicy(const json::value& value) {
  if (!value.is_object()) return badRequest("policy: must be a policy object (docs/policy.md)");
  Result<Policy> policy = parsePolicyJson(json::serialize(value));
  if (!policy) {
    // The core's message starts with the field's path: "settings.privilegeVoteUp: must be …".
    const std::string& message = policy.error().message;
    std::size_t colon = message.find(": ");
    return ActionProblem{ActionProblemCode::invalidPolicy, message,
                         colon == std::string::npos ? std::string() : message.substr(0, colon)};
  }
  return OpBody(UpdatePolicy{std::move(policy.value())});
}

}  // namespace

std::variant<Op, ActionProblem> parseConsoleAction(std::string_view body) {
  boost::system::error_code error;
  json::value value = json::parse(json::string_view(body.data(), body.size()), error);
  if (error) return badRequest("body: not valid JSON (" + error.message() + ")");
  const json::object* object = value.if_object();
  if (!object) return badRequest("body: must be an object with one of moderate, undo or policy");
  Op op;
  std::variant<OpBody, ActionProblem> read = badRequest("body: needs one of moderate, undo or policy");
  std::size_t actions = 0;
  for (const auto& field : *object) {
    std::string_view name(field.key().data(), field.key().size());
    if (name == "id") {
      if (!field.value().is_string()) return badRequest("id: must be a string");
      op.id = std::string(field.value().get_string());
      continue;
    }
    ++actions;
    if (name == "moderate" || name == "undo") {
      const json::object* inner = field.value().if_object();
      if (!inner) return badRequest(std::string(name) + ": must be an object");
      read = name == "moderate" ? readModerate(*inner) : readUndo(*inner);
    } else if (name == "policy") {
      read = readPolicy(field.value());
    } else {
      return badRequest(std::string(name) + ": unknown action (moderate, undo or policy)");
    }
  }
  if (actions > 1) return badRequest("body: one action at a time (moderate, undo or policy)");
  if (auto* problem = std::get_if<ActionProblem>(&read)) return std::move(*problem);
  op.body = std::move(std::get<OpBody>(read));
  return op;
}

}  // namespace kring::server
