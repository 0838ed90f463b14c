// A tiny stand-in for kring-server's sync, for the client API's Node test (client_api.test.mjs):
// reads the ClientMessage frames one client sent, answers them as the server does, and writes
// the ServerMessage frames the client would receive and the site's final snapshot.
//
//   kring_sync_fixture <client frames in> <server frames out> <site snapshot out>
//
// Frames are [u32 little-endian size][bytes] (codec.h). The token of a Hello is "id|name|role"
// (no signatures here); ops are applied as the Hello's member, with the server's next sequence
// and the op's own time (so runs are repeatable). Like kring-server, it sends an accepted op's
// events to its submitter (here: always the one client) whether or not it follows the thread, and
// answers a subscription to a thread that does not exist yet with an empty Events message.
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/enums.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "kring/thread_page.h"

namespace {

// The fixture tests sync, not the community rules: their gates are lifted.
kring::Policy syncPolicy() {
  kring::Policy policy;
  policy.privilegeVoteUp = 0;
  policy.privilegeVoteDown = 0;
  policy.privilegeComment = 0;
  policy.duplicateWindowHours = 0;
  policy.newMemberUntilTrustLevel = 0;
  policy.threadCreateMinTrustLevel = 0;  // the fixture checks no thread tickets
  policy.spamHoldScore = 1'000'000;
  return policy;
}

using namespace kring;

Bytes readFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

bool writeFile(const char* path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::optional<Actor> actorOf(const std::string& token) {
  auto first = token.find('|');
  auto second = first == std::string::npos ? first : token.find('|', first + 1);
  if (second == std::string::npos || first == 0) return std::nullopt;
  const std::string role = token.substr(second + 1);
  static constexpr const char* kRoles[] = {"member", "moderator", "staff", "admin"};
  for (int i = 0; i < 4; ++i) {
    if (role == kRoles[i])
      return Actor{token.substr(0, first), token.substr(first + 1, second - first - 1), static_cast<Role>(i)};
  }
  return std::nullopt;
}

class Fixture {
 public:
  Bytes out;

  void receive(ByteView frame) {
    Result<ClientMessage> message = decodeClientMessage(frame);
    if (!message) return send(error(ProtocolError::malformedFrame, message.error().message));
    std::visit([this](auto& body) { handle(body); }, message.value());
  }

  const Engine& engine() const { return engine_; }

 private:
  void send(const ServerMessage& message) { appendFrame(out, encodeServerMessage(message)); }
  // Codes from the schema, as kring-server's.
  static ErrorMessage error(ProtocolError code, std::string message) {
    return ErrorMessage{std::string(enumName(code)), std::move(message)};
  }

  void handle(const RenderRequest&) {}  // the tests of this fixture ask for no rendering
  void handle(const Hello& hello) {
    if (hello.protocolVersion != kProtocolVersion)
      return send(error(ProtocolError::unsupportedProtocol, "Protocol " + std::to_string(kProtocolVersion) + " only."));
    std::optional<Actor> actor = actorOf(hello.token);
    if (!actor) return send(error(ProtocolError::badToken, "The token is not id|name|role."));
    actor_ = *actor;
    send(welcome(0));
  }

  Welcome welcome(TimeMs tokenExpiresAt) const {
    MemberRecord member = engine_.member(actor_->memberId).value_or(MemberRecord{});
    member.id = actor_->memberId;
    member.displayName = actor_->displayName;
    member.role = actor_->role;
    Welcome out;
    out.member = std::move(member);
    out.policy = engine_.policy();
    out.tokenExpiresAt = tokenExpiresAt;
    return out;
  }

  // Pages of two posts, so a short thread pages as a long one would.
  void handle(const LoadPage& request) { sendPage(request, false); }
  void sendPage(const LoadPage& request, bool first) {
    Result<EncodedPage> page = encodeThreadPage(engine_, request, first, viewer(), PageSize{2, 2, 1});
    if (!page) return send(error(ProtocolError::badPageRequest, page.error().message));
    for (ThreadSnapshotPart& part : splitSnapshot(request.threadKey, page.value().bytes, 512)) send(std::move(part));
  }

  void handle(const Subscribe& subscribe) {
    if (subscribe.paged && engine_.hasThread(subscribe.threadKey)) {
      sendPage(LoadPage{subscribe.threadKey, subscribe.order, {}, {}}, true);
      return;
    }
    Result<Bytes> snapshot = encodeThreadSnapshot(engine_, subscribe.threadKey, viewer());
    if (!snapshot) return send(EventsMessage{subscribe.threadKey, engine_.lastSequence(), {}});
    // Small parts, so the wasm client joins several as it would a long thread's.
    for (ThreadSnapshotPart& part : splitSnapshot(subscribe.threadKey, snapshot.value(), 512)) send(std::move(part));
  }

  void handle(Submit& submit) {
    if (!actor_) return send(error(ProtocolError::helloFirst, "Say hello first."));
    Op& op = submit.op;
    op.actor = *actor_;
    op.sequence = engine_.lastSequence() + 1;
    std::string key = engine_.threadKeyOf(op).value_or(std::string());
    Outcome outcome = engine_.apply(op);
    if (!outcome.stored()) return send(RejectedMessage{op.id, outcome.code, outcome.message});
    send(EventsMessage{key, op.sequence, std::move(outcome.events)});
  }

  void handle(const Ping& ping) { send(Pong{ping.nonce}); }

  // As kring-server: a fresh token for the same member is welcomed again, anything else closes.
  void handle(const RefreshToken& refresh) {
    std::optional<Actor> actor = actorOf(refresh.token);
    if (!actor_ || !actor || actor->memberId != actor_->memberId) {
      return send(error(ProtocolError::badToken, "A refresh is for the member already signed in."));
    }
    actor_ = *actor;
    send(welcome(1'700'000'600'000));
  }

  Engine engine_{"acme", syncPolicy()};
  std::optional<Actor> actor_;
  // Everything, as the fixture always sent, plus the member's own follows.
  Viewer viewer() const { return Viewer{actor_ ? actor_->memberId : std::string(), ViewerClass::moderator}; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: kring_sync_fixture <client frames in> <server frames out> <site snapshot out>\n";
    return 2;
  }
  Bytes input = readFile(argv[1]);
  Result<std::vector<ByteView>> frames = splitFrames(input);
  if (!frames) {
    std::cerr << "bad input: " << frames.error().message << "\n";
    return 1;
  }
  Fixture fixture;
  for (ByteView frame : frames.value()) fixture.receive(frame);
  if (!writeFile(argv[2], fixture.out) || !writeFile(argv[3], encodeSiteSnapshot(fixture.engine()))) {
    std::cerr << "cannot write the output\n";
    return 1;
  }
  return 0;
}
