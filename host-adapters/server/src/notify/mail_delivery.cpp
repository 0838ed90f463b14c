#include "notify/mail_delivery.h"

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>

#include "kring/names.h"
#include "kring/notifications.h"
#include "notify/mail_message.h"
#include "notify/member_contact.h"
#include "notify/notification_mail.h"
#include "notify/outbox_statement.h"
#include "observe/logging.h"
#include "util/clock.h"
#include "util/lanes.h"

namespace kring::server {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr int kBatch = 100;
constexpr std::int64_t kRecountSentTodayMs = 60'000;

// A mail is the row sent with an empty outcome; the other rows of a burst say "in_burst".
std::int64_t mailsSentToday(OutboxConnection& db, const std::string& site, std::int64_t now) {
  OutboxStatement sent(db,
                       "SELECT COUNT(*) FROM outbox WHERE site = $1 AND done_ms > $2 AND state = 1 AND outcome = ''");
  sent.bind(1, site).bind(2, now - 24 * kHourMs);
  return sent.row() ? sent.integer(0) : 0;
}

}  // namespace

struct MailDelivery::Row {
  std::int64_t id = 0;
  std::string site;
  Sequence sequence = 0;
  NotificationIntent intent;
  std::int64_t createdAt = 0;
  std::int64_t attempts = 0;
  // What it shows, read of the site as it is when the row goes: none when it must not go.
  std::optional<NotificationContent> content;
  std::optional<StaffDigest> digest;  // a dailyDigest row's
};

// One mail of a round, composed and ready to go: a row's, or a member's burst (the first row's mail).
struct MailDelivery::Outgoing {
  std::vector<Row*> rows;
  Site* site = nullptr;
  std::string email;
  std::string message;
  std::optional<SmtpResult> result;  // none: the round stopped before it went
};

