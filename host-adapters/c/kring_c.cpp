#include "kring/kring.h"

#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/metrics.h"
#include "kring/notifications.h"
#include "kring/replica.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "kring/thread_page.h"
#include "kring/visibility.h"
#ifdef KRING_C_POLICY_JSON
#include "kring/policy_json.h"
#endif

// KRING_C_TRUSTED_CALLER: the widget's build, called only by wasm/kring-core-api.mjs, which never
// passes NULL, sets the actor first, reads kring_last_error only after a failure and runs inside one
// promise that handles wasm exceptions. Its bytes are budgeted (150 KB gzip), so what guards against a
// C caller's mistakes goes: NULL and order checks, the exception guard, the status and its clearing.
#ifdef KRING_C_TRUSTED_CALLER
constexpr bool kChecked = false;
#else
constexpr bool kChecked = true;
#endif

struct kring_engine {
  explicit kring_engine(kring::Engine engine) : engine(std::move(engine)) {}
  kring::Engine engine;
  kring::SnapshotAssembler snapshotParts;  // a thread snapshot's parts until its last arrives
  kring::Actor actor;                      // the local member (kring_set_actor), who signs the ops made here
  kring::Bytes output;
  std::string text;
  kring_status status = KRING_OK;  // of the last call
  std::string error;               // its message; empty after a success
};

