// The server-rendered pages over HTTP (docs/server-rendering.md): one render per change, ETags and
// caching headers, CORS for the site's own origins, a removal gone from the next answer, a sitemap
// only where the sites file gives the thread pages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <zlib.h>

#include "kring/markdown.h"
#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
namespace http = boost::beast::http;

namespace {

// A gzip member's bytes, decompressed; empty when they are not one.
std::string gunzip(const std::string& bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return {};
  std::string out(bytes.size() * 20 + 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const bool done = inflate(&stream, Z_FINISH) == Z_STREAM_END;
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return done ? out : std::string();
}

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
  CHECK(first.contentEncoding.empty());

  // A reader's browser takes gzip: the same page compressed once per rendering, with a tag of its own.
  HttpResult compressed = page(server, "/sites/test/threads/%2Fp%2Fkettle", {{"Accept-Encoding", "gzip, deflate, br"}});
  REQUIRE(compressed.status == 200);
  CHECK(compressed.contentEncoding == "gzip");
  CHECK(gunzip(compressed.body) == first.body);
  CHECK(compressed.body.size() < first.body.size());
  CHECK(compressed.etag != first.etag);
  CHECK(page(server, "/sites/test/threads/%2Fp%2Fkettle",
             {{"Accept-Encoding", "gzip"}, {"If-None-Match", compressed.etag}})
            .status == 304);

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

namespace {

// The rendered bodies the Events messages among `messages` carry, by post id (or request id).
std::map<std::string, RenderedBody> renderedIn(const std::vector<ServerMessage>& messages) {
  std::map<std::string, RenderedBody> bodies;
  for (const ServerMessage& message : messages) {
    if (const auto* events = std::get_if<EventsMessage>(&message)) {
      for (const RenderedBody& body : events->rendered) bodies[body.postId] = body;
    }
  }
  return bodies;
}

// Everything the client receives until nothing comes for `quiet`.
std::vector<ServerMessage> drain(SyncClient& client, std::chrono::milliseconds quiet = std::chrono::milliseconds(300)) {
  std::vector<ServerMessage> messages;
  while (auto message = client.receive(quiet)) messages.push_back(std::move(*message));
  return messages;
}

}  // namespace

TEST_CASE("clients get the server's HTML of exactly the bodies they were sent - protocol 1 clients no extra frame",
          "[server][render]") {
  const std::string policy = policyHolding("holdme");
  ServerProcess server("", policy);
  auto ann = signedIn(server, "ann");
  ann->send(createThread("t", "/p/html"));
  REQUIRE(ackOf(*ann, "t"));
  ann->send(post("p-1", "/p/html", "snake_case_name and *emphasis* <b>not html</b>"));
  REQUIRE(ackOf(*ann, "p-1"));
  auto dan = signedIn(server, "dan");
  dan->send(post("p-held", "/p/html", "please holdme for review"));
  REQUIRE(ackOf(*dan, "p-held"));

  SyncClient bob(server.port());
  REQUIRE(bob.hello(TestSite::id, testToken("bob"), "c-bob", {}, kProtocolVersion));
  bob.send(Subscribe{"/p/html", 0});
  std::vector<ServerMessage> first = drain(bob);
  std::map<std::string, RenderedBody> bodies = renderedIn(first);
  REQUIRE(bodies.count("p-1") == 1);
  CHECK(bodies["p-1"].html == renderMarkdown("snake_case_name and *emphasis* <b>not html</b>"));
  CHECK(bodies["p-1"].html == "<p>snake_case_name and <em>emphasis</em> &lt;b&gt;not html&lt;/b&gt;</p>\n");
  CHECK(bodies.count("p-held") == 0);  // Bob's snapshot has no text of Dan's held post, so no HTML of it
  // The HTML comes right behind the snapshot's parts, in an Events message with no events.
  REQUIRE(first.size() >= 2);
  CHECK(std::holds_alternative<ThreadSnapshotPart>(first[first.size() - 2]));
  REQUIRE(std::holds_alternative<EventsMessage>(first.back()));
  CHECK(std::get<EventsMessage>(first.back()).events.empty());

  // A live post and an edit: each Events frame is followed by the HTML of the text it carries.
  ann->send(post("p-2", "/p/html", "Second **post**"));
  REQUIRE(ackOf(*ann, "p-2"));
  bodies = renderedIn(drain(bob));
  REQUIRE(bodies.count("p-2") == 1);
  CHECK(bodies["p-2"].html == "<p>Second <strong>post</strong></p>\n");
  ann->send(Submit{makeOp("e-1", EditPost{"p-2", "Second post, edited"})});
  REQUIRE(ackOf(*ann, "e-1"));
  bodies = renderedIn(drain(bob));
  REQUIRE(bodies.count("p-2") == 1);
  CHECK(bodies["p-2"].html == "<p>Second post, edited</p>\n");
  CHECK(bodies["p-2"].editedAt > 0);

  // A preview: the Markdown comes back rendered under the request's id.
  bob.send(RenderRequest{"preview-1", "# Title\n\n[x](javascript:alert(1))"});
  bodies = renderedIn(drain(bob));
  REQUIRE(bodies.count("preview-1") == 1);
  CHECK(bodies["preview-1"].html == "<h3>Title</h3>\n<p>x</p>\n");

  // A protocol 1 client (an open page from before the upgrade) gets the snapshot alone; its Events
  // carry the HTML in a field it reads past.
  SyncClient old(server.port());
  REQUIRE(old.hello(TestSite::id, testToken("cat"), "c-cat"));
  old.send(Subscribe{"/p/html", 0});
  std::vector<ServerMessage> snapshot = drain(old);
  REQUIRE(!snapshot.empty());
  CHECK(std::all_of(snapshot.begin(), snapshot.end(),
                    [](const ServerMessage& m) { return std::holds_alternative<ThreadSnapshotPart>(m); }));
  ann->send(post("p-3", "/p/html", "Third"));
  REQUIRE(ackOf(*ann, "p-3"));
  CHECK(renderedIn(drain(old)).count("p-3") == 1);
}
