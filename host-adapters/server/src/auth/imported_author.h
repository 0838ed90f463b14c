// Who wrote an imported post (docs/import.md): a member id made from the author's e-mail with a key
// of the site's own, so the address is never stored or shown, yet a later sign-in whose verified
// e-mail is the same finds the same id and claims the history.
#pragma once

#include <string>
#include <string_view>

#include "auth/site_config.h"

namespace kring::server {

// The id for an author known by e-mail: "imported:" and 24 hex digits of HMAC-SHA256 under a key
// derived from the site's tokenSecret (rotating that secret leaves unclaimed history unclaimable).
// The address is compared trimmed and in lower case.
std::string importedAuthorIdForEmail(const SiteConfig& site, std::string_view email);

// The id for an author the source names without an e-mail: by its account there (source and
// username), else by the name they gave. Such history can be claimed by no sign-in.
std::string importedAuthorIdForName(const SiteConfig& site, std::string_view source, std::string_view username,
                                    std::string_view name);

}  // namespace kring::server
