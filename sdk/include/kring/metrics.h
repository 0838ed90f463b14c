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
  TimeMs from = 0;  // inclusive
  TimeMs to = 0;    // exclusive
  std::optional<ThreadKind> kind;  // nullopt: both kinds
};

struct Ratio {
  std::uint64_t count = 0;
  std::uint64_t of = 0;
  std::uint32_t permille() const { return of == 0 ? 0 : static_cast<std::uint32_t>(count * 1000 / of); }
};

struct Champion {
  std::string memberId;
  std::string displayName;
  std::int64_t reputationGained = 0;
};

struct Metrics {
  MetricsWindow window;
  std::uint64_t questionsAsked = 0;        // starters: top-level posts
  std::uint64_t responded = 0;             // starters with a reply by someone else
  TimeMs firstResponseMedianMs = 0;
  TimeMs firstResponseP90Ms = 0;
  Ratio answeredWithin24h;
  Ratio answeredWithin7d;
  Ratio solved;                            // questions with an accepted answer
  std::uint64_t firstResponsesByCommunity = 0;
  std::uint64_t firstResponsesByStaff = 0;
  std::uint64_t acceptedByCommunity = 0;
  std::uint64_t acceptedByStaff = 0;
  std::uint64_t activeContributors = 0;
  std::vector<Champion> champions;         // up to 10, most reputation gained first
  std::uint64_t newMembers = 0;            // first post in the window
  Ratio returnedAfterDay1;
  Ratio returnedAfterWeek1;
  std::uint64_t moderationActions = 0;
  std::vector<std::pair<std::string, std::uint64_t>> actionsByKind;  // by action name, sorted
  TimeMs moderationMedianMs = 0;           // from a post's creation to the action on it
  Ratio spamCaughtBeforeSeen;              // spam posts never shown to readers
  Ratio flagAccuracy;                      // member flags upheld of those raised
};

Metrics computeMetrics(const Engine& engine, const MetricsWindow& window);
std::string toJson(const Metrics& metrics);

}  // namespace kring
