// The deployment flags of kring-server (docs/operations.md, "Deployment"): trusted proxies, the admin
// listener, the metrics key and TLS. Read by CLI11, checked once at start-up.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/asio/ssl/context.hpp>

#include <optional>
#include <string>
#include <vector>

#include "app/server.h"

namespace kring::server {

struct DeploymentFlags {
  std::vector<std::string> trustedProxies;
  std::string adminAddress = "127.0.0.1";
  unsigned short adminPort = 0;
  CLI::Option* adminPortOption = nullptr;  // set: a separate admin listener
  std::string metricsKeyFile;
  bool publicAdmin = false;
  std::string tlsCertificate;
  std::string tlsKey;
};

void addDeploymentFlags(CLI::App& app, DeploymentFlags& flags);

// Puts the flags into `options` (trusted proxies, admin listener, metrics key) and loads `tls` when
// asked for. False after logging the fatal reason (bad_trusted_proxy, bad_metrics_key_file, bad_tls).
bool applyDeploymentFlags(const DeploymentFlags& flags, ServerOptions& options,
                          std::optional<boost::asio::ssl::context>& tls);

}  // namespace kring::server
