#include "kring/visibility.h"
#include "ops/handlers.h"

namespace kring {

// The questions whose wait reached the policy's unansweredAlertMinutes by the op's time leave the
// queue; those still unanswered are alerted. Each question is reached once, so it is alerted once.
// Past the policy's staffDigestHourUtc, the first check of a UTC day also calls for the daily digest.
Outcome applyCheckAlerts(OpContext& context, const CheckAlerts&) {
#ifdef KRING_WIDGET_CORE
  // The widget's build leaves the check out (its budget): only the server submits one.
  return context.reject(ReasonCode::notPermitted, "Only the server checks for alerts.");
#else
  SiteState& state = context.state;
  const TimeMs time = context.op.time;
  if (!context.op.actor.memberId.starts_with(kServerIdPrefix)) {
    return context.reject(ReasonCode::notPermitted, "Only the server checks for alerts.");
  }
  if (context.policy().unansweredAlertMinutes == 0 && context.policy().staffDigestHourUtc < 0) {
    return context.reject(ReasonCode::notPermitted, "Unanswered-question alerts and the staff's digest are off.");
  }
  if (time < state.alertsCheckedAt)
    return context.reject(ReasonCode::unchanged, "An alert check may not go back in time.");
  const std::size_t reached = state.questionsReached(time);
  const bool digest = state.digestDue(time);
  if (reached == 0 && !digest) return context.reject(ReasonCode::unchanged, "Nothing is due yet.");
  std::vector<std::uint32_t>& queue = state.alertQueue;
  for (std::size_t i = 0; i < reached; ++i) {
    if (state.awaitsAnswer(queue[i])) context.emit(QuestionUnanswered{state.posts[queue[i]].id});
  }
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(reached));
  state.alertsCheckedAt = time;
  // The digest's intents read this mark (notifications.h): no event carries it to a client.
  if (digest) state.digestSentAt = time;
  return context.accept();
#endif
}

}  // namespace kring
