// Cutting a page of a thread (thread_page.h): the same posts for every viewer, projected for each.
#include "kring/thread_page.h"

#include <algorithm>

#include "state/engine_access.h"
#include "state/post_order.h"
#include "wire/thread_snapshot.h"

namespace kring {

namespace {

class PageCutter {
 public:
  PageCutter(const SiteState& state, std::uint32_t thread, SortOrder order, PageSize size)
      : state_(state), roots_(state.threads[thread].roots), order_(order), size_(size) {}

  // The list's posts after `after` (kNone: from the start), `limit` of them in order, and how many
  // more there are. One pass that keeps the best `limit` so far: a page of a 100,000-post list costs
  // about one comparison per post, with nothing copied.
  std::vector<std::uint32_t> next(std::uint32_t parent, std::uint32_t after, std::uint32_t limit,
                                  std::uint32_t& unloaded) const {
    const std::vector<std::uint32_t>& list = parent == kNone ? roots_ : state_.posts[parent].children;
    const std::uint32_t accepted = acceptedAmong(state_, parent);
    auto sorts = [&](std::uint32_t a, std::uint32_t b) { return siblingBefore(state_, order_, accepted, a, b); };
    std::vector<std::uint32_t> best;
    best.reserve(limit + 1);
    std::uint32_t following = 0;
    for (std::uint32_t post : list) {
      if (after != kNone && !sorts(after, post)) continue;
      ++following;
      if (best.size() == limit && (limit == 0 || !sorts(post, best.back()))) continue;
      best.insert(std::upper_bound(best.begin(), best.end(), post, sorts), post);
      if (best.size() > limit) best.pop_back();
    }
    unloaded = following - static_cast<std::uint32_t>(best.size());
    return best;
  }

  // The asked list's next posts, then replies under them breadth first: firstReplies each, then
  // more while the page has room. Every list the page holds part of gets its mark.
  void cut(std::uint32_t parent, std::uint32_t after, PageFacts& facts) {
    std::uint32_t unloaded = 0;
    std::vector<std::uint32_t> top = next(parent, after, size_.listPosts, unloaded);
    // The asked list's mark always goes: a replica drops its mark once nothing is left.
    std::uint32_t last = top.empty() ? after : top.back();
    facts.lists.push_back(ListMark{parent == kNone ? std::string() : state_.posts[parent].id,
                                   last == kNone ? std::string() : state_.posts[last].id, unloaded});
    posts_ = top;
    std::vector<Taken> taken;
    for (std::uint32_t post : top) taken.push_back(Taken{post, {}, kNone});
    for (std::uint32_t perPost : {size_.firstReplies, size_.posts}) {
      for (std::size_t i = 0; i < taken.size() && posts_.size() < size_.posts; ++i) {
        const std::vector<std::uint32_t>& children = state_.posts[taken[i].post].children;
        const std::size_t have = taken[i].replies;
        if (children.size() == have || have >= perPost) continue;
        const auto want =
            static_cast<std::uint32_t>(std::min<std::size_t>(perPost - have, size_.posts - posts_.size()));
        std::uint32_t left = 0;
        for (std::uint32_t reply : next(taken[i].post, taken[i].last, want, left)) {
          posts_.push_back(reply);
          taken[i].last = reply;
          taken[i].replies += 1;
          taken.push_back(Taken{reply, 0, kNone});
        }
      }
    }
    for (const Taken& entry : taken) {
      const std::size_t children = state_.posts[entry.post].children.size();
      if (entry.replies < children) {
        facts.lists.push_back(ListMark{state_.posts[entry.post].id,
                                       entry.last == kNone ? std::string() : state_.posts[entry.last].id,
                                       static_cast<std::uint32_t>(children - entry.replies)});
      }
    }
    std::sort(posts_.begin(), posts_.end());  // creation order: parents first
  }

  const std::vector<std::uint32_t>& posts() const { return posts_; }

 private:
  struct Taken {
    std::uint32_t post = kNone;
    std::size_t replies = 0;  // its replies in the page (the first ones, in order)
    std::uint32_t last = kNone;
  };

  const SiteState& state_;
  const std::vector<std::uint32_t>& roots_;
  SortOrder order_;
  PageSize size_;
  std::vector<std::uint32_t> posts_;
};

Error unknownPost(const std::string& id, const char* what) {
  return Error{ReasonCode::unknownPost,
               "The page asks for " + std::string(what) + " " + id + ", which this thread's list does not hold."};
}

}  // namespace

Result<EncodedPage> encodeThreadPage(const Engine& engine, const LoadPage& request, bool first, const Viewer& viewer,
                                     PageSize size) {
  const SiteState& state = EngineAccess::state(engine);
  std::uint32_t thread = state.findThread(request.threadKey);
  if (thread == kNone) return Error{ReasonCode::unknownThread, "There is no thread with this key."};
  std::uint32_t parent = kNone;
  if (!request.parentId.empty()) {
    parent = state.findPost(request.parentId);
    if (parent == kNone || state.posts[parent].thread != thread) return unknownPost(request.parentId, "the replies of");
  }
  std::uint32_t after = kNone;
  if (!request.afterId.empty()) {
    after = state.findPost(request.afterId);
    if (after == kNone || state.posts[after].thread != thread || state.posts[after].parent != parent)
      return unknownPost(request.afterId, "the posts after");
  }
  PageFacts facts;
  facts.continues = !first;
  facts.order = request.order;
  PageCutter cutter(state, thread, request.order, size);
  cutter.cut(parent, after, facts);
  if (first) {
    const std::vector<std::uint32_t>& taken = cutter.posts();
    for (std::uint32_t post : state.threads[thread].posts) {
      const PostEntry& entry = state.posts[post];
      if (entry.isShown() && !entry.erased && !std::binary_search(taken.begin(), taken.end(), post))
        facts.unloadedVisible += 1;
    }
  }
  return encodeThreadPosts(state, thread, cutter.posts(), viewer, &facts);
}

std::optional<LoadPage> nextPage(const Engine& replica, std::string_view threadKey, std::string_view parentId) {
  const SiteState& state = EngineAccess::state(replica);
  std::uint32_t thread = state.findThread(std::string(threadKey));
  if (thread == kNone) return std::nullopt;
  const ThreadPaging& paging = state.threads[thread].paging;
  std::uint32_t unloaded = paging.unloadedRoots;
  std::uint32_t after = paging.rootsAfter;
  if (!parentId.empty()) {
    std::uint32_t parent = state.findPost(std::string(parentId));
    if (parent == kNone) return std::nullopt;
    unloaded = state.posts[parent].unloadedReplies;
    after = state.posts[parent].repliesAfter;
  }
  if (!paging.paged || unloaded == 0) return std::nullopt;
  return LoadPage{std::string(threadKey), paging.order, std::string(parentId),
                  after == kNone ? std::string() : state.posts[after].id};
}

}  // namespace kring
