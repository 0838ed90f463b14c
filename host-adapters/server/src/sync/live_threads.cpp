#include "sync/live_threads.h"

#include <algorithm>

#include "render/page_changes.h"

namespace kring::server {

void LiveThreads::follow(const std::string& threadKey, const std::weak_ptr<LiveReader>& reader, SharedPage shown) {
  auto [it, added] = threads_.try_emplace(threadKey);
  if (added) it->second.shown = std::move(shown);
  std::vector<std::weak_ptr<LiveReader>>& readers = it->second.readers;
  // Gone followers leave when the list would grow past twice the last count: a thread's list stays
  // bounded by its open streams even when nothing changes it.
  if (readers.size() == readers.capacity()) std::erase_if(readers, [](const auto& weak) { return weak.expired(); });
  readers.push_back(reader);
}

void LiveThreads::unfollow(const std::string& threadKey, const LiveReader* reader) {
  auto it = threads_.find(threadKey);
  if (it == threads_.end()) return;
  std::erase_if(it->second.readers, [reader](const auto& weak) {
    auto alive = weak.lock();
    return !alive || alive.get() == reader;
  });
  if (it->second.readers.empty()) {
    threads_.erase(it);
    changed_.erase(threadKey);
  }
}

void LiveThreads::changed(const std::string& threadKey) {
  if (!threadKey.empty()) {
    if (threads_.contains(threadKey)) changed_.insert(threadKey);
    return;
  }
  for (const auto& [key, followed] : threads_) changed_.insert(key);
}

std::size_t LiveThreads::readers() const {
  std::size_t count = 0;
  for (const auto& [key, followed] : threads_) {
    count += std::count_if(followed.readers.begin(), followed.readers.end(),
                           [](const auto& weak) { return !weak.expired(); });
  }
  return count;
}

std::string LiveThreads::frame(const std::string& changes) { return "data: " + changes + "\n\n"; }

void LiveThreads::publishTo(Threads::iterator it, SharedPage now) {
  Followed& followed = it->second;
  std::erase_if(followed.readers, [](const auto& weak) { return weak.expired(); });
  if (followed.readers.empty()) {
    threads_.erase(it);
    return;
  }
  if (!now) return;
  const PageParts none;  // a thread created since it was followed
  std::string changes = pageChanges(followed.shown ? followed.shown->parts : none, now->parts);
  followed.shown = std::move(now);
  if (changes.empty()) return;
  auto event = std::make_shared<const std::string>(frame(changes));
  // A reader that falls too far behind closes in send() and unfollows: the list (even the thread's
  // entry) may change under the loop, so the loop walks its own copy.
  std::vector<std::shared_ptr<LiveReader>> readers;
  readers.reserve(followed.readers.size());
  for (const auto& weak : followed.readers) {
    if (auto reader = weak.lock()) readers.push_back(std::move(reader));
  }
  for (const auto& reader : readers) reader->send(event);
}

}  // namespace kring::server
