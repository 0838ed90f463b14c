#include "committer.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

namespace kring::server {

Committer::Committer(Storage& storage, std::function<void(std::vector<Callback>)> deliver,
                     std::chrono::milliseconds commitDelay)
    : storage_(storage), deliver_(std::move(deliver)), commitDelay_(commitDelay), thread_([this] { run(); }) {}

Committer::~Committer() { drainAndStop(); }

void Committer::append(StoredOp op, Callback committed) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{std::move(op), std::move(committed), false});
  }
  wake_.notify_one();
}

void Committer::saveSnapshot(std::string siteId, Sequence sequence, Bytes snapshot) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{StoredOp{std::move(siteId), sequence, {}, std::move(snapshot)}, {}, true});
  }
  wake_.notify_one();
}

void Committer::drainAndStop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Committer::Stats Committer::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Committer::run() {
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      batch.swap(queue_);
    }
    std::vector<StoredOp> ops;
    std::vector<Callback> callbacks;
    try {
      for (Item& item : batch) {
        if (item.isSnapshot) continue;
        ops.push_back(std::move(item.op));
        if (item.committed) callbacks.push_back(std::move(item.committed));
      }
      if (!ops.empty() && commitDelay_.count() > 0) std::this_thread::sleep_for(commitDelay_);
      if (!ops.empty()) storage_.append(ops);
      // Snapshots after the ops they cover, so a snapshot never runs ahead of the log.
      for (Item& item : batch) {
        if (item.isSnapshot) storage_.saveSnapshot(item.op.siteId, item.op.sequence, item.op.op);
      }
    } catch (const std::exception& e) {
      // The engine has applied ops the store refused: the only safe move is to stop and replay.
      std::fprintf(stderr, "{\"level\":\"fatal\",\"event\":\"storage_failed\",\"error\":\"%s\"}\n", e.what());
      std::abort();
    }
    {
      std::lock_guard lock(mutex_);
      stats_.ops += ops.size();
      stats_.transactions += ops.empty() ? 0 : 1;
    }
    if (!callbacks.empty()) deliver_(std::move(callbacks));
  }
}

}  // namespace kring::server
