// Test helper: builds ops with fresh ids and a clock that moves forward one second per op.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kring/op.h"
#include "kring/records.h"

namespace kring::testing {

// A member record with the fields a reader sees; the rest at their defaults.
inline MemberRecord memberRecord(std::string id, std::string displayName, Role role, TimeMs joinedAt,
                                 std::uint32_t postCount) {
  MemberRecord record;
  record.id = std::move(id);
  record.displayName = std::move(displayName);
  record.role = role;
  record.joinedAt = joinedAt;
  record.postCount = postCount;
  return record;
}

class OpFactory {
 public:
  explicit OpFactory(TimeMs start = 1'700'000'000'000) : time_(start) {}

  static Actor member(std::string id, Role role = Role::member) {
    std::string name = "Name of " + id;
    return Actor{std::move(id), std::move(name), role};
  }

  Op make(const Actor& actor, OpBody body) {
    Op op;
    op.id = "op-" + std::to_string(++counter_);
    op.actor = actor;
    op.time = time_ += 1000;
    op.sequence = counter_;
    op.body = std::move(body);
    return op;
  }

  Op thread(const Actor& actor, std::string key, ThreadKind kind = ThreadKind::discussion,
            std::string title = "A title") {
    return make(actor, CreateThread{std::move(key), kind, std::move(title)});
  }
  Op post(const Actor& actor, std::string threadKey, std::string body = "Hello there", std::string parentId = {}) {
    return make(actor, CreatePost{std::move(threadKey), std::move(parentId), std::move(body)});
  }
  Op edit(const Actor& actor, std::string postId, std::string body) {
    return make(actor, EditPost{std::move(postId), std::move(body)});
  }
  Op remove(const Actor& actor, std::string postId) { return make(actor, DeletePost{std::move(postId)}); }
  Op vote(const Actor& actor, std::string postId, VoteDirection direction) {
    return make(actor, CastVote{std::move(postId), direction});
  }
  Op accept(const Actor& actor, std::string answerId) { return make(actor, AcceptAnswer{std::move(answerId)}); }
  Op unaccept(const Actor& actor, std::string answerId) { return make(actor, UnacceptAnswer{std::move(answerId)}); }

  Op flag(const Actor& actor, std::string postId, FlagReason reason = FlagReason::spam) {
    return make(actor, FlagPost{std::move(postId), reason});
  }
  Op moderatePost(const Actor& actor, ModerationAction action, std::string postId, std::string reason = "house rules") {
    Moderate body;
    body.action = action;
    body.postId = std::move(postId);
    body.reason = std::move(reason);
    return make(actor, std::move(body));
  }
  Op rejectAsSpam(const Actor& actor, std::string postId) {
    Op op = moderatePost(actor, ModerationAction::reject, std::move(postId), "spam");
    std::get<Moderate>(op.body).asSpam = true;
    return op;
  }
  Op moderateThread(const Actor& actor, ModerationAction action, std::string threadKey,
                    std::string reason = "house rules") {
    Moderate body;
    body.action = action;
    body.threadKey = std::move(threadKey);
    body.reason = std::move(reason);
    return make(actor, std::move(body));
  }
  Op moderateMember(const Actor& actor, ModerationAction action, std::string memberId,
                    std::string reason = "house rules") {
    Moderate body;
    body.action = action;
    body.memberId = std::move(memberId);
    body.reason = std::move(reason);
    return make(actor, std::move(body));
  }
  Op undo(const Actor& actor, std::string moderationId, std::string reason = "second look") {
    return make(actor, UndoModeration{std::move(moderationId), std::move(reason)});
  }
  Op policy(const Actor& actor, Policy policy) { return make(actor, UpdatePolicy{std::move(policy)}); }
  Op reading(const Actor& actor, std::vector<std::string> threadKeys, std::uint32_t postsSeen, std::uint32_t seconds) {
    return make(actor, RecordReading{std::move(threadKeys), postsSeen, seconds});
  }

  TimeMs now() const { return time_; }

  // Skips ahead, for tests about time.
  void advance(TimeMs milliseconds) { time_ += milliseconds; }

 private:
  TimeMs time_;
  std::uint64_t counter_ = 0;
};

}  // namespace kring::testing
