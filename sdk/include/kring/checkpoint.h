// Checkpoints: a site's state stored in parts (the site's own part, the spam model, and one part per
// member, thread, post and audit entry, kept by index), so a store rewrites only the parts changed
// since its last checkpoint. The engine remembers what changed; the host takes it, has it encoded
// away from its io thread, and writes the parts and the site part in one transaction.
//
// Restoring a checkpoint gives exactly the site a site snapshot of the same moment restores
// (snapshot.h): the same state, the same rules' memory, byte for byte.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "kring/engine.h"
#include "kring/policy.h"
#include "kring/reason.h"
#include "kring/records.h"

namespace kring {

// The tables of parts; the order is the order a restore reads them in.
enum class PartKind : std::uint8_t { member = 0, thread = 1, post = 2, audit = 3 };
constexpr std::uint8_t kPartKinds = 4;

struct SpamModelRecords {
  std::uint32_t spamDecisions = 0;
  std::uint32_t hamDecisions = 0;
  std::vector<TokenCountRecord> tokens;  // sorted by token
};

// What changed since the previous take, as plain records: the engine's thread takes it (its cost
// follows what changed, not the site), any thread encodes it.
struct ChangedRecords {
  std::string siteId;
  Sequence lastSequence = 0;
  Policy policy;
  std::vector<SiteDay> days;
  TimeMs alertsCheckedAt = 0;
  TimeMs digestSentAt = 0;
  bool followsRecorded = true;                // the thread parts carry their follows (false: a store older than them)
  std::uint32_t counts[kPartKinds] = {};      // parts of each kind the site holds now
  std::optional<SpamModelRecords> spamModel;  // when it learned since
  std::vector<std::pair<std::uint32_t, MemberRecord>> members;  // by index, ascending
  std::vector<std::pair<std::uint32_t, ThreadRecord>> threads;
  std::vector<std::pair<std::uint32_t, PostRecord>> posts;
  std::vector<std::pair<std::uint32_t, AuditRecord>> audit;
  std::size_t parts() const { return members.size() + threads.size() + posts.size() + audit.size(); }
};

// Takes what changed since the last take and forgets it. A new engine, or one restored from a site
// snapshot, has everything changed: its first take is the whole site.
ChangedRecords takeChangedRecords(Engine& engine);

struct CheckpointPart {
  PartKind kind = PartKind::member;
  std::uint32_t index = 0;
  Bytes bytes;
};

struct EncodedCheckpoint {
  Sequence lastSequence = 0;
  Bytes site;  // always written: it names the sequence and the parts' counts
  std::optional<Bytes> spamModel;
  std::vector<CheckpointPart> parts;
  std::size_t bytes() const;
};

EncodedCheckpoint encodeCheckpoint(const ChangedRecords& records);
// The two at once on the calling thread, each post encoded as it is read (the same bytes): the site's
// records are never all held beside their encoding. For a whole site written at once (an import).
EncodedCheckpoint takeEncodedCheckpoint(Engine& engine);

// A part decoded: the alternative's index is its PartKind.
using DecodedPart = std::variant<MemberRecord, ThreadRecord, PostRecord, AuditRecord>;

// Rebuilds a site from its stored parts: begin with the site part, then add every part of each kind
// (PartKind order) in index order, then finish. Each step refuses a part that is malformed, out of
// order, or breaks the site's invariants; a refused checkpoint is refused whole. The engine it
// finishes with has nothing changed: its next take holds only what is applied after.
class CheckpointLoader {
 public:
  static Result<CheckpointLoader> begin(ByteView sitePart, Limits limits = {});
  CheckpointLoader(CheckpointLoader&&) noexcept;
  CheckpointLoader& operator=(CheckpointLoader&&) noexcept;
  ~CheckpointLoader();

  Sequence lastSequence() const;
  Status setSpamModel(ByteView part);
  Status add(PartKind kind, std::uint32_t index, ByteView part);
  // The same in two steps: decoding needs no loader (a host may decode on another thread while
  // this one adds), adding takes the decoded parts in the order add() takes them.
  static Result<DecodedPart> decode(PartKind kind, ByteView part);
  Status add(std::uint32_t index, DecodedPart part);
  Result<Engine> finish();

 private:
  struct Builder;
  explicit CheckpointLoader(std::unique_ptr<Builder> builder);
  std::unique_ptr<Builder> builder_;
};

}  // namespace kring
