#include "notify/outbox_thread.h"

#include <stdexcept>

#include "notify/outbox_statement.h"
#include "observe/logging.h"
#include "util/clock.h"

namespace kring::server {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kKeepDoneRowsMs = 30 * 24 * kHourMs;

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
  const std::string cleanup = "DELETE FROM " + table_ + " WHERE state != 0 AND done_ms < $1";
  std::int64_t lastCleanup = 0;
  bool busy = false;
  for (;;) {
    {
      // A round that found rows is followed at once by the next (more may be due); only an empty
      // one waits for a commit's wake or the poll.
      std::unique_lock lock(mutex_);
      if (!busy) wake_.wait_for(lock, poll_, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    try {
      busy = round_(*db_);
      const std::int64_t now = nowMilliseconds();
      if (now - lastCleanup > kHourMs) {
        OutboxStatement(*db_, cleanup).bind(1, now - kKeepDoneRowsMs).run();
        lastCleanup = now;
      }
    } catch (const std::exception& e) {
      // The store refused (busy, full): the rows stay pending and the next round tries them again.
      logEvent("warn", failure_, {{"error", e.what()}});
      busy = false;
    }
  }
}

}  // namespace kring::server
