// The C API: hostile input gives reasons and NULLs, never crashes.
#include <memory>

#include "engine_fixture.h"
#include "kring/kring.h"

using namespace kring;
using namespace kring::testing;

namespace {

using EnginePtr = std::unique_ptr<kring_engine, decltype(&kring_engine_destroy)>;

EnginePtr createEngine(std::string_view siteId = "c-site") {
  return EnginePtr(kring_engine_create(siteId.data(), siteId.size()), &kring_engine_destroy);
}

// Applies op bytes and decodes the Outcome the API hands back.
Outcome applyBytes(kring_engine* engine, ByteView bytes) {
  std::size_t size = 0;
  const std::uint8_t* out = kring_apply(engine, bytes.data(), bytes.size(), &size);
  REQUIRE(out != nullptr);
  Result<Outcome> outcome = decodeOutcome(ByteView(out, size));
  REQUIRE(outcome.ok());
  return outcome.value();
}

Bytes siteSnapshot(kring_engine* engine) {
  std::size_t size = 0;
  const std::uint8_t* out = kring_site_snapshot(engine, &size);
  return Bytes(out, out + size);
}

std::optional<std::string> threadView(kring_engine* engine, std::string_view key, std::string_view viewer = {}) {
  std::size_t size = 1234;
  const char* json =
      kring_thread_view(engine, key.data(), key.size(), KRING_SORT_TOP, viewer.data(), viewer.size(), &size);
  if (json == nullptr) {
    CHECK(size == 0);
    return std::nullopt;
  }
  return std::string(json, size);
}

struct CSite {
  EnginePtr engine = createEngine();
  OpFactory ops;
  Actor alice = OpFactory::member("alice");
  Actor host = OpFactory::member("host", Role::staff);  // creates the threads (TL0 members may not)

  Outcome apply(const Op& op) { return applyBytes(engine.get(), encodeOp(op)); }
};

}  // namespace

TEST_CASE("kring_apply applies a valid op", "[c-api]") {
  CSite site;
  Op op = site.ops.thread(site.host, "/t");
  Outcome outcome = site.apply(op);
  CHECK(outcome.accepted());
  CHECK(outcome.opId == op.id);
  CHECK(eventNames(outcome) == std::vector<std::string>{"MemberJoined", "ThreadCreated", "FollowChanged"});
  CHECK(kring_last_sequence(site.engine.get()) == op.sequence);
}

TEST_CASE("kring_apply rejects garbage as a malformed op and changes nothing", "[c-api]") {
  CSite site;
  site.apply(site.ops.thread(site.host, "/t"));
  const Bytes before = siteSnapshot(site.engine.get());

  Bytes garbage = GENERATE(Bytes{}, Bytes{1, 2, 3}, Bytes(64, 0xEE), Bytes(16, 0));
  Outcome outcome = applyBytes(site.engine.get(), garbage);
  CHECK(outcome.status == OutcomeStatus::rejected);
  CHECK(outcome.code == ReasonCode::malformedOp);
  CHECK_FALSE(outcome.message.empty());
  CHECK(outcome.events.empty());
  CHECK(siteSnapshot(site.engine.get()) == before);
}

TEST_CASE("kring_apply with no buffer but a size is a caller's mistake, not an op", "[c-api]") {
  CSite site;
  std::size_t size = 9;
  CHECK(kring_apply(site.engine.get(), nullptr, 100, &size) == nullptr);
  CHECK(size == 0);
  CHECK(kring_last_status(site.engine.get()) == KRING_ERROR_NULL_ARGUMENT);
  CHECK(std::string(kring_last_error(site.engine.get())).find("op is NULL") != std::string::npos);
}

TEST_CASE("kring_apply passes the engine's rejections through", "[c-api]") {
  CSite site;
  Outcome outcome = site.apply(site.ops.post(site.alice, "/missing"));
  CHECK(outcome.status == OutcomeStatus::rejected);
  CHECK(outcome.code == ReasonCode::unknownThread);
  CHECK_FALSE(outcome.message.empty());
}

TEST_CASE("kring_thread_view returns NULL for an unknown thread", "[c-api]") {
  CSite site;
  site.apply(site.ops.thread(site.host, "/t"));
  CHECK_FALSE(threadView(site.engine.get(), "/missing").has_value());
  CHECK(std::string(kring_last_error(site.engine.get())).size() > 0);

  SECTION("and the thread's JSON for a known one") {
    Op post = site.ops.post(site.alice, "/t");
    site.apply(post);
    std::optional<std::string> json = threadView(site.engine.get(), "/t", "alice");
    REQUIRE(json.has_value());
    CHECK(json->find("\"id\":\"" + post.id + "\"") != std::string::npos);
    CHECK(std::string(kring_last_error(site.engine.get())).empty());
  }
  SECTION("an out-of-range sort order is refused") {
    std::size_t size = 0;
    CHECK(kring_thread_view(site.engine.get(), "/t", 2, static_cast<kring_sort_order>(99), nullptr, 0, &size) ==
          nullptr);
    CHECK(kring_last_status(site.engine.get()) == KRING_ERROR_OUT_OF_RANGE);
  }
}

