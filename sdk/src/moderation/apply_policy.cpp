#include "ops/handlers.h"

namespace kring {

Outcome applyUpdatePolicy(OpContext& context, const UpdatePolicy& body) {
  if (context.role() != Role::admin)
    return context.reject(ReasonCode::notPermitted, "Only an admin can change the policy.");
  if (Status valid = validatePolicy(body.policy); !valid) {
    return context.reject(ReasonCode::invalidPolicy, valid.error().message);
  }
  if (context.state.auditIndex.contains(context.op.id)) {
    return context.reject(ReasonCode::duplicateActionId, "An action with this id is already in the audit log.");
  }
  std::uint32_t actor = context.admitActor();
  context.state.setPolicy(body.policy);
  AuditRecord entry;
  entry.id = context.op.id;
  entry.actorId = context.state.members[actor].id;
  entry.reason = "policy updated";
  entry.time = context.op.time;
  entry.sequence = context.op.sequence;
  entry.isPolicyChange = true;
  context.emit(PolicyChanged{body.policy});
  context.emit(ModerationRecorded{entry});
  context.state.addAudit(std::move(entry));
  return context.accept();
}

}  // namespace kring
