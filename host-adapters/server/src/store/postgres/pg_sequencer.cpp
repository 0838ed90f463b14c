#include "store/postgres/pg_sequencer.h"

#include <pqxx/pqxx>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "observe/logging.h"

namespace kring::server {

namespace {

constexpr std::size_t kCatchUpRows = 10'000;
constexpr auto kPollEvery = std::chrono::seconds(1);
constexpr auto kAskLockEvery = std::chrono::seconds(5);

class OpsNotifications final : public pqxx::notification_receiver {
 public:
  OpsNotifications(pqxx::connection_base& connection, std::function<void(const std::string&)> notified)
      : pqxx::notification_receiver(connection, kPgOpsChannel), notified_(std::move(notified)) {}
  void operator()(const std::string& payload, int) override { notified_(payload); }

 private:
  std::function<void(const std::string&)> notified_;
};

[[noreturn]] void fatal(const char* event, const std::string& detail) {
  std::fprintf(stderr, "{\"level\":\"fatal\",\"event\":\"%s\",\"error\":\"%s\"}\n", event, detail.c_str());
  std::abort();
}

}  // namespace

Sequencer::Sequencer(PgStore& store, std::unique_ptr<PgStore> checkpoints, Deliver deliver,
                     std::vector<std::pair<std::string, Sequence>> appliedUpTo, StoreHealth& health)
    : store_(store), checkpointStore_(std::move(checkpoints)), health_(health), deliver_(std::move(deliver)) {
  for (auto& [site, sequence] : appliedUpTo) {
    applied_[site] = sequence;
    // Asked once before the server takes ops, so that a lone server writes its checkpoints from its
    // first ops on (asked only on the checkpoint thread, a busy machine could let the first ten pass
    // first); a failure here is asked again there.
    bool held = false;
    try {
      held = checkpointStore_->tryCheckpointLock(site);
    } catch (const std::exception&) {}
    if (held) {
      checkpointWriter_.insert(site);
    } else {
      lockWanted_.insert(site);
    }
  }
  thread_ = std::thread([this] { run(); });
  checkpointThread_ = std::thread([this] { writeCheckpoints(); });
  listener_ = std::thread([this] { listen(); });
}

Sequencer::~Sequencer() { drainAndStop(); }

void Sequencer::append(StoredOp, std::function<void()>) {
  throw std::logic_error("PostgreSQL's op log orders the ops itself: submit them");
}

void Sequencer::submit(const std::string& siteId, Op op) {
  {
    std::lock_guard lock(mutex_);
    submitted_.emplace_back(siteId, std::move(op));
  }
  wake_.notify_one();
}

void Sequencer::saveCheckpoint(ChangedRecords changed, CheckpointRequest request) {
  {
    std::lock_guard lock(mutex_);
    checkpoints_.push_back(Checkpoint{std::make_unique<ChangedRecords>(std::move(changed)), std::move(request)});
  }
  checkpointWake_.notify_one();
}

void Sequencer::recordContact(MemberContact contact) {
  {
    std::lock_guard lock(mutex_);
    contacts_.push_back(std::move(contact));
  }
  checkpointWake_.notify_one();
}

void Sequencer::keepOutboxRows(StoredOp rows) {
  {
    std::lock_guard lock(mutex_);
    outboxRows_.push_back(std::move(rows));
  }
  checkpointWake_.notify_one();
}

void Sequencer::setOutboxWritten(std::function<void()> written) {
  std::lock_guard lock(mutex_);
  outboxWritten_ = std::move(written);
}

bool Sequencer::writeOutbox(std::vector<StoredOp> rows, std::vector<MemberContact> contacts) {
  if (rows.empty() && contacts.empty()) return true;
  // A done row is cleaned away after 30 days (notify/outbox_thread.cpp): an op replayed from a
  // checkpoint older than 29 does not make its rows again.
  constexpr std::int64_t kRowsKeptMs = 29LL * 24 * 3'600'000;
  const auto oldestKept = static_cast<TimeMs>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() -
      kRowsKeptMs);
  if (!untilDone(*checkpointStore_, "write outbox rows",
                 [&] { checkpointStore_->writeOutbox(rows, contacts, oldestKept); })) {
    return false;
  }
  std::function<void()> written;
  {
    std::lock_guard lock(mutex_);
    written = outboxWritten_;
  }
  if (written && !rows.empty()) written();
  return true;
}

bool Sequencer::writesCheckpoints(const std::string& siteId) {
  std::lock_guard lock(mutex_);
  if (checkpointWriter_.count(siteId) != 0) return true;
  auto now = std::chrono::steady_clock::now();
  auto& askedAt = lockAskedAt_[siteId];
  if (now - askedAt >= kAskLockEvery) {
    askedAt = now;
    lockWanted_.insert(siteId);
    checkpointWake_.notify_one();
  }
  return false;
}

