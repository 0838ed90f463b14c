// Ops and sign-ins the server tests share: the server's mechanics and its auth sessions.
#pragma once

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "kring/engine.h"
#include "kring/op.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "server_process.h"
#include "sync_client.h"

namespace kring::testing {

inline Op makeOp(std::string id, OpBody body) {
  Op op;
  op.id = std::move(id);
  op.actor = Actor{"ignored", "ignored", Role::admin};  // the server puts the token's member here
  op.time = 1;
  op.body = std::move(body);
  return op;
}

inline Submit createThread(std::string id, std::string key) {
  return Submit{makeOp(std::move(id), CreateThread{std::move(key), ThreadKind::discussion, "Title"})};
}

inline Submit post(std::string id, std::string key, std::string body = "Hello") {
  return Submit{makeOp(std::move(id), CreatePost{std::move(key), "", std::move(body)})};
}

// The mechanics policy with one watched word that holds a post for review (its author and moderators
// read it; others get no text of it).
inline std::string policyHolding(const std::string& word) {
  std::string policy = TestSite::mechanicsPolicy;
  return policy.replace(policy.rfind('}'), 0,
                        R"(,"watchedWords":[{"locale":"en","word":")" + word + R"(","action":"require_approval"}])");
}

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::string contentType;
  std::string contentDisposition;
  std::string retryAfter;
  std::string link;
  std::string etag;
  std::string cacheControl;
  std::string allowOrigin;  // Access-Control-Allow-Origin
  std::string contentEncoding;
};

// One HTTP request to the server on loopback; the admin API's key goes in `authorization`, and
// `headers` are sent as they are (X-Forwarded-For, say).
HttpResult httpRequest(unsigned short port, const std::string& target, const std::string& authorization = {},
                       boost::beast::http::verb verb = boost::beast::http::verb::get, const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

// The server's log (server_process.h writes it into the store's directory).
// The body of an HTTP answer as a JSON object (the test fails when it is not one).
inline boost::json::object parsedObject(const HttpResult& result) {
  INFO(result.body);
  boost::json::value value = boost::json::parse(result.body);
  REQUIRE(value.is_object());
  return value.as_object();
}

inline std::string serverLog(const ServerProcess& server) {
  std::ifstream in(server.directory() + "/server.log");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Waits (up to 10 s) until the server's log holds `text`; true when it does.
inline bool logShows(const ServerProcess& server, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    if (serverLog(server).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The log of a server that refused to start (ServerProcess names it in its exception); its directory is removed.
inline std::string logOfFailedStart(const std::string& flags) {
  try {
    ServerProcess server(flags);
  } catch (const std::exception& e) {
    std::string what = e.what();
    auto at = what.find("(see ");
    if (at == std::string::npos) return what;
    const std::filesystem::path log = what.substr(at + 5, what.rfind(')') - at - 5);
    std::ifstream in(log);
    std::string text(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
    std::error_code ignored;
    std::filesystem::remove_all(log.parent_path(), ignored);
    return text;
  }
  return "started";
}

// The test site's site_loaded line of the last start.
inline std::string lastSiteLoaded(const ServerProcess& server) {
  std::string log = serverLog(server);
  std::size_t at = log.rfind(R"("event":"site_loaded","site":"test")");
  REQUIRE(at != std::string::npos);
  std::size_t start = log.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return log.substr(start, log.find('\n', at) - start);
}

// Waits for the Events message that acknowledges `opId`.
inline std::optional<EventsMessage> ackOf(SyncClient& client, const std::string& opId) {
  for (int i = 0; i < 50; ++i) {
    auto events = client.receiveUntil<EventsMessage>();
    if (!events) return std::nullopt;
    if (events->acknowledges == opId) return events;
    for (const Event& event : events->events) {
      if (event.opId == opId) return events;
    }
  }
  return std::nullopt;
}

// Creates thread `key` as op `<prefix>-0`, then posts "post 1" … "post <posts>" as ops `<prefix>-1` …,
// each acknowledged before the next.
inline void writeThread(SyncClient& client, const std::string& prefix, const std::string& key, int posts) {
  client.send(createThread(prefix + "-0", key));
  REQUIRE(ackOf(client, prefix + "-0"));
  for (int i = 1; i <= posts; ++i) {
    client.send(post(prefix + "-" + std::to_string(i), key, "post " + std::to_string(i)));
    REQUIRE(ackOf(client, prefix + "-" + std::to_string(i)));
  }
}

inline std::unique_ptr<SyncClient> signedIn(ServerProcess& server, const std::string& member,
                                            const std::string& role = "member") {
  auto client = std::make_unique<SyncClient>(server.port());
  REQUIRE(client->hello(TestSite::id, testToken(member, role), "client-" + member));
  return client;
}

// Subscribes (from `lastSeen`: 0 is no history) and returns the thread as the snapshot the server sent holds it.
inline ThreadView viewFromSnapshot(SyncClient& client, const std::string& threadKey, Sequence lastSeen = 0) {
  client.send(Subscribe{threadKey, lastSeen});
  auto snapshot = client.receiveSnapshot();
  REQUIRE(snapshot);
  Engine replica("test");
  REQUIRE(loadThreadSnapshot(replica, snapshot->snapshot));
  auto view = replica.threadView(threadKey, SortOrder::oldest);
  REQUIRE(view);
  return std::move(*view);
}

}  // namespace kring::testing
