// Every flag of kring-server, declared in one place (CLI11; docs/operations.md lists them), and what
// they become: the server's options, each site's, the store's, the listeners'. Checked once at start-up.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/asio/ssl/context.hpp>

#include <optional>
#include <string>
#include <vector>

#include "app/server.h"
#include "store/postgres/pg_store.h"
#include "sync/site_host.h"
#include "util/startup_error.h"

namespace kring::server {

struct ServerFlags {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::string database = "sqlite:kring.db";
  std::string sitesFile = "sites.json";
  ServerOptions server;
  SiteOptions site;
  // No server may hold a site's writes hostage (docs/operations.md, "Faults").
  PgSessionLimits postgres{"", 5'000, 30'000, 2'000};
  unsigned commitDelayMs = 0;  // test aid
  // Test aids: the outbox's first retry and how long it keeps trying (0: the defaults, 30 s and a day),
  // and how long a webhook request may take (0: 10 s).
  unsigned outboxFirstRetryMs = 0;
  unsigned outboxGiveUpAfterMs = 0;
  unsigned mailCapWindowMs = 0;
  unsigned mailDailyPeriodMs = 0;
  unsigned webhookTimeoutMs = 0;
  // How often each site looks for questions waiting past its policy's unansweredAlertMinutes.
  unsigned alertCheckMs = 60'000;

  // Deployment (docs/operations.md, "Deployment"): trusted proxies, the admin listener, the metrics key, TLS.
  std::vector<std::string> trustedProxies;
  std::string adminAddress = "127.0.0.1";
  unsigned short adminPort = 0;
  CLI::Option* adminPortOption = nullptr;  // set: a separate admin listener
  std::string metricsKeyFile;
  bool publicAdmin = false;
  std::string tlsCertificate;
  std::string tlsKey;
};

void addServerFlags(CLI::App& app, ServerFlags& flags);

// Puts the deployment flags into `flags.server` (trusted proxies, admin listener, metrics key) and
// loads the TLS context when asked for one; or bad_trusted_proxy, bad_metrics_key_file, bad_tls.
StartupResult<std::optional<boost::asio::ssl::context>> applyDeploymentFlags(ServerFlags& flags);

}  // namespace kring::server
