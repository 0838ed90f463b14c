// Thread snapshots encoded once per viewer class and shared by every subscriber of that class until
// an op changes the thread (or the whole site); members the thread names get their own (snapshot.h,
// threadSubjects). A subscribe storm then costs one encode per class, not one per subscriber.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kring/engine.h"
#include "kring/visibility.h"
#include "sync/connection.h"

namespace kring::server {

class SnapshotCache {
 public:
  // Cached snapshots beyond `maxBytes` are dropped (those of other threads first).
  explicit SnapshotCache(std::size_t maxBytes) : maxBytes_(maxBytes) {}

  // The thread as the viewer may hold it, in parts; nullptr when the engine has no such thread.
  SharedSnapshot get(const Engine& engine, const std::string& threadKey, const Viewer& viewer) {
    return cached(engine, threadKey, viewer, std::nullopt);
  }
  // Its first page in `order` (thread_page.h), shared the same way: a subscribe storm on a big thread
  // cuts it once per class and order.
  SharedSnapshot firstPage(const Engine& engine, const std::string& threadKey, SortOrder order, const Viewer& viewer) {
    return cached(engine, threadKey, viewer, order);
  }
  // An op changed the thread, or (clear) something every thread's snapshot shows.
  void invalidate(const std::string& threadKey);
  void clear();

  std::size_t bytes() const { return bytes_; }

 private:
  static constexpr std::size_t kClasses = 3;
  static constexpr std::size_t kOrders = static_cast<std::size_t>(EnumTable<SortOrder>::last) + 1;
  struct Entry {
    std::vector<std::string> subjects;  // sorted: threadSubjects
    std::array<SharedSnapshot, kClasses> byClass;
    std::array<std::array<SharedSnapshot, kClasses>, kOrders> firstPages;  // by order, then class
    std::size_t bytes = 0;                                                 // its snapshots' and subjects' together
  };
  // The whole thread (no order) or its first page in the order.
  SharedSnapshot cached(const Engine& engine, const std::string& threadKey, const Viewer& viewer,
                        std::optional<SortOrder> order);
  SharedSnapshot encode(const Engine& engine, const std::string& threadKey, const Viewer& viewer,
                        std::optional<SortOrder> order);

  std::unordered_map<std::string, Entry> entries_;
  std::size_t maxBytes_;
  std::size_t bytes_ = 0;
};

}  // namespace kring::server
