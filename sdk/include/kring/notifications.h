// Who is told of a committed op, and why (docs/notifications.md). A rule of the core, so every server
// derives the same intents from the same op, natively and in WebAssembly. An intent names members, a
// thread and a post, never text: delivery renders what the recipient may read when it sends.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kring/engine.h"
#include "kring/enums.h"
#include "kring/metrics.h"
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
//    and admins (`postQueued`): only they may read it;
//  - a CheckAlerts op that called for the day's digest tells staff, moderators and admins
//    (`dailyDigest`; the intent names no thread and no post).
// Nobody is told of their own act, a banned member nothing; a held, hidden or erased post tells no
// one else. One intent per recipient and post (the most specific kind), sorted by recipient, then post.
std::vector<NotificationIntent> notificationIntents(const Engine& engine, const Op& op, const Outcome& outcome);

// Whether a CheckAlerts op at `now` would find something due (a question's wait over, the day's
// digest, a post that stood long enough to train the spam filter): the server submits one only then,
// so an idle site's log does not grow. With `anyoneTold` false (a site that mails nobody and calls no
// webhook) only the training counts: an alert or a digest would tell nobody.
bool alertsDue(const Engine& engine, TimeMs now, bool anyoneTold = true);

// The staff's daily digest (kind dailyDigest): the community's last 24 hours up to `until` (the
// CheckAlerts op's time), read when the mail goes.
struct StaffDigest {
  std::string recipientName;
  std::uint32_t posts = 0;              // created in the 24 hours, readable by everyone now
  std::uint32_t questions = 0;          // of them, questions (top-level posts of question threads)
  std::uint32_t waitingCount = 0;       // questions that wait for an answer now, in all
  std::vector<WaitingStarter> waiting;  // the oldest of them, at most 10
  std::uint32_t queued = 0;             // posts in the review queue now
};
// nullopt when the recipient is unknown, banned or no longer speaks for the site. Reads every thread
// and post: the server calls it once a day per recipient, for one recipient at a time.
std::optional<StaffDigest> staffDigest(const Engine& engine, const std::string& recipientId, TimeMs until);

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
