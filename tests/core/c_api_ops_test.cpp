// The C API's typed op makers: one per op kind of the schema, each op applied by the engine.
#include <cstring>
#include <functional>
#include <memory>

#include "engine_fixture.h"
#include "kring/kring.h"

using namespace kring;
using namespace kring::testing;

namespace {

using EnginePtr = std::unique_ptr<kring_engine, decltype(&kring_engine_destroy)>;
using Maker = std::function<kring_status(const std::uint8_t** out, std::size_t* out_size)>;

// A site run through the C API alone: ops made by the typed makers, applied by the same engine.
struct TypedSite {
  EnginePtr engine{kring_engine_create("typed", 5), &kring_engine_destroy};
  std::int64_t clock = 1'700'000'000'000;

  void as(const char* id, kring_role role) {
    REQUIRE(kring_set_actor(engine.get(), id, std::strlen(id), id, std::strlen(id), role) == KRING_OK);
  }
  std::int64_t tick() { return clock += 60'000; }

  Op made(const Maker& make) {
    const std::uint8_t* out = nullptr;
    std::size_t size = 0;
    const kring_status status = make(&out, &size);
    INFO(kring_last_error(engine.get()));
    REQUIRE(status == KRING_OK);
    REQUIRE(out != nullptr);
    CHECK(kring_last_status(engine.get()) == KRING_OK);
    CHECK(std::string(kring_last_error(engine.get())).empty());
    Result<Op> op = decodeOp(ByteView(out, size));
    REQUIRE(op.ok());
    return op.value();
  }

  // Makes the op, applies it through kring_apply and requires the engine to accept it.
  Outcome accepted(const Maker& make) {
    const Bytes op = encodeOp(made(make));
    std::size_t size = 0;
    const std::uint8_t* out = kring_apply(engine.get(), op.data(), op.size(), &size);
    REQUIRE(out != nullptr);
    Result<Outcome> outcome = decodeOutcome(ByteView(out, size));
    REQUIRE(outcome.ok());
    INFO(reasonName(outcome.value().code) << ": " << outcome.value().message);
    REQUIRE(outcome.value().status == OutcomeStatus::accepted);
    return outcome.value();
  }

  std::string view(const char* key) {
    std::size_t size = 0;
    const char* json = kring_thread_view(engine.get(), key, std::strlen(key), KRING_SORT_OLDEST, nullptr, 0, &size);
    REQUIRE(json != nullptr);
    return std::string(json, size);
  }
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("c_api: every typed op maker makes an op the engine accepts", "[c-api][typed]") {
  TypedSite site;
  kring_engine* e = site.engine.get();

  // The admin lifts the reputation gates (update_policy), so members may vote at once.
  site.as("ad", KRING_ROLE_ADMIN);
  Outcome policy = site.accepted([&](auto out, auto size) {
    return kring_op_update_policy(e, "o-policy",
                                  R"({"settings":{"privilegeVoteUp":0,"privilegeVoteDown":0,"ratePostsTrust0":1000,)"
                                  R"("duplicateWindowHours":0,"newMemberUntilTrustLevel":0,"spamHoldScore":1000000}})",
                                  site.tick(), out, size);
  });
  CHECK(has(Catch::Detail::stringify(eventNames(policy)), "PolicyChanged"));

  site.as("st", KRING_ROLE_STAFF);
  site.accepted([&](auto out, auto size) {
    return kring_op_create_thread(e, "o-thread", "/q", "Sizes", KRING_THREAD_KIND_QUESTION, nullptr, site.tick(), out,
                                  size);
  });
  CHECK(has(site.view("/q"), R"("kind":"question","title":"Sizes")"));

  site.as("ann", KRING_ROLE_MEMBER);
  site.accepted([&](auto out, auto size) {
    return kring_op_post(e, "q1", "/q", nullptr, "Which size?", site.tick(), out, size);
  });
  site.as("bob", KRING_ROLE_MEMBER);
  site.accepted(
      [&](auto out, auto size) { return kring_op_post(e, "a1", "/q", "q1", "Medium.", site.tick(), out, size); });
  site.accepted(
      [&](auto out, auto size) { return kring_op_post(e, "a2", "/q", "q1", "Large.", site.tick(), out, size); });
  CHECK(has(site.view("/q"), R"("id":"a1","parentId":"q1")"));

  site.as("ann", KRING_ROLE_MEMBER);
  site.accepted(
      [&](auto out, auto size) { return kring_op_vote(e, "v1", "a1", KRING_VOTE_UP, site.tick(), out, size); });
  CHECK(has(site.view("/q"), R"("score":1)"));
  site.accepted(
      [&](auto out, auto size) { return kring_op_vote(e, "v2", "a1", KRING_VOTE_NONE, site.tick(), out, size); });
  site.accepted([&](auto out, auto size) { return kring_op_accept(e, "ac1", "a1", site.tick(), out, size); });
  CHECK(has(site.view("/q"), R"("accepted":true)"));
  site.accepted([&](auto out, auto size) { return kring_op_unaccept(e, "ua1", "a1", site.tick(), out, size); });
  CHECK_FALSE(has(site.view("/q"), R"("accepted":true)"));

  site.as("bob", KRING_ROLE_MEMBER);
  site.accepted([&](auto out, auto size) {
    return kring_op_edit(e, "ed1", "a1", "Medium, it runs small.", site.tick(), out, size);
  });
  CHECK(has(site.view("/q"), "Medium, it runs small."));
  site.accepted([&](auto out, auto size) { return kring_op_delete(e, "del1", "a2", site.tick(), out, size); });

  site.accepted(
      [&](auto out, auto size) { return kring_op_post(e, "a3", "/q", "q1", "Nice weather.", site.tick(), out, size); });
  site.as("st", KRING_ROLE_STAFF);  // a staff flag weighs enough to hide the post at once
  site.accepted([&](auto out, auto size) {
    return kring_op_flag(e, "f1", "a3", KRING_FLAG_REASON_OFF_TOPIC, site.tick(), out, size);
  });
  CHECK(has(site.view("/q"), R"("state":"hidden_by_flags")"));

  site.as("mo", KRING_ROLE_MODERATOR);
  site.accepted([&](auto out, auto size) {
    return kring_op_moderate(e, "m-hide", KRING_ACTION_HIDE, "a1", "rude", site.tick(), out, size);
  });
  CHECK(has(site.view("/q"), R"("state":"hidden_by_moderator")"));
  site.accepted(
      [&](auto out, auto size) { return kring_op_undo(e, "m-undo", "m-hide", "second look", site.tick(), out, size); });
  CHECK_FALSE(has(site.view("/q"), R"("state":"hidden_by_moderator")"));
  site.accepted([&](auto out, auto size) {
    return kring_op_moderate(e, "m-lock", KRING_ACTION_LOCK, "/q", "done", site.tick(), out, size);
  });
  CHECK(has(site.view("/q"), R"("state":"locked")"));
  site.accepted([&](auto out, auto size) {
    return kring_op_moderate(e, "m-unlock", KRING_ACTION_UNLOCK, "/q", "again", site.tick(), out, size);
  });
  site.accepted([&](auto out, auto size) {
    return kring_op_edit_title(e, "m-title", "/q", "Shoe sizes", "clearer", site.tick(), out, size);
  });
  CHECK(has(site.view("/q"), R"("title":"Shoe sizes")"));
  site.accepted([&](auto out, auto size) {
    return kring_op_suspend(e, "m-susp", "bob", site.clock + 86'400'000, "cool off", site.tick(), out, size);
  });
  site.accepted([&](auto out, auto size) {
    return kring_op_moderate(e, "m-unban", KRING_ACTION_UNBAN, "bob", "served", site.tick(), out, size);
  });
  site.accepted([&](auto out, auto size) {
    return kring_op_set_trust_level(e, "m-tl", "bob", 3, "regular", site.tick(), out, size);
  });

  site.as("cy", KRING_ROLE_MEMBER);
  site.accepted([&](auto out, auto size) {
    return kring_op_post(e, "s1", "/q", nullptr, "cheap pills", site.tick(), out, size);
  });
  site.as("mo", KRING_ROLE_MODERATOR);
  site.accepted(
      [&](auto out, auto size) { return kring_op_reject_as_spam(e, "m-spam", "s1", "spam", site.tick(), out, size); });
  CHECK(has(site.view("/q"), R"("state":"spam")"));

  site.as("ad", KRING_ROLE_ADMIN);
  site.accepted([&](auto out, auto size) {
    return kring_op_set_role(e, "m-role", "bob", KRING_ROLE_MODERATOR, "trusted", site.tick(), out, size);
  });

  site.as("ann", KRING_ROLE_MEMBER);
  const char* entered[] = {"/q"};
  site.accepted([&](auto out, auto size) {
    return kring_op_reading(e, "r1", entered, 1, nullptr, 0, 2, 45, site.tick(), out, size);
  });
}

TEST_CASE("c_api: typed makers carry each argument into the op", "[c-api][typed]") {
  TypedSite site;
  kring_engine* e = site.engine.get();
  site.as("ann", KRING_ROLE_STAFF);

  Op thread = site.made([&](auto out, auto size) {
    return kring_op_create_thread(e, "o-1", "/sku", "Boots", KRING_THREAD_KIND_DISCUSSION, "tick.et", 42, out, size);
  });
  CHECK(thread.id == "o-1");
  CHECK(thread.time == 42);
  CHECK(thread.actor.memberId == "ann");
  CHECK(thread.actor.role == Role::staff);
  const auto& create = std::get<CreateThread>(thread.body);
  CHECK((create.key == "/sku" && create.title == "Boots" && create.kind == ThreadKind::discussion &&
         create.ticket == "tick.et"));

  Op flag = site.made(
      [&](auto out, auto size) { return kring_op_flag(e, "f", "p", KRING_FLAG_REASON_OFFENSIVE, 1, out, size); });
  CHECK(std::get<FlagPost>(flag.body).reason == FlagReason::offensive);
  Op down = site.made([&](auto out, auto size) { return kring_op_vote(e, "v", "p", KRING_VOTE_DOWN, 1, out, size); });
  CHECK(std::get<CastVote>(down.body).direction == VoteDirection::down);

  Op spam = site.made([&](auto out, auto size) { return kring_op_reject_as_spam(e, "m", "p", "why", 1, out, size); });
  CHECK((std::get<Moderate>(spam.body).action == ModerationAction::reject && std::get<Moderate>(spam.body).asSpam &&
         std::get<Moderate>(spam.body).postId == "p"));
  Op reject = site.made(
      [&](auto out, auto size) { return kring_op_moderate(e, "m", KRING_ACTION_REJECT, "p", "why", 1, out, size); });
  CHECK_FALSE(std::get<Moderate>(reject.body).asSpam);
  Op ban = site.made(
      [&](auto out, auto size) { return kring_op_moderate(e, "m", KRING_ACTION_BAN, "bob", "why", 1, out, size); });
  CHECK((std::get<Moderate>(ban.body).memberId == "bob" && std::get<Moderate>(ban.body).postId.empty()));
  Op role = site.made(
      [&](auto out, auto size) { return kring_op_set_role(e, "m", "bob", KRING_ROLE_STAFF, "why", 1, out, size); });
  CHECK((std::get<Moderate>(role.body).role == Role::staff && std::get<Moderate>(role.body).memberId == "bob"));
  Op suspend =
      site.made([&](auto out, auto size) { return kring_op_suspend(e, "m", "bob", 99'000, "why", 1, out, size); });
  CHECK(std::get<Moderate>(suspend.body).until == 99'000);

  const char* entered[] = {"/a", "/b"};
  const char* seen[] = {"/c"};
  Op reading = site.made(
      [&](auto out, auto size) { return kring_op_reading(e, "r", entered, 2, seen, 1, 7, 30, 1, out, size); });
  const auto& batch = std::get<RecordReading>(reading.body);
  CHECK(batch.threadKeys == std::vector<std::string>{"/a", "/b"});
  CHECK(batch.readThreadKeys == std::vector<std::string>{"/c"});
  CHECK((batch.postsSeen == 7 && batch.secondsReading == 30));

  Op policy = site.made([&](auto out, auto size) {
    return kring_op_update_policy(e, "p", R"({"settings":{"privilegeVoteUp":3}})", 1, out, size);
  });
  CHECK(std::get<UpdatePolicy>(policy.body).policy.privilegeVoteUp == 3);
}

TEST_CASE("c_api: typed makers refuse what is out of range, with the status and a message", "[c-api][typed]") {
  TypedSite site;
  kring_engine* e = site.engine.get();
  site.as("ann", KRING_ROLE_MODERATOR);
  const std::uint8_t* out = reinterpret_cast<const std::uint8_t*>("stale");
  std::size_t size = 5;
  auto refused = [&](kring_status status, kring_status expected) {
    INFO(kring_last_error(e));
    CHECK(status == expected);
    CHECK(kring_last_status(e) == expected);
    CHECK_FALSE(std::string(kring_last_error(e)).empty());
    CHECK(out == nullptr);
    CHECK(size == 0);
  };
  refused(kring_op_vote(e, "v", "p", static_cast<kring_vote_direction>(3), 1, &out, &size), KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_vote(e, "v", "p", static_cast<kring_vote_direction>(-1), 1, &out, &size), KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_flag(e, "f", "p", static_cast<kring_flag_reason>(4), 1, &out, &size), KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_create_thread(e, "t", "/t", "T", static_cast<kring_thread_kind>(2), nullptr, 1, &out, &size),
          KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_moderate(e, "m", static_cast<kring_moderation_action>(19), "p", "why", 1, &out, &size),
          KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_moderate(e, "m", KRING_ACTION_SUSPEND, "bob", "why", 1, &out, &size), KRING_ERROR_OUT_OF_RANGE);
  CHECK(has(kring_last_error(e), "kring_op_suspend"));
  refused(kring_op_set_role(e, "m", "bob", static_cast<kring_role>(4), "why", 1, &out, &size),
          KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_post(e, "p", "/t", nullptr, "Body", -1, &out, &size), KRING_ERROR_OUT_OF_RANGE);
  refused(kring_op_update_policy(e, "p", R"({"settings":{"noSuchSetting":1}})", 1, &out, &size),
          KRING_REASON_INVALID_POLICY);
  CHECK(has(kring_last_error(e), "noSuchSetting"));
}
