// The policy: the documented defaults (docs/policy.md), validation that names the field, and its JSON form.
#include <catch2/catch.hpp>

#include <cstddef>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "kring/codec.h"
#include "kring/policy.h"
#include "kring/policy_json.h"
#include "kring/schema/kring.capnp.h"

using namespace kring;

namespace {

std::string errorOf(std::string_view json) {
  Result<Policy> parsed = parsePolicyJson(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == ReasonCode::invalidPolicy);
  return parsed.error().message;
}

}  // namespace

TEST_CASE("the default policy is the documented numbers (docs/policy.md)", "[policy]") {
  Policy p;
  CHECK(p.reputationUpvoteReceived == 10);
  CHECK(p.reputationAnswerAccepted == 15);
  CHECK(p.reputationAcceptorBonus == 2);
  CHECK(p.reputationDownvoteReceived == 2);
  CHECK(p.reputationDownvoteCast == 1);
  CHECK(p.reputationRemovedAsSpam == 100);
  CHECK(p.reputationDailyVoteCap == 200);
  CHECK(p.reputationFloor == 1);
  CHECK(p.reputationFeaturedPraise == 10);
  CHECK(std::vector<int>{p.privilegeVoteUp, p.privilegeFlag, p.privilegeComment, p.privilegeVoteDown,
                         p.privilegeReviewQueue, p.privilegeNoRateLimit, p.privilegeEditOthers, p.privilegeLockThreads,
                         p.privilegeModeratorTools} == std::vector<int>{15, 15, 50, 125, 500, 1000, 2000, 3000, 10000});
  CHECK(std::vector<int>{p.trust1ThreadsEntered, p.trust1PostsRead, p.trust1MinutesReading} ==
        std::vector<int>{5, 30, 10});
  CHECK(std::vector<int>{p.trust2DaysVisited, p.trust2LikesGiven, p.trust2LikesReceived, p.trust2ThreadsRepliedTo,
                         p.trust2ThreadsEntered, p.trust2PostsRead,
                         p.trust2MinutesReading} == std::vector<int>{15, 1, 1, 3, 20, 100, 60});
  CHECK(std::vector<int>{p.trust3WindowDays, p.trust3DaysVisitedPercent, p.trust3ThreadsRepliedTo,
                         p.trust3ThreadsViewedPercent, p.trust3ThreadsViewedCap, p.trust3PostsReadPercent,
                         p.trust3PostsReadCap, p.trust3LikesReceived, p.trust3LikesGiven, p.trust3MaxFlagsUpheldAgainst,
                         p.trust3SanctionFreeDays,
                         p.trust3MinimumDays} == std::vector<int>{100, 50, 10, 25, 500, 25, 20000, 20, 30, 5, 180, 14});
  CHECK(std::vector<int>{p.newMemberMaxLinks, p.newMemberMaxMentions, p.newMemberMaxImages} ==
        std::vector<int>{2, 2, 1});
  CHECK(p.preModerateBelowTrustLevel == 0);  // post-moderation
  CHECK(std::vector<int>{p.editMaxPerPost, p.editsPerDayNewMember, p.editsPerDay} == std::vector<int>{20, 10, 100});
  CHECK(std::vector<int>{p.readingMaxSecondsPerOp, p.readingMaxSecondsPerDay, p.readingMaxThreadsPerDay} ==
        std::vector<int>{3600, 14'400, 200});
  CHECK(p.flagFullWeightAfterDays == 7);
  CHECK(validatePolicy(p).ok());
}

TEST_CASE("every integer setting is in the table once, and its default is in range", "[policy]") {
  Policy defaults;
  std::set<std::string_view> names;
  std::set<std::size_t> offsets;  // where each setting lives in Policy
  for (const PolicySetting& setting : policySettings()) {
    INFO(setting.name);
    CHECK(names.insert(setting.name).second);
    const std::int32_t* at = &(defaults.*(setting.field));
    CHECK(offsets
              .insert(static_cast<std::size_t>(reinterpret_cast<const char*>(at) -
                                               reinterpret_cast<const char*>(&defaults)))
              .second);
    CHECK(defaults.*(setting.field) >= setting.minimum);
    CHECK(defaults.*(setting.field) <= setting.maximum);
    CHECK_FALSE(setting.description.empty());
  }
  // Policy is its integers, then the word list: the table must know every integer.
  constexpr std::size_t align = alignof(std::vector<WatchedWord>);
  CHECK(offsetof(Policy, watchedWords) == (sizeof(std::int32_t) * names.size() + align - 1) / align * align);
}

TEST_CASE("docs/policy.md's table is the settings table: each setting once, with its default, range and screening mark",
          "[policy]") {
  std::ifstream doc(KRING_DOCS_DIR "/policy.md");
  REQUIRE(doc);
  // | `name` [‡] | default | minimum–maximum | meaning |, ‡ marking the screening settings.
  const std::regex row(R"(^\| `([A-Za-z0-9]+)`( ‡)? \| (-?[0-9]+) \| (-?[0-9]+)–(-?[0-9]+) \|)");
  std::map<std::string, std::string> documented;
  std::vector<std::string> differences;
  for (std::string line; std::getline(doc, line);) {
    std::smatch match;
    if (!std::regex_search(line, match, row)) continue;
    const std::string facts =
        match[3].str() + " in " + match[4].str() + "-" + match[5].str() + (match[2].matched ? ", screening" : "");
    if (!documented.emplace(match[1], facts).second) {
      differences.push_back(match[1].str() + ": documented twice");
    }
  }
  REQUIRE(documented.size() >= 50);  // the table was found and read
  const Policy defaults;
  std::set<std::string> inTable;
  for (const PolicySetting& setting : policySettings()) {
    const std::string name(setting.name);
    inTable.insert(name);
    const std::string actual = std::to_string(defaults.*(setting.field)) + " in " + std::to_string(setting.minimum) +
                               "-" + std::to_string(setting.maximum) + (setting.screening ? ", screening" : "");
    auto found = documented.find(name);
    if (found == documented.end()) {
      differences.push_back(name + ": not documented (" + actual + ")");
    } else if (found->second != actual) {
      differences.push_back(name + ": documented " + found->second + ", the table says " + actual);
    }
  }
  for (const auto& [name, value] : documented) {
    if (!inTable.count(name)) differences.push_back(name + ": documented, but no such setting");
  }
  for (const std::string& difference : differences) UNSCOPED_INFO(difference);
  CHECK(differences.empty());
}

TEST_CASE("policy JSON: missing settings keep their defaults - the text round-trips", "[policy]") {
  Result<Policy> parsed = parsePolicyJson(
      R"({"settings":{"privilegeVoteUp":3,"flagHideScore":9},"watchedWords":[{"locale":"nl","word":"kut","action":"flag"},{"word":"viagra","action":"block"}]})");
  REQUIRE(parsed.ok());
  CHECK(parsed.value().privilegeVoteUp == 3);
  CHECK(parsed.value().flagHideScore == 9);
  CHECK(parsed.value().privilegeVoteDown == 125);
  REQUIRE(parsed.value().watchedWords.size() == 2);
  CHECK(parsed.value().watchedWords[1].locale == "*");
  Result<Policy> again = parsePolicyJson(policyToJson(parsed.value()));
  REQUIRE(again.ok());
  CHECK(again.value() == parsed.value());
  CHECK(parsePolicyJson("{}").value() == Policy{});
}

TEST_CASE("policy JSON: each kind of mistake is refused whole, naming the field", "[policy]") {
  using Catch::Matchers::StartsWith;
  CHECK_THAT(errorOf(R"({"settings":{"privilegeVoteUp":"15"}})"),
             StartsWith("settings.privilegeVoteUp: must be an integer"));
  CHECK_THAT(errorOf(R"({"settings":{"privilegeVoteUp":1.5}})"),
             StartsWith("settings.privilegeVoteUp: must be an integer"));
  CHECK_THAT(errorOf(R"({"settings":{"privilegeVoteUp":-1}})"),
             StartsWith("settings.privilegeVoteUp: must be between 0 and 100000 (got -1)"));
  CHECK_THAT(errorOf(R"({"settings":{"privilegeVoteUp":99999999999}})"),
             StartsWith("settings.privilegeVoteUp: must be between"));
  CHECK_THAT(errorOf(R"({"settings":{"noSuchThing":1}})"), StartsWith("settings.noSuchThing: unknown setting"));
  CHECK_THAT(errorOf(R"({"settings":{"reputationFloor":5}})"),
             StartsWith("settings.reputationFloor: must not be above reputationInitial"));
  CHECK_THAT(errorOf(R"({"rules":{}})"), StartsWith("rules: unknown field"));
  CHECK_THAT(errorOf(R"({"watchedWords":[{"word":"x","action":"shout"}]})"), StartsWith("watchedWords[0].action:"));
  CHECK_THAT(errorOf(R"({"watchedWords":[{"word":"  ","action":"block"}]})"),
             StartsWith("watchedWords[0].word: must not be empty"));
  CHECK_THAT(errorOf(R"({"watchedWords":[{"locale":"EN!","word":"x"}]})"), StartsWith("watchedWords[0].locale:"));
  CHECK_THAT(errorOf(R"({"watchedWords":[{"action":"block"}]})"), StartsWith("watchedWords[0].word: missing"));
  CHECK_THAT(errorOf(R"({"settings":{"privilegeVoteUp":3},)"), StartsWith("policy: not valid JSON"));
  CHECK_THAT(errorOf("[]"), StartsWith("policy: must be an object"));
}

TEST_CASE("rate limits and flag weights by trust level", "[policy]") {
  Policy p;
  CHECK(std::vector<int>{postsPerWindow(p, 0), postsPerWindow(p, 1), postsPerWindow(p, 2), postsPerWindow(p, 3),
                         postsPerWindow(p, 4)} == std::vector<int>{5, 15, 30, 60, 60});
  CHECK(flagWeight(p, 0, false) == 0);
  CHECK(flagWeight(p, 1, false) == 1);
  CHECK(flagWeight(p, 4, false) == 4);
  CHECK(flagWeight(p, 0, true) == 5);
}

TEST_CASE("a watched-word list alone parses from either form", "[policy]") {
  auto list = parseWatchedWordsJson(R"([{"locale":"en","word":"scam","action":"flag"}])");
  REQUIRE(list.ok());
  CHECK(list.value().size() == 1);
  auto wrapped =
      parseWatchedWordsJson(R"({"watchedWords":[{"locale":"nl","word":"oplichting","action":"require_approval"}]})");
  REQUIRE(wrapped.ok());
  CHECK(wrapped.value()[0].action == WatchAction::requireApproval);
  CHECK_FALSE(parseWatchedWordsJson(R"({"other":[]})").ok());
}

TEST_CASE(
    "a stored policy from before a setting existed keeps meaning what it meant - JSON without it takes the default",
    "[policy]") {
  // An UpdatePolicy op as a version without threadCreateMinTrustLevel and reputationPairMax stored it.
  capnp::MallocMessageBuilder message;
  auto op = message.initRoot<wire::Op>();
  op.setId("policy-1");
  op.setSequence(1);
  auto settings = op.initUpdatePolicy().initSettings(1);
  settings[0].setName("ratePostsTrust0");
  settings[0].setValue(7);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  Result<Op> decoded = decodeOp(ByteView(bytes.begin(), bytes.size()));
  REQUIRE(decoded);
  const Policy& stored = std::get<UpdatePolicy>(decoded.value().body).policy;
  CHECK(stored.ratePostsTrust0 == 7);
  CHECK(stored.threadCreateMinTrustLevel == 0);  // anyone created threads then
  CHECK(stored.reputationPairMax == 100'000);    // and pairs were not capped
  CHECK(stored.spamHamPostsPerDay == 0);         // and only moderators taught the spam filter
  Result<Policy> fromJson = parsePolicyJson(R"({"settings":{"ratePostsTrust0":7}})");
  REQUIRE(fromJson);
  CHECK(fromJson.value().threadCreateMinTrustLevel == Policy{}.threadCreateMinTrustLevel);
  CHECK(fromJson.value().reputationPairMax == 50);
  CHECK(fromJson.value().spamHamPostsPerDay == Policy{}.spamHamPostsPerDay);
  // A policy written now carries every setting: it reads back equal.
  Result<Op> again = decodeOp(encodeOp(decoded.value()));
  REQUIRE(again);
  CHECK(std::get<UpdatePolicy>(again.value().body).policy == stored);
}
