// Community metrics (docs/metrics.md) over a small, hand-counted community.
#include "kring/metrics.h"
#include "rules_fixture.h"

using namespace kring;
using namespace kring::testing;

namespace {

// Two questions on day 1: one answered by the community after 2 hours and accepted, one answered by
// staff after 30 hours. A discussion post that nobody answers. A spam post held and rejected.
struct Reported : RulesSite {
  TimeMs start = 0;
  std::string key = thread(staff, "/sku", ThreadKind::question);
  std::string blog = thread(staff, "/blog");
  std::string first, second, spamId;
  Actor spammer = OpFactory::member("spammer");

  Reported() {
    start = ops.now();
    first = post(alice, key, "How long does the battery last?");
    ops.advance(2 * kHour);
    std::string answer = reply(bob, key, first, "About a day.");
    requireAccepted(ops.accept(alice, answer));
    second = post(carol, key, "Is it waterproof?");
    ops.advance(30 * kHour);
    reply(staff, key, second, "Splash-proof, not waterproof.");
    post(dave, blog, "Nice launch.");
    Outcome held = requireHeld(ops.post(spammer, blog, "cheap https://x.example/1 https://x.example/2 https://x.example/3"),
                               ReasonCode::tooManyLinks);
    spamId = held.opId;
    ops.advance(kHour);
    requireAccepted(ops.rejectAsSpam(moderator, spamId));
    // Alice comes back 8 days later.
    ops.advance(8 * kDay);
    post(alice, key, "Does it fit a small wrist?");
  }

  Metrics metrics(std::optional<ThreadKind> kind = std::nullopt) const {
    return computeMetrics(engine, MetricsWindow{start, ops.now() + 1, kind});
  }
};

}  // namespace

TEST_CASE("questions asked, time to first response, answer and solution rates", "[metrics]") {
  Reported site;
  Metrics questions = site.metrics(ThreadKind::question);
  CHECK(questions.questionsAsked == 3);
  CHECK(questions.responded == 2);
  CHECK(questions.firstResponseMedianMs == 2 * RulesSite::kHour + 1000);
  CHECK(questions.firstResponseP90Ms == 30 * RulesSite::kHour + 1000);
  CHECK(questions.answeredWithin24h.count == 1);
  CHECK(questions.answeredWithin7d.count == 2);
  CHECK(questions.answeredWithin7d.of == 3);
  CHECK(questions.answeredWithin7d.permille() == 666);
  CHECK(questions.solved.count == 1);
  CHECK(questions.solved.of == 3);
}

TEST_CASE("deflection: first responses and accepted answers by community or staff", "[metrics]") {
  Reported site;
  Metrics questions = site.metrics(ThreadKind::question);
  CHECK(questions.firstResponsesByCommunity == 1);
  CHECK(questions.firstResponsesByStaff == 1);
  CHECK(questions.acceptedByCommunity == 1);
  CHECK(questions.acceptedByStaff == 0);
}

TEST_CASE("contributors, champions and new-member retention", "[metrics]") {
  Reported site;
  Metrics all = site.metrics();
  CHECK(all.activeContributors == 5);  // alice, bob, carol, staff, dave (spam does not count)
  REQUIRE_FALSE(all.champions.empty());
  CHECK(all.champions[0].memberId == "bob");  // +15 for the accepted answer
  CHECK(all.champions[0].reputationGained == 15);
  CHECK(all.newMembers == 5);
  CHECK(all.returnedAfterDay1.count == 1);  // alice, 8 days later
  CHECK(all.returnedAfterWeek1.count == 1);
}

TEST_CASE("moderation volume, time to moderate, spam caught before seen, flag accuracy", "[metrics]") {
  Reported site;
  Metrics all = site.metrics();
  CHECK(all.moderationActions == 1);
  REQUIRE(all.actionsByKind.size() == 1);
  CHECK(all.actionsByKind[0] == std::pair<std::string, std::uint64_t>{"reject", 1});
  CHECK(all.moderationMedianMs == RulesSite::kHour + 1000);
  CHECK(all.spamCaughtBeforeSeen.count == 1);
  CHECK(all.spamCaughtBeforeSeen.of == 1);
  CHECK(all.flagAccuracy.of == 0);
}

TEST_CASE("a window outside the activity counts nothing; the JSON names every metric", "[metrics]") {
  Reported site;
  Metrics empty = computeMetrics(site.engine, MetricsWindow{0, 1000, std::nullopt});
  CHECK(empty.questionsAsked == 0);
  CHECK(empty.answeredWithin24h.permille() == 0);
  std::string json = toJson(site.metrics());
  for (const char* key : {"questionsAsked", "timeToFirstResponse", "answeredWithin24h", "answeredWithin7d", "solved",
                          "deflection", "activeContributors", "champions", "newMembers", "returnedAfterDay1",
                          "returnedAfterWeek1", "moderation", "medianTimeToModerateMs", "spamCaughtBeforeSeen",
                          "flagAccuracy"}) {
    INFO(key);
    CHECK(json.find(std::string("\"") + key + "\"") != std::string::npos);
  }
}
