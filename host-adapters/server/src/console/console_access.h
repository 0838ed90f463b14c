// Who is asking the console API (docs/console.md, "Sign-in"): the site's admin key speaks as the
// admin kring:console; a host token (the host's own sign-in) as the member it names, who must be a
// moderator or an admin (the token's role, or one an admin assigned in Kring).
#pragma once

#include <optional>

#include "auth/token.h"
#include "console/console_gate.h"
#include "http/http_message.h"
#include "kring/op.h"
#include "sync/site_host.h"

namespace kring::server {

enum class ConsoleRole { moderator, admin };

struct ConsoleUser {
  Actor actor;       // what the console's ops carry: the key's admin, or the token's claims
  ConsoleRole role;  // what the member may do now (an assigned role wins over the token's)
};

struct ConsoleAccess {
  std::optional<ConsoleUser> user;
  // 401 credentials_required / bad_credentials, 403 not_a_moderator / member_banned / member_suspended,
  // 429 too_many_sign_in_failures
  std::optional<HttpResponse> refusal;
};

// `client` is the asking address (through trusted proxies): failed sign-ins are logged and throttled by it.
ConsoleAccess consoleAccess(ConsoleGate& gate, const TokenRules& rules, const SiteHost& site,
                            const HttpRequest& request, const std::string& client);

// The actor the admin key acts as.
inline Actor consoleKeyActor() { return Actor{"kring:console", "Site admin (key)", Role::admin}; }

}  // namespace kring::server
