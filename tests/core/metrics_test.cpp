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
    Outcome held =
        requireHeld(ops.post(spammer, blog, "cheap https://x.example/1 https://x.example/2 https://x.example/3"),
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
  REQUIRE(all.champions.size() == 1);         // alice's +2 was for accepting, not for helping
  CHECK(all.champions[0].memberId == "bob");  // +15 for the accepted answer
  CHECK(all.champions[0].reputationGained == 15);
  CHECK(all.champions[0].acceptedAnswers == 1);
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

TEST_CASE("a window outside the activity counts nothing - the JSON names every metric", "[metrics]") {
  Reported site;
  Metrics empty = computeMetrics(site.engine, MetricsWindow{0, 1000, std::nullopt});
  CHECK(empty.questionsAsked == 0);
  CHECK(empty.answeredWithin24h.permille() == 0);
  std::string json = toJson(site.metrics());
  for (const char* key :
       {"questionsAsked", "timeToFirstResponse", "answeredWithin24h", "answeredWithin7d", "solved", "deflection",
        "activeContributors", "champions", "newMembers", "returnedAfterDay1", "returnedAfterWeek1", "moderation",
        "medianTimeToModerateMs", "spamCaughtBeforeSeen", "flagAccuracy"}) {
    INFO(key);
    CHECK(json.find(std::string("\"") + key + "\"") != std::string::npos);
  }
}

TEST_CASE("flag accuracy counts the window's member flags that a moderator upheld", "[metrics]") {
  RulesSite site;
  std::string key = site.thread(site.staff, "/forum");
  site.library();
  Actor erin = OpFactory::member("erin");
  Actor frank = OpFactory::member("frank");
  Actor gina = OpFactory::member("gina");
  for (const Actor& who : {erin, frank, gina}) {
    site.readToTrust1(who);
    site.earn(who, 2, key);
  }
  TimeMs start = site.ops.now();
  std::string spam = site.post(site.alice, key, "cheap watches here");
  std::string fine = site.post(site.bob, key, "I disagree with the review");
  for (const Actor& who : {erin, frank}) site.requireAccepted(site.ops.flag(who, spam, FlagReason::spam));
  for (const Actor& who : {erin, frank, gina}) site.requireAccepted(site.ops.flag(who, fine, FlagReason::offensive));
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::upholdFlags, spam, "spam"));
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::dismissFlags, fine, "fine"));

  Metrics all = computeMetrics(site.engine, MetricsWindow{start, site.ops.now() + 1, std::nullopt});
  CHECK(all.flagAccuracy.count == 2);  // erin's and frank's spam flags
  CHECK(all.flagAccuracy.of == 5);
  CHECK(all.flagAccuracy.permille() == 400);
  CHECK(all.moderationActions == 2);
  // The flags were raised before this window: none of them count.
  Metrics later =
      computeMetrics(site.engine, MetricsWindow{site.ops.now() + 1, site.ops.now() + RulesSite::kDay, std::nullopt});
  CHECK(later.flagAccuracy.of == 0);
}

