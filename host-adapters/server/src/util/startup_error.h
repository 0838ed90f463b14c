// Why kring-server does not start: each code is the fatal event it logs (docs/operations.md), and
// the parts it starts from (the sites file, the flags, the store, the listeners) answer with one.
#pragma once

#include <array>
#include <string_view>

#include "kring/reason.h"

namespace kring::server {

enum class StartupError {
  badSiteConfig,
  badTrustedProxy,
  badMetricsKeyFile,
  badTls,
  storeUnavailable,
  siteRestoreFailed,
  listenFailed
};

constexpr std::string_view startupErrorName(StartupError error) {
  constexpr std::array<std::string_view, 7> kNames = {"bad_site_config", "bad_trusted_proxy", "bad_metrics_key_file",
                                                      "bad_tls",         "store_unavailable", "site_restore_failed",
                                                      "listen_failed"};
  return kNames[static_cast<std::size_t>(error)];
}

using StartupFailure = ErrorOf<StartupError>;
template <typename T>
using StartupResult = Result<T, StartupError>;
using StartupStatus = StatusOf<StartupError>;

}  // namespace kring::server
