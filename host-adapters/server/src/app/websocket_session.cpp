#include "app/websocket_session.h"

#include <boost/beast/websocket/ssl.hpp>

#include <stdexcept>

#include "auth/guest_credential.h"
#include "auth/site_token.h"
#include "kring/markdown.h"
#include "kring/policy_json.h"
#include "kring/visibility.h"
#include "notify/unsubscribe_link.h"
#include "observe/logging.h"
#include "util/clock.h"

namespace kring::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Beast refuses frames past this outright; between kMaxClientFrameBytes and here we answer with an Error.
constexpr std::size_t kReadLimitBytes = 1 << 20;

std::int64_t nowSeconds() { return nowMilliseconds() / 1000; }

}  // namespace

template <class Stream>
WebSocketSession<Stream>::WebSocketSession(Server& server, Stream stream, ConnectionSlot slot)
    : server_(server),
      socket_(std::move(stream)),
      slot_(std::move(slot)),
      ops_(server.options().opsPerSecond, server.options().opsBurst),
      frames_(server.options().framesPerSecond, server.options().framesBurst),
      pages_(kPagesPerSecond, kPagesBurst),
      expiry_(server.io()) {}

template <class Stream>
WebSocketSession<Stream>::~WebSocketSession() {
  server_.forget(closer_);
}

template <class Stream>
void WebSocketSession<Stream>::start(Request upgrade) {
  origin_ = std::string(upgrade[beast::http::field::origin]);
  beast::get_lowest_layer(socket_).expires_never();
  socket_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  socket_.read_message_max(kReadLimitBytes);
  socket_.binary(true);
  std::weak_ptr<WebSocketSession<Stream>> weak = this->shared_from_this();
  closer_ = server_.onShutdown([weak] {
    if (auto self = weak.lock())
      self->fail(ProtocolError::shuttingDown, "The server is restarting; reconnect shortly.");
  });
  socket_.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code error) {
    if (!error) self->readNext();
  });
  // A socket that never says Hello would hold its slot for nothing (the token's expiry re-arms this timer).
  expiry_.expires_after(std::chrono::seconds(server_.options().helloTimeoutSeconds));
  expiry_.async_wait([weak](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (error || !self || self->site_) return;
    self->fail(
        ProtocolError::helloTimeout,
        "Send Hello within " + std::to_string(self->server_.options().helloTimeoutSeconds) + " seconds of connecting.");
  });
}

template <class Stream>
void WebSocketSession<Stream>::readNext() {
  if (closing_) return;
  socket_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code error, std::size_t size) {
    self->onRead(error, size);
  });
}

template <class Stream>
void WebSocketSession<Stream>::onRead(beast::error_code error, std::size_t size) {
  if (error) return;  // closed, timed out, or a frame past Beast's limit: the session ends
  auto data = buffer_.data();
  Bytes frame(static_cast<const std::uint8_t*>(data.data()), static_cast<const std::uint8_t*>(data.data()) + size);
  buffer_.consume(buffer_.size());
  if (!frames_.allow(nowMilliseconds())) return fail(ProtocolError::flood, "Too many messages; slow down.");
  if (!socket_.got_binary()) return fail(ProtocolError::textFrame, "Kring speaks binary Cap'n Proto frames only.");
  if (frame.size() > kMaxClientFrameBytes) {
    return fail(ProtocolError::frameTooLarge,
                "Frames are limited to " + std::to_string(kMaxClientFrameBytes) + " bytes.");
  }
  Result<ClientMessage> message = decodeClientMessage(frame);
  if (!message) return fail(ProtocolError::malformedFrame, message.error().message);
  try {
    handle(std::move(message.value()));
  } catch (const std::exception& e) {
    // A failure handling one message (a limit of Cap'n Proto's, memory) ends that connection only.
    logEvent("error", "connection_failed", {{"address", slot_.address()}, {"what", e.what()}});
    return fail(ProtocolError::internalError, "The server could not handle this message; reconnect and try again.");
  }
  readNext();
}

