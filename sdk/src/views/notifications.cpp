// Notification intents (kring/notifications.h): read from an op's events and the state after it.
#include "kring/notifications.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "json/json_writer.h"
#include "kring/names.h"
#include "kring/visibility.h"
#include "state/engine_access.h"

namespace kring {

namespace {

// A queued post is for those who may moderate it; an unanswered question for everyone who speaks for the site.
bool mayBeTold(NotificationKind kind, Role role) {
  if (kind == NotificationKind::postQueued) return canModerate(role);
  if (kind == NotificationKind::unansweredQuestion || kind == NotificationKind::dailyDigest)
    return role != Role::member;
  return true;
}

bool inReviewQueue(PostState state) { return state == PostState::pendingReview || state == PostState::hiddenByFlags; }

class Intents {
 public:
  Intents(const SiteState& state, const Op& op) : state_(state), op_(op) {}

  // A post everyone may now read: its parent's author, then its thread's followers.
  void readable(std::uint32_t post) {
    const PostEntry& entry = state_.posts[post];
    if (!entry.isShown() || entry.erased) return;
    const ThreadEntry& thread = state_.threads[entry.thread];
    const std::string& author = state_.members[entry.author].id;
    if (entry.parent != kNone) {
      const bool answer = thread.kind == ThreadKind::question && entry.depth == 1;
      tell(state_.posts[entry.parent].author, answer ? NotificationKind::answer : NotificationKind::reply, post,
           author);
    }
    for (const FollowEntry& follow : thread.follows) {
      if (follow.following) tell(follow.member, NotificationKind::followedThread, post, author);
    }
  }

  void accepted(std::uint32_t answer) {
    tell(state_.posts[answer].author, NotificationKind::answerAccepted, answer, op_.actor.memberId);
  }

  // Staff alerts go to the few members whose role says so; a scan of the members, once per alert.
  void staff(NotificationKind kind, std::uint32_t post) {
    const std::string& author = state_.members[state_.posts[post].author].id;
    for (std::uint32_t member = 0; member < state_.members.size(); ++member) {
      if (mayBeTold(kind, state_.members[member].role)) tell(member, kind, post, author);
    }
  }

  // The day's digest: one intent per member who speaks for the site, naming no thread or post.
  void digest() {
    for (std::uint32_t member = 0; member < state_.members.size(); ++member) {
      const MemberEntry& recipient = state_.members[member];
      if (!mayBeTold(NotificationKind::dailyDigest, recipient.role) || recipient.state == MemberState::banned ||
          recipient.id.starts_with(kServerIdPrefix)) {
        continue;
      }
      byRecipient_.try_emplace(
          std::make_tuple(recipient.id, std::string()),
          NotificationIntent{recipient.id, NotificationKind::dailyDigest, {}, {}, op_.actor.memberId});
    }
  }

  std::vector<NotificationIntent> take() {
    std::vector<NotificationIntent> out;
    out.reserve(byRecipient_.size());
    for (auto& [key, intent] : byRecipient_) out.push_back(std::move(intent));
    return out;
  }

 private:
  // Nobody hears of their own act; a banned member and the server's own actors (an admin-API thread's
  // starter) hear nothing. The first, most specific, reason stays.
  void tell(std::uint32_t member, NotificationKind kind, std::uint32_t post, const std::string& actor) {
    if (member == kNone) return;
    const MemberEntry& recipient = state_.members[member];
    if (recipient.id == actor || recipient.id == op_.actor.memberId || recipient.state == MemberState::banned ||
        recipient.id.starts_with(kServerIdPrefix)) {
      return;
    }
    const PostEntry& entry = state_.posts[post];
    byRecipient_.try_emplace(std::make_tuple(recipient.id, entry.id),
                             NotificationIntent{recipient.id, kind, state_.threads[entry.thread].key, entry.id, actor});
  }

