// The server-rendered pages over HTTP (docs/server-rendering.md): one render per change, ETags and
// caching headers, CORS for the site's own origins, a removal gone from the next answer, a sitemap
// only where the sites file gives the thread pages.
#include <catch2/catch.hpp>

#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
namespace http = boost::beast::http;

namespace {

HttpResult page(const ServerProcess& server, const std::string& target,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  return httpRequest(server.port(), target, {}, http::verb::get, {}, headers);
}

}  // namespace

TEST_CASE("a thread's fragment is served to anyone, cached by ETag, and a removal leaves it at once",
          "[server][render]") {
  ServerProcess server;
  auto ann = signedIn(server, "ann");
  ann->send(createThread("t", "/p/kettle"));
  REQUIRE(ackOf(*ann, "t"));
  ann->send(post("p-1", "/p/kettle", "Is the kettle *quiet*?"));
  REQUIRE(ackOf(*ann, "p-1"));
  ann->send(post("p-2", "/p/kettle", "rudewords-4411 in a second post"));
  REQUIRE(ackOf(*ann, "p-2"));

  HttpResult first = page(server, "/sites/test/threads/%2Fp%2Fkettle");
  INFO(first.body);
  REQUIRE(first.status == 200);
  CHECK(first.contentType == "text/html; charset=utf-8");
  CHECK(first.body.find("Is the kettle <em>quiet</em>?") != std::string::npos);
  CHECK(first.body.find("rudewords-4411") != std::string::npos);
  CHECK(first.cacheControl == "public, max-age=10, stale-while-revalidate=60");
  REQUIRE(first.etag.size() == 34);  // a quoted 128-bit hash

  HttpResult again = page(server, "/sites/test/threads/%2Fp%2Fkettle", {{"If-None-Match", first.etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());

  // The site's own origin may fetch it from its pages; another origin gets no CORS grant.
  CHECK(page(server, "/sites/test/threads/%2Fp%2Fkettle", {{"Origin", TestSite::allowedOrigin}}).allowOrigin ==
        TestSite::allowedOrigin);
  CHECK(page(server, "/sites/test/threads/%2Fp%2Fkettle", {{"Origin", "https://evil.example"}}).allowOrigin.empty());

  // A moderator rejects the second post: the next answer has a new tag and none of its words.
  HttpResult removed =
      httpRequest(server.port(), "/api/sites/test/actions", "Bearer " + std::string(TestSite::adminKey),
                  http::verb::post, R"({"id":"rm-1","moderate":{"action":"reject","postId":"p-2","reason":"rude"}})");
  REQUIRE(removed.status == 200);
  HttpResult after = page(server, "/sites/test/threads/%2Fp%2Fkettle", {{"If-None-Match", first.etag}});
  CHECK(after.status == 200);
  CHECK(after.etag != first.etag);
  CHECK(after.body.find("rudewords-4411") == std::string::npos);
  CHECK(after.body.find("Is the kettle <em>quiet</em>?") != std::string::npos);

  CHECK(page(server, "/sites/test/threads/%2Fp%2Fnone").status == 404);
  CHECK(page(server, "/sites/nosuchsite/threads/x").status == 404);
  CHECK(page(server, "/sites/test/threads/%zz").status == 404);
}

TEST_CASE("the sitemap lists the site's threads at its threadPages addresses, and is absent without them",
          "[server][render]") {
  ServerProcess plain;
  HttpResult none = page(plain, "/sites/test/sitemap.xml");
  CHECK(none.status == 404);
  CHECK(none.body.find("threadPages") != std::string::npos);

  std::string sites = testSitesJson();
  sites.replace(sites.find(R"("guestPosting":true)"), 0, R"("threadPages":"https://shop.example/p/{thread}",)");
  ServerProcess server("", TestSite::mechanicsPolicy, sites);
  auto ann = signedIn(server, "ann");
  writeThread(*ann, "w", "sku-9", 1);
  HttpResult map = page(server, "/sites/test/sitemap.xml");
  INFO(map.body);
  REQUIRE(map.status == 200);
  CHECK(map.contentType == "application/xml; charset=utf-8");
  CHECK(map.body.find("<loc>https://shop.example/p/sku-9</loc>") != std::string::npos);
}
