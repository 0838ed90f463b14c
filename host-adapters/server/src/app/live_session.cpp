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
  closer_ = server_.onShutdown([weak = this->weak_from_this()] {
    if (auto self = weak.lock()) self->close();
  });
  site.followLive(threadKey, this->weak_from_this());
  send(std::make_shared<const std::string>(std::move(header)));
  readUntilClosed();
}

template <class Stream>
void LiveSession<Stream>::send(std::shared_ptr<const std::string> event) {
  if (closed_) return;
  queuedBytes_ += event->size();
  if (queuedBytes_ > kMaxQueuedLiveBytes) return close();
  queue_.push_back(std::move(event));
  if (queue_.size() == 1) write();
}

template <class Stream>
void LiveSession<Stream>::write() {
  boost::asio::async_write(stream_, boost::asio::buffer(*queue_.front()),
                           [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                             if (error) return self->close();
                             self->queuedBytes_ -= self->queue_.front()->size();
                             self->queue_.pop_front();
                             if (!self->queue_.empty() && !self->closed_) self->write();
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
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).close();
}

template class LiveSession<PlainStream>;
template class LiveSession<TlsStream>;

}  // namespace kring::server
