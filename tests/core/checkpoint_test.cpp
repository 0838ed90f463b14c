// Checkpoints: a site stored in parts, rewritten where it changed, restores to exactly the site a
// whole-site snapshot of the same moment restores.
#include <algorithm>
#include <map>

#include "engine_fixture.h"
#include "kring/checkpoint.h"
#include "kring/codec.h"
#include "kring/site_records.h"
#include "kring/snapshot.h"
#include "op_generator.h"

using namespace kring;
using namespace kring::testing;

namespace {

// What a store keeps: the latest site part and spam model, and each part by kind and index.
struct PartStore {
  Bytes site;
  Bytes spamModel;
  std::map<std::pair<PartKind, std::uint32_t>, Bytes> parts;
  std::size_t partsWritten = 0;

  void write(const EncodedCheckpoint& checkpoint) {
    site = checkpoint.site;
    if (checkpoint.spamModel) spamModel = *checkpoint.spamModel;
    for (const CheckpointPart& part : checkpoint.parts) parts[{part.kind, part.index}] = part.bytes;
    partsWritten += checkpoint.parts.size();
  }
  void checkpoint(Engine& engine) { write(encodeCheckpoint(takeChangedRecords(engine))); }

  Result<Engine> load() const {
    auto loader = CheckpointLoader::begin(site);
    if (!loader) return loader.error();
    if (Status spam = loader.value().setSpamModel(spamModel); !spam) return spam.error();
    for (const auto& [key, bytes] : parts) {
      if (Status added = loader.value().add(key.first, key.second, bytes); !added) return added.error();
    }
    return loader.value().finish();
  }
};

Engine loaded(const PartStore& store) {
  Result<Engine> engine = store.load();
  if (!engine) FAIL("the checkpoint was refused: " << engine.error().message);
  return std::move(engine.value());
}

std::vector<Op> generated(std::uint32_t count, std::uint64_t seed) {
  GeneratorOptions options;
  options.ops = count;
  options.seed = seed;
  options.scheduledChecks = true;  // the last check's time goes with the site part
  return generateOps(options);
}

}  // namespace

TEST_CASE("a site restored from its checkpoint parts equals the site a snapshot of the same moment restores",
          "[checkpoint]") {
  const std::size_t every = GENERATE(1, 37, 400);
  const std::uint64_t seed = GENERATE(7, 2024);
  INFO("a checkpoint every " << every << " ops, seed " << seed);
  const std::vector<Op> ops = generated(2500, seed);
  Engine site("generated");
  PartStore store;
  std::size_t compared = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    site.apply(ops[i]);
    if ((i + 1) % every != 0 && i + 1 != ops.size()) continue;
    store.checkpoint(site);
    // Loading is the costly half: compare at a spread of moments, and always at the end.
    if ((i / every) % std::max<std::size_t>(1, 200 / every) != 0 && i + 1 != ops.size()) continue;
    Engine back = loaded(store);
    if (encodeSiteSnapshot(back) != encodeSiteSnapshot(site)) FAIL("after op " << i << " the restored site differs");
    ++compared;
  }
  CHECK(compared >= 5);
  // The restored site continues exactly as the original would.
  Engine back = loaded(store);
  const std::vector<Op> more = generated(600, seed + 1);
  PartStore continued = store;
  for (const Op& op : more) {
    Op next = op;
    next.id = "more-" + op.id;
    next.sequence = site.lastSequence() + 1;
    CHECK(encodeOutcome(site.apply(next)) == encodeOutcome(back.apply(next)));
  }
  continued.checkpoint(back);
  CHECK(encodeSiteSnapshot(loaded(continued)) == encodeSiteSnapshot(site));
}

