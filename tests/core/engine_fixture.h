// Shared test helpers: a small community with named members, and checks that every accepted or
// rejected op must pass (a rejection has the exact reason, a message, no events, and no effect).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <iterator>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/policy.h"
#include "kring/snapshot.h"
#include "op_factory.h"

// Readable names in Catch's failure messages.
namespace Catch {
template <>
struct StringMaker<kring::ReasonCode> {
  static std::string convert(kring::ReasonCode code) { return std::string(kring::reasonName(code)); }
};
template <>
struct StringMaker<kring::OutcomeStatus> {
  static std::string convert(kring::OutcomeStatus status) {
    switch (status) {
      case kring::OutcomeStatus::accepted: return "accepted";
      case kring::OutcomeStatus::held: return "held";
      case kring::OutcomeStatus::rejected: return "rejected";
    }
    return "status " + std::to_string(static_cast<int>(status));
  }
};
template <>
struct StringMaker<kring::VoteDirection> {
  static std::string convert(kring::VoteDirection direction) {
    switch (direction) {
      case kring::VoteDirection::none: return "none";
      case kring::VoteDirection::up: return "up";
      case kring::VoteDirection::down: return "down";
    }
    return "direction " + std::to_string(static_cast<int>(direction));
  }
};
template <>
struct StringMaker<kring::PostState> {
  static std::string convert(kring::PostState state) { return "post state " + std::to_string(static_cast<int>(state)); }
};
}  // namespace Catch

namespace kring::testing {

using Where = std::source_location;

inline std::string describeWhere(const Where& where) {
  std::string_view file = where.file_name();
  if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return std::string(file) + ":" + std::to_string(where.line());
}

// Event names in the order of EventBody's alternatives.
inline std::string eventName(const Event& event) {
  static constexpr const char* kNames[] = {
      "MemberJoined",       "MemberChanged",  "ThreadCreated",      "PostCreated",  "PostEdited",    "PostDeleted",
      "VoteChanged",        "AnswerAccepted", "AnswerUnaccepted",   "PostChanged",  "ThreadChanged", "PolicyChanged",
      "ModerationRecorded", "PostFlagged",    "QuestionUnanswered", "FollowChanged"};
  static_assert(std::size(kNames) == std::variant_size_v<EventBody>);
  return kNames[event.body.index()];
}

inline std::vector<std::string> eventNames(const Outcome& outcome) {
  std::vector<std::string> names;
  for (const Event& event : outcome.events) names.push_back(eventName(event));
  return names;
}

// A copy of the i-th event, which must be of type T.
template <typename T>
T eventAt(const Outcome& outcome, std::size_t i) {
  REQUIRE(i < outcome.events.size());
  const T* body = std::get_if<T>(&outcome.events[i].body);
  INFO("event " << i << " is " << eventName(outcome.events[i]));
  REQUIRE(body != nullptr);
  return *body;
}

// Applies an op that must be accepted.
inline Outcome requireAccepted(Engine& engine, const Op& op, Where where = Where::current()) {
  INFO("op " << op.id << " applied at " << describeWhere(where));
  Outcome outcome = engine.apply(op);
  INFO("outcome: " << reasonName(outcome.code) << " - " << outcome.message);
  REQUIRE(outcome.status == OutcomeStatus::accepted);
  REQUIRE(outcome.code == ReasonCode::none);
  REQUIRE(outcome.opId == op.id);
  REQUIRE_FALSE(outcome.events.empty());
  for (const Event& event : outcome.events) {
    CHECK(event.opId == op.id);
    CHECK(event.sequence == op.sequence);
    CHECK(event.time == op.time);
  }
  return outcome;
}

// Applies an op that must be rejected with `code`, leaving the engine's state exactly as it was.
inline Outcome requireRejected(Engine& engine, const Op& op, ReasonCode code, Where where = Where::current()) {
  INFO("op " << op.id << " applied at " << describeWhere(where));
  const Bytes before = encodeSiteSnapshot(engine);
  Outcome outcome = engine.apply(op);
  INFO("outcome message: " << outcome.message);
  CHECK(outcome.code == code);
  CHECK(outcome.status == OutcomeStatus::rejected);
  CHECK_FALSE(outcome.accepted());
  CHECK_FALSE(outcome.message.empty());
  CHECK(outcome.events.empty());
  CHECK(outcome.opId == op.id);
  const bool stateUnchanged = encodeSiteSnapshot(engine) == before;
  CHECK(stateUnchanged);
  return outcome;
}

// The structural rules (threads, posts, votes, answers) on their own: every reputation amount,
// gate and limit of the community rules switched off, so those tests see only what they test.
// The rules themselves are tested with the default policy (rules_*_test.cpp).
inline Policy structuralPolicy() {
  Policy policy;
  for (const PolicySetting& setting : policySettings()) {
    std::string_view name = setting.name;
    if (name.starts_with("reputation") && name != "reputationInitial" && name != "reputationFloor") {
      policy.*(setting.field) = 0;
    }
    if (name == "privilegeVoteUp" || name == "privilegeVoteDown" || name == "privilegeComment" ||
        name == "privilegeFlag") {
      policy.*(setting.field) = 0;
    }
    if (name.starts_with("ratePosts")) policy.*(setting.field) = setting.maximum;
  }
  policy.newMemberUntilTrustLevel = 0;
  policy.threadCreateMinTrustLevel = 0;
  policy.spamHoldScore = 1'000'000;
  policy.duplicateWindowHours = 0;
  policy.spamHamAfterMinutes = 0;  // the scheduled checks of these tests are the alerts' alone
  return policy;
}

// A site with a few members of each role, and shorthands that build, apply and check ops.
struct Community {
  explicit Community(Policy policy = structuralPolicy()) : engine("test-site", std::move(policy)) {}
  Engine engine;
  OpFactory ops;
  const Actor alice = OpFactory::member("alice");
  const Actor bob = OpFactory::member("bob");
  const Actor carol = OpFactory::member("carol");
  const Actor dave = OpFactory::member("dave");
  const Actor moderator = OpFactory::member("mod", Role::moderator);
  const Actor staff = OpFactory::member("staff", Role::staff);
  const Actor admin = OpFactory::member("admin", Role::admin);

