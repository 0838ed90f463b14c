// Internal: the state one op handler works with, and the helpers every handler shares.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kring/op.h"
#include "kring/outcome.h"
#include "state/site_state.h"

namespace kring {

class OpContext {
 public:
  OpContext(SiteState& state, const Op& op) : state(state), op(op), actor(state.findMember(op.actor.memberId)) {}

  SiteState& state;
  const Op& op;
  std::uint32_t actor;  // kNone until the member's first accepted op

  // The actor's role: the token's, unless an admin assigned one with setRole.
  Role role() const;
  bool isActor(std::uint32_t member) const { return actor != kNone && actor == member; }
  const Policy& policy() const { return state.policy; }
  std::int32_t reputation() const;
  std::uint8_t trustLevel() const;

  Outcome reject(ReasonCode code, std::string message) const;
  // Roles other than member bypass reputation gates; the rejection names the privilege and the need.
  std::optional<Outcome> requireReputation(std::int32_t needed, std::string_view privilege) const;
  // Moderator tools: canModerate roles; `orReputation` lets members with that much in too.
  bool mayModerate(std::int32_t orReputation = -1) const;

  // The member's public record changed: a MemberChanged event goes out once, when the op is accepted.
  void touch(std::uint32_t member);

  // Accept path: records the actor as a member (or refreshes name and role from the token).
  std::uint32_t admitActor();
  template <typename Body>
  void emit(Body body) {
    outcome_.events.push_back(Event{op.id, op.sequence, op.time, EventBody(std::move(body))});
  }
  Outcome accept();
  // Accepted, but the post waits for review: status held, with the reason.
  Outcome hold(ReasonCode code, std::string message);

 private:
  void finish();
  Outcome outcome_;
  std::vector<std::uint32_t> touched_;
};

// Checks shared by ops that carry Markdown: the rejection, or nullopt when the body is fine.
std::optional<Outcome> checkBody(const OpContext& context, const std::string& body);

struct PostLookup {
  std::uint32_t index = kNone;
  std::optional<Outcome> rejection;  // unknown or removed post
};
PostLookup lookupLivePost(const OpContext& context, const std::string& postId);
// Live and shown: votes, accepts and flags need a post readers can see.
PostLookup lookupShownPost(const OpContext& context, const std::string& postId);

inline bool acceptsChanges(const ThreadEntry& thread) {
  return thread.state != ThreadState::locked && thread.state != ThreadState::archived;
}

}  // namespace kring
