// Fetching a provider's JWKS document: one HTTPS GET with libcurl, bounded (5 s, 1 MiB), no
// redirects, no proxy from the environment. Plain http only for a host the site allows it from.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kring/reason.h"

namespace kring::server {

enum class FetchError { refused, failed };
using FetchResult = Result<std::string, FetchError>;  // the body of a 200 answer

// How SiteKeys fetches; tests put their own in its place.
using JwksFetcher = std::function<FetchResult(const std::string& url)>;

inline constexpr std::chrono::seconds kJwksFetchTimeout{5};
inline constexpr std::size_t kMaxJwksBytes = 1 << 20;

// The URL's host, lowercase, without brackets or port; empty when it has none.
std::string urlHost(std::string_view url);
// Whether `url` may be fetched: https://, or http:// to a host listed in `allowHttpFrom`.
bool jwksUrlAllowed(std::string_view url, const std::vector<std::string>& allowHttpFrom);

// GETs `url` (which jwksUrlAllowed accepted) with the limits above.
FetchResult fetchJwks(const std::string& url, const std::vector<std::string>& allowHttpFrom);

}  // namespace kring::server