namespace {

static_assert(sizeof(kring_status) == sizeof(std::int32_t));
constexpr kring_status kNullEngine = KRING_ERROR_NULL_ENGINE;  // what a status call on NULL returns

// The trusted build keeps only the message: kring-core-api.mjs reads kring_last_error after a failure.
kring_status fail(kring_engine& handle, kring_status status, std::string message) {
  if constexpr (kChecked) handle.status = status;
  handle.error = std::move(message);
  return status;
}

// Out of line, like start(): the widget's core pays for these once, not at every call site.
[[gnu::noinline]] kring_status fail(kring_engine& handle, kring_status status, const char* message) {
  if constexpr (kChecked) handle.status = status;
  handle.error = message;
  return status;
}

[[gnu::noinline]] void start(kring_engine& handle) {
  if constexpr (kChecked) {
    handle.status = KRING_OK;
    handle.error.clear();
  }
}

kring_status fail(kring_engine& handle, const kring::Error& error) {
  return fail(handle, static_cast<kring_status>(error.code), error.message);
}

// The core threw: record it without allocating, since running out of memory may be why.
void failInternally(kring_engine& handle, const char* what) noexcept {
  handle.status = KRING_ERROR_INTERNAL;
  try {
    handle.error = std::string("The core failed: ") + what;
  } catch (...) {
    handle.error.clear();  // kring_last_error falls back to a static message
  }
}

// Every call on an engine: NULL fails at once, the error state starts cleared, and an exception
// from the core becomes KRING_ERROR_INTERNAL instead of unwinding into C.
// `call` takes the engine and `arguments`, by value: a closure over the caller's locals would keep
// them in memory, which the widget's core pays for at every entry point.
template <typename Value, typename Call, typename... Arguments>
Value guarded(kring_engine* handle, Value failed, Call call, Arguments... arguments) {
  if constexpr (kChecked) {
    if (handle == nullptr) return failed;
    start(*handle);
    try {
      return call(*handle, arguments...);
    } catch (const std::exception& exception) {
      failInternally(*handle, exception.what());
    } catch (...) {
      failInternally(*handle, "an unknown exception");
    }
    return failed;
  } else {
    start(*handle);
    return call(*handle, arguments...);
  }
}

struct Input {
  const void* data;
  size_t size;
  const char* name;
};

// A NULL buffer with a nonzero size is a caller's mistake, not an empty input. Call it as
// `kChecked && !readable(…)`, so the trusted build does not even build the list.
bool readable(kring_engine& handle, std::initializer_list<Input> inputs) {
  for (const Input& input : inputs) {
    if (input.data == nullptr && input.size != 0) {
      fail(handle, KRING_ERROR_NULL_ARGUMENT, std::string(input.name) + " is NULL with a nonzero size.");
      return false;
    }
  }
  return true;
}

const std::uint8_t* hand(kring_engine& handle, kring::Bytes bytes, size_t* out_size) {
  handle.output = std::move(bytes);
  *out_size = handle.output.size();
  return handle.output.data();
}

const char* handText(kring_engine& handle, std::string text, size_t* out_size) {
  handle.text = std::move(text);
  *out_size = handle.text.size();
  return handle.text.data();
}

// A call that returns engine-owned bytes or text: *out_size is 0 unless it succeeds.
template <typename Char, typename Call, typename... Arguments>
const Char* output(kring_engine* handle, size_t* out_size, Call call, Arguments... arguments) {
  if constexpr (kChecked) {
    if (out_size == nullptr) {
      if (handle) fail(*handle, KRING_ERROR_NULL_ARGUMENT, "out_size is NULL.");
      return nullptr;
    }
    *out_size = 0;
  }
  return guarded(handle, static_cast<const Char*>(nullptr), call, arguments..., out_size);
}

template <typename Char, typename Message>
const Char* refuse(kring_engine& handle, kring_status status, Message&& message) {
  fail(handle, status, std::forward<Message>(message));
  return nullptr;
}

kring::ByteView view(const uint8_t* data, size_t size) { return kring::ByteView(data, data ? size : 0); }

std::string string(const char* data, size_t size) { return data ? std::string(data, size) : std::string(); }

// An op signed by the engine's actor: the one place every maker ends.
const uint8_t* signedOp(kring_engine& handle, std::string id, int64_t time_ms, kring::OpBody body, size_t* out_size) {
  if (kChecked && handle.actor.memberId.empty()) {
    return refuse<uint8_t>(handle, KRING_ERROR_NO_ACTOR,
                           "No actor: call kring_set_actor (after the server's Welcome) first.");
  }
  if (time_ms < 0) return refuse<uint8_t>(handle, KRING_ERROR_OUT_OF_RANGE, "An op's time cannot be negative.");
  kring::Op op;
  op.id = std::move(id);
  op.actor = handle.actor;
  op.time = time_ms;
  op.body = std::move(body);
  return hand(handle, kring::encodeOp(op), out_size);
}

const uint8_t* handMessage(kring_engine& handle, const kring::ClientMessage& message, size_t* out_size) {
  return hand(handle, kring::encodeClientMessage(message), out_size);
}

template <typename Enum>
bool inEnum(long long value) {
  return value >= 0 && value <= static_cast<long long>(kring::EnumTable<Enum>::last);
}

// A moderator action with its target where the action looks for it.
kring::Moderate aimed(kring::ModerationAction action, std::string target, std::string reason) {
  kring::Moderate moderate;
  moderate.action = action;
  moderate.reason = std::move(reason);
  if (kring::targetsThread(action)) {
    moderate.threadKey = std::move(target);
  } else if (kring::targetsMember(action)) {
    moderate.memberId = std::move(target);
  } else {
    moderate.postId = std::move(target);
  }
  return moderate;
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

// --- The typed op makers ---

// What a typed maker's arguments give: an op body, or why not.
struct Refusal {
  kring_status status;
  std::string message;
};
using Made = std::variant<kring::OpBody, Refusal>;

struct Required {
  const char* name;
  const char* value;
};

std::string text(const char* value) { return value ? std::string(value) : std::string(); }

Refusal outOfRange(const char* what) {
  return Refusal{KRING_ERROR_OUT_OF_RANGE, std::string(what) + " is out of range."};
}

// The end of every typed maker, out of line: the widget's core holds it once, not once per maker.
[[gnu::noinline]] kring_status finish(kring_engine& engine, const char* op_id, int64_t time_ms, Made& made,
                                      const uint8_t** out, size_t* out_size) {
  if (auto* refusal = std::get_if<Refusal>(&made)) return fail(engine, refusal->status, std::move(refusal->message));
  *out = signedOp(engine, op_id, time_ms, std::move(std::get<kring::OpBody>(made)), out_size);
  return engine.status;
}

// Checks what every typed maker needs, then signs the body makeBody() gives.
template <typename MakeBody>
kring_status typedOp(kring_engine* handle, const char* op_id, std::initializer_list<Required> required, int64_t time_ms,
                     const uint8_t** out, size_t* out_size, MakeBody&& makeBody) {
  if (out) *out = nullptr;
  if (out_size) *out_size = 0;
  return guarded(handle, kNullEngine, [&](kring_engine& engine) -> kring_status {
    if constexpr (kChecked) {
      if (out == nullptr || out_size == nullptr)
        return fail(engine, KRING_ERROR_NULL_ARGUMENT, "out or out_size is NULL.");
      if (op_id == nullptr) return fail(engine, KRING_ERROR_NULL_ARGUMENT, "op_id is NULL.");
      for (const Required& argument : required) {
        if (argument.value == nullptr)
          return fail(engine, KRING_ERROR_NULL_ARGUMENT, std::string(argument.name) + " is NULL.");
      }
    }
    Made made = makeBody();
    return finish(engine, op_id, time_ms, made, out, out_size);
  });
}

// A moderator action by one of the typed makers; `argue` sets the action's argument.
template <typename Argue>
kring_status moderatorOp(kring_engine* handle, const char* op_id, kring::ModerationAction action,
                         const char* target_name, const char* target, const char* reason, int64_t time_ms,
                         const uint8_t** out, size_t* out_size, Argue&& argue) {
  return typedOp(handle, op_id, {{target_name, target}, {"reason", reason}}, time_ms, out, out_size, [&]() -> Made {
    kring::Moderate moderate = aimed(action, target, reason);
    if (std::optional<Refusal> refusal = argue(moderate)) return std::move(*refusal);
    return moderate;
  });
}

std::optional<std::vector<std::string>> keyList(const char* const* keys, size_t count) {
  if (keys == nullptr && count != 0) return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    if (keys[i] == nullptr) return std::nullopt;
    out.emplace_back(keys[i]);
  }
  return out;
}

}  // namespace

