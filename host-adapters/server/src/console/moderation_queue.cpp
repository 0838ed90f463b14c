#include "console/moderation_queue.h"

#include <boost/json.hpp>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "console/export_json.h"
#include "kring/names.h"
#include "kring/site_records.h"
#include "kring/spam_score.h"
#include "kring/visibility.h"

namespace kring::server {

namespace {

constexpr TimeMs kFirstPostWindowMs = 7 * 86'400'000LL;
constexpr std::size_t kFirstPostsShown = 50;
// The id the queue shows for a flag the pipeline raised itself (a watched word with the flag action).
constexpr std::string_view kWatchedWordFlagger = "kring:watched-word";

bool hasOpenFlags(const PostRecord& post) {
  return std::any_of(post.ledger.flags.begin(), post.ledger.flags.end(),
                     [](const FlagRecord& flag) { return flag.resolution == FlagResolution::open; });
}

bool onlyPipelineFlags(const PostRecord& post) {
  return std::all_of(post.ledger.flags.begin(), post.ledger.flags.end(), [](const FlagRecord& flag) {
    return flag.resolution != FlagResolution::open || flag.memberId.empty();
  });
}

// The pipeline stage (docs/community-rules.md) that held the post or sent it here; null for a
// first post that nothing held.
boost::json::value stageOf(const PostRecord& post) {
  // Only a post still held answers by its held reason: an approved post that is flagged later is
  // here for its flags.
  if (post.state == PostState::pendingReview) {
    switch (post.heldReason) {
      case ReasonCode::watchedWordHeld: return "watched_words";
      case ReasonCode::spamSuspected:
      case ReasonCode::duplicateText: return "spam_score";
      case ReasonCode::tooManyLinks:
      case ReasonCode::tooManyMentions:
      case ReasonCode::tooManyImages: return "new_member_limits";
      case ReasonCode::preModerated: return "pre_moderation";
      default: return nullptr;
    }
  }
  if (post.state == PostState::hiddenByFlags || hasOpenFlags(post)) {
    return onlyPipelineFlags(post) && post.state != PostState::hiddenByFlags ? "watched_words" : "flags";
  }
  return nullptr;
}

class QueueWriter {
 public:
  QueueWriter(const Engine& engine, const SiteRecords& records, TimeMs now) : engine_(engine), now_(now) {
    for (const MemberRecord& member : records.members) members_.emplace(member.id, &member);
    for (const ThreadRecord& thread : records.threads) threads_.emplace(thread.key, &thread);
  }

  boost::json::object item(const PostRecord& post, std::string_view category) const {
    const ThreadRecord* thread = threads_.at(post.threadKey);
    boost::json::value author = nullptr;
    if (const MemberRecord* member = memberOf(post.authorId)) author = memberJson(*member);
    return {{"postId", post.id},
            {"category", category},
            {"threadKey", post.threadKey},
            {"threadTitle", thread->title},
            {"threadKind", threadKindName(thread->kind)},
            {"authorId", post.authorId},
            {"body", post.body},
            {"createdAt", post.createdAt},
            {"state", postStateName(post.state)},
            {"heldReason", reasonName(post.heldReason)},
            {"stage", stageOf(post)},
            {"spamScore", spamScoreNow(engine_, post.authorId, post.body, now_, !post.parentId.empty())},
            {"flagScore", post.flagScore},
            {"author", std::move(author)},
            {"openFlags", openFlags(post)}};
  }

  const MemberRecord* memberOf(const std::string& id) const {
    auto found = members_.find(id);
    return found == members_.end() ? nullptr : found->second;
  }

 private:
  boost::json::array openFlags(const PostRecord& post) const {
    boost::json::array flags;
    for (const FlagRecord& flag : post.ledger.flags) {
      if (flag.resolution != FlagResolution::open) continue;
      const MemberRecord* flagger = flag.memberId.empty() ? nullptr : memberOf(flag.memberId);
      flags.push_back(
          {{"memberId", flag.memberId.empty() ? kWatchedWordFlagger : std::string_view(flag.memberId)},
           {"reason", flagReasonName(flag.reason)},
           {"weight", flag.weight},
           {"time", flag.time},
           {"trustLevel", flagger ? boost::json::value(flagger->trustLevel) : boost::json::value(nullptr)}});
    }
    return flags;
  }

  const Engine& engine_;
  TimeMs now_;
  std::unordered_map<std::string_view, const MemberRecord*> members_;
  std::unordered_map<std::string_view, const ThreadRecord*> threads_;
};

}  // namespace

boost::json::value moderationQueueJson(const Engine& engine, const SiteRecords& records, TimeMs now,
                                       const QueueOptions& options) {
  QueueWriter writer(engine, records, now);
  struct Entry {
    const PostRecord* post;
    std::string_view category;
  };
  std::vector<Entry> waiting;
  std::vector<const PostRecord*> firstPosts;
  std::unordered_set<std::string_view> authorsSeen;
  // A first post a moderator has already acted on (approved it, featured it) has had its look.
  std::unordered_set<std::string_view> moderatedPosts;
  for (const AuditRecord& entry : records.audit) {
    if (!entry.postId.empty()) moderatedPosts.insert(entry.postId);
  }
  for (const PostRecord& post : records.posts) {  // creation order
    const bool first = authorsSeen.insert(post.authorId).second;
    if (post.state == PostState::pendingReview) {
      waiting.push_back({&post, "held"});
    } else if (post.state == PostState::hiddenByFlags || hasOpenFlags(post)) {
      waiting.push_back({&post, "flagged"});
    } else if (first && post.state == PostState::visible && post.createdAt >= now - kFirstPostWindowMs &&
               !moderatedPosts.count(post.id)) {
      const MemberRecord* author = writer.memberOf(post.authorId);
      // New members only: staff and moderators start at trust level 0 too, but need no look.
      if (author && author->trustLevel == 0 && post.authorRole == Role::member) firstPosts.push_back(&post);
    }
  }
  if (firstPosts.size() > kFirstPostsShown) firstPosts.erase(firstPosts.begin(), firstPosts.end() - kFirstPostsShown);
  for (const PostRecord* post : firstPosts) waiting.push_back({post, "firstPost"});
  std::stable_sort(waiting.begin(), waiting.end(),
                   [](const Entry& a, const Entry& b) { return a.post->createdAt < b.post->createdAt; });
  // Held guest posts, newest first, past the queue's share of them: set aside.
  std::vector<Entry> setAside;
  std::size_t guestsKept = 0;
  for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
    if (it->category != std::string_view("held") || !isGuestId(it->post->authorId)) continue;
    if (++guestsKept > options.heldGuestPostsInQueue) setAside.push_back({it->post, "spamSuspect"});
  }
  std::reverse(setAside.begin(), setAside.end());
  if (!setAside.empty()) {
    std::unordered_set<const PostRecord*> aside;
    for (const Entry& entry : setAside) aside.insert(entry.post);
    std::erase_if(waiting, [&](const Entry& entry) { return aside.count(entry.post) > 0; });
  }
  const std::vector<Entry>& listed = options.spamSuspect ? setAside : waiting;
  boost::json::array queue;
  for (std::size_t i = 0; i < listed.size() && i < options.limit; ++i)
    queue.push_back(writer.item(*listed[i].post, listed[i].category));
  return {{"site", records.siteId},
          {"queue", std::move(queue)},
          {"total", listed.size()},
          {"spamSuspect", setAside.size()}};
}

}  // namespace kring::server
