// The C API under misuse: NULL engines and buffers, enums out of range, calls out of order, garbage
// frames and exceptions inside the core all give a status and a message, never a crash.
#include <cstring>
#include <memory>

#include "engine_fixture.h"
#include "kring/kring.h"
#include "kring/sync.h"

using namespace kring;
using namespace kring::testing;

namespace {

using EnginePtr = std::unique_ptr<kring_engine, decltype(&kring_engine_destroy)>;

EnginePtr createEngine() { return EnginePtr(kring_engine_create("misuse", 6), &kring_engine_destroy); }

std::string lastError(const kring_engine* engine) { return kring_last_error(engine); }

// The engine's error state after a call that failed with `status`.
void requireFailed(const kring_engine* engine, kring_status status) {
  INFO(lastError(engine));
  CHECK(kring_last_status(engine) == status);
  CHECK_FALSE(lastError(engine).empty());
}

void requireCleared(const kring_engine* engine) {
  INFO(lastError(engine));
  CHECK(kring_last_status(engine) == KRING_OK);
  CHECK(lastError(engine).empty());
}

// Leaves the engine with a failed call behind it.
void failOnce(kring_engine* engine) {
  std::size_t size = 0;
  REQUIRE(kring_thread_view(engine, "/nowhere", 8, KRING_SORT_TOP, nullptr, 0, &size) == nullptr);
  requireFailed(engine, KRING_REASON_UNKNOWN_THREAD);
}

}  // namespace

TEST_CASE("c_api: a NULL engine fails every call with KRING_ERROR_NULL_ENGINE, never a crash", "[c-api][misuse]") {
  std::size_t size = 5;
  const std::uint8_t* out = nullptr;
  const std::uint8_t bytes[] = {1, 2, 3};
  CHECK(kring_apply(nullptr, bytes, 3, &size) == nullptr);
  CHECK(size == 0);
  CHECK(kring_apply_log(nullptr, bytes, 3, nullptr) == KRING_ERROR_NULL_ENGINE);
  CHECK(kring_site_snapshot(nullptr, &size) == nullptr);
  CHECK(kring_thread_snapshot(nullptr, "/t", 2, &size) == nullptr);
  CHECK(kring_load_thread_snapshot(nullptr, bytes, 3) == KRING_ERROR_NULL_ENGINE);
  CHECK(kring_thread_view(nullptr, "/t", 2, KRING_SORT_TOP, nullptr, 0, &size) == nullptr);
  CHECK(kring_metrics_json(nullptr, 0, 10, KRING_THREAD_KIND_ANY, &size) == nullptr);
  CHECK(kring_outcome_json(nullptr, bytes, 3, &size) == nullptr);
  CHECK(kring_set_actor(nullptr, "u", 1, "U", 1, KRING_ROLE_MEMBER) == KRING_ERROR_NULL_ENGINE);
  CHECK(kring_op_delete(nullptr, "o", "p", 1, &out, &size) == KRING_ERROR_NULL_ENGINE);
  CHECK(out == nullptr);
  CHECK(kring_encode_hello(nullptr, "s", 1, nullptr, 0, nullptr, 0, nullptr, 0, &size) == nullptr);
  CHECK(kring_encode_refresh_token(nullptr, "t", 1, &size) == nullptr);
  CHECK(kring_encode_subscribe(nullptr, "/t", 2, 0, &size) == nullptr);
  CHECK(kring_encode_submit(nullptr, bytes, 3, &size) == nullptr);
  CHECK(kring_encode_ping(nullptr, 1, &size) == nullptr);
  CHECK(kring_receive(nullptr, bytes, 3, &size) == nullptr);
  CHECK(kring_last_sequence(nullptr) == 0);
  CHECK(kring_thread_last_sequence(nullptr, "/t", 2) == 0);
  CHECK(kring_last_status(nullptr) == KRING_ERROR_NULL_ENGINE);
  CHECK(std::string(kring_last_error(nullptr)).find("NULL") != std::string::npos);
  kring_engine_destroy(nullptr);
}

