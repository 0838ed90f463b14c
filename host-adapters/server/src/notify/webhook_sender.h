// POSTs one webhook to a host's endpoint with libcurl, guarded against server-side request forgery:
// the host name is resolved here, every address it gives is classified (address_class.h), and curl is
// pinned to the checked addresses, so a name that resolves differently a moment later reaches
// nothing else. A loopback, private or link-local target is refused unless the site names the host
// in allowPrivateTargets. No redirect is followed; at most 64 KiB of an answer is read.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kring::server {

enum class WebhookVerdict {
  delivered,      // a 2xx answer
  retryLater,     // no answer, a timeout, 3xx (not followed), 4xx or 5xx
  targetRefused,  // the address is not one a webhook may reach: no later try can help
};

struct WebhookResult {
  WebhookVerdict verdict = WebhookVerdict::retryLater;
  long status = 0;  // the HTTP status, 0 without an answer
  std::string detail;
};

class WebhookSender {
 public:
  WebhookSender(std::vector<std::string> allowPrivateTargets, std::chrono::milliseconds timeout);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // `headers` are whole lines ("webhook-id: msg_…"). Calls on one sender queue (one curl handle, whose
  // connection is reused); parallel requests take a sender each.
  WebhookResult post(const std::string& url, const std::string& body, const std::vector<std::string>& headers);

 private:
  struct HandleCloser {
    void operator()(void* handle) const;
  };
  std::vector<std::string> allowPrivateTargets_;
  std::chrono::milliseconds timeout_;
  std::mutex posting_;
  std::unique_ptr<void, HandleCloser> handle_;  // CURL*
};

}  // namespace kring::server