TEST_CASE("the metrics JSON carries every number counted by hand", "[metrics]") {
  Reported site;
  const std::string hour = std::to_string(RulesSite::kHour);
  // Counted from the story in Reported (each op moves the clock one second):
  // - starters: alice's two questions, carol's, dave's discussion post (the spam is removed as spam) = 4;
  // - responses: bob after 2 h + 1 s, staff after 30 h + 1 s; nearest-rank median = the first, p90 = the second;
  // - within 24 h: 1 of 4; within 7 d: 2 of 4; solved: 1 of the 3 questions;
  // - first responses: bob (community), staff; accepted: bob's answer (community);
  // - contributors and new members: alice, bob, carol, staff, dave; alice came back 8 days later;
  // - answer rate: 2 of the 4 starters got a response;
  // - champions: bob +15 and one accepted answer (alice's +2 for accepting it is not helping);
  // - one reject, an hour and a second after the spam was posted; it was never shown; no member flags;
  // - days: the 15th has alice's and carol's questions, bob's answer, and alice, bob and carol new; the
  //   16th staff's answer, dave's post, the reject, and staff and dave new; the 24th alice's third.
  auto day = [](const char* date, int questions, int answers, int actions, int newMembers) {
    return std::string(R"({"date":")") + date + R"(","questions":)" + std::to_string(questions) + R"(,"answers":)" +
           std::to_string(answers) + R"(,"moderationActions":)" + std::to_string(actions) + R"(,"newMembers":)" +
           std::to_string(newMembers) + "}";
  };
  std::string days = day("2023-11-15", 2, 1, 0, 3) + "," + day("2023-11-16", 1, 1, 1, 2);
  for (int idle = 17; idle <= 23; ++idle) days += "," + day(("2023-11-" + std::to_string(idle)).c_str(), 0, 0, 0, 0);
  days += "," + day("2023-11-24", 1, 0, 0, 0);
  std::string expected =
      R"({"from":)" + std::to_string(site.start) + R"(,"to":)" + std::to_string(site.ops.now() + 1) +
      R"(,"threadKind":"all","questionsAsked":4,)"
      R"("timeToFirstResponse":{"responded":2,"medianMs":)" +
      std::to_string(2 * RulesSite::kHour + 1000) + R"(,"p90Ms":)" + std::to_string(30 * RulesSite::kHour + 1000) +
      "},"
      R"("answerRate":{"count":2,"of":4,"permille":500},)"
      R"("answeredWithin24h":{"count":1,"of":4,"permille":250},)"
      R"("answeredWithin7d":{"count":2,"of":4,"permille":500},)"
      R"("solved":{"count":1,"of":3,"permille":333},)"
      R"("deflection":{"firstResponsesByCommunity":1,"firstResponsesByStaff":1,"acceptedByCommunity":1,"acceptedByStaff":0},)"
      R"("activeContributors":5,"importedPosts":0,)"
      R"("champions":[{"memberId":"bob","displayName":"Name of bob","reputationGained":15,"acceptedAnswers":1,"helpfulFlags":0}],)"
      R"("newMembers":{"count":5,"returnedAfterDay1":{"count":1,"of":5,"permille":200},)"
      R"("returnedAfterWeek1":{"count":1,"of":5,"permille":200}},)"
      R"("moderation":{"actions":1,"byAction":{"reject":1},"medianTimeToModerateMs":)" +
      std::to_string(RulesSite::kHour + 1000) +
      R"(,"spamCaughtBeforeSeen":{"count":1,"of":1,"permille":1000},"flagAccuracy":{"count":0,"of":0,"permille":0}},)"
      R"("days":[)" +
      days + "]}";
  CHECK(toJson(site.metrics()) == expected);
}

TEST_CASE("champions are the community's own - staff left out, per thread kind, with accepted answers and upheld flags",
          "[metrics]") {
  Policy policy;
  policy.privilegeVoteUp = 0;
  policy.privilegeFlag = 0;
  policy.guestPreModerate = 0;
  policy.watchedWords.push_back(WatchedWord{"*", "flagme", WatchAction::flag});
  RulesSite site(policy);
  TimeMs start = site.ops.now();
  site.library();
  site.readToTrust1(site.dave);
  site.ops.advance(8 * RulesSite::kDay);  // dave's flags weigh in full after a week
  std::string qa = site.thread(site.staff, "/sku", ThreadKind::question);
  std::string blog = site.thread(site.staff, "/blog");
  std::string question = site.post(site.alice, qa, "Which charger?");
  std::string staffAnswer = site.reply(site.staff, qa, question, "The 20 W one.");
  std::string bobsAnswer = site.reply(site.bob, qa, question, "Any USB-C charger works.");
  site.vote(site.alice, staffAnswer, VoteDirection::up);  // staff earn, but are not champions
  site.requireAccepted(site.ops.accept(site.alice, bobsAnswer));
  std::string carols = site.post(site.carol, blog, "Great launch event.");
  site.vote(site.alice, carols, VoteDirection::up);
  std::string spam = site.post(OpFactory::member("erin"), blog, "Buy followers today");
  site.requireAccepted(site.ops.flag(site.dave, spam, FlagReason::spam));
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::upholdFlags, spam, "spam"));
  site.post(OpFactory::member("guest:g-1"), blog, "Nice!");  // a guest: not a new member
  // The pipeline's own flag (a watched word) names no member: upheld, it makes no champion.
  std::string flagged = site.post(site.bob, blog, "Please flagme for review");
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::upholdFlags, flagged, "house rules"));

  auto champions = [&](std::optional<ThreadKind> kind) {
    std::vector<std::tuple<std::string, std::int64_t, std::uint64_t, std::uint64_t>> out;
    for (const Champion& c : computeMetrics(site.engine, MetricsWindow{start, site.ops.now() + 1, kind}).champions) {
      out.emplace_back(c.memberId, c.reputationGained, c.acceptedAnswers, c.helpfulFlags);
    }
    return out;
  };
  using Row = std::tuple<std::string, std::int64_t, std::uint64_t, std::uint64_t>;
  CHECK(champions(std::nullopt) == std::vector<Row>{{"bob", 15, 1, 0}, {"carol", 10, 0, 0}, {"dave", 0, 0, 1}});
  CHECK(champions(ThreadKind::question) == std::vector<Row>{{"bob", 15, 1, 0}});
  CHECK(champions(ThreadKind::discussion) == std::vector<Row>{{"carol", 10, 0, 0}, {"dave", 0, 0, 1}});
  Metrics all = computeMetrics(site.engine, MetricsWindow{start, site.ops.now() + 1, std::nullopt});
  CHECK(all.newMembers == 4);  // staff, alice, bob, carol: erin's one post is spam, and the guest is no one to retain
  CHECK(all.activeContributors == 5);  // and the guest, who did contribute
}