extern "C" {

#define KRING_TEXT(x) #x
#define KRING_VERSION_TEXT(major, minor, patch) KRING_TEXT(major) "." KRING_TEXT(minor) "." KRING_TEXT(patch)
const char* kring_version(void) {
  return KRING_VERSION_TEXT(KRING_VERSION_MAJOR, KRING_VERSION_MINOR, KRING_VERSION_PATCH);
}

uint32_t kring_abi_version(void) { return KRING_ABI_VERSION; }

uint32_t kring_protocol_version(void) { return kring::kProtocolVersion; }

kring_status kring_last_status(const kring_engine* engine) {
  if (kChecked && engine == nullptr) return KRING_ERROR_NULL_ENGINE;
  return engine->status;
}

const char* kring_last_error(const kring_engine* engine) {
  if (kChecked && engine == nullptr) return "The engine is NULL.";
  if (kChecked && engine->status == KRING_ERROR_INTERNAL && engine->error.empty())
    return "The core failed (out of memory?).";
  return engine->error.c_str();
}

kring_engine* kring_engine_create(const char* site_id, size_t site_id_size) {
  auto create = [&] { return std::make_unique<kring_engine>(kring::Engine(string(site_id, site_id_size))).release(); };
  if constexpr (!kChecked) return create();
  if (site_id == nullptr && site_id_size != 0) return nullptr;
  try {
    return create();
  } catch (...) {
    return nullptr;
  }
}

kring_engine* kring_engine_copy(const kring_engine* engine) {
  auto copy = [&] {
    auto handle = std::make_unique<kring_engine>(engine->engine.copy());
    handle->actor = engine->actor;
    return handle.release();
  };
  if constexpr (!kChecked) return copy();
  if (engine == nullptr) return nullptr;
  try {
    return copy();
  } catch (...) {
    return nullptr;
  }
}

kring_engine* kring_engine_restore(const uint8_t* snapshot, size_t size, kring_status* status) {
  kring_status ignored = KRING_OK;
  kring_status& result = status ? *status : ignored;
  if (kChecked && snapshot == nullptr && size != 0) {
    result = KRING_ERROR_NULL_ARGUMENT;
    return nullptr;
  }
  try {
    kring::Result<kring::Engine> engine = kring::restoreSiteSnapshot(view(snapshot, size));
    if (!engine) {
      result = static_cast<kring_status>(engine.error().code);
      return nullptr;
    }
    result = KRING_OK;
    return std::make_unique<kring_engine>(std::move(engine.value())).release();
  } catch (...) {
    result = KRING_ERROR_INTERNAL;
    return nullptr;
  }
}

void kring_engine_destroy(kring_engine* engine) { std::unique_ptr<kring_engine> owned(engine); }

const uint8_t* kring_apply(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const uint8_t* op, size_t op_size, size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{op, op_size, "op"}})) return nullptr;
        return hand(handle, applyBytes(handle.engine, view(op, op_size)), out_size);
      },
      op, op_size);
}

kring_status kring_apply_log(kring_engine* engine, const uint8_t* log, size_t size, kring_log_report* report) {
  return guarded(
      engine, kNullEngine,
      [](kring_engine& handle, const uint8_t* log, size_t size, kring_log_report* report) -> kring_status {
        kring_log_report found{0, 0, 0, UINT32_MAX};
        if (report) *report = found;
        if (kChecked && !readable(handle, {{log, size, "log"}})) return handle.status;
        auto frames = kring::splitFrames(view(log, size));
        if (!frames) return fail(handle, frames.error());
        for (kring::ByteView frame : frames.value()) {
          kring::Result<kring::Op> op = kring::decodeOp(frame);
          if (!op) {
            if (found.undecodable++ == 0) found.first_undecodable = found.frames;
          } else {
            kring::Outcome outcome = handle.engine.apply(op.value());
            handle.output = kring::encodeOutcome(outcome);  // as kring_apply would: its cost belongs to a log's
            if (outcome.stored()) ++found.accepted;
          }
          ++found.frames;
        }
        if (report) *report = found;
        return KRING_OK;
      },
      log, size, report);
}

