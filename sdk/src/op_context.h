// Internal: the state one op handler works with, and the helpers every handler shares.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "kring/op.h"
#include "kring/outcome.h"
#include "site_state.h"

namespace kring {

class OpContext {
 public:
  OpContext(SiteState& state, const Op& op)
      : state(state), op(op), actor(state.findMember(op.actor.memberId)) {}

  SiteState& state;
  const Op& op;
  std::uint32_t actor;  // kNone until the member's first accepted op

  Role role() const { return op.actor.role; }
  bool isActor(std::uint32_t member) const { return actor != kNone && actor == member; }

  Outcome reject(ReasonCode code, std::string message) const;

  // Accept path: records the actor as a member (or refreshes name and role from the token).
  std::uint32_t admitActor();
  template <typename Body>
  void emit(Body body) {
    outcome_.events.push_back(Event{op.id, op.sequence, op.time, EventBody(std::move(body))});
  }
  Outcome accept();

 private:
  Outcome outcome_;
};

// Checks shared by ops that carry Markdown: the rejection, or nullopt when the body is fine.
std::optional<Outcome> checkBody(const OpContext& context, const std::string& body);

struct PostLookup {
  std::uint32_t index = kNone;
  std::optional<Outcome> rejection;  // unknown or removed post
};
PostLookup lookupLivePost(const OpContext& context, const std::string& postId);

inline bool acceptsChanges(const ThreadEntry& thread) {
  return thread.state != ThreadState::locked && thread.state != ThreadState::archived;
}

}  // namespace kring
