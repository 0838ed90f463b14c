// kring-server: one binary that stores a community, orders every change and pushes it live.
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>
#include <iostream>
#include <random>

#include "store/backup.h"
#include "util/clock.h"
#include "store/sqlite/committer.h"
#include "app/deployment_flags.h"
#include "app/http_session.h"
#include "observe/logging.h"
#include "store/postgres/pg_sequencer.h"
#include "store/postgres/pg_store.h"
#include "app/server.h"
#include "auth/site_config.h"
#include "store/sqlite/sqlite_store.h"

using namespace kring::server;

int main(int argc, char** argv) {
  // `kring-server backup …` and `kring-server restore …` copy a SQLite store (backup.h).
  if (auto status = runStoreCommand(argc, argv)) return *status;
  CLI::App app{"kring-server: live community sync over WebSocket, stored in SQLite or PostgreSQL\n"
               "Also: kring-server backup --db sqlite:PATH --to FILE, kring-server restore --from FILE --db sqlite:PATH"};
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::string database = "sqlite:kring.db";
  std::string sitesFile = "sites.json";
  ServerOptions options;
  SiteOptions siteOptions;
  app.add_option("--address", address, "Address to listen on")->capture_default_str();
  app.add_option("--port", port, "Port for HTTP and WebSocket (/sync)")->capture_default_str();
  app.add_option("--db", database,
                 "Store: sqlite:PATH (one server), or postgresql://… (several servers over one database)")
      ->capture_default_str();
  app.add_option("--sites", sitesFile, "Site configuration (JSON, see docs/operations.md)")->capture_default_str();
  app.add_option("--static-dir", options.staticDirectory, "Pages served at / (the demo site)");
  app.add_option("--widget-dir", options.widgetDirectory, "Widget bundle and wasm core, served at /kring/");
  app.add_option("--max-connections-per-ip", options.maxConnectionsPerIp,
                 "Connections one client may hold: an IPv4 address, or an IPv6 network (--ipv6-prefix-length)")
      ->capture_default_str();
  app.add_option("--ipv6-prefix-length", options.ipv6PrefixBits,
                 "Per-address limits count an IPv6 client by its network of this many bits")
      ->capture_default_str()
      ->check(CLI::Range(32u, 128u));
  app.add_option("--hello-timeout-seconds", options.helloTimeoutSeconds,
                 "A WebSocket connection that has not said Hello by then is closed (hello_timeout)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 300u));
  app.add_option("--max-connections", options.maxConnections, "Connections all addresses together may hold")
      ->capture_default_str();
  DeploymentFlags deployment;
  addDeploymentFlags(app, deployment);
  app.add_option("--ops-per-second", options.opsPerSecond, "Ops per second per connection")->capture_default_str();
  app.add_option("--ops-burst", options.opsBurst, "Burst of ops per connection")->capture_default_str();
  app.add_option("--member-ops-per-second", options.memberOpsPerSecond, "Ops per second per member")
      ->capture_default_str();
  app.add_option("--member-ops-burst", options.memberOpsBurst, "Burst of ops per member")->capture_default_str();
  app.add_option("--max-send-queue-bytes", options.maxSendQueueBytes,
                 "Unsent bytes a connection may hold before it is dropped as a slow reader")
      ->capture_default_str();
  app.add_option("--max-snapshot-queue-bytes", options.maxSnapshotQueueBytes,
                 "Unsent thread-snapshot bytes a connection may hold before it is dropped as a slow reader")
      ->capture_default_str();
  app.add_option("--frames-per-second", options.framesPerSecond, "Frames per second per connection before it is a flood")
      ->capture_default_str();
  app.add_option("--frames-burst", options.framesBurst, "Burst of frames per connection")->capture_default_str();
  app.add_option("--token-leeway-seconds", options.tokenLeewaySeconds,
                 "Clock skew forgiven on a token's nbf, iat and exp (also how long past exp a connection stays)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3600}));
  app.add_option("--checkpoint-every,--snapshot-every", siteOptions.checkpointEvery,
                 "Ops between checkpoints, which write what changed since the last (0: only at shutdown)")
      ->capture_default_str();
  app.add_option("--op-log-retention", siteOptions.opLogRetention,
                 "Op bodies kept behind the newest checkpoint; older ones are compacted (their ids stay)")
      ->capture_default_str();
  app.add_flag("--keep-op-log", siteOptions.keepOpLog, "Never compact op bodies (the whole log stays on disk)");
  app.add_option("--recent-events-per-site", siteOptions.recentEventsPerSite,
                 "Events each site keeps over all its threads for clients catching up (older ones get a snapshot)")
      ->capture_default_str();
  app.add_option("--op-id-memory", siteOptions.opIdMemory,
                 "Recent op ids each site keeps in memory (older ones are looked up in the store)")
      ->capture_default_str();
  app.add_option("--snapshot-cache-bytes", siteOptions.snapshotCacheBytes,
                 "Encoded thread snapshots each site keeps for its subscribers")
      ->capture_default_str();
  app.add_option("--fault-ping-nonce", options.faultPingNonce,
                 "Test aid: a Ping with this nonce throws while it is handled (keep 0 in production)");
  app.add_option("--fault-console-read-delay-ms", options.faultConsoleReadDelayMs,
                 "Test aid: each console read waits this long on the reader thread first (keep 0 in production)");
  // No server may hold a site's writes hostage (docs/operations.md, "Faults").
  PgSessionLimits pgLimits{"", 5'000, 30'000, 2'000};
  app.add_option("--pg-lock-timeout-ms", pgLimits.lockTimeoutMs,
                 "PostgreSQL: longest wait for a lock before the statement fails and is retried (0: no limit)")
      ->capture_default_str();
  app.add_option("--pg-statement-timeout-ms", pgLimits.statementTimeoutMs,
                 "PostgreSQL: longest statement on the sequencing connection before it fails and is retried (0: no limit)")
      ->capture_default_str();
  app.add_option("--pg-idle-in-transaction-timeout-ms", pgLimits.idleInTransactionTimeoutMs,
                 "PostgreSQL: a server idle this long inside its transaction (paused, cut off) loses it and its locks")
      ->capture_default_str();
  unsigned commitDelayMs = 0;
  app.add_option("--commit-delay-ms", commitDelayMs,
                 "Test aid: hold each commit back this long, as a slow disk would (keep 0 in production)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::optional<boost::asio::ssl::context> tls;
  if (!applyDeploymentFlags(deployment, options, tls)) return 2;

  // A file-size limit reached is a full disk to the store: the write fails and is retried, the process lives.
  std::signal(SIGXFSZ, SIG_IGN);
  // Every connection is a descriptor: take what the system allows.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  auto sites = loadSiteConfig(sitesFile);
  if (!sites) {
    logEvent("fatal", "bad_site_config", {{"file", sitesFile}, {"error", sites.error}});
    return 2;
  }
  std::string error;
  const bool postgres = database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0;
  std::unique_ptr<Storage> sqlite;
  std::unique_ptr<StoredOpIds> sqliteOpIds;
  std::unique_ptr<PgStore> pg;
  SequencedOpIds pgOpIds;
  if (postgres) {
    pg = PgStore::open(database, error);
    // Ids of the ops this server makes itself must differ from every other server's.
    std::random_device random;
    char name[9];
    std::snprintf(name, sizeof name, "%08x", static_cast<unsigned>(random()));
    siteOptions.serverName = name;
  } else {
    constexpr std::string_view kSqlite = "sqlite:";
    std::string path = database.rfind(kSqlite, 0) == 0 ? database.substr(kSqlite.size()) : database;
    sqlite = Storage::open(path, error);
    sqliteOpIds = sqlite ? StoredOpIds::open(path, error) : nullptr;
  }
  Store* store = postgres ? static_cast<Store*>(pg.get()) : sqlite.get();
  OpIdLookup* storedOpIds = postgres ? static_cast<OpIdLookup*>(&pgOpIds) : sqliteOpIds.get();
  if (!store || !storedOpIds) {
    // The address without its user and password.
    std::string where = database;
    if (auto at = where.find('@'); postgres && at != std::string::npos) {
      where = where.substr(0, where.find("://") + 3) + where.substr(at + 1);
    }
    logEvent("fatal", "store_unavailable", {{"db", where}, {"error", error}});
    return 2;
  }

  boost::asio::io_context io(1);
  Server server(io, options);
  server.metrics().startedAtSeconds = nowMilliseconds() / 1000;
  std::vector<std::pair<std::string, kring::Sequence>> restoredUpTo;
  for (SiteConfig& config : sites.sites) {
    std::string id = config.id;
    auto site = SiteHost::restore(std::move(config), *store, *storedOpIds, siteOptions, error);
    if (!site) {
      logEvent("fatal", "site_restore_failed", {{"site", id}, {"error", error}});
      return 2;
    }
    logEvent("info", "site_loaded",
             {{"site", id},
              {"sequence", std::to_string(site->committedSequence())},
              {"checkpointSequence", std::to_string(site->checkpointSequence())},
              {"replayedOps", std::to_string(site->replayedAtStart())}});
    restoredUpTo.emplace_back(id, site->engine().lastSequence());
    server.addSite(std::move(site));
  }
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Sequencer> sequencer;
  StoreHealth storeHealth;
  server.setStoreHealth(&storeHealth);
  if (postgres) {
    std::unique_ptr<PgStore> checkpoints = PgStore::open(database, error);
    if (!checkpoints) {
      logEvent("fatal", "store_unavailable", {{"error", error}});
      return 2;
    }
    // Named in pg_stat_activity. Checkpoints take no lock the sequencing waits for, and an erasure's
    // may read and sift a long log inside its transaction: no statement or idle limit there.
    const std::string name = "kring-server " + std::to_string(getpid());
    try {
      pg->limitSessions(PgSessionLimits{name + " sequencer", pgLimits.lockTimeoutMs, pgLimits.statementTimeoutMs,
                                        pgLimits.idleInTransactionTimeoutMs});
      checkpoints->limitSessions(PgSessionLimits{name + " checkpoints", pgLimits.lockTimeoutMs, 0, 0});
    } catch (const std::exception& e) {
      logEvent("fatal", "store_unavailable", {{"error", e.what()}});
      return 2;
    }
    sequencer = std::make_unique<Sequencer>(
        *pg, std::move(checkpoints),
        [&io, &server](const std::string& siteId, std::vector<SequencedOp> ops) {
          const auto sequencedAt = std::chrono::steady_clock::now();
          boost::asio::post(io, [&server, siteId, ops = std::move(ops), sequencedAt]() mutable {
            if (SiteHost* site = server.site(siteId)) site->applySequenced(std::move(ops));
            server.metrics().fanOutSeconds.observe(std::chrono::steady_clock::now() - sequencedAt);
          });
        },
        restoredUpTo, storeHealth);
  } else {
    committer = std::make_unique<Committer>(
        *sqlite,
        [&io, &server](std::vector<Committer::Callback> callbacks) {
          const auto committedAt = std::chrono::steady_clock::now();
          boost::asio::post(io, [&server, callbacks = std::move(callbacks), committedAt] {
            for (const auto& callback : callbacks) callback();
            server.metrics().fanOutSeconds.observe(std::chrono::steady_clock::now() - committedAt);
          });
        },
        storeHealth, std::chrono::milliseconds(commitDelayMs),
        [&server](std::chrono::steady_clock::duration took) { server.metrics().commitSeconds.observe(took); });
  }
  for (const auto& [id, site] : server.sites()) site->setSink(OpSink{committer.get(), sequencer.get(), &storeHealth});
  // Only once every site is restored: an adopted policy is an op the commit thread writes, and the
  // store's one SQLite connection must not be read here while that thread writes (a race that left
  // a hole in the WAL and lost acknowledged ops at the next start).
  for (const auto& [id, site] : server.sites()) {
    if (site->restoredFromWholeSnapshot() && site->checkpointIfBehind()) {
      logEvent("info", "site_migrated_to_checkpoints", {{"site", id}, {"sequence", std::to_string(site->checkpointSequence())}});
    }
    switch (site->adoptConfiguredPolicy(nowMilliseconds())) {
      case SiteHost::ConfiguredPolicy::seeded: logEvent("info", "site_policy_seeded", {{"site", id}}); break;
      case SiteHost::ConfiguredPolicy::siteKeepsItsOwn:
        logEvent("info", "site_policy_kept",
                 {{"site", id},
                  {"note", "the sites file's policy differs; the site keeps its own (change it in the console or the API)"}});
        break;
      case SiteHost::ConfiguredPolicy::unchanged: break;
    }
  }

  boost::asio::ip::tcp::acceptor acceptor(io);
  boost::asio::ip::tcp::acceptor adminAcceptor(io);
  // SIGTERM: stop accepting, tell every client, let writes drain, then store what is in flight. Installed
  // before the server says it listens: a SIGTERM right after that line must still stop it cleanly.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    logEvent("info", "shutting_down");
    boost::system::error_code ignored;
    acceptor.close(ignored);
    adminAcceptor.close(ignored);
    server.shutdown();
    drain.expires_after(std::chrono::milliseconds(300));
    drain.async_wait([&io](const boost::system::error_code&) { io.stop(); });
  });
  // The admin line first: whoever reads the listening line may stop reading there.
  if (options.adminListener) {
    try {
      listen(server, {boost::asio::ip::make_address(deployment.adminAddress), deployment.adminPort}, adminAcceptor,
             Listener::admin);
    } catch (const std::exception& e) {
      logEvent("fatal", "listen_failed", {{"address", deployment.adminAddress}, {"listener", "admin"}, {"error", e.what()}});
      return 2;
    }
    std::printf("kring-server admin on http://%s:%u/\n", deployment.adminAddress.c_str(),
                adminAcceptor.local_endpoint().port());
  }
  try {
    listen(server, {boost::asio::ip::make_address(address), port}, acceptor, Listener::publicPort, tls ? &*tls : nullptr);
  } catch (const std::exception& e) {
    logEvent("fatal", "listen_failed", {{"address", address}, {"error", e.what()}});
    return 2;
  }
  std::printf("kring-server listening on %s://%s:%u/\n", tls ? "https" : "http", address.c_str(),
              acceptor.local_endpoint().port());
  std::fflush(stdout);

  io.run();
  // Everything applied is in the committer's queue; a checkpoint after it spares the next start a replay.
  for (const auto& [id, site] : server.sites()) {
    if (site->checkpointIfBehind()) {
      logEvent("info", "checkpoint_at_shutdown", {{"site", id}, {"sequence", std::to_string(site->checkpointSequence())}});
    }
  }
  if (committer) committer->drainAndStop();
  if (sequencer) sequencer->drainAndStop();
  auto stats = committer ? committer->stats() : sequencer->stats();
  logEvent("info", "stopped",
           {{"ops", std::to_string(stats.ops)},
            {"transactions", std::to_string(stats.transactions)},
            {"checkpoints", std::to_string(stats.checkpoints)},
            {"checkpointParts", std::to_string(stats.checkpointParts)},
            {"checkpointMiB", std::to_string(stats.checkpointBytes >> 20)},
            {"checkpointSeconds", std::to_string(stats.checkpointMicroseconds / 1'000'000)}});
  return 0;
}