template <class Stream>
void WebSocketSession<Stream>::handle(ClientMessage message) {
  if (auto* hello = std::get_if<Hello>(&message)) return handleHello(*hello);
  if (!site_) return fail(ProtocolError::helloFirst, "Send Hello before anything else.");
  if (auto* subscribe = std::get_if<Subscribe>(&message)) {
    if (!isValidThreadKey(subscribe->threadKey, site_->engine().limits())) {
      return fail(ProtocolError::badThreadKey, "A thread key is 1 to " +
                                                   std::to_string(site_->engine().limits().maxThreadKeyBytes) +
                                                   " bytes of printable UTF-8.");
    }
    if (!subscribed(subscribe->threadKey) && subscriptionCount() >= server_.options().maxSubscriptions) {
      return fail(ProtocolError::tooManySubscriptions, "This connection follows too many threads.");
    }
    // Paged snapshots are protocol 3's; an older client's flag would be garbage it never set.
    std::optional<SortOrder> paged;
    if (subscribe->paged && protocolVersion() >= 3) paged = subscribe->order;
    return site_->subscribe(this->shared_from_this(), subscribe->threadKey, subscribe->lastSequence, paged);
  }
  if (auto* page = std::get_if<LoadPage>(&message)) {
    // A page costs a pass over its list: a widget asks for one per click, never this fast.
    if (!pages_.allow(nowMilliseconds())) return fail(ProtocolError::flood, "Too many page requests; slow down.");
    if (!site_->loadPage(this->shared_from_this(), *page)) {
      return fail(ProtocolError::badPageRequest,
                  "Load pages of a thread subscribed paged, after a post of the list it names.");
    }
    return;
  }
  if (auto* submit = std::get_if<Submit>(&message)) return handleSubmit(std::move(*submit));
  if (auto* ping = std::get_if<Ping>(&message)) {
    if (server_.options().faultPingNonce != 0 && ping->nonce == server_.options().faultPingNonce) {
      throw std::runtime_error("fault injected for the tests (--fault-ping-nonce)");
    }
    return send(frameOf(Pong{ping->nonce}));
  }
  if (auto* refresh = std::get_if<RefreshToken>(&message)) return handleRefresh(*refresh);
  if (auto* render = std::get_if<RenderRequest>(&message)) {
    // Bounded by the frame size and the frame rate like any message; it reads nothing of the site.
    return send(
        frameOf(EventsMessage{"", 0, {}, {}, {RenderedBody{render->requestId, 0, renderMarkdown(render->markdown)}}}));
  }
}

template <class Stream>
void WebSocketSession<Stream>::handleHello(const Hello& hello) {
  if (site_) return fail(ProtocolError::helloTwice, "Hello was already sent on this connection.");
  if (hello.protocolVersion < kOldestProtocolVersion || hello.protocolVersion > kProtocolVersion) {
    return fail(ProtocolError::unsupportedProtocol, "This server speaks protocols " +
                                                        std::to_string(kOldestProtocolVersion) + " to " +
                                                        std::to_string(kProtocolVersion) + ".");
  }
  setProtocolVersion(hello.protocolVersion);
  SiteHost* site = server_.site(hello.siteId);
  if (!site) return fail(ProtocolError::unknownSite, "There is no site with this id.");
  const SiteConfig& config = site->config();
  // Browsers always send Origin; native apps and tests have none and rely on the token alone.
  if (!origin_.empty() && !originAllowed(config, origin_)) {
    // The operator's clue when a page shows nothing: which origin to add to which site.
    logEvent("warn", "origin_not_allowed", {{"origin", std::string_view(origin_).substr(0, 256)}, {"site", config.id}});
    return fail(ProtocolError::originNotAllowed, "This page's origin (" + origin_.substr(0, 256) +
                                                     ") is not in the allowedOrigins of site \"" + config.id + "\".");
  }
  // Hello.clientId names no member any more (the server issues guest ids): it is a label, unchecked.
  if (hello.token.empty()) {
    // A site that takes no guest posts still lets guests read (docs/auth.md): their ops are refused.
    if (!signInGuest(hello.guestCredential, config)) return;
    readOnly_ = !config.guestPosting;
  } else if (!signInWithToken(hello.token, config)) {
    return;
  }
  site_ = site;
  sendWelcome();
}

// A new guest, or the one the credential proves. A credential in use is renewed, so a guest who
// comes back within 90 days of their last visit keeps their identity.
template <class Stream>
bool WebSocketSession<Stream>::signInGuest(const std::string& credential, const SiteConfig& config) {
  const std::int64_t now = nowSeconds();
  std::optional<GuestCredential> guest;
  if (credential.empty()) {
    if (!server_.allowNewGuest(config, slot_.address(), nowMilliseconds())) {
      fail(ProtocolError::tooManyGuests,
           "This address has started as many guest visits this hour as the site allows; sign in, or come back later.");
      return false;
    }
    guest = newGuest(config.id, now);
  } else {
    GuestCredentialResult verified = verifyGuestCredential(credential, config.tokenSecret, now, config.id);
    if (!verified) {
      fail(ProtocolError::badGuestCredential, verified.error().message);
      return false;
    }
    guest = std::move(verified.value());
    guest->expiresAt = now + kGuestCredentialLifetimeSeconds;
  }
  if (!guest) {
    logEvent("error", "guest_credential_unavailable", {{"site", config.id}});
    fail(ProtocolError::serverError, "The server could not issue a guest identity; try again.");
    return false;
  }
  guestCredential_ = signGuestCredential(*guest, config.tokenSecret);
  actor_ = Actor{guest->memberId(), "Guest", Role::member};
  return true;
}