const uint8_t* kring_site_snapshot(kring_engine* engine, size_t* out_size) {
  return output<uint8_t>(engine, out_size, [](kring_engine& handle, size_t* out_size) {
    return hand(handle, kring::encodeSiteSnapshot(handle.engine), out_size);
  });
}

const uint8_t* kring_thread_snapshot(kring_engine* engine, const char* key, size_t key_size, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* key, size_t key_size, size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{key, key_size, "key"}})) return nullptr;
        // A replica (its member set) holds its member's projection; an engine without one holds everything.
        // No clock here: a suspension holds until an op lifts it (the server projects with its own time).
        constexpr kring::TimeMs kSuspensionsHold = 0;
        kring::Viewer viewer = handle.actor.memberId.empty()
                                   ? kring::fullViewer()
                                   : kring::viewerOf(handle.engine, handle.actor, kSuspensionsHold);
        auto bytes = kring::encodeThreadSnapshot(handle.engine, std::string_view(key, key ? key_size : 0), viewer);
        if (!bytes)
          return refuse<uint8_t>(handle, static_cast<kring_status>(bytes.error().code), bytes.error().message);
        return hand(handle, std::move(bytes.value()), out_size);
      },
      key, key_size);
}

kring_status kring_load_thread_snapshot(kring_engine* engine, const uint8_t* snapshot, size_t size) {
  return guarded(
      engine, kNullEngine,
      [](kring_engine& handle, const uint8_t* snapshot, size_t size) -> kring_status {
        if (kChecked && !readable(handle, {{snapshot, size, "snapshot"}})) return handle.status;
        kring::Status status = kring::loadThreadSnapshot(handle.engine, view(snapshot, size));
        return status ? KRING_OK : fail(handle, status.error());
      },
      snapshot, size);
}

const char* kring_thread_view(kring_engine* engine, const char* key, size_t key_size, enum kring_sort_order order,
                              const char* viewer, size_t viewer_size, size_t* out_size) {
  return output<char>(
      engine, out_size,
      [](kring_engine& handle, const char* key, size_t key_size, enum kring_sort_order order, const char* viewer,
         size_t viewer_size, size_t* out_size) -> const char* {
        if (kChecked && !readable(handle, {{key, key_size, "key"}, {viewer, viewer_size, "viewer"}})) return nullptr;
        if (!inEnum<kring::SortOrder>(order))
          return refuse<char>(handle, KRING_ERROR_OUT_OF_RANGE, "The sort order is out of range.");
        auto thread =
            handle.engine.threadView(std::string_view(key, key ? key_size : 0), static_cast<kring::SortOrder>(order),
                                     std::string_view(viewer, viewer ? viewer_size : 0));
        if (!thread) return refuse<char>(handle, KRING_REASON_UNKNOWN_THREAD, "There is no thread with this key.");
        return handText(handle, kring::toJson(*thread), out_size);
      },
      key, key_size, order, viewer, viewer_size);
}

const char* kring_policy_json(kring_engine* engine, size_t* out_size) {
  return output<char>(engine, out_size, [](kring_engine& handle, size_t* out_size) -> const char* {
    return handText(handle, kring::policyToJson(handle.engine.policy()), out_size);
  });
}

const char* kring_metrics_json(kring_engine* engine, int64_t from_ms, int64_t to_ms, int thread_kind,
                               size_t* out_size) {
  return output<char>(
      engine, out_size,
      [](kring_engine& handle, int64_t from_ms, int64_t to_ms, int thread_kind, size_t* out_size) -> const char* {
        if (from_ms >= to_ms || (thread_kind != KRING_THREAD_KIND_ANY && !inEnum<kring::ThreadKind>(thread_kind))) {
          return refuse<char>(
              handle, KRING_ERROR_OUT_OF_RANGE,
              "The window must be non-empty and the thread kind KRING_THREAD_KIND_ANY or a kring_thread_kind.");
        }
        kring::MetricsWindow window{from_ms, to_ms, std::nullopt};
        if (thread_kind != KRING_THREAD_KIND_ANY) window.kind = static_cast<kring::ThreadKind>(thread_kind);
        return handText(handle, kring::toJson(kring::computeMetrics(handle.engine, window)), out_size);
      },
      from_ms, to_ms, thread_kind);
}

