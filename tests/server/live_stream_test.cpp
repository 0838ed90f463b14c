// Readers on the light path over HTTP (GET /sites/{site}/live/{thread}): the stream's headers, each
// commit's change from the version the reader's fragment names, nothing held or removed in it, and
// the refusals of what is not a stream.
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <sys/socket.h>

#include "server_process.h"
#include "server_test_ops.h"
#include "sync_client.h"

using namespace kring;
using namespace kring::testing;
namespace http = boost::beast::http;

namespace {

// An EventSource's connection, read by hand: the response head, then one event at a time.
class LiveStreamReader {
 public:
  LiveStreamReader(unsigned short port, const std::string& target, const std::string& origin) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval wait{5, 0};  // a missing event fails the test instead of hanging it
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    if (!origin.empty()) request += "Origin: " + origin + "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request + "\r\n"));
  }
  std::string head() { return readUntil("\r\n\r\n"); }
  // The next event's text (up to its blank line); empty when none came in time.
  std::string next() { return readUntil("\n\n"); }

 private:
  std::string readUntil(const std::string& end) {
    boost::system::error_code error;
    std::size_t n = boost::asio::read_until(socket_, boost::asio::dynamic_buffer(buffer_), end, error);
    if (error) return {};
    std::string text = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return text;
  }
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_;
};

std::string versionOf(const std::string& fragment) {
  const std::string attribute = "data-kring-version=\"";
  std::size_t at = fragment.find(attribute);
  if (at == std::string::npos) return {};
  at += attribute.size();
  return fragment.substr(at, fragment.find('"', at) - at);
}

// The JSON of a change's event.
boost::json::object changeOf(const std::string& event) {
  const std::string prefix = "data: ";
  REQUIRE(event.starts_with(prefix));
  return boost::json::parse(event.substr(prefix.size())).as_object();
}

std::string fragmentOf(const ServerProcess& server, const std::string& key) {
  HttpResult page = httpRequest(server.port(), "/sites/test/threads/" + key, {}, http::verb::get);
  REQUIRE(page.status == 200);
  return page.body;
}

// The test site's policy, with a word that holds a post for review.
std::string holdingPolicy() {
  std::string policy = TestSite::mechanicsPolicy;
  policy.pop_back();
  return policy + R"(,"watchedWords":[{"locale":"en","word":"heldtext","action":"require_approval"}]})";
}

}  // namespace

TEST_CASE("a live reader gets each commit's change to the thread's page, and nothing held or removed",
          "[server][render][live]") {
  ServerProcess server({}, holdingPolicy());
  auto ann = signedIn(server, "ann");
  ann->send(createThread("t", "/p/kettle"));
  REQUIRE(ackOf(*ann, "t"));
  ann->send(post("p-1", "/p/kettle", "Is the kettle quiet?"));
  REQUIRE(ackOf(*ann, "p-1"));
  const std::string shown = versionOf(fragmentOf(server, "%2Fp%2Fkettle"));
  REQUIRE(shown.size() == 32);

  LiveStreamReader reader(server.port(), "/sites/test/live/%2Fp%2Fkettle", TestSite::allowedOrigin);
  const std::string head = reader.head();
  INFO(head);
  REQUIRE(head.starts_with("HTTP/1.1 200"));
  CHECK(head.find("Content-Type: text/event-stream") != std::string::npos);
  CHECK(head.find("Cache-Control: no-store") != std::string::npos);
  CHECK(head.find("Access-Control-Allow-Origin: " + std::string(TestSite::allowedOrigin)) != std::string::npos);
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(reader.next() == "retry: 2000\n\n");
  // The operator sees the stream it holds.
  HttpResult health = httpRequest(server.port(), "/healthz", {}, http::verb::get);
  CHECK(health.body.find("\"liveReaders\":1") != std::string::npos);

  // A new post: its article, from the version the reader's fragment names to the page's next one.
  ann->send(post("p-2", "/p/kettle", "It is, *very*."));
  REQUIRE(ackOf(*ann, "p-2"));
  boost::json::object change = changeOf(reader.next());
  CHECK(change.at("from").as_string() == shown);
  CHECK(change.at("to").as_string() == versionOf(fragmentOf(server, "%2Fp%2Fkettle")));
  REQUIRE(change.at("put").as_array().size() == 1);
  const boost::json::object& put = change.at("put").as_array()[0].as_object();
  CHECK(put.at("id").as_string() == "p-2");
  CHECK(put.at("after").as_string() == "p-1");
  CHECK(std::string(put.at("html").as_string()).find("It is, <em>very</em>.") != std::string::npos);

  // A held post changes nothing anyone may read: the next event is the visible post after it.
  ann->send(post("p-3", "/p/kettle", "heldtext buy now 77c1"));
  REQUIRE(ackOf(*ann, "p-3"));
  REQUIRE(fragmentOf(server, "%2Fp%2Fkettle").find("77c1") == std::string::npos);  // held, not rejected
  ann->send(post("p-4", "/p/kettle", "A plain follow-up."));
  REQUIRE(ackOf(*ann, "p-4"));
  std::string event = reader.next();
  CHECK(event.find("77c1") == std::string::npos);
  change = changeOf(event);
  REQUIRE(change.at("put").as_array().size() == 1);
  CHECK(change.at("put").as_array()[0].at("id").as_string() == "p-4");

  // A moderator's removal drops the post from every reader's page.
  HttpResult removed =
      httpRequest(server.port(), "/api/sites/test/actions", "Bearer " + std::string(TestSite::adminKey),
                  http::verb::post, R"({"id":"rm-1","moderate":{"action":"reject","postId":"p-2","reason":"rude"}})");
  REQUIRE(removed.status == 200);
  event = reader.next();
  CHECK(event.find("very") == std::string::npos);
  change = changeOf(event);
  REQUIRE(change.at("drop").as_array().size() == 1);
  CHECK(change.at("drop").as_array()[0].as_string() == "p-2");
}

TEST_CASE("a live reader may follow a thread before it exists, and what is not a stream is refused",
          "[server][render][live]") {
  ServerProcess server;
  LiveStreamReader early(server.port(), "/sites/test/live/%2Fp%2Fnew", "https://evil.example");
  const std::string head = early.head();
  REQUIRE(head.starts_with("HTTP/1.1 200"));
  CHECK(head.find("Access-Control-Allow-Origin") == std::string::npos);  // another site's page may not read it
  REQUIRE(early.next() == "retry: 2000\n\n");
  auto ann = signedIn(server, "ann");
  ann->send(createThread("t", "/p/new"));
  REQUIRE(ackOf(*ann, "t"));
  ann->send(post("p-1", "/p/new", "The first question."));
  REQUIRE(ackOf(*ann, "p-1"));
  // The thread's creation (no posts yet) and its first post, or both at once.
  std::string event = early.next();
  if (event.find("The first question.") == std::string::npos) event = early.next();
  CHECK(event.find("The first question.") != std::string::npos);

  LiveStreamReader unknownSite(server.port(), "/sites/nosuchsite/live/x", "");
  CHECK(unknownSite.head().starts_with("HTTP/1.1 404"));
  LiveStreamReader badKey(server.port(), "/sites/test/live/%zz", "");
  CHECK(badKey.head().starts_with("HTTP/1.1 404"));
  HttpResult post = httpRequest(server.port(), "/sites/test/live/x", {}, http::verb::post, "{}");
  CHECK(post.status == 405);
  CHECK(post.body.find("method_not_allowed") != std::string::npos);
}
