// A site's webhook endpoints as they stand: the sites file's, then those its admins set in the console
// (kept in the store, notify/console_webhooks.h). The op path reads which endpoints an event goes to,
// the delivery thread their secrets, and the console replaces its part: every copy of a site's config
// shares one list, and a reader holds the list it read while the console replaces it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kring::server {

struct WebhookEndpoint {
  std::string url;                   // https://…; http:// only to a private target the site allows
  std::vector<std::string> secrets;  // "whsec_…", the newest first: each signs (rotation)
  std::vector<std::string> events;   // the event types it wants (webhook_events.h); empty: every one
};

using WebhookEndpointList = std::vector<WebhookEndpoint>;

class LiveWebhookEndpoints {
 public:
  explicit LiveWebhookEndpoints(WebhookEndpointList fromFile)
      : fromFile_(fromFile.size()), all_(std::make_shared<const WebhookEndpointList>(std::move(fromFile))) {}

  // The file's endpoints first, then the console's.
  std::shared_ptr<const WebhookEndpointList> all() const {
    std::lock_guard lock(mutex_);
    return all_;
  }
  std::size_t fromFile() const { return fromFile_; }

  void setFromConsole(const WebhookEndpointList& console) {
    std::lock_guard lock(mutex_);
    WebhookEndpointList next(all_->begin(), all_->begin() + static_cast<std::ptrdiff_t>(fromFile_));
    next.insert(next.end(), console.begin(), console.end());
    all_ = std::make_shared<const WebhookEndpointList>(std::move(next));
  }

 private:
  const std::size_t fromFile_;
  mutable std::mutex mutex_;
  std::shared_ptr<const WebhookEndpointList> all_;
};

}  // namespace kring::server
