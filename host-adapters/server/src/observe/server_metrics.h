// What kring-server counts for GET /metrics (Prometheus text format 0.0.4, docs/operations.md).
// Histograms are observed from the commit thread and read on the io thread: lock-free atomics.
// Everything else lives on the io thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "kring/engine.h"

namespace kring::server {

// A latency histogram in seconds with fixed buckets (.001 to 1 s, then +Inf).
class LatencyHistogram {
 public:
  static constexpr std::array<double, 10> kBounds{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1};
  void observe(std::chrono::steady_clock::duration duration);
  // `name`_bucket{le=…}, `name`_sum and `name`_count, with its HELP and TYPE lines. _count is the
  // +Inf bucket read in the same pass, so the two always agree.
  void write(std::string& out, std::string_view name, std::string_view help) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // not cumulative; last is +Inf
  std::atomic<std::uint64_t> sumNanoseconds_{0};
};

// Posts held for review, per site: recounted only when the site changed since, and for a site whose
// last count was slow (a big one) at most once a minute, so a scrape never stalls the io thread long.
class HeldPostCounts {
 public:
  std::uint64_t count(const std::string& siteId, const Engine& engine);

 private:
  struct Counted {
    std::uint64_t sequence = 0;
    std::uint64_t held = 0;
    std::chrono::steady_clock::time_point at;
    std::chrono::steady_clock::duration took{};
  };
  std::map<std::string, Counted> sites_;
};

struct ServerMetrics {
  std::int64_t startedAtSeconds = 0;                 // Unix time
  LatencyHistogram commitSeconds;                    // around each group commit's transaction, on the commit thread
  LatencyHistogram fanOutSeconds;                    // from a commit's end until its events are handed to the sockets
  std::map<std::string, std::uint64_t> rejectedOps;  // per site; the io thread's
  HeldPostCounts heldPosts;
};

}  // namespace kring::server