TEST_CASE("unanswered starters: visible, with no visible reply by someone else, oldest first", "[metrics]") {
  Policy policy;
  policy.watchedWords.push_back(WatchedWord{"*", "holdme", WatchAction::requireApproval});
  RulesSite site(policy);
  std::string qa = site.thread(site.staff, "/sku", ThreadKind::question);
  std::string blog = site.thread(site.staff, "/blog");
  std::string older = site.post(site.alice, qa, "Which size?");
  site.ops.advance(RulesSite::kHour);
  std::string ownReply = site.post(site.bob, blog, "Launch day!");
  site.reply(site.bob, blog, ownReply, "Adding: doors open at nine.");  // its author's own reply answers nothing
  std::string answered = site.post(site.carol, qa, "Does it float?");
  site.reply(site.dave, qa, answered, "Yes.");
  std::string heldOnly = site.post(site.alice, qa, "Strap colours?");
  site.requireHeld(site.ops.post(site.dave, qa, "Ask holdme", heldOnly), ReasonCode::watchedWordHeld);

  std::vector<std::string> ids;
  for (const WaitingStarter& starter : unansweredStarters(site.engine, std::nullopt)) ids.push_back(starter.postId);
  CHECK(ids == std::vector<std::string>{older, ownReply, heldOnly});
  std::vector<WaitingStarter> questions = unansweredStarters(site.engine, ThreadKind::question);
  REQUIRE(questions.size() == 2);
  CHECK(questions[0].threadKey == "/sku");
  CHECK(questions[0].authorId == "alice");
  std::string json = toJson(questions, questions[0].createdAt + 5000);
  CHECK(json.find(R"("count":2)") != std::string::npos);
  CHECK(json.find(R"("waitingMs":5000)") != std::string::npos);
  site.requireAccepted(site.ops.moderateThread(site.moderator, ModerationAction::lock, qa, "closed for the launch"));
  CHECK(unansweredStarters(site.engine, ThreadKind::question).empty());  // no one can answer a locked thread
}