const char* kring_notification_intents_json(kring_engine* engine, const uint8_t* op, size_t op_size,
                                            const uint8_t* outcome, size_t outcome_size, size_t* out_size) {
  return output<char>(
      engine, out_size,
      [](kring_engine& handle, const uint8_t* op, size_t op_size, const uint8_t* outcome, size_t outcome_size,
         size_t* out_size) -> const char* {
        if (kChecked && !readable(handle, {{op, op_size, "op"}, {outcome, outcome_size, "outcome"}})) return nullptr;
        kring::Result<kring::Op> decodedOp = kring::decodeOp(view(op, op_size));
        if (!decodedOp)
          return refuse<char>(handle, static_cast<kring_status>(decodedOp.error().code), decodedOp.error().message);
        kring::Result<kring::Outcome> decoded = kring::decodeOutcome(view(outcome, outcome_size));
        if (!decoded)
          return refuse<char>(handle, static_cast<kring_status>(decoded.error().code), decoded.error().message);
        return handText(handle,
                        kring::toJson(kring::notificationIntents(handle.engine, decodedOp.value(), decoded.value())),
                        out_size);
      },
      op, op_size, outcome, outcome_size);
}

const char* kring_outcome_json(kring_engine* engine, const uint8_t* outcome, size_t size, size_t* out_size) {
  return output<char>(
      engine, out_size,
      [](kring_engine& handle, const uint8_t* outcome, size_t size, size_t* out_size) -> const char* {
        if (kChecked && !readable(handle, {{outcome, size, "outcome"}})) return nullptr;
        kring::Result<kring::Outcome> decoded = kring::decodeOutcome(view(outcome, size));
        if (!decoded)
          return refuse<char>(handle, static_cast<kring_status>(decoded.error().code), decoded.error().message);
        return handText(handle, kring::toJson(decoded.value()), out_size);
      },
      outcome, size);
}

kring_status kring_set_actor(kring_engine* engine, const char* member_id, size_t member_id_size,
                             const char* display_name, size_t display_name_size, enum kring_role role) {
  return guarded(
      engine, kNullEngine,
      [](kring_engine& handle, const char* member_id, size_t member_id_size, const char* display_name,
         size_t display_name_size, enum kring_role role) -> kring_status {
        if (kChecked && !readable(handle, {{member_id, member_id_size, "member_id"},
                                           {display_name, display_name_size, "display_name"}})) {
          return handle.status;
        }
        if (!inEnum<kring::Role>(role)) return fail(handle, KRING_ERROR_OUT_OF_RANGE, "The role is out of range.");
        std::string id = string(member_id, member_id_size);
        if (id.empty()) return fail(handle, KRING_REASON_INVALID_MEMBER, "An actor needs a member id.");
        handle.actor =
            kring::Actor{std::move(id), string(display_name, display_name_size), static_cast<kring::Role>(role)};
        return KRING_OK;
      },
      member_id, member_id_size, display_name, display_name_size, role);
}

kring_status kring_op_create_thread(kring_engine* engine, const char* op_id, const char* key, const char* title,
                                    enum kring_thread_kind kind, const char* ticket, int64_t time_ms,
                                    const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"key", key}, {"title", title}}, time_ms, out, out_size, [&]() -> Made {
    if (!inEnum<kring::ThreadKind>(kind)) return outOfRange("kind");
    return kring::CreateThread{key, static_cast<kring::ThreadKind>(kind), title, text(ticket)};
  });
}

kring_status kring_op_post(kring_engine* engine, const char* op_id, const char* thread_key, const char* parent_id,
                           const char* body, int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"thread_key", thread_key}, {"body", body}}, time_ms, out, out_size, [&]() -> Made {
    return kring::CreatePost{thread_key, text(parent_id), body};
  });
}

kring_status kring_op_edit(kring_engine* engine, const char* op_id, const char* post_id, const char* body,
                           int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"post_id", post_id}, {"body", body}}, time_ms, out, out_size, [&]() -> Made {
    return kring::EditPost{post_id, body};
  });
}

kring_status kring_op_delete(kring_engine* engine, const char* op_id, const char* post_id, int64_t time_ms,
                             const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"post_id", post_id}}, time_ms, out, out_size,
                 [&]() -> Made { return kring::DeletePost{post_id}; });
}

