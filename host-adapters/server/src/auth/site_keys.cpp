#include "auth/site_keys.h"

#include <fstream>
#include <iterator>
#include <system_error>

namespace kring::server {

namespace {

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return text;
}

ErrorOf<KeyError> noKey(std::string message) { return {KeyError::invalid, std::move(message)}; }

// "kid-1: an RSA key of 1024 bits…", the reasons a source's keys were left out.
std::string refusals(const KeySet& set) {
  std::string out;
  for (const auto& [kid, why] : set.refused)
    out += (out.empty() ? "" : "; ") + (kid.empty() ? "(no kid)" : kid) + ": " + why;
  return out;
}

}  // namespace

SiteKeys::SiteKeys(const OidcSettings& settings, JwksFetcher fetcher) : url_(settings.jwksUrl) {
  if (!settings.jwksFile.empty()) files_.push_back({"jwksFile", "", settings.jwksFile, {}});
  for (const auto& [kid, path] : settings.publicKeyFiles) files_.push_back({"publicKeyFiles." + kid, kid, path, {}});
  fetcher_ = fetcher ? std::move(fetcher)
                     : [allow = settings.allowHttpJwksFrom](const std::string& url) { return fetchJwks(url, allow); };
}

std::optional<std::string> SiteKeys::loadFiles() {
  std::lock_guard lock(mutex_);
  return readFiles();
}

std::optional<std::string> SiteKeys::readFiles() {
  if (files_.empty()) return std::nullopt;
  KeySet set;
  std::vector<std::filesystem::file_time_type> mtimes;
  for (const FileSource& file : files_) {
    std::error_code ec;
    mtimes.push_back(std::filesystem::last_write_time(file.path, ec));
    const std::optional<std::string> text = readFile(file.path);
    if (ec || !text) return file.field + ": " + file.path.string() + " cannot be read";
    if (file.kid.empty()) {
      KeySetResult parsed = parseJwks(*text);
      if (!parsed) return file.field + ": " + file.path.string() + " is not a JWKS: " + parsed.error().message;
      if (parsed.value().keys.empty()) {
        return file.field + ": " + file.path.string() + " holds no key fit for RS256 or ES256 (" +
               refusals(parsed.value()) + ")";
      }
      set = std::move(parsed.value());
    } else {
      Result<VerificationKey, KeyError> key = parsePemPublicKey(*text);
      if (!key) return file.field + ": " + file.path.string() + " is " + key.error().message;
      set.keys.emplace(file.kid, std::move(key.value()));
    }
  }
  // Only a complete read replaces the keys, and only it marks the files as seen: a file caught
  // half-written is read again a second later.
  keys_ = std::move(set);
  for (std::size_t i = 0; i < files_.size(); ++i) files_[i].mtime = mtimes[i];
  problem_.clear();
  return std::nullopt;
}

void SiteKeys::reloadChangedFiles(std::int64_t nowSeconds) {
  if (files_.empty() || (lastFileCheck_ && nowSeconds - *lastFileCheck_ < kKeyFileCheckSeconds)) return;
  lastFileCheck_ = nowSeconds;
  bool changed = false;
  for (const FileSource& file : files_) {
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(file.path, ec);
    changed = changed || ec || mtime != file.mtime;
  }
  if (!changed) return;
  if (std::optional<std::string> problem = readFiles()) problem_ = std::move(*problem);
}

bool SiteKeys::fetchAllowed(std::int64_t nowSeconds) const {
  return !url_.empty() && (!lastFetch_ || nowSeconds - *lastFetch_ >= kJwksRefetchSeconds);
}

void SiteKeys::fetch(std::int64_t nowSeconds) {
  lastFetch_ = nowSeconds;
  FetchResult body = fetcher_(url_);
  if (!body) {
    problem_ = "fetching the JWKS failed: " + body.error().message;
    return;
  }
  KeySetResult parsed = parseJwks(body.value());
  if (!parsed) {
    problem_ = url_ + " is not a JWKS: " + parsed.error().message;
    return;
  }
  if (parsed.value().keys.empty()) {
    problem_ = url_ + " holds no key fit for RS256 or ES256 (" + refusals(parsed.value()) + ")";
    return;
  }
  keys_ = std::move(parsed.value());
  lastGoodFetch_ = nowSeconds;
  problem_.clear();
}

void SiteKeys::prefetch(std::int64_t nowSeconds) {
  std::lock_guard lock(mutex_);
  if (fetchAllowed(nowSeconds)) fetch(nowSeconds);
}

std::optional<VerificationKey> SiteKeys::pick(const std::string& kid) const {
  if (kid.empty()) {
    if (keys_.keys.size() == 1) return keys_.keys.begin()->second;
    return std::nullopt;
  }
  auto it = keys_.keys.find(kid);
  if (it == keys_.keys.end()) return std::nullopt;
  return it->second;
}

Result<VerificationKey, KeyError> SiteKeys::find(const std::string& kid, std::int64_t nowSeconds) {
  std::lock_guard lock(mutex_);
  reloadChangedFiles(nowSeconds);
  const bool stale = !lastGoodFetch_ || nowSeconds - *lastGoodFetch_ >= kJwksMaxAgeSeconds;
  if (!url_.empty() && stale && fetchAllowed(nowSeconds)) fetch(nowSeconds);
  std::optional<VerificationKey> key = pick(kid);
  // A kid the source left out for a reason is not worth a fetch: the reason says why.
  if (!key && !keys_.refused.contains(kid) && fetchAllowed(nowSeconds)) {
    fetch(nowSeconds);
    key = pick(kid);
  }
  if (key) return std::move(*key);
  if (auto refused = keys_.refused.find(kid); refused != keys_.refused.end()) {
    return noKey("The site's key " + kid + " was refused: " + refused->second + ".");
  }
  std::string message =
      kid.empty() ? "The token names no key (kid) and the site has " + std::to_string(keys_.keys.size()) + " keys."
                  : "The site has no key " + kid + ".";
  if (!problem_.empty()) message += " (" + problem_ + ")";
  return noKey(std::move(message));
}

std::string SiteKeys::lastProblem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

}  // namespace kring::server