TEST_CASE("c_api: a NULL buffer with a nonzero size is KRING_ERROR_NULL_ARGUMENT, naming the argument",
          "[c-api][misuse]") {
  EnginePtr engine = createEngine();
  kring_engine* e = engine.get();
  REQUIRE(kring_set_actor(e, "u1", 2, "Ann", 3, KRING_ROLE_MEMBER) == KRING_OK);
  std::size_t size = 5;
  auto named = [&](const char* argument) {
    requireFailed(e, KRING_ERROR_NULL_ARGUMENT);
    CHECK(lastError(e).find(argument) != std::string::npos);
    CHECK(size == 0);
    size = 5;
  };
  CHECK(kring_apply_log(e, nullptr, 8, nullptr) == KRING_ERROR_NULL_ARGUMENT);
  size = 0;
  named("log");
  CHECK(kring_load_thread_snapshot(e, nullptr, 8) == KRING_ERROR_NULL_ARGUMENT);
  size = 0;
  named("snapshot");
  CHECK(kring_thread_snapshot(e, nullptr, 2, &size) == nullptr);
  named("key");
  CHECK(kring_thread_view(e, "/t", 2, KRING_SORT_TOP, nullptr, 4, &size) == nullptr);
  named("viewer");
  CHECK(kring_outcome_json(e, nullptr, 4, &size) == nullptr);
  named("outcome");
  CHECK(kring_set_actor(e, nullptr, 3, "Ann", 3, KRING_ROLE_MEMBER) == KRING_ERROR_NULL_ARGUMENT);
  size = 0;
  named("member_id");
  CHECK(kring_encode_hello(e, "s", 1, nullptr, 6, nullptr, 0, nullptr, 0, &size) == nullptr);
  named("token");
  CHECK(kring_encode_refresh_token(e, nullptr, 6, &size) == nullptr);
  named("token");
  CHECK(kring_encode_subscribe(e, nullptr, 2, 0, &size) == nullptr);
  named("key");
  CHECK(kring_encode_submit(e, nullptr, 10, &size) == nullptr);
  named("op");
  CHECK(kring_receive(e, nullptr, 10, &size) == nullptr);
  named("message");

  SECTION("a NULL out_size or out pointer too") {
    CHECK(kring_site_snapshot(e, nullptr) == nullptr);
    requireFailed(e, KRING_ERROR_NULL_ARGUMENT);
    CHECK(kring_op_delete(e, "o", "p", 1, nullptr, &size) == KRING_ERROR_NULL_ARGUMENT);
    const std::uint8_t* out = nullptr;
    CHECK(kring_op_delete(e, "o", "p", 1, &out, nullptr) == KRING_ERROR_NULL_ARGUMENT);
  }
  SECTION("and a NULL required string of a typed maker") {
    const std::uint8_t* out = nullptr;
    CHECK(kring_op_post(e, "o", nullptr, nullptr, "Body", 1, &out, &size) == KRING_ERROR_NULL_ARGUMENT);
    named("thread_key");
    CHECK(kring_op_post(e, nullptr, "/t", nullptr, "Body", 1, &out, &size) == KRING_ERROR_NULL_ARGUMENT);
    size = 0;
    named("op_id");
    CHECK(kring_op_moderate(e, "o", KRING_ACTION_HIDE, "p", nullptr, 1, &out, &size) == KRING_ERROR_NULL_ARGUMENT);
    size = 0;
    named("reason");
    const char* keys[] = {"/a", nullptr};
    CHECK(kring_op_reading(e, "o", keys, 2, nullptr, 0, 1, 1, 1, &out, &size) == KRING_ERROR_NULL_ARGUMENT);
    CHECK(kring_op_reading(e, "o", nullptr, 1, nullptr, 0, 1, 1, 1, &out, &size) == KRING_ERROR_NULL_ARGUMENT);
    CHECK(out == nullptr);
  }
  SECTION("the constructors, which have no engine to tell, give NULL and a status") {
    CHECK(kring_engine_create(nullptr, 4) == nullptr);
    kring_status status = KRING_OK;
    CHECK(kring_engine_restore(nullptr, 4, &status) == nullptr);
    CHECK(status == KRING_ERROR_NULL_ARGUMENT);
    EnginePtr empty(kring_engine_create(nullptr, 0), &kring_engine_destroy);  // an empty site id is allowed
    CHECK(empty != nullptr);
  }
}