kring_status kring_op_vote(kring_engine* engine, const char* op_id, const char* post_id,
                           enum kring_vote_direction direction, int64_t time_ms, const uint8_t** out,
                           size_t* out_size) {
  return typedOp(engine, op_id, {{"post_id", post_id}}, time_ms, out, out_size, [&]() -> Made {
    if (!inEnum<kring::VoteDirection>(direction)) return outOfRange("direction");
    return kring::CastVote{post_id, static_cast<kring::VoteDirection>(direction)};
  });
}

kring_status kring_op_accept(kring_engine* engine, const char* op_id, const char* answer_id, int64_t time_ms,
                             const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"answer_id", answer_id}}, time_ms, out, out_size,
                 [&]() -> Made { return kring::AcceptAnswer{answer_id}; });
}

kring_status kring_op_unaccept(kring_engine* engine, const char* op_id, const char* answer_id, int64_t time_ms,
                               const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"answer_id", answer_id}}, time_ms, out, out_size,
                 [&]() -> Made { return kring::UnacceptAnswer{answer_id}; });
}

kring_status kring_op_flag(kring_engine* engine, const char* op_id, const char* post_id, enum kring_flag_reason reason,
                           int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"post_id", post_id}}, time_ms, out, out_size, [&]() -> Made {
    if (!inEnum<kring::FlagReason>(reason)) return outOfRange("reason");
    return kring::FlagPost{post_id, static_cast<kring::FlagReason>(reason)};
  });
}

kring_status kring_op_moderate(kring_engine* engine, const char* op_id, enum kring_moderation_action action,
                               const char* target, const char* reason, int64_t time_ms, const uint8_t** out,
                               size_t* out_size) {
  return typedOp(engine, op_id, {{"target", target}, {"reason", reason}}, time_ms, out, out_size, [&]() -> Made {
    if (!inEnum<kring::ModerationAction>(action)) return outOfRange("action");
    switch (static_cast<kring::ModerationAction>(action)) {
      case kring::ModerationAction::suspend:
      case kring::ModerationAction::setRole:
      case kring::ModerationAction::setTrustLevel:
      case kring::ModerationAction::editTitle:
        return Refusal{KRING_ERROR_OUT_OF_RANGE,
                       "This action has an argument: use kring_op_suspend, kring_op_set_role, "
                       "kring_op_set_trust_level or kring_op_edit_title."};
      default: return aimed(static_cast<kring::ModerationAction>(action), target, reason);
    }
  });
}

kring_status kring_op_reject_as_spam(kring_engine* engine, const char* op_id, const char* post_id, const char* reason,
                                     int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return moderatorOp(engine, op_id, kring::ModerationAction::reject, "post_id", post_id, reason, time_ms, out, out_size,
                     [](kring::Moderate& moderate) -> std::optional<Refusal> {
                       moderate.asSpam = true;
                       return std::nullopt;
                     });
}

kring_status kring_op_suspend(kring_engine* engine, const char* op_id, const char* member_id, int64_t until_ms,
                              const char* reason, int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return moderatorOp(engine, op_id, kring::ModerationAction::suspend, "member_id", member_id, reason, time_ms, out,
                     out_size, [&](kring::Moderate& moderate) -> std::optional<Refusal> {
                       moderate.until = until_ms;
                       return std::nullopt;
                     });
}

kring_status kring_op_set_role(kring_engine* engine, const char* op_id, const char* member_id, enum kring_role role,
                               const char* reason, int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return moderatorOp(engine, op_id, kring::ModerationAction::setRole, "member_id", member_id, reason, time_ms, out,
                     out_size, [&](kring::Moderate& moderate) -> std::optional<Refusal> {
                       if (!inEnum<kring::Role>(role)) return outOfRange("role");
                       moderate.role = static_cast<kring::Role>(role);
                       return std::nullopt;
                     });
}

kring_status kring_op_set_trust_level(kring_engine* engine, const char* op_id, const char* member_id,
                                      uint8_t trust_level, const char* reason, int64_t time_ms, const uint8_t** out,
                                      size_t* out_size) {
  return moderatorOp(engine, op_id, kring::ModerationAction::setTrustLevel, "member_id", member_id, reason, time_ms,
                     out, out_size, [&](kring::Moderate& moderate) -> std::optional<Refusal> {
                       moderate.trustLevel = trust_level;
                       return std::nullopt;
                     });
}

