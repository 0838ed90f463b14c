// A member's mail contact as the store keeps it (table member_contacts, docs/notifications.md): read
// by the mail delivery before each mail, and by a member's data export.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "auth/site_config.h"

#include "notify/outbox_statement.h"
#include "store/outbox_database.h"

namespace kring::server {

struct StoredContact {
  std::string email;  // empty: the member unsubscribed before any address came
  std::string language;
  bool undeliverable = false;
  std::uint32_t unsubscribed = 0;  // a bit per NotificationKind; kUnsubscribedFromAll for every kind
  std::uint32_t daily = 0;         // a bit per NotificationKind: mailed once a day, together
  std::uint32_t chosen = 0;        // the kinds the member chose themselves; the site's defaults say the rest

  bool wants(int kind) const { return (unsubscribed & (std::uint32_t{1} << kind)) == 0; }
  bool wantsDaily(int kind) const { return (daily & (std::uint32_t{1} << kind)) != 0; }
};

inline constexpr std::uint32_t kUnsubscribedFromAll = 0xff;

// The language the member's mails (and pages) speak: theirs, else the site's.
inline const std::string& mailLanguage(const std::optional<StoredContact>& contact, const std::string& siteLanguage) {
  return contact && !contact->language.empty() ? contact->language : siteLanguage;
}

// What a member takes of each kind: as they chose, and for a kind they never chose, as the site's
// "defaults" say (a member without a stored contact chose nothing).
StoredContact withSiteDefaults(std::optional<StoredContact> contact, const MailSettings& mail);

// What a member chose on their preferences page (http_routes.cpp), bits per NotificationKind.
struct MailChoices {
  std::string siteId;
  std::string memberId;
  std::uint32_t off = 0;
  std::uint32_t daily = 0;
  std::uint32_t chosen = 0;  // the kinds the form named: the others keep the site's defaults
};

// The columns of member_contacts a StoredContact holds, in the order contactAt reads them.
inline constexpr const char* kContactColumns = "email, language, undeliverable, unsubscribed, daily, chosen";
// The contact whose kContactColumns a statement's row holds from column `first` on.
StoredContact contactAt(OutboxStatement& row, int first);

// Throws on a store failure.
std::optional<StoredContact> readContact(OutboxConnection& db, const std::string& siteId, const std::string& memberId);
// The same through a read-only connection of its own, from any thread; nullopt without one.
std::optional<StoredContact> readContactAt(const OutboxDatabase& database, const std::string& siteId,
                                           const std::string& memberId);
// As JSON, for a member's data export; null without one.
boost::json::value contactJson(const OutboxDatabase& database, const std::string& siteId, const std::string& memberId);

}  // namespace kring::server
