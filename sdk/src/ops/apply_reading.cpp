#include <algorithm>

#include "ops/handlers.h"

namespace kring {

namespace {

constexpr std::size_t kMaxThreadsPerOp = 100;

// The day's entry for a thread, added when the day still has room; null when it has none.
ThreadRead* threadRead(DayActivity& today, const std::string& key, std::int32_t maxThreads, bool& added) {
  auto it = std::find_if(today.threadsRead.begin(), today.threadsRead.end(),
                         [&](const ThreadRead& read) { return read.threadKey == key; });
  added = false;
  if (it != today.threadsRead.end()) return &*it;
  if (today.threadsRead.size() >= static_cast<std::size_t>(maxThreads)) return nullptr;
  today.threadsRead.push_back(ThreadRead{key, 0});
  added = true;
  return &today.threadsRead.back();
}

}  // namespace

// Reading counts once per thread a day: a thread entered again that day counts no new entry, and
// its posts are credited at most once (docs/community-rules.md, "Abuse and its limits").
Outcome applyRecordReading(OpContext& context, const RecordReading& body) {
  SiteState& state = context.state;
  const Policy& policy = context.policy();
  if (body.threadKeys.size() + body.readThreadKeys.size() > kMaxThreadsPerOp) {
    return context.reject(ReasonCode::malformedOp,
                          "A reading op names at most " + std::to_string(kMaxThreadsPerOp) + " threads.");
  }
  struct Named {
    const std::string* key;
    std::uint32_t posts;
    bool entered;
  };
  std::vector<Named> named;
  for (const auto* keys : {&body.threadKeys, &body.readThreadKeys}) {
    for (const std::string& key : *keys) {
      std::uint32_t thread = state.findThread(key);
      if (thread == kNone)
        return context.reject(ReasonCode::unknownThread, "There is no thread with the key \"" + key + "\".");
      named.push_back(
          Named{&key, static_cast<std::uint32_t>(state.threads[thread].posts.size()), keys == &body.threadKeys});
    }
  }

  std::uint32_t reader = context.admitActor();
  MemberEntry& member = state.members[reader];
  DayActivity& today = member.day(dayOf(context.op.time), state.policy);
  std::uint32_t entered = 0;
  std::uint32_t postsLeft = body.postsSeen;  // credited thread by thread, up to what each holds
  std::uint32_t postsCredited = 0;
  for (const Named& thread : named) {
    bool added = false;
    ThreadRead* read = threadRead(today, *thread.key, policy.readingMaxThreadsPerDay, added);
    if (read == nullptr) continue;
    if (added && thread.entered) entered += 1;
    std::uint32_t room = thread.posts > read->postsCredited ? thread.posts - read->postsCredited : 0;
    std::uint32_t credit = std::min(room, postsLeft);
    read->postsCredited += credit;
    postsLeft -= credit;
    postsCredited += credit;
  }
  std::uint32_t dayRoom = today.secondsReading < static_cast<std::uint32_t>(policy.readingMaxSecondsPerDay)
                              ? static_cast<std::uint32_t>(policy.readingMaxSecondsPerDay) - today.secondsReading
                              : 0;
  std::uint32_t seconds =
      std::min({body.secondsReading, static_cast<std::uint32_t>(policy.readingMaxSecondsPerOp), dayRoom});

  member.threadsEntered += entered;
  member.postsRead += postsCredited;
  member.secondsReading += seconds;
  today.threadsEntered += entered;
  today.postsRead += postsCredited;
  today.secondsReading += seconds;
  return context.accept();
}

}  // namespace kring
