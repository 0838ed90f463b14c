// When a site checkpoints (sync/checkpoint_schedule.h): every N applied ops, whether the stored
// checkpoint is behind, and how much of the op log a checkpoint lets go.
#include <catch2/catch.hpp>

#include "sync/checkpoint_schedule.h"

using namespace kring::server;

TEST_CASE("a checkpoint is due every N applied ops, counting those replayed at the start",
          "[server][checkpoint_schedule]") {
  CheckpointSchedule schedule(3, 10, false);
  schedule.restored(5, false);
  schedule.replayed();
  CHECK_FALSE(schedule.applied());
  CHECK(schedule.applied());  // 1 replayed + 2 applied
  schedule.taken(8);
  CHECK_FALSE(schedule.applied());
  CHECK_FALSE(schedule.applied());
  CHECK(schedule.applied());

  CheckpointSchedule onlyWhenAsked(0, 10, false);
  for (int i = 0; i < 100; ++i) CHECK_FALSE(onlyWhenAsked.applied());
}

TEST_CASE("the stored checkpoint is behind when ops came after it, or it is a whole-site snapshot",
          "[server][checkpoint_schedule]") {
  CheckpointSchedule schedule(0, 10, false);
  schedule.restored(5, false);
  CHECK_FALSE(schedule.behind(5));
  CHECK(schedule.behind(6));
  schedule.taken(6);
  CHECK(schedule.sequence() == 6);
  CHECK_FALSE(schedule.behind(6));

  CheckpointSchedule old(0, 10, false);
  old.restored(0, true);
  CHECK(old.fromWholeSnapshot());
  CHECK(old.behind(0));
  old.taken(0);
  CHECK_FALSE(old.fromWholeSnapshot());
  CHECK_FALSE(old.behind(0));
}

TEST_CASE("a checkpoint lets the op log go but for the retention behind it, or keeps it all",
          "[server][checkpoint_schedule]") {
  CheckpointSchedule schedule(0, 10, false);
  schedule.taken(4);
  CHECK(schedule.compactUpTo() == 0);  // fewer ops than the retention
  schedule.taken(25);
  CHECK(schedule.compactUpTo() == 15);

  CheckpointSchedule keeps(0, 10, true);
  keeps.taken(25);
  CHECK(keeps.compactUpTo() == 0);
}
