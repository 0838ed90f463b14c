#include "notify/console_webhooks.h"

#include <memory>
#include <stdexcept>

#include "notify/outbox_statement.h"

namespace kring::server {

namespace {

// Secrets and event types hold no newline: a column keeps a list as lines.
std::string lines(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}

std::vector<std::string> fromLines(const std::string& text) {
  std::vector<std::string> items;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    items.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return items;
}

}  // namespace

WebhookEndpointList consoleWebhooks(const OutboxDatabase& database, const std::string& siteId) {
  return consoleWebhooks(*database.connect(OutboxDatabase::Access::read, "the console's webhooks"), siteId);
}

WebhookEndpointList consoleWebhooks(OutboxConnection& db, const std::string& siteId) {
  OutboxStatement select(db,
                         "SELECT url, secrets, events FROM webhook_endpoints WHERE site = $1 ORDER BY created_ms, url");
  select.bind(1, siteId);
  WebhookEndpointList endpoints;
  while (select.row()) endpoints.push_back({select.text(0), fromLines(select.text(1)), fromLines(select.text(2))});
  return endpoints;
}

bool addConsoleWebhook(const OutboxDatabase& database, const std::string& siteId, const WebhookEndpoint& endpoint,
                       std::int64_t now) {
  const auto db = database.connect(OutboxDatabase::Access::write, "the console's webhooks");
  OutboxStatement insert(*db,
                         "INSERT INTO webhook_endpoints(site, url, secrets, events, created_ms) "
                         "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING");
  insert.bind(1, siteId).bind(2, endpoint.url).bind(3, lines(endpoint.secrets)).bind(4, lines(endpoint.events));
  insert.bind(5, now).run();
  return db->changes() == 1;
}

bool setConsoleWebhookSecrets(const OutboxDatabase& database, const std::string& siteId, const std::string& url,
                              const std::vector<std::string>& secrets) {
  const auto db = database.connect(OutboxDatabase::Access::write, "the console's webhooks");
  OutboxStatement update(*db, "UPDATE webhook_endpoints SET secrets = $3 WHERE site = $1 AND url = $2");
  update.bind(1, siteId).bind(2, url).bind(3, lines(secrets)).run();
  return db->changes() == 1;
}

bool removeConsoleWebhook(const OutboxDatabase& database, const std::string& siteId, const std::string& url) {
  const auto db = database.connect(OutboxDatabase::Access::write, "the console's webhooks");
  OutboxStatement remove(*db, "DELETE FROM webhook_endpoints WHERE site = $1 AND url = $2");
  remove.bind(1, siteId).bind(2, url).run();
  return db->changes() == 1;
}

}  // namespace kring::server
