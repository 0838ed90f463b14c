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

// A mail is the row sent with an empty outcome; the other rows of a burst say "in_burst".
bool siteCapReached(sqlite3* db, const std::string& site, const MailSettings& mail, std::int64_t now) {
  OutboxStatement sent(db,
                       "SELECT COUNT(*) FROM outbox WHERE site = ?1 AND done_ms > ?2 AND state = 1 AND outcome = ''");
  sent.bind(1, site).bind(2, now - 24 * kHourMs);
  return sent.row() && sent.integer(0) >= mail.siteMailsPerDay;
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
    : views_(std::move(views)), options_(options), databasePath_(databasePath) {
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
  for (auto& [request, done] : choices_) done(false);
}

void MailDelivery::wake() { thread_->wake(); }

void MailDelivery::unsubscribe(Unsubscribe request, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    unsubscribes_.emplace_back(std::move(request), std::move(done));
  }
  thread_->wake();
}

void MailDelivery::choose(MailChoices choices, std::function<void(bool)> done) {
  {
    std::lock_guard lock(mutex_);
    choices_.emplace_back(std::move(choices), std::move(done));
  }
  thread_->wake();
}

MailDeliveryStats MailDelivery::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void MailDelivery::applyUnsubscribes() {
  std::vector<std::pair<Unsubscribe, std::function<void(bool)>>> taken;
  std::vector<std::pair<MailChoices, std::function<void(bool)>>> chosen;
  {
    std::lock_guard lock(mutex_);
    taken.swap(unsubscribes_);
    chosen.swap(choices_);
  }
  // Each change is stored before the next mail, and its requester told whether it was.
  auto store = [](const std::function<void()>& write, const std::function<void(bool)>& done, std::string_view failed) {
    bool stored = false;
    try {
      write();
      stored = true;
    } catch (const std::exception& e) {
      logEvent("warn", failed, {{"error", e.what()}});
    }
    done(stored);
  };
  for (auto& [choices, done] : chosen) {
    store(
        [&] {
          OutboxStatement(db_,
                          "INSERT INTO member_contacts(site, member, email, language, unsubscribed, daily, updated_ms) "
                          "VALUES (?1, ?2, '', '', ?3, ?4, ?5) ON CONFLICT(site, member) DO UPDATE SET "
                          "unsubscribed = excluded.unsubscribed, daily = excluded.daily")
              .bind(1, choices.siteId)
              .bind(2, choices.memberId)
              .bind(3, std::int64_t{choices.off})
              .bind(4, std::int64_t{choices.daily})
              .bind(5, nowMilliseconds())
              .run();
          logEvent("info", "mail_preferences", {{"site", choices.siteId}, {"member", choices.memberId}});
        },
        done, "mail_preferences_not_stored");
  }
  for (auto& [request, done] : taken) {
    store(
        [&] {
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
          logEvent("info", "mail_unsubscribed",
                   {{"site", request.siteId},
                    {"member", request.memberId},
                    {"kind", request.kind ? enumName(*request.kind) : std::string_view("all")}});
        },
        done, "mail_unsubscribe_not_stored");
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
  // One member's rows due together go as one mail (digests apart: each is a mail of its own).
  std::map<std::pair<std::string, std::string>, std::vector<Row*>> byRecipient;
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
    if (row.intent.kind == NotificationKind::dailyDigest) {
      deliver(row, site->second, *view);
    } else {
      byRecipient[{row.site, row.intent.recipientId}].push_back(&row);
    }
  }
  for (auto& [recipient, group] : byRecipient) {
    if (thread_->stopping()) return true;
    Site& site = sites_.at(recipient.first);
    const SiteReadView& view = *views.at(recipient.first);
    if (group.size() == 1) {
      deliver(*group.front(), site, view);
    } else {
      deliverBurst(std::move(group), site, view);
    }
  }
  return !rows.empty();
}

std::optional<std::int64_t> MailDelivery::capFrees(const Row& row, const MailSettings& mail, std::int64_t now) {
  const std::int64_t window = options_.capWindow.count();
  OutboxStatement sent(db_,
                       "SELECT COUNT(*), MIN(done_ms) FROM outbox WHERE site = ?1 AND done_ms > ?2 AND recipient = ?3 "
                       "AND state = 1 AND outcome = ''");
  sent.bind(1, row.site).bind(2, now - window).bind(3, row.intent.recipientId);
  if (!sent.row() || sent.integer(0) < mail.memberMailsPerHour) return std::nullopt;
  return sent.integer(1) + window + 1;
}

std::optional<std::int64_t> MailDelivery::dailyDue(const Row& row, const StoredContact& contact,
                                                   const MailSettings& mail, std::int64_t now) const {
  const int kind = static_cast<int>(row.intent.kind);
  if (row.intent.kind == NotificationKind::dailyDigest || !contact.wantsDaily(kind)) return std::nullopt;
  const std::int64_t period = options_.dailyPeriod.count();
  const std::int64_t offset = period == 24 * 3'600'000 ? std::int64_t{mail.dailyMailHourUtc} * 3'600'000 : 0;
  // The first daily time after the row was made: what came in a day goes together.
  const std::int64_t due = ((row.createdAt - offset) / period + 1) * period + offset;
  return now < due ? std::optional<std::int64_t>(due) : std::nullopt;
}