TEST_CASE("a checkpoint writes the parts an op changed - not the site", "[checkpoint]") {
  Community community;
  const std::string d = community.thread(community.alice, "d");
  for (const Actor& author : {community.alice, community.bob, community.carol}) community.post(author, d);
  Engine& engine = community.engine;
  PartStore store;
  store.checkpoint(engine);  // everything so far
  const std::size_t whole = store.partsWritten;
  REQUIRE(whole == 7);  // three members, a thread, three posts

  auto partsFor = [&](const Op& op) {
    requireAccepted(engine, op);
    ChangedRecords changed = takeChangedRecords(engine);
    store.write(encodeCheckpoint(changed));
    return changed;
  };
  ChangedRecords post = partsFor(community.ops.post(community.bob, d, "One more"));
  CHECK(post.posts.size() == 1);
  CHECK(post.threads.size() == 1);
  CHECK(post.members.size() == 1);
  CHECK(post.audit.empty());
  CHECK_FALSE(post.spamModel);
  const std::string newPost = post.posts.front().second.id;
  ChangedRecords vote = partsFor(community.ops.vote(community.carol, newPost, VoteDirection::up));
  CHECK(vote.posts.size() == 1);
  CHECK(vote.members.size() <= 2);  // the voter, and the author whose reputation moved
  // A common text, posted again: the posts it is compared with are read, not changed.
  for (const Actor& author : {community.alice, community.bob, community.carol}) community.post(author, d, "Thanks!");
  store.checkpoint(engine);
  ChangedRecords again = partsFor(community.ops.post(community.dave, d, "Thanks!"));
  CHECK(again.posts.size() == 1);
  ChangedRecords nothing = takeChangedRecords(engine);
  CHECK(nothing.parts() == 0);
  CHECK(nothing.lastSequence == engine.lastSequence());
  CHECK(encodeSiteSnapshot(loaded(store)) == encodeSiteSnapshot(engine));
}

TEST_CASE("a site restored from a whole-site snapshot checkpoints whole the first time", "[checkpoint]") {
  const std::vector<Op> ops = generated(800, 11);
  Engine site("generated");
  for (const Op& op : ops) site.apply(op);
  Result<Engine> restored = restoreSiteSnapshot(encodeSiteSnapshot(site));
  REQUIRE(restored);
  PartStore store;
  store.checkpoint(restored.value());
  CHECK(encodeSiteSnapshot(loaded(store)) == encodeSiteSnapshot(site));
  CHECK(takeChangedRecords(restored.value()).parts() == 0);
}

TEST_CASE("a broken checkpoint is refused whole with a reason", "[checkpoint]") {
  Community community;
  const std::string d = community.thread(community.alice, "d");
  for (const Actor& author : {community.alice, community.bob, community.carol}) community.post(author, d);
  PartStore store;
  store.checkpoint(community.engine);
  REQUIRE(store.load());

  SECTION("a missing part") {
    PartStore broken = store;
    broken.parts.erase(broken.parts.find({PartKind::post, 0}));
    Result<Engine> engine = broken.load();
    REQUIRE_FALSE(engine);
    CHECK(engine.error().code == ReasonCode::malformedSnapshot);
  }
  SECTION("a part the site part does not count") {
    PartStore broken = store;
    broken.parts[{PartKind::thread, 999}] = broken.parts.begin()->second;
    CHECK_FALSE(broken.load());
  }
  SECTION("a part of one kind stored as another") {
    PartStore broken = store;
    broken.parts[{PartKind::member, 0}] = broken.parts[{PartKind::post, 0}];
    CHECK_FALSE(broken.load());
  }
  SECTION("garbage bytes") {
    PartStore broken = store;
    broken.parts[{PartKind::post, 0}] = Bytes{1, 2, 3};
    CHECK(broken.load().error().code == ReasonCode::malformedSnapshot);
    broken = store;
    broken.site = Bytes(16, 0xff);
    CHECK_FALSE(broken.load());
  }
  SECTION("no spam model") {
    PartStore broken = store;
    broken.spamModel.clear();
    CHECK_FALSE(broken.load());
  }
  SECTION("parts out of order") {
    auto loader = CheckpointLoader::begin(store.site);
    REQUIRE(loader);
    REQUIRE(loader.value().setSpamModel(store.spamModel));
    REQUIRE(loader.value().add(PartKind::member, 0, store.parts.at({PartKind::member, 0})));
    CHECK_FALSE(loader.value().add(PartKind::member, 2, store.parts.at({PartKind::member, 2})));
    CHECK_FALSE(loader.value().add(PartKind::thread, 0, store.parts.at({PartKind::thread, 0})));
  }
}

