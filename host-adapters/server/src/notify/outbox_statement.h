// What the outbox's delivery threads share: a prepared statement that throws on failure, a delivery's
// stable id, and when a failed delivery is tried again.
#pragma once

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
#include "store/outbox_database.h"

namespace kring::server {

// A statement of the outbox's database (outbox_database.h), bound and run in a chain.
class OutboxStatement {
 public:
  OutboxStatement(OutboxConnection& db, const std::string& sql) : query_(db.prepare(sql)) {}

  OutboxStatement& bind(int column, const std::string& value) {
    query_->bind(column, value);
    return *this;
  }
  OutboxStatement& bind(int column, std::int64_t value) {
    query_->bind(column, value);
    return *this;
  }
  bool row() { return query_->row(); }
  void run() { query_->run(); }
  // Ready to run again with new values.
  OutboxStatement& reset() {
    query_->reset();
    return *this;
  }
  std::int64_t integer(int column) { return query_->integer(column); }
  std::string text(int column) { return query_->text(column); }

 private:
  std::unique_ptr<OutboxQuery> query_;
};

// How a delivery round reads a site: `read` runs on the io thread against the site as it is then,
// once the site has applied the op of `sequence`. False when it has not yet (the rows wait), when the
// site is gone, or when the server stops. A round reads only what its rows name (a few lookups a
// row): a copy of the whole site took the io thread 30 to 40 ms at 40,000 posts, and every op
// waited behind it. `read` owns what it writes to: it may run after the call gave up waiting.
using SiteReads =
    std::function<bool(const std::string& siteId, Sequence sequence, std::function<void(const Engine&)> read)>;

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
  void write(OutboxConnection& db) {
    if (marks_.empty()) return;
    db.begin();
    try {
      // Each statement prepared once a round, not once a row; finalized before the commit.
      {
        OutboxStatement finish(
            db, "UPDATE " + table_ + " SET state = $1, outcome = $2, done_ms = $3, attempts = $4 WHERE id = $5");
        OutboxStatement retry(db, "UPDATE " + table_ + " SET due_ms = $1, attempts = $2, outcome = $3 WHERE id = $4");
        OutboxStatement postpone(db, "UPDATE " + table_ + " SET due_ms = $1 WHERE id = $2");
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
      db.commit();
    } catch (...) {
      db.rollback();
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

// " IN ($first, …)" for `count` parameters: a statement's list of values, bound one by one.
inline std::string parameterList(int first, std::size_t count) {
  std::string list = " IN (";
  for (std::size_t i = 0; i < count; ++i) list += (i ? ", $" : "$") + std::to_string(first + static_cast<int>(i));
  return list + ")";
}

// The sites whose due rows a round takes: those this server delivers now, as a condition on the
// `site` column with its values (bound from parameter `first` on). The condition is empty when it
// delivers every site it knows (one server: a row of a site it does not know is skipped), and there
// is none when it delivers none of them now (other servers hold their locks).
struct DeliveredSites {
  std::string condition;
  std::vector<std::string> sites;

  void bind(OutboxStatement& statement, int first) const {
    for (const std::string& site : sites) statement.bind(first++, site);
  }
};
template <class Sites>
std::optional<DeliveredSites> deliveredSites(const OutboxDatabase& database, const Sites& sites, int first) {
  DeliveredSites delivered;
  for (const auto& [siteId, site] : sites) {
    if (database.delivers(siteId)) delivered.sites.push_back(siteId);
  }
  if (delivered.sites.empty()) return std::nullopt;
  if (delivered.sites.size() == sites.size()) {
    delivered.sites.clear();
    return delivered;
  }
  delivered.condition = " AND site" + parameterList(first, delivered.sites.size());
  return delivered;
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
