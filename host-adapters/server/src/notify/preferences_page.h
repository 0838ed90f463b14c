// The page a member's mail links open (docs/notifications.md): one-click unsubscribe and the member's
// preferences, in English or Dutch as the member's mails are.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "notify/member_contact.h"
#include "notify/unsubscribe_link.h"

namespace kring::server {

enum class PageSays { tooMany, invalid, ask, later, choose, notOurs, saved, unsubscribed, failed };

struct PreferencesPage {
  bool dutch = false;

  // The page's language: the member's mails' (their contact's), else the site's.
  static PreferencesPage of(const std::optional<StoredContact>& contact, const std::string& siteLanguage);

  // A whole page: what it says, then `form`, then (with `button`) the one-click unsubscribe form
  // that posts back to `target`.
  std::string html(PageSays says, std::string_view target, bool button, const std::string& form = {}) const;
  // The preferences form: each kind at once, once a day or never, as the member takes it now
  // (withSiteDefaults).
  std::string form(std::string_view target, const StoredContact& taken) const;
};

// The choices a preferences form sent; nullopt for a field or value it does not offer.
std::optional<MailChoices> readChoices(const Unsubscribe& link, std::string_view body);

}  // namespace kring::server
