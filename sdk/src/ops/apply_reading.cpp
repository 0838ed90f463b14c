#include "ops/handlers.h"

namespace kring {

Outcome applyRecordReading(OpContext& context, const RecordReading& body) {
  SiteState& state = context.state;
  constexpr std::size_t kMaxThreadsPerOp = 100;
  if (body.threadKeys.size() + body.readThreadKeys.size() > kMaxThreadsPerOp) {
    return context.reject(ReasonCode::malformedOp, "A reading op names at most " + std::to_string(kMaxThreadsPerOp) + " threads.");
  }
  // What a reader could have seen: the posts of the threads named. Claims beyond that are cut.
  std::uint64_t postsAvailable = 0;
  for (const auto* keys : {&body.threadKeys, &body.readThreadKeys}) {
    for (const std::string& key : *keys) {
      std::uint32_t thread = state.findThread(key);
      if (thread == kNone) return context.reject(ReasonCode::unknownThread, "There is no thread with the key \"" + key + "\".");
      postsAvailable += state.threads[thread].posts.size();
    }
  }
  auto postsSeen = static_cast<std::uint32_t>(std::min<std::uint64_t>(body.postsSeen, postsAvailable));
  auto seconds = std::min<std::uint32_t>(body.secondsReading, static_cast<std::uint32_t>(context.policy().readingMaxSecondsPerOp));

  std::uint32_t reader = context.admitActor();
  MemberEntry& member = state.members[reader];
  auto entered = static_cast<std::uint32_t>(body.threadKeys.size());
  member.threadsEntered += entered;
  member.postsRead += postsSeen;
  member.secondsReading += seconds;
  DayActivity& today = member.day(dayOf(context.op.time));
  today.threadsEntered += entered;
  today.postsRead += postsSeen;
  return context.accept();
}

}  // namespace kring
