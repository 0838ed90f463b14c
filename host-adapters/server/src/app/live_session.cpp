#include "app/live_session.h"

#include <boost/asio/write.hpp>

namespace kring::server {

namespace beast = boost::beast;

template <class Stream>
LiveSession<Stream>::LiveSession(Server& server, Stream stream, ConnectionSlot slot)
    : server_(server), stream_(std::move(stream)), slot_(std::move(slot)) {}

template <class Stream>
LiveSession<Stream>::~LiveSession() {
  server_.forget(closer_);
}

template <class Stream>
void LiveSession<Stream>::start(const HttpResponse& head, SiteHost& site, const std::string& threadKey) {
  std::string header = "HTTP/1.1 " + std::to_string(head.result_int()) + " " + std::string(head.reason()) + "\r\n";
  for (const auto& field : head) {
    header.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  // An EventSource that loses the stream asks again after 2 s.
  header += "\r\nretry: 2000\n\n";
  // Idle for as long as the thread is quiet: the reader's close ends the stream, not a timer.
  beast::get_lowest_layer(stream_).expires_never();
  if constexpr (!kIsTls<Stream>) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().non_blocking(true, ignored);
  }
  closer_ = server_.onShutdown([weak = this->weak_from_this()] {
    if (auto self = weak.lock()) self->close();
  });
  site_ = &site;
  threadKey_ = threadKey;
  site.followLive(threadKey, this->weak_from_this());
  send(std::make_shared<const std::string>(std::move(header)));
  readUntilClosed();
}

template <class Stream>
void LiveSession<Stream>::send(std::shared_ptr<const std::string> event) {
  if (closed_) return;
  std::size_t written = 0;
  if constexpr (!kIsTls<Stream>) {
    // One change goes to every reader of a thread at once: a reader keeping up takes it in one
    // non-blocking write, with no asynchronous operation to schedule and complete (a third less
    // time to reach 10,000 readers, tests/bench/reader_bench.cpp).
    if (queue_.empty()) {
      beast::error_code error;
      written = beast::get_lowest_layer(stream_).socket().write_some(boost::asio::buffer(*event), error);
      if (!error && written == event->size()) return;
      if (error && error != boost::asio::error::would_block) return close();
    }
  }
  queuedBytes_ += event->size() - written;
  if (queuedBytes_ > kMaxQueuedLiveBytes) return close();
  queue_.push_back(std::move(event));
  if (queue_.size() == 1) write(written);
}

template <class Stream>
void LiveSession<Stream>::write(std::size_t from) {
  boost::asio::async_write(stream_, boost::asio::buffer(*queue_.front()) + from,
                           [self = this->shared_from_this(), from](beast::error_code error, std::size_t) {
                             if (error) return self->close();
                             self->queuedBytes_ -= self->queue_.front()->size() - from;
                             self->queue_.pop_front();
                             if (!self->queue_.empty() && !self->closed_) self->write(0);
                           });
}

template <class Stream>
void LiveSession<Stream>::readUntilClosed() {
  stream_.async_read_some(boost::asio::buffer(discard_),
                          [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                            if (error) return self->close();
                            self->readUntilClosed();
                          });
}

template <class Stream>
void LiveSession<Stream>::close() {
  if (closed_) return;
  closed_ = true;
  if (site_) site_->unfollowLive(threadKey_, this);
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).close();
}

template class LiveSession<PlainStream>;
template class LiveSession<TlsStream>;

}  // namespace kring::server
