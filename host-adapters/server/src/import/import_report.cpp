#include "import/import_report.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace kring::server {
namespace {

bool allDigits(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool sourceIdLess(std::string_view a, std::string_view b) {
  if (allDigits(a) && allDigits(b)) {
    a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
    b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
    if (a.size() != b.size()) return a.size() < b.size();
  }
  return a < b;
}

std::uint32_t LinkCheck::store(std::string_view value) {
  // Offsets are 32 bits: an arena past 4 GiB (some hundred million posts) is out of this design.
  auto at = static_cast<std::uint32_t>(arena_.size());
  arena_.append(value);
  arena_.push_back('\0');
  return at;
}

std::string_view LinkCheck::text(std::uint32_t at) const { return std::string_view(arena_.c_str() + at); }

void LinkCheck::addThread(std::string_view sourceId) { threads_.push_back(store(sourceId)); }

void LinkCheck::addPost(std::string_view sourceId, std::string_view threadSourceId, std::string_view parentSourceId) {
  Link link{store(sourceId), store(threadSourceId), kNone};
  if (!parentSourceId.empty()) link.parent = store(parentSourceId);
  posts_.push_back(link);
}

std::size_t LinkCheck::bytesHeld() const {
  return arena_.capacity() + threads_.capacity() * sizeof(std::uint32_t) + posts_.capacity() * sizeof(Link);
}

LinkReport LinkCheck::finish() const {
  LinkReport report;
  auto fix = [&](std::uint32_t post, LinkFix::Action action, std::string message) {
    std::string id(text(posts_[post].id));
    report.problems.push_back({"post " + id, std::move(message)});
    report.fixes.push_back({std::move(id), action});
  };
  auto byText = [&](std::uint32_t a, std::uint32_t b) { return text(a) < text(b); };

  std::vector<std::uint32_t> threads = threads_;
  std::sort(threads.begin(), threads.end(), byText);
  auto threadExists = [&](std::uint32_t id) { return std::binary_search(threads.begin(), threads.end(), id, byText); };

  const auto count = static_cast<std::uint32_t>(posts_.size());
  std::vector<std::uint32_t> order(count);  // post indexes by id, the first of equal ids first
  for (std::uint32_t i = 0; i < count; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return text(posts_[a].id) < text(posts_[b].id); });
  auto find = [&](std::string_view id) -> std::uint32_t {
    auto at = std::lower_bound(order.begin(), order.end(), id, [&](std::uint32_t post, std::string_view value) {
      return text(posts_[post].id) < value;
    });
    return at != order.end() && text(posts_[*at].id) == id ? *at : kNone;
  };

  std::vector<bool> skipped(count, false);
  for (std::uint32_t i = 1; i < count; ++i) {
    if (text(posts_[order[i]].id) == text(posts_[order[i - 1]].id)) {
      skipped[order[i]] = true;
      if (text(posts_[order[i - 1]].id) != (i >= 2 ? text(posts_[order[i - 2]].id) : std::string_view())) {
        fix(order[i], LinkFix::Action::keepFirstOnly, "this post id appears more than once: the first is kept");
      }
    }
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    if (skipped[i] || threadExists(posts_[i].thread)) continue;
    skipped[i] = true;
    fix(i, LinkFix::Action::skip, "its thread " + std::string(text(posts_[i].thread)) + " is not in the file: skipped");
  }

  std::vector<std::uint32_t> parent(count, kNone);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (skipped[i] || posts_[i].parent == kNone) continue;
    std::string_view parentId = text(posts_[i].parent);
    std::uint32_t p = find(parentId);
    if (p == kNone || skipped[p]) {
      fix(i, LinkFix::Action::topLevel, "its parent " + std::string(parentId) + " is not in the file: made top level");
    } else if (text(posts_[p].thread) != text(posts_[i].thread)) {
      fix(i, LinkFix::Action::topLevel,
          "its parent " + std::string(parentId) + " is in another thread: made top level");
    } else {
      parent[i] = p;
    }
  }

  // Each post has one parent at most, so a walk up from any post either ends or enters one cycle.
  enum : std::uint8_t { unseen, onPath, done };
  std::vector<std::uint8_t> state(count, unseen);
  std::vector<std::uint32_t> path;
  for (std::uint32_t start = 0; start < count; ++start) {
    if (state[start] != unseen || skipped[start]) continue;
    path.clear();
    std::uint32_t at = start;
    while (at != kNone && state[at] == unseen) {
      state[at] = onPath;
      path.push_back(at);
      at = parent[at];
    }
    if (at != kNone && state[at] == onPath) {
      auto first = std::find(path.begin(), path.end(), at);
      std::uint32_t highest = *first;
      for (auto it = first; it != path.end(); ++it) {
        if (sourceIdLess(text(posts_[highest].id), text(posts_[*it].id))) highest = *it;
      }
      auto length = path.end() - first;
      fix(highest, LinkFix::Action::topLevel,
          length == 1
              ? std::string("it is its own parent: made top level")
              : "its replies go round in a cycle of " + std::to_string(length) + " posts: broken here, made top level");
    }
    for (std::uint32_t post : path) state[post] = done;
  }
  return report;
}

}  // namespace kring::server
