#include "notify/outbox_thread.h"

#include <stdexcept>

#include "notify/outbox_statement.h"
#include "observe/logging.h"
#include "util/clock.h"
#include "util/thread_priority.h"

namespace kring::server {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kKeepDoneRowsMs = 30 * 24 * kHourMs;
constexpr std::chrono::steady_clock::duration kGather = std::chrono::milliseconds(10);

}  // namespace

OutboxThread::OutboxThread(const OutboxDatabase& database, std::string table, std::string failure,
                           std::chrono::milliseconds poll, std::function<bool(OutboxConnection&)> round)
    : table_(std::move(table)), failure_(std::move(failure)), poll_(poll), round_(std::move(round)) {
  db_ = database.connect(OutboxDatabase::Access::write, table_.c_str());
  // A row's mark (sent, retried) need not reach the disk before the next: a crash that loses one
  // sends that mail or webhook again, with the same id (at least once). Fsyncing each mark held the
  // outbox to a few dozen a second. The rows themselves are written with the ops, fully synced.
  db_->syncEachCommit(false);
  thread_ = std::thread([this] { run(); });
}

OutboxThread::~OutboxThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OutboxThread::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void OutboxThread::run() {
  // Mails and webhooks may wait a moment; an op's acknowledgement should not. Nice 10, like the
  // console's reader: the io and commit threads go first when the cores are busy, and the lanes a
  // round starts inherit it.
  runThisThreadAtNice(10);
  const std::string cleanup = "DELETE FROM " + table_ + " WHERE state != 0 AND done_ms < $1";
  std::int64_t lastCleanup = 0;
  bool found = false;
  std::chrono::steady_clock::duration took{};
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (!found) {
        // An empty round waits for a commit's wake or the poll.
        wake_.wait_for(lock, poll_, [this] { return stopping_ || woken_; });
      } else if (took < kGather) {
        // A quick round that found rows lets the next commits' rows gather for a moment, so that
        // a steady trickle of ops costs a round (a read on the io thread, a write of marks) for many
        // rows, not for each. A round that took longer found more waiting: the next goes at once.
        wake_.wait_for(lock, kGather - took, [this] { return stopping_.load(); });
      }
      if (stopping_) return;
      woken_ = false;
    }
    try {
      const auto started = std::chrono::steady_clock::now();
      found = round_(*db_);
      took = std::chrono::steady_clock::now() - started;
      const std::int64_t now = nowMilliseconds();
      if (now - lastCleanup > kHourMs) {
        OutboxStatement(*db_, cleanup).bind(1, now - kKeepDoneRowsMs).run();
        lastCleanup = now;
      }
    } catch (const std::exception& e) {
      // The store refused (busy, full): the rows stay pending and the next round tries them again.
      logEvent("warn", failure_, {{"error", e.what()}});
      found = false;
    }
  }
}

}  // namespace kring::server
