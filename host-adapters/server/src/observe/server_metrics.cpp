#include "observe/server_metrics.h"

#include <algorithm>
#include <cstdio>

#include "kring/site_records.h"

namespace kring::server {

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

constexpr auto kSlowCount = std::chrono::milliseconds(5);
constexpr auto kSlowCountEvery = std::chrono::seconds(60);

}  // namespace

void LatencyHistogram::observe(std::chrono::steady_clock::duration duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sumNanoseconds_.fetch_add(static_cast<std::uint64_t>(std::chrono::nanoseconds(duration).count()),
                            std::memory_order_relaxed);
}

void LatencyHistogram::write(std::string& out, std::string_view name, std::string_view help) const {
  const std::string base(name);
  out += "# HELP " + base + " " + std::string(help) + "\n# TYPE " + base + " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < kBounds.size() ? number(kBounds[i]) : "+Inf";
    out += base + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += base + "_sum " + number(static_cast<double>(sumNanoseconds_.load(std::memory_order_relaxed)) / 1e9) + "\n";
  out += base + "_count " + std::to_string(cumulative) + "\n";
}

std::uint64_t HeldPostCounts::count(const std::string& siteId, const Engine& engine) {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t sequence = engine.lastSequence();
  auto [it, first] = sites_.try_emplace(siteId);
  Counted& counted = it->second;
  const bool changed = first || counted.sequence != sequence;
  const bool due = counted.took < kSlowCount || now - counted.at >= kSlowCountEvery;
  if (!changed || !due) return counted.held;
  const SiteRecords records = exportRecords(engine);
  counted.held =
      static_cast<std::uint64_t>(std::count_if(records.posts.begin(), records.posts.end(), [](const PostRecord& post) {
        return post.state == PostState::pendingReview;
      }));
  counted.sequence = sequence;
  counted.at = now;
  counted.took = std::chrono::steady_clock::now() - now;
  return counted.held;
}

}  // namespace kring::server
