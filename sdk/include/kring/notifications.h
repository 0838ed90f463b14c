// Who is told of a committed op, and why (docs/notifications.md). A rule of the core, so every server
// derives the same intents from the same op, natively and in WebAssembly. An intent names members, a
// thread and a post, never text: delivery renders what the recipient may read when it sends.
#pragma once

#include <string>
#include <vector>

#include "kring/engine.h"
#include "kring/enums.h"
#include "kring/op.h"
#include "kring/outcome.h"

namespace kring {

struct NotificationIntent {
  std::string recipientId;
  NotificationKind kind = NotificationKind::reply;
  std::string threadKey;
  std::string postId;
  std::string actorId;  // who caused it: the post's author, the acceptor

  friend bool operator==(const NotificationIntent&, const NotificationIntent&) = default;
};

// For an op the engine has just applied with `outcome` (the engine holds the state after it):
//  - a post that became readable to everyone (created visible, or approved out of the review queue)
//    tells its parent's author (`answer` to a question's asker, else `reply`) and everyone who follows
//    its thread (`followedThread`: its starter and the authors of its posts that were not removed);
//  - an accepted answer tells its author (`answerAccepted`).
// Nobody is told of their own act, a banned member nothing; a held, hidden or erased post tells no
// one. One intent per recipient and post (the most specific kind), sorted by recipient, then post.
std::vector<NotificationIntent> notificationIntents(const Engine& engine, const Op& op, const Outcome& outcome);

// [{"recipientId","kind","threadKey","postId","actorId"}, …] (kind: snake_case).
std::string toJson(const std::vector<NotificationIntent>& intents);

}  // namespace kring
