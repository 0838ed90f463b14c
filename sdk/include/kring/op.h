// Ops: every change to a community is one op, applied in order by the engine.
#pragma once

#include <string>
#include <variant>

#include <vector>

#include "kring/policy.h"
#include "kring/types.h"

namespace kring {

// Who sends the op. The server fills it from the verified token.
struct Actor {
  std::string memberId;
  std::string displayName;
  Role role = Role::member;
};

struct CreateThread {
  std::string key;  // chosen by the host: product SKU, URL path
  ThreadKind kind = ThreadKind::discussion;
  std::string title;
  // The host's signed approval (a thread ticket). The server verifies it and then sets hostApproved,
  // clearing both from clients; the core never reads the ticket.
  std::string ticket{};
  bool hostApproved{};
};

// A top-level post (parentId empty) or a reply. The new post's id is the op's id.
struct CreatePost {
  std::string threadKey;
  std::string parentId;
  std::string body;  // Markdown source
};

struct EditPost {
  std::string postId;
  std::string body;
};

struct DeletePost {
  std::string postId;
};

struct CastVote {
  std::string postId;
  VoteDirection direction = VoteDirection::up;  // none retracts
};

struct AcceptAnswer {
  std::string answerId;
};

struct UnacceptAnswer {
  std::string answerId;
};

struct FlagPost {
  std::string postId;
  FlagReason reason = FlagReason::spam;
};

// A moderator's action. Which target field counts depends on the action; reason is required.
struct Moderate {
  ModerationAction action = ModerationAction::approve;
  std::string postId;
  std::string threadKey;
  std::string memberId;
  std::string reason;
  TimeMs until = 0;          // suspend
  Role role = Role::member;  // setRole
  std::uint8_t trustLevel = 0;
  bool asSpam = false;  // reject
  std::string title{};  // editTitle
};

struct UndoModeration {
  std::string moderationId;  // the op id of the action
  std::string reason;
};

struct UpdatePolicy {
  Policy policy;
};

// Reading, batched by the widget: what trust levels 1-3 are earned by.
struct RecordReading {
  std::vector<std::string> threadKeys;  // entered in this batch
  std::uint32_t postsSeen = 0;
  std::uint32_t secondsReading = 0;
  std::vector<std::string> readThreadKeys{};  // entered before; their posts bound postsSeen too
};

// The server's own, on a schedule (a member's is refused): alerts questions that waited past the
// policy's unansweredAlertMinutes by the op's time, once each (docs/notifications.md).
struct CheckAlerts {};

// The server's own (kring-server import, docs/import.md): a post from another system's export, kept
// with its original time and author. The op's id is the post's id. It creates the thread (locked when
// the source closed it) and the imported member when missing; the source decided its state, so it
// is never screened, scored, trained on, or told to anyone.
struct ImportPost {
  std::string threadKey;
  ThreadKind threadKind = ThreadKind::discussion;
  std::string threadTitle;
  bool threadLocked = false;
  std::string parentId;  // an imported post of the thread; replies nested past the limit go higher
  std::string authorId;  // kImportedIdPrefix and the source's author key (visibility.h)
  std::string authorName;
  std::string body;  // may be empty only for a removed post
  TimeMs createdAt = 0;
  PostState state = PostState::visible;  // visible, pendingReview, spam or removed
};

// The server's own: a member whose verified e-mail made an imported author's id takes that author's
// posts and threads, and the reputation they earned here, once (docs/import.md).
struct ClaimImported {
  std::string importedId;
  std::string memberId;
  std::string displayName;  // the member's, from their token: the claim may be their first op
  Role role = Role::member;
};

// A member follows a thread or stops following it. Posting follows the thread too, unless the member
// chose here before (docs/notifications.md).
struct FollowThread {
  std::string threadKey;
  bool following = true;
};

using OpBody = std::variant<CreateThread, CreatePost, EditPost, DeletePost, CastVote, AcceptAnswer, UnacceptAnswer,
                            FlagPost, Moderate, UndoModeration, UpdatePolicy, RecordReading, CheckAlerts, ImportPost,
                            ClaimImported, FollowThread>;

struct Op {
  std::string id;  // client-generated idempotency key
  Actor actor;
  TimeMs time = 0;
  Sequence sequence = 0;
  OpBody body;
};

}  // namespace kring
