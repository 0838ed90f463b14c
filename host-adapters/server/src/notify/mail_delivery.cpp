#include "notify/mail_delivery.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "kring/names.h"
#include "kring/notifications.h"
#include "notify/mail_message.h"
#include "notify/member_contact.h"
#include "notify/notification_mail.h"
#include "observe/logging.h"
#include "util/clock.h"

namespace kring::server {

namespace {

enum class RowState { pending = 0, sent = 1, skipped = 2, dead = 3 };
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kKeepDoneRowsMs = 30 * 24 * kHourMs;
constexpr int kBatch = 100;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &handle_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(handle_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int column, const std::string& value) {
    sqlite3_bind_text(handle_, column, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int column, std::int64_t value) {
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

std::int64_t count(sqlite3* db, const char* sql, const std::string& site, const std::string& member,
                   std::int64_t since) {
  Statement statement(db, sql);
  statement.bind(1, site).bind(2, since);
  if (!member.empty()) statement.bind(3, member);
  return statement.row() ? statement.integer(0) : 0;
}

}  // namespace

struct MailDelivery::Row {
  std::int64_t id = 0;
  std::string site;
  Sequence sequence = 0;
  NotificationIntent intent;
  std::int64_t createdAt = 0;
  std::int64_t attempts = 0;
};

MailDelivery::MailDelivery(std::string databasePath, std::vector<SiteConfig> sites, ReadViews views,
                           MailDeliveryOptions options)
    : path_(std::move(databasePath)), views_(std::move(views)), options_(options) {
  for (SiteConfig& config : sites) {
    if (!config.email) continue;
    SmtpSettings smtp{config.email->smtpUrl, config.email->requireTls, config.email->username, config.email->password};
    std::string id = config.id;
    sites_.emplace(std::move(id), Site{std::move(config), std::make_unique<SmtpSender>(std::move(smtp))});
  }
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("the outbox's store: " + error);
  }
  sqlite3_busy_timeout(db_, 10'000);
  thread_ = std::thread([this] { run(); });
}

MailDelivery::~MailDelivery() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  for (auto& [request, done] : unsubscribes_) done(false);
  sqlite3_close(db_);
}

void MailDelivery::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void MailDelivery::unsubscribe(Unsubscribe request, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    unsubscribes_.emplace_back(std::move(request), std::move(done));
    woken_ = true;
  }
  wake_.notify_one();
}

MailDeliveryStats MailDelivery::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void MailDelivery::run() {
  std::int64_t lastCleanup = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.poll, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    try {
      applyUnsubscribes();
      deliverDue();
      const std::int64_t now = nowMilliseconds();
      if (now - lastCleanup > kHourMs) {
        // Done rows are kept a month: the caps count them, and an operator can read what went out.
        Statement(db_, "DELETE FROM outbox WHERE state != 0 AND done_ms < ?1").bind(1, now - kKeepDoneRowsMs).run();
        lastCleanup = now;
      }
    } catch (const std::exception& e) {
      // The store refused (busy, full): the rows stay pending and the next round tries them again.
      logEvent("warn", "mail_outbox_unavailable", {{"error", e.what()}});
    }
  }
}

void MailDelivery::applyUnsubscribes() {
  std::vector<std::pair<Unsubscribe, std::function<void(bool)>>> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(unsubscribes_);
  }
  for (auto& [request, done] : taken) {
    bool stored = false;
    try {
      const std::int64_t bits =
          request.kind ? (std::int64_t{1} << static_cast<int>(*request.kind)) : std::int64_t{kUnsubscribedFromAll};
      Statement(db_,
                "INSERT INTO member_contacts(site, member, email, language, unsubscribed, updated_ms) "
                "VALUES (?1, ?2, '', '', ?3, ?4) ON CONFLICT(site, member) DO UPDATE SET "
                "unsubscribed = unsubscribed | excluded.unsubscribed")
          .bind(1, request.siteId)
          .bind(2, request.memberId)
          .bind(3, bits)
          .bind(4, nowMilliseconds())
          .run();
      stored = true;
      logEvent("info", "mail_unsubscribed",
               {{"site", request.siteId},
                {"member", request.memberId},
                {"kind", request.kind ? enumName(*request.kind) : std::string_view("all")}});
    } catch (const std::exception& e) {
      logEvent("warn", "mail_unsubscribe_not_stored", {{"error", e.what()}});
    }
    done(stored);
  }
}

