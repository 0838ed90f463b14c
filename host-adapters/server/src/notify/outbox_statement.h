// What the outbox's delivery threads share: a prepared statement that throws on failure, a delivery's
// stable id, and when a failed delivery is tried again.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "auth/signing.h"

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

// What a delivery does with one row of its table (outbox, webhook_deliveries): states 0 pending,
// 1 sent, 2 skipped, 3 dead.
enum class RowState { pending = 0, sent = 1, skipped = 2, dead = 3 };

inline void finishRow(sqlite3* db, const std::string& table, std::int64_t id, RowState state,
                      const std::string& outcome, std::int64_t attempts, std::int64_t now) {
  const std::string sql =
      "UPDATE " + table + " SET state = ?1, outcome = ?2, done_ms = ?3, attempts = ?4 WHERE id = ?5";
  OutboxStatement(db, sql.c_str())
      .bind(1, static_cast<std::int64_t>(state))
      .bind(2, outcome)
      .bind(3, now)
      .bind(4, attempts)
      .bind(5, id)
      .run();
}

// Pending again at `due`: after a failed try (its count and why), or without one (a site copy too old).
inline void retryRow(sqlite3* db, const std::string& table, std::int64_t id, std::int64_t due, std::int64_t attempts,
                     const std::string& outcome) {
  const std::string sql = "UPDATE " + table + " SET due_ms = ?1, attempts = ?2, outcome = ?3 WHERE id = ?4";
  OutboxStatement(db, sql.c_str()).bind(1, due).bind(2, attempts).bind(3, outcome).bind(4, id).run();
}
inline void postponeRow(sqlite3* db, const std::string& table, std::int64_t id, std::int64_t due) {
  const std::string sql = "UPDATE " + table + " SET due_ms = ?1 WHERE id = ?2";
  OutboxStatement(db, sql.c_str()).bind(1, due).bind(2, id).run();
}

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

}  // namespace kring::server
