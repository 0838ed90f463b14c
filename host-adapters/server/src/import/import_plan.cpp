#include "import/import_plan.h"

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "kring/visibility.h"
#include "util/utf8_text.h"

namespace kring::server {

namespace {

constexpr std::string_view kImportActor = "kring:import";

// A title or a name: one line of printable text, as the core takes them.
std::string oneLine(std::string_view text, std::size_t maxBytes) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool control = byte < 0x20 || byte == 0x7F;
    if (control) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return truncateUtf8(out, maxBytes);
}

PostState coreState(ImportedPost::State state) {
  switch (state) {
    case ImportedPost::State::visible: return PostState::visible;
    case ImportedPost::State::held: return PostState::pendingReview;
    case ImportedPost::State::spam: return PostState::spam;
    case ImportedPost::State::deleted: return PostState::removed;
  }
  return PostState::removed;
}

}  // namespace

ImportPlan::ImportPlan(ImportPlanOptions options, ThreadKeyMapping mapping)
    : options_(std::move(options)), mapping_(std::move(mapping)) {}

ImportSink ImportPlan::sink() {
  ImportSink sink;
  sink.thread = [this](ImportedThread thread) {
    links_.addThread(thread.sourceId);
    std::string key = mapping_.keyFor(thread.url);
    std::string id = thread.sourceId;
    pages_.insert_or_assign(std::move(id), Page{std::move(thread), std::move(key)});
  };
  sink.post = [this](ImportedPost post) {
    links_.addPost(post.sourceId, post.threadSourceId, post.parentSourceId);
    posts_.push_back(std::move(post));
    ++postsRead_;
  };
  sink.problem = [this](ImportProblem problem) { problems_.push_back(std::move(problem)); };
  return sink;
}

Op ImportPlan::opFor(const ImportedPost& post, const Page& page, const std::string& parentId,
                     const Engine& engine) const {
  const Limits& limits = engine.limits();
  ImportPost body;
  body.threadKey = page.key;
  body.threadKind = options_.threadKind;
  body.threadTitle = oneLine(page.thread.title, limits.maxTitleBytes);
  body.threadLocked = page.thread.closed;
  body.parentId = parentId;
  body.authorId = options_.authorId(post);
  std::string_view name = !post.authorName.empty() ? post.authorName : post.authorUsername;
  body.authorName = oneLine(name.empty() ? std::string_view("Anonymous") : name, limits.maxDisplayNameBytes);
  body.body = truncateUtf8(post.bodyMarkdown, limits.maxBodyBytes);
  body.createdAt = post.createdAtMs;
  body.state = coreState(post.state);
  return Op{options_.source + "-" + post.sourceId, Actor{std::string(kImportActor), "Import", Role::admin},
            options_.now, engine.lastSequence() + 1, std::move(body)};
}

ImportTotals ImportPlan::apply(Engine& engine, const std::function<void(const Op&, const Outcome&)>& stored) {
  ImportTotals totals;
  LinkReport report = links_.finish();
  problems_.insert(problems_.end(), report.problems.begin(), report.problems.end());
  std::unordered_set<std::string> madeTopLevel;
  for (const LinkFix& fix : report.fixes) {
    if (fix.action == LinkFix::Action::topLevel) madeTopLevel.insert(fix.postSourceId);
  }
  // A repeated id keeps its first post in the file (the link check reported the others).
  std::vector<bool> repeated(posts_.size(), false);
  {
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < posts_.size(); ++i) repeated[i] = !seen.insert(posts_[i].sourceId).second;
  }
  std::vector<std::uint32_t> order(posts_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [this](std::uint32_t a, std::uint32_t b) { return posts_[a].createdAtMs < posts_[b].createdAtMs; });

  std::unordered_set<std::string> done;                                 // source ids applied, found there, or refused
  std::unordered_map<std::string, std::vector<std::uint32_t>> waiting;  // replies by parent source id
  std::map<std::string, std::uint64_t> leftOutByPage;
  std::vector<std::uint32_t> ready;
  auto run = [&](std::uint32_t first) {
    ready.push_back(first);
    while (!ready.empty()) {
      const std::uint32_t at = ready.back();
      ready.pop_back();
      ImportedPost& post = posts_[at];
      std::string parentId;
      if (!post.parentSourceId.empty()) {
        parentId = options_.source + "-" + post.parentSourceId;
        if (!engine.post(parentId)) {
          problems_.push_back({"post " + post.sourceId,
                               "its parent " + post.parentSourceId + " was not imported: it becomes a top-level post"});
          parentId.clear();
        }
      }
      if (post.bodyMarkdown.size() > engine.limits().maxBodyBytes) {
        problems_.push_back({"post " + post.sourceId,
                             "longer than " + std::to_string(engine.limits().maxBodyBytes) + " bytes: cut there"});
      }
      const Op op = opFor(post, pages_.at(post.threadSourceId), parentId, engine);
      const Outcome outcome = engine.apply(op);
      if (outcome.stored()) {
        totals.imported += 1;
        for (const Event& event : outcome.events) {
          totals.threadsCreated += std::holds_alternative<ThreadCreated>(event.body) ? 1 : 0;
          totals.membersCreated += std::holds_alternative<MemberJoined>(event.body) ? 1 : 0;
        }
        if (stored) stored(op, outcome);
      } else if (outcome.code == ReasonCode::duplicatePostId) {
        totals.alreadyThere += 1;
      } else {
        totals.refused += 1;
        problems_.push_back({"post " + post.sourceId,
                             "not imported (" + std::string(reasonName(outcome.code)) + "): " + outcome.message});
      }
      std::string().swap(post.bodyMarkdown);  // in the engine now: held once
      done.insert(post.sourceId);
      if (auto replies = waiting.find(post.sourceId); replies != waiting.end()) {
        ready.insert(ready.end(), replies->second.rbegin(), replies->second.rend());
        waiting.erase(replies);
      }
    }
  };
  for (std::uint32_t at : order) {
    ImportedPost& post = posts_[at];
    auto page = pages_.find(post.threadSourceId);
    if (repeated[at] || page == pages_.end()) {
      totals.skipped += 1;  // reported by the link check
      continue;
    }
    if (page->second.thread.deleted) {
      totals.skipped += 1;
      leftOutByPage[post.threadSourceId] += 1;
      continue;
    }
    if (madeTopLevel.count(post.sourceId) != 0) post.parentSourceId.clear();
    if (!post.parentSourceId.empty() && done.count(post.parentSourceId) == 0) {
      waiting[post.parentSourceId].push_back(at);
      continue;
    }
    run(at);
  }
  // Replies whose parent never came (it was left out with a deleted page): top level, each said.
  std::vector<std::uint32_t> orphans;
  for (const auto& [parent, replies] : waiting) orphans.insert(orphans.end(), replies.begin(), replies.end());
  std::sort(orphans.begin(), orphans.end());
  waiting.clear();
  for (std::uint32_t at : orphans) run(at);
  for (const auto& [page, count] : leftOutByPage) {
    problems_.push_back(
        {"thread " + page, "the page was deleted in the source: its " + std::to_string(count) + " posts are left out"});
  }
  std::vector<ImportedPost>().swap(posts_);
  pages_.clear();
  links_ = LinkCheck{};
  return totals;
}

}  // namespace kring::server
