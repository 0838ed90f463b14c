// A site's OpenID Connect keys, kept current: file sources are read again when their mtime changes
// (looked at no more than once a second), a JWKS URL is fetched again when a token names a kid it
// does not know (no more than once a minute: a forged kid must not make the server hammer the
// provider) or when the keys are an hour old. A failed read or fetch keeps the last good keys.
// Fetches are synchronous, on the caller's thread, bounded by jwks_fetch.h's 5 s.
// Shared by the copies of its SiteConfig; safe to use from several threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/jwks_fetch.h"
#include "auth/oidc_settings.h"
#include "auth/public_key.h"

namespace kring::server {

inline constexpr std::int64_t kKeyFileCheckSeconds = 1;
inline constexpr std::int64_t kJwksRefetchSeconds = 60;
inline constexpr std::int64_t kJwksMaxAgeSeconds = 60 * 60;

class SiteKeys {
 public:
  // Without a fetcher, fetchJwks (libcurl) with the settings' allowHttpJwksFrom.
  explicit SiteKeys(const OidcSettings& settings, JwksFetcher fetcher = {});
  SiteKeys(const SiteKeys&) = delete;
  SiteKeys& operator=(const SiteKeys&) = delete;

  // Reads file sources now. A problem starts with the field (relative to "oidc"), for the sites
  // file: `jwksFile: /etc/kring/jwks.json cannot be read`. Nothing for a URL source.
  std::optional<std::string> loadFiles();
  // Fetches a URL source now (start-up); a failure is kept for lastProblem(), not fatal.
  void prefetch(std::int64_t nowSeconds);

  // The key a token's header names (an empty kid: the only key, when there is one), refreshing the
  // keys first as the rules above allow. KeyError::invalid says why there is none.
  Result<VerificationKey, KeyError> find(const std::string& kid, std::int64_t nowSeconds);

  // The last read or fetch that failed, for logs; empty after a good one.
  std::string lastProblem() const;

 private:
  struct FileSource {
    std::string field;  // "jwksFile" or "publicKeyFiles.<kid>"
    std::string kid;    // the kid of a PEM file; empty for a JWKS file
    std::filesystem::path path;
    std::filesystem::file_time_type mtime{};
  };

  std::optional<std::string> readFiles();  // all files, or the first problem (keys left as they were)
  void reloadChangedFiles(std::int64_t nowSeconds);
  void fetch(std::int64_t nowSeconds);
  std::optional<VerificationKey> pick(const std::string& kid) const;
  bool fetchAllowed(std::int64_t nowSeconds) const;

  mutable std::mutex mutex_;
  std::string url_;
  JwksFetcher fetcher_;
  std::vector<FileSource> files_;
  KeySet keys_;
  std::string problem_;
  std::optional<std::int64_t> lastFileCheck_;
  std::optional<std::int64_t> lastFetch_;      // the last attempt
  std::optional<std::int64_t> lastGoodFetch_;  // the keys' age
};

}  // namespace kring::server
