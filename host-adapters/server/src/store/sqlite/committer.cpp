#include "store/sqlite/committer.h"

#include "observe/logging.h"

#include <stdexcept>
#include <thread>

namespace kring::server {

Committer::Committer(SqliteStore& storage, std::function<void(std::vector<Callback>)> deliver, StoreHealth& health,
                     std::chrono::milliseconds commitDelay, Timed timed)
    : storage_(storage),
      health_(health),
      deliver_(std::move(deliver)),
      commitDelay_(commitDelay),
      timed_(std::move(timed)),
      thread_([this] { run(); }) {}

Committer::~Committer() { drainAndStop(); }

void Committer::append(StoredOp op, Callback committed) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{std::move(op), std::move(committed), nullptr});
  }
  wake_.notify_one();
}

void Committer::keepOutboxRows(StoredOp) { throw std::logic_error("SQLite's ops carry their outbox rows to append()"); }

void Committer::recordContact(MemberContact contact) {
  {
    std::lock_guard lock(mutex_);
    contacts_.push_back(std::move(contact));
  }
  wake_.notify_one();
}

void Committer::submit(const std::string&, Op) {
  throw std::logic_error("SQLite's op log is written in the order its one server applied the ops: append them");
}

void Committer::saveCheckpoint(ChangedRecords changed, CheckpointRequest request) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{StoredOp{}, {}, std::make_unique<ChangedRecords>(std::move(changed)), std::move(request)});
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

bool Committer::untilStored(const char* what, const std::function<void()>& attempt) {
  constexpr int kTriesWhenStopping = 3;
  RetryPause pause;
  for (int failures = 1;; ++failures) {
    try {
      attempt();
      health_.succeeded();
      return true;
    } catch (const std::exception& e) {
      health_.failed(what, e.what());
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && failures >= kTriesWhenStopping) return false;
    }
    std::this_thread::sleep_for(pause.next());
  }
}

void Committer::run() {
  for (;;) {
    std::vector<Item> batch;
    std::vector<MemberContact> contacts;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || !contacts_.empty(); });
      if (queue_.empty() && contacts_.empty()) return;  // stopping, and everything is written
      batch.swap(queue_);
      contacts.swap(contacts_);
    }
    std::vector<StoredOp> ops;
    std::vector<Callback> callbacks;
    Stats written;
    for (Item& item : batch) {
      if (item.checkpoint) continue;
      ops.push_back(std::move(item.op));
      if (item.committed) callbacks.push_back(std::move(item.committed));
    }
    bool notifies = false;
    for (const StoredOp& op : ops) notifies = notifies || !op.notifications.empty() || !op.webhooks.empty();
    if (!ops.empty() || !contacts.empty()) {
      const auto commitStart = std::chrono::steady_clock::now();
      if (commitDelay_.count() > 0) std::this_thread::sleep_for(commitDelay_);
      if (!untilStored("append ops", [&] { storage_.append(ops, contacts); })) {
        logEvent("error", "ops_not_stored_at_shutdown",
                 {{"ops", std::to_string(ops.size())}, {"note", "never acknowledged: clients send them again"}});
        return;
      }
      if (timed_) timed_(std::chrono::steady_clock::now() - commitStart);
      written.ops = ops.size();
      written.transactions = 1;
      if (notifies && outboxWritten_) outboxWritten_();
    }
    if (!callbacks.empty()) deliver_(std::move(callbacks));
    // Checkpoints after the ops they cover, so a checkpoint never runs ahead of the log.
    for (Item& item : batch) {
      if (!item.checkpoint) continue;
      CheckpointCost cost;
      try {
        cost = writeCheckpoint(storage_, std::move(item.checkpoint), item.request,
                               [this](const std::function<void()>& write) {
                                 if (!untilStored("write a checkpoint", write))
                                   throw std::runtime_error("stopping with the store refusing writes");
                               });
      } catch (const std::exception& e) {
        // The next start replays the ops after the last checkpoint written.
        logEvent("error", "checkpoint_not_written", {{"error", e.what()}});
        continue;
      }
      if (item.request.written) deliver_({std::move(item.request.written)});
      written.checkpoints += 1;
      written.checkpointParts += cost.parts;
      written.checkpointBytes += cost.bytes;
      written.checkpointMicroseconds += cost.microseconds;
    }
    std::lock_guard lock(mutex_);
    stats_.ops += written.ops;
    stats_.transactions += written.transactions;
    stats_.checkpoints += written.checkpoints;
    stats_.checkpointParts += written.checkpointParts;
    stats_.checkpointBytes += written.checkpointBytes;
    stats_.checkpointMicroseconds += written.checkpointMicroseconds;
  }
}

}  // namespace kring::server
