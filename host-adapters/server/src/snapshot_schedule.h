// When a site's next stored snapshot is due. A snapshot encodes the whole site, so taking one every
// fixed number of ops makes the total work grow with the square of the site. Waiting until the ops
// since the last snapshot weigh a share of its size keeps the work per op constant (each snapshot is
// paid for by the ops before it) and bounds what a start after a crash replays to that share.
#pragma once

#include <cstdint>

namespace kring::server {

struct SnapshotSchedule {
  std::uint64_t minimumOps = 10'000;   // --snapshot-every; 0: never (tests)
  std::uint32_t growthPercent = 25;    // --snapshot-growth-percent of the last snapshot's bytes
};

struct SinceSnapshot {
  std::uint64_t ops = 0;
  std::uint64_t opBytes = 0;        // the encoded ops, as stored
  std::uint64_t snapshotBytes = 0;  // the last snapshot's size; 0 when there is none
};

constexpr bool snapshotDue(const SnapshotSchedule& schedule, const SinceSnapshot& since) {
  return schedule.minimumOps != 0 && since.ops >= schedule.minimumOps &&
         since.opBytes * 100 >= since.snapshotBytes * schedule.growthPercent;
}

}  // namespace kring::server
