#include "notify/unsubscribe_link.h"

#include "auth/signing.h"
#include "http/query_string.h"
#include "kring/names.h"

namespace kring::server {

namespace {

// A key of its own: a leaked link proves nothing about tokens, and a token signs no link.
std::optional<std::string> linkSignature(const SiteConfig& site, const Unsubscribe& request) {
  std::optional<Digest> key = hmacSha256(site.tokenSecret, "kring unsubscribe link v1");
  if (!key) return std::nullopt;
  const std::string kind = request.kind ? std::string(enumName(*request.kind)) : "all";
  std::optional<Digest> digest = hmacSha256(digestBytes(*key), request.siteId + '\n' + request.memberId + '\n' + kind);
  if (!digest) return std::nullopt;
  return std::string(digestBytes(*digest));
}

}  // namespace

std::string unsubscribeUrl(const SiteConfig& site, const Unsubscribe& request) {
  std::optional<std::string> signature = linkSignature(site, request);
  if (!site.email || !signature) return {};
  return site.email->publicUrl + "/unsubscribe?site=" + request.siteId +
         "&member=" + base64UrlEncode(request.memberId) +
         "&kind=" + (request.kind ? std::string(enumName(*request.kind)) : std::string("all")) +
         "&sig=" + base64UrlEncode(*signature);
}

std::optional<Unsubscribe> verifyUnsubscribe(const SiteConfig& site, std::string_view query) {
  std::optional<QueryParameters> parameters = parseQuery(query);
  if (!parameters) return std::nullopt;
  std::string siteId, member, kind, signature;
  for (const auto& [name, value] : *parameters) {
    if (name == "site") siteId = value;
    if (name == "member") member = value;
    if (name == "kind") kind = value;
    if (name == "sig") signature = value;
  }
  std::optional<std::string> memberId = base64UrlDecode(member);
  std::optional<std::string> given = base64UrlDecode(signature);
  if (siteId != site.id || !memberId || memberId->empty() || !given) return std::nullopt;
  Unsubscribe request{siteId, *memberId, std::nullopt};
  if (kind != "all") {
    request.kind = parseEnum<NotificationKind>(kind);
    if (!request.kind) return std::nullopt;
  }
  std::optional<std::string> expected = linkSignature(site, request);
  if (!expected || !sameSecret(*given, *expected)) return std::nullopt;
  return request;
}

}  // namespace kring::server