TEST_CASE("c_api: enum values out of range are KRING_ERROR_OUT_OF_RANGE", "[c-api][misuse]") {
  EnginePtr engine = createEngine();
  kring_engine* e = engine.get();
  std::size_t size = 0;
  CHECK(kring_set_actor(e, "u1", 2, "Ann", 3, static_cast<kring_role>(4)) == KRING_ERROR_OUT_OF_RANGE);
  requireFailed(e, KRING_ERROR_OUT_OF_RANGE);
  CHECK(kring_thread_view(e, "/t", 2, static_cast<kring_sort_order>(3), nullptr, 0, &size) == nullptr);
  requireFailed(e, KRING_ERROR_OUT_OF_RANGE);
  CHECK(kring_metrics_json(e, 0, 10, 2, &size) == nullptr);
  requireFailed(e, KRING_ERROR_OUT_OF_RANGE);
  REQUIRE(kring_set_actor(e, "u1", 2, "Ann", 3, KRING_ROLE_MEMBER) == KRING_OK);
  const std::uint8_t* out = nullptr;
  CHECK(kring_op_vote(e, "o", "p", static_cast<kring_vote_direction>(7), 1, &out, &size) == KRING_ERROR_OUT_OF_RANGE);
  requireFailed(e, KRING_ERROR_OUT_OF_RANGE);
}

TEST_CASE("c_api: ops and submits before kring_set_actor are KRING_ERROR_NO_ACTOR", "[c-api][misuse]") {
  EnginePtr engine = createEngine();
  kring_engine* e = engine.get();
  std::size_t size = 3;
  const std::uint8_t* out = nullptr;
  CHECK(kring_op_post(e, "o", "/t", nullptr, "Hi", 1, &out, &size) == KRING_ERROR_NO_ACTOR);
  requireFailed(e, KRING_ERROR_NO_ACTOR);
  CHECK(lastError(e).find("kring_set_actor") != std::string::npos);

  // An op made elsewhere is no ticket to submit on a connection nobody signed in to.
  const Bytes op = encodeOp(Op{"o", Actor{"u1", "Ann", Role::member}, 1, 0, DeletePost{"p"}});
  CHECK(kring_encode_submit(e, op.data(), op.size(), &size) == nullptr);
  requireFailed(e, KRING_ERROR_NO_ACTOR);

  REQUIRE(kring_set_actor(e, "u1", 2, "Ann", 3, KRING_ROLE_MEMBER) == KRING_OK);
  CHECK(kring_encode_submit(e, op.data(), op.size(), &size) != nullptr);
  requireCleared(e);
}