MailDelivery::MailDelivery(std::shared_ptr<const OutboxDatabase> database, std::vector<SiteConfig> sites,
                           SiteReads reads, MailDeliveryOptions options)
    : reads_(std::move(reads)), options_(options), database_(std::move(database)), contacts_(database_) {
  for (SiteConfig& config : sites) {
    if (!config.email) continue;
    SmtpSettings smtp;
    smtp.url = config.email->smtpUrl;
    smtp.requireTls = config.email->requireTls;
    smtp.username = config.email->username;
    smtp.password = config.email->password;
    std::vector<std::unique_ptr<SmtpSender>> senders;
    for (std::uint32_t i = 0; i < config.email->connections; ++i) senders.push_back(std::make_unique<SmtpSender>(smtp));
    std::string id = config.id;
    lanes_ = std::max<std::size_t>(lanes_, senders.size());
    sites_.emplace(std::move(id), Site{std::move(config), std::move(senders)});
  }
  thread_ = std::make_unique<OutboxThread>(*database_, "outbox", "mail_outbox_unavailable", options_.poll,
                                           [this](OutboxConnection& db) {
                                             db_ = &db;
                                             applyUnsubscribes();
                                             return deliverDue();
                                           });
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
  if (taken.empty() && chosen.empty()) return;
  // A member is told their choice is stored: it reaches the disk first, unlike a row's mark
  // (outbox_thread.cpp), which a crash may only make go again.
  db_->syncEachCommit(true);
  struct Normal {
    OutboxConnection* db;
    ~Normal() {
      try {
        db->syncEachCommit(false);
      } catch (const std::exception&) {
        // Left syncing each commit: slower marks, nothing lost.
      }
    }
  } normalAfter{db_};
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
          OutboxStatement(*db_,
                          "INSERT INTO member_contacts(site, member, email, language, unsubscribed, daily, chosen, "
                          "updated_ms) VALUES ($1, $2, '', '', $3, $4, $5, $6) ON CONFLICT(site, member) DO UPDATE SET "
                          "unsubscribed = excluded.unsubscribed, daily = excluded.daily, chosen = excluded.chosen")
              .bind(1, choices.siteId)
              .bind(2, choices.memberId)
              .bind(3, std::int64_t{choices.off})
              .bind(4, std::int64_t{choices.daily})
              .bind(5, std::int64_t{choices.chosen})
              .bind(6, nowMilliseconds())
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
          OutboxStatement(
              *db_,
              "INSERT INTO member_contacts(site, member, email, language, unsubscribed, chosen, updated_ms) "
              "VALUES ($1, $2, '', '', $3, $3, $4) ON CONFLICT(site, member) DO UPDATE SET "
              "unsubscribed = member_contacts.unsubscribed | excluded.unsubscribed, "
              "chosen = member_contacts.chosen | excluded.chosen")
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
  const std::optional<DeliveredSites> delivered = deliveredSites(*database_, sites_, 3);
  if (!delivered) return false;
  {
    OutboxStatement due(*db_,
                        "SELECT id, site, seq, recipient, kind, thread_key, post_id, actor, created_ms, attempts FROM "
                        "outbox WHERE state = 0 AND due_ms <= $1" +
                            delivered->condition + " ORDER BY due_ms, id LIMIT $2");
    due.bind(1, nowMilliseconds()).bind(2, std::int64_t{kBatch});
    delivered->bind(due, 3);
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
  const std::int64_t now = nowMilliseconds();
  RowMarks marks("outbox");
  // One member's rows due together go as one mail (digests apart: each is a mail of its own).
  std::vector<std::vector<Row*>> groups;
  std::map<std::pair<std::string, std::string>, std::size_t> groupOf;
  for (const auto& [siteId, siteRows] : rowsBySite(rows, sites_, "site_does_not_mail", marks, now)) {
    // A stopping server answers no read (each ask would wait): the rows wait for the next start.
    if (thread_->stopping()) return true;
    if (!readContents(siteId, siteRows)) {
      for (Row* row : siteRows) marks.postpone(row->id, now + 500);
      continue;
    }
    for (Row* row : siteRows) {
      if (row->intent.kind == NotificationKind::dailyDigest) {
        groups.push_back({row});
        continue;
      }
      auto [slot, added] = groupOf.try_emplace({row->site, row->intent.recipientId}, groups.size());
      if (added) groups.emplace_back();
      groups[slot->second].push_back(row);
    }
  }
  // Each mail goes as soon as it is composed, a site's `connections` at a time, while the next is
  // composed; the rows are marked after, in one transaction.
  Lanes<Outgoing> lanes(lanes_, [this](std::size_t lane, Outgoing& mail) {
    if (thread_->stopping()) return;
    SmtpSender& sender = *mail.site->senders[lane % mail.site->senders.size()];
    mail.result = sender.send(mail.site->config.email->from, mail.email, mail.message);
  });
  const Recipients recipients = readRecipients(groups, now);
  for (std::vector<Row*>& group : groups) {
    Site& site = sites_.at(group.front()->site);
    // Between counts a mail made counts whether or not it goes, and one older than a day still
    // counts: the cap is never passed, and a minute later the count is exact again.
    if (!site.sentTodayCountedAt || now - *site.sentTodayCountedAt >= kRecountSentTodayMs) {
      site.sentToday = mailsSentToday(*db_, site.config.id, now);
      site.sentTodayCountedAt = now;
    }
    if (std::optional<Outgoing> mail = prepare(std::move(group), site, site.sentToday, recipients, marks, now)) {
      site.sentToday += 1;
      lanes.add(std::move(*mail));
    }
  }
  for (const Outgoing& mail : lanes.finish()) {
    if (mail.result) record(mail, marks);
  }
  marks.write(*db_);
  return !rows.empty();
}

bool MailDelivery::readContents(const std::string& siteId, const std::vector<Row*>& rows) {
  Sequence newest = 0;
  auto intents = std::make_shared<std::vector<NotificationIntent>>();
  std::vector<Row*> posts, digests;
  for (Row* row : rows) {
    newest = std::max(newest, row->sequence);
    if (row->intent.kind == NotificationKind::dailyDigest) {
      digests.push_back(row);
    } else {
      posts.push_back(row);
      intents->push_back(row->intent);
    }
  }
  auto contents = std::make_shared<std::vector<std::optional<NotificationContent>>>();
  if (!posts.empty() && !reads_(siteId, newest, [intents, contents](const Engine& engine) {
        for (const NotificationIntent& intent : *intents) contents->push_back(notificationContent(engine, intent));
      })) {
    return false;
  }
  for (std::size_t i = 0; i < posts.size(); ++i) posts[i]->content = std::move((*contents)[i]);
  // A digest reads the site's whole day: one read each, so that the io thread is held for one at a time.
  for (Row* row : digests) {
    auto digest = std::make_shared<std::optional<StaffDigest>>();
    if (!reads_(siteId, row->sequence,
                [digest, member = row->intent.recipientId, until = row->createdAt](const Engine& engine) {
                  *digest = staffDigest(engine, member, until);
                })) {
      return false;
    }
    row->digest = std::move(*digest);
  }
  return true;
}

MailDelivery::Recipients MailDelivery::readRecipients(const std::vector<std::vector<Row*>>& groups, std::int64_t now) {
  std::map<std::string, std::set<std::string>> bySite;
  for (const std::vector<Row*>& group : groups) bySite[group.front()->site].insert(group.front()->intent.recipientId);
  Recipients recipients;
  for (const auto& [siteId, members] : bySite) {
    auto bind = [&members](OutboxStatement& statement, int first) {
      for (const std::string& member : members) statement.bind(first++, member);
    };
    OutboxStatement contacts(*db_, std::string("SELECT member, ") + kContactColumns +
                                       " FROM member_contacts WHERE site = $1 AND member" +
                                       parameterList(2, members.size()));
    contacts.bind(1, siteId);
    bind(contacts, 2);
    OutboxStatement sent(*db_,
                         "SELECT recipient, COUNT(*), MIN(done_ms) FROM outbox WHERE site = $1 AND done_ms > $2 "
                         "AND state = 1 AND outcome = '' AND recipient" +
                             parameterList(3, members.size()) + " GROUP BY recipient");
    sent.bind(1, siteId).bind(2, now - options_.capWindow.count());
    bind(sent, 3);
    while (contacts.row()) {
      recipients.contacts.emplace(std::pair{siteId, contacts.text(0)}, contactAt(contacts, 1));
    }
    while (sent.row())
      recipients.sent.emplace(std::pair{siteId, sent.text(0)}, std::pair{sent.integer(1), sent.integer(2)});
  }
  return recipients;
}

std::optional<std::int64_t> MailDelivery::capFrees(const Row& row, const MailSettings& mail,
                                                   const Recipients& recipients) const {
  auto found = recipients.sent.find({row.site, row.intent.recipientId});
  if (found == recipients.sent.end() || found->second.first < mail.memberMailsPerHour) return std::nullopt;
  return found->second.second + options_.capWindow.count() + 1;
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

std::optional<MailDelivery::Outgoing> MailDelivery::prepare(std::vector<Row*> rows, Site& site, std::int64_t sentToday,
                                                            const Recipients& recipients, RowMarks& marks,
                                                            std::int64_t now) {
  const MailSettings& mail = *site.config.email;
  const std::string& siteId = rows.front()->site;
  const std::string& member = rows.front()->intent.recipientId;
  auto skip = [&](Row& row, const char* why) {
    marks.finish(row.id, RowState::skipped, why, row.attempts, now);
    std::lock_guard lock(mutex_);
    stats_.skipped += 1;
  };
  // No stored contact: no address to mail (withSiteDefaults would make one up).
  std::optional<StoredContact> contact;
  if (auto found = recipients.contacts.find({siteId, member}); found != recipients.contacts.end()) {
    contact = found->second;
  }
  if (contact) contact = withSiteDefaults(std::move(contact), mail);
  std::vector<BurstItem> items;
  std::vector<Row*> going;
  std::optional<StaffDigest> digest;
  for (Row* row : rows) {
    if (contact && !contact->wants(static_cast<int>(row->intent.kind))) {
      skip(*row, "unsubscribed");
    } else if (!contact || contact->email.empty()) {
      skip(*row, "no_address");
    } else if (contact->undeliverable) {
      skip(*row, "undeliverable");
    } else if (std::optional<std::int64_t> due = dailyDue(*row, *contact, mail, now)) {
      marks.postpone(row->id, *due);
    } else if (row->intent.kind == NotificationKind::dailyDigest) {
      if (!row->digest) {
        skip(*row, "not_readable");
      } else {
        digest = std::move(row->digest);
        going.push_back(row);
      }
    } else if (row->content) {
      items.push_back({row->intent, std::move(*row->content)});
      going.push_back(row);
    } else {
      skip(*row, "not_readable");
    }
  }
  if (going.empty()) return std::nullopt;
  // Over the member's cap the rows wait for room, then go with whatever else waits then (a burst).
  if (std::optional<std::int64_t> frees = capFrees(*going.front(), mail, recipients)) {
    for (Row* row : going) marks.postpone(row->id, *frees);
    return std::nullopt;
  }
  if (sentToday >= mail.siteMailsPerDay) {
    for (Row* row : going) skip(*row, "site_daily_cap");
    return std::nullopt;
  }
  Outgoing outgoing{going, &site, contact->email, {}, std::nullopt};
  const std::string language = mailLanguage(contact, site.config.language);
  try {
    const Row& first = *going.front();
    if (digest) {
      outgoing.message = composeMail(
          digestMail({site.config, member, *digest, first.sequence, first.createdAt, contact->email, language, now}));
    } else if (going.size() == 1) {
      outgoing.message = composeMail(notificationMail(
          {site.config, first.intent, items.front().content, first.sequence, contact->email, language, now}));
    } else {
      std::string identity;
      for (Row* row : going) identity += std::to_string(row->id) + ',';
      outgoing.message = composeMail(burstMail({site.config, member, items, identity, contact->email, language, now}));
    }
  } catch (const std::invalid_argument& e) {
    for (Row* row : going)
      marks.finish(row->id, RowState::dead, std::string("unmailable: ") + e.what(), row->attempts, now);
    std::lock_guard lock(mutex_);
    stats_.dead += going.size();
    return std::nullopt;
  }
  for (Row* row : going) row->attempts += 1;
  return outgoing;
}

void MailDelivery::record(const Outgoing& mail, RowMarks& marks) {
  const std::int64_t now = nowMilliseconds();
  const SmtpResult& result = *mail.result;
  const Row& first = *mail.rows.front();
  auto finishAll = [&](RowState state, const std::string& outcome) {
    for (std::size_t i = 0; i < mail.rows.size(); ++i) {
      // The mail is the first row's; the others went in it.
      const std::string said = state == RowState::sent && i > 0 ? "in_burst" : outcome;
      marks.finish(mail.rows[i]->id, state, said, mail.rows[i]->attempts, now);
    }
    std::lock_guard lock(mutex_);
    if (state == RowState::sent) {
      stats_.sent += 1;
      stats_.notificationsSent += mail.rows.size();
    }
    if (state == RowState::dead) stats_.dead += mail.rows.size();
  };
  if (result.verdict == SmtpVerdict::sent) return finishAll(RowState::sent, "");
  if (result.verdict == SmtpVerdict::permanentFailure) {
    // The relay refused the address or the mail for good: no more tries to it until a new address comes.
    OutboxStatement(*db_, "UPDATE member_contacts SET undeliverable = 1 WHERE site = $1 AND member = $2")
        .bind(1, first.site)
        .bind(2, first.intent.recipientId)
        .run();
    logEvent("warn", "mail_refused",
             {{"site", first.site}, {"member", first.intent.recipientId}, {"detail", result.detail}});
    return finishAll(RowState::dead, "refused: " + result.detail);
  }
  const std::int64_t oldest = (*std::min_element(mail.rows.begin(), mail.rows.end(), [](const Row* a, const Row* b) {
                                return a->createdAt < b->createdAt;
                              }))->createdAt;
  if (now - oldest >= options_.giveUpAfter.count()) {
    logEvent("warn", "mail_dead",
             {{"site", first.site}, {"member", first.intent.recipientId}, {"detail", result.detail}});
    return finishAll(RowState::dead, "gave up: " + result.detail);
  }
  // Together again on the next try: the same rows, the same Message-ID.
  const std::int64_t wait = retryDelay(first.attempts, options_.firstRetry, options_.maxRetry, jitter_);
  for (Row* row : mail.rows) marks.retry(row->id, now + wait, row->attempts, "retrying: " + result.detail);
  std::lock_guard lock(mutex_);
  stats_.retried += 1;
}

}  // namespace kring::server
