// When a site's read view is copied again (sync/read_view_cache.h): only after the site changed, at
// once when copies are cheap or forced, else no sooner than 20 times a copy's cost after it.
#include <catch2/catch.hpp>

#include "sync/read_view_cache.h"

using namespace kring::server;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const SiteReadView> viewAt(kring::Sequence sequence) {
  kring::Engine engine("site");
  engine.skipTo(sequence);
  return std::make_shared<const SiteReadView>(std::move(engine));
}

}  // namespace

TEST_CASE("a read view is copied when there is none or the site changed", "[server][read_view_cache]") {
  ReadViewCache cache;
  const ReadViewCache::Clock::time_point start{};
  CHECK(cache.due(0, start));
  cache.made(viewAt(3), start, 1ms);
  CHECK_FALSE(cache.due(3, start + 1h));  // the site did not change
  CHECK(cache.due(4, start + 1ms));       // a cheap copy is made again at once
  cache.release();
  CHECK(cache.view() == nullptr);
  CHECK(cache.due(3, start + 1ms));
}

TEST_CASE("after a costly copy the next waits 20 times its cost, unless forced", "[server][read_view_cache]") {
  ReadViewCache cache;
  const ReadViewCache::Clock::time_point start{};
  cache.made(viewAt(3), start, 10ms);
  CHECK_FALSE(cache.due(4, start + 199ms));
  CHECK(cache.due(4, start + 200ms));
  cache.force();  // a moderator's own action
  CHECK(cache.due(4, start + 1ms));
  CHECK_FALSE(cache.due(3, start + 1ms));  // forced, but nothing changed
  cache.made(viewAt(4), start + 1ms, 10ms);
  CHECK_FALSE(cache.due(5, start + 2ms));  // a copy clears the force
}