TEST_CASE("c_api: garbage frames are reported, the engine unchanged", "[c-api][misuse]") {
  EnginePtr engine = createEngine();
  kring_engine* e = engine.get();
  const Bytes garbage = GENERATE(Bytes{}, Bytes{1, 2, 3}, Bytes(64, 0xEE), Bytes(16, 0));
  std::size_t size = 0;
  const std::uint8_t* before = kring_site_snapshot(e, &size);
  const Bytes snapshot(before, before + size);

  // kring_receive describes it as "invalid": a successful call.
  const char* json = kring_receive(e, garbage.data(), garbage.size(), &size);
  REQUIRE(json != nullptr);
  CHECK(std::string(json, size).rfind(R"({"type":"invalid","message":)", 0) == 0);
  requireCleared(e);

  // kring_apply answers with a rejected Outcome.
  const std::uint8_t* outcome = kring_apply(e, garbage.data(), garbage.size(), &size);
  REQUIRE(outcome != nullptr);
  CHECK(decodeOutcome(ByteView(outcome, size)).value().code == ReasonCode::malformedOp);
  const std::uint8_t* after = kring_site_snapshot(e, &size);
  CHECK(Bytes(after, after + size) == snapshot);

  // kring_apply_log names it in its report; the log's frames around it apply.
  Bytes log;
  appendFrame(
      log, encodeOp(Op{"t1", Actor{"st", "St", Role::staff}, 1, 0, CreateThread{"/t", ThreadKind::discussion, "T"}}));
  appendFrame(log, garbage);
  kring_log_report report{};
  CHECK(kring_apply_log(e, log.data(), log.size(), &report) == KRING_OK);
  CHECK(report.frames == 2);
  CHECK(report.accepted == 1);
  CHECK(report.undecodable == 1);
  CHECK(report.first_undecodable == 1);

  // Not a thread snapshot, not an outcome, not an op: refused with the core's reason.
  CHECK(kring_load_thread_snapshot(e, garbage.data(), garbage.size()) == KRING_REASON_MALFORMED_SNAPSHOT);
  requireFailed(e, KRING_REASON_MALFORMED_SNAPSHOT);
  CHECK(kring_outcome_json(e, garbage.data(), garbage.size(), &size) == nullptr);
  CHECK(kring_last_status(e) > 0);
  REQUIRE(kring_set_actor(e, "u1", 2, "Ann", 3, KRING_ROLE_MEMBER) == KRING_OK);
  CHECK(kring_encode_submit(e, garbage.data(), garbage.size(), &size) == nullptr);
  requireFailed(e, KRING_REASON_MALFORMED_OP);
}

TEST_CASE("c_api: a successful call clears the last error", "[c-api][misuse]") {
  EnginePtr engine = createEngine();
  kring_engine* e = engine.get();
  std::size_t size = 0;
  const Bytes pong = encodeServerMessage(Pong{7});
  const Bytes op =
      encodeOp(Op{"t1", Actor{"st", "St", Role::staff}, 1, 0, CreateThread{"/t", ThreadKind::discussion, "T"}});

  failOnce(e);
  CHECK(kring_apply(e, op.data(), op.size(), &size) != nullptr);
  requireCleared(e);
  failOnce(e);
  CHECK(kring_site_snapshot(e, &size) != nullptr);
  requireCleared(e);
  failOnce(e);
  CHECK(kring_encode_ping(e, 1, &size) != nullptr);
  requireCleared(e);
  failOnce(e);
  CHECK(kring_receive(e, pong.data(), pong.size(), &size) != nullptr);
  requireCleared(e);
  failOnce(e);
  CHECK(kring_apply_log(e, nullptr, 0, nullptr) == KRING_OK);
  requireCleared(e);
  failOnce(e);
  CHECK(kring_encode_subscribe(e, "/t", 2, 0, &size) != nullptr);
  requireCleared(e);

  SECTION("and the getters leave it alone") {
    failOnce(e);
    kring_last_sequence(e);
    kring_thread_last_sequence(e, "/t", 2);
    requireFailed(e, KRING_REASON_UNKNOWN_THREAD);
  }
}

TEST_CASE("c_api: an exception inside the core becomes KRING_ERROR_INTERNAL at the boundary", "[c-api][misuse]") {
  EnginePtr engine = createEngine();
  kring_engine* e = engine.get();
  std::size_t size = 0;
  // A size no string can hold: the core's std::string throws length_error before reading a byte.
  const std::size_t impossible = SIZE_MAX - 1;
  CHECK(kring_encode_refresh_token(e, "x", impossible, &size) == nullptr);
  requireFailed(e, KRING_ERROR_INTERNAL);
  CHECK(size == 0);
  // The engine still answers.
  CHECK(kring_encode_ping(e, 1, &size) != nullptr);
  requireCleared(e);
}

TEST_CASE("c_api: the version calls agree with the header", "[c-api]") {
  const std::string version = std::to_string(KRING_VERSION_MAJOR) + "." + std::to_string(KRING_VERSION_MINOR) + "." +
                              std::to_string(KRING_VERSION_PATCH);
  CHECK(kring_version() == version);
  CHECK(kring_abi_version() == KRING_ABI_VERSION);
  CHECK(kring_protocol_version() == kProtocolVersion);
}
