#include "notify/dead_letters.h"

#include <boost/json.hpp>

#include <memory>
#include <stdexcept>

#include "kring/types.h"
#include "notify/outbox_statement.h"

namespace kring::server {

namespace {

std::string_view kindName(std::int64_t kind) {
  const auto& names = EnumTable<NotificationKind>::names;
  return kind >= 0 && static_cast<std::size_t>(kind) < names.size() ? names[static_cast<std::size_t>(kind)] : "";
}

std::string_view stateName(std::int64_t state) {
  switch (static_cast<RowState>(state)) {
    case RowState::pending: return "pending";
    case RowState::sent: return "sent";
    case RowState::skipped: return "skipped";
    case RowState::dead: return "dead";
  }
  return "";
}

}  // namespace

boost::json::value deadLettersJson(const OutboxDatabase& database, const std::string& siteId) {
  const auto db = database.connect(OutboxDatabase::Access::read, "the dead letters");
  const auto dead = static_cast<std::int64_t>(RowState::dead);
  boost::json::array mails;
  OutboxStatement mail(*db,
                       "SELECT id, kind, recipient, thread_key, post_id, attempts, outcome, created_ms, done_ms "
                       "FROM outbox WHERE state = $1 AND site = $2 ORDER BY done_ms DESC, id DESC LIMIT $3");
  mail.bind(1, dead).bind(2, siteId).bind(3, static_cast<std::int64_t>(kDeadLettersListed));
  while (mail.row()) {
    mails.push_back(boost::json::object{{"id", mail.integer(0)},
                                        {"kind", kindName(mail.integer(1))},
                                        {"recipientId", mail.text(2)},
                                        {"threadKey", mail.text(3)},
                                        {"postId", mail.text(4)},
                                        {"attempts", mail.integer(5)},
                                        {"outcome", mail.text(6)},
                                        {"createdAt", mail.integer(7)},
                                        {"deadAt", mail.integer(8)}});
  }
  boost::json::array webhooks;
  OutboxStatement hook(*db,
                       "SELECT id, url, type, subject, thread_key, attempts, outcome, created_ms, done_ms "
                       "FROM webhook_deliveries WHERE state = $1 AND site = $2 ORDER BY done_ms DESC, id DESC "
                       "LIMIT $3");
  hook.bind(1, dead).bind(2, siteId).bind(3, static_cast<std::int64_t>(kDeadLettersListed));
  while (hook.row()) {
    webhooks.push_back(boost::json::object{{"id", hook.integer(0)},
                                           {"url", hook.text(1)},
                                           {"type", hook.text(2)},
                                           {"subject", hook.text(3)},
                                           {"threadKey", hook.text(4)},
                                           {"attempts", hook.integer(5)},
                                           {"outcome", hook.text(6)},
                                           {"createdAt", hook.integer(7)},
                                           {"deadAt", hook.integer(8)}});
  }
  boost::json::array log;
  OutboxStatement logged(*db,
                         "SELECT id, url, type, subject, thread_key, state, attempts, outcome, created_ms, done_ms "
                         "FROM webhook_deliveries WHERE site = $1 ORDER BY id DESC LIMIT $2");
  logged.bind(1, siteId).bind(2, static_cast<std::int64_t>(kDeadLettersListed));
  while (logged.row()) {
    log.push_back(boost::json::object{{"id", logged.integer(0)},
                                      {"url", logged.text(1)},
                                      {"type", logged.text(2)},
                                      {"subject", logged.text(3)},
                                      {"threadKey", logged.text(4)},
                                      {"state", stateName(logged.integer(5))},
                                      {"attempts", logged.integer(6)},
                                      {"outcome", logged.text(7)},
                                      {"createdAt", logged.integer(8)},
                                      {"doneAt", logged.integer(9)}});
  }
  return boost::json::object{
      {"mails", std::move(mails)}, {"webhooks", std::move(webhooks)}, {"webhookLog", std::move(log)}};
}

bool retryDeadLetter(const OutboxDatabase& database, const std::string& siteId, std::string_view kind, std::int64_t id,
                     std::int64_t now) {
  if (kind != "mail" && kind != "webhook") return false;
  const auto db = database.connect(OutboxDatabase::Access::write, "the dead letters");
  // A mail: dead ones only. A webhook: any that ended (the condition's second state is then sent).
  const std::string sql = std::string("UPDATE ") + (kind == "mail" ? "outbox" : "webhook_deliveries") +
                          " SET state = $1, due_ms = $2, outcome = 'retried from the console' "
                          "WHERE id = $3 AND site = $4 AND (state = $5 OR ($6 AND state != $1))";
  OutboxStatement(*db, sql)
      .bind(1, static_cast<std::int64_t>(RowState::pending))
      .bind(2, now)
      .bind(3, id)
      .bind(4, siteId)
      .bind(5, static_cast<std::int64_t>(RowState::dead))
      .bind(6, std::int64_t{kind == "webhook"})
      .run();
  return db->changes() == 1;
}

}  // namespace kring::server