void MailDelivery::deliverDue() {
  std::vector<Row> rows;
  {
    Statement due(db_,
                  "SELECT id, site, seq, recipient, kind, thread_key, post_id, actor, created_ms, attempts FROM outbox "
                  "WHERE state = 0 AND due_ms <= ?1 ORDER BY due_ms, id LIMIT ?2");
    due.bind(1, nowMilliseconds()).bind(2, std::int64_t{kBatch});
    while (due.row()) {
      Row row;
      row.id = due.integer(0);
      row.site = due.text(1);
      row.sequence = static_cast<Sequence>(due.integer(2));
      row.intent.recipientId = due.text(3);
      row.intent.kind = static_cast<NotificationKind>(due.integer(4));
      row.intent.threadKey = due.text(5);
      row.intent.postId = due.text(6);
      row.intent.actorId = due.text(7);
      row.createdAt = due.integer(8);
      row.attempts = due.integer(9);
      rows.push_back(std::move(row));
    }
  }
  std::map<std::string, std::shared_ptr<const SiteReadView>> views;
  for (Row& row : rows) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto site = sites_.find(row.site);
    if (site == sites_.end()) {
      Statement(db_, "UPDATE outbox SET state = ?1, outcome = 'site_does_not_mail', done_ms = ?2 WHERE id = ?3")
          .bind(1, static_cast<std::int64_t>(RowState::skipped))
          .bind(2, nowMilliseconds())
          .bind(3, row.id)
          .run();
      continue;
    }
    auto& view = views[row.site];
    // A view older than the row's op (the io thread copies the site at most so often) is asked again.
    if (!view || view->lastSequence() < row.sequence) view = views_(row.site);
    if (!view || view->lastSequence() < row.sequence) {
      Statement(db_, "UPDATE outbox SET due_ms = ?1 WHERE id = ?2")
          .bind(1, nowMilliseconds() + 500)
          .bind(2, row.id)
          .run();
      continue;
    }
    deliver(row, site->second, *view);
  }
}

void MailDelivery::deliver(Row& row, Site& site, const SiteReadView& view) {
  const std::int64_t now = nowMilliseconds();
  auto finish = [&](RowState state, const std::string& outcome) {
    Statement(db_, "UPDATE outbox SET state = ?1, outcome = ?2, done_ms = ?3, attempts = ?4 WHERE id = ?5")
        .bind(1, static_cast<std::int64_t>(state))
        .bind(2, outcome)
        .bind(3, now)
        .bind(4, row.attempts)
        .bind(5, row.id)
        .run();
    std::lock_guard lock(mutex_);
    if (state == RowState::sent) stats_.sent += 1;
    if (state == RowState::skipped) stats_.skipped += 1;
    if (state == RowState::dead) stats_.dead += 1;
  };
  const MailSettings& mail = *site.config.email;

  const std::optional<StoredContact> contact = readContact(db_, row.site, row.intent.recipientId);
  if (contact && !contact->wants(static_cast<int>(row.intent.kind))) return finish(RowState::skipped, "unsubscribed");
  if (!contact || contact->email.empty()) return finish(RowState::skipped, "no_address");
  if (contact->undeliverable) return finish(RowState::skipped, "undeliverable");
  std::optional<NotificationContent> content = notificationContent(view.engine(), row.intent);
  if (!content) return finish(RowState::skipped, "not_readable");
  if (count(db_, "SELECT COUNT(*) FROM outbox WHERE site = ?1 AND done_ms > ?2 AND recipient = ?3 AND state = 1",
            row.site, row.intent.recipientId, now - kHourMs) >= mail.memberMailsPerHour) {
    return finish(RowState::skipped, "member_hourly_cap");
  }
  if (count(db_, "SELECT COUNT(*) FROM outbox WHERE site = ?1 AND done_ms > ?2 AND state = 1", row.site, "",
            now - 24 * kHourMs) >= mail.siteMailsPerDay) {
    return finish(RowState::skipped, "site_daily_cap");
  }

  std::string message;
  try {
    message =
        composeMail(notificationMail({site.config, row.intent, *content, row.sequence, contact->email,
                                      contact->language.empty() ? site.config.language : contact->language, now}));
  } catch (const std::invalid_argument& e) {
    return finish(RowState::dead, std::string("unmailable: ") + e.what());
  }
  row.attempts += 1;
  SmtpResult result = site.sender->send(mail.from, contact->email, message);
  if (result.verdict == SmtpVerdict::sent) return finish(RowState::sent, "");
  if (result.verdict == SmtpVerdict::permanentFailure) {
    // The relay refused the address or the mail for good: no more tries to it until a new address comes.
    Statement(db_, "UPDATE member_contacts SET undeliverable = 1 WHERE site = ?1 AND member = ?2")
        .bind(1, row.site)
        .bind(2, row.intent.recipientId)
        .run();
    logEvent("warn", "mail_refused",
             {{"site", row.site}, {"member", row.intent.recipientId}, {"detail", result.detail}});
    return finish(RowState::dead, "refused: " + result.detail);
  }
  if (now - row.createdAt >= options_.giveUpAfter.count()) {
    logEvent("warn", "mail_dead", {{"site", row.site}, {"member", row.intent.recipientId}, {"detail", result.detail}});
    return finish(RowState::dead, "gave up: " + result.detail);
  }
  // Exponential backoff with jitter: a relay that comes back is not met by every row at once.
  std::int64_t wait = options_.firstRetry.count();
  for (std::int64_t i = 1; i < row.attempts && wait < options_.maxRetry.count(); ++i) wait *= 2;
  wait = std::min<std::int64_t>(wait, options_.maxRetry.count());
  jitter_ ^= jitter_ << 13;
  jitter_ ^= jitter_ >> 7;
  jitter_ ^= jitter_ << 17;
  wait = wait / 2 + static_cast<std::int64_t>(jitter_ % static_cast<std::uint64_t>(wait / 2 + 1));
  Statement(db_, "UPDATE outbox SET due_ms = ?1, attempts = ?2, outcome = ?3 WHERE id = ?4")
      .bind(1, now + wait)
      .bind(2, row.attempts)
      .bind(3, "retrying: " + result.detail)
      .bind(4, row.id)
      .run();
  std::lock_guard lock(mutex_);
  stats_.retried += 1;
}

}  // namespace kring::server
