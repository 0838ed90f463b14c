#include "sync/webhook_events.h"

#include <boost/json.hpp>

#include "kring/names.h"
#include "render/html_text.h"
#include "render/sitemap.h"

namespace kring::server {

namespace {

bool sanctions(ModerationAction action) {
  return action == ModerationAction::silence || action == ModerationAction::suspend || action == ModerationAction::ban;
}

}  // namespace

std::vector<WebhookEvent> webhookEvents(const Op& op, const Outcome& outcome) {
  std::vector<WebhookEvent> events;
  if (!outcome.stored()) return events;
  const auto* moderate = std::get_if<Moderate>(&op.body);
  if (std::holds_alternative<ImportPost>(op.body)) return {};  // history, not news (docs/webhooks.md)
  for (const Event& event : outcome.events) {
    if (const auto* created = std::get_if<PostCreated>(&event.body)) {
      const bool held = created->post.state == PostState::pendingReview;
      events.push_back({held ? "post.held" : "post.created", created->post.id, created->post.threadKey});
    } else if (const auto* changed = std::get_if<PostChanged>(&event.body); changed && moderate) {
      if (moderate->action == ModerationAction::approve) {
        events.push_back({"post.approved", changed->post.id, changed->post.threadKey});
      } else if (moderate->action == ModerationAction::reject || moderate->action == ModerationAction::hide) {
        events.push_back({"post.removed", changed->post.id, changed->post.threadKey});
      }
    } else if (const auto* accepted = std::get_if<AnswerAccepted>(&event.body)) {
      events.push_back({"answer.accepted", accepted->answerId, {}});
    } else if (const auto* member = std::get_if<MemberChanged>(&event.body); member && moderate) {
      if (sanctions(moderate->action) && member->member.id == moderate->memberId) {
        events.push_back({"member.sanctioned", member->member.id, {}});
      }
    } else if (const auto* flagged = std::get_if<PostFlagged>(&event.body)) {
      events.push_back({"flag.raised", flagged->postId, {}});
    } else if (const auto* unanswered = std::get_if<QuestionUnanswered>(&event.body)) {
      events.push_back({"question.unanswered", unanswered->postId, {}});
    }
  }
  return events;
}

std::optional<std::string> webhookPayload(const Engine& engine, const WebhookEvent& event, TimeMs now,
                                          const std::string& pageTemplate) {
  boost::json::object data;
  if (event.type == "member.sanctioned") {
    std::optional<MemberRecord> member = engine.member(event.subject);
    if (!member) return std::nullopt;
    data = {{"memberId", member->id},
            {"displayName", member->displayName},
            {"state", std::string(memberStateName(member->state))},
            {"until", member->stateUntil ? boost::json::value(isoTime(member->stateUntil)) : nullptr}};
  } else {
    std::optional<PostRecord> post = engine.post(event.subject);
    if (!post) return std::nullopt;
    std::optional<MemberRecord> author = engine.member(post->authorId);
    data = {{"postId", post->id},
            {"threadKey", post->threadKey},
            {"parentId", post->parentId.empty() ? boost::json::value(nullptr) : boost::json::value(post->parentId)},
            {"authorId", post->authorId},
            {"authorName", author ? author->displayName : std::string()},
            {"authorRole", std::string(roleName(post->authorRole))},
            {"state", std::string(postStateName(post->state))},
            {"accepted", post->accepted},
            {"score", post->score},
            {"flagScore", post->flagScore},
            {"createdAt", isoTime(post->createdAt)},
            // An erased author's words are gone from the site: not sent, not even to its host.
            {"body", post->erased ? boost::json::value(nullptr) : boost::json::value(post->body)}};
    if (!pageTemplate.empty()) data["url"] = threadPageUrl(pageTemplate, post->threadKey) + "#kring-post-" + post->id;
  }
  return boost::json::serialize(
      boost::json::object{{"type", event.type}, {"timestamp", isoTime(now)}, {"data", std::move(data)}});
}

}  // namespace kring::server
