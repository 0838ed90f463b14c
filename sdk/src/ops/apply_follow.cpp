// Following a thread: whom a new post in it tells (docs/notifications.md).
#include "kring/visibility.h"
#include "ops/handlers.h"

namespace kring {

namespace {

void tellMember(OpContext& context, std::uint32_t thread, std::uint32_t member, bool following) {
  const SiteState& state = context.state;
  context.emit(FollowChanged{state.threads[thread].key, state.members[member].id, following});
}

}  // namespace

void followByPosting(OpContext& context, std::uint32_t thread, std::uint32_t member) {
#ifndef KRING_WIDGET_CORE  // a widget's prediction: the server's followChanged event brings it
  if (context.state.setFollow(thread, member, true, true)) tellMember(context, thread, member, true);
#endif
}

// A member's own choice, which posting there later does not undo. Guests and the server's actors
// have no address to be told at.
Outcome applyFollowThread(OpContext& context, const FollowThread& body) {
#ifdef KRING_WIDGET_CORE
  // The widget sends follows unpredicted (its size budget): the server decides.
  return context.reject(ReasonCode::notPermitted, kWidgetLeavesToServer);
#else
  const SiteState& state = context.state;
  const std::uint32_t thread = state.findThread(body.threadKey);
  if (thread == kNone) {
    return context.reject(ReasonCode::unknownThread, "There is no thread with the key \"" + body.threadKey + "\".");
  }
  if (isReservedMemberId(context.op.actor.memberId)) {
    return context.reject(ReasonCode::notPermitted, "Sign in to follow a thread: a guest cannot be told of new posts.");
  }
  const FollowEntry* chosen = context.actor == kNone ? nullptr : state.findFollow(thread, context.actor);
  if (chosen != nullptr && chosen->following == body.following) {
    return context.reject(ReasonCode::unchanged,
                          body.following ? "You follow this thread already." : "You do not follow this thread.");
  }
  const std::uint32_t member = context.admitActor();
  context.state.setFollow(thread, member, body.following, false);
  tellMember(context, thread, member, body.following);
  return context.accept();
#endif
}

}  // namespace kring
