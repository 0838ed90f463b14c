#include "kring/sync.h"

#include <algorithm>
#include <iterator>

#include "wire/wire.h"

namespace kring {

using namespace wire_convert;

namespace {

constexpr std::size_t kMaxServerFrameBytes = std::size_t{1} << 30;

struct ClientWriter {
  mutable wire::ClientMessage::Builder out;
  void operator()(const Hello& in) const {
    auto hello = out.initHello();
    hello.setSiteId(text(in.siteId));
    hello.setToken(text(in.token));
    hello.setClientId(text(in.clientId));
    hello.setProtocolVersion(in.protocolVersion);
    hello.setGuestCredential(text(in.guestCredential));
  }
  void operator()(const Subscribe& in) const {
    auto subscribe = out.initSubscribe();
    subscribe.setThreadKey(text(in.threadKey));
    subscribe.setLastSequence(in.lastSequence);
    subscribe.setPaged(in.paged);
    subscribe.setOrder(static_cast<wire::SortOrder>(in.order));
  }
  void operator()(const Submit& in) const { writeOp(out.initSubmit(), in.op); }
  void operator()(const Ping& in) const { out.setPing(in.nonce); }
  void operator()(const RefreshToken& in) const { out.setRefreshToken(text(in.token)); }
  void operator()(const LoadPage& in) const {
    auto page = out.initLoadPage();
    page.setThreadKey(text(in.threadKey));
    page.setOrder(static_cast<wire::SortOrder>(in.order));
    page.setParentId(text(in.parentId));
    page.setAfterId(text(in.afterId));
  }
  void operator()(const RenderRequest& in) const {
    auto render = out.initRender();
    render.setRequestId(text(in.requestId));
    render.setMarkdown(text(in.markdown));
  }
};

struct ServerWriter {
  mutable wire::ServerMessage::Builder out;
  void operator()(const Welcome& in) const {
    auto welcome = out.initWelcome();
    write(welcome.initMember(), in.member);
    welcome.setProtocolVersion(in.protocolVersion);
    write(welcome.initPolicy(), in.policy);
    welcome.setGuestCredential(text(in.guestCredential));
    welcome.setTokenExpiresAt(in.tokenExpiresAt);
    welcome.setReadOnly(in.readOnly);
    welcome.setNeedsTicketToStart(in.needsTicketToStart);
    welcome.setPreferencesUrl(text(in.preferencesUrl));
  }
  void operator()(const ThreadSnapshotPart& in) const {
    auto part = out.initThreadSnapshotPart();
    part.setThreadKey(text(in.threadKey));
    part.setOffset(in.offset);
    part.setTotalBytes(in.totalBytes);
    part.setBytes(capnp::Data::Reader(in.bytes.data(), in.bytes.size()));
  }
  void operator()(const EventsMessage& in) const {
    auto events = out.initEvents();
    events.setThreadKey(text(in.threadKey));
    events.setFromSequence(in.fromSequence);
    auto list = events.initEvents(static_cast<unsigned>(in.events.size()));
    for (unsigned i = 0; i < list.size(); ++i) writeEvent(list[i], in.events[i]);
    events.setAcknowledges(text(in.acknowledges));
    if (in.rendered.empty()) return;
    auto rendered = events.initRendered(static_cast<unsigned>(in.rendered.size()));
    for (unsigned i = 0; i < rendered.size(); ++i) {
      rendered[i].setPostId(text(in.rendered[i].postId));
      rendered[i].setEditedAt(in.rendered[i].editedAt);
      rendered[i].setHtml(text(in.rendered[i].html));
    }
  }
  void operator()(const RejectedMessage& in) const {
    auto rejected = out.initRejected();
    rejected.setOpId(text(in.opId));
    rejected.setCode(writeEnum<wire::ReasonCode>(in.code));
    rejected.setMessage(text(in.message));
  }
  void operator()(const ErrorMessage& in) const {
    auto error = out.initError();
    error.setCode(text(in.code));
    error.setMessage(text(in.message));
  }
  void operator()(const Pong& in) const { out.setPong(in.nonce); }
};

Error malformed(std::string why) { return Error{ReasonCode::malformedOp, std::move(why)}; }

Result<ClientMessage> readClient(wire::ClientMessage::Reader in) {
  switch (in.which()) {
    case wire::ClientMessage::HELLO: {
      auto hello = in.getHello();
      return ClientMessage(Hello{string(hello.getSiteId()), string(hello.getToken()), string(hello.getClientId()),
                                 hello.getProtocolVersion(), string(hello.getGuestCredential())});
    }
    case wire::ClientMessage::SUBSCRIBE: {
      auto subscribe = in.getSubscribe();
      Subscribe out{string(subscribe.getThreadKey()), subscribe.getLastSequence(), subscribe.getPaged()};
      if (!readEnum(subscribe.getOrder(), out.order)) return malformed("The subscribe names an unknown order.");
      return ClientMessage(std::move(out));
    }
    case wire::ClientMessage::SUBMIT: {
      Result<Op> op = readOp(in.getSubmit());
      if (!op) return op.error();
      return ClientMessage(Submit{std::move(op.value())});
    }
    case wire::ClientMessage::PING: return ClientMessage(Ping{in.getPing()});
    case wire::ClientMessage::REFRESH_TOKEN: return ClientMessage(RefreshToken{string(in.getRefreshToken())});
    case wire::ClientMessage::RENDER: {
      auto render = in.getRender();
      return ClientMessage(RenderRequest{string(render.getRequestId()), string(render.getMarkdown())});
    }
    case wire::ClientMessage::LOAD_PAGE: {
      auto page = in.getLoadPage();
      LoadPage out{string(page.getThreadKey()), SortOrder::top, string(page.getParentId()), string(page.getAfterId())};
      if (!readEnum(page.getOrder(), out.order)) return malformed("The page request names an unknown order.");
      return ClientMessage(std::move(out));
    }
  }
  return malformed("The message is of a kind this version does not know.");
}

Result<ServerMessage> readServer(wire::ServerMessage::Reader in) {
  Error bad = malformed("The message has a value its schema does not define.");
  switch (in.which()) {
    case wire::ServerMessage::WELCOME: {
      auto welcome = in.getWelcome();
      Welcome out;
      if (!read(welcome.getMember(), out.member)) return bad;
      out.protocolVersion = welcome.getProtocolVersion();
      if (!read(welcome.getPolicy(), out.policy)) return bad;
      out.guestCredential = string(welcome.getGuestCredential());
      out.tokenExpiresAt = welcome.getTokenExpiresAt();
      out.readOnly = welcome.getReadOnly();
      out.needsTicketToStart = welcome.getNeedsTicketToStart();
      out.preferencesUrl = string(welcome.getPreferencesUrl());
      return ServerMessage(std::move(out));
    }
    case wire::ServerMessage::THREAD_SNAPSHOT: break;  // retired
    case wire::ServerMessage::THREAD_SNAPSHOT_PART: {
      auto part = in.getThreadSnapshotPart();
      auto data = part.getBytes();
      return ServerMessage(ThreadSnapshotPart{string(part.getThreadKey()), part.getOffset(), part.getTotalBytes(),
                                              Bytes(data.begin(), data.end())});
    }
    case wire::ServerMessage::EVENTS: {
      auto events = in.getEvents();
      EventsMessage out{string(events.getThreadKey()), events.getFromSequence(), {}};
      for (auto event : events.getEvents()) {
        Event decoded;
        if (!readEvent(event, decoded)) return bad;
        out.events.push_back(std::move(decoded));
      }
      out.acknowledges = string(events.getAcknowledges());
      for (auto body : events.getRendered()) {
        out.rendered.push_back(RenderedBody{string(body.getPostId()), body.getEditedAt(), string(body.getHtml())});
      }
      return ServerMessage(std::move(out));
    }
    case wire::ServerMessage::REJECTED: {
      auto rejected = in.getRejected();
      RejectedMessage out{string(rejected.getOpId()), ReasonCode::none, string(rejected.getMessage())};
      if (!readEnum(rejected.getCode(), out.code)) return bad;
      return ServerMessage(std::move(out));
    }
    case wire::ServerMessage::ERROR: {
      auto error = in.getError();
      return ServerMessage(ErrorMessage{string(error.getCode()), string(error.getMessage())});
    }
    case wire::ServerMessage::PONG: return ServerMessage(Pong{in.getPong()});
  }
  return malformed("The message is of a kind this version does not know.");
}

}  // namespace

std::vector<ThreadSnapshotPart> splitSnapshot(const std::string& threadKey, ByteView snapshot, std::size_t partBytes) {
  std::vector<ThreadSnapshotPart> parts;
  std::size_t offset = 0;
  do {
    std::size_t size = std::min(partBytes, snapshot.size() - offset);
    parts.push_back(ThreadSnapshotPart{threadKey, offset, snapshot.size(),
                                       Bytes(snapshot.begin() + offset, snapshot.begin() + offset + size)});
    offset += size;
  } while (offset < snapshot.size());
  return parts;
}

Result<std::optional<Bytes>> SnapshotAssembler::add(ThreadSnapshotPart part) {
  auto same = [&](const auto& entry) { return entry.first == part.threadKey; };
  auto entry = std::find_if(partial_.begin(), partial_.end(), same);
  if (part.offset == 0 && entry != partial_.end()) {  // a new snapshot (a resubscribe, a reconnect)
    partial_.erase(entry);
    entry = partial_.end();
  }
  std::uint64_t received = entry == partial_.end() ? 0 : entry->second.size();
  bool fits = part.totalBytes <= kMaxThreadSnapshotBytes && part.offset + part.bytes.size() <= part.totalBytes;
  if (part.offset != received || !fits) {
    if (entry != partial_.end()) partial_.erase(entry);
    return Error{ReasonCode::malformedSnapshot,
                 fits ? "A snapshot part arrived out of order." : "The thread snapshot is larger than a client takes."};
  }
  if (part.last()) {
    if (entry == partial_.end()) return std::optional<Bytes>(std::move(part.bytes));
    Bytes whole = std::move(entry->second);
    partial_.erase(entry);
    whole.insert(whole.end(), part.bytes.begin(), part.bytes.end());
    return std::optional<Bytes>(std::move(whole));
  }
  if (entry == partial_.end()) {
    partial_.emplace_back(part.threadKey, Bytes());
    entry = std::prev(partial_.end());
    entry->second.reserve(static_cast<std::size_t>(part.totalBytes));
  }
  entry->second.insert(entry->second.end(), part.bytes.begin(), part.bytes.end());
  return std::optional<Bytes>();
}

Bytes encodeClientMessage(const ClientMessage& message) {
  capnp::MallocMessageBuilder builder(kFirstSegmentWords);
  std::visit(ClientWriter{builder.initRoot<wire::ClientMessage>()}, message);
  return toBytes(builder);
}

Result<ClientMessage> decodeClientMessage(ByteView bytes) {
  return readMessage(bytes, ReasonCode::malformedOp, kMaxClientFrameBytes,
                     [](capnp::MessageReader& reader) { return readClient(reader.getRoot<wire::ClientMessage>()); });
}

Bytes encodeServerMessage(const ServerMessage& message) {
  capnp::MallocMessageBuilder builder(kFirstSegmentWords);
  std::visit(ServerWriter{builder.initRoot<wire::ServerMessage>()}, message);
  return toBytes(builder);
}

Result<ServerMessage> decodeServerMessage(ByteView bytes) {
  return readMessage(bytes, ReasonCode::malformedOp, kMaxServerFrameBytes,
                     [](capnp::MessageReader& reader) { return readServer(reader.getRoot<wire::ServerMessage>()); });
}

}  // namespace kring
