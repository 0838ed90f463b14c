#include "json/json_writer.h"
#include "kring/names.h"
#include "kring/outcome.h"

namespace kring {

namespace {

struct EventName {
  std::string_view operator()(const MemberJoined&) const { return "member_joined"; }
  std::string_view operator()(const MemberChanged&) const { return "member_changed"; }
  std::string_view operator()(const ThreadCreated&) const { return "thread_created"; }
  std::string_view operator()(const PostCreated&) const { return "post_created"; }
  std::string_view operator()(const PostEdited&) const { return "post_edited"; }
  std::string_view operator()(const PostDeleted&) const { return "post_deleted"; }
  std::string_view operator()(const VoteChanged&) const { return "vote_changed"; }
  std::string_view operator()(const AnswerAccepted&) const { return "answer_accepted"; }
  std::string_view operator()(const AnswerUnaccepted&) const { return "answer_unaccepted"; }
  std::string_view operator()(const PostChanged&) const { return "post_changed"; }
  std::string_view operator()(const ThreadChanged&) const { return "thread_changed"; }
  std::string_view operator()(const PolicyChanged&) const { return "policy_changed"; }
  std::string_view operator()(const ModerationRecorded&) const { return "moderation_recorded"; }
  std::string_view operator()(const PostFlagged&) const { return "post_flagged"; }
  std::string_view operator()(const QuestionUnanswered&) const { return "question_unanswered"; }
  std::string_view operator()(const FollowChanged&) const { return "follow_changed"; }
};

}  // namespace

std::string toJson(const Outcome& outcome) {
  JsonWriter json;
  json.open('{');
  json.key("opId").value(outcome.opId);
  json.key("status").value(outcomeStatusName(outcome.status));
  json.key("code").value(reasonName(outcome.code));
  json.key("message").value(outcome.message);
  json.key("events").open('[');
  for (const Event& event : outcome.events) json.value(std::visit(EventName{}, event.body));
  json.close(']');
  json.close('}');
  return json.take();
}

}  // namespace kring