void Sequencer::drainAndStop() {
  listening_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  checkpointWake_.notify_one();
  if (listener_.joinable()) listener_.join();
  if (thread_.joinable()) thread_.join();
  if (checkpointThread_.joinable()) checkpointThread_.join();
}

WriterStats Sequencer::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool Sequencer::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

template <typename Attempt>
bool Sequencer::untilDone(PgStore& store, const char* what, Attempt&& attempt) {
  constexpr int kTriesWhenStopping = 3;
  const bool sequencing = &store == &store_;
  // A new connection; false (and the store unavailable) when none is made.
  auto reconnect = [&] {
    try {
      store.reconnect();
    } catch (const std::exception& e) {
      if (sequencing) health_.failed("connect", e.what());
      return false;
    }
    if (&store == checkpointStore_.get()) {
      // The locks went with the old connection's session.
      std::lock_guard lock(mutex_);
      for (const std::string& site : checkpointWriter_) lockWanted_.insert(site);
      checkpointWriter_.clear();
    }
    return true;
  };
  RetryPause pause;
  for (int failures = 1;; ++failures) {
    bool lost = false;
    try {
      attempt();
      if (sequencing) health_.succeeded();
      return true;
    } catch (const std::exception& e) {
      // A lost connection may be the store gone, or only this session ended (the database's idle
      // timeout after a pause, a restart that is over): a new one is tried at once. A lock or
      // statement timeout is only this try.
      lost = !store.connected() || dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
             dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
      if (failures == 1) logEvent("warn", "store_retry", {{"doing", what}, {"error", e.what()}});
    }
    if (failures >= kTriesWhenStopping && stopping()) return false;
    if (lost && reconnect() && failures == 1) continue;
    std::this_thread::sleep_for(pause.next());
  }
}

void Sequencer::run() {
  for (;;) {
    std::vector<std::pair<std::string, Op>> submitted;
    std::set<std::string> catchUps;
    bool pollAll = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !submitted_.empty() || !catchUps_.empty() || pollAll_; });
      if (stopping_ && submitted_.empty()) return;
      submitted.swap(submitted_);
      catchUps.swap(catchUps_);
      std::swap(pollAll, pollAll_);
    }
    // One transaction per site, its ops in the order they came.
    std::map<std::string, std::vector<Op>> bySite;
    for (auto& [site, op] : submitted) bySite[site].push_back(std::move(op));
    for (auto& [site, ops] : bySite) {
      catchUps.erase(site);  // its transaction reads what the others stored
      sequenceSite(site, std::move(ops));
    }
    if (pollAll) {
      std::vector<std::pair<std::string, Sequence>> sites;
      if (!untilDone(store_, "read the sites' logs", [&] { sites = store_.lastSequences(); })) continue;
      for (const auto& [site, last] : sites) {
        if (applied_.count(site) != 0 && last > applied_[site]) catchUps.insert(site);
      }
    }
    for (const std::string& site : catchUps) {
      if (applied_.count(site) != 0) catchUp(site);
    }
  }
}

void Sequencer::writeCheckpoints() {
  for (;;) {
    std::vector<Checkpoint> checkpoints;
    std::set<std::string> lockWanted;
    std::vector<StoredOp> outboxRows;
    std::vector<MemberContact> contacts;
    {
      std::unique_lock lock(mutex_);
      checkpointWake_.wait(lock, [this] {
        return stopping_ || !checkpoints_.empty() || !lockWanted_.empty() || !outboxRows_.empty() || !contacts_.empty();
      });
      if (stopping_ && checkpoints_.empty() && outboxRows_.empty() && contacts_.empty()) return;
      checkpoints.swap(checkpoints_);
      lockWanted.swap(lockWanted_);
      outboxRows.swap(outboxRows_);
      contacts.swap(contacts_);
    }
    // The rows before any checkpoint queued after them: a checkpoint past an op whose rows were
    // lost would lose them for good (a restart replays only the ops after it).
    if (!writeOutbox(std::move(outboxRows), std::move(contacts))) {
      logEvent("error", "outbox_rows_not_written_at_shutdown",
               {{"checkpoints_dropped", std::to_string(checkpoints.size())},
                {"note", "the next start replays the ops after the last checkpoint and makes them again"}});
      continue;
    }
    for (const std::string& site : lockWanted) {
      bool held = false;
      untilDone(*checkpointStore_, "take a checkpoint lock", [&] { held = checkpointStore_->tryCheckpointLock(site); });
      std::lock_guard lock(mutex_);
      if (held) checkpointWriter_.insert(site);
    }
    for (Checkpoint& checkpoint : checkpoints) {
      CheckpointCost cost;
      try {
        cost = writeCheckpoint(*checkpointStore_, std::move(checkpoint.changed), checkpoint.request,
                               [this](const std::function<void()>& write) {
                                 if (!untilDone(*checkpointStore_, "write a checkpoint", write)) {
                                   throw std::runtime_error("stopping with the store unreachable");
                                 }
                               });
      } catch (const std::exception& e) {
        // The next start replays the ops after the last checkpoint written.
        logEvent("error", "checkpoint_not_written", {{"error", e.what()}});
        continue;
      }
      if (checkpoint.request.written) checkpoint.request.written();
      std::lock_guard lock(mutex_);
      stats_.checkpoints += 1;
      stats_.checkpointParts += cost.parts;
      stats_.checkpointBytes += cost.bytes;
      stats_.checkpointMicroseconds += cost.microseconds;
    }
  }
}