kring_status kring_op_edit_title(kring_engine* engine, const char* op_id, const char* thread_key, const char* title,
                                 const char* reason, int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return moderatorOp(engine, op_id, kring::ModerationAction::editTitle, "thread_key", thread_key, reason, time_ms, out,
                     out_size, [&](kring::Moderate& moderate) -> std::optional<Refusal> {
                       if (title == nullptr) return Refusal{KRING_ERROR_NULL_ARGUMENT, "title is NULL."};
                       moderate.title = title;
                       return std::nullopt;
                     });
}

kring_status kring_op_undo(kring_engine* engine, const char* op_id, const char* moderation_id, const char* reason,
                           int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"moderation_id", moderation_id}, {"reason", reason}}, time_ms, out, out_size,
                 [&]() -> Made {
                   return kring::UndoModeration{moderation_id, reason};
                 });
}

kring_status kring_op_update_policy(kring_engine* engine, const char* op_id, const char* policy_json, int64_t time_ms,
                                    const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"policy_json", policy_json}}, time_ms, out, out_size, [&]() -> Made {
#ifdef KRING_C_POLICY_JSON
    kring::Result<kring::Policy> policy = kring::parsePolicyJson(policy_json);
    if (!policy) return Refusal{static_cast<kring_status>(policy.error().code), policy.error().message};
    return kring::UpdatePolicy{std::move(policy.value())};
#else
    return Refusal{KRING_REASON_INVALID_POLICY, "This build reads no policy JSON (native builds do)."};
#endif
  });
}

kring_status kring_op_reading(kring_engine* engine, const char* op_id, const char* const* thread_keys,
                              size_t thread_key_count, const char* const* read_thread_keys,
                              size_t read_thread_key_count, uint32_t posts_seen, uint32_t seconds_reading,
                              int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {}, time_ms, out, out_size, [&]() -> Made {
    auto entered = keyList(thread_keys, thread_key_count);
    auto read = keyList(read_thread_keys, read_thread_key_count);
    if (!entered || !read) return Refusal{KRING_ERROR_NULL_ARGUMENT, "A thread key list or one of its keys is NULL."};
    return kring::RecordReading{std::move(*entered), posts_seen, seconds_reading, std::move(*read)};
  });
}

kring_status kring_op_follow(kring_engine* engine, const char* op_id, const char* thread_key, int following,
                             int64_t time_ms, const uint8_t** out, size_t* out_size) {
  return typedOp(engine, op_id, {{"thread_key", thread_key}}, time_ms, out, out_size, [&]() -> Made {
    return kring::FollowThread{thread_key, following != 0};
  });
}

const uint8_t* kring_encode_hello(kring_engine* engine, const char* site_id, size_t site_id_size, const char* token,
                                  size_t token_size, const char* client_id, size_t client_id_size,
                                  const char* guest_credential, size_t guest_credential_size, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* site_id, size_t site_id_size, const char* token, size_t token_size,
         const char* client_id, size_t client_id_size, const char* guest_credential, size_t guest_credential_size,
         size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{site_id, site_id_size, "site_id"},
                                           {token, token_size, "token"},
                                           {client_id, client_id_size, "client_id"},
                                           {guest_credential, guest_credential_size, "guest_credential"}})) {
          return nullptr;
        }
        kring::Hello hello;
        hello.siteId = string(site_id, site_id_size);
        hello.token = string(token, token_size);
        hello.clientId = string(client_id, client_id_size);
        hello.guestCredential = string(guest_credential, guest_credential_size);
        return handMessage(handle, hello, out_size);
      },
      site_id, site_id_size, token, token_size, client_id, client_id_size, guest_credential, guest_credential_size);
}

const uint8_t* kring_encode_refresh_token(kring_engine* engine, const char* token, size_t token_size,
                                          size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* token, size_t token_size, size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{token, token_size, "token"}})) return nullptr;
        return handMessage(handle, kring::RefreshToken{string(token, token_size)}, out_size);
      },
      token, token_size);
}

const uint8_t* kring_encode_subscribe(kring_engine* engine, const char* key, size_t key_size, uint64_t last_sequence,
                                      size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* key, size_t key_size, uint64_t last_sequence,
         size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{key, key_size, "key"}})) return nullptr;
        return handMessage(handle, kring::Subscribe{string(key, key_size), last_sequence}, out_size);
      },
      key, key_size, last_sequence);
}

const uint8_t* kring_encode_subscribe_paged(kring_engine* engine, const char* key, size_t key_size,
                                            uint64_t last_sequence, enum kring_sort_order order, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* key, size_t key_size, uint64_t last_sequence, enum kring_sort_order order,
         size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{key, key_size, "key"}})) return nullptr;
        if (!inEnum<kring::SortOrder>(order))
          return refuse<uint8_t>(handle, KRING_ERROR_OUT_OF_RANGE, "The sort order is out of range.");
        return handMessage(
            handle, kring::Subscribe{string(key, key_size), last_sequence, true, static_cast<kring::SortOrder>(order)},
            out_size);
      },
      key, key_size, last_sequence, order);
}

