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
  for (const auto& weak : followed.readers) {
    if (auto reader = weak.lock()) reader->send(event);
  }
}

}  // namespace kring::server