TEST_CASE("kring_apply_log applies whole logs, reports undecodable frames and refuses truncated ones", "[c-api]") {
  CSite site;
  Bytes log;
  appendFrame(log, encodeOp(site.ops.thread(site.host, "/t")));
  appendFrame(log, encodeOp(site.ops.post(site.alice, "/t")));
  appendFrame(log, Bytes{9, 9, 9});                                   // undecodable: reported
  appendFrame(log, encodeOp(site.ops.post(site.alice, "/missing")));  // rejected
  appendFrame(log, Bytes(12, 0xEE));                                  // undecodable

  SECTION("a whole log") {
    kring_log_report report{};
    CHECK(kring_apply_log(site.engine.get(), log.data(), log.size(), &report) == KRING_OK);
    CHECK(report.frames == 5);
    CHECK(report.accepted == 2);
    CHECK(report.undecodable == 2);
    CHECK(report.first_undecodable == 2);
    CHECK(threadView(site.engine.get(), "/t").has_value());
    CHECK(kring_apply_log(site.engine.get(), log.data(), log.size(), nullptr) == KRING_OK);  // the report is optional
  }
  SECTION("a log whose every frame decodes names no undecodable frame") {
    Bytes clean;
    appendFrame(clean, encodeOp(site.ops.thread(site.host, "/u")));
    kring_log_report report{};
    CHECK(kring_apply_log(site.engine.get(), clean.data(), clean.size(), &report) == KRING_OK);
    CHECK(report.frames == 1);
    CHECK(report.undecodable == 0);
    CHECK(report.first_undecodable == UINT32_MAX);
  }
  SECTION("a truncated log") {
    const Bytes before = siteSnapshot(site.engine.get());
    std::size_t cut = GENERATE(1, 2, 5);
    kring_log_report report{7, 7, 7, 7};
    CHECK(kring_apply_log(site.engine.get(), log.data(), log.size() - cut, &report) == KRING_REASON_MALFORMED_OP);
    CHECK(report.frames == 0);
    CHECK(std::string(kring_last_error(site.engine.get())).size() > 0);
    CHECK(siteSnapshot(site.engine.get()) == before);
  }
}

TEST_CASE("kring_engine_restore refuses garbage with the reason", "[c-api]") {
  int reason = -1;
  const Bytes garbage(40, 0x5A);
  CHECK(kring_engine_restore(garbage.data(), garbage.size(), &reason) == nullptr);
  CHECK(reason == static_cast<int>(ReasonCode::malformedSnapshot));

  reason = -1;
  CHECK(kring_engine_restore(nullptr, 0, &reason) == nullptr);
  CHECK(reason == static_cast<int>(ReasonCode::malformedSnapshot));

  CHECK(kring_engine_restore(garbage.data(), garbage.size(), nullptr) == nullptr);  // reason is optional

  SECTION("and restores a real snapshot") {
    CSite site;
    site.apply(site.ops.thread(site.host, "/t"));
    const Bytes snapshot = siteSnapshot(site.engine.get());
    EnginePtr restored(kring_engine_restore(snapshot.data(), snapshot.size(), &reason), &kring_engine_destroy);
    REQUIRE(restored != nullptr);
    CHECK(reason == 0);
    CHECK(siteSnapshot(restored.get()) == snapshot);
    CHECK(threadView(restored.get(), "/t") == threadView(site.engine.get(), "/t"));
  }
}

TEST_CASE("thread snapshots through the C API", "[c-api]") {
  CSite site;
  site.apply(site.ops.thread(site.host, "/t"));
  site.apply(site.ops.post(site.alice, "/t"));

  std::size_t size = 77;
  CHECK(kring_thread_snapshot(site.engine.get(), "/missing", 8, &size) == nullptr);
  CHECK(size == 0);

  const std::uint8_t* bytes = kring_thread_snapshot(site.engine.get(), "/t", 2, &size);
  REQUIRE(bytes != nullptr);
  const Bytes snapshot(bytes, bytes + size);

  EnginePtr replica = createEngine("replica");
  CHECK(kring_load_thread_snapshot(replica.get(), snapshot.data(), snapshot.size()) == 0);
  CHECK(threadView(replica.get(), "/t") == threadView(site.engine.get(), "/t"));

  const Bytes garbage(24, 0x33);
  CHECK(kring_load_thread_snapshot(replica.get(), garbage.data(), garbage.size()) ==
        static_cast<int>(ReasonCode::malformedSnapshot));
  CHECK(std::string(kring_last_error(replica.get())).size() > 0);
}
