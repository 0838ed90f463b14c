#include "handlers.h"

namespace kring {

namespace {

Outcome lockedThread(const OpContext& context) {
  return context.reject(ReasonCode::threadLocked, "This thread is locked.");
}

}  // namespace

Outcome applyCreatePost(OpContext& context, const CreatePost& body) {
  SiteState& state = context.state;
  if (state.findPost(context.op.id) != kNone) {
    return context.reject(ReasonCode::duplicatePostId, "A post with this id already exists.");
  }
  std::uint32_t thread = state.findThread(body.threadKey);
  if (thread == kNone) return context.reject(ReasonCode::unknownThread, "There is no thread with this key.");
  if (!acceptsChanges(state.threads[thread])) return lockedThread(context);
  if (auto rejection = checkBody(context, body.body)) return std::move(*rejection);

  std::uint32_t parent = kNone;
  std::uint32_t depth = 0;
  if (!body.parentId.empty()) {
    PostLookup lookup = lookupLivePost(context, body.parentId);
    if (lookup.rejection) return std::move(*lookup.rejection);
    parent = lookup.index;
    if (state.posts[parent].thread != thread) {
      return context.reject(ReasonCode::parentNotInThread, "The post you reply to is in another thread.");
    }
    depth = state.posts[parent].depth + 1;
    if (depth > state.limits.maxDepth(state.threads[thread].kind)) {
      return context.reject(ReasonCode::tooDeep, "Replies cannot be nested this deep; reply higher up instead.");
    }
  }

  PostEntry post;
  post.id = context.op.id;
  post.thread = thread;
  post.parent = parent;
  post.author = context.admitActor();
  post.body = body.body;
  post.createdAt = context.op.time;
  post.depth = depth;
  post.createdSequence = context.op.sequence;
  std::uint32_t index = state.addPost(std::move(post));
  state.members[state.posts[index].author].postCount += 1;
  context.emit(PostCreated{state.postRecord(index, false)});
  return context.accept();
}

Outcome applyEditPost(OpContext& context, const EditPost& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupLivePost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (!acceptsChanges(state.threads[post.thread])) return lockedThread(context);
  if (!context.isActor(post.author) && !canModerate(context.role())) {
    return context.reject(ReasonCode::notAuthor, "Only the author or a moderator can edit this post.");
  }
  if (auto rejection = checkBody(context, body.body)) return std::move(*rejection);
  if (body.body == post.body) return context.reject(ReasonCode::unchanged, "The edit changes nothing.");

  std::uint32_t editor = context.admitActor();
  post.edits.push_back(EditEntry{editor, context.op.time, std::move(post.body)});
  post.body = body.body;
  post.editedAt = context.op.time;
  context.emit(PostEdited{post.id, post.body, state.members[editor].id});
  return context.accept();
}

Outcome applyDeletePost(OpContext& context, const DeletePost& body) {
  SiteState& state = context.state;
  PostLookup lookup = lookupLivePost(context, body.postId);
  if (lookup.rejection) return std::move(*lookup.rejection);
  PostEntry& post = state.posts[lookup.index];
  if (!context.isActor(post.author) && !canModerate(context.role())) {
    return context.reject(ReasonCode::notAuthor, "Only the author or a moderator can delete this post.");
  }

  context.admitActor();
  // The body stays in the state: deletion is soft and keeps the audit trail.
  post.state = PostState::removed;
  if (post.accepted) {
    post.accepted = false;
    PostEntry& question = state.posts[post.parent];
    question.acceptedAnswer = kNone;
    context.emit(AnswerUnaccepted{question.id, post.id});
  }
  context.emit(PostDeleted{post.id});
  return context.accept();
}

}  // namespace kring
