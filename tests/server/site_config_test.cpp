// The sites file: what loads, and an error naming the field for everything that does not.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "auth/site_config.h"
#include "kring/enums.h"

using namespace kring::server;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes
constexpr std::string_view kAdminKey = "admin-key-0123456789abcd";        // 24 bytes

// One valid site object; `extra` is spliced in after the id (",\"key\":value"), and a field named
// in `without` is left out.
std::string site(std::string_view id, std::string_view extra = "", std::string_view without = "") {
  std::string json = R"({"id":")" + std::string(id) + "\"" + std::string(extra);
  if (without != "allowedOrigins") json += R"(,"allowedOrigins":["http://localhost:8080"])";
  if (without != "tokenSecret") json += R"(,"tokenSecret":")" + std::string(kSecret) + "\"";
  if (without != "adminKey") json += R"(,"adminKey":")" + std::string(kAdminKey) + "\"";
  return json + "}";
}

std::string sites(std::string_view list) { return R"({"sites":[)" + std::string(list) + "]}"; }

// The error for a file that must be refused.
std::string errorOf(std::string_view json) {
  const SiteConfigResult result = parseSiteConfig(json);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == StartupError::badSiteConfig);
  return result.error().message;
}

// The error for a second site whose fields are `extra`/`without`: the path is sites[1].
std::string secondSiteError(std::string_view extra, std::string_view without = "") {
  return errorOf(sites(site("first") + "," + site("second", extra, without)));
}

// A site whose own keys replace the valid ones: only the origin list varies.
std::string originError(std::string_view origin) {
  return errorOf(sites(R"({"id":"o","allowedOrigins":["https://ok.example",")" + std::string(origin) +
                       R"("],"tokenSecret":")" + std::string(kSecret) + R"(","adminKey":")" + std::string(kAdminKey) +
                       "\"}"));
}

}  // namespace

TEST_CASE("a valid sites file parses into its sites", "[site_config]") {
  const std::string json = R"({"sites":[
    {"id":"demo","allowedOrigins":["http://localhost:8080","https://shop.example.com"],
     "tokenSecret":"0123456789abcdef0123456789abcdef","adminKey":"admin-key-0123456789abcd",
     "guestPosting":true,"policy":{"settings":{"flagHideScore":3},"watchedWords":[{"locale":"en","word":"spam","action":"flag"}]}},
    {"id":"docs-2","allowedOrigins":["*"],"tokenSecret":"another-secret-that-is-long-enough!",
     "adminKey":"another-admin-key-long-enough"}
  ]})";
  const SiteConfigResult result = parseSiteConfig(json);
  REQUIRE(result);
  REQUIRE(result.value().size() == 2);

  const SiteConfig& demo = result.value()[0];
  CHECK(demo.id == "demo");
  CHECK(demo.allowedOrigins == std::vector<std::string>{"http://localhost:8080", "https://shop.example.com"});
  CHECK(demo.tokenSecret == "0123456789abcdef0123456789abcdef");
  CHECK(demo.adminKey == "admin-key-0123456789abcd");
  CHECK(demo.guestPosting);
  CHECK(demo.policy.flagHideScore == 3);
  REQUIRE(demo.policy.watchedWords.size() == 1);
  CHECK(demo.policy.watchedWords[0].word == "spam");
  CHECK(demo.policy.watchedWords[0].action == kring::WatchAction::flag);

  const SiteConfig& docs = result.value()[1];
  CHECK(docs.id == "docs-2");
  CHECK_FALSE(docs.guestPosting);
  CHECK(docs.policy == kring::Policy{});
}

TEST_CASE("origins may be IPv6 literals, have ports, and the list may be empty", "[site_config]") {
  const SiteConfigResult result = parseSiteConfig(
      sites(site("a", R"(,"allowedOrigins":["http://[::1]:8080","https://127.0.0.1","https://a-b.example:65535"])",
                 "allowedOrigins") +
            "," + site("b", R"(,"allowedOrigins":[])", "allowedOrigins")));
  REQUIRE(result);
  CHECK(result.value()[0].allowedOrigins.size() == 3);
  CHECK(result.value()[1].allowedOrigins.empty());
}

