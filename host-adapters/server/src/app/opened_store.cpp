#include "app/opened_store.h"

#include <unistd.h>

#include <cstdio>
#include <future>
#include <random>

#include "notify/console_webhooks.h"
#include "notify/dead_letters.h"
#include "notify/mail_delivery.h"
#include "notify/member_contact.h"
#include "notify/webhook_delivery.h"
#include "store/postgres/pg_outbox.h"
#include "store/postgres/pg_sequencer.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/committer.h"
#include "store/sqlite/sqlite_outbox.h"
#include "store/sqlite/sqlite_store.h"
#include "util/store_lock.h"

namespace kring::server {

namespace {

StartupFailure unavailable(const std::string& where, const std::string& why) {
  return {StartupError::storeUnavailable, where + ": " + why};
}

// A delivery round's read of a site (notify/outbox_statement.h), run on the io thread.
bool readOnIo(boost::asio::io_context& io, Server& server, const std::string& siteId, Sequence sequence,
              std::function<void(const Engine&)> read) {
  auto promise = std::make_shared<std::promise<bool>>();
  std::future<bool> future = promise->get_future();
  boost::asio::post(io, [&server, siteId, sequence, read = std::move(read), promise] {
    SiteHost* site = server.site(siteId);
    const bool holds = site != nullptr && site->engine().lastSequence() >= sequence;
    if (holds) read(site->engine());
    promise->set_value(holds);
  });
  // A stopping server answers no more: the rows wait for the next start.
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return false;
  return future.get();
}

// The outbox's deliveries, and the console's reach into its database: the same on both stores.
class Outbox {
 public:
  // Starts the deliveries of every site (webhooks: the console may add an endpoint to any at any
  // time; mail: the sites with `email`). `where` names the store in a failure.
  std::optional<StartupFailure> start(boost::asio::io_context& io, Server& server, const ServerFlags& flags,
                                      std::shared_ptr<const OutboxDatabase> database, const std::string& where) {
    database_ = std::move(database);
    const OutboxDatabase& db = *database_;
    server.console().setContacts([db = database_](const std::string& siteId, const std::string& memberId) {
      return contactJson(*db, siteId, memberId);
    });
    server.console().setDeadLetters(
        {[db = database_](const std::string& siteId) { return deadLettersJson(*db, siteId); },
         [db = database_](const std::string& siteId, std::string_view kind, std::int64_t id, std::int64_t now) {
           return retryDeadLetter(*db, siteId, kind, id, now);
         }});
    server.console().setWebhookStore(
        {[db = database_](const std::string& siteId) { return consoleWebhooks(*db, siteId); },
         [db = database_](const std::string& siteId, const WebhookEndpoint& endpoint, std::int64_t now) {
           return addConsoleWebhook(*db, siteId, endpoint, now);
         },
         [db = database_](const std::string& siteId, const std::string& url, const std::vector<std::string>& secrets) {
           return setConsoleWebhookSecrets(*db, siteId, url, secrets);
         },
         [db = database_](const std::string& siteId, const std::string& url) {
           return removeConsoleWebhook(*db, siteId, url);
         }});
    std::vector<SiteConfig> mailing, hooked;
    try {
      for (const auto& [id, site] : server.sites()) {
        if (site->config().email) mailing.push_back(site->config());
        if (site->config().webhooks.live) site->config().webhooks.live->setFromConsole(consoleWebhooks(db, id));
        hooked.push_back(site->config());
      }
    } catch (const std::exception& e) {
      return unavailable(where, e.what());
    }
    auto reads = [&io, &server](const std::string& siteId, Sequence sequence, std::function<void(const Engine&)> read) {
      return readOnIo(io, server, siteId, sequence, std::move(read));
    };
    const auto firstRetry = std::chrono::milliseconds(flags.outboxFirstRetryMs);
    const auto giveUpAfter = std::chrono::milliseconds(flags.outboxGiveUpAfterMs);
    try {
      if (!mailing.empty()) {
        MailDeliveryOptions options;
        if (firstRetry.count() > 0) options.firstRetry = firstRetry;
        if (giveUpAfter.count() > 0) options.giveUpAfter = giveUpAfter;
        if (flags.mailCapWindowMs > 0) options.capWindow = std::chrono::milliseconds(flags.mailCapWindowMs);
        if (flags.mailDailyPeriodMs > 0) options.dailyPeriod = std::chrono::milliseconds(flags.mailDailyPeriodMs);
        mail_ = std::make_unique<MailDelivery>(database_, std::move(mailing), reads, options);
        server.setMailDelivery(mail_.get());
      }
      WebhookDeliveryOptions options;
      if (firstRetry.count() > 0) options.firstRetry = firstRetry;
      if (giveUpAfter.count() > 0) options.giveUpAfter = giveUpAfter;
      if (flags.webhookTimeoutMs > 0) options.timeout = std::chrono::milliseconds(flags.webhookTimeoutMs);
      webhooks_ = std::make_unique<WebhookDelivery>(database_, std::move(hooked), reads, options);
      server.setWebhookDelivery(webhooks_.get());
    } catch (const std::exception& e) {
      return unavailable(where, e.what());
    }
    return std::nullopt;
  }

