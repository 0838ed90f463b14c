// Delivers the outbox's mails (docs/notifications.md) on a thread of its own (outbox_thread.h).
//  - Each row is read against the site as it is when it goes (notificationContent): a post held,
//    removed or erased since, or a recipient banned, unsubscribed or without an address, sends nothing.
//  - At least once: a row is marked sent only after the relay took it; a crash in between sends it
//    again with the same Message-ID.
//  - A relay that answers 4xx or cannot be reached is tried again with exponential backoff and
//    jitter, for up to a day; then the row is dead. A 5xx marks the address undeliverable.
//  - A member's notifications due together go as one mail (a burst: burstMail). Past the member's
//    cap per hour they wait until the hour has room, and then go together: a reply storm costs a
//    member a few mails and loses none. Past the site's cap per day they are skipped.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/site_config.h"
#include "notify/contact_reader.h"
#include "notify/member_contact.h"
#include "notify/outbox_statement.h"
#include "notify/outbox_thread.h"
#include "notify/smtp_sender.h"
#include "notify/unsubscribe_link.h"
#include "sync/read_view.h"

namespace kring::server {

struct MailDeliveryOptions {
  std::chrono::milliseconds firstRetry{30'000};  // doubled on each try, up to maxRetry
  std::chrono::milliseconds maxRetry{2 * 3'600'000};
  std::chrono::milliseconds giveUpAfter{24 * 3'600'000};
  std::chrono::milliseconds poll{1'000};           // rows come with a wake; the poll finds retries that fell due
  std::chrono::milliseconds capWindow{3'600'000};  // memberMailsPerHour counts the mails sent in it
  // The day of a member's daily mails: they go at the site's dailyMailHourUtc of each (a test's is shorter,
  // and starts at its multiples).
  std::chrono::milliseconds dailyPeriod{24 * 3'600'000};
};

// What the outbox says of its rows, for /metrics and tests.
struct MailDeliveryStats {
  std::uint64_t sent = 0, skipped = 0, retried = 0, dead = 0;
  std::uint64_t notificationsSent = 0;  // what the sent mails carried: a burst is one mail
};

class MailDelivery {
 public:
  MailDelivery(std::shared_ptr<const OutboxDatabase> database, std::vector<SiteConfig> sites, SiteReads reads,
               MailDeliveryOptions options = {});
  ~MailDelivery();  // finishes the mail under way, sends no more
  MailDelivery(const MailDelivery&) = delete;
  MailDelivery& operator=(const MailDelivery&) = delete;

  // New rows were committed.
  void wake();
  // Records a verified unsubscribe on the delivery thread (before any mail it would stop), then
  // runs `done` there with whether it was stored.
  void unsubscribe(Unsubscribe request, std::function<void(bool)> done);
  // The same for a member's choices on their preferences page: the kinds they take no mail of, and
  // those they take once a day (bits per NotificationKind), replacing what they chose before.
  void choose(MailChoices choices, std::function<void(bool)> done);
  // A member's contact as stored now, for their preferences page: read off the caller's thread
  // (contact_reader.h); `done` runs on the reader's thread.
  void readContactLater(std::string siteId, std::string memberId, ContactReader::Done done) {
    contacts_.read(std::move(siteId), std::move(memberId), std::move(done));
  }
  MailDeliveryStats stats();

 private:
  struct Row;
  struct Outgoing;
  struct Site {
    SiteConfig config;
    std::vector<std::unique_ptr<SmtpSender>> senders;  // one per connection (email.connections)
    // The day's mails, counted in the store at most once a minute and each mail made since added:
    // a count over the day's rows each round grew with them (O(mails) a round).
    std::int64_t sentToday = 0;
    std::optional<std::int64_t> sentTodayCountedAt{};
  };
  bool deliverDue();  // true when rows were due
  // One member's rows due together (or one digest) as a mail ready to go; nullopt when none goes now
  // (what stays and why is in `marks`). `sentToday` counts the site's mails of the day so far.
  // What a round reads of its recipients at once, by (site, member): their contacts, and their mails
  // in the cap's window (count, oldest). Two statements a site, not two a mail: with PostgreSQL each
  // statement is a round trip.
  struct Recipients {
    std::map<std::pair<std::string, std::string>, StoredContact> contacts;
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> sent;
  };
  Recipients readRecipients(const std::vector<std::vector<Row*>>& groups, std::int64_t now);
  std::optional<Outgoing> prepare(std::vector<Row*> rows, Site& site, std::int64_t sentToday,
                                  const Recipients& recipients, RowMarks& marks, std::int64_t now);
  // What the site's rows show, read on the io thread: false when the site cannot be read now.
  bool readContents(const std::string& siteId, const std::vector<Row*>& rows);
  // What the relay said of a mail, as marks on its rows.
  void record(const Outgoing& mail, RowMarks& marks);
  // When the member's cap has room again; nullopt when it has room now.
  std::optional<std::int64_t> capFrees(const Row& row, const MailSettings& mail, const Recipients& recipients) const;
  // When a row of a kind the member takes once a day goes; nullopt when it goes now.
  std::optional<std::int64_t> dailyDue(const Row& row, const StoredContact& contact, const MailSettings& mail,
                                       std::int64_t now) const;
  void applyUnsubscribes();

  std::map<std::string, Site> sites_;
  std::size_t lanes_ = 1;  // the most connections a site has: mails under way at once
  SiteReads reads_;
  MailDeliveryOptions options_;
  OutboxConnection* db_ = nullptr;  // the thread's connection, used on it only
  std::shared_ptr<const OutboxDatabase> database_;
  ContactReader contacts_;
  std::mutex mutex_;  // the unsubscribes waiting and the stats
  std::vector<std::pair<Unsubscribe, std::function<void(bool)>>> unsubscribes_;
  std::vector<std::pair<MailChoices, std::function<void(bool)>>> choices_;
  MailDeliveryStats stats_;
  std::uint64_t jitter_ = 0x9e3779b97f4a7c15ull;
  std::unique_ptr<OutboxThread> thread_;  // last: it runs on everything above
};

}  // namespace kring::server