TEST_CASE("only members the post rate limit applies to keep a window of post times", "[checkpoint][rules]") {
  Community community;
  const std::string d = community.thread(community.staff, "d");
  for (int i = 0; i < 40; ++i) community.post(community.staff, d, "staff post " + std::to_string(i));
  community.post(community.alice, d, "a member's post");
  SiteRecords records = exportRecords(community.engine);
  auto standingOf = [&](const std::string& id) {
    auto member =
        std::find_if(records.members.begin(), records.members.end(), [&](const MemberRecord& m) { return m.id == id; });
    REQUIRE(member != records.members.end());
    return member->standing;
  };
  // Staff are never rate limited: a window would only grow with every post and be rewritten with them.
  CHECK(standingOf("staff").recentPostTimes.empty());
  CHECK(standingOf("alice").recentPostTimes.size() == 1);
}

TEST_CASE("a member's day buckets stay within the trust level 3 window - the longest anything reads them over",
          "[checkpoint][rules]") {
  Community community;
  const std::string d = community.thread(community.staff, "d");
  const std::int32_t window = community.engine.policy().trust3WindowDays;
  REQUIRE(window < 400);
  for (int day = 0; day < window + 30; ++day) {
    community.post(community.alice, d, "Day " + std::to_string(day) + " of posting.");
    community.ops.advance(24 * 3'600'000);
  }
  SiteRecords records = exportRecords(community.engine);
  auto alice = std::find_if(records.members.begin(), records.members.end(),
                            [](const MemberRecord& m) { return m.id == "alice"; });
  REQUIRE(alice != records.members.end());
  CHECK(alice->standing.days.size() == static_cast<std::size_t>(window));
  CHECK(alice->postCount == static_cast<std::uint32_t>(window + 30));
}

TEST_CASE("a checkpoint encoded post by post (an import's) is the same bytes as one from its records", "[checkpoint]") {
  testing::GeneratorOptions options;
  options.seed = 77;
  options.ops = 3000;
  options.scheduledChecks = true;
  Engine engine("import-site");
  for (const Op& op : testing::generateOps(options)) engine.apply(op);
  Engine copy = engine.copy();
  const EncodedCheckpoint fromRecords = encodeCheckpoint(takeChangedRecords(engine));
  const EncodedCheckpoint streamed = takeEncodedCheckpoint(copy);
  REQUIRE(fromRecords.parts.size() > 500);
  CHECK(streamed.site == fromRecords.site);
  CHECK(streamed.spamModel == fromRecords.spamModel);
  REQUIRE(streamed.parts.size() == fromRecords.parts.size());
  for (std::size_t i = 0; i < streamed.parts.size(); ++i) {
    INFO("part " << i);
    CHECK(streamed.parts[i].kind == fromRecords.parts[i].kind);
    CHECK(streamed.parts[i].index == fromRecords.parts[i].index);
    CHECK(streamed.parts[i].bytes == fromRecords.parts[i].bytes);
  }
  // Taken: nothing is left changed in either.
  CHECK(takeChangedRecords(copy).parts() == 0);
}

TEST_CASE("a store written before follows restores with authors following, and rewrites every thread", "[checkpoint]") {
  Community c;
  const std::string key = c.thread(c.alice, "/d/trail");
  c.post(c.bob, key);
  c.requireAccepted(c.ops.make(c.carol, FollowThread{key, true}));
  c.thread(c.dave, "/d/other");
  // The store as the previous release wrote it: threads without follows, the site part saying so.
  ChangedRecords old = takeChangedRecords(c.engine);
  for (auto& [index, thread] : old.threads) thread.follows.clear();
  old.followsRecorded = false;
  PartStore store;
  store.write(encodeCheckpoint(old));
  Engine back = loaded(store);
  CHECK(back.follows(key, "alice"));
  CHECK(back.follows(key, "bob"));
  CHECK_FALSE(back.follows(key, "carol"));  // a choice that store never held
  CHECK(back.follows("/d/other", "dave"));
  // The next checkpoint records the follows of every thread, and the store then restores them.
  ChangedRecords next = takeChangedRecords(back);
  CHECK(next.threads.size() == 2);
  store.write(encodeCheckpoint(next));
  Engine again = loaded(store);
  CHECK(again.follows(key, "bob"));
  CHECK(encodeSiteSnapshot(again) == encodeSiteSnapshot(back));
}
