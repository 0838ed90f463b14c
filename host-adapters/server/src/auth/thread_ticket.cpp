#include "auth/thread_ticket.h"

#include <boost/json.hpp>

#include "auth/signing.h"
#include "kring/names.h"

namespace kring::server {

namespace json = boost::json;

namespace {

// Its own typ, so that a login token is never a ticket (and a ticket, without sub, is never a token).
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"kring-thread"})";

json::string_view jsonView(std::string_view text) { return {text.data(), text.size()}; }

bool claimIs(const json::object& payload, std::string_view name, std::string_view expected) {
  const json::value* value = payload.if_contains(jsonView(name));
  return value != nullptr && value->is_string() &&
         std::string_view(value->get_string().data(), value->get_string().size()) == expected;
}

Error refuse(std::string message) { return {ReasonCode::badThreadTicket, std::move(message)}; }

}  // namespace

Status checkThreadTicket(std::string_view ticket, std::string_view secret, std::string_view site,
                         const CreateThread& thread, std::int64_t nowSeconds) {
  if (ticket.size() > kMaxTicketBytes)
    return refuse("The ticket is longer than " + std::to_string(kMaxTicketBytes) + " bytes.");
  const std::size_t firstDot = ticket.find('.');
  const std::size_t secondDot = firstDot == std::string_view::npos ? firstDot : ticket.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos || ticket.find('.', secondDot + 1) != std::string_view::npos) {
    return refuse("A ticket has three dot-separated parts.");
  }
  const std::optional<std::string> header = base64UrlDecode(ticket.substr(0, firstDot));
  const std::optional<std::string> payload = base64UrlDecode(ticket.substr(firstDot + 1, secondDot - firstDot - 1));
  const std::optional<std::string> signature = base64UrlDecode(ticket.substr(secondDot + 1));
  if (!header || !payload || !signature) return refuse("A ticket part is not unpadded base64url.");
  if (*header != kHeader) return refuse("The ticket's header is not a kring-thread HS256 header.");
  // Nothing in the payload is read before the signature checks out.
  if (secret.empty() || !signatureMatches(secret, ticket.substr(0, secondDot), *signature)) {
    return refuse("The ticket's signature does not match.");
  }
  json::error_code ec;
  json::value parsed = json::parse(jsonView(*payload), ec);
  if (ec || !parsed.is_object()) return refuse("The ticket's payload is not a JSON object.");
  const json::object& claims = parsed.as_object();
  if (!claimIs(claims, "site", site)) return refuse("The ticket was signed for another site.");
  if (!claimIs(claims, "key", thread.key) || !claimIs(claims, "kind", threadKindName(thread.kind)) ||
      !claimIs(claims, "title", thread.title)) {
    return refuse("The ticket names another thread key, kind or title.");
  }
  if (const json::value* exp = claims.if_contains("exp")) {
    if (!exp->is_int64()) return refuse("The ticket's exp is not an integer number of seconds.");
    if (nowSeconds >= exp->get_int64()) return refuse("The ticket has expired.");
  }
  return std::monostate{};
}

std::string signThreadTicket(std::string_view site, const CreateThread& thread, std::string_view secret,
                             std::int64_t expiresAt) {
  json::object payload;
  payload["site"] = jsonView(site);
  payload["key"] = jsonView(thread.key);
  payload["kind"] = jsonView(threadKindName(thread.kind));
  payload["title"] = jsonView(thread.title);
  if (expiresAt != 0) payload["exp"] = expiresAt;
  std::string ticket = base64UrlEncode(kHeader);
  ticket += '.';
  ticket += base64UrlEncode(json::serialize(payload));
  const std::optional<Digest> digest = hmacSha256(secret, ticket);
  if (!digest) return {};
  ticket += '.';
  ticket += base64UrlEncode(digestBytes(*digest));
  return ticket;
}

}  // namespace kring::server
