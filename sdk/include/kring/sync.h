// The sync protocol's messages (docs/protocol.md), one per WebSocket binary frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kring/op.h"
#include "kring/outcome.h"
#include "kring/policy.h"
#include "kring/reason.h"
#include "kring/records.h"

namespace kring {

// 2 adds RenderRequest and the Events' rendered bodies after a snapshot; 3 paged snapshots
// (Subscribe.paged, LoadPage); a server still speaks 1.
constexpr std::uint32_t kProtocolVersion = 3;
constexpr std::uint32_t kOldestProtocolVersion = 1;
// Frames larger than this are refused before decoding (an op is at most kMaxOpBytes of it).
constexpr std::size_t kMaxClientFrameBytes = 64 * 1024;

// --- client → server ---
struct Hello {
  std::string siteId;
  std::string token;     // the host's signed token; empty for a guest
  std::string clientId;  // names the connection in logs only
  std::uint32_t protocolVersion = kProtocolVersion;
  std::string guestCredential;  // a guest's credential from an earlier Welcome
};
struct Subscribe {
  std::string threadKey;
  Sequence lastSequence = 0;  // 0: send a snapshot
  bool paged = false;         // the snapshot is the thread's first page in `order` (thread_page.h)
  SortOrder order = SortOrder::top;
};
// The next page of one list of a paged thread (thread_page.h); answered by a continuing page.
struct LoadPage {
  std::string threadKey;
  SortOrder order = SortOrder::top;
  std::string parentId;  // whose replies; empty: the top-level posts
  std::string afterId;   // the list's afterId the replica holds; empty: from the start
};
struct Submit {
  Op op;  // the server replaces actor, time and sequence
};
struct Ping {
  std::uint64_t nonce = 0;
};
// A fresh token for the connection's member, before the current one expires.
struct RefreshToken {
  std::string token;
};
// Markdown the client wants shown as the server renders it (the composer's preview).
struct RenderRequest {
  std::string requestId;
  std::string markdown;
};
using ClientMessage = std::variant<Hello, Subscribe, Submit, Ping, RefreshToken, RenderRequest, LoadPage>;

Bytes encodeClientMessage(const ClientMessage& message);
Result<ClientMessage> decodeClientMessage(ByteView bytes);

// --- server → client ---
struct Welcome {
  MemberRecord member;
  std::uint32_t protocolVersion = kProtocolVersion;
  Policy policy;                    // the member's projection (visibility.h); hosts read it as JSON with policyToJson
  std::string guestCredential{};    // for a guest: present it on later Hellos
  TimeMs tokenExpiresAt = 0;        // the connection closes then unless refreshed; 0: no token
  bool readOnly = false;            // a guest where the site takes no guest posts: it reads, its ops are refused
  bool needsTicketToStart = false;  // a new thread's first post needs the host's ticket (startsThreadsUnapproved)
  std::string preferencesUrl{};     // the member's signed mail preferences page; empty: nothing is mailed to them
};
// One part of a thread snapshot (snapshot.h); splitSnapshot makes them, SnapshotAssembler joins them.
struct ThreadSnapshotPart {
  std::string threadKey;
  std::uint64_t offset = 0;      // where `bytes` starts in the whole snapshot
  std::uint64_t totalBytes = 0;  // the whole snapshot's size
  Bytes bytes;

  bool last() const { return offset + bytes.size() == totalBytes; }
};
// A post's text as the server's Markdown renderer writes it (kring/markdown.h).
struct RenderedBody {
  std::string postId;   // or a RenderRequest's requestId
  TimeMs editedAt = 0;  // the version of the text: the post's editedAt
  std::string html;
};
struct EventsMessage {
  std::string threadKey;
  Sequence fromSequence = 0;
  std::vector<Event> events;
  std::string acknowledges{};            // set for the submitter when the op shows them no event
  std::vector<RenderedBody> rendered{};  // the HTML of the text the events carry (docs/protocol.md)
};
struct RejectedMessage {
  std::string opId;
  ReasonCode code = ReasonCode::none;
  std::string message;
};
struct ErrorMessage {
  std::string code;  // stable, snake_case: "malformed_frame", "frame_too_large", "bad_token", …
  std::string message;
};
struct Pong {
  std::uint64_t nonce = 0;
};
using ServerMessage = std::variant<Welcome, ThreadSnapshotPart, EventsMessage, RejectedMessage, ErrorMessage, Pong>;

Bytes encodeServerMessage(const ServerMessage& message);
Result<ServerMessage> decodeServerMessage(ByteView bytes);

// --- thread snapshots in parts: no frame carries more than kSnapshotPartBytes of one ---
constexpr std::size_t kSnapshotPartBytes = 256 * 1024;
// What a client accepts as one thread's snapshot, in all its parts.
constexpr std::uint64_t kMaxThreadSnapshotBytes = std::uint64_t{256} << 20;

// The snapshot's parts in order (one, for a snapshot up to `partBytes`; one empty part for none).
std::vector<ThreadSnapshotPart> splitSnapshot(const std::string& threadKey, ByteView snapshot,
                                              std::size_t partBytes = kSnapshotPartBytes);

// A client's parts in progress, one snapshot per thread at a time; a part at offset 0 starts the
// thread's snapshot again (after a reconnect). A part that does not continue it where the last
// one ended, or a snapshot over kMaxThreadSnapshotBytes, is refused (malformedSnapshot) and drops
// that thread's parts so far.
class SnapshotAssembler {
 public:
  // The whole snapshot when `part` completes it, an empty optional while more parts are due.
  Result<std::optional<Bytes>> add(ThreadSnapshotPart part);
  std::size_t inProgress() const { return partial_.size(); }

 private:
  std::vector<std::pair<std::string, Bytes>> partial_;  // few: the threads a client follows
};

}  // namespace kring
