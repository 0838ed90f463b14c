#include "rules/op_context.h"

#include <algorithm>

#include "rules/reputation.h"
#include "rules/trust.h"
#include "text/text.h"

namespace kring {

Outcome OpContext::reject(ReasonCode code, std::string message) const {
  return rejectedOutcome(op.id, code, std::move(message));
}

Role OpContext::role() const {
  if (actor != kNone && state.members[actor].roleAssigned) return state.members[actor].role;
  return op.actor.role;
}

std::int32_t OpContext::reputation() const {
  return actor == kNone ? state.policy.reputationInitial : state.members[actor].reputation;
}

std::uint8_t OpContext::trustLevel() const { return actor == kNone ? 0 : state.members[actor].trustLevel; }

std::optional<Outcome> OpContext::requireReputation(std::int32_t needed, std::string_view privilege) const {
  if (role() != Role::member || reputation() >= needed) return std::nullopt;
  return reject(ReasonCode::insufficientReputation, "You need " + std::to_string(needed) + " reputation to " +
                                                        std::string(privilege) + "; you have " +
                                                        std::to_string(reputation()) + ".");
}

bool OpContext::mayModerate(std::int32_t orReputation) const {
  return canModerate(role()) || (orReputation >= 0 && reputation() >= orReputation);
}

void OpContext::touch(std::uint32_t member) {
  if (std::find(touched_.begin(), touched_.end(), member) == touched_.end()) touched_.push_back(member);
}

std::uint32_t OpContext::admitActor() {
  if (actor == kNone) {
    MemberEntry entry;
    entry.id = op.actor.memberId;
    entry.displayName = withoutBidiControls(op.actor.displayName);
    entry.role = op.actor.role;
    entry.joinedAt = op.time;
    entry.reputation = state.policy.reputationInitial;
    actor = state.addMember(std::move(entry));
    emit(MemberJoined{state.memberRecord(actor)});
    return actor;
  }
  MemberEntry& member = state.members[actor];
  bool roleFromToken = !member.roleAssigned && member.role != op.actor.role;
  // The same name as stored holds no bidi control: most ops end here without a copy.
  if (member.displayName == op.actor.displayName && !roleFromToken) return actor;
  std::string displayName = withoutBidiControls(op.actor.displayName);
  if (member.displayName != displayName || roleFromToken) {
    member.displayName = std::move(displayName);
    if (roleFromToken) member.role = op.actor.role;
    emit(MemberChanged{state.memberRecord(actor)});  // before the op's events, which show the new name
  }
  return actor;
}

void OpContext::finish() {
  if (op.sequence > state.lastSequence) state.lastSequence = op.sequence;
  if (actor != kNone) {
    bool firstOpOfDay = recordVisit(state, actor, op.time);
    if (updateTrustLevel(state, actor, op.time, firstOpOfDay)) touch(actor);
  }
  for (std::uint32_t member : touched_) emit(MemberChanged{state.memberRecord(member)});
  outcome_.opId = op.id;
}

Outcome OpContext::accept() {
  finish();
  outcome_.status = OutcomeStatus::accepted;
  return std::move(outcome_);
}

Outcome OpContext::hold(ReasonCode code, std::string message) {
  finish();
  outcome_.status = OutcomeStatus::held;
  outcome_.code = code;
  outcome_.message = std::move(message);
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

PostLookup lookupShownPost(const OpContext& context, const std::string& postId) {
  PostLookup lookup = lookupLivePost(context, postId);
  if (!lookup.rejection && !context.state.posts[lookup.index].isShown()) {
    lookup.rejection = context.reject(ReasonCode::notPermitted, "This post is hidden pending review.");
  }
  return lookup;
}

}  // namespace kring
