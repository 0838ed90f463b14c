#include "app/deployment_flags.h"

#include <cctype>
#include <fstream>

#include "observe/logging.h"
#include "http/tls_context.h"

namespace kring::server {

void addDeploymentFlags(CLI::App& app, DeploymentFlags& flags) {
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

bool applyDeploymentFlags(const DeploymentFlags& flags, ServerOptions& options,
                          std::optional<boost::asio::ssl::context>& tls) {
  std::string error;
  auto proxies = TrustedProxies::parse(flags.trustedProxies, error);
  if (!proxies) {
    logEvent("fatal", "bad_trusted_proxy", {{"error", error}});
    return false;
  }
  options.trustedProxies = std::move(*proxies);
  options.adminListener = flags.adminPortOption && flags.adminPortOption->count() > 0;
  options.publicAdmin = flags.publicAdmin;
  logEvent("info", "console_reachable",
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
      logEvent("fatal", "bad_metrics_key_file",
               {{"file", flags.metricsKeyFile},
                {"error", in.is_open() ? "the key is shorter than 16 characters" : "cannot read the file"}});
      return false;
    }
  }
  if (!flags.tlsCertificate.empty() || !flags.tlsKey.empty()) {
    tls = loadTlsContext(flags.tlsCertificate, flags.tlsKey, error);
    if (!tls) {
      logEvent("fatal", "bad_tls", {{"error", error}});
      return false;
    }
  }
  return true;
}

}  // namespace kring::server