template <class Stream>
bool WebSocketSession<Stream>::signInWithToken(const std::string& token, const SiteConfig& config) {
  TokenResult verified = verifySiteToken(config, token, nowSeconds(), server_.tokenRules(config));
  if (!verified) {
    fail(ProtocolError::badToken, verified.error().message);
    return false;
  }
  // A refresh may not switch members: subscriptions and rate limits belong to this one.
  if (site_ && verified.value().subject != actor_.memberId) {
    fail(ProtocolError::badToken,
         "The new token is for another member; a connection keeps the member it signed in as.");
    return false;
  }
  actor_ = Actor{verified.value().subject, verified.value().name, verified.value().role};
  hasAddress_ = !verified.value().email.empty();
  armExpiry(verified.value().expiresAt);
  if (SiteHost* site = server_.site(config.id)) {
    site->rememberContact(verified.value().subject, verified.value().email, verified.value().locale, nowMilliseconds());
    site->claimImported(actor_, verified.value().email, nowMilliseconds());
  }
  return true;
}

// The connection lives as long as its token (plus the leeway): a revoked user is out within one
// token lifetime, not whenever they happen to close the tab.
template <class Stream>
void WebSocketSession<Stream>::armExpiry(std::int64_t expiresAtSeconds) {
  tokenExpiresAt_ = expiresAtSeconds;
  const std::int64_t closeAtMs = (expiresAtSeconds + server_.options().tokenLeewaySeconds) * 1000;
  expiry_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, closeAtMs - nowMilliseconds())));
  expiry_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& error) {
    if (error) return;  // re-armed by a refresh, or the session is gone
    if (auto self = weak.lock())
      self->fail(ProtocolError::tokenExpired, "Your sign-in expired; reconnect with a fresh token.");
  });
}

template <class Stream>
void WebSocketSession<Stream>::handleRefresh(const RefreshToken& refresh) {
  if (isGuestId(actor_.memberId)) {
    return fail(ProtocolError::badToken, "A guest has no sign-in to refresh; connect again with a token to sign in.");
  }
  if (signInWithToken(refresh.token, site_->config())) sendWelcome();
}

template <class Stream>
void WebSocketSession<Stream>::sendWelcome() {
  const Engine& engine = site_->engine();
  MemberRecord member;
  if (auto known = engine.member(actor_.memberId)) member = std::move(*known);
  member.id = actor_.memberId;
  member.displayName = actor_.displayName;
  member.role = effectiveRole(engine, actor_);
  Welcome welcome;
  welcome.member = std::move(member);
  welcome.protocolVersion = protocolVersion();
  // The policy as this viewer may hold it: screening settings and watched words for moderators only.
  welcome.policy = projectPolicy(engine.policy(), viewerOf(engine, actor_, nowMilliseconds()));
  welcome.guestCredential = guestCredential_;
  welcome.tokenExpiresAt = tokenExpiresAt_ * 1000;
  welcome.readOnly = readOnly_;
  welcome.needsTicketToStart =
      !startsThreadsUnapproved(engine.policy(), welcome.member.role, welcome.member.trustLevel, welcome.member.id);
  // Only to the member it is signed for: the link changes their mail without a sign-in.
  if (hasAddress_ && site_->config().email && server_.mailDelivery() != nullptr) {
    welcome.preferencesUrl = unsubscribeUrl(site_->config(), {site_->config().id, actor_.memberId, std::nullopt});
  }
  site_->sendAfterCommit(this->shared_from_this(), frameOf(welcome));
}

