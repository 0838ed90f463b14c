#include "sync/snapshot_cache.h"

#include <algorithm>

#include "kring/snapshot.h"
#include "sync/page_frames.h"

namespace kring::server {

SharedSnapshot SnapshotCache::encode(const Engine& engine, const std::string& threadKey, const Viewer& viewer,
                                     std::optional<SortOrder> order) {
  if (order) return pageFrames(engine, LoadPage{threadKey, *order, {}, {}}, true, viewer);
  Result<EncodedPage> snapshot = encodeThreadSnapshotWithPosts(engine, threadKey, viewer);
  if (!snapshot) return nullptr;
  return snapshotFrames(threadKey, engine.lastSequence(), snapshot.value().bytes, snapshot.value().posts);
}

SharedSnapshot SnapshotCache::cached(const Engine& engine, const std::string& threadKey, const Viewer& viewer,
                                     std::optional<SortOrder> order) {
  if (!engine.hasThread(threadKey)) return nullptr;
  auto [entry, added] = entries_.try_emplace(threadKey);
  if (added) {
    entry->second.subjects = threadSubjects(engine, threadKey);
    for (const std::string& subject : entry->second.subjects)
      entry->second.bytes += sizeof(std::string) + subject.size();
    bytes_ += entry->second.bytes;
  }
  const std::vector<std::string>& subjects = entry->second.subjects;
  if (std::binary_search(subjects.begin(), subjects.end(), viewer.memberId))
    return encode(engine, threadKey, viewer, order);
  const auto viewerClass = static_cast<std::size_t>(viewer.viewerClass);
  SharedSnapshot& cached = order ? entry->second.firstPages[static_cast<std::size_t>(*order)][viewerClass]
                                 : entry->second.byClass[viewerClass];
  if (!cached) {
    cached = encode(engine, threadKey, Viewer{std::string(), viewer.viewerClass}, order);
    entry->second.bytes += cached->bytes;
    bytes_ += cached->bytes;
  }
  SharedSnapshot snapshot = cached;
  for (auto other = entries_.begin(); bytes_ > maxBytes_ && other != entries_.end();) {
    if (other->first == threadKey) {
      ++other;
      continue;
    }
    bytes_ -= other->second.bytes;
    other = entries_.erase(other);
  }
  if (bytes_ > maxBytes_) invalidate(threadKey);  // over the budget alone: sent, not kept
  return snapshot;
}

void SnapshotCache::invalidate(const std::string& threadKey) {
  auto entry = entries_.find(threadKey);
  if (entry == entries_.end()) return;
  bytes_ -= entry->second.bytes;
  entries_.erase(entry);
}

void SnapshotCache::clear() {
  entries_.clear();
  bytes_ = 0;
}

}  // namespace kring::server
