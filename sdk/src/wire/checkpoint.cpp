#include "kring/checkpoint.h"

#include <capnp/serialize-packed.h>
#include <kj/io.h>

#include <type_traits>

#include "state/engine_access.h"
#include "wire/site_records.h"
#include "wire/wire.h"

namespace kring {

using namespace wire_convert;

namespace {

constexpr std::size_t kMaxPartBytes = std::size_t{1} << 31;

Error brokenCheckpoint(const std::string& what) {
  return Error{ReasonCode::malformedSnapshot, "The checkpoint " + what + "."};
}

// Parts are packed (Cap'n Proto's zero-word compression): a post's part shrinks by about a third,
// and a store holds a million of them.
Bytes toPackedBytes(capnp::MessageBuilder& message) {
  kj::VectorOutputStream output(512);
  capnp::writePackedMessage(output, message);
  auto array = output.getArray();
  return Bytes(array.begin(), array.end());
}

template <typename Fn>
auto readPackedPart(ByteView bytes, Fn&& read) -> decltype(read(std::declval<capnp::MessageReader&>())) {
  if (bytes.empty() || bytes.size() > kMaxPartBytes) return brokenCheckpoint("has an empty or oversized part");
  try {
    kj::ArrayInputStream input(kj::ArrayPtr<const kj::byte>(bytes.data(), bytes.size()));
    capnp::ReaderOptions options;
    options.traversalLimitInWords = kMaxPartBytes / sizeof(capnp::word);
    options.nestingLimit = 16;
    capnp::PackedMessageReader reader(input, options);
    return read(reader);
  } catch (const kj::Exception&) {
    return brokenCheckpoint("has a part that could not be decoded");
  }
}

template <typename Root, typename Record>
Bytes encodePart(const Record& record) {
  capnp::MallocMessageBuilder message(kFirstSegmentWords);
  write(message.initRoot<Root>(), record);
  return toPackedBytes(message);
}

template <typename Root, typename Record>
Result<Record> decodePart(ByteView bytes) {
  return readPackedPart(bytes, [](capnp::MessageReader& reader) -> Result<Record> {
    Record record;
    if (!read(reader.getRoot<Root>(), record)) {
      return brokenCheckpoint("has a value its schema does not define");
    }
    return record;
  });
}

template <typename Root, typename Record>
void encodeAll(PartKind kind, const std::vector<std::pair<std::uint32_t, Record>>& records,
               std::vector<CheckpointPart>& parts) {
  for (const auto& [index, record] : records) parts.push_back(CheckpointPart{kind, index, encodePart<Root>(record)});
}

}  // namespace

ChangedRecords takeChangedRecords(Engine& engine) {
  SiteState& state = EngineAccess::state(engine);
  const SiteState& view = state;  // reading through a const view marks nothing
  ChangedRecords changed;
  changed.siteId = view.siteId;
  changed.lastSequence = view.lastSequence;
  changed.policy = view.policy;
  changed.days = view.days;
  changed.alertsCheckedAt = view.alertsCheckedAt;
  changed.digestSentAt = view.digestSentAt;
  changed.counts[static_cast<int>(PartKind::member)] = static_cast<std::uint32_t>(view.members.size());
  changed.counts[static_cast<int>(PartKind::thread)] = static_cast<std::uint32_t>(view.threads.size());
  changed.counts[static_cast<int>(PartKind::post)] = static_cast<std::uint32_t>(view.posts.size());
  changed.counts[static_cast<int>(PartKind::audit)] = static_cast<std::uint32_t>(view.audit.size());
  if (state.spamModelTaken != view.spamModel.trainings()) {
    state.spamModelTaken = view.spamModel.trainings();
    SpamModelRecords spam{view.spamModel.spamDecisions, view.spamModel.hamDecisions, {}};
    for (auto& [token, counts] : view.spamModel.sortedTokens()) spam.tokens.push_back({token, counts.spam, counts.ham});
    changed.spamModel = std::move(spam);
  }
  for (std::uint32_t index : state.members.takeChanged()) {
    changed.members.emplace_back(index, view.memberRecord(index, SiteState::Detail::site));
  }
  for (std::uint32_t index : state.threads.takeChanged()) {
    changed.threads.emplace_back(index, view.threadRecord(index, SiteState::Detail::site));
  }
  for (std::uint32_t index : state.posts.takeChanged()) {
    changed.posts.emplace_back(index, view.postRecord(index, SiteState::Detail::site));
  }
  for (std::uint32_t index : state.audit.takeChanged()) changed.audit.emplace_back(index, view.audit[index]);
  return changed;
}

std::size_t EncodedCheckpoint::bytes() const {
  std::size_t total = site.size() + (spamModel ? spamModel->size() : 0);
  for (const CheckpointPart& part : parts) total += part.bytes.size();
  return total;
}

EncodedCheckpoint encodeCheckpoint(const ChangedRecords& records) {
  EncodedCheckpoint encoded;
  encoded.lastSequence = records.lastSequence;
  {
    capnp::MallocMessageBuilder message(kFirstSegmentWords);
    auto site = message.initRoot<wire::SiteCheckpoint>();
    site.setFormatVersion(wire::SNAPSHOT_FORMAT_VERSION);
    site.setSiteId(text(records.siteId));
    site.setLastSequence(records.lastSequence);
    write(site.initPolicy(), records.policy);
    auto days = site.initDays(static_cast<unsigned>(records.days.size()));
    for (unsigned i = 0; i < days.size(); ++i) {
      days[i].setDay(records.days[i].day);
      days[i].setThreadsCreated(records.days[i].threadsCreated);
      days[i].setPostsCreated(records.days[i].postsCreated);
    }
    site.setMemberCount(records.counts[static_cast<int>(PartKind::member)]);
    site.setThreadCount(records.counts[static_cast<int>(PartKind::thread)]);
    site.setPostCount(records.counts[static_cast<int>(PartKind::post)]);
    site.setAuditCount(records.counts[static_cast<int>(PartKind::audit)]);
    site.setAlertsCheckedAt(records.alertsCheckedAt);
    site.setDigestSentAt(records.digestSentAt);
    site.setFollowsRecorded(records.followsRecorded);
    encoded.site = toPackedBytes(message);
  }
  if (records.spamModel) {
    capnp::MallocMessageBuilder message;
    auto spam = message.initRoot<wire::SpamModelPart>();
    spam.setSpamDecisions(records.spamModel->spamDecisions);
    spam.setHamDecisions(records.spamModel->hamDecisions);
    auto tokens = spam.initSpamTokens(static_cast<unsigned>(records.spamModel->tokens.size()));
    for (unsigned i = 0; i < tokens.size(); ++i) {
      tokens[i].setToken(text(records.spamModel->tokens[i].token));
      tokens[i].setSpam(records.spamModel->tokens[i].spam);
      tokens[i].setHam(records.spamModel->tokens[i].ham);
    }
    encoded.spamModel = toPackedBytes(message);
  }
  encoded.parts.reserve(records.parts());
  encodeAll<wire::MemberRecord>(PartKind::member, records.members, encoded.parts);
  encodeAll<wire::ThreadRecord>(PartKind::thread, records.threads, encoded.parts);
  encodeAll<wire::PostRecord>(PartKind::post, records.posts, encoded.parts);
  encodeAll<wire::AuditRecord>(PartKind::audit, records.audit, encoded.parts);
  return encoded;
}

EncodedCheckpoint takeEncodedCheckpoint(Engine& engine) {
  SiteState& state = EngineAccess::state(engine);
  const SiteState& view = state;
  // The posts are most of a site: each is read and encoded in turn, never all held as records.
  const std::vector<std::uint32_t> posts = state.posts.takeChanged();
  ChangedRecords rest = takeChangedRecords(engine);
  std::vector<std::pair<std::uint32_t, AuditRecord>> audit = std::move(rest.audit);
  rest.audit.clear();
  EncodedCheckpoint encoded = encodeCheckpoint(rest);
  encoded.parts.reserve(encoded.parts.size() + posts.size() + audit.size());
  for (std::uint32_t index : posts) {
    encoded.parts.push_back(CheckpointPart{
        PartKind::post, index, encodePart<wire::PostRecord>(view.postRecord(index, SiteState::Detail::site))});
  }
  encodeAll<wire::AuditRecord>(PartKind::audit, audit, encoded.parts);
  return encoded;
}

struct CheckpointLoader::Builder {
  Builder(std::string siteId, Sequence lastSequence, const Limits& limits)
      : state(std::move(siteId), lastSequence, limits) {}
  StateBuilder state;
  Sequence lastSequence = 0;
  std::uint32_t counts[kPartKinds] = {};
  std::uint8_t kind = 0;   // the kind being read
  std::uint32_t next = 0;  // the index it expects next
  bool spamModel = false;
  bool followsRecorded = true;
};

CheckpointLoader::CheckpointLoader(std::unique_ptr<Builder> builder) : builder_(std::move(builder)) {}
CheckpointLoader::CheckpointLoader(CheckpointLoader&&) noexcept = default;
CheckpointLoader& CheckpointLoader::operator=(CheckpointLoader&&) noexcept = default;
CheckpointLoader::~CheckpointLoader() = default;

Sequence CheckpointLoader::lastSequence() const { return builder_->lastSequence; }

Result<CheckpointLoader> CheckpointLoader::begin(ByteView sitePart, Limits limits) {
  struct SitePart {
    std::string siteId;
    Sequence lastSequence = 0;
    Policy policy;
    std::vector<SiteDay> days;
    TimeMs alertsCheckedAt = 0;
    TimeMs digestSentAt = 0;
    bool followsRecorded = false;
    std::uint32_t counts[kPartKinds] = {};
  };
  Result<SitePart> read = readPackedPart(sitePart, [](capnp::MessageReader& reader) -> Result<SitePart> {
    auto in = reader.getRoot<wire::SiteCheckpoint>();
    if (in.getFormatVersion() != wire::SNAPSHOT_FORMAT_VERSION) {
      return Error{ReasonCode::unsupportedVersion, "The checkpoint is format " + std::to_string(in.getFormatVersion()) +
                                                       "; this build reads format " +
                                                       std::to_string(wire::SNAPSHOT_FORMAT_VERSION) + "."};
    }
    SitePart out;
    out.siteId = string(in.getSiteId());
    out.lastSequence = in.getLastSequence();
    if (!wire_convert::read(in.getPolicy(), out.policy))
      return brokenCheckpoint("has a policy its schema does not define");
    for (auto day : in.getDays())
      out.days.push_back(SiteDay{day.getDay(), day.getThreadsCreated(), day.getPostsCreated()});
    out.counts[static_cast<int>(PartKind::member)] = in.getMemberCount();
    out.counts[static_cast<int>(PartKind::thread)] = in.getThreadCount();
    out.counts[static_cast<int>(PartKind::post)] = in.getPostCount();
    out.counts[static_cast<int>(PartKind::audit)] = in.getAuditCount();
    out.alertsCheckedAt = in.getAlertsCheckedAt();
    out.digestSentAt = in.getDigestSentAt();
    out.followsRecorded = in.getFollowsRecorded();
    return out;
  });
  if (!read) return read.error();
  SitePart& site = read.value();
  auto builder = std::make_unique<Builder>(site.siteId, site.lastSequence, limits);
  builder->lastSequence = site.lastSequence;
  if (auto error = builder->state.setPolicy(site.policy)) return *error;
  builder->state.setDays(std::move(site.days));
  builder->state.setAlerts(site.alertsCheckedAt, site.digestSentAt);
  builder->state.setFollowsRecorded(site.followsRecorded);
  builder->followsRecorded = site.followsRecorded;
  std::copy(std::begin(site.counts), std::end(site.counts), builder->counts);
  // Counts come from the store: reserve no more than a sane site could hold.
  auto bounded = [](std::uint32_t count) { return std::min<std::uint32_t>(count, 10'000'000); };
  builder->state.reserve(bounded(site.counts[0]), bounded(site.counts[1]), bounded(site.counts[2]),
                         bounded(site.counts[3]));
  return CheckpointLoader(std::move(builder));
}

Status CheckpointLoader::setSpamModel(ByteView part) {
  Result<SpamModelRecords> read = readPackedPart(part, [](capnp::MessageReader& reader) -> Result<SpamModelRecords> {
    auto in = reader.getRoot<wire::SpamModelPart>();
    SpamModelRecords out{in.getSpamDecisions(), in.getHamDecisions(), {}};
    for (auto token : in.getSpamTokens())
      out.tokens.push_back({string(token.getToken()), token.getSpam(), token.getHam()});
    return out;
  });
  if (!read) return read.error();
  builder_->state.setSpamModel(read.value().spamDecisions, read.value().hamDecisions, read.value().tokens);
  builder_->spamModel = true;
  return okStatus();
}

Result<DecodedPart> CheckpointLoader::decode(PartKind kind, ByteView part) {
  auto decoded = [](auto record) -> Result<DecodedPart> {
    if (!record) return record.error();
    return DecodedPart(std::move(record.value()));
  };
  switch (kind) {
    case PartKind::member: return decoded(decodePart<wire::MemberRecord, MemberRecord>(part));
    case PartKind::thread: return decoded(decodePart<wire::ThreadRecord, ThreadRecord>(part));
    case PartKind::post: return decoded(decodePart<wire::PostRecord, PostRecord>(part));
    case PartKind::audit: return decoded(decodePart<wire::AuditRecord, AuditRecord>(part));
  }
  return brokenCheckpoint("has a part of no known kind");
}

Status CheckpointLoader::add(PartKind kind, std::uint32_t index, ByteView part) {
  Result<DecodedPart> decoded = decode(kind, part);
  if (!decoded) return decoded.error();
  return add(index, std::move(decoded.value()));
}

Status CheckpointLoader::add(std::uint32_t index, DecodedPart part) {
  Builder& b = *builder_;
  auto wanted = static_cast<std::uint8_t>(part.index());
  if (wanted < b.kind) return brokenCheckpoint("has its parts out of order");
  // Moving on to a later kind: every part of the kinds before it must be in.
  while (b.kind < wanted) {
    if (b.next != b.counts[b.kind]) return brokenCheckpoint("is missing parts");
    ++b.kind;
    b.next = 0;
  }
  if (index != b.next || index >= b.counts[b.kind])
    return brokenCheckpoint("has a part it does not count or lacks one");
  ++b.next;
  std::optional<Error> error = std::visit(
      [&b](auto& record) -> std::optional<Error> {
        using Record = std::decay_t<decltype(record)>;
        if constexpr (std::is_same_v<Record, MemberRecord>) return b.state.addMember(record);
        if constexpr (std::is_same_v<Record, ThreadRecord>) return b.state.addThread(record);
        if constexpr (std::is_same_v<Record, PostRecord>) return b.state.addPost(record);
        if constexpr (std::is_same_v<Record, AuditRecord>) return b.state.addAudit(record);
      },
      part);
  if (error) return *error;
  return okStatus();
}

Result<Engine> CheckpointLoader::finish() {
  Builder& b = *builder_;
  for (; b.kind < kPartKinds; ++b.kind, b.next = 0) {
    if (b.next != b.counts[b.kind]) return brokenCheckpoint("is missing parts");
  }
  if (!b.spamModel) return brokenCheckpoint("has no spam model");
  auto state = b.state.finish();
  if (!state) return state.error();
  SiteState& built = *state.value();
  // The engine is exactly the stored checkpoint: nothing changed since.
  built.members.unmarkAll();
  // Follows derived from authorship (a store older than them) are not in its thread parts yet.
  if (b.followsRecorded) built.threads.unmarkAll();
  built.posts.unmarkAll();
  built.audit.unmarkAll();
  built.spamModelTaken = built.spamModel.trainings();
  return EngineAccess::make(std::move(state.value()));
}

}  // namespace kring
