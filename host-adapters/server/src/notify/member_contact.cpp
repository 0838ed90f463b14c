#include "notify/member_contact.h"

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

#include "kring/types.h"
#include "notify/outbox_statement.h"

namespace kring::server {

StoredContact contactAt(OutboxStatement& row, int first) {
  return StoredContact{row.text(first),
                       row.text(first + 1),
                       row.integer(first + 2) != 0,
                       static_cast<std::uint32_t>(row.integer(first + 3)),
                       static_cast<std::uint32_t>(row.integer(first + 4)),
                       static_cast<std::uint32_t>(row.integer(first + 5))};
}

std::optional<StoredContact> readContact(OutboxConnection& db, const std::string& siteId, const std::string& memberId) {
  OutboxStatement select(
      db, std::string("SELECT ") + kContactColumns + " FROM member_contacts WHERE site = $1 AND member = $2");
  select.bind(1, siteId).bind(2, memberId);
  if (!select.row()) return std::nullopt;
  return contactAt(select, 0);
}

StoredContact withSiteDefaults(std::optional<StoredContact> contact, const MailSettings& mail) {
  StoredContact taken = contact.value_or(StoredContact{});
  taken.unsubscribed = (taken.unsubscribed & taken.chosen) | (mail.defaultOff & ~taken.chosen);
  taken.daily = (taken.daily & taken.chosen) | (mail.defaultDaily & ~taken.chosen);
  return taken;
}

std::optional<StoredContact> readContactAt(const OutboxDatabase& database, const std::string& siteId,
                                           const std::string& memberId) {
  return readContact(*database.connect(OutboxDatabase::Access::read, "a contact"), siteId, memberId);
}

boost::json::value contactJson(const OutboxDatabase& database, const std::string& siteId, const std::string& memberId) {
  std::optional<StoredContact> contact = readContactAt(database, siteId, memberId);
  if (!contact) return nullptr;
  boost::json::array unsubscribed;
  boost::json::array daily;
  const auto& kinds = EnumTable<NotificationKind>::names;
  for (std::size_t kind = 0; kind < kinds.size(); ++kind) {
    if (!contact->wants(static_cast<int>(kind))) unsubscribed.emplace_back(kinds[kind]);
    if (contact->wants(static_cast<int>(kind)) && contact->wantsDaily(static_cast<int>(kind)))
      daily.emplace_back(kinds[kind]);
  }
  return boost::json::object{{"email", contact->email},
                             {"language", contact->language},
                             {"undeliverable", contact->undeliverable},
                             {"unsubscribedFrom", std::move(unsubscribed)},
                             {"dailyFor", std::move(daily)}};
}

}  // namespace kring::server
