// The console reader's share of a core (util/cpu_share.h): bursts run at once, sustained work is
// held to its share, and idle time refills the burst but never beyond it.
#include <catch2/catch.hpp>

#include "util/cpu_share.h"

using namespace kring::server;
using namespace std::chrono_literals;

TEST_CASE("a CPU share lets a burst through at once and then holds work to its share of the time",
          "[server][cpu_share]") {
  const CpuShare::Clock::time_point start{};
  CpuShare share(2s, 100, start);  // 2 s of bursts, a tenth of a core after

  // Twenty reads of 100 ms each, back to back: the burst covers them all.
  auto now = start;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(share.waitBefore(now) == 0us);
    now += 100ms;
    share.spent(100ms, now);
  }
  // The burst is spent but for what 10% of the 2 s refilled (about 200 ms): a few more reads run,
  // then one waits, at most the second a 100 ms read earns.
  int more = 0;
  while (share.waitBefore(now) == 0us && more < 10) {
    now += 100ms;
    share.spent(100ms, now);
    ++more;
  }
  CHECK(more >= 2);
  CHECK(more <= 3);
  const auto wait = share.waitBefore(now);
  CHECK(wait > 0us);
  CHECK(wait <= 1s);
  now += wait;
  CHECK(share.waitBefore(now) == 0us);

  // Over a long run, a reader that always has work uses a tenth of the time.
  auto busy = 0us;
  const auto from = now;
  for (int i = 0; i < 1000; ++i) {
    now += share.waitBefore(now);
    now += 50ms;
    share.spent(50ms, now);
    busy += 50ms;
  }
  const auto total = std::chrono::duration_cast<std::chrono::microseconds>(now - from);
  CHECK(busy * 100 / total >= 9);
  CHECK(busy * 100 / total <= 12);

  // An hour idle refills the burst, and no more than it.
  now += 1h;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(share.waitBefore(now) == 0us);
    share.spent(100ms, now);
  }
  share.spent(1ms, now);  // past the 2 s burst
  CHECK(share.waitBefore(now) > 0us);
}