TEST_CASE("metrics days: every UTC day of the window, idle days included, counted by hand", "[metrics]") {
  RulesSite site;  // the clock starts on 2023-11-15 at 08:13 UTC
  const TimeMs dayStart = dayOf(site.ops.now()) * RulesSite::kDay;
  std::string key = site.thread(site.staff, "/days");
  // 2023-11-15: alice starts, bob responds, alice adds to her own post (not a response).
  std::string first = site.post(site.alice, key, "Which size should I order?");
  site.reply(site.bob, key, first, "One up from your usual.");
  site.reply(site.alice, key, first, "Thanks, I will.");
  // 2023-11-16: nothing. 2023-11-17: carol starts, dave responds, a moderator features carol's post.
  site.ops.advance(2 * RulesSite::kDay);
  std::string third = site.post(site.carol, key, "Does it come in green?");
  site.reply(site.dave, key, third, "It does, since spring.");
  site.requireAccepted(site.ops.moderatePost(site.moderator, ModerationAction::feature, third, "good question"));
  // 2023-11-18: bob starts (no longer new); the window ends at noon.
  site.ops.advance(RulesSite::kDay);
  site.post(site.bob, key, "Shipping to Norway?");
  const MetricsWindow window{dayStart, dayStart + 3 * RulesSite::kDay + 12 * RulesSite::kHour, std::nullopt};

  Metrics metrics = computeMetrics(site.engine, window);
  REQUIRE(metrics.days.size() == 4);
  auto check = [&](std::size_t index, const char* date, std::uint64_t questions, std::uint64_t answers,
                   std::uint64_t moderationActions, std::uint64_t newMembers) {
    INFO(date);
    const MetricsDay& day = metrics.days[index];
    CHECK(utcDate(day.day) == date);
    CHECK(day.questions == questions);
    CHECK(day.answers == answers);
    CHECK(day.moderationActions == moderationActions);
    CHECK(day.newMembers == newMembers);
  };
  check(0, "2023-11-15", 1, 1, 0, 2);
  check(1, "2023-11-16", 0, 0, 0, 0);
  check(2, "2023-11-17", 1, 1, 1, 2);
  check(3, "2023-11-18", 1, 0, 0, 0);
  CHECK(toJson(metrics).find(R"("days":[{"date":"2023-11-15","questions":1,"answers":1,"moderationActions":0,)"
                             R"("newMembers":2},{"date":"2023-11-16","questions":0,)") != std::string::npos);

  // Another kind: the same days, none of its posts; moderator actions count for every kind, as in the totals.
  Metrics questions = computeMetrics(site.engine, MetricsWindow{window.from, window.to, ThreadKind::question});
  REQUIRE(questions.days.size() == 4);
  CHECK(questions.days[0].questions == 0);
  CHECK(questions.days[2].moderationActions == 1);

  // A window of years lists its last 366 days, ending on the window's last day.
  Metrics long_ = computeMetrics(site.engine, MetricsWindow{0, window.to, std::nullopt});
  REQUIRE(long_.days.size() == kMaxMetricsDays);
  CHECK(utcDate(long_.days.back().day) == "2023-11-18");
  CHECK(long_.days.back().questions == 1);
}

TEST_CASE("utcDate names the proleptic Gregorian day with integers only", "[metrics]") {
  CHECK(utcDate(0) == "1970-01-01");
  CHECK(utcDate(-1) == "1969-12-31");
  CHECK(utcDate(11016) == "2000-02-29");
  CHECK(utcDate(11017) == "2000-03-01");
  CHECK(utcDate(19676) == "2023-11-15");
  CHECK(utcDate(-719468) == "0000-03-01");
  CHECK(utcDate(2932896) == "9999-12-31");
}