TEST_CASE("a file that is not JSON says where", "[site_config]") {
  CHECK_THAT(errorOf("{\"sites\": [\n  {\"id\": \"demo\",}\n]}"), Contains("invalid JSON at line 2"));
  CHECK_THAT(errorOf(""), Contains("invalid JSON"));
  CHECK_THAT(errorOf(sites(site("a")) + " {}"), Contains("invalid JSON"));
}

TEST_CASE("the top level is an object with a non-empty sites array and nothing else", "[site_config]") {
  CHECK_THAT(errorOf("[]"), Contains("\"sites\""));
  CHECK_THAT(errorOf("{}"), StartsWith("sites: missing"));
  CHECK_THAT(errorOf(R"({"sites":{}})"), StartsWith("sites: must be an array"));
  CHECK_THAT(errorOf(R"({"sites":[]})"), StartsWith("sites: must list at least one site"));
  CHECK_THAT(errorOf(R"({"sites":[],"site":[]})"), StartsWith("site: unknown field"));
  CHECK_THAT(errorOf(sites(site("a") + ",3")), StartsWith("sites[1]: must be an object"));
}

TEST_CASE("missing required fields are named", "[site_config]") {
  CHECK_THAT(errorOf(sites(R"({"allowedOrigins":[]})")), StartsWith("sites[0].id: missing"));
  CHECK_THAT(secondSiteError("", "allowedOrigins"), StartsWith("sites[1].allowedOrigins: missing"));
  CHECK_THAT(secondSiteError("", "tokenSecret"), StartsWith("sites[1].tokenSecret: missing"));
  CHECK_THAT(secondSiteError("", "adminKey"), StartsWith("sites[1].adminKey: missing"));
}

TEST_CASE("wrongly typed fields are named", "[site_config]") {
  CHECK_THAT(errorOf(sites(R"({"id":7})")), StartsWith("sites[0].id: must be a string"));
  CHECK_THAT(secondSiteError(R"(,"allowedOrigins":"http://localhost")", "allowedOrigins"),
             StartsWith("sites[1].allowedOrigins: must be an array"));
  CHECK_THAT(secondSiteError(R"(,"allowedOrigins":["http://a.example",5])", "allowedOrigins"),
             StartsWith("sites[1].allowedOrigins[1]: must be a string"));
  CHECK_THAT(secondSiteError(R"(,"tokenSecret":12345)", "tokenSecret"),
             StartsWith("sites[1].tokenSecret: must be a string"));
  CHECK_THAT(secondSiteError(R"(,"adminKey":null)", "adminKey"), StartsWith("sites[1].adminKey: must be a string"));
  CHECK_THAT(secondSiteError(R"(,"guestPosting":"yes")"), StartsWith("sites[1].guestPosting: must be true or false"));
  CHECK_THAT(secondSiteError(R"(,"policy":[])"), StartsWith("sites[1].policy: must be an object"));
}

TEST_CASE("a misspelt field is refused rather than ignored", "[site_config]") {
  CHECK_THAT(secondSiteError(R"(,"guestposting":true)"), StartsWith("sites[1].guestposting: unknown field"));
}

TEST_CASE("site ids are 1 to 64 characters of a-z, 0-9 and -", "[site_config]") {
  CHECK_THAT(errorOf(sites(site(""))), StartsWith("sites[0].id: must be 1 to 64 characters"));
  CHECK_THAT(errorOf(sites(site("Demo"))), StartsWith("sites[0].id: must be 1 to 64 characters"));
  CHECK_THAT(errorOf(sites(site("my_site"))), StartsWith("sites[0].id: must be 1 to 64 characters"));
  CHECK_THAT(errorOf(sites(site("a b"))), StartsWith("sites[0].id: must be 1 to 64 characters"));
  CHECK_THAT(errorOf(sites(site(std::string(65, 'a')))), StartsWith("sites[0].id: must be 1 to 64 characters"));
  CHECK(parseSiteConfig(sites(site(std::string(64, 'a')))));
  CHECK(parseSiteConfig(sites(site("0-9-a"))));
}

TEST_CASE("duplicate site ids are refused", "[site_config]") {
  const std::string error = errorOf(sites(site("a") + "," + site("b") + "," + site("a")));
  CHECK_THAT(error, StartsWith("sites[2].id: "));
  CHECK_THAT(error, Contains("sites[0]"));
}

TEST_CASE("token secrets have at least 32 bytes and admin keys at least 24", "[site_config]") {
  CHECK(secondSiteError(R"(,"tokenSecret":")" + std::string(31, 's') + "\"", "tokenSecret") ==
        "sites[1].tokenSecret: must be at least 32 bytes");
  CHECK(secondSiteError(R"(,"adminKey":")" + std::string(23, 'k') + "\"", "adminKey") ==
        "sites[1].adminKey: must be at least 24 bytes");
  const std::string atTheLimits = R"({"id":"a","allowedOrigins":[],"tokenSecret":")" + std::string(32, 's') +
                                  R"(","adminKey":")" + std::string(24, 'k') + "\"}";
  CHECK(parseSiteConfig(sites(atTheLimits)));
}

