#include <algorithm>

#include "kring/engine.h"
#include "state/post_order.h"
#include "state/site_state.h"
#include "views/read_rule.h"

namespace kring {

namespace {

class ViewBuilder {
 public:
  ViewBuilder(const SiteState& state, SortOrder order, std::uint32_t viewer)
      : state_(state), order_(order), viewer_(viewer), reader_(readerOf(state, viewer)) {}

  // The replies of `parent` (kNone: the top-level posts), each followed by its own.
  void addLevel(std::uint32_t parent, std::vector<std::uint32_t> siblings, std::vector<PostView>& out) const {
    const std::uint32_t accepted = acceptedAmong(state_, parent);
    std::sort(siblings.begin(), siblings.end(),
              [&](std::uint32_t a, std::uint32_t b) { return siblingBefore(state_, order_, accepted, a, b); });
    for (std::uint32_t index : siblings) {
      out.push_back(view(index));
      addLevel(index, state_.posts[index].children, out);
    }
  }

 private:
  PostView view(std::uint32_t index) const {
    const PostEntry& post = state_.posts[index];
    const MemberEntry& author = state_.members[post.author];
    PostView view;
    view.id = post.id;
    view.parentId = post.parent == kNone ? std::string() : state_.posts[post.parent].id;
    view.authorId = author.id;
    view.authorName = author.displayName;
    view.authorRole = author.role;
    view.authorReputation = author.reputation;
    view.authorTrustLevel = author.trustLevel;
    // Held or hidden text is its author's, the moderators' and (held for review) the reviewers':
    // the rule the server projects by, so a replica shows what it was sent.
    if (!post.isRemoved() && mayRead(post.state, author.id, reader_)) {
      view.body = post.body;
      if (!post.isShown() && (isModeratorViewer(reader_) || viewer_ == post.author)) view.heldReason = post.heldReason;
    }
    view.featured = post.featured;
    view.erased = post.erased;
    view.createdAt = post.createdAt;
    view.editedAt = post.editedAt;
    view.state = post.state;
    view.score = post.score;
    view.accepted = state_.isAccepted(index);
    view.depth = post.depth;
    view.replyCount = static_cast<std::uint32_t>(post.children.size());
    view.unloadedReplies = post.unloadedReplies;
    if (viewer_ != kNone) view.myVote = post.voteOf(viewer_);
    return view;
  }

  static Viewer readerOf(const SiteState& state, std::uint32_t viewer) {
    if (viewer == kNone) return Viewer{};
    const MemberEntry& member = state.members[viewer];
    return Viewer{member.id, viewerClassOf(member.role, member.reputation, state.policy)};
  }

  const SiteState& state_;
  SortOrder order_;
  std::uint32_t viewer_;
  Viewer reader_;
};

}  // namespace

std::optional<ThreadView> Engine::threadView(std::string_view threadKey, SortOrder order,
                                             std::string_view viewerId) const {
  std::uint32_t index = state_->findThread(std::string(threadKey));
  if (index == kNone) return std::nullopt;
  const ThreadEntry& thread = state_->threads[index];
  ThreadView view;
  view.key = thread.key;
  view.kind = thread.kind;
  view.title = thread.title;
  view.state = thread.state;
  view.order = order;
  view.lastSequence = state_->lastSequence;
  view.posts.reserve(thread.posts.size());
  std::uint32_t viewer = viewerId.empty() ? kNone : state_->findMember(std::string(viewerId));
  ViewBuilder(*state_, order, viewer).addLevel(kNone, thread.roots, view.posts);
  view.unloadedTopLevel = thread.paging.unloadedRoots;
  view.unloadedVisible = thread.paging.unloadedVisible;
  return view;
}

bool Engine::follows(std::string_view threadKey, std::string_view memberId) const {
  const std::uint32_t thread = state_->findThread(std::string(threadKey));
  const std::uint32_t member = state_->findMember(std::string(memberId));
  if (thread == kNone || member == kNone) return false;
  const FollowEntry* follow = state_->findFollow(thread, member);
  return follow != nullptr && follow->following;
}

std::vector<ThreadSummary> Engine::threadSummaries() const {
  std::vector<ThreadSummary> summaries;
  summaries.reserve(state_->threads.size());
  for (const ThreadEntry& thread : state_->threads) {
    ThreadSummary summary{thread.key, thread.kind, thread.title, thread.createdAt, thread.createdAt, 0};
    for (std::uint32_t index : thread.posts) {
      const PostEntry& post = state_->posts[index];
      if (!post.isShown() || post.erased) continue;
      summary.visiblePosts += 1;
      summary.lastActivity = std::max({summary.lastActivity, post.createdAt, post.editedAt});
    }
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

}  // namespace kring
