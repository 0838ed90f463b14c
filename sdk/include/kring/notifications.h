// Who is told of a committed op, and why (docs/notifications.md). A rule of the core, so every server
// derives the same intents from the same op, natively and in WebAssembly. An intent names members, a
// thread and a post, never text: delivery renders what the recipient may read when it sends.
#pragma once

#include <optional>
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
//  - an accepted answer tells its author (`answerAccepted`);
//  - a question a CheckAlerts op found unanswered tells the site's staff, moderators and admins
//    (`unansweredQuestion`);
//  - a post that went to the review queue (held when posted, or hidden by flags) tells the moderators
//    and admins (`postQueued`): only they may read it.
// Nobody is told of their own act, a banned member nothing; a held, hidden or erased post tells no
// one else. One intent per recipient and post (the most specific kind), sorted by recipient, then post.
std::vector<NotificationIntent> notificationIntents(const Engine& engine, const Op& op, const Outcome& outcome);

// When the next CheckAlerts op would find a question due (its time plus the policy's wait), or nullopt
// when none waits or alerts are off. The server submits one at or after that time.
std::optional<TimeMs> nextAlertDue(const Engine& engine);

// What a notification shows, read when it is delivered: the post as everyone may read it now (a
// queued post: as its moderator may, while it is still in the queue).
struct NotificationContent {
  std::string recipientName;
  std::string threadTitle;
  ThreadKind threadKind = ThreadKind::discussion;
  std::string authorName;  // the post's author
  std::string body;        // the post's Markdown
  TimeMs postedAt = 0;
  bool accepted = false;  // the post is its question's accepted answer
};

// The intent's content, or nullopt when it must no longer be sent: the post was held, removed or
// erased since (a queued post: it left the queue), a question was answered since, or the recipient was
// banned or no longer holds the role the alert was for. A delivery that comes later than the op reads the
// site as it is then, so nothing taken back is ever mailed.
std::optional<NotificationContent> notificationContent(const Engine& engine, const NotificationIntent& intent);

// [{"recipientId","kind","threadKey","postId","actorId"}, …] (kind: snake_case).
std::string toJson(const std::vector<NotificationIntent>& intents);

}  // namespace kring
