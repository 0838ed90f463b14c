#include "op_context.h"

#include "text.h"

namespace kring {

Outcome OpContext::reject(ReasonCode code, std::string message) const {
  Outcome outcome;
  outcome.opId = op.id;
  outcome.status = OutcomeStatus::rejected;
  outcome.code = code;
  outcome.message = std::move(message);
  return outcome;
}

std::uint32_t OpContext::admitActor() {
  if (actor == kNone) {
    actor = state.addMember(MemberEntry{op.actor.memberId, op.actor.displayName, op.actor.role, op.time, 0});
    emit(MemberJoined{state.memberRecord(actor)});
    return actor;
  }
  MemberEntry& member = state.members[actor];
  if (member.displayName != op.actor.displayName || member.role != op.actor.role) {
    member.displayName = op.actor.displayName;
    member.role = op.actor.role;
    emit(MemberChanged{state.memberRecord(actor)});
  }
  return actor;
}

Outcome OpContext::accept() {
  if (op.sequence > state.lastSequence) state.lastSequence = op.sequence;
  outcome_.opId = op.id;
  outcome_.status = OutcomeStatus::accepted;
  return std::move(outcome_);
}

std::optional<Outcome> checkBody(const OpContext& context, const std::string& body) {
  const std::uint32_t limit = context.state.limits.maxBodyBytes;
  if (body.size() > limit) {
    return context.reject(ReasonCode::bodyTooLong, "The post is " + std::to_string(body.size()) +
                                                       " bytes long; the limit is " + std::to_string(limit) + ".");
  }
  if (!isValidUtf8(body)) return context.reject(ReasonCode::invalidText, "The post is not valid UTF-8 text.");
  if (isBlank(body)) return context.reject(ReasonCode::emptyBody, "The post is empty.");
  return std::nullopt;
}

PostLookup lookupLivePost(const OpContext& context, const std::string& postId) {
  PostLookup lookup;
  lookup.index = context.state.findPost(postId);
  if (lookup.index == kNone) {
    lookup.rejection = context.reject(ReasonCode::unknownPost, "There is no post with this id.");
  } else if (context.state.posts[lookup.index].isRemoved()) {
    lookup.rejection = context.reject(ReasonCode::postRemoved, "This post has been removed.");
  }
  return lookup;
}

}  // namespace kring
