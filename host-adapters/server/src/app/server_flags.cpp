#include "app/server_flags.h"

#include <cctype>
#include <fstream>

#include "http/tls_context.h"
#include "observe/logging.h"

namespace kring::server {

namespace {

void addDeploymentFlags(CLI::App& app, ServerFlags& flags) {
  app.add_option("--trusted-proxy", flags.trustedProxies,
                 "Address or network (10.0.0.0/8, fd00::/8) of reverse proxies whose Forwarded or X-Forwarded-For "
                 "names the client (repeat for several)");
  app.add_option("--admin-address", flags.adminAddress, "Address of the admin listener (with --admin-port)")
      ->capture_default_str();
  flags.adminPortOption = app.add_option(
      "--admin-port", flags.adminPort,
      "A separate listener for the console, /api/ and /metrics, which the public port then does not answer");
  app.add_flag("--public-admin", flags.publicAdmin,
               "Without --admin-port: answer the console and /api/ to any address, not only this machine's");
  app.add_option("--metrics-key-file", flags.metricsKeyFile,
                 "Without an admin listener: GET /metrics on the public port needs this file's key as a Bearer token");
  app.add_option("--tls-cert", flags.tlsCertificate,
                 "PEM certificate chain: the public port speaks HTTPS and WSS (with --tls-key; no proxy needed)");
  app.add_option("--tls-key", flags.tlsKey, "PEM private key of --tls-cert");
}

}  // namespace

void addServerFlags(CLI::App& app, ServerFlags& flags) {
  app.add_option("--address", flags.address, "Address to listen on")->capture_default_str();
  app.add_option("--port", flags.port, "Port for HTTP and WebSocket (/sync)")->capture_default_str();
  app.add_option("--db", flags.database,
                 "Store: sqlite:PATH (one server), or postgresql://… (several servers over one database)")
      ->capture_default_str();
  app.add_option("--sites", flags.sitesFile, "Site configuration (JSON, see docs/operations.md)")
      ->capture_default_str();
  app.add_option("--static-dir", flags.server.staticDirectory, "Pages served at / (the demo site)");
  app.add_option("--widget-dir", flags.server.widgetDirectory, "Widget bundle and wasm core, served at /kring/");
  app.add_option("--max-connections-per-ip", flags.server.maxConnectionsPerIp,
                 "Connections one client may hold: an IPv4 address, or an IPv6 network (--ipv6-prefix-length)")
      ->capture_default_str();
  app.add_option("--ipv6-prefix-length", flags.server.ipv6PrefixBits,
                 "Per-address limits count an IPv6 client by its network of this many bits")
      ->capture_default_str()
      ->check(CLI::Range(32u, 128u));
  app.add_option("--hello-timeout-seconds", flags.server.helloTimeoutSeconds,
                 "A WebSocket connection that has not said Hello by then is closed (hello_timeout)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 300u));
  app.add_option("--max-connections", flags.server.maxConnections, "Connections all addresses together may hold")
      ->capture_default_str();
  addDeploymentFlags(app, flags);
  app.add_option("--ops-per-second", flags.server.opsPerSecond, "Ops per second per connection")->capture_default_str();
  app.add_option("--ops-burst", flags.server.opsBurst, "Burst of ops per connection")->capture_default_str();
  app.add_option("--member-ops-per-second", flags.server.memberOpsPerSecond, "Ops per second per member")
      ->capture_default_str();
  app.add_option("--member-ops-burst", flags.server.memberOpsBurst, "Burst of ops per member")->capture_default_str();
  app.add_option("--max-send-queue-bytes", flags.server.maxSendQueueBytes,
                 "Unsent bytes a connection may hold before it is dropped as a slow reader")
      ->capture_default_str();
  app.add_option("--max-snapshot-queue-bytes", flags.server.maxSnapshotQueueBytes,
                 "Unsent thread-snapshot bytes a connection may hold before it is dropped as a slow reader")
      ->capture_default_str();
  app.add_option("--frames-per-second", flags.server.framesPerSecond,
                 "Frames per second per connection before it is a flood")
      ->capture_default_str();
  app.add_option("--frames-burst", flags.server.framesBurst, "Burst of frames per connection")->capture_default_str();
  app.add_option("--token-leeway-seconds", flags.server.tokenLeewaySeconds,
                 "Clock skew forgiven on a token's nbf, iat and exp (also how long past exp a connection stays)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3600}));
  app.add_option("--checkpoint-every,--snapshot-every", flags.site.checkpointEvery,
                 "Ops between checkpoints, which write what changed since the last (0: only at shutdown)")
      ->capture_default_str();
  app.add_option("--op-log-retention", flags.site.opLogRetention,
                 "Op bodies kept behind the newest checkpoint; older ones are compacted (their ids stay)")
      ->capture_default_str();
  app.add_flag("--keep-op-log", flags.site.keepOpLog, "Never compact op bodies (the whole log stays on disk)");
  app.add_option("--recent-events-per-site", flags.site.recentEventsPerSite,
                 "Events each site keeps over all its threads for clients catching up (older ones get a snapshot)")
      ->capture_default_str();
  app.add_option("--op-id-memory", flags.site.opIdMemory,
                 "Recent op ids each site keeps in memory (older ones are looked up in the store)")
      ->capture_default_str();
  app.add_option("--snapshot-cache-bytes", flags.site.snapshotCacheBytes,
                 "Encoded thread snapshots each site keeps for its subscribers")
      ->capture_default_str();
  app.add_option("--fault-ping-nonce", flags.server.faultPingNonce,
                 "Test aid: a Ping with this nonce throws while it is handled (keep 0 in production)");
  app.add_option("--fault-console-read-delay-ms", flags.server.faultConsoleReadDelayMs,
                 "Test aid: each console read waits this long on the reader thread first (keep 0 in production)");
  app.add_option("--pg-lock-timeout-ms", flags.postgres.lockTimeoutMs,
                 "PostgreSQL: longest wait for a lock before the statement fails and is retried (0: no limit)")
      ->capture_default_str();
  app.add_option(
         "--pg-statement-timeout-ms", flags.postgres.statementTimeoutMs,
         "PostgreSQL: longest statement on the sequencing connection before it fails and is retried (0: no limit)")
      ->capture_default_str();
  app.add_option("--pg-idle-in-transaction-timeout-ms", flags.postgres.idleInTransactionTimeoutMs,
                 "PostgreSQL: a server idle this long inside its transaction (paused, cut off) loses it and its locks")
      ->capture_default_str();
  app.add_option("--commit-delay-ms", flags.commitDelayMs,
                 "Test aid: hold each commit back this long, as a slow disk would (keep 0 in production)")
      ->capture_default_str();
  app.add_option("--outbox-first-retry-ms", flags.outboxFirstRetryMs,
                 "Test aid: the first retry of a mail or webhook that failed (0: 30 s, doubling to 2 h)");
  app.add_option("--outbox-give-up-after-ms", flags.outboxGiveUpAfterMs,
                 "Test aid: how long a mail or webhook is tried before it is dead (0: a day)");
  app.add_option("--webhook-timeout-ms", flags.webhookTimeoutMs, "Test aid: one webhook request's limit (0: 10 s)");
  app.add_option("--mail-cap-window-ms", flags.mailCapWindowMs,
                 "Test aid: the window of a site's memberMailsPerHour (0: an hour)");
  app.add_option("--mail-daily-period-ms", flags.mailDailyPeriodMs,
                 "Test aid: the period of the mails members take once a day (0: a day, at dailyMailHourUtc)");
  app.add_option("--alert-check-ms", flags.alertCheckMs,
                 "How often each site looks for questions waiting past its policy's unansweredAlertMinutes, the "
                 "staff's digest and posts that stood spamHamAfterMinutes")
      ->check(CLI::Range(100u, 3'600'000u))
      ->capture_default_str();
}

StartupResult<std::optional<boost::asio::ssl::context>> applyDeploymentFlags(ServerFlags& flags) {
  ServerOptions& options = flags.server;
  auto proxies = TrustedProxies::parse(flags.trustedProxies);
  if (!proxies) return proxies.error();
  options.trustedProxies = std::move(proxies.value());
  options.adminListener = flags.adminPortOption && flags.adminPortOption->count() > 0;
  options.publicAdmin = flags.publicAdmin;
  logEvent(
      "info", "console_reachable",
      {{"from", options.adminListener ? "the admin listener only"
                : options.publicAdmin ? "any address (--public-admin)"
                                      : "this machine only (loopback; --admin-port or --public-admin to change)"}});
  if (!flags.metricsKeyFile.empty()) {
    std::ifstream in(flags.metricsKeyFile);
    std::getline(in, options.metricsKey);
    while (!options.metricsKey.empty() && std::isspace(static_cast<unsigned char>(options.metricsKey.back()))) {
      options.metricsKey.pop_back();
    }
    if (options.metricsKey.size() < 16) {
      return StartupFailure{StartupError::badMetricsKeyFile,
                            flags.metricsKeyFile + ": " +
                                (in.is_open() ? "the key is shorter than 16 characters" : "cannot read the file")};
    }
  }
  std::optional<boost::asio::ssl::context> tls;
  if (!flags.tlsCertificate.empty() || !flags.tlsKey.empty()) {
    auto loaded = loadTlsContext(flags.tlsCertificate, flags.tlsKey);
    if (!loaded) return loaded.error();
    tls.emplace(std::move(loaded.value()));
  }
  return tls;
}

}  // namespace kring::server
