#include "kring/kring.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "kring/codec.h"
#include "kring/metrics.h"
#include "kring/engine.h"
#include "kring/replica.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "kring/visibility.h"

struct kring_engine {
  explicit kring_engine(kring::Engine engine) : engine(std::move(engine)) {}
  kring::Engine engine;
  kring::SnapshotAssembler snapshotParts;  // a thread snapshot's parts until its last arrives
  kring::Actor actor;  // the local member (kring_set_actor), for kring_make_op
  kring::Bytes output;
  std::string text;
  std::string error;
};

namespace {

const std::uint8_t* hand(kring_engine* handle, kring::Bytes bytes, size_t* out_size) {
  handle->output = std::move(bytes);
  *out_size = handle->output.size();
  return handle->output.data();
}

const char* handText(kring_engine* handle, std::string text, size_t* out_size) {
  handle->text = std::move(text);
  *out_size = handle->text.size();
  return handle->text.data();
}

kring::ByteView view(const uint8_t* data, size_t size) { return kring::ByteView(data, data ? size : 0); }

std::string string(const char* data, size_t size) { return data ? std::string(data, size) : std::string(); }

const uint8_t* refuse(kring_engine* handle, std::string message, size_t* out_size) {
  handle->error = std::move(message);
  *out_size = 0;
  return nullptr;
}

const uint8_t* handMessage(kring_engine* handle, const kring::ClientMessage& message, size_t* out_size) {
  handle->error.clear();
  return hand(handle, kring::encodeClientMessage(message), out_size);
}

std::optional<std::int64_t> decimal(const std::string& text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// KRING_OP_MODERATE: the target goes where the action looks for it, the argument where it needs one.
std::optional<kring::OpBody> moderation(int number, std::string target, const std::string& argument, std::string reason) {
  if (number < 0 || number > static_cast<int>(kring::ModerationAction::editTitle)) return std::nullopt;
  kring::Moderate moderate;
  moderate.action = static_cast<kring::ModerationAction>(number);
  moderate.reason = std::move(reason);
  std::optional<std::int64_t> value = argument.empty() ? std::optional<std::int64_t>(0) : decimal(argument);
  switch (moderate.action) {
    case kring::ModerationAction::reject:
      if (!argument.empty() && argument != "spam") return std::nullopt;
      moderate.asSpam = argument == "spam";
      break;
    case kring::ModerationAction::suspend:
      if (!value) return std::nullopt;
      moderate.until = *value;
      break;
    case kring::ModerationAction::setRole:
      if (!value || *value < 0 || *value > static_cast<int>(kring::Role::admin)) return std::nullopt;
      moderate.role = static_cast<kring::Role>(*value);
      break;
    case kring::ModerationAction::setTrustLevel:
      if (!value || *value < 0 || *value > 255) return std::nullopt;
      moderate.trustLevel = static_cast<std::uint8_t>(*value);
      break;
    case kring::ModerationAction::editTitle: moderate.title = argument; break;
    default:
      if (!argument.empty()) return std::nullopt;
  }
  if (kring::targetsThread(moderate.action)) {
    moderate.threadKey = std::move(target);
  } else if (kring::targetsMember(moderate.action)) {
    moderate.memberId = std::move(target);
  } else {
    moderate.postId = std::move(target);
  }
  return moderate;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// A reading batch: threads entered one per line (a), seconds reading in decimal (b), threads entered
// earlier whose posts were seen since one per line (c), posts seen (number).
std::optional<kring::OpBody> reading(const std::string& keys, const std::string& seconds, const std::string& readKeys,
                                     int postsSeen) {
  kring::RecordReading body;
  if (postsSeen < 0) return std::nullopt;
  body.postsSeen = static_cast<std::uint32_t>(postsSeen);
  if (seconds.empty() || seconds.size() > 9 ||
      !std::all_of(seconds.begin(), seconds.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  body.secondsReading = static_cast<std::uint32_t>(std::stoul(seconds));
  body.threadKeys = lines(keys);
  body.readThreadKeys = lines(readKeys);
  return body;
}

// The op body of a kring_make_op call, or nullopt when the kind or number is out of range.
std::optional<kring::OpBody> opBody(int kind, std::string a, std::string b, std::string c, int number) {
  switch (kind) {
    case KRING_OP_CREATE_THREAD:
      if (number < 0 || number > static_cast<int>(kring::ThreadKind::question)) return std::nullopt;
      return kring::CreateThread{std::move(a), static_cast<kring::ThreadKind>(number), std::move(b), std::move(c)};
    case KRING_OP_POST: return kring::CreatePost{std::move(a), std::move(b), std::move(c)};
    case KRING_OP_EDIT: return kring::EditPost{std::move(a), std::move(c)};
    case KRING_OP_DELETE: return kring::DeletePost{std::move(a)};
    case KRING_OP_VOTE:
      if (number < 0 || number > static_cast<int>(kring::VoteDirection::down)) return std::nullopt;
      return kring::CastVote{std::move(a), static_cast<kring::VoteDirection>(number)};
    case KRING_OP_ACCEPT: return kring::AcceptAnswer{std::move(a)};
    case KRING_OP_UNACCEPT: return kring::UnacceptAnswer{std::move(a)};
    case KRING_OP_FLAG:
      if (number < 0 || number > static_cast<int>(kring::FlagReason::other)) return std::nullopt;
      return kring::FlagPost{std::move(a), static_cast<kring::FlagReason>(number)};
    case KRING_OP_MODERATE: return moderation(number, std::move(a), b, std::move(c));
    case KRING_OP_UNDO: return kring::UndoModeration{std::move(a), std::move(c)};
    case KRING_OP_READING: return reading(a, b, c, number);
    default: return std::nullopt;
  }
}

kring::Bytes applyBytes(kring::Engine& engine, kring::ByteView bytes) {
  kring::Result<kring::Op> op = kring::decodeOp(bytes);
  if (!op) {
    kring::Outcome rejected;
    rejected.status = kring::OutcomeStatus::rejected;
    rejected.code = op.error().code;
    rejected.message = op.error().message;
    return kring::encodeOutcome(rejected);
  }
  return kring::encodeOutcome(engine.apply(op.value()));
}

}  // namespace

extern "C" {

kring_engine* kring_engine_create(const char* site_id, size_t site_id_size) {
  return std::make_unique<kring_engine>(kring::Engine(std::string(site_id, site_id_size))).release();
}

kring_engine* kring_engine_restore(const uint8_t* snapshot, size_t size, int* reason) {
  kring::Result<kring::Engine> engine = kring::restoreSiteSnapshot(view(snapshot, size));
  if (!engine) {
    if (reason) *reason = static_cast<int>(engine.error().code);
    return nullptr;
  }
  if (reason) *reason = 0;
  return std::make_unique<kring_engine>(std::move(engine.value())).release();
}

void kring_engine_destroy(kring_engine* engine) { std::unique_ptr<kring_engine> owned(engine); }

const uint8_t* kring_apply(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size) {
  return hand(engine, applyBytes(engine->engine, view(op, op_size)), out_size);
}

int64_t kring_apply_log(kring_engine* engine, const uint8_t* log, size_t size, uint32_t* accepted) {
  auto frames = kring::splitFrames(view(log, size));
  if (!frames) {
    engine->error = frames.error().message;
    return -1;
  }
  uint32_t count = 0;
  for (kring::ByteView frame : frames.value()) {
    kring::Result<kring::Op> op = kring::decodeOp(frame);
    if (!op) continue;
    kring::Outcome outcome = engine->engine.apply(op.value());
    engine->output = kring::encodeOutcome(outcome);
    if (outcome.stored()) ++count;
  }
  if (accepted) *accepted = count;
  return static_cast<int64_t>(frames.value().size());
}

const uint8_t* kring_site_snapshot(kring_engine* engine, size_t* out_size) {
  return hand(engine, kring::encodeSiteSnapshot(engine->engine), out_size);
}

const uint8_t* kring_thread_snapshot(kring_engine* engine, const char* key, size_t key_size, size_t* out_size) {
  // A replica (its member set) holds its member's projection; an engine without one holds everything.
  kring::Viewer viewer = engine->actor.memberId.empty() ? kring::fullViewer() : kring::viewerOf(engine->engine, engine->actor);
  auto bytes = kring::encodeThreadSnapshot(engine->engine, std::string_view(key, key_size), viewer);
  if (!bytes) {
    engine->error = bytes.error().message;
    *out_size = 0;
    return nullptr;
  }
  engine->error.clear();
  return hand(engine, std::move(bytes.value()), out_size);
}

int kring_load_thread_snapshot(kring_engine* engine, const uint8_t* snapshot, size_t size) {
  kring::Status status = kring::loadThreadSnapshot(engine->engine, view(snapshot, size));
  engine->error = status ? std::string() : status.error().message;
  return status ? 0 : static_cast<int>(status.error().code);
}

const char* kring_thread_view(kring_engine* engine, const char* key, size_t key_size, int sort_order,
                              const char* viewer, size_t viewer_size, size_t* out_size) {
  auto order = static_cast<kring::SortOrder>(sort_order);
  if (sort_order < KRING_SORT_TOP || sort_order > KRING_SORT_OLDEST) order = kring::SortOrder::top;
  auto thread = engine->engine.threadView(std::string_view(key, key_size), order,
                                          std::string_view(viewer ? viewer : "", viewer ? viewer_size : 0));
  if (!thread) {
    engine->error = "There is no thread with this key.";
    *out_size = 0;
    return nullptr;
  }
  engine->error.clear();
  return handText(engine, kring::toJson(*thread), out_size);
}

const char* kring_metrics_json(kring_engine* engine, int64_t from_ms, int64_t to_ms, int thread_kind,
                               size_t* out_size) {
  if (from_ms >= to_ms || thread_kind < -1 || thread_kind > static_cast<int>(kring::ThreadKind::question)) {
    engine->error = "The window must be non-empty and the thread kind -1, 0 or 1.";
    *out_size = 0;
    return nullptr;
  }
  kring::MetricsWindow window{from_ms, to_ms, std::nullopt};
  if (thread_kind >= 0) window.kind = static_cast<kring::ThreadKind>(thread_kind);
  engine->error.clear();
  return handText(engine, kring::toJson(kring::computeMetrics(engine->engine, window)), out_size);
}

const char* kring_outcome_json(kring_engine* engine, const uint8_t* outcome, size_t size, size_t* out_size) {
  kring::Result<kring::Outcome> decoded = kring::decodeOutcome(view(outcome, size));
  if (!decoded) {
    engine->error = decoded.error().message;
    *out_size = 0;
    return nullptr;
  }
  engine->error.clear();
  return handText(engine, kring::toJson(decoded.value()), out_size);
}

int kring_set_actor(kring_engine* engine, const char* member_id, size_t member_id_size, const char* display_name,
                    size_t display_name_size, int role) {
  std::string id = string(member_id, member_id_size);
  if (id.empty() || role < KRING_ROLE_MEMBER || role > KRING_ROLE_ADMIN) {
    engine->error = "An actor needs a member id and a role from 0 (member) to 3 (admin).";
    return static_cast<int>(kring::ReasonCode::invalidMember);
  }
  engine->actor = kring::Actor{std::move(id), string(display_name, display_name_size), static_cast<kring::Role>(role)};
  engine->error.clear();
  return 0;
}

const uint8_t* kring_make_op(kring_engine* engine, int kind, const char* op_id, size_t op_id_size, const char* a,
                             size_t a_size, const char* b, size_t b_size, const char* c, size_t c_size, int number,
                             int64_t time_ms, size_t* out_size) {
  auto body = opBody(kind, string(a, a_size), string(b, b_size), string(c, c_size), number);
  if (!body) return refuse(engine, "Unknown op kind, or its number is out of range.", out_size);
  if (time_ms < 0) return refuse(engine, "An op's time cannot be negative.", out_size);
  kring::Op op;
  op.id = string(op_id, op_id_size);
  op.actor = engine->actor;
  op.time = time_ms;
  op.body = std::move(*body);
  engine->error.clear();
  return hand(engine, kring::encodeOp(op), out_size);
}

const uint8_t* kring_encode_hello(kring_engine* engine, const char* site_id, size_t site_id_size, const char* token,
                                  size_t token_size, const char* client_id, size_t client_id_size,
                                  const char* guest_credential, size_t guest_credential_size, size_t* out_size) {
  kring::Hello hello;
  hello.siteId = string(site_id, site_id_size);
  hello.token = string(token, token_size);
  hello.clientId = string(client_id, client_id_size);
  hello.guestCredential = string(guest_credential, guest_credential_size);
  return handMessage(engine, hello, out_size);
}

const uint8_t* kring_encode_refresh_token(kring_engine* engine, const char* token, size_t token_size, size_t* out_size) {
  return handMessage(engine, kring::RefreshToken{string(token, token_size)}, out_size);
}

const uint8_t* kring_encode_subscribe(kring_engine* engine, const char* key, size_t key_size, uint64_t last_sequence,
                                      size_t* out_size) {
  return handMessage(engine, kring::Subscribe{string(key, key_size), last_sequence}, out_size);
}

const uint8_t* kring_encode_submit(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size) {
  kring::Result<kring::Op> decoded = kring::decodeOp(view(op, op_size));  // before `op` (maybe our output) is replaced
  if (!decoded) return refuse(engine, decoded.error().message, out_size);
  return handMessage(engine, kring::Submit{std::move(decoded.value())}, out_size);
}

const uint8_t* kring_encode_ping(kring_engine* engine, uint64_t nonce, size_t* out_size) {
  return handMessage(engine, kring::Ping{nonce}, out_size);
}

const char* kring_receive(kring_engine* engine, const uint8_t* message, size_t size, size_t* out_size) {
  std::string json = kring::receiveServerMessage(engine->engine, engine->snapshotParts, view(message, size));
  engine->error.clear();
  return handText(engine, std::move(json), out_size);
}

uint64_t kring_last_sequence(const kring_engine* engine) { return engine->engine.lastSequence(); }

uint64_t kring_thread_last_sequence(const kring_engine* engine, const char* key, size_t key_size) {
  return kring::threadLastSequence(engine->engine, std::string_view(key == nullptr ? "" : key, key == nullptr ? 0 : key_size));
}

const char* kring_last_error(const kring_engine* engine) { return engine->error.c_str(); }

const char* kring_enum_tables(size_t* out_size) {
  *out_size = kring::kEnumTablesJson.size();
  return kring::kEnumTablesJson.data();
}

}  // extern "C"