const uint8_t* kring_encode_load_page(kring_engine* engine, const char* key, size_t key_size, const char* parent_id,
                                      size_t parent_id_size, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* key, size_t key_size, const char* parent_id, size_t parent_id_size,
         size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{key, key_size, "key"}, {parent_id, parent_id_size, "parent_id"}}))
          return nullptr;
        std::optional<kring::LoadPage> page =
            kring::nextPage(handle.engine, string(key, key_size), string(parent_id, parent_id_size));
        if (!page) return refuse<uint8_t>(handle, KRING_ERROR_OUT_OF_RANGE, "The replica holds the whole list.");
        return handMessage(handle, std::move(*page), out_size);
      },
      key, key_size, parent_id, parent_id_size);
}

const uint8_t* kring_encode_render(kring_engine* engine, const char* request_id, size_t request_id_size,
                                   const char* markdown, size_t markdown_size, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const char* request_id, size_t request_id_size, const char* markdown,
         size_t markdown_size, size_t* out_size) -> const uint8_t* {
        if (kChecked &&
            !readable(handle, {{request_id, request_id_size, "request_id"}, {markdown, markdown_size, "markdown"}})) {
          return nullptr;
        }
        return handMessage(handle,
                           kring::RenderRequest{string(request_id, request_id_size), string(markdown, markdown_size)},
                           out_size);
      },
      request_id, request_id_size, markdown, markdown_size);
}

const uint8_t* kring_encode_submit(kring_engine* engine, const uint8_t* op, size_t op_size, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, const uint8_t* op, size_t op_size, size_t* out_size) -> const uint8_t* {
        if (kChecked && !readable(handle, {{op, op_size, "op"}})) return nullptr;
        if (kChecked && handle.actor.memberId.empty()) {
          return refuse<uint8_t>(handle, KRING_ERROR_NO_ACTOR,
                                 "No actor: submit after the server's Welcome and kring_set_actor.");
        }
        kring::Result<kring::Op> decoded =
            kring::decodeOp(view(op, op_size));  // before `op` (maybe our output) is replaced
        if (!decoded)
          return refuse<uint8_t>(handle, static_cast<kring_status>(decoded.error().code), decoded.error().message);
        return handMessage(handle, kring::Submit{std::move(decoded.value())}, out_size);
      },
      op, op_size);
}

const uint8_t* kring_encode_ping(kring_engine* engine, uint64_t nonce, size_t* out_size) {
  return output<uint8_t>(
      engine, out_size,
      [](kring_engine& handle, uint64_t nonce, size_t* out_size) {
        return handMessage(handle, kring::Ping{nonce}, out_size);
      },
      nonce);
}

const char* kring_receive(kring_engine* engine, const uint8_t* message, size_t size, size_t* out_size) {
  return output<char>(
      engine, out_size,
      [](kring_engine& handle, const uint8_t* message, size_t size, size_t* out_size) -> const char* {
        if (kChecked && !readable(handle, {{message, size, "message"}})) return nullptr;
        return handText(handle, kring::receiveServerMessage(handle.engine, handle.snapshotParts, view(message, size)),
                        out_size);
      },
      message, size);
}

uint64_t kring_last_sequence(const kring_engine* engine) {
  if (kChecked && engine == nullptr) return 0;
  return engine->engine.lastSequence();
}

uint64_t kring_thread_last_sequence(const kring_engine* engine, const char* key, size_t key_size) {
  if (kChecked && engine == nullptr) return 0;
  return kring::threadLastSequence(engine->engine,
                                   std::string_view(key == nullptr ? "" : key, key == nullptr ? 0 : key_size));
}

int kring_thread_following(const kring_engine* engine, const char* key, size_t key_size, const char* member_id,
                           size_t member_id_size) {
  if (kChecked && engine == nullptr) return 0;
  return engine->engine.follows(
             std::string_view(key == nullptr ? "" : key, key == nullptr ? 0 : key_size),
             std::string_view(member_id == nullptr ? "" : member_id, member_id == nullptr ? 0 : member_id_size))
             ? 1
             : 0;
}

const char* kring_enum_tables(size_t* out_size) {
  if (out_size) *out_size = kring::kEnumTablesJson.size();
  return kring::kEnumTablesJson.data();
}

}  // extern "C"
