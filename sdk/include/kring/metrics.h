// Community metrics (docs/metrics.md) for a time window, computed from the engine's state.
// Definitions, one line each, are in docs/metrics.md. Integer arithmetic only: ratios are permille.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kring/engine.h"

namespace kring {

struct MetricsWindow {
  TimeMs from = 0;                 // inclusive
  TimeMs to = 0;                   // exclusive
  std::optional<ThreadKind> kind;  // nullopt: both kinds
};

struct Ratio {
  std::uint64_t count = 0;
  std::uint64_t of = 0;
  std::uint32_t permille() const { return of == 0 ? 0 : static_cast<std::uint32_t>(count * 1000 / of); }
};

// A community member (staff, moderators and admins are not champions) who helped in the window.
struct Champion {
  std::string memberId;
  std::string displayName;
  std::int64_t reputationGained = 0;  // from the window's votes on their posts, and accepts and praise of
                                      // their posts written in it
  std::uint64_t acceptedAnswers = 0;  // their answers written in the window that are accepted
  std::uint64_t helpfulFlags = 0;     // their flags raised in the window that moderators upheld
};

// One UTC day of the window, for the console's chart and the days CSV.
struct MetricsDay {
  std::int32_t day = 0;                 // UTC day number (dayOf)
  std::uint64_t questions = 0;          // starters created that day
  std::uint64_t answers = 0;            // responses (replies to a starter by someone else) created that day
  std::uint64_t moderationActions = 0;  // moderator actions taken that day
  std::uint64_t newMembers = 0;         // members whose first post was that day (guests left out)
};
constexpr std::size_t kMaxMetricsDays = 366;  // a longer window lists its last 366 days

struct Metrics {
  MetricsWindow window;
  std::uint64_t questionsAsked = 0;  // starters: top-level posts
  std::uint64_t responded = 0;       // starters with a reply by someone else
  Ratio answerRate;                  // responded of questionsAsked
  TimeMs firstResponseMedianMs = 0;
  TimeMs firstResponseP90Ms = 0;
  Ratio answeredWithin24h;
  Ratio answeredWithin7d;
  Ratio solved;  // questions with an accepted answer
  std::uint64_t firstResponsesByCommunity = 0;
  std::uint64_t firstResponsesByStaff = 0;
  std::uint64_t acceptedByCommunity = 0;
  std::uint64_t acceptedByStaff = 0;
  std::uint64_t activeContributors = 0;
  // Posts of the window brought in from another system (ImportPost), on their original days: the
  // figures above count them there, never as the day of the import.
  std::uint64_t importedPosts = 0;
  std::vector<Champion> champions;  // up to 10, most reputation gained first
  std::uint64_t newMembers = 0;     // first post in the window; guests are not counted (a guest
                                    // identity is per browser, so none would ever return)
  Ratio returnedAfterDay1;
  Ratio returnedAfterWeek1;
  std::uint64_t moderationActions = 0;
  std::vector<std::pair<std::string, std::uint64_t>> actionsByKind;  // by action name, sorted
  TimeMs moderationMedianMs = 0;                                     // from a post's creation to the action on it
  Ratio spamCaughtBeforeSeen;                                        // spam posts never shown to readers
  Ratio flagAccuracy;                                                // member flags upheld of those raised
  std::vector<MetricsDay> days;  // every UTC day the window touches, oldest first, at most
                                 // kMaxMetricsDays (the last ones), idle days included
};

Metrics computeMetrics(const Engine& engine, const MetricsWindow& window);
// "YYYY-MM-DD" of a UTC day number (proleptic Gregorian; integer arithmetic only).
std::string utcDate(std::int32_t day);
std::string toJson(const Metrics& metrics);

// A visible starter (a question, an opening post) that no one but its author has answered visibly yet.
struct WaitingStarter {
  std::string postId;
  std::string threadKey;
  std::string threadTitle;
  ThreadKind kind = ThreadKind::question;
  std::string authorId;
  TimeMs createdAt = 0;
};
// Every such starter of a thread that takes replies (not locked or archived), oldest first: what a community manager
// makes sure gets an answer.
std::vector<WaitingStarter> unansweredStarters(const Engine& engine, std::optional<ThreadKind> kind);
// {"count": N, "starters": [{"postId", "threadKey", "threadTitle", "threadKind", "authorId", "createdAt",
// "waitingMs"}]}: every one counted, the oldest `limit` listed.
std::string toJson(const std::vector<WaitingStarter>& starters, TimeMs now, std::size_t limit = SIZE_MAX);

}  // namespace kring
