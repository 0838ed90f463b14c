// The sync protocol's messages (docs/protocol.md), one per WebSocket binary frame.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "kring/op.h"
#include "kring/outcome.h"
#include "kring/policy.h"
#include "kring/reason.h"
#include "kring/records.h"

namespace kring {

constexpr std::uint32_t kProtocolVersion = 1;
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
using ClientMessage = std::variant<Hello, Subscribe, Submit, Ping, RefreshToken>;

Bytes encodeClientMessage(const ClientMessage& message);
Result<ClientMessage> decodeClientMessage(ByteView bytes);

// --- server → client ---
struct Welcome {
  MemberRecord member;
  std::uint32_t protocolVersion = kProtocolVersion;
  Policy policy;  // the member's projection (visibility.h); hosts read it as JSON with policyToJson
  std::string guestCredential{};  // for a guest: present it on later Hellos
  TimeMs tokenExpiresAt = 0;    // the connection closes then unless refreshed; 0: no token
};
struct ThreadSnapshotMessage {
  Bytes snapshot;  // a ThreadSnapshot message (snapshot.h)
};
struct EventsMessage {
  std::string threadKey;
  Sequence fromSequence = 0;
  std::vector<Event> events;
  std::string acknowledges{};  // set for the submitter when the op shows them no event
};
struct RejectedMessage {
  std::string opId;
  ReasonCode code = ReasonCode::none;
  std::string message;
};
struct ErrorMessage {
  std::string code;     // stable, snake_case: "malformed_frame", "frame_too_large", "bad_token", …
  std::string message;
};
struct Pong {
  std::uint64_t nonce = 0;
};
using ServerMessage =
    std::variant<Welcome, ThreadSnapshotMessage, EventsMessage, RejectedMessage, ErrorMessage, Pong>;

Bytes encodeServerMessage(const ServerMessage& message);
Result<ServerMessage> decodeServerMessage(ByteView bytes);

}  // namespace kring
