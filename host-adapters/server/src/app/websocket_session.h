// One widget's WebSocket: the sync protocol of docs/protocol.md in Cap'n Proto binary frames, over
// plain TCP or TLS (session_stream.h).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <string>

#include "app/connection_slot.h"
#include "app/server.h"
#include "auth/token.h"
#include "http/session_stream.h"
#include "kring/enums.h"
#include "kring/sync.h"
#include "sync/connection.h"
#include "util/rate_limiter.h"

namespace kring::server {

template <class Stream>
class WebSocketSession : public Connection, public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  WebSocketSession(Server& server, Stream stream, ConnectionSlot slot);
  ~WebSocketSession() override;

  void start(Request upgrade);
  void send(Frame frame) override;
  void sendSnapshot(SharedSnapshot snapshot) override;
  const Actor& actor() const override { return actor_; }

 private:
  void readNext();
  void onRead(boost::beast::error_code error, std::size_t size);
  void handle(ClientMessage message);
  void handleHello(const Hello& hello);
  void handleRefresh(const RefreshToken& refresh);
  // Each returns false after failing the connection.
  bool signInGuest(const std::string& credential, const SiteConfig& config);
  bool signInWithToken(const std::string& token, const SiteConfig& config);
  void armExpiry(std::int64_t expiresAtSeconds);
  void sendWelcome();
  void handleSubmit(Submit submit);
  void countRejected();
  // Sends an Error (its code the value's name) and closes once it is written.
  void fail(ProtocolError code, std::string message);
  void writeNext();
  void closeNow();

  Server& server_;
  boost::beast::websocket::stream<Stream> socket_;
  boost::beast::flat_buffer buffer_;
  ConnectionSlot slot_;
  std::string origin_;
  // What waits to be written, in order: a frame, or a snapshot's parts from `nextPart` on.
  struct Outgoing {
    Frame frame;
    SharedSnapshot snapshot;
    std::size_t nextPart = 0;
    std::size_t frames = 0;  // of the snapshot: its parts, and its Rendered frame for protocol 2
    Frame at(std::size_t index) const {
      return index < snapshot->parts.size() ? snapshot->parts[index] : snapshot->rendered;
    }
  };
  std::deque<Outgoing> queue_;
  std::size_t queuedBytes_ = 0;    // frames (maxSendQueueBytes)
  std::size_t snapshotBytes_ = 0;  // snapshot parts not yet written (maxSnapshotQueueBytes)
  bool writing_ = false;
  bool closing_ = false;     // no more reads; close after the queue drains
  bool submitting_ = false;  // in the site's submit, whose own answers now are refusals (for /metrics)
  std::string closeReason_;  // the failing Error's code
  SiteHost* site_ = nullptr;
  Actor actor_;
  std::string guestCredential_;      // a guest's credential, sent in each Welcome
  bool hasAddress_ = false;          // the token gave a proven e-mail address (mail may go to it)
  std::int64_t tokenExpiresAt_ = 0;  // seconds; 0 for a guest, whose sign-in does not expire
  bool readOnly_ = false;            // a guest where the site takes no guest posts
  RateLimiter ops_;
  RateLimiter frames_;
  static constexpr std::uint32_t kPagesPerSecond = 10;
  static constexpr std::uint32_t kPagesBurst = 20;
  RateLimiter pages_;                 // LoadPage requests
  boost::asio::steady_timer expiry_;  // closes the connection when the token expires
  std::uint64_t closer_ = 0;
};

}  // namespace kring::server
