#include "views/metrics_days.h"

#include <algorithm>
#include <unordered_map>

#include "kring/visibility.h"

namespace kring {

namespace {

// The day's slot in `days`, or nullptr when the time is outside the listed days.
MetricsDay* slotOf(std::vector<MetricsDay>& days, const MetricsWindow& window, TimeMs time) {
  if (days.empty() || time < window.from || time >= window.to) return nullptr;
  std::int64_t offset = static_cast<std::int64_t>(dayOf(time)) - days.front().day;
  if (offset < 0 || offset >= static_cast<std::int64_t>(days.size())) return nullptr;
  return &days[static_cast<std::size_t>(offset)];
}

}  // namespace

std::vector<MetricsDay> countDays(const SiteState& state, const MetricsWindow& window) {
  std::vector<MetricsDay> days;
  if (window.from >= window.to) return days;
  const std::int32_t lastDay = dayOf(window.to - 1);
  const std::int32_t firstDay = static_cast<std::int32_t>(std::max<std::int64_t>(
      dayOf(window.from), std::int64_t{lastDay} - static_cast<std::int64_t>(kMaxMetricsDays) + 1));
  for (std::int32_t day = firstDay; day <= lastDay; ++day) days.push_back(MetricsDay{day});

  for (const ThreadEntry& thread : state.threads) {
    if (window.kind && *window.kind != thread.kind) continue;
    for (std::uint32_t index : thread.roots) {
      const PostEntry& starter = state.posts[index];
      if (starter.state == PostState::spam) continue;
      if (MetricsDay* day = slotOf(days, window, starter.createdAt)) day->questions += 1;
      for (std::uint32_t child : starter.children) {
        const PostEntry& reply = state.posts[child];
        if (reply.author == starter.author || reply.state == PostState::spam) continue;
        if (MetricsDay* day = slotOf(days, window, reply.createdAt)) day->answers += 1;
      }
    }
  }
  // A member's first post (of the chosen kind, spam left out), as newMembers counts it.
  std::unordered_map<std::uint32_t, TimeMs> firstPost;
  for (const PostEntry& post : state.posts) {
    if (post.state == PostState::spam) continue;
    if (window.kind && *window.kind != state.threads[post.thread].kind) continue;
    auto [at, added] = firstPost.emplace(post.author, post.createdAt);
    if (!added) at->second = std::min(at->second, post.createdAt);
  }
  for (const auto& [member, time] : firstPost) {
    if (isGuestId(state.members[member].id)) continue;
    if (MetricsDay* day = slotOf(days, window, time)) day->newMembers += 1;
  }
  for (const AuditRecord& entry : state.audit) {
    if (entry.isPolicyChange) continue;
    if (MetricsDay* day = slotOf(days, window, entry.time)) day->moderationActions += 1;
  }
  return days;
}

std::string utcDate(std::int32_t day) {
  // Howard Hinnant's civil_from_days: eras of 400 years (146097 days) starting on March 1st.
  const std::int64_t z = static_cast<std::int64_t>(day) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t dayOfEra = z - era * 146097;
  const std::int64_t yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const std::int64_t shiftedMonth = (5 * dayOfYear + 2) / 153;  // 0 = March
  const std::int64_t dayOfMonth = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
  const std::int64_t month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const std::int64_t year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  auto digits = [](std::int64_t value, std::size_t width) {
    std::string text = std::to_string(value < 0 ? -value : value);
    if (text.size() < width) text.insert(0, width - text.size(), '0');
    return (value < 0 ? "-" : "") + text;
  };
  return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(dayOfMonth, 2);
}

}  // namespace kring
