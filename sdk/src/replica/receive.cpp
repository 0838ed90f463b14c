// A client receiving one ServerMessage: the replica takes snapshots and events; the host gets a
// short JSON description of what arrived (kring_receive in the C API).
#include <algorithm>
#include <set>
#include <string_view>

#include "json/json_writer.h"
#include "kring/names.h"
#include "kring/policy.h"
#include "kring/replica.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "wire/wire.h"

namespace kring {

using namespace wire_convert;

namespace {

std::string invalid(const std::string& message) {
  JsonWriter json;
  json.open('{').key("type").value("invalid").key("message").value(message).close('}');
  return json.take();
}

struct Describe {
  Engine& replica;
  SnapshotAssembler& parts;

  std::string operator()(const Welcome& welcome) const {
    // The replica predicts with the site's rules and knows its own member's standing.
    std::vector<Event> site{Event{"welcome", 0, 0, MemberChanged{welcome.member}},
                            Event{"welcome", 0, 0, PolicyChanged{welcome.policy}}};
    if (Status applied = applyEvents(replica, site); !applied) return invalid(applied.error().message);
    JsonWriter json;
    json.open('{').key("type").value("welcome");
    json.key("member").open('{');
    json.key("id").value(welcome.member.id);
    json.key("displayName").value(welcome.member.displayName);
    json.key("role").value(roleName(welcome.member.role));
    json.key("reputation").value(std::int64_t{welcome.member.reputation});
    json.key("trustLevel").value(std::int64_t{welcome.member.trustLevel});
    json.key("state").value(memberStateName(welcome.member.state));
    json.key("stateUntil").value(std::int64_t{welcome.member.stateUntil});
    json.close('}');
    // A guest keeps the credential to come back as the same guest; a signed-in client refreshes
    // its token before tokenExpiresAt (ms; 0 for a guest).
    json.key("guestCredential").value(welcome.guestCredential);
    json.key("tokenExpiresAt").value(std::int64_t{welcome.tokenExpiresAt});
    json.key("readOnly").flag(welcome.readOnly);
    json.key("needsTicketToStart").flag(welcome.needsTicketToStart);
    json.key("preferencesUrl").value(welcome.preferencesUrl);
    json.close('}');
    return json.take();
  }

  std::string operator()(ThreadSnapshotPart& part) const {
    std::string threadKey = part.threadKey;
    std::uint64_t received = part.offset + part.bytes.size(), total = part.totalBytes;
    Result<std::optional<Bytes>> whole = parts.add(std::move(part));
    if (!whole) return invalid(whole.error().message);
    JsonWriter json;
    if (!whole.value()) {
      json.open('{').key("type").value("snapshot_part").key("threadKey").value(threadKey);
      json.key("receivedBytes").number(received).key("totalBytes").number(total).close('}');
      return json.take();
    }
    const Bytes& snapshot = *whole.value();
    Status loaded = loadThreadSnapshot(replica, snapshot);
    if (!loaded) return invalid(loaded.error().message);
    // It decoded once, so it decodes again: the sequence for the host, and whether a page continues.
    struct Facts {
      Sequence lastSequence = 0;
      bool continues = false;
    };
    Result<Facts> facts = readMessage(snapshot, ReasonCode::malformedSnapshot, snapshot.size(),
                                      [](capnp::MessageReader& reader) -> Result<Facts> {
                                        auto in = reader.getRoot<wire::ThreadSnapshot>();
                                        return Facts{in.getLastSequence(), in.getPage().getContinues()};
                                      });
    json.open('{').key("type").value("snapshot");
    json.key("threadKey").value(threadKey);
    json.key("lastSequence").number(facts ? facts.value().lastSequence : 0);
    json.key("continues").flag(facts && facts.value().continues);
    json.close('}');
    return json.take();
  }

  std::string operator()(const EventsMessage& message) const {
    Status applied = applyEvents(replica, message);
    if (!applied) return invalid(applied.error().message);
    Sequence last = message.fromSequence;
    JsonWriter json;
    json.open('{').key("type").value("events");
    json.key("threadKey").value(message.threadKey);
    json.key("fromSequence").number(message.fromSequence);
    for (const Event& event : message.events) last = std::max(last, event.sequence);
    json.key("lastSequence").number(last);
    json.key("opIds").open('[');
    std::set<std::string_view> seen;
    for (const Event& event : message.events) {
      if (!event.opId.empty() && seen.insert(event.opId).second) json.value(event.opId);
    }
    if (!message.acknowledges.empty() && seen.insert(message.acknowledges).second) json.value(message.acknowledges);
    json.close(']');
    if (!message.rendered.empty()) {
      json.key("rendered").open('[');
      for (const RenderedBody& body : message.rendered) {
        json.open('{').key("postId").value(body.postId).key("editedAt").value(std::int64_t{body.editedAt});
        json.key("html").value(body.html).close('}');
      }
      json.close(']');
    }
    json.close('}');
    return json.take();
  }

  std::string operator()(const RejectedMessage& message) const {
    JsonWriter json;
    json.open('{').key("type").value("rejected");
    json.key("opId").value(message.opId);
    json.key("code").value(reasonName(message.code));
    json.key("message").value(message.message);
    json.close('}');
    return json.take();
  }

  std::string operator()(const ErrorMessage& message) const {
    JsonWriter json;
    json.open('{').key("type").value("error");
    json.key("code").value(message.code);
    json.key("message").value(message.message);
    json.close('}');
    return json.take();
  }

  std::string operator()(const Pong& pong) const {
    JsonWriter json;
    json.open('{').key("type").value("pong").key("nonce").number(pong.nonce).close('}');
    return json.take();
  }
};

}  // namespace

std::string receiveServerMessage(Engine& replica, SnapshotAssembler& parts, ByteView message) {
  Result<ServerMessage> decoded = decodeServerMessage(message);
  if (!decoded) return invalid(decoded.error().message);
  return std::visit(Describe{replica, parts}, decoded.value());
}

}  // namespace kring