template <class Stream>
void WebSocketSession<Stream>::handleSubmit(Submit submit) {
  std::int64_t now = nowMilliseconds();
  if (!ops_.allow(now) || !server_.allowMemberOp(site_->config().id, actor_.memberId, now)) {
    countRejected();
    send(frameOf(RejectedMessage{submit.op.id, ReasonCode::rateLimited, "You are posting too fast; wait a moment."}));
    return;
  }
  if (readOnly_ && !std::holds_alternative<RecordReading>(submit.op.body)) {
    countRejected();
    send(frameOf(RejectedMessage{submit.op.id, ReasonCode::signInRequired,
                                 "This site takes posts from signed-in members only; sign in to take part."}));
    return;
  }
  if (isGuestId(actor_.memberId) && std::holds_alternative<CreatePost>(submit.op.body) &&
      !server_.allowGuestPost(site_->config(), slot_.address(), now)) {
    countRejected();
    send(frameOf(RejectedMessage{
        submit.op.id, ReasonCode::rateLimited,
        "Guests from this address have posted as much as this site allows in an hour; sign in to post more."}));
    return;
  }
  if (submit.op.id.rfind(kServerOpIdPrefix, 0) == 0) {
    countRejected();
    send(frameOf(RejectedMessage{submit.op.id, ReasonCode::invalidId,
                                 "Op ids starting with " + std::string(kServerOpIdPrefix) + " are the server's own."}));
    return;
  }
  submitting_ = true;
  site_->submit(this->shared_from_this(), actor_, std::move(submit.op), now);
  submitting_ = false;
}

template <class Stream>
void WebSocketSession<Stream>::countRejected() {
  ++server_.metrics().rejectedOps[site_->config().id];
}

template <class Stream>
void WebSocketSession<Stream>::send(Frame frame) {
  // A stored op is answered after its commit: what the site sends during submit is a refusal, with one
  // server (with several, the database's sequence decides later and is not counted).
  if (submitting_) {
    Result<ServerMessage> message = decodeServerMessage(*frame);
    if (message && std::holds_alternative<RejectedMessage>(message.value())) countRejected();
  }
  if (closing_ && !writing_ && queue_.empty()) return;
  if (queuedBytes_ + frame->size() > server_.options().maxSendQueueBytes) {
    logEvent("warn", "slow_reader_disconnected", {{"address", slot_.address()}});
    return closeNow();
  }
  queuedBytes_ += frame->size();
  queue_.push_back(Outgoing{std::move(frame), nullptr});
  if (!writing_) writeNext();
}

template <class Stream>
void WebSocketSession<Stream>::sendSnapshot(SharedSnapshot snapshot) {
  if (closing_ && !writing_ && queue_.empty()) return;
  if (snapshotBytes_ + snapshot->bytes > server_.options().maxSnapshotQueueBytes) {
    logEvent("warn", "slow_reader_disconnected", {{"address", slot_.address()}, {"waiting", "snapshots"}});
    return closeNow();
  }
  const bool rendered = snapshot->rendered && takesRenderedBodies();
  snapshotBytes_ += snapshot->bytes - (rendered || !snapshot->rendered ? 0 : snapshot->rendered->size());
  const std::size_t frames = snapshot->parts.size() + (rendered ? 1 : 0);
  queue_.push_back(Outgoing{nullptr, std::move(snapshot), 0, frames});
  if (!writing_) writeNext();
}

template <class Stream>
void WebSocketSession<Stream>::writeNext() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) {
      // The error code again as the close reason, for a client that sees only the close (CloseEvent.reason).
      socket_.async_close(websocket::close_reason(websocket::close_code::policy_error, closeReason_),
                          [self = this->shared_from_this()](beast::error_code) {});
    }
    return;
  }
  writing_ = true;
  const Outgoing& next = queue_.front();
  Frame frame = next.frame ? next.frame : next.at(next.nextPart);
  socket_.async_write(boost::asio::buffer(*frame),
                      [self = this->shared_from_this(), frame](beast::error_code error, std::size_t) {
                        Outgoing& written = self->queue_.front();
                        if (written.frame) {
                          self->queuedBytes_ -= frame->size();
                          self->queue_.pop_front();
                        } else {
                          self->snapshotBytes_ -= frame->size();
                          if (++written.nextPart == written.frames) self->queue_.pop_front();
                        }
                        if (error) {
                          self->queue_.clear();
                          self->queuedBytes_ = self->snapshotBytes_ = 0;
                          self->writing_ = false;
                          return;
                        }
                        self->writeNext();
                      });
}

template <class Stream>
void WebSocketSession<Stream>::fail(ProtocolError code, std::string message) {
  if (closing_) return;
  closeReason_ = std::string(enumName(code).substr(0, 120));  // a close reason holds at most 123 bytes
  send(frameOf(ErrorMessage{closeReason_, std::move(message)}));
  closing_ = true;
  if (!writing_) writeNext();
}

template <class Stream>
void WebSocketSession<Stream>::closeNow() {
  closing_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(socket_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(socket_).close();
}

template class WebSocketSession<PlainStream>;
template class WebSocketSession<TlsStream>;

}  // namespace kring::server
