#include "kring/metrics.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "json/json_writer.h"
#include "kring/names.h"
#include "kring/visibility.h"
#include "state/engine_access.h"
#include "state/site_state.h"
#include "views/metrics_days.h"

namespace kring {

namespace {

constexpr TimeMs kDayMs = 86'400'000;

// Nearest-rank percentile of sorted values.
TimeMs percentile(const std::vector<TimeMs>& sorted, std::uint32_t percent) {
  if (sorted.empty()) return 0;
  std::size_t rank = (sorted.size() * percent + 99) / 100;
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

bool inWindow(const MetricsWindow& window, TimeMs time) { return time >= window.from && time < window.to; }

bool speaksForBrand(Role role) { return role != Role::member; }

void countStarters(const SiteState& state, const MetricsWindow& window, Metrics& metrics) {
  std::vector<TimeMs> responseTimes;
  for (const ThreadEntry& thread : state.threads) {
    if (window.kind && *window.kind != thread.kind) continue;
    for (std::uint32_t index : thread.roots) {
      const PostEntry& starter = state.posts[index];
      if (!inWindow(window, starter.createdAt) || starter.state == PostState::spam) continue;
      metrics.questionsAsked += 1;
      const PostEntry* first = nullptr;
      for (std::uint32_t child : starter.children) {
        const PostEntry& reply = state.posts[child];
        if (reply.author == starter.author || reply.state == PostState::spam) continue;
        if (first == nullptr || reply.createdAt < first->createdAt) first = &reply;
      }
      metrics.answeredWithin24h.of += 1;
      metrics.answeredWithin7d.of += 1;
      if (thread.kind == ThreadKind::question) metrics.solved.of += 1;
      if (first != nullptr) {
        TimeMs wait = first->createdAt - starter.createdAt;
        metrics.responded += 1;
        responseTimes.push_back(wait);
        if (wait <= kDayMs) metrics.answeredWithin24h.count += 1;
        if (wait <= 7 * kDayMs) metrics.answeredWithin7d.count += 1;
        (speaksForBrand(first->authorRole) ? metrics.firstResponsesByStaff : metrics.firstResponsesByCommunity) += 1;
      }
      if (starter.acceptedAnswer != kNone) {
        if (thread.kind == ThreadKind::question) metrics.solved.count += 1;
        const PostEntry& accepted = state.posts[starter.acceptedAnswer];
        (speaksForBrand(accepted.authorRole) ? metrics.acceptedByStaff : metrics.acceptedByCommunity) += 1;
      }
    }
  }
  std::sort(responseTimes.begin(), responseTimes.end());
  metrics.answerRate = Ratio{metrics.responded, metrics.questionsAsked};
  metrics.firstResponseMedianMs = percentile(responseTimes, 50);
  metrics.firstResponseP90Ms = percentile(responseTimes, 90);
}

void countContributors(const SiteState& state, const MetricsWindow& window, Metrics& metrics) {
  std::unordered_set<std::uint32_t> active;
  // Each member's posts in time order, for retention.
  std::unordered_map<std::uint32_t, std::vector<TimeMs>> postsByMember;
  for (const PostEntry& post : state.posts) {
    if (post.state == PostState::spam) continue;
    if (window.kind && *window.kind != state.threads[post.thread].kind) continue;
    if (inWindow(window, post.createdAt)) {
      active.insert(post.author);
      if (post.imported) metrics.importedPosts += 1;
    }
    if (post.createdAt < window.to) postsByMember[post.author].push_back(post.createdAt);
  }
  metrics.activeContributors = active.size();
  for (auto& [member, times] : postsByMember) {
    std::sort(times.begin(), times.end());
    if (!inWindow(window, times.front()) || isGuestId(state.members[member].id)) continue;
    metrics.newMembers += 1;
    metrics.returnedAfterDay1.of += 1;
    metrics.returnedAfterWeek1.of += 1;
    TimeMs first = times.front();
    if (times.back() - first >= kDayMs) metrics.returnedAfterDay1.count += 1;
    if (times.back() - first >= 7 * kDayMs) metrics.returnedAfterWeek1.count += 1;
  }
}

void countChampions(const SiteState& state, const MetricsWindow& window, Metrics& metrics) {
  // Reputation from votes is kept per UTC day on each vote: days that overlap the window count.
  std::int32_t firstDay = dayOf(window.from);
  std::int32_t lastDay = dayOf(window.to - 1);
  std::unordered_map<std::uint32_t, Champion> byMember;
  auto champion = [&](std::uint32_t member) -> Champion& { return byMember[member]; };
  for (std::uint32_t index = 0; index < state.posts.size(); ++index) {
    const PostEntry& post = state.posts[index];
    if (window.kind && *window.kind != state.threads[post.thread].kind) continue;
    for (const VoteEntry& vote : post.votes) {
      if (vote.day >= firstDay && vote.day <= lastDay && vote.authorDelta != 0) {
        champion(post.author).reputationGained += vote.authorDelta;
      }
    }
    if (inWindow(window, post.createdAt)) {
      if (post.acceptAuthorDelta != 0 || post.praiseDelta != 0) {
        champion(post.author).reputationGained += post.acceptAuthorDelta + post.praiseDelta;
      }
      if (state.isAccepted(index)) champion(post.author).acceptedAnswers += 1;
    }
    for (const FlagEntry& flag : post.flags) {
      // The pipeline's own flags (a watched word) name no member.
      if (flag.member != kNone && flag.resolution == FlagResolution::upheld && inWindow(window, flag.time)) {
        champion(flag.member).helpfulFlags += 1;
      }
    }
  }
  for (auto& [memberIndex, found] : byMember) {
    const MemberEntry& member = state.members[memberIndex];
    if (speaksForBrand(member.role)) continue;  // the community's own, not the brand's
    if (found.reputationGained <= 0 && found.acceptedAnswers == 0 && found.helpfulFlags == 0) continue;
    found.memberId = member.id;
    found.displayName = member.displayName;
    metrics.champions.push_back(std::move(found));
  }
  std::sort(metrics.champions.begin(), metrics.champions.end(), [](const Champion& a, const Champion& b) {
    if (a.reputationGained != b.reputationGained) return a.reputationGained > b.reputationGained;
    if (a.acceptedAnswers != b.acceptedAnswers) return a.acceptedAnswers > b.acceptedAnswers;
    if (a.helpfulFlags != b.helpfulFlags) return a.helpfulFlags > b.helpfulFlags;
    return a.memberId < b.memberId;
  });
  constexpr std::size_t kChampions = 10;
  if (metrics.champions.size() > kChampions) metrics.champions.resize(kChampions);
}

void countModeration(const SiteState& state, const MetricsWindow& window, Metrics& metrics) {
  std::map<std::string, std::uint64_t> byAction;
  std::vector<TimeMs> delays;
  for (const AuditRecord& entry : state.audit) {
    if (entry.isPolicyChange || !inWindow(window, entry.time)) continue;
    metrics.moderationActions += 1;
    byAction[std::string(moderationActionName(entry.action))] += 1;
    if (std::uint32_t post = entry.postId.empty() ? kNone : state.findPost(entry.postId); post != kNone) {
      delays.push_back(entry.time - state.posts[post].createdAt);
    }
  }
  metrics.actionsByKind.assign(byAction.begin(), byAction.end());
  std::sort(delays.begin(), delays.end());
  metrics.moderationMedianMs = percentile(delays, 50);
  for (const PostEntry& post : state.posts) {
    if (post.state == PostState::spam && inWindow(window, post.createdAt)) {
      metrics.spamCaughtBeforeSeen.of += 1;
      if (!post.everVisible) metrics.spamCaughtBeforeSeen.count += 1;
    }
    for (const FlagEntry& flag : post.flags) {
      if (flag.member == kNone || !inWindow(window, flag.time)) continue;
      metrics.flagAccuracy.of += 1;
      if (flag.resolution == FlagResolution::upheld) metrics.flagAccuracy.count += 1;
    }
  }
}

void writeRatio(JsonWriter& json, std::string_view name, const Ratio& ratio) {
  json.key(name).open('{');
  json.key("count").value(static_cast<std::int64_t>(ratio.count));
  json.key("of").value(static_cast<std::int64_t>(ratio.of));
  json.key("permille").value(static_cast<std::int64_t>(ratio.permille()));
  json.close('}');
}

}  // namespace

Metrics computeMetrics(const Engine& engine, const MetricsWindow& window) {
  const SiteState& state = EngineAccess::state(engine);
  Metrics metrics;
  metrics.window = window;
  countStarters(state, window, metrics);
  countContributors(state, window, metrics);
  countChampions(state, window, metrics);
  countModeration(state, window, metrics);
  metrics.days = countDays(state, window);
  return metrics;
}

std::vector<WaitingStarter> unansweredStarters(const Engine& engine, std::optional<ThreadKind> kind) {
  const SiteState& state = EngineAccess::state(engine);
  std::vector<WaitingStarter> waiting;
  for (const ThreadEntry& thread : state.threads) {
    if (kind && *kind != thread.kind) continue;
    for (std::uint32_t index : thread.roots) {
      if (!state.awaitsAnswer(index)) continue;
      const PostEntry& starter = state.posts[index];
      waiting.push_back(WaitingStarter{starter.id, thread.key, thread.title, thread.kind,
                                       state.members[starter.author].id, starter.createdAt});
    }
  }
  std::stable_sort(waiting.begin(), waiting.end(),
                   [](const WaitingStarter& a, const WaitingStarter& b) { return a.createdAt < b.createdAt; });
  return waiting;
}

std::string toJson(const std::vector<WaitingStarter>& starters, TimeMs now, std::size_t limit) {
  JsonWriter json;
  json.open('{').key("count").value(static_cast<std::int64_t>(starters.size()));
  json.key("starters").open('[');
  for (const WaitingStarter& starter : starters) {
    if (limit-- == 0) break;
    json.open('{');
    json.key("postId").value(starter.postId);
    json.key("threadKey").value(starter.threadKey);
    json.key("threadTitle").value(starter.threadTitle);
    json.key("threadKind").value(threadKindName(starter.kind));
    json.key("authorId").value(starter.authorId);
    json.key("createdAt").value(starter.createdAt);
    json.key("waitingMs").value(std::max<TimeMs>(0, now - starter.createdAt));
    json.close('}');
  }
  json.close(']').close('}');
  return json.take();
}

std::string toJson(const Metrics& metrics) {
  JsonWriter json;
  auto count = [&](std::string_view name, std::uint64_t value) {
    json.key(name).value(static_cast<std::int64_t>(value));
  };
  json.open('{');
  json.key("from").value(metrics.window.from);
  json.key("to").value(metrics.window.to);
  json.key("threadKind").value(metrics.window.kind ? threadKindName(*metrics.window.kind) : std::string_view("all"));
  count("questionsAsked", metrics.questionsAsked);
  json.key("timeToFirstResponse").open('{');
  count("responded", metrics.responded);
  json.key("medianMs").value(metrics.firstResponseMedianMs);
  json.key("p90Ms").value(metrics.firstResponseP90Ms);
  json.close('}');
  writeRatio(json, "answerRate", metrics.answerRate);
  writeRatio(json, "answeredWithin24h", metrics.answeredWithin24h);
  writeRatio(json, "answeredWithin7d", metrics.answeredWithin7d);
  writeRatio(json, "solved", metrics.solved);
  json.key("deflection").open('{');
  count("firstResponsesByCommunity", metrics.firstResponsesByCommunity);
  count("firstResponsesByStaff", metrics.firstResponsesByStaff);
  count("acceptedByCommunity", metrics.acceptedByCommunity);
  count("acceptedByStaff", metrics.acceptedByStaff);
  json.close('}');
  count("activeContributors", metrics.activeContributors);
  count("importedPosts", metrics.importedPosts);
  json.key("champions").open('[');
  for (const Champion& champion : metrics.champions) {
    json.open('{');
    json.key("memberId").value(champion.memberId);
    json.key("displayName").value(champion.displayName);
    json.key("reputationGained").value(champion.reputationGained);
    count("acceptedAnswers", champion.acceptedAnswers);
    count("helpfulFlags", champion.helpfulFlags);
    json.close('}');
  }
  json.close(']');
  json.key("newMembers").open('{');
  count("count", metrics.newMembers);
  writeRatio(json, "returnedAfterDay1", metrics.returnedAfterDay1);
  writeRatio(json, "returnedAfterWeek1", metrics.returnedAfterWeek1);
  json.close('}');
  json.key("moderation").open('{');
  count("actions", metrics.moderationActions);
  json.key("byAction").open('{');
  for (const auto& [name, actions] : metrics.actionsByKind) count(name, actions);
  json.close('}');
  json.key("medianTimeToModerateMs").value(metrics.moderationMedianMs);
  writeRatio(json, "spamCaughtBeforeSeen", metrics.spamCaughtBeforeSeen);
  writeRatio(json, "flagAccuracy", metrics.flagAccuracy);
  json.close('}');
  json.key("days").open('[');
  for (const MetricsDay& day : metrics.days) {
    json.open('{');
    json.key("date").value(utcDate(day.day));
    count("questions", day.questions);
    count("answers", day.answers);
    count("moderationActions", day.moderationActions);
    count("newMembers", day.newMembers);
    json.close('}');
  }
  json.close(']');
  json.close('}');
  return json.take();
}

}  // namespace kring
