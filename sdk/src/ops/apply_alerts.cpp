#include <algorithm>

#include "kring/visibility.h"
#include "ops/handlers.h"
#include "rules/post_decisions.h"

namespace kring {

// The questions whose wait reached the policy's unansweredAlertMinutes by the op's time leave the
// queue; those still unanswered are alerted. Each question is reached once, so it is alerted once.
// Past the policy's staffDigestHourUtc, the first check of a UTC day also calls for the daily digest.
// The posts that stood spamHamAfterMinutes leave the ham queue; those still visible, unflagged and
// untrained train the classifier as ham.
Outcome applyCheckAlerts(OpContext& context, const CheckAlerts&) {
#ifdef KRING_WIDGET_CORE
  // The widget's build leaves the check out (its budget): only the server submits one.
  return context.reject(ReasonCode::notPermitted, kWidgetLeavesToServer);
#else
  SiteState& state = context.state;
  const TimeMs time = context.op.time;
  if (!context.op.actor.memberId.starts_with(kServerIdPrefix)) {
    return context.reject(ReasonCode::notPermitted, "Only the server checks for alerts.");
  }
  if (context.policy().unansweredAlertMinutes == 0 && context.policy().staffDigestHourUtc < 0 &&
      context.policy().spamHamAfterMinutes == 0) {
    return context.reject(ReasonCode::notPermitted,
                          "Unanswered-question alerts, the staff's digest and ham learning by time are off.");
  }
  if (time < state.alertsCheckedAt)
    return context.reject(ReasonCode::unchanged, "An alert check may not go back in time.");
  const std::size_t reached = state.questionsReached(time);
  const bool digest = state.digestDue(time);
  const std::size_t stood = state.hamReached(time);
  if (reached == 0 && !digest && stood == 0) return context.reject(ReasonCode::unchanged, "Nothing is due yet.");
  std::vector<std::uint32_t>& queue = state.alertQueue;
  for (std::size_t i = 0; i < reached; ++i) {
    if (state.awaitsAnswer(queue[i])) context.emit(QuestionUnanswered{state.posts[queue[i]].id});
  }
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(reached));
  for (std::size_t i = 0; i < stood; ++i) {
    const std::uint32_t index = state.hamQueue[i];
    state.posts[index].hamPending = false;
    const PostEntry& post = state.posts[index];
    const bool flagged = std::any_of(post.flags.begin(), post.flags.end(), [](const FlagEntry& flag) {
      return flag.resolution != FlagResolution::dismissed;
    });
    if (post.state == PostState::visible && !post.erased && post.spamTrained == 0 && !flagged) {
      setSpamTraining(state, index, -1);
    }
  }
  state.hamQueue.erase(state.hamQueue.begin(), state.hamQueue.begin() + static_cast<std::ptrdiff_t>(stood));
  state.alertsCheckedAt = time;
  // The digest's intents read this mark (notifications.h): no event carries it to a client.
  if (digest) state.digestSentAt = time;
  return context.accept();
#endif
}

}  // namespace kring