TEST_CASE("origins are http or https scheme://host[:port] without a path", "[site_config]") {
  const std::string field = "sites[0].allowedOrigins[1]: ";
  CHECK_THAT(originError("localhost:8080"), StartsWith(field + "must start with http:// or https://"));
  CHECK_THAT(originError("ftp://files.example"), StartsWith(field + "must start with"));
  CHECK_THAT(originError("http://localhost:8080/"), StartsWith(field + "must not have a path"));
  CHECK_THAT(originError("https://shop.example/embed"), StartsWith(field + "must not have a path"));
  CHECK_THAT(originError("https://shop.example?x=1"), StartsWith(field + "must not have a path"));
  CHECK_THAT(originError("https://user@shop.example"), StartsWith(field + "must not contain user info"));
  CHECK_THAT(originError("https://"), StartsWith(field + "has no host"));
  CHECK_THAT(originError("https://:443"), StartsWith(field + "has no host"));
  CHECK_THAT(originError("https://Shop.Example"), StartsWith(field + "must be lowercase"));
  CHECK_THAT(originError("https://shop example"), StartsWith(field + "has an invalid host"));
  CHECK_THAT(originError("https://shop.example:"), StartsWith(field + "has an empty port"));
  CHECK_THAT(originError("https://shop.example:0"), StartsWith(field + "must have a port from 1 to 65535"));
  CHECK_THAT(originError("https://shop.example:65536"), StartsWith(field + "must have a port"));
  CHECK_THAT(originError("https://shop.example:8o"), StartsWith(field + "must have a port"));
  CHECK_THAT(originError("https://shop.example:443"), StartsWith(field + "must leave out the default port 443"));
  CHECK_THAT(originError("http://shop.example:80"), StartsWith(field + "must leave out the default port 80"));
  CHECK_THAT(originError("http://[::1"), StartsWith(field + "has an unclosed IPv6 address"));
  CHECK_THAT(originError("http://[]"), StartsWith(field + "has an invalid IPv6 address"));
  CHECK_THAT(originError("http://[::1]x"), StartsWith(field + "has an invalid host"));
  CHECK_THAT(originError(""), StartsWith(field + "must start with"));
}