void Sequencer::sequenceSite(const std::string& siteId, std::vector<Op> ops) {
  PgStore::Sequenced sequenced;
  Sequence& applied = applied_[siteId];
  if (!untilDone(store_, "sequence ops", [&] { sequenced = store_.sequence(siteId, ops, applied); })) {
    logEvent("error", "ops_not_stored_at_shutdown",
             {{"site", siteId},
              {"ops", std::to_string(ops.size())},
              {"note", "never acknowledged: clients send them again"}});
    return;
  }
  std::vector<SequencedOp> out;
  out.reserve(ops.size() + sequenced.before.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (sequenced.duplicate[i]) out.push_back(SequencedOp{std::move(ops[i]), true, true});
  }
  appendForeign(siteId, std::move(sequenced.before), out);
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (sequenced.duplicate[i]) continue;
    applied = ops[i].sequence;
    out.push_back(SequencedOp{std::move(ops[i]), true, false});
    ++stored;
  }
  {
    std::lock_guard lock(mutex_);
    stats_.ops += stored;
    stats_.transactions += 1;
  }
  deliver_(siteId, std::move(out));
}

void Sequencer::catchUp(const std::string& siteId) {
  for (;;) {
    std::vector<std::pair<Sequence, Bytes>> rows;
    if (!untilDone(store_, "read the others' ops",
                   [&] { rows = store_.opsAfter(siteId, applied_[siteId], kCatchUpRows); })) {
      return;
    }
    if (rows.empty()) return;
    bool more = rows.size() == kCatchUpRows;
    std::vector<SequencedOp> out;
    appendForeign(siteId, std::move(rows), out);
    deliver_(siteId, std::move(out));
    if (!more) return;
  }
}

void Sequencer::appendForeign(const std::string& siteId, std::vector<std::pair<Sequence, Bytes>> rows,
                              std::vector<SequencedOp>& out) {
  Sequence& applied = applied_[siteId];
  for (auto& [sequence, bytes] : rows) {
    if (sequence != applied + 1) {
      fatal("behind_the_log", "site " + siteId + ": the log moved past " + std::to_string(applied) +
                                  " (compacted); start again to load the checkpoint");
    }
    Result<Op> op = decodeOp(bytes);
    if (!op || op.value().sequence != sequence)
      fatal("bad_stored_op", "site " + siteId + " op " + std::to_string(sequence));
    applied = sequence;
    out.push_back(SequencedOp{std::move(op.value()), false, false});
  }
}

void Sequencer::listen() {
  bool failing = false;  // logged once for each time it is lost
  while (listening_) {
    try {
      pqxx::connection connection(store_.url());
      OpsNotifications notifications(connection, [this](const std::string& site) {
        std::lock_guard lock(mutex_);
        catchUps_.insert(site);
        wake_.notify_one();
      });
      failing = false;
      auto polledAt = std::chrono::steady_clock::now();
      {
        // What came while this connection was down.
        std::lock_guard lock(mutex_);
        pollAll_ = true;
        wake_.notify_one();
      }
      while (listening_) {
        connection.await_notification(0, 200'000);
        if (std::chrono::steady_clock::now() - polledAt >= kPollEvery) {
          polledAt = std::chrono::steady_clock::now();
          std::lock_guard lock(mutex_);
          pollAll_ = true;
          wake_.notify_one();
        }
      }
    } catch (const std::exception& e) {
      if (!failing) logEvent("error", "listen_failed", {{"error", e.what()}});
      // The database is away until the sequencer reaches it again (it polls once this reconnects).
      health_.failed("listen", e.what());
      failing = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

}  // namespace kring::server