  // What the store runs once it wrote outbox rows.
  std::function<void()> wake() {
    return [mail = mail_.get(), webhooks = webhooks_.get()] {
      if (mail) mail->wake();
      if (webhooks) webhooks->wake();
    };
  }

 private:
  std::shared_ptr<const OutboxDatabase> database_;
  std::unique_ptr<MailDelivery> mail_;
  std::unique_ptr<WebhookDelivery> webhooks_;
};

class SqliteOpened final : public OpenedStore {
 public:
  SqliteOpened(std::unique_ptr<SqliteStore> store, std::unique_ptr<SqliteOpIds> opIds, std::string path)
      : store_(std::move(store)), opIds_(std::move(opIds)), path_(std::move(path)) {}

  Store& store() override { return *store_; }
  OpIdLookup& opIds() override { return *opIds_; }

  StartupResult<OpLog*> startLog(boost::asio::io_context& io, Server& server, const ServerFlags& flags) override {
    lock_ = StoreLock::tryTake(path_);
    if (!lock_) return unavailable(path_, "another kring-server, or kring-server import, is writing to it");
    committer_ = std::make_unique<Committer>(
        *store_,
        [&io, &server](std::vector<Committer::Callback> callbacks) {
          const auto committedAt = std::chrono::steady_clock::now();
          boost::asio::post(io, [&server, callbacks = std::move(callbacks), committedAt] {
            for (const auto& callback : callbacks) callback();
            server.metrics().fanOutSeconds.observe(std::chrono::steady_clock::now() - committedAt);
          });
        },
        health_, std::chrono::milliseconds(flags.commitDelayMs),
        [&server](std::chrono::steady_clock::duration took) { server.metrics().commitSeconds.observe(took); });
    if (std::optional<StartupFailure> failed = outbox_.start(io, server, flags, sqliteOutboxDatabase(path_), path_)) {
      return *failed;
    }
    committer_->setOutboxWritten(outbox_.wake());
    return committer_.get();
  }

 private:
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteOpIds> opIds_;
  std::string path_;
  Outbox outbox_;
  std::optional<StoreLock> lock_;
  std::unique_ptr<Committer> committer_;  // last: it writes to store_ and wakes the deliveries until it stops
};

class PostgresOpened final : public OpenedStore {
 public:
  PostgresOpened(std::unique_ptr<PgStore> store, std::string where)
      : store_(std::move(store)), where_(std::move(where)) {}
  // The deliveries stop first (they ask the sequencer whose locks it holds), and are woken no more.
  ~PostgresOpened() override {
    if (sequencer_) sequencer_->setOutboxWritten({});
  }

  Store& store() override { return *store_; }
  OpIdLookup& opIds() override { return opIds_; }

