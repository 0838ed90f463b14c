// Test helper: builds ops with fresh ids and a clock that moves forward one second per op.
#pragma once

#include <string>
#include <utility>

#include "kring/op.h"

namespace kring::testing {

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

  Op thread(const Actor& actor, std::string key, ThreadKind kind = ThreadKind::discussion, std::string title = "A title") {
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

  // Skips ahead, for tests about time.
  void advance(TimeMs milliseconds) { time_ += milliseconds; }

 private:
  TimeMs time_;
  std::uint64_t counter_ = 0;
};

}  // namespace kring::testing
