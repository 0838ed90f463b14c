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
#include "notify/outbox_statement.h"
#include "observe/logging.h"
#include "util/clock.h"

namespace kring::server {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr int kBatch = 100;

std::int64_t count(sqlite3* db, const char* sql, const std::string& site, const std::string& member,
                   std::int64_t since) {
  OutboxStatement statement(db, sql);
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
                           std::function<void()> release, MailDeliveryOptions options)
    : views_(std::move(views)), options_(options) {
  for (SiteConfig& config : sites) {
    if (!config.email) continue;
    SmtpSettings smtp;
    smtp.url = config.email->smtpUrl;
    smtp.requireTls = config.email->requireTls;
    smtp.username = config.email->username;
    smtp.password = config.email->password;
    std::string id = config.id;
    sites_.emplace(std::move(id), Site{std::move(config), std::make_unique<SmtpSender>(std::move(smtp))});
  }
  thread_ = std::make_unique<OutboxThread>(
      databasePath, "outbox", "mail_outbox_unavailable", options_.poll,
      [this](sqlite3* db) {
        db_ = db;
        applyUnsubscribes();
        return deliverDue();
      },
      std::move(release));
}

MailDelivery::~MailDelivery() {
  thread_.reset();
  for (auto& [request, done] : unsubscribes_) done(false);
}

void MailDelivery::wake() { thread_->wake(); }

void MailDelivery::unsubscribe(Unsubscribe request, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    unsubscribes_.emplace_back(std::move(request), std::move(done));
  }
  thread_->wake();
}

MailDeliveryStats MailDelivery::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
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
      OutboxStatement(db_,
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

bool MailDelivery::deliverDue() {
  std::vector<Row> rows;
  {
    OutboxStatement due(
        db_,
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
    if (thread_->stopping()) return true;
    auto site = sites_.find(row.site);
    if (site == sites_.end()) {
      finishRow(db_, "outbox", row.id, RowState::skipped, "site_does_not_mail", row.attempts, nowMilliseconds());
      continue;
    }
    auto& view = views[row.site];
    // A view older than the row's op (the io thread copies the site at most so often) is asked again.
    if (!view || view->lastSequence() < row.sequence) view = views_(row.site);
    if (!view || view->lastSequence() < row.sequence) {
      postponeRow(db_, "outbox", row.id, nowMilliseconds() + 500);
      continue;
    }
    deliver(row, site->second, *view);
  }
  return !rows.empty();
}

void MailDelivery::deliver(Row& row, Site& site, const SiteReadView& view) {
  const std::int64_t now = nowMilliseconds();
  auto finish = [&](RowState state, const std::string& outcome) {
    finishRow(db_, "outbox", row.id, state, outcome, row.attempts, now);
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
  // A digest is the site's day, not a post: read whole when it goes (off the io thread).
  const bool isDigest = row.intent.kind == NotificationKind::dailyDigest;
  std::optional<NotificationContent> content;
  std::optional<StaffDigest> digest;
  if (isDigest) {
    digest = staffDigest(view.engine(), row.intent.recipientId, row.createdAt);
    if (!digest) return finish(RowState::skipped, "not_readable");
  } else {
    content = notificationContent(view.engine(), row.intent);
    if (!content) return finish(RowState::skipped, "not_readable");
  }
  if (count(db_, "SELECT COUNT(*) FROM outbox WHERE site = ?1 AND done_ms > ?2 AND recipient = ?3 AND state = 1",
            row.site, row.intent.recipientId, now - kHourMs) >= mail.memberMailsPerHour) {
    return finish(RowState::skipped, "member_hourly_cap");
  }
  if (count(db_, "SELECT COUNT(*) FROM outbox WHERE site = ?1 AND done_ms > ?2 AND state = 1", row.site, "",
            now - 24 * kHourMs) >= mail.siteMailsPerDay) {
    return finish(RowState::skipped, "site_daily_cap");
  }

  std::string message;
  const std::string language = contact->language.empty() ? site.config.language : contact->language;
  try {
    message = composeMail(
        isDigest ? digestMail({site.config, row.intent.recipientId, *digest, row.sequence, row.createdAt,
                               contact->email, language, now})
                 : notificationMail({site.config, row.intent, *content, row.sequence, contact->email, language, now}));
  } catch (const std::invalid_argument& e) {
    return finish(RowState::dead, std::string("unmailable: ") + e.what());
  }
  row.attempts += 1;
  SmtpResult result = site.sender->send(mail.from, contact->email, message);
  if (result.verdict == SmtpVerdict::sent) return finish(RowState::sent, "");
  if (result.verdict == SmtpVerdict::permanentFailure) {
    // The relay refused the address or the mail for good: no more tries to it until a new address comes.
    OutboxStatement(db_, "UPDATE member_contacts SET undeliverable = 1 WHERE site = ?1 AND member = ?2")
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
  const std::int64_t wait = retryDelay(row.attempts, options_.firstRetry, options_.maxRetry, jitter_);
  retryRow(db_, "outbox", row.id, now + wait, row.attempts, "retrying: " + result.detail);
  std::lock_guard lock(mutex_);
  stats_.retried += 1;
}

}  // namespace kring::server
