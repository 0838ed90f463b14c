// What the outbox's delivery threads share: a prepared statement that throws on failure, a delivery's
// stable id, and when a failed delivery is tried again.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "auth/signing.h"
#include "kring/engine.h"

namespace kring::server {

class OutboxStatement {
 public:
  OutboxStatement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &handle_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~OutboxStatement() { sqlite3_finalize(handle_); }
  OutboxStatement(const OutboxStatement&) = delete;
  OutboxStatement& operator=(const OutboxStatement&) = delete;

  OutboxStatement& bind(int column, const std::string& value) {
    sqlite3_bind_text(handle_, column, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  OutboxStatement& bind(int column, std::int64_t value) {
    sqlite3_bind_int64(handle_, column, value);
    return *this;
  }
  bool row() {
    const int step = sqlite3_step(handle_);
    if (step == SQLITE_ROW) return true;
    if (step != SQLITE_DONE) fail("step");
    return false;
  }
  void run() {
    if (sqlite3_step(handle_) != SQLITE_DONE) fail("step");
  }
  // Ready to run again with new values.
  OutboxStatement& reset() {
    sqlite3_reset(handle_);
    sqlite3_clear_bindings(handle_);
    return *this;
  }
  std::int64_t integer(int column) { return sqlite3_column_int64(handle_, column); }
  std::string text(int column) {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(handle_, column));
    return bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(handle_, column))) : std::string();
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("sqlite outbox ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* handle_ = nullptr;
};

// How a delivery round reads a site: `read` runs on the io thread against the site as it is then,
// once the site has applied the op of `sequence`. False when it has not yet (the rows wait), when the
// site is gone, or when the server stops. A round reads only what its rows name (a few lookups a
// row): a copy of the whole site took the io thread 30 to 40 ms at 40,000 posts, and every op
// waited behind it. `read` owns what it writes to: it may run after the call gave up waiting.
using SiteReads =
    std::function<bool(const std::string& siteId, Sequence sequence, std::function<void(const Engine&)> read)>;

// A connection of its own to the store's file, for a call that may run on any thread (the console's
// reads and writes of the outbox); waits up to 5 s for a writer. `what` names the caller in errors.
using StoreConnection = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;
inline StoreConnection openStoreConnection(const std::string& path, int flags, const char* what) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  StoreConnection db(raw, sqlite3_close);
  if (opened != SQLITE_OK) throw std::runtime_error(std::string("sqlite open for ") + what + ": " + path);
  sqlite3_busy_timeout(raw, 5'000);
  return db;
}

// What a delivery does with one row of its table (outbox, webhook_deliveries): states 0 pending,
// 1 sent, 2 skipped, 3 dead.
enum class RowState { pending = 0, sent = 1, skipped = 2, dead = 3 };

// A round's marks on the rows of one table (outbox, webhook_deliveries), written together once its
// sends are done: one commit for the round instead of one per row, and no write lock held while the
// mails or webhooks go. A crash before the write sends the round again, with the same ids.
class RowMarks {
 public:
  explicit RowMarks(std::string table) : table_(std::move(table)) {}

  void finish(std::int64_t id, RowState state, std::string outcome, std::int64_t attempts, std::int64_t now) {
    marks_.push_back({id, static_cast<std::int64_t>(state), std::move(outcome), attempts, now});
  }
  // Pending again at `due`, after a failed try (its count and why).
  void retry(std::int64_t id, std::int64_t due, std::int64_t attempts, std::string outcome) {
    marks_.push_back({id, kRetry, std::move(outcome), attempts, due});
  }
  // Pending again at `due` without a try (a site copy too old, a cap, a daily time).
  void postpone(std::int64_t id, std::int64_t due) { marks_.push_back({id, kPostpone, {}, 0, due}); }

  // Writes every mark in one transaction and forgets them; throws (rolled back) on a store failure.
  void write(sqlite3* db) {
    if (marks_.empty()) return;
    OutboxStatement(db, "BEGIN IMMEDIATE").run();
    try {
      // Each statement prepared once a round, not once a row; finalized before the commit.
      {
        OutboxStatement finish(
            db,
            ("UPDATE " + table_ + " SET state = ?1, outcome = ?2, done_ms = ?3, attempts = ?4 WHERE id = ?5").c_str());
        OutboxStatement retry(
            db, ("UPDATE " + table_ + " SET due_ms = ?1, attempts = ?2, outcome = ?3 WHERE id = ?4").c_str());
        OutboxStatement postpone(db, ("UPDATE " + table_ + " SET due_ms = ?1 WHERE id = ?2").c_str());
        for (const Mark& mark : marks_) {
          if (mark.kind == kPostpone) {
            postpone.reset().bind(1, mark.time).bind(2, mark.id).run();
          } else if (mark.kind == kRetry) {
            retry.reset().bind(1, mark.time).bind(2, mark.attempts).bind(3, mark.outcome).bind(4, mark.id).run();
          } else {
            finish.reset()
                .bind(1, mark.kind)
                .bind(2, mark.outcome)
                .bind(3, mark.time)
                .bind(4, mark.attempts)
                .bind(5, mark.id)
                .run();
          }
        }
      }
      OutboxStatement(db, "COMMIT").run();
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      marks_.clear();
      throw;
    }
    marks_.clear();
  }

 private:
  static constexpr std::int64_t kRetry = -1;
  static constexpr std::int64_t kPostpone = -2;
  struct Mark {
    std::int64_t id;
    std::int64_t kind;  // a RowState, kRetry or kPostpone
    std::string outcome;
    std::int64_t attempts;
    std::int64_t time;  // done_ms, or due_ms
  };
  std::string table_;
  std::vector<Mark> marks_;
};

// 32 hex digits that name one delivery whatever the try: its Message-ID, its webhook-id.
inline std::string stableHexId(const std::string& siteId, const std::string& text) {
  std::optional<Digest> digest = hmacSha256(siteId.empty() ? "kring" : siteId, text);
  std::string hex;
  constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; digest && i < 16; ++i) {
    hex += kHex[(*digest)[i] >> 4];
    hex += kHex[(*digest)[i] & 15];
  }
  return hex;
}

// Exponential backoff with full jitter over its upper half: the `attempts`th failure waits about
// first * 2^(attempts - 1), at most `most`, so a receiver that comes back is not met by every row at once.
inline std::int64_t retryDelay(std::int64_t attempts, std::chrono::milliseconds first, std::chrono::milliseconds most,
                               std::uint64_t& jitter) {
  std::int64_t wait = first.count();
  for (std::int64_t i = 1; i < attempts && wait < most.count(); ++i) wait *= 2;
  wait = std::min<std::int64_t>(wait, most.count());
  jitter ^= jitter << 13;
  jitter ^= jitter >> 7;
  jitter ^= jitter << 17;
  return wait / 2 + static_cast<std::int64_t>(jitter % static_cast<std::uint64_t>(wait / 2 + 1));
}

// A round's rows by site, each site read once for all of its rows. A row of a site that `sites` does
// not hold is finished as skipped, `why`.
template <class Row, class Sites>
std::map<std::string, std::vector<Row*>> rowsBySite(std::vector<Row>& rows, const Sites& sites, const char* why,
                                                    RowMarks& marks, std::int64_t now) {
  std::map<std::string, std::vector<Row*>> bySite;
  for (Row& row : rows) {
    if (sites.count(row.site)) {
      bySite[row.site].push_back(&row);
    } else {
      marks.finish(row.id, RowState::skipped, why, row.attempts, now);
    }
  }
  return bySite;
}

}  // namespace kring::server
