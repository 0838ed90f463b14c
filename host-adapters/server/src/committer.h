// Group commit: a thread that writes every queued op in one transaction, then reports each as
// committed. Acks and events go out only from those reports, so nothing unstored is acknowledged.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage.h"

namespace kring::server {

class Committer {
 public:
  using Callback = std::function<void()>;
  // `deliver` runs a callback on the engine's thread (the io context), in commit order.
  // `commitDelay` holds each transaction back, as a slow disk would: a test aid, 0 in production.
  Committer(Storage& storage, std::function<void(std::vector<Callback>)> deliver,
            std::chrono::milliseconds commitDelay = std::chrono::milliseconds(0));
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void append(StoredOp op, Callback committed);
  void saveSnapshot(std::string siteId, Sequence sequence, Bytes snapshot);
  // Writes what is queued, then stops the thread.
  void drainAndStop();

  struct Stats {
    std::uint64_t ops = 0;
    std::uint64_t transactions = 0;
  };
  Stats stats();

 private:
  struct Item {
    StoredOp op;
    Callback committed;
    bool isSnapshot = false;
  };
  void run();

  Storage& storage_;
  std::function<void(std::vector<Callback>)> deliver_;
  std::chrono::milliseconds commitDelay_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Item> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace kring::server