  Outcome requireAccepted(const Op& op, Where where = Where::current()) {
    return testing::requireAccepted(engine, op, where);
  }
  Outcome requireRejected(const Op& op, ReasonCode code, Where where = Where::current()) {
    return testing::requireRejected(engine, op, code, where);
  }

  // Creates a thread and returns its key.
  std::string thread(const Actor& by, const std::string& key, ThreadKind kind = ThreadKind::discussion,
                     Where where = Where::current()) {
    requireAccepted(ops.thread(by, key, kind), where);
    return key;
  }
  // Creates a top-level post and returns its id.
  std::string post(const Actor& by, const std::string& threadKey, const std::string& body = "Hello there",
                   Where where = Where::current()) {
    Op op = ops.post(by, threadKey, body);
    requireAccepted(op, where);
    return op.id;
  }
  // Creates a reply and returns its id.
  std::string reply(const Actor& by, const std::string& threadKey, const std::string& parentId,
                    const std::string& body = "A reply", Where where = Where::current()) {
    Op op = ops.post(by, threadKey, body, parentId);
    requireAccepted(op, where);
    return op.id;
  }
  Outcome vote(const Actor& by, const std::string& postId, VoteDirection direction, Where where = Where::current()) {
    return requireAccepted(ops.vote(by, postId, direction), where);
  }

  // The thread's view, which must exist.
  ThreadView view(const std::string& key, SortOrder order = SortOrder::oldest, std::string_view viewer = {}) const {
    std::optional<ThreadView> view = engine.threadView(key, order, viewer);
    REQUIRE(view.has_value());
    return *view;
  }
  Bytes snapshot() const { return encodeSiteSnapshot(engine); }
};

// Post ids in display order.
inline std::vector<std::string> idsOf(const ThreadView& view) {
  std::vector<std::string> ids;
  for (const PostView& post : view.posts) ids.push_back(post.id);
  return ids;
}

// A copy of the post with this id in the view, which must be there.
inline PostView postIn(const ThreadView& view, const std::string& id) {
  for (const PostView& post : view.posts) {
    if (post.id == id) return post;
  }
  FAIL("post " << id << " is not in the view of " << view.key);
  throw std::logic_error("unreachable");
}

}  // namespace kring::testing
