#include "notify/member_contact.h"

#include <sqlite3.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

#include "kring/types.h"

namespace kring::server {

std::optional<StoredContact> readContact(sqlite3* db, const std::string& siteId, const std::string& memberId) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db,
                         "SELECT email, language, undeliverable, unsubscribed, daily, chosen FROM member_contacts "
                         "WHERE site = ?1 AND member = ?2",
                         -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite read contact: ") + sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, sqlite3_finalize);
  sqlite3_bind_text(raw, 1, siteId.data(), static_cast<int>(siteId.size()), SQLITE_STATIC);
  sqlite3_bind_text(raw, 2, memberId.data(), static_cast<int>(memberId.size()), SQLITE_STATIC);
  const int step = sqlite3_step(raw);
  if (step == SQLITE_DONE) return std::nullopt;
  if (step != SQLITE_ROW) throw std::runtime_error(std::string("sqlite read contact: ") + sqlite3_errmsg(db));
  auto text = [raw](int column) {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(raw, column));
    return bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(raw, column))) : std::string();
  };
  return StoredContact{text(0),
                       text(1),
                       sqlite3_column_int64(raw, 2) != 0,
                       static_cast<std::uint32_t>(sqlite3_column_int64(raw, 3)),
                       static_cast<std::uint32_t>(sqlite3_column_int64(raw, 4)),
                       static_cast<std::uint32_t>(sqlite3_column_int64(raw, 5))};
}

StoredContact withSiteDefaults(std::optional<StoredContact> contact, const MailSettings& mail) {
  StoredContact taken = contact.value_or(StoredContact{});
  taken.unsubscribed = (taken.unsubscribed & taken.chosen) | (mail.defaultOff & ~taken.chosen);
  taken.daily = (taken.daily & taken.chosen) | (mail.defaultDaily & ~taken.chosen);
  return taken;
}

std::optional<StoredContact> readContactAt(const std::string& databasePath, const std::string& siteId,
                                           const std::string& memberId) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(databasePath.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, sqlite3_close);
  if (opened != SQLITE_OK) throw std::runtime_error("sqlite open to read a contact: " + databasePath);
  sqlite3_busy_timeout(raw, 5'000);
  return readContact(raw, siteId, memberId);
}

boost::json::value contactJson(const std::string& databasePath, const std::string& siteId,
                               const std::string& memberId) {
  std::optional<StoredContact> contact = readContactAt(databasePath, siteId, memberId);
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
