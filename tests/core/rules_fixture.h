// A community under the default policy (docs/community-rules.md), with readers for the rules' state.
#pragma once

#include <algorithm>

#include "engine_fixture.h"
#include "kring/site_records.h"

namespace kring::testing {

// The default policy with these watched words.
inline Policy withWords(std::vector<WatchedWord> words) {
  Policy policy;
  policy.watchedWords = std::move(words);
  return policy;
}

struct RulesSite : Community {
  // The clock starts at 08:13 UTC, so a morning's activity stays on one UTC day.
  explicit RulesSite(Policy policy = Policy{}) : Community(std::move(policy)) { ops.advance(10 * kHour); }
  static constexpr TimeMs kMinute = 60'000;
  static constexpr TimeMs kHour = 3'600'000;
  static constexpr TimeMs kDay = 24 * kHour;

  MemberRecord member(const std::string& id) const {
    SiteRecords records = exportRecords(engine);
    auto it =
        std::find_if(records.members.begin(), records.members.end(), [&](const MemberRecord& m) { return m.id == id; });
    REQUIRE(it != records.members.end());
    return *it;
  }
  PostRecord postRecord(const std::string& id) const {
    SiteRecords records = exportRecords(engine);
    auto it = std::find_if(records.posts.begin(), records.posts.end(), [&](const PostRecord& p) { return p.id == id; });
    REQUIRE(it != records.posts.end());
    return *it;
  }
  std::vector<AuditRecord> audit() const { return exportRecords(engine).audit; }
  std::int32_t reputation(const Actor& who) const { return member(who.memberId).reputation; }
  std::uint8_t trustLevel(const Actor& who) const { return member(who.memberId).trustLevel; }
  PostState stateOf(const std::string& postId) const { return postRecord(postId).state; }

  // Applies an op that must be held for review with `code`; returns the outcome.
  Outcome requireHeld(const Op& op, ReasonCode code, Where where = Where::current()) {
    INFO("op " << op.id << " applied at " << describeWhere(where));
    Outcome outcome = engine.apply(op);
    INFO("outcome: " << reasonName(outcome.code) << " - " << outcome.message);
    REQUIRE(outcome.status == OutcomeStatus::held);
    CHECK(outcome.code == code);
    CHECK_FALSE(outcome.message.empty());
    return outcome;
  }

  // A reading op: accepted, usually without events (unless it is the member's first op or
  // promotes them).
  Outcome requireRead(const Op& op, Where where = Where::current()) {
    INFO("op " << op.id << " applied at " << describeWhere(where));
    Outcome outcome = engine.apply(op);
    INFO("outcome: " << reasonName(outcome.code) << " - " << outcome.message);
    REQUIRE(outcome.status == OutcomeStatus::accepted);
    return outcome;
  }

  // Gives a member reputation the way a community does: staff upvote their posts (10 each).
  void earn(const Actor& who, int upvotes, const std::string& threadKey) {
    for (int i = 0; i < upvotes; ++i) {
      ops.advance(2 * kMinute);  // within a new member's rate limit of 5 posts in 10 minutes
      std::string id = post(who, threadKey, "Useful post number " + std::to_string(i) + " by " + who.memberId);
      Actor voter = OpFactory::member("voter-" + std::to_string(i), Role::staff);
      vote(voter, id, VoteDirection::up);
    }
  }

  // Five threads of 8 staff posts each, for members to read (reading counts once per thread a day);
  // returns the first.
  std::vector<std::string> libraryKeys;
  std::string library() {
    for (int shelf = 0; shelf < 5; ++shelf) {
      libraryKeys.push_back(thread(staff, "/library-" + std::to_string(shelf)));
      for (int i = 0; i < 8; ++i)
        post(staff, libraryKeys.back(), "Guide " + std::to_string(shelf) + "." + std::to_string(i));
    }
    return libraryKeys.front();
  }

  // Enters the library's 5 threads and reads their 40 posts for 10 minutes: TL1 under the defaults.
  void readToTrust1(const Actor& who) {
    REQUIRE(libraryKeys.size() == 5);
    for (const std::string& key : libraryKeys) engine.apply(ops.reading(who, {key}, 8, 120));
  }
};

}  // namespace kring::testing