TEST_CASE("originAllowed matches exactly, and * allows any origin", "[site_config]") {
  SiteConfig config;
  config.allowedOrigins = {"http://localhost:8080", "https://shop.example.com"};
  CHECK(originAllowed(config, "http://localhost:8080"));
  CHECK(originAllowed(config, "https://shop.example.com"));
  CHECK_FALSE(originAllowed(config, "https://localhost:8080"));
  CHECK_FALSE(originAllowed(config, "http://localhost:8081"));
  CHECK_FALSE(originAllowed(config, "https://shop.example.com.evil.example"));
  CHECK_FALSE(originAllowed(config, "https://evil.example"));
  CHECK_FALSE(originAllowed(config, "null"));
  CHECK_FALSE(originAllowed(config, ""));

  config.allowedOrigins.push_back("*");
  CHECK(originAllowed(config, "https://evil.example"));

  CHECK_FALSE(originAllowed(SiteConfig{}, "http://localhost:8080"));
}

TEST_CASE("loadSiteConfig reads a file and prefixes errors with its path", "[site_config]") {
  // The pid keeps concurrent runs of the suite (several build trees) apart.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("kring-site-config-test-" + std::to_string(::getpid()) + ".json"))
          .string();
  { std::ofstream(path) << sites(site("demo")); }
  const SiteConfigResult good = loadSiteConfig(path);
  CHECK(good);
  CHECK(good.value().size() == 1);

  { std::ofstream(path) << sites(site("demo", R"(,"tokenSecret":"short")", "tokenSecret")); }
  const SiteConfigResult bad = loadSiteConfig(path);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == path + ": sites[0].tokenSecret: must be at least 32 bytes");
  std::remove(path.c_str());

  const SiteConfigResult missing = loadSiteConfig(path);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == path + ": cannot be read");
}

TEST_CASE("a site's maximum token lifetime defaults to a day and must be 1 minute to a year", "[site_config]") {
  const SiteConfigResult defaults = parseSiteConfig(sites(site("a")));
  REQUIRE(defaults);
  CHECK(defaults.value()[0].maxTokenLifetimeMinutes == 1440);

  const SiteConfigResult shorter = parseSiteConfig(sites(site("a", R"(,"maxTokenLifetimeMinutes":15)")));
  REQUIRE(shorter);
  CHECK(shorter.value()[0].maxTokenLifetimeMinutes == 15);

  for (const char* bad : {"0", "-5", "1.5", "\"60\"", "527041"}) {
    CHECK_THAT(secondSiteError(std::string(R"(,"maxTokenLifetimeMinutes":)") + bad),
               StartsWith("sites[1].maxTokenLifetimeMinutes: must be a whole number of minutes"));
  }
}

