// A reader's live stream (GET /sites/{site}/live/{thread}, text/event-stream): the HTTP session
// hands its connection over, as it does to a WebSocket. It writes the thread's page changes
// (sync/live_threads.h) until the reader goes, the server shuts down, or the reader falls so far
// behind that its unsent events pass kMaxQueuedBytes (its EventSource reconnects and fetches the page).
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "app/connection_slot.h"
#include "app/server.h"
#include "http/http_message.h"
#include "http/session_stream.h"
#include "sync/live_threads.h"

namespace kring::server {

inline constexpr std::size_t kMaxQueuedLiveBytes = 1 << 20;

template <class Stream>
class LiveSession : public LiveReader, public std::enable_shared_from_this<LiveSession<Stream>> {
 public:
  LiveSession(Server& server, Stream stream, ConnectionSlot slot);
  ~LiveSession() override;
  // Writes `head` (the response's headers: the stream's body follows) and follows the thread.
  void start(const HttpResponse& head, SiteHost& site, const std::string& threadKey);
  void send(std::shared_ptr<const std::string> event) override;

 private:
  // Writes the queue's front from byte `from` on (a non-blocking write may have sent the rest).
  void write(std::size_t from);
  // A reader sends nothing after its request: any read that ends means it has gone.
  void readUntilClosed();
  void close();

  Server& server_;
  Stream stream_;
  ConnectionSlot slot_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queuedBytes_ = 0;
  bool closed_ = false;
  std::uint64_t closer_ = 0;
  SiteHost* site_ = nullptr;  // the site whose thread it follows, told when the stream ends
  std::string threadKey_;
  std::array<char, 512> discard_{};
};

}  // namespace kring::server
