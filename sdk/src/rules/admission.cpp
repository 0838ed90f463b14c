#include "rules/admission.h"

#include "kring/visibility.h"

namespace kring {

namespace {

// What a silenced member may not do: speak, and (by policy) vote and flag.
bool silenceCovers(const Policy& policy, const OpBody& body) {
  if (std::holds_alternative<CreateThread>(body) || std::holds_alternative<CreatePost>(body) ||
      std::holds_alternative<EditPost>(body)) {
    return true;
  }
  if (std::holds_alternative<CastVote>(body)) return policy.silenceBlocksVoting != 0;
  if (std::holds_alternative<FlagPost>(body)) return policy.silenceBlocksFlagging != 0;
  return false;
}

}  // namespace

std::optional<Outcome> checkAdmission(const OpContext& context) {
  // A guest identity costs nothing, so a guest's vote or flag would be as free: ten guests, ten votes.
  if (isGuestId(context.op.actor.memberId) &&
      (std::holds_alternative<CastVote>(context.op.body) || std::holds_alternative<FlagPost>(context.op.body))) {
    return context.reject(ReasonCode::signInRequired, "Sign in to vote or flag; guests can post and read.");
  }
  if (context.actor == kNone) return std::nullopt;
  const MemberEntry& member = context.state.members[context.actor];
  switch (member.state) {
    case MemberState::active: return std::nullopt;
    case MemberState::banned: return context.reject(ReasonCode::memberBanned, "You are banned from this community.");
    case MemberState::suspended:
      if (context.op.time >= member.stateUntil) return std::nullopt;  // suspensions end by themselves
      return context.reject(ReasonCode::memberSuspended,
                            "You are suspended until " + std::to_string(member.stateUntil) + " (ms since 1970).");
    case MemberState::silenced:
      if (!silenceCovers(context.policy(), context.op.body)) return std::nullopt;
      return context.reject(ReasonCode::memberSilenced,
                            "You are silenced: you can read, but not post" +
                                std::string(context.policy().silenceBlocksVoting != 0 ? ", vote" : "") +
                                (context.policy().silenceBlocksFlagging != 0 ? " or flag." : "."));
  }
  return std::nullopt;
}

}  // namespace kring
