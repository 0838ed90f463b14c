#include "kring/visibility.h"

#include <algorithm>
#include <optional>

#include "views/read_rule.h"

namespace kring {

namespace {

bool isSelf(const Viewer& viewer, std::string_view memberId) {
  return !viewer.memberId.empty() && viewer.memberId == memberId;
}

// Out of view but not removed: its author may still read (and edit) it.
bool isHeld(PostState state) {
  return state == PostState::pendingReview || state == PostState::hiddenByFlags ||
         state == PostState::hiddenByModerator;
}

const std::string* memberOf(const EventBody& body) {
  if (const auto* joined = std::get_if<MemberJoined>(&body)) return &joined->member.id;
  if (const auto* changed = std::get_if<MemberChanged>(&body)) return &changed->member.id;
  return nullptr;
}

// A first-time actor's arrival: nobody else's events name them yet.
bool isJoinOf(const EventBody& body, std::string_view memberId) {
  const auto* joined = std::get_if<MemberJoined>(&body);
  return joined != nullptr && joined->member.id == memberId;
}

// A sanction (and its undo) is between the member and the moderators.
bool isSanction(ModerationAction action) {
  return action == ModerationAction::silence || action == ModerationAction::suspend ||
         action == ModerationAction::ban || action == ModerationAction::unban;
}

std::optional<std::string> sanctionedMember(const std::vector<Event>& events) {
  for (const Event& event : events) {
    if (const auto* recorded = std::get_if<ModerationRecorded>(&event.body)) {
      if (isSanction(recorded->entry.action)) return recorded->entry.memberId;
    }
  }
  return std::nullopt;
}

// The event as the viewer may receive it; nullopt when it is none of their business.
class EventProjector {
 public:
  explicit EventProjector(const Viewer& viewer) : viewer_(viewer) {}

  std::optional<EventBody> operator()(const MemberJoined& body) const {
    return MemberJoined{projectMember(body.member, viewer_)};
  }
  std::optional<EventBody> operator()(const MemberChanged& body) const {
    return MemberChanged{projectMember(body.member, viewer_)};
  }
  std::optional<EventBody> operator()(const ThreadCreated& body) const { return body; }
  std::optional<EventBody> operator()(const PostCreated& body) const {
    return PostCreated{projectPost(body.post, viewer_)};
  }
  std::optional<EventBody> operator()(const PostEdited& body) const {
    if (!mayRead(body.postState, body.authorId, viewer_)) return std::nullopt;
    return body;
  }
  std::optional<EventBody> operator()(const PostDeleted& body) const { return body; }
  std::optional<EventBody> operator()(const VoteChanged& body) const {
    if (isModeratorViewer(viewer_) || isSelf(viewer_, body.memberId)) return body;
    return VoteChanged{body.postId, std::string(), VoteDirection::none, body.score};
  }
  std::optional<EventBody> operator()(const AnswerAccepted& body) const { return body; }
  std::optional<EventBody> operator()(const AnswerUnaccepted& body) const { return body; }
  std::optional<EventBody> operator()(const PostChanged& body) const {
    return PostChanged{projectPost(body.post, viewer_)};
  }
  std::optional<EventBody> operator()(const ThreadChanged& body) const { return body; }
  std::optional<EventBody> operator()(const PolicyChanged& body) const {
    return PolicyChanged{projectPolicy(body.policy, viewer_)};
  }
  std::optional<EventBody> operator()(const ModerationRecorded& body) const {
    if (!isModeratorViewer(viewer_)) return std::nullopt;
    return body;
  }
  std::optional<EventBody> operator()(const PostFlagged& body) const {
    if (isModeratorViewer(viewer_)) return body;
    if (!isSelf(viewer_, body.memberId)) return std::nullopt;
    return PostFlagged{body.postId, body.memberId, body.reason, 0};
  }
  std::optional<EventBody> operator()(const QuestionUnanswered&) const { return std::nullopt; }
  std::optional<EventBody> operator()(const FollowChanged& body) const {
    if (!isSelf(viewer_, body.memberId)) return std::nullopt;
    return body;
  }

