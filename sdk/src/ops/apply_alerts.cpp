#include "kring/visibility.h"
#include "ops/handlers.h"

namespace kring {

// The questions whose wait reached the policy's unansweredAlertMinutes by the op's time leave the
// queue; those still unanswered are alerted. Each question is reached once, so it is alerted once.
Outcome applyCheckAlerts(OpContext& context, const CheckAlerts&) {
#ifdef KRING_WIDGET_CORE
  // The widget's build leaves the check out (its budget): only the server submits one.
  return context.reject(ReasonCode::notPermitted, "Only the server checks for alerts.");
#else
  SiteState& state = context.state;
  if (!context.op.actor.memberId.starts_with(kServerIdPrefix)) {
    return context.reject(ReasonCode::notPermitted, "Only the server checks for alerts.");
  }
  const TimeMs window = TimeMs{context.policy().unansweredAlertMinutes} * 60'000;
  if (window == 0) return context.reject(ReasonCode::notPermitted, "Unanswered-question alerts are off.");
  if (context.op.time < state.alertsCheckedAt) {
    return context.reject(ReasonCode::unchanged, "An alert check may not go back in time.");
  }
  std::vector<std::uint32_t>& queue = state.alertQueue;
  std::size_t reached = 0;
  while (reached < queue.size() && state.posts[queue[reached]].createdAt + window <= context.op.time) ++reached;
  if (reached == 0) return context.reject(ReasonCode::unchanged, "No question has waited long enough yet.");
  for (std::size_t i = 0; i < reached; ++i) {
    if (state.awaitsAnswer(queue[i])) context.emit(QuestionUnanswered{state.posts[queue[i]].id});
  }
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(reached));
  state.alertsCheckedAt = context.op.time;
  return context.accept();
#endif
}

}  // namespace kring
