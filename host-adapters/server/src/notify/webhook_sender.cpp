#include "notify/webhook_sender.h"

#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <stdexcept>

#include "http/address_class.h"
#include "notify/smtp_sender.h"

namespace kring::server {

namespace {

constexpr std::size_t kMostAnswerBytes = 64 * 1024;

struct CurlListFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListFree>;

struct UrlFree {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

std::size_t keepSome(char* data, std::size_t size, std::size_t count, void* kept) {
  auto& answer = *static_cast<std::string*>(kept);
  const std::size_t bytes = size * count;
  if (answer.size() + bytes > kMostAnswerBytes) return 0;  // curl stops reading: the status is known
  answer.append(data, bytes);
  return bytes;
}

std::string part(CURLU* url, CURLUPart which) {
  char* value = nullptr;
  if (curl_url_get(url, which, &value, which == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0) != CURLUE_OK) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

void WebhookSender::HandleCloser::operator()(void* handle) const { curl_easy_cleanup(static_cast<CURL*>(handle)); }

WebhookSender::WebhookSender(std::vector<std::string> allowPrivateTargets, std::chrono::milliseconds timeout)
    : allowPrivateTargets_(std::move(allowPrivateTargets)), timeout_(timeout) {
  initCurlOnce();
  handle_.reset(curl_easy_init());
  if (!handle_) throw std::runtime_error("curl_easy_init failed");
}

WebhookSender::~WebhookSender() = default;

WebhookResult WebhookSender::post(const std::string& url, const std::string& body,
                                  const std::vector<std::string>& headers) {
  std::unique_ptr<CURLU, UrlFree> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return {WebhookVerdict::targetRefused, 0, "not a URL: " + url};
  }
  const std::string scheme = part(parsed.get(), CURLUPART_SCHEME);
  std::string host = part(parsed.get(), CURLUPART_HOST);
  const std::string port = part(parsed.get(), CURLUPART_PORT);
  const bool allowed =
      std::find(allowPrivateTargets_.begin(), allowPrivateTargets_.end(), host) != allowPrivateTargets_.end();
  // Plain HTTP would hand the payload to anyone on the way: only to a target on the host's own network.
  if (scheme != "https" && !(scheme == "http" && allowed)) {
    return {WebhookVerdict::targetRefused, 0,
            "an endpoint must be https:// (http:// only to an allowed private target)"};
  }
  const std::string bare = host.starts_with('[') ? host.substr(1, host.size() - 2) : host;

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int error = getaddrinfo(bare.c_str(), port.c_str(), &hints, &found); error != 0) {
    return {WebhookVerdict::retryLater, 0, std::string("cannot resolve ") + bare + ": " + gai_strerror(error)};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  std::string pinned;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(entry->ai_addr, entry->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    boost::system::error_code invalid;
    const boost::asio::ip::address address = boost::asio::ip::make_address(text, invalid);
    if (invalid) continue;
    const AddressClass kind = classifyAddress(address);
    if (kind != AddressClass::publicAddress && !allowed) {
      return {WebhookVerdict::targetRefused, 0,
              bare + " resolves to " + text + ", a " + std::string(addressClassName(kind)) +
                  " address: name the host in webhooks.allowPrivateTargets to allow it"};
    }
    const std::string written = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    if (pinned.find(written) == std::string::npos) pinned += (pinned.empty() ? "" : ",") + written;
  }
  if (pinned.empty()) return {WebhookVerdict::retryLater, 0, "no address for " + bare};

  const std::lock_guard lock(posting_);
  CURL* curl = static_cast<CURL*>(handle_.get());
  curl_easy_reset(curl);
  CurlList resolve(curl_slist_append(nullptr, (bare + ":" + port + ":" + pinned).c_str()));
  CurlList lines;
  for (const std::string& line : headers) lines.reset(curl_slist_append(lines.release(), line.c_str()));
  lines.reset(curl_slist_append(lines.release(), "Content-Type: application/json"));
  lines.reset(curl_slist_append(lines.release(), "Expect:"));
  std::string answer;
  std::array<char, CURL_ERROR_SIZE> errorText{};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorText.data());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // an environment's proxy would reach what the check refused
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, lines.get());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "kring-server webhooks");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keepSome);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_RESOLVE, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  // A 2xx counts even when the answer was cut at its limit: the receiver took the event.
  if (status >= 200 && status <= 299 && (code == CURLE_OK || code == CURLE_WRITE_ERROR)) {
    return {WebhookVerdict::delivered, status, {}};
  }
  std::string detail = code != CURLE_OK ? std::string(errorText[0] ? errorText.data() : curl_easy_strerror(code))
                                        : "HTTP " + std::to_string(status);
  if (status >= 300 && status <= 399) detail += " (redirects are not followed)";
  return {WebhookVerdict::retryLater, status, detail};
}

}  // namespace kring::server
