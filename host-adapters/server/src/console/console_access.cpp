#include "console/console_access.h"

#include "auth/signing.h"
#include "auth/site_token.h"
#include "auth/token.h"
#include "kring/visibility.h"
#include "observe/logging.h"
#include "util/clock.h"

namespace kring::server {

namespace http = boost::beast::http;

ConsoleAccess consoleAccess(ConsoleGate& gate, const TokenRules& rules, const SiteHost& site,
                            const HttpRequest& request, const std::string& client) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::int64_t now = nowMilliseconds();
  if (gate.signInThrottled(client, now)) {
    HttpResponse refused = errorResponse(request, http::status::too_many_requests, "too_many_sign_in_failures",
                                         "Too many failed sign-ins from this address; wait a few seconds.");
    refused.set(http::field::retry_after, "5");
    return {std::nullopt, std::move(refused)};
  }
  std::string_view given = request[http::field::authorization];
  if (given.substr(0, kBearer.size()) != kBearer) {
    return {std::nullopt,
            errorResponse(request, http::status::unauthorized, "credentials_required",
                          "Send the site's admin key, or a moderator's or admin's token, as a Bearer token.")};
  }
  std::string_view credential = given.substr(kBearer.size());
  const SiteConfig& config = site.config();
  if (sameSecret(credential, config.adminKey))
    return {ConsoleUser{consoleKeyActor(), ConsoleRole::admin}, std::nullopt};
  TokenResult verified = verifySiteToken(config, credential, now / 1000, rules);
  if (!verified) {
    // Logged without the credential.
    logEvent("warn", "console_sign_in_failed",
             {{"site", config.id}, {"address", client}, {"error", verified.error().message}});
    gate.signInFailed(client, now);
    return {std::nullopt, errorResponse(request, http::status::unauthorized, "bad_credentials",
                                        "Neither the site's admin key nor a valid token: " + verified.error().message)};
  }
  Actor actor{verified.value().subject, verified.value().name, verified.value().role};
  // A sanction closes the console too, whatever the member's role.
  if (std::optional<MemberRecord> member = site.engine().member(actor.memberId)) {
    if (member->state == MemberState::banned) {
      return {std::nullopt, errorResponse(request, http::status::forbidden, "member_banned",
                                          "You are banned from this community; its console is closed to you.")};
    }
    if (member->state == MemberState::suspended && now < member->stateUntil) {
      return {std::nullopt, errorResponse(request, http::status::forbidden, "member_suspended",
                                          "You are suspended; the console opens again when the suspension ends.")};
    }
  }
  Role role = effectiveRole(site.engine(), actor);
  if (role == Role::admin) return {ConsoleUser{std::move(actor), ConsoleRole::admin}, std::nullopt};
  if (role == Role::moderator) return {ConsoleUser{std::move(actor), ConsoleRole::moderator}, std::nullopt};
  return {std::nullopt, errorResponse(request, http::status::forbidden, "not_a_moderator",
                                      "The console is for the site's moderators and admins.")};
}

}  // namespace kring::server
