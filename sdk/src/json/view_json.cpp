#include "json/json_writer.h"
#include "kring/names.h"
#include "kring/reason.h"
#include "kring/view.h"

namespace kring {

std::string toJson(const ThreadView& view) {
  JsonWriter json;
  json.open('{');
  json.key("key").value(view.key);
  json.key("kind").value(threadKindName(view.kind));
  json.key("title").value(view.title);
  json.key("state").value(threadStateName(view.state));
  json.key("order").value(sortOrderName(view.order));
  json.key("lastSequence").value(static_cast<std::int64_t>(view.lastSequence));
  json.key("posts").open('[');
  for (const PostView& post : view.posts) {
    json.open('{');
    json.key("id").value(post.id);
    json.key("parentId").value(post.parentId);
    json.key("authorId").value(post.authorId);
    json.key("authorName").value(post.authorName);
    json.key("authorRole").value(roleName(post.authorRole));
    json.key("authorReputation").value(static_cast<std::int64_t>(post.authorReputation));
    json.key("authorTrustLevel").value(static_cast<std::int64_t>(post.authorTrustLevel));
    json.key("body").value(post.body);
    json.key("createdAt").value(post.createdAt);
    json.key("editedAt").value(post.editedAt);
    json.key("state").value(postStateName(post.state));
    json.key("score").value(static_cast<std::int64_t>(post.score));
    json.key("accepted").flag(post.accepted);
    json.key("depth").value(static_cast<std::int64_t>(post.depth));
    json.key("replyCount").value(static_cast<std::int64_t>(post.replyCount));
    json.key("myVote").value(voteName(post.myVote));
    json.key("featured").flag(post.featured);
    json.key("erased").flag(post.erased);
    json.key("heldReason").value(reasonName(post.heldReason));
    json.key("unloadedReplies").value(static_cast<std::int64_t>(post.unloadedReplies));
    json.close('}');
  }
  json.close(']');
  json.key("unloadedTopLevel").value(static_cast<std::int64_t>(view.unloadedTopLevel));
  json.key("unloadedVisible").value(static_cast<std::int64_t>(view.unloadedVisible));
  json.close('}');
  return json.take();
}

}  // namespace kring
