#include "console_access.h"

#include "clock.h"
#include "kring/visibility.h"
#include "signing.h"
#include "token.h"

namespace kring::server {

namespace http = boost::beast::http;

ConsoleAccess consoleAccess(const Server& server, const SiteHost& site, const HttpRequest& request) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view given = request[http::field::authorization];
  if (given.substr(0, kBearer.size()) != kBearer) {
    return {std::nullopt, errorResponse(request, http::status::unauthorized, "credentials_required",
                                        "Send the site's admin key, or a moderator's or admin's token, as a Bearer token.")};
  }
  std::string_view credential = given.substr(kBearer.size());
  const SiteConfig& config = site.config();
  if (sameSecret(credential, config.adminKey)) return {ConsoleUser{consoleKeyActor(), ConsoleRole::admin}, std::nullopt};
  TokenResult verified = verifyToken(credential, config.tokenSecret, nowMilliseconds() / 1000, config.id,
                                     server.tokenRules(config));
  if (!verified) {
    return {std::nullopt, errorResponse(request, http::status::unauthorized, "bad_credentials",
                                        "Neither the site's admin key nor a valid token: " + verified.message)};
  }
  Actor actor{verified.claims->subject, verified.claims->name, verified.claims->role};
  Role role = effectiveRole(site.engine(), actor);
  if (role == Role::admin) return {ConsoleUser{std::move(actor), ConsoleRole::admin}, std::nullopt};
  if (role == Role::moderator) return {ConsoleUser{std::move(actor), ConsoleRole::moderator}, std::nullopt};
  return {std::nullopt, errorResponse(request, http::status::forbidden, "not_a_moderator",
                                      "The console is for the site's moderators and admins.")};
}

}  // namespace kring::server
