// kring-server: one binary that stores a community, orders every change and pushes it live.
// main() is its steps: the flags, the sites file, the store, the sites, the op log, the listeners.
#include <sys/resource.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdio>

#include "app/archive_command.h"
#include "app/http_session.h"
#include "app/import_command.h"
#include "app/opened_store.h"
#include "app/server.h"
#include "app/server_flags.h"
#include "auth/site_config.h"
#include "observe/logging.h"
#include "store/backup.h"
#include "util/clock.h"

using namespace kring::server;

namespace {

// What the process itself needs: a full disk is not a signal, and every connection is a descriptor.
void prepareProcess() {
  // A file-size limit reached is a full disk to the store: the write fails and is retried, the process lives.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
}

StartupStatus restoreSites(Server& server, OpenedStore& store, std::vector<SiteConfig> sites,
                           const SiteOptions& options) {
  for (SiteConfig& config : sites) {
    std::string id = config.id;
    auto restored = SiteHost::restore(std::move(config), store.store(), store.opIds(), options);
    if (!restored)
      return StartupFailure{StartupError::siteRestoreFailed, "site " + id + ": " + restored.error().message};
    std::unique_ptr<SiteHost>& site = restored.value();
    logEvent("info", "site_loaded",
             {{"site", id},
              {"sequence", std::to_string(site->committedSequence())},
              {"checkpointSequence", std::to_string(site->checkpointSequence())},
              {"replayedOps", std::to_string(site->replayedAtStart())}});
    server.addSite(std::move(site));
  }
  return std::monostate{};
}

// Only once every site is restored and its ops have a log: an adopted policy is an op the log
// writes, and the store's one SQLite connection must not be read here while that thread writes (a
// race that left a hole in the WAL and lost acknowledged ops at the next start).
void settleSites(Server& server, OpLog& log) {
  for (const auto& [id, site] : server.sites()) site->setLog(log);
  for (const auto& [id, site] : server.sites()) {
    if (site->restoredFromWholeSnapshot() && site->checkpointIfBehind()) {
      logEvent("info", "site_migrated_to_checkpoints",
               {{"site", id}, {"sequence", std::to_string(site->checkpointSequence())}});
    }
    switch (site->adoptConfiguredPolicy(nowMilliseconds())) {
      case SiteHost::ConfiguredPolicy::seeded: logEvent("info", "site_policy_seeded", {{"site", id}}); break;
      case SiteHost::ConfiguredPolicy::siteKeepsItsOwn:
        logEvent("info", "site_policy_kept",
                 {{"site", id},
                  {"note",
                   "the sites file's policy differs; the site keeps its own (change it in the console or the API)"}});
        break;
      case SiteHost::ConfiguredPolicy::unchanged: break;
    }
  }
}

StartupStatus listenOn(Server& server, const std::string& address, unsigned short port,
                       boost::asio::ip::tcp::acceptor& acceptor, Listener listener,
                       boost::asio::ssl::context* tls = nullptr) {
  try {
    listen(server, {boost::asio::ip::make_address(address), port}, acceptor, listener, tls);
  } catch (const std::exception& e) {
    return StartupFailure{StartupError::listenFailed,
                          address + (listener == Listener::admin ? " (admin): " : ": ") + e.what()};
  }
  return std::monostate{};
}

// Each site's scheduled check for questions waiting past its policy's unansweredAlertMinutes.
class AlertClock {
 public:
  AlertClock(boost::asio::io_context& io, Server& server, std::chrono::milliseconds every)
      : timer_(io), server_(server), every_(every) {}
  void start() {
    timer_.expires_after(every_);
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      for (const auto& [id, site] : server_.sites()) site->checkAlerts(nowMilliseconds());
      start();
    });
  }
  void stop() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
  Server& server_;
  std::chrono::milliseconds every_;
};

// Everything applied is in the log's queue; a checkpoint after it spares the next start a replay.
void stop(Server& server, OpLog& log) {
  for (const auto& [id, site] : server.sites()) {
    if (site->checkpointIfBehind()) {
      logEvent("info", "checkpoint_at_shutdown",
               {{"site", id}, {"sequence", std::to_string(site->checkpointSequence())}});
    }
  }
  log.drainAndStop();
  const WriterStats stats = log.stats();
  logEvent("info", "stopped",
           {{"ops", std::to_string(stats.ops)},
            {"transactions", std::to_string(stats.transactions)},
            {"checkpoints", std::to_string(stats.checkpoints)},
            {"checkpointParts", std::to_string(stats.checkpointParts)},
            {"checkpointMiB", std::to_string(stats.checkpointBytes >> 20)},
            {"checkpointSeconds", std::to_string(stats.checkpointMicroseconds / 1'000'000)}});
}

StartupStatus run(ServerFlags& flags) {
  auto tls = applyDeploymentFlags(flags);
  if (!tls) return tls.error();
  prepareProcess();
  auto sites = loadSiteConfig(flags.sitesFile);
  if (!sites) return sites.error();
  auto store = OpenedStore::open(flags);
  if (!store) return store.error();

  boost::asio::io_context io(1);
  Server server(io, flags.server);
  server.metrics().startedAtSeconds = nowMilliseconds() / 1000;
  server.setStoreHealth(&store.value()->health());
  if (auto restored = restoreSites(server, *store.value(), std::move(sites.value()), flags.site); !restored) {
    return restored;
  }
  auto log = store.value()->startLog(io, server, flags);
  if (!log) return log.error();
  settleSites(server, *log.value());
  AlertClock alerts(io, server, std::chrono::milliseconds(flags.alertCheckMs));
  alerts.start();

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
    alerts.stop();
    server.shutdown();
    drain.expires_after(std::chrono::milliseconds(300));
    drain.async_wait([&io](const boost::system::error_code&) { io.stop(); });
  });
  // The admin line first: whoever reads the listening line may stop reading there.
  if (flags.server.adminListener) {
    auto listening = listenOn(server, flags.adminAddress, flags.adminPort, adminAcceptor, Listener::admin);
    if (!listening) return listening;
    std::printf("kring-server admin on http://%s:%u/\n", flags.adminAddress.c_str(),
                adminAcceptor.local_endpoint().port());
  }
  auto context = tls.value() ? &*tls.value() : nullptr;
  if (auto listening = listenOn(server, flags.address, flags.port, acceptor, Listener::publicPort, context);
      !listening) {
    return listening;
  }
  std::printf("kring-server listening on %s://%s:%u/\n", context ? "https" : "http", flags.address.c_str(),
              acceptor.local_endpoint().port());
  std::fflush(stdout);

  io.run();
  stop(server, *log.value());
  return std::monostate{};
}

}  // namespace

int main(int argc, char** argv) {
  // `kring-server backup …` and `kring-server restore …` copy a SQLite store (backup.h).
  if (auto status = runStoreCommand(argc, argv)) return *status;
  if (auto status = runImportCommand(argc, argv)) return *status;
  if (auto status = runExportCommand(argc, argv)) return *status;
  CLI::App app{
      "kring-server: live community sync over WebSocket, stored in SQLite or PostgreSQL\n"
      "Also: kring-server backup --db sqlite:PATH --to FILE, kring-server restore --from FILE --db sqlite:PATH,\n"
      "kring-server import --format disqus|wordpress FILE --dry-run,\n"
      "kring-server export --db DB --site S --to FILE, kring-server import --format kring FILE --db sqlite:PATH"};
  ServerFlags flags;
  addServerFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  if (StartupStatus ran = run(flags); !ran) {
    logEvent("fatal", startupErrorName(ran.error().code), {{"error", ran.error().message}});
    return 2;
  }
  return 0;
}
