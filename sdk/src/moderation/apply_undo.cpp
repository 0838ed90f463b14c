#include "moderation/moderation_access.h"
#include "ops/handlers.h"
#include "rules/post_decisions.h"
#include "rules/reputation.h"

namespace kring {

#ifndef KRING_WIDGET_CORE
namespace {

void undoPostAction(OpContext& context, const AuditRecord& entry, std::uint32_t index) {
  SiteState& state = context.state;
  PostEntry& post = state.posts[index];
  const AuditRecord::Before& before = entry.before;
  if (post.featured && !before.featured) {
    changeReputation(state, post.author, -post.praiseDelta, context.op.time, Gain::other);
    post.praiseDelta = 0;
    post.featured = false;
    context.touch(post.author);
  }
  for (std::size_t i = 0; i < before.flagResolutions.size() && i < post.flags.size(); ++i) {
    FlagEntry& flag = post.flags[i];
    auto previous = static_cast<FlagResolution>(before.flagResolutions[i]);
    if (flag.resolution == FlagResolution::upheld && previous != FlagResolution::upheld && flag.member != kNone &&
        state.members[flag.member].flagsUpheld > 0) {
      state.members[flag.member].flagsUpheld -= 1;
    }
    flag.resolution = previous;
  }
  post.flagScore = openFlagScore(post);
  setRemovalPenalty(context, index, before.removalPenalty);
  setSpamTraining(state, index, before.spamTrained);
  setPostState(context, index, before.postState, Announce::no);
  post.heldReason = before.heldReason;
  context.emit(PostChanged{state.postRecord(index, SiteState::Detail::event)});
}

// The member fields an action sets; its undo restores those and nothing else.
enum class MemberFields { sanction, role, trustLevel };

MemberFields fieldsOf(ModerationAction action) {
  if (action == ModerationAction::setRole) return MemberFields::role;
  if (action == ModerationAction::setTrustLevel) return MemberFields::trustLevel;
  return MemberFields::sanction;
}

MemberState sanctionAfter(ModerationAction action) {
  switch (action) {
    case ModerationAction::silence: return MemberState::silenced;
    case ModerationAction::suspend: return MemberState::suspended;
    case ModerationAction::ban: return MemberState::banned;
    default: return MemberState::active;
  }
}

// Derived from the audit log (no "after" image is stored): a later action on the same member and
// fields that is not undone supersedes this one. The member must also still hold the action's
// result, which an automatic silence can replace without an audit entry.
std::optional<Outcome> checkNotSuperseded(const OpContext& context, std::uint32_t auditIndex, std::uint32_t member) {
  const SiteState& state = context.state;
  const AuditRecord& entry = state.audit[auditIndex];
  MemberFields fields = fieldsOf(entry.action);
  static constexpr const char* kNames[] = {"state", "role", "trust level"};
  const std::string name = kNames[static_cast<int>(fields)];
  for (std::uint32_t later = auditIndex + 1; later < state.audit.size(); ++later) {
    const AuditRecord& next = state.audit[later];
    if (next.isPolicyChange || next.undone || next.memberId != entry.memberId ||
        next.action == ModerationAction::erase || targetOf(next.action) != Target::member ||
        fieldsOf(next.action) != fields) {
      continue;
    }
    return context.reject(ReasonCode::superseded, "A later action (" + next.id + ") changed this member's " + name +
                                                      " again; undo that one first.");
  }
  const MemberEntry& m = state.members[member];
  bool holds = fields == MemberFields::role         ? m.roleAssigned
               : fields == MemberFields::trustLevel ? m.trustLevelGranted
                                                    : m.state == sanctionAfter(entry.action);
  if (!holds) return context.reject(ReasonCode::superseded, "The member's " + name + " has changed since this action.");
  return std::nullopt;
}

void undoMemberAction(OpContext& context, const AuditRecord& entry, std::uint32_t member) {
  const AuditRecord::Before& before = entry.before;
  MemberEntry& m = context.state.members[member];
  switch (fieldsOf(entry.action)) {
    case MemberFields::sanction:
      m.state = before.memberState;
      m.stateUntil = before.stateUntil;
      m.lastSanctionAt = before.lastSanctionAt;
      break;
    case MemberFields::role:
      m.role = before.role;
      m.roleAssigned = before.roleAssigned;
      break;
    case MemberFields::trustLevel:
      m.trustLevel = before.trustLevel;
      m.trustLevelGranted = before.trustLevelGranted;
      m.trust3Since = before.trust3Since;
      break;
  }
  context.touch(member);
}

}  // namespace

Outcome applyUndoModeration(OpContext& context, const UndoModeration& body) {
  SiteState& state = context.state;
  const std::uint32_t* found = state.auditIndex.find(body.moderationId);
  if (found == nullptr) {
    return context.reject(ReasonCode::nothingToUndo, "There is no moderator action with this id.");
  }
  const AuditRecord& entry = state.audit[*found];
  if (entry.isPolicyChange) {
    return context.reject(ReasonCode::invalidAction, "A policy change is undone by updating the policy again.");
  }
  if (entry.action == ModerationAction::erase) {
    return context.reject(ReasonCode::invalidAction, "An erasure cannot be undone.");
  }
  if (entry.undone) return context.reject(ReasonCode::alreadyUndone, "This action has already been undone.");
  if (auto rejection = checkReason(context, body.reason)) return std::move(*rejection);
  if (!permitted(context, entry.action))
    return context.reject(ReasonCode::notPermitted, "You may not undo this action.");
  std::uint32_t post = entry.postId.empty() ? kNone : state.findPost(entry.postId);
  std::uint32_t thread = state.findThread(entry.threadKey);
  std::uint32_t member = entry.memberId.empty() ? kNone : state.findMember(entry.memberId);
  if (targetOf(entry.action) == Target::member) {
    if (auto rejection = checkMemberTarget(context, member, entry.action)) return std::move(*rejection);
    if (auto rejection = checkNotSuperseded(context, *found, member)) return std::move(*rejection);
  }

  std::uint32_t actor = context.admitActor();
  std::uint32_t auditIndex = *found;
  switch (targetOf(entry.action)) {
    case Target::post: undoPostAction(context, state.audit[auditIndex], post); break;
    case Target::thread:
      // A title edit and a state change are undone apart: each restores only what it changed.
      if (state.audit[auditIndex].action == ModerationAction::editTitle) {
        state.threads[thread].title = state.audit[auditIndex].before.title;
      } else {
        state.threads[thread].state = state.audit[auditIndex].before.threadState;
      }
      context.emit(ThreadChanged{state.threadRecord(thread)});
      break;
    case Target::member: undoMemberAction(context, state.audit[auditIndex], member); break;
  }
  AuditRecord& undone = state.audit[auditIndex];
  undone.undone = true;
  undone.undoneBy = state.members[actor].id;
  undone.undoReason = body.reason;
  undone.undoTime = context.op.time;
  context.emit(ModerationRecorded{undone});
  return context.accept();
}

#else
// The widget's build leaves undo out (its budget), as it does erasure: a replica holds no audit log
// to undo from, a widget never sends an undo, and it takes an undo's effect from the server's events.
Outcome applyUndoModeration(OpContext& context, const UndoModeration&) {
  return context.reject(ReasonCode::notPermitted, "Undos are made through the server.");
}
#endif

}  // namespace kring
