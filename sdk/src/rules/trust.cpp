#include "rules/trust.h"

#include <algorithm>

namespace kring {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

bool meetsTrust1(const Policy& policy, const MemberEntry& member) {
  return member.threadsEntered >= static_cast<std::uint32_t>(policy.trust1ThreadsEntered) &&
         member.postsRead >= static_cast<std::uint32_t>(policy.trust1PostsRead) &&
         member.secondsReading >= static_cast<std::uint64_t>(policy.trust1MinutesReading) * 60;
}

bool meetsTrust2(const Policy& policy, const MemberEntry& member) {
  return member.daysVisited >= static_cast<std::uint32_t>(policy.trust2DaysVisited) &&
         member.likesGiven >= static_cast<std::uint32_t>(policy.trust2LikesGiven) &&
         member.likesReceived >= static_cast<std::uint32_t>(policy.trust2LikesReceived) &&
         member.repliedThreads.size() >= static_cast<std::size_t>(policy.trust2ThreadsRepliedTo) &&
         member.threadsEntered >= static_cast<std::uint32_t>(policy.trust2ThreadsEntered) &&
         member.postsRead >= static_cast<std::uint32_t>(policy.trust2PostsRead) &&
         member.secondsReading >= static_cast<std::uint64_t>(policy.trust2MinutesReading) * 60;
}

// percent% of `total`, at most `cap`.
std::uint64_t shareOf(std::uint64_t total, std::int32_t percent, std::int32_t cap) {
  return std::min<std::uint64_t>(total * static_cast<std::uint64_t>(percent) / 100, static_cast<std::uint64_t>(cap));
}

}  // namespace

bool recordVisit(SiteState& state, std::uint32_t memberIndex, TimeMs time) {
  MemberEntry& member = state.members[memberIndex];
  std::int32_t today = dayOf(time);
  if (member.lastVisitDay == today) return false;
  member.lastVisitDay = today;
  member.daysVisited += 1;
  member.day(today, state.policy).visited = true;
  return true;
}

void recordReply(MemberEntry& member, std::uint32_t thread, std::int32_t day) {
  auto& replied = member.repliedThreads;
  auto it = std::lower_bound(replied.begin(), replied.end(), thread,
                             [](const RepliedThreadEntry& entry, std::uint32_t key) { return entry.thread < key; });
  if (it != replied.end() && it->thread == thread) {
    it->lastDay = day;
  } else {
    replied.insert(it, RepliedThreadEntry{thread, day});
  }
}

bool meetsTrust3(const SiteState& state, const MemberEntry& member, TimeMs time) {
  const Policy& policy = state.policy;
  std::int32_t today = dayOf(time);
  std::int32_t firstDay = today - policy.trust3WindowDays + 1;
  if (member.state != MemberState::active) return false;
  if (member.lastSanctionAt != 0 && time - member.lastSanctionAt < policy.trust3SanctionFreeDays * kDayMs) return false;

  std::uint64_t visited = 0, entered = 0, read = 0, likesGiven = 0, likesReceived = 0, flagsAgainst = 0;
  for (auto it = member.days.rbegin(); it != member.days.rend() && it->day >= firstDay; ++it) {
    visited += it->visited ? 1 : 0;
    entered += it->threadsEntered;
    read += it->postsRead;
    likesGiven += it->likesGiven;
    likesReceived += it->likesReceived;
    flagsAgainst += it->flagsUpheldAgainst;
  }
  std::uint64_t newThreads = 0, newPosts = 0;
  for (auto it = state.days.rbegin(); it != state.days.rend() && it->day >= firstDay; ++it) {
    newThreads += it->threadsCreated;
    newPosts += it->postsCreated;
  }
  std::uint64_t repliedThreads = static_cast<std::uint64_t>(
      std::count_if(member.repliedThreads.begin(), member.repliedThreads.end(),
                    [&](const RepliedThreadEntry& entry) { return entry.lastDay >= firstDay; }));
  return visited * 100 >= static_cast<std::uint64_t>(policy.trust3WindowDays) * policy.trust3DaysVisitedPercent &&
         repliedThreads >= static_cast<std::uint64_t>(policy.trust3ThreadsRepliedTo) &&
         entered >= shareOf(newThreads, policy.trust3ThreadsViewedPercent, policy.trust3ThreadsViewedCap) &&
         read >= shareOf(newPosts, policy.trust3PostsReadPercent, policy.trust3PostsReadCap) &&
         likesReceived >= static_cast<std::uint64_t>(policy.trust3LikesReceived) &&
         likesGiven >= static_cast<std::uint64_t>(policy.trust3LikesGiven) &&
         flagsAgainst <= static_cast<std::uint64_t>(policy.trust3MaxFlagsUpheldAgainst);
}

bool updateTrustLevel(SiteState& state, std::uint32_t memberIndex, TimeMs time, bool firstOpOfDay) {
  MemberEntry& member = state.members[memberIndex];
  if (member.trustLevelGranted) return false;
  const Policy& policy = state.policy;
  std::uint8_t before = member.trustLevel;
  if (member.trustLevel == 0 && meetsTrust1(policy, member)) member.trustLevel = 1;
  if (member.trustLevel == 1 && meetsTrust2(policy, member)) member.trustLevel = 2;
  std::int32_t today = dayOf(time);
  // TL3 reads a 100-day window: judged once a day, on the member's first op of the day.
  if (!firstOpOfDay) return member.trustLevel != before;
  if (member.trustLevel == 2 && meetsTrust3(state, member, time)) {
    member.trustLevel = 3;
    member.trust3Since = today;
  } else if (member.trustLevel == 3 && today - member.trust3Since >= policy.trust3MinimumDays &&
             !meetsTrust3(state, member, time)) {
    member.trustLevel = 2;
    member.trust3Since = -1;
  }
  return member.trustLevel != before;
}

}  // namespace kring