void MailDelivery::deliverBurst(std::vector<Row*> rows, Site& site, const SiteReadView& view) {
  const std::int64_t now = nowMilliseconds();
  const MailSettings& mail = *site.config.email;
  const std::string& siteId = rows.front()->site;
  const std::string& member = rows.front()->intent.recipientId;
  auto skip = [&](Row& row, const char* why) {
    finishRow(db_, "outbox", row.id, RowState::skipped, why, row.attempts, now);
    std::lock_guard lock(mutex_);
    stats_.skipped += 1;
  };
  const std::optional<StoredContact> contact = readContact(db_, siteId, member);
  std::vector<BurstItem> items;
  std::vector<Row*> going;
  for (Row* row : rows) {
    if (contact && !contact->wants(static_cast<int>(row->intent.kind))) {
      skip(*row, "unsubscribed");
    } else if (!contact || contact->email.empty()) {
      skip(*row, "no_address");
    } else if (contact->undeliverable) {
      skip(*row, "undeliverable");
    } else if (std::optional<std::int64_t> due = dailyDue(*row, *contact, mail, now)) {
      postponeRow(db_, "outbox", row->id, *due);
    } else if (std::optional<NotificationContent> content = notificationContent(view.engine(), row->intent)) {
      items.push_back({row->intent, std::move(*content)});
      going.push_back(row);
    } else {
      skip(*row, "not_readable");
    }
  }
  if (going.size() == 1) return deliver(*going.front(), site, view);
  if (going.empty()) return;
  if (std::optional<std::int64_t> frees = capFrees(*going.front(), mail, now)) {
    for (Row* row : going) postponeRow(db_, "outbox", row->id, *frees);
    return;
  }
  if (siteCapReached(db_, siteId, mail, now)) {
    for (Row* row : going) skip(*row, "site_daily_cap");
    return;
  }
  std::string identity;
  for (Row* row : going) identity += std::to_string(row->id) + ',';
  auto finishAll = [&](RowState state, const std::string& outcome) {
    for (std::size_t i = 0; i < going.size(); ++i) {
      // The mail is the first row's; the others went in it.
      const std::string said = state == RowState::sent && i > 0 ? "in_burst" : outcome;
      finishRow(db_, "outbox", going[i]->id, state, said, going[i]->attempts, now);
    }
    std::lock_guard lock(mutex_);
    if (state == RowState::sent) stats_.sent += 1;
    if (state == RowState::dead) stats_.dead += going.size();
  };
  const std::string language = contact->language.empty() ? site.config.language : contact->language;
  std::string message;
  try {
    message = composeMail(burstMail({site.config, member, items, identity, contact->email, language, now}));
  } catch (const std::invalid_argument& e) {
    return finishAll(RowState::dead, std::string("unmailable: ") + e.what());
  }
  for (Row* row : going) row->attempts += 1;
  SmtpResult result = site.sender->send(mail.from, contact->email, message);
  if (result.verdict == SmtpVerdict::sent) return finishAll(RowState::sent, "");
  if (result.verdict == SmtpVerdict::permanentFailure) {
    OutboxStatement(db_, "UPDATE member_contacts SET undeliverable = 1 WHERE site = ?1 AND member = ?2")
        .bind(1, siteId)
        .bind(2, member)
        .run();
    logEvent("warn", "mail_refused", {{"site", siteId}, {"member", member}, {"detail", result.detail}});
    return finishAll(RowState::dead, "refused: " + result.detail);
  }
  const std::int64_t oldest = (*std::min_element(going.begin(), going.end(), [](const Row* a, const Row* b) {
                                return a->createdAt < b->createdAt;
                              }))->createdAt;
  if (now - oldest >= options_.giveUpAfter.count()) {
    logEvent("warn", "mail_dead", {{"site", siteId}, {"member", member}, {"detail", result.detail}});
    return finishAll(RowState::dead, "gave up: " + result.detail);
  }
  // Together again on the next try: the same rows, the same Message-ID.
  const std::int64_t wait = retryDelay(going.front()->attempts, options_.firstRetry, options_.maxRetry, jitter_);
  for (Row* row : going) retryRow(db_, "outbox", row->id, now + wait, row->attempts, "retrying: " + result.detail);
  std::lock_guard lock(mutex_);
  stats_.retried += 1;
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
  if (std::optional<std::int64_t> due = dailyDue(row, *contact, mail, now)) {
    return postponeRow(db_, "outbox", row.id, *due);
  }
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
  // Over the member's cap it waits for room, then goes with whatever else waits then (a burst).
  if (std::optional<std::int64_t> frees = capFrees(row, mail, now)) return postponeRow(db_, "outbox", row.id, *frees);
  if (siteCapReached(db_, row.site, mail, now)) return finish(RowState::skipped, "site_daily_cap");

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