  StartupResult<OpLog*> startLog(boost::asio::io_context& io, Server& server, const ServerFlags& flags) override {
    auto checkpoints = PgStore::open(flags.database);
    if (!checkpoints) return unavailable(where_, checkpoints.error().message);
    // Named in pg_stat_activity. Checkpoints take no lock the sequencing waits for, and an erasure's
    // may read and sift a long log inside its transaction: no statement or idle limit there.
    const std::string name = "kring-server " + std::to_string(getpid());
    const PgSessionLimits& limits = flags.postgres;
    try {
      store_->limitSessions(PgSessionLimits{name + " sequencer", limits.lockTimeoutMs, limits.statementTimeoutMs,
                                            limits.idleInTransactionTimeoutMs});
      checkpoints.value()->limitSessions(PgSessionLimits{name + " checkpoints", limits.lockTimeoutMs, 0, 0});
    } catch (const std::exception& e) {
      return unavailable(where_, e.what());
    }
    std::vector<std::pair<std::string, Sequence>> restoredUpTo;
    for (const auto& [id, site] : server.sites()) restoredUpTo.emplace_back(id, site->engine().lastSequence());
    sequencer_ = std::make_unique<Sequencer>(
        *store_, std::move(checkpoints.value()),
        [&io, &server](const std::string& siteId, std::vector<SequencedOp> ops) {
          const auto sequencedAt = std::chrono::steady_clock::now();
          boost::asio::post(io, [&server, siteId, ops = std::move(ops), sequencedAt]() mutable {
            if (SiteHost* site = server.site(siteId)) site->applySequenced(std::move(ops));
            server.metrics().fanOutSeconds.observe(std::chrono::steady_clock::now() - sequencedAt);
          });
        },
        std::move(restoredUpTo), health_);
    // The holder of a site's checkpoint lock delivers its rows; a lock that moves mid-round may send
    // that round twice, with the same ids.
    Sequencer& sequencer = *sequencer_;
    auto database = postgresOutboxDatabase(
        flags.database, PgSessionLimits{name, limits.lockTimeoutMs, limits.statementTimeoutMs, 0},
        [&sequencer](const std::string& siteId) { return sequencer.writesCheckpoints(siteId); });
    if (std::optional<StartupFailure> failed = outbox_.start(io, server, flags, std::move(database), where_)) {
      return *failed;
    }
    sequencer_->setOutboxWritten(outbox_.wake());
    return sequencer_.get();
  }

 private:
  std::unique_ptr<PgStore> store_;
  std::string where_;
  SequencedOpIds opIds_;
  std::unique_ptr<Sequencer> sequencer_;  // it writes to store_ until it stops
  Outbox outbox_;                         // last: it reads the sequencer's locks until it stops
};

bool isPostgres(const std::string& database) {
  return database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0;
}

// The address without its user and password.
std::string withoutCredentials(const std::string& database) {
  const std::size_t at = database.find('@');
  if (at == std::string::npos) return database;
  return database.substr(0, database.find("://") + 3) + database.substr(at + 1);
}

}  // namespace

StartupResult<std::unique_ptr<OpenedStore>> OpenedStore::open(ServerFlags& flags) {
  const std::string& database = flags.database;
  if (isPostgres(database)) {
    const std::string where = withoutCredentials(database);
    auto store = PgStore::open(database);
    if (!store) return unavailable(where, store.error().message);
    // Ids of the ops this server makes itself must differ from every other server's.
    std::random_device random;
    char name[9];
    std::snprintf(name, sizeof name, "%08x", static_cast<unsigned>(random()));
    flags.site.serverName = name;
    return std::unique_ptr<OpenedStore>(std::make_unique<PostgresOpened>(std::move(store.value()), where));
  }
  constexpr std::string_view kSqlite = "sqlite:";
  const std::string path = database.rfind(kSqlite, 0) == 0 ? database.substr(kSqlite.size()) : database;
  auto store = SqliteStore::open(path);
  if (!store) return unavailable(database, store.error().message);
  auto opIds = SqliteOpIds::open(path);
  if (!opIds) return unavailable(database, opIds.error().message);
  return std::unique_ptr<OpenedStore>(
      std::make_unique<SqliteOpened>(std::move(store.value()), std::move(opIds.value()), path));
}

}  // namespace kring::server