TEST_CASE("threadPages is an http(s) address with {thread} in it, or absent", "[site_config]") {
  const std::string shape = "sites[1].threadPages: must be an http(s) address with {thread}";
  CHECK_THAT(secondSiteError(R"(,"threadPages":"https://shop.example/p/")"), StartsWith(shape));
  CHECK_THAT(secondSiteError(R"(,"threadPages":"ftp://shop.example/{thread}")"), StartsWith(shape));
  CHECK_THAT(secondSiteError(R"x(,"threadPages":"javascript:alert('{thread}')")x"), StartsWith(shape));
  CHECK_THAT(secondSiteError(R"(,"threadPages":"https://shop.example/p/{thread}\"><script>")"), StartsWith(shape));
  CHECK(secondSiteError(R"(,"threadPages":42)") == "sites[1].threadPages: must be a string");
  SiteConfigResult parsed =
      parseSiteConfig(sites(site("shop", R"(,"threadPages":"https://shop.example/p/{thread}?ref=kring")")));
  REQUIRE(parsed);
  CHECK(parsed.value()[0].threadPages == "https://shop.example/p/{thread}?ref=kring");
  SiteConfigResult without = parseSiteConfig(sites(site("shop")));
  REQUIRE(without);
  CHECK(without.value()[0].threadPages.empty());
}

TEST_CASE("language is en or nl, en when absent", "[site_config]") {
  CHECK(secondSiteError(R"(,"language":"de")") == "sites[1].language: must be \"en\" or \"nl\"");
  CHECK(secondSiteError(R"(,"language":1)") == "sites[1].language: must be a string");
  SiteConfigResult dutch = parseSiteConfig(sites(site("shop", R"(,"language":"nl")")));
  REQUIRE(dutch);
  CHECK(dutch.value()[0].language == "nl");
  SiteConfigResult without = parseSiteConfig(sites(site("shop")));
  REQUIRE(without);
  CHECK(without.value()[0].language == "en");
}

TEST_CASE("email needs an SMTP address, a sender, this server's public address and thread pages", "[site_config]") {
  const std::string pages = R"(,"threadPages":"https://shop.example/p/{thread}")";
  auto email = [&](std::string_view fields) { return pages + R"(,"email":{)" + std::string(fields) + "}"; };
  const std::string good = R"("smtpUrl":"smtp://mail.shop.example:587","from":"community@shop.example",)"
                           R"("publicUrl":"https://community.shop.example/")";
  SiteConfigResult parsed = parseSiteConfig(sites(site("shop", email(good + R"(,"memberMailsPerHour":5)"))));
  REQUIRE(parsed);
  REQUIRE(parsed.value()[0].email);
  const MailSettings& mail = *parsed.value()[0].email;
  CHECK(mail.requireTls);
  CHECK(mail.publicUrl == "https://community.shop.example");  // links are built onto it
  CHECK(mail.memberMailsPerHour == 5);
  CHECK(mail.siteMailsPerDay == 5000);
  CHECK_FALSE(parseSiteConfig(sites(site("shop"))).value()[0].email);

  CHECK(secondSiteError(R"(,"email":{)" + good + "}") ==
        "sites[1].email: needs threadPages: every mail links to its post");
  CHECK_THAT(secondSiteError(email(R"("smtpUrl":"http://mail.example",)" + good.substr(good.find("\"from\"")))),
             StartsWith("sites[1].email.smtpUrl: must be smtp://"));
  // Without TLS only to a relay on this machine: a password and the mails would cross the network in clear.
  CHECK_THAT(secondSiteError(email(good + R"(,"requireTls":false)")), StartsWith("sites[1].email.requireTls:"));
  CHECK(parseSiteConfig(sites(site("shop", email(R"("smtpUrl":"smtp://127.0.0.1:2525","requireTls":false,)"
                                                 R"("from":"a@shop.example","publicUrl":"http://127.0.0.1:8080")")))));
  CHECK_THAT(secondSiteError(email(R"("smtpUrl":"smtp://mail.example","from":"not an address",)"
                                   R"("publicUrl":"https://c.example")")),
             StartsWith("sites[1].email.from: must be an e-mail address"));
  CHECK_THAT(secondSiteError(email(R"("smtpUrl":"smtp://mail.example","from":"a@b.example",)"
                                   R"("publicUrl":"http://community.example")")),
             StartsWith("sites[1].email.publicUrl: must be this server's https:// address"));
  CHECK(secondSiteError(email(good + R"(,"smtpPassword":"x")")) == "sites[1].email.smtpPassword: unknown field");
  CHECK(secondSiteError(email(good + R"(,"passwordFile":"/nonexistent/kring-smtp-password")")) ==
        "sites[1].email.passwordFile: /nonexistent/kring-smtp-password cannot be read");
  CHECK(secondSiteError(email(good + R"(,"siteMailsPerDay":0)")) ==
        "sites[1].email.siteMailsPerDay: must be a whole number from 1 to 1000000");
  // SMTP sessions at once: 4 unless said, at most 16 (a relay limits a client's sessions).
  CHECK(mail.connections == 4);
  CHECK(parseSiteConfig(sites(site("shop", email(good + R"(,"connections":1)")))).value()[0].email->connections == 1);
  for (const char* bad : {"0", "17", "2.5", "\"8\""}) {
    CHECK(secondSiteError(email(good + R"(,"connections":)" + bad)) ==
          "sites[1].email.connections: must be a whole number from 1 to 16");
  }
}

TEST_CASE("email.defaults: what a member who has not chosen gets of each kind", "[site_config]") {
  const std::string pages = R"(,"threadPages":"https://shop.example/p/{thread}")";
  auto email = [&](std::string_view defaults) {
    return pages + R"(,"email":{"smtpUrl":"smtp://mail.shop.example:587","from":"community@shop.example",)" +
           R"("publicUrl":"https://community.shop.example","defaults":)" + std::string(defaults) + "}";
  };
  SiteConfigResult parsed = parseSiteConfig(sites(
      site("shop", email(R"({"reply":"off","followed_thread":"daily","answer":"instant","daily_digest":"off"})"))));
  REQUIRE(parsed);
  const MailSettings& mail = *parsed.value()[0].email;
  auto bit = [](kring::NotificationKind kind) { return std::uint32_t{1} << static_cast<int>(kind); };
  CHECK(mail.defaultOff == (bit(kring::NotificationKind::reply) | bit(kring::NotificationKind::dailyDigest)));
  CHECK(mail.defaultDaily == bit(kring::NotificationKind::followedThread));
  const MailSettings unsaid = *parseSiteConfig(sites(site("shop", email("{}")))).value()[0].email;
  CHECK((unsaid.defaultOff | unsaid.defaultDaily) == 0);  // every kind at once

  CHECK(secondSiteError(email(R"({"replies":"off"})")) ==
        "sites[1].email.defaults.replies: is not a kind of mail (reply, answer, answer_accepted, followed_thread, "
        "unanswered_question, post_queued, daily_digest)");
  CHECK(secondSiteError(email(R"({"reply":"weekly"})")) ==
        "sites[1].email.defaults.reply: must be instant, daily or off");
  CHECK(secondSiteError(email(R"({"reply":false})")) == "sites[1].email.defaults.reply: must be instant, daily or off");
  CHECK(secondSiteError(email(R"({"daily_digest":"daily"})")) ==
        "sites[1].email.defaults.daily_digest: must be instant or off (it is daily already)");
  CHECK_THAT(secondSiteError(email(R"(["reply"])")), StartsWith("sites[1].email.defaults: must be an object"));
}

TEST_CASE("webhooks name https endpoints with whsec_ secrets and known event types", "[site_config]") {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto hooks = [&](std::string_view endpoints, std::string_view more = "") {
    return R"(,"webhooks":{"endpoints":[)" + std::string(endpoints) + "]" + std::string(more) + "}";
  };
  const std::string good = R"({"url":"https://helpdesk.example/kring","secrets":[")" + secret +
                           R"("],"events":["post.held","flag.raised"]})";
  SiteConfigResult parsed =
      parseSiteConfig(sites(site("shop", hooks(good, R"(,"allowPrivateTargets":["helpdesk.lan"])"))));
  REQUIRE(parsed);
  const WebhookSettings& webhooks = parsed.value()[0].webhooks;
  REQUIRE(webhooks.endpoints.size() == 1);
  CHECK(webhooks.endpoints[0].events == std::vector<std::string>{"post.held", "flag.raised"});
  CHECK(webhooks.allowPrivateTargets == std::vector<std::string>{"helpdesk.lan"});
  CHECK(parseSiteConfig(sites(site("shop"))).value()[0].webhooks.endpoints.empty());

  CHECK(secondSiteError(hooks(R"({"url":"ftp://x.example","secrets":[")" + secret + R"("]})")) ==
        "sites[1].webhooks.endpoints[0].url: must be an https:// address");
  CHECK(secondSiteError(hooks(R"({"url":"https://x.example","secrets":["not-a-secret"]})")) ==
        "sites[1].webhooks.endpoints[0].secrets[0]: must be whsec_ and the base64 of 24 to 64 random bytes");
  CHECK(secondSiteError(hooks(R"({"url":"https://x.example","secrets":[]})")) ==
        "sites[1].webhooks.endpoints[0].secrets: must hold at least one secret");
  CHECK(secondSiteError(hooks(R"({"url":"https://x.example"})")) == "sites[1].webhooks.endpoints[0].secrets: missing");
  CHECK(secondSiteError(
            hooks(R"({"url":"https://x.example","secrets":[")" + secret + R"("],"events":["post.eaten"]})")) ==
        "sites[1].webhooks.endpoints[0].events[0]: is not an event type (docs/webhooks.md)");
  CHECK(secondSiteError(hooks(good, R"(,"allowPrivateTargets":["http://127.0.0.1"])")) ==
        "sites[1].webhooks.allowPrivateTargets[0]: must be a host name or an IPv4 address");
  CHECK(secondSiteError(hooks(good, R"(,"retries":3)")) == "sites[1].webhooks.retries: unknown field");
  CHECK(webhooks.connections == 4);
  CHECK(parseSiteConfig(sites(site("shop", hooks(good, R"(,"connections":16)")))).value()[0].webhooks.connections ==
        16);
  CHECK(secondSiteError(hooks(good, R"(,"connections":0)")) ==
        "sites[1].webhooks.connections: must be a whole number from 1 to 16");
}

TEST_CASE("oidc names the provider, its audience and exactly one key source", "[site_config]") {
  const SiteConfigResult parsed =
      parseSiteConfig(sites(site("shop", R"(,"oidc":{"issuer":"https://kc.example/realms/shop","audience":"kring",
                 "jwksUrl":"https://kc.example/realms/shop/protocol/openid-connect/certs",
                 "claims":{"name":"preferred_username","rolePath":"realm_access.roles",
                           "roles":{"shop-admin":"admin","support":"staff","mods":"moderator"}}})")));
  REQUIRE(parsed);
  const SiteConfig& shop = parsed.value()[0];
  REQUIRE(shop.oidc);
  CHECK(shop.oidc->issuer == "https://kc.example/realms/shop");
  CHECK(shop.oidc->audience == "kring");
  CHECK(shop.oidc->jwksUrl == "https://kc.example/realms/shop/protocol/openid-connect/certs");
  CHECK(shop.oidc->claims.name == "preferred_username");
  CHECK(shop.oidc->claims.rolePath == "realm_access.roles");
  CHECK(shop.oidc->claims.roles.at("support") == kring::Role::staff);
  CHECK(shop.oidcKeys != nullptr);
  const SiteConfigResult without = parseSiteConfig(sites(site("shop")));
  REQUIRE(without);
  CHECK_FALSE(without.value()[0].oidc);
  CHECK(without.value()[0].oidcKeys == nullptr);

  const std::string head = R"(,"oidc":{"issuer":"https://id.example/","audience":"kring")";
  const std::string url = R"(,"jwksUrl":"https://id.example/jwks.json")";
  CHECK(secondSiteError(R"(,"oidc":"https://id.example/")") == "sites[1].oidc: must be an object");
  CHECK(secondSiteError(R"(,"oidc":{"audience":"kring")" + url + "}") == "sites[1].oidc.issuer: missing");
  CHECK(secondSiteError(R"(,"oidc":{"issuer":"https://id.example/")" + url + "}") == "sites[1].oidc.audience: missing");
  CHECK(secondSiteError(R"(,"oidc":{"issuer":"","audience":"kring")" + url + "}") ==
        "sites[1].oidc.issuer: must be one line of 1 to 2000 bytes");
  CHECK(secondSiteError(R"(,"oidc":{"issuer":"https://id.example/","audience":["kring"])" + url + "}") ==
        "sites[1].oidc.audience: must be a string");
  CHECK(secondSiteError(head + "}") == "sites[1].oidc: needs exactly one of jwksUrl, jwksFile and publicKeyFiles");
  CHECK(secondSiteError(head + url + R"(,"jwksFile":"/etc/kring/jwks.json"})") ==
        "sites[1].oidc: needs exactly one of jwksUrl, jwksFile and publicKeyFiles");
  CHECK(secondSiteError(head + url + R"(,"issuers":"x"})") == "sites[1].oidc.issuers: unknown field");
  CHECK(secondSiteError(head + url + R"(,"claims":{"role":"roles"}})") == "sites[1].oidc.claims.role: unknown field");
  CHECK(secondSiteError(head + url + R"(,"claims":{"rolePath":"roles","roles":{"mods":"mod"}}})") ==
        "sites[1].oidc.claims.roles.mods: must be \"member\", \"moderator\", \"staff\" or \"admin\"");
  CHECK(secondSiteError(head + url + R"(,"claims":{"roles":{"mods":"moderator"}}})") ==
        "sites[1].oidc.claims.roles: needs rolePath: where the token holds its roles");
  CHECK(secondSiteError(head + url + R"(,"claims":{"name":""}})") ==
        "sites[1].oidc.claims.name: must be one line of 1 to 2000 bytes");
}

TEST_CASE("oidc key sources are checked at start-up", "[site_config]") {
  const std::string head = R"(,"oidc":{"issuer":"https://id.example/","audience":"kring")";
  const std::string https = "sites[1].oidc.jwksUrl: must be an https:// address";
  CHECK_THAT(secondSiteError(head + R"(,"jwksUrl":"http://id.example/jwks.json"})"), StartsWith(https));
  CHECK_THAT(secondSiteError(head + R"(,"jwksUrl":"file:///etc/passwd"})"), StartsWith(https));
  CHECK_THAT(secondSiteError(head + R"(,"jwksUrl":"https://"})"), StartsWith(https));
  CHECK_THAT(secondSiteError(head + R"(,"jwksUrl":"http://127.0.0.2:9/jwks.json","allowHttpJwksFrom":["127.0.0.1"]})"),
             StartsWith(https));
  CHECK(parseSiteConfig(
      sites(site("shop", head + R"(,"jwksUrl":"http://127.0.0.1:9/jwks.json","allowHttpJwksFrom":["127.0.0.1"]})"))));
  CHECK(secondSiteError(head + R"(,"jwksUrl":"https://id.example/","allowHttpJwksFrom":"127.0.0.1"})") ==
        "sites[1].oidc.allowHttpJwksFrom: must be an array of host names or addresses");

  const std::string missing = "/nonexistent/kring-jwks-" + std::to_string(::getpid()) + ".json";
  CHECK(secondSiteError(head + R"(,"jwksFile":")" + missing + "\"}") ==
        "sites[1].oidc.jwksFile: " + missing + " cannot be read");
  CHECK(secondSiteError(head + R"(,"publicKeyFiles":{}})") ==
        "sites[1].oidc.publicKeyFiles: must be an object of kid → PEM file, with at least one key");
  CHECK(secondSiteError(head + R"(,"publicKeyFiles":{"k1":")" + missing + "\"}}") ==
        "sites[1].oidc.publicKeyFiles.k1: " + missing + " cannot be read");

  const std::string path =
      (std::filesystem::temp_directory_path() / ("kring-site-config-jwks-" + std::to_string(::getpid()) + ".json"))
          .string();
  { std::ofstream(path) << R"({"keys":"none"})"; }
  CHECK_THAT(secondSiteError(head + R"(,"jwksFile":")" + path + "\"}"),
             StartsWith("sites[1].oidc.jwksFile: " + path + " is not a JWKS"));
  { std::ofstream(path) << R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"; }
  CHECK_THAT(secondSiteError(head + R"(,"jwksFile":")" + path + "\"}"),
             StartsWith("sites[1].oidc.jwksFile: " + path + " holds no key fit for RS256 or ES256"));
  { std::ofstream(path) << "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n"; }
  CHECK(secondSiteError(head + R"(,"publicKeyFiles":{"k1":")" + path + "\"}}") ==
        "sites[1].oidc.publicKeyFiles.k1: " + path + " is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  std::remove(path.c_str());
}
