#include "notify/webhook_delivery.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "auth/webhook_signature.h"
#include "notify/outbox_statement.h"
#include "observe/logging.h"
#include "sync/webhook_events.h"
#include "util/clock.h"

namespace kring::server {

namespace {

constexpr std::int64_t kBatch = 100;

}  // namespace

struct WebhookDelivery::Row {
  std::int64_t id = 0;
  std::string site;
  Sequence sequence = 0;
  std::string url;
  WebhookEvent event;
  std::int64_t createdAt = 0;
  std::int64_t attempts = 0;
};

WebhookDelivery::WebhookDelivery(std::string databasePath, std::vector<SiteConfig> sites, ReadViews views,
                                 std::function<void()> release, WebhookDeliveryOptions options)
    : views_(std::move(views)), options_(options) {
  for (SiteConfig& config : sites) {
    if (config.webhooks.endpoints.empty()) continue;
    auto sender = std::make_unique<WebhookSender>(config.webhooks.allowPrivateTargets, options_.timeout);
    std::string id = config.id;
    sites_.emplace(std::move(id), Site{std::move(config), std::move(sender)});
  }
  thread_ = std::make_unique<OutboxThread>(
      databasePath, "webhook_deliveries", "webhook_outbox_unavailable", options_.poll,
      [this](sqlite3* db) {
        db_ = db;
        return deliverDue();
      },
      std::move(release));
}

WebhookDelivery::~WebhookDelivery() { thread_.reset(); }

void WebhookDelivery::wake() { thread_->wake(); }

WebhookDeliveryStats WebhookDelivery::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool WebhookDelivery::deliverDue() {
  std::vector<Row> rows;
  {
    OutboxStatement due(db_,
                        "SELECT id, site, seq, url, type, subject, thread_key, created_ms, attempts "
                        "FROM webhook_deliveries WHERE state = 0 AND due_ms <= ?1 ORDER BY due_ms, id LIMIT ?2");
    due.bind(1, nowMilliseconds()).bind(2, kBatch);
    while (due.row()) {
      Row row;
      row.id = due.integer(0);
      row.site = due.text(1);
      row.sequence = static_cast<Sequence>(due.integer(2));
      row.url = due.text(3);
      row.event = WebhookEvent{due.text(4), due.text(5), due.text(6)};
      row.createdAt = due.integer(7);
      row.attempts = due.integer(8);
      rows.push_back(std::move(row));
    }
  }
  std::map<std::string, std::shared_ptr<const SiteReadView>> views;
  for (Row& row : rows) {
    if (thread_->stopping()) return true;
    auto site = sites_.find(row.site);
    auto& view = views[row.site];
    if (site != sites_.end() && (!view || view->lastSequence() < row.sequence)) view = views_(row.site);
    if (site != sites_.end() && (!view || view->lastSequence() < row.sequence)) {
      postponeRow(db_, "webhook_deliveries", row.id, nowMilliseconds() + 500);
      continue;
    }
    if (site == sites_.end()) {
      finishRow(db_, "webhook_deliveries", row.id, RowState::skipped, "site_has_no_webhooks", row.attempts,
                nowMilliseconds());
      continue;
    }
    deliver(row, site->second, *view);
  }
  return !rows.empty();
}

void WebhookDelivery::deliver(Row& row, Site& site, const SiteReadView& view) {
  const std::int64_t now = nowMilliseconds();
  auto finish = [&](RowState state, const std::string& outcome) {
    finishRow(db_, "webhook_deliveries", row.id, state, outcome, row.attempts, now);
    std::lock_guard lock(mutex_);
    if (state == RowState::sent) stats_.delivered += 1;
    if (state == RowState::skipped) stats_.skipped += 1;
    if (state == RowState::dead) stats_.dead += 1;
  };

  const auto& endpoints = site.config.webhooks.endpoints;
  auto endpoint = std::find_if(endpoints.begin(), endpoints.end(),
                               [&](const WebhookEndpoint& candidate) { return candidate.url == row.url; });
  if (endpoint == endpoints.end()) return finish(RowState::skipped, "endpoint_removed");
  std::optional<std::string> payload = webhookPayload(view.engine(), row.event, now, site.config.threadPages);
  if (!payload) return finish(RowState::skipped, "subject_gone");

  std::vector<std::string> keys;
  for (const std::string& secret : endpoint->secrets) {
    if (std::optional<std::string> key = webhookSecretKey(secret)) keys.push_back(std::move(*key));
  }
  if (keys.empty()) return finish(RowState::dead, "no usable secret: nothing goes out unsigned");
  const std::string messageId = "msg_" + stableHexId(row.site, std::to_string(row.sequence) + '\n' + row.url + '\n' +
                                                                   row.event.type + '\n' + row.event.subject);
  const std::int64_t timestamp = now / 1000;
  const std::vector<std::string> headers{
      "webhook-id: " + messageId, "webhook-timestamp: " + std::to_string(timestamp),
      "webhook-signature: " + webhookSignatureHeader(keys, messageId, timestamp, *payload)};
  row.attempts += 1;
  WebhookResult result = site.sender->post(row.url, *payload, headers);
  if (result.verdict == WebhookVerdict::delivered) return finish(RowState::sent, "");
  if (result.verdict == WebhookVerdict::targetRefused) {
    logEvent("warn", "webhook_target_refused", {{"site", row.site}, {"url", row.url}, {"detail", result.detail}});
    return finish(RowState::dead, "refused: " + result.detail);
  }
  if (now - row.createdAt >= options_.giveUpAfter.count()) {
    logEvent("warn", "webhook_dead", {{"site", row.site}, {"url", row.url}, {"detail", result.detail}});
    return finish(RowState::dead, "gave up: " + result.detail);
  }
  const std::int64_t wait = retryDelay(row.attempts, options_.firstRetry, options_.maxRetry, jitter_);
  retryRow(db_, "webhook_deliveries", row.id, now + wait, row.attempts, "retrying: " + result.detail);
  std::lock_guard lock(mutex_);
  stats_.retried += 1;
}

}  // namespace kring::server
