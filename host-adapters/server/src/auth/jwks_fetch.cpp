#include "auth/jwks_fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <memory>

namespace kring::server {

namespace {

struct CurlCleanup {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};

struct Body {
  std::string text;
  bool tooLarge = false;
};

std::size_t keepBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t bytes = size * count;
  if (body->text.size() + bytes > kMaxJwksBytes) {
    body->tooLarge = true;
    return 0;  // curl stops: a JWKS is a few kilobytes
  }
  body->text.append(data, bytes);
  return bytes;
}

ErrorOf<FetchError> failed(std::string message) { return {FetchError::failed, std::move(message)}; }

}  // namespace

std::string urlHost(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos) return {};  // user info: never in a JWKS address
  std::string_view host;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return {};
    host = rest.substr(1, close - 1);
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return lower;
}

bool jwksUrlAllowed(std::string_view url, const std::vector<std::string>& allowHttpFrom) {
  if (url.find_first_of(" \"<>\\\r\n") != std::string_view::npos || urlHost(url).empty()) return false;
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  const std::string host = urlHost(url);
  return std::find(allowHttpFrom.begin(), allowHttpFrom.end(), host) != allowHttpFrom.end();
}

FetchResult fetchJwks(const std::string& url, const std::vector<std::string>& allowHttpFrom) {
  if (!jwksUrlAllowed(url, allowHttpFrom)) {
    return ErrorOf<FetchError>{FetchError::refused, url + " is neither https:// nor http:// from an allowed host"};
  }
  std::unique_ptr<CURL, CurlCleanup> handle(curl_easy_init());
  if (!handle) return failed("curl_easy_init failed");
  CURL* curl = handle.get();
  std::array<char, CURL_ERROR_SIZE> errorText{};
  Body body;
  // Only the URL's own scheme: with no redirects followed, nothing else can be reached.
  const char* protocols = url.starts_with("https://") ? "https" : "http";
  const auto timeoutMs = static_cast<long>(std::chrono::milliseconds(kJwksFetchTimeout).count());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorText.data());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // an environment's proxy is not the operator's choice here
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeoutMs);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxJwksBytes));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "kring-server jwks");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keepBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl);
  if (body.tooLarge) return failed(url + ": the answer is larger than 1 MiB");
  if (code != CURLE_OK) {
    return failed(url + ": " + std::string(errorText[0] != '\0' ? errorText.data() : curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return failed(url + ": HTTP status " + std::to_string(status));
  return std::move(body.text);
}

}  // namespace kring::server