  const SiteState& state_;
  const Op& op_;
  std::map<std::tuple<std::string, std::string>, NotificationIntent> byRecipient_;
};

bool approves(const Op& op) {
  const auto* moderate = std::get_if<Moderate>(&op.body);
  return moderate != nullptr && moderate->action == ModerationAction::approve;
}

}  // namespace

std::vector<NotificationIntent> notificationIntents(const Engine& engine, const Op& op, const Outcome& outcome) {
  const SiteState& state = EngineAccess::state(engine);
  Intents intents(state, op);
  // Imported history was news elsewhere, long ago: nobody is told of it.
  if (!outcome.stored() || std::holds_alternative<ImportPost>(op.body)) return {};
  // The check that called for the digest is the one whose time the mark holds.
  if (std::holds_alternative<CheckAlerts>(op.body) && state.digestSentAt == op.time) intents.digest();
  for (const Event& event : outcome.events) {
    if (const auto* created = std::get_if<PostCreated>(&event.body)) {
      if (std::uint32_t post = state.findPost(created->post.id); post != kNone) {
        if (created->post.state == PostState::pendingReview) {
          intents.staff(NotificationKind::postQueued, post);
        } else {
          intents.readable(post);
        }
      }
    } else if (const auto* changed = std::get_if<PostChanged>(&event.body); changed && approves(op)) {
      // Out of the review queue: readers see it for the first time.
      if (std::uint32_t post = state.findPost(changed->post.id); post != kNone) intents.readable(post);
    } else if (changed && std::holds_alternative<FlagPost>(op.body) &&
               changed->post.state == PostState::hiddenByFlags) {
      if (std::uint32_t post = state.findPost(changed->post.id); post != kNone)
        intents.staff(NotificationKind::postQueued, post);
    } else if (const auto* unanswered = std::get_if<QuestionUnanswered>(&event.body)) {
      if (std::uint32_t post = state.findPost(unanswered->postId); post != kNone)
        intents.staff(NotificationKind::unansweredQuestion, post);
    } else if (const auto* accepted = std::get_if<AnswerAccepted>(&event.body)) {
      if (std::uint32_t answer = state.findPost(accepted->answerId); answer != kNone) intents.accepted(answer);
    }
  }
  return intents.take();
}

std::optional<NotificationContent> notificationContent(const Engine& engine, const NotificationIntent& intent) {
  const SiteState& state = EngineAccess::state(engine);
  const std::uint32_t post = state.findPost(intent.postId);
  const std::uint32_t recipient = state.findMember(intent.recipientId);
  if (post == kNone || recipient == kNone) return std::nullopt;
  const PostEntry& entry = state.posts[post];
  const MemberEntry& member = state.members[recipient];
  const bool queued = intent.kind == NotificationKind::postQueued;
  if (entry.erased || member.state == MemberState::banned || !mayBeTold(intent.kind, member.role) ||
      (queued ? !inReviewQueue(entry.state) : !entry.isShown()) ||
      (intent.kind == NotificationKind::unansweredQuestion && !state.awaitsAnswer(post))) {
    return std::nullopt;
  }
  const ThreadEntry& thread = state.threads[entry.thread];
  if (thread.key != intent.threadKey) return std::nullopt;
  bool accepted = false;
  if (entry.parent != kNone) accepted = state.posts[entry.parent].acceptedAnswer == post;
  return NotificationContent{member.displayName, thread.title,    thread.kind, state.members[entry.author].displayName,
                             entry.body,         entry.createdAt, accepted};
}

bool alertsDue(const Engine& engine, TimeMs now, bool anyoneTold) {
  const SiteState& state = EngineAccess::state(engine);
  return now >= state.alertsCheckedAt &&
         ((anyoneTold && (state.questionsReached(now) > 0 || state.digestDue(now))) || state.hamReached(now) > 0);
}

std::optional<StaffDigest> staffDigest(const Engine& engine, const std::string& recipientId, TimeMs until) {
  const SiteState& state = EngineAccess::state(engine);
  const std::uint32_t recipient = state.findMember(recipientId);
  if (recipient == kNone) return std::nullopt;
  const MemberEntry& member = state.members[recipient];
  if (member.state == MemberState::banned || !mayBeTold(NotificationKind::dailyDigest, member.role)) {
    return std::nullopt;
  }
  constexpr TimeMs kDayMs = 24 * 3'600'000;
  StaffDigest digest;
  digest.recipientName = member.displayName;
  for (const PostEntry& post : state.posts) {
    if (inReviewQueue(post.state)) digest.queued += 1;
    if (post.createdAt <= until - kDayMs || post.createdAt > until || !post.isShown() || post.erased) continue;
    digest.posts += 1;
    if (post.parent == kNone && state.threads[post.thread].kind == ThreadKind::question) digest.questions += 1;
  }
  std::vector<WaitingStarter> waiting = unansweredStarters(engine, ThreadKind::question);
  digest.waitingCount = static_cast<std::uint32_t>(waiting.size());
  if (waiting.size() > 10) waiting.resize(10);
  digest.waiting = std::move(waiting);
  return digest;
}

std::string toJson(const std::vector<NotificationIntent>& intents) {
  JsonWriter json;
  json.open('[');
  for (const NotificationIntent& intent : intents) {
    json.open('{');
    json.key("recipientId").value(intent.recipientId);
    json.key("kind").value(enumName(intent.kind));
    json.key("threadKey").value(intent.threadKey);
    json.key("postId").value(intent.postId);
    json.key("actorId").value(intent.actorId);
    json.close('}');
  }
  json.close(']');
  return json.take();
}

}  // namespace kring
