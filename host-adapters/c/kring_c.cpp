#include "kring/kring.h"

#include <memory>
#include <string>

#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/snapshot.h"

struct kring_engine {
  explicit kring_engine(kring::Engine engine) : engine(std::move(engine)) {}
  kring::Engine engine;
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
    if (outcome.accepted()) ++count;
  }
  if (accepted) *accepted = count;
  return static_cast<int64_t>(frames.value().size());
}

const uint8_t* kring_site_snapshot(kring_engine* engine, size_t* out_size) {
  return hand(engine, kring::encodeSiteSnapshot(engine->engine), out_size);
}

const uint8_t* kring_thread_snapshot(kring_engine* engine, const char* key, size_t key_size, size_t* out_size) {
  auto bytes = kring::encodeThreadSnapshot(engine->engine, std::string_view(key, key_size));
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

uint64_t kring_last_sequence(const kring_engine* engine) { return engine->engine.lastSequence(); }

const char* kring_last_error(const kring_engine* engine) { return engine->error.c_str(); }

}  // extern "C"