 private:
  const Viewer& viewer_;
};

}  // namespace

namespace {
Role roleOf(const std::optional<MemberRecord>& member, const Actor& actor) {
  return member && member->roleAssigned ? member->role : actor.role;
}
}  // namespace

Role effectiveRole(const Engine& engine, const Actor& actor) { return roleOf(engine.member(actor.memberId), actor); }

Viewer viewerOf(const Engine& engine, const Actor& actor, TimeMs now) {
  std::optional<MemberRecord> member = engine.member(actor.memberId);
  // A sanction takes the moderator's (and the reviewer's) view with it; the role stays for after it.
  const bool sanctioned = member && (member->state == MemberState::banned ||
                                     (member->state == MemberState::suspended && now < member->stateUntil));
  if (sanctioned) return Viewer{actor.memberId, ViewerClass::everyone};
  std::int32_t reputation = member ? member->reputation : engine.policy().reputationInitial;
  return Viewer{actor.memberId, viewerClassOf(roleOf(member, actor), reputation, engine.policy())};
}

bool mayReadPost(const PostRecord& post, const Viewer& viewer) { return mayRead(post.state, post.authorId, viewer); }

Policy projectPolicy(const Policy& policy, const Viewer& viewer) {
  if (isModeratorViewer(viewer) || policy.screeningWithheld) return policy;
  Policy projected = policy;
  const Policy defaults;
  for (const PolicySetting& setting : policySettings()) {
    if (setting.screening) projected.*(setting.field) = defaults.*(setting.field);
  }
  projected.watchedWords.clear();
  projected.screeningWithheld = true;
  return projected;
}

MemberRecord projectMember(MemberRecord member, const Viewer& viewer) {
  if (isModeratorViewer(viewer) || isSelf(viewer, member.id)) return member;
  member.state = MemberState::active;
  member.stateUntil = 0;
  member.standing = MemberStanding{};
  return member;
}

PostRecord projectPost(PostRecord post, const Viewer& viewer) {
  if (isModeratorViewer(viewer)) return post;
  if (!mayReadPost(post, viewer)) {  // a tombstone: where it stands and in what state
    post.body.clear();
    post.editedAt = 0;
    post.heldReason = ReasonCode::none;
  }
  post.edits.clear();
  std::erase_if(post.votes, [&](const VoteRecord& vote) { return !isSelf(viewer, vote.memberId); });
  for (VoteRecord& vote : post.votes) vote.authorDelta = vote.voterDelta = vote.day = 0;
  post.flagScore = 0;
  post.ledger = PostLedger{};
  return post;
}

ViewerClass viewerClassOf(Role role, std::int32_t reputation, const Policy& policy) {
  if (canModerate(role)) return ViewerClass::moderator;
  return reputation >= policy.privilegeReviewQueue ? ViewerClass::reviewer : ViewerClass::everyone;
}

bool isModeratorViewer(const Viewer& viewer) { return viewer.viewerClass == ViewerClass::moderator; }

bool mayRead(PostState state, std::string_view authorId, const Viewer& viewer) {
  if (state == PostState::visible || isModeratorViewer(viewer)) return true;
  if (state == PostState::pendingReview && viewer.viewerClass == ViewerClass::reviewer) return true;
  return isHeld(state) && isSelf(viewer, authorId);
}

OpEvents opEventsForReplicas(const Engine& engine, const Op& op, const Outcome& outcome) {
  OpEvents out{op.id, op.sequence, op.actor.memberId, false, false, eventsForReplicas(engine, op, outcome)};
  out.actorIntroduced = out.events.size() > outcome.events.size();
  // Nobody is sent a scheduled check's alerts: they go to the outbox (notifications.h).
  out.actorOnly = std::holds_alternative<RecordReading>(op.body) || std::holds_alternative<CheckAlerts>(op.body) ||
                  std::holds_alternative<FollowThread>(op.body);
  return out;
}

std::vector<Event> projectEvents(const OpEvents& op, const Viewer& viewer) {
  const std::vector<Event>& events = op.events;
  if (op.actorOnly && !isSelf(viewer, op.actorId)) return {};
  bool privileged = isModeratorViewer(viewer) || isSelf(viewer, op.actorId);
  // Voters, flaggers and moderators stay unnamed: their introduction stays home.
  bool anonymousActor = !privileged && std::any_of(events.begin(), events.end(), [](const Event& event) {
    return std::holds_alternative<VoteChanged>(event.body) || std::holds_alternative<PostFlagged>(event.body) ||
           std::holds_alternative<ModerationRecorded>(event.body);
  });
  std::optional<std::string> sanctioned = isModeratorViewer(viewer) ? std::nullopt : sanctionedMember(events);
  std::vector<Event> projected;
  projected.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& event = events[i];
    if (anonymousActor && ((i == 0 && op.actorIntroduced) || isJoinOf(event.body, op.actorId))) continue;
    const std::string* member = memberOf(event.body);
    if (member && sanctioned && *member == *sanctioned && !isSelf(viewer, *member)) continue;
    std::optional<EventBody> body = std::visit(EventProjector(viewer), event.body);
    // A client-made op id may tell whose client sent it: only the actor needs it back.
    if (body)
      projected.push_back(
          Event{anonymousActor ? std::string() : event.opId, event.sequence, event.time, std::move(*body)});
  }
  return projected;
}

std::vector<std::string> eventSubjects(const OpEvents& op) {
  std::vector<std::string> subjects{op.actorId};
  for (const Event& event : op.events) {
    if (const std::string* member = memberOf(event.body)) subjects.push_back(*member);
    if (const auto* created = std::get_if<PostCreated>(&event.body)) subjects.push_back(created->post.authorId);
    if (const auto* changed = std::get_if<PostChanged>(&event.body)) subjects.push_back(changed->post.authorId);
    if (const auto* edited = std::get_if<PostEdited>(&event.body)) subjects.push_back(edited->authorId);
    if (const auto* vote = std::get_if<VoteChanged>(&event.body)) subjects.push_back(vote->memberId);
    if (const auto* flag = std::get_if<PostFlagged>(&event.body)) subjects.push_back(flag->memberId);
    if (const auto* follow = std::get_if<FollowChanged>(&event.body)) subjects.push_back(follow->memberId);
  }
  std::sort(subjects.begin(), subjects.end());
  subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  std::erase(subjects, std::string());
  return subjects;
}

}  // namespace kring
