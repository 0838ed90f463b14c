// The C API for clients of kring-server: ops built from plain arguments, sync messages encoded,
// server messages received into the replica. Bad input gives NULL or "invalid", never a change.
#include <memory>

#include "engine_fixture.h"
#include "json_reader.h"
#include "kring/kring.h"
#include "kring/sync.h"

using namespace kring;
using namespace kring::testing;

namespace {

using EnginePtr = std::unique_ptr<kring_engine, decltype(&kring_engine_destroy)>;

EnginePtr createEngine(std::string_view siteId = "site") {
  return EnginePtr(kring_engine_create(siteId.data(), siteId.size()), &kring_engine_destroy);
}

Bytes copy(const std::uint8_t* data, std::size_t size) { return data ? Bytes(data, data + size) : Bytes(); }

Bytes siteSnapshot(kring_engine* engine) {
  std::size_t size = 0;
  const std::uint8_t* out = kring_site_snapshot(engine, &size);
  return copy(out, size);
}

std::string lastError(kring_engine* engine) { return kring_last_error(engine); }

// The bytes of a typed op maker called as make(&out, &out_size); nullopt when it refuses.
template <typename Make>
std::optional<Bytes> made(Make make) {
  const std::uint8_t* out = nullptr;
  std::size_t size = 99;
  if (make(&out, &size) != KRING_OK) {
    CHECK((out == nullptr && size == 0));
    return std::nullopt;
  }
  return copy(out, size);
}

Op decoded(const Bytes& bytes) {
  Result<Op> op = decodeOp(bytes);
  INFO((op.ok() ? std::string() : op.error().message));
  REQUIRE(op.ok());
  return op.value();
}

Op deleteOp(kring_engine* engine, const char* id, const char* postId) {
  return decoded(made([&](auto out, auto size) { return kring_op_delete(engine, id, postId, 1, out, size); }).value());
}

ClientMessage decodedClient(const std::uint8_t* data, std::size_t size) {
  REQUIRE(data != nullptr);
  Result<ClientMessage> message = decodeClientMessage(ByteView(data, size));
  REQUIRE(message.ok());
  return message.value();
}

// kring_receive's JSON, parsed (it must be valid JSON).
Json receive(kring_engine* engine, ByteView message) {
  std::size_t size = 0;
  const char* text = kring_receive(engine, message.data(), message.size(), &size);
  REQUIRE(text != nullptr);
  std::optional<Json> json = JsonParser(std::string_view(text, size)).parse();
  INFO(std::string(text, size));
  REQUIRE(json.has_value());
  return *json;
}

Json receive(kring_engine* engine, const ServerMessage& message) {
  return receive(engine, encodeServerMessage(message));
}

void requireActor(kring_engine* engine, std::string_view id, std::string_view name, kring_role role) {
  REQUIRE(kring_set_actor(engine, id.data(), id.size(), name.data(), name.size(), role) == 0);
}

}  // namespace

TEST_CASE("kring_set_actor signs later ops", "[c-api][client]") {
  EnginePtr client = createEngine();
  requireActor(client.get(), "u1", "Ann", KRING_ROLE_STAFF);
  Op op = deleteOp(client.get(), "op-1", "p1");
  CHECK(op.actor.memberId == "u1");
  CHECK(op.actor.displayName == "Ann");
  CHECK(op.actor.role == Role::staff);
  CHECK(lastError(client.get()).empty());

  SECTION("and refuses an empty id or a role out of range, keeping the actor it had") {
    CHECK(kring_set_actor(client.get(), "", 0, "Nobody", 6, KRING_ROLE_MEMBER) ==
          static_cast<int>(ReasonCode::invalidMember));
    CHECK_FALSE(lastError(client.get()).empty());
    CHECK(kring_set_actor(client.get(), nullptr, 0, nullptr, 0, KRING_ROLE_MEMBER) ==
          static_cast<int>(ReasonCode::invalidMember));
    CHECK(kring_set_actor(client.get(), "u2", 2, "Bo", 2, static_cast<kring_role>(4)) == KRING_ERROR_OUT_OF_RANGE);
    CHECK(kring_set_actor(client.get(), "u2", 2, "Bo", 2, static_cast<kring_role>(-1)) == KRING_ERROR_OUT_OF_RANGE);
    CHECK(deleteOp(client.get(), "op-2", "p1").actor.memberId == "u1");
  }
  SECTION("a display name may be empty") {
    requireActor(client.get(), "u3", "", KRING_ROLE_MEMBER);
    CHECK(deleteOp(client.get(), "op-3", "p1").actor.displayName.empty());
  }
}

TEST_CASE("the typed makers build every op kind a client sends", "[c-api][client]") {
  EnginePtr client = createEngine();
  kring_engine* e = client.get();
  requireActor(e, "u1", "Ann", KRING_ROLE_MEMBER);
  const std::int64_t time = 1'700'000'123'456;
  auto op = [](auto make) { return decoded(made(make).value()); };

  Op thread = op([&](auto out, auto size) {
    return kring_op_create_thread(e, "op-1", "/sku-1", "Sizes", KRING_THREAD_KIND_QUESTION, "the-ticket", time, out,
                                  size);
  });
  CHECK(thread.id == "op-1");
  CHECK(thread.time == time);
  CHECK(thread.sequence == 0);
  REQUIRE(std::holds_alternative<CreateThread>(thread.body));
  CHECK(std::get<CreateThread>(thread.body).key == "/sku-1");
  CHECK(std::get<CreateThread>(thread.body).title == "Sizes");
  CHECK(std::get<CreateThread>(thread.body).kind == ThreadKind::question);
  CHECK(std::get<CreateThread>(thread.body).ticket == "the-ticket");  // the host's thread ticket
  CHECK_FALSE(std::get<CreateThread>(thread.body).hostApproved);      // only the server sets it
  CHECK(std::get<CreateThread>(op([&](auto out, auto size) {
                                 return kring_op_create_thread(e, "op-1", "/d", "", KRING_THREAD_KIND_DISCUSSION,
                                                               nullptr, time, out, size);
                               }).body)
            .kind == ThreadKind::discussion);

  Op post = op([&](auto out, auto size) {
    return kring_op_post(e, "op-2", "/sku-1", "op-0", "Hello **there**", time, out, size);
  });
  REQUIRE(std::holds_alternative<CreatePost>(post.body));
  CHECK(std::get<CreatePost>(post.body).threadKey == "/sku-1");
  CHECK(std::get<CreatePost>(post.body).parentId == "op-0");
  CHECK(std::get<CreatePost>(post.body).body == "Hello **there**");
  CHECK(std::get<CreatePost>(op([&](auto out, auto size) {
                               return kring_op_post(e, "op-2", "/sku-1", "", "Top", time, out, size);
                             }).body)
            .parentId.empty());

  Op edit = op([&](auto out, auto size) { return kring_op_edit(e, "op-3", "op-2", "New body", time, out, size); });
  REQUIRE(std::holds_alternative<EditPost>(edit.body));
  CHECK(std::get<EditPost>(edit.body).postId == "op-2");
  CHECK(std::get<EditPost>(edit.body).body == "New body");

  Op remove = deleteOp(e, "op-4", "op-2");
  REQUIRE(std::holds_alternative<DeletePost>(remove.body));
  CHECK(std::get<DeletePost>(remove.body).postId == "op-2");

  const VoteDirection directions[] = {VoteDirection::none, VoteDirection::up, VoteDirection::down};
  for (int number = 0; number < 3; ++number) {
    Op vote = op([&](auto out, auto size) {
      return kring_op_vote(e, "op-5", "op-2", static_cast<kring_vote_direction>(number), time, out, size);
    });
    REQUIRE(std::holds_alternative<CastVote>(vote.body));
    CHECK(std::get<CastVote>(vote.body).postId == "op-2");
    CHECK(std::get<CastVote>(vote.body).direction == directions[number]);
  }

  Op accept = op([&](auto out, auto size) { return kring_op_accept(e, "op-6", "op-2", time, out, size); });
  REQUIRE(std::holds_alternative<AcceptAnswer>(accept.body));
  CHECK(std::get<AcceptAnswer>(accept.body).answerId == "op-2");
  Op unaccept = op([&](auto out, auto size) { return kring_op_unaccept(e, "op-7", "op-2", time, out, size); });
  REQUIRE(std::holds_alternative<UnacceptAnswer>(unaccept.body));
  CHECK(std::get<UnacceptAnswer>(unaccept.body).answerId == "op-2");
}

TEST_CASE("the moderator makers aim each action where it looks and carry its argument", "[c-api][client]") {
  EnginePtr client = createEngine();
  kring_engine* e = client.get();
  requireActor(e, "mo", "Mo", KRING_ROLE_MODERATOR);
  auto moderate = [](auto make) {
    Op op = decoded(made(make).value());
    REQUIRE(std::holds_alternative<Moderate>(op.body));
    Moderate body = std::get<Moderate>(op.body);
    CHECK(body.reason == "house rules");
    return body;
  };
  Moderate lock = moderate([&](auto out, auto size) {
    return kring_op_moderate(e, "op-m", KRING_ACTION_LOCK, "/sku-1", "house rules", 1, out, size);
  });
  CHECK((lock.threadKey == "/sku-1" && lock.postId.empty()));
  CHECK(moderate([&](auto out, auto size) {
          return kring_op_set_trust_level(e, "op-m", "bob", 4, "house rules", 1, out, size);
        }).trustLevel == 4);
  Moderate retitle = moderate([&](auto out, auto size) {
    return kring_op_edit_title(e, "op-m", "/sku-1", "Acme Trail Runner 2", "house rules", 1, out, size);
  });
  CHECK((retitle.threadKey == "/sku-1" && retitle.title == "Acme Trail Runner 2" && retitle.postId.empty()));
  Op undo = decoded(
      made([&](auto out, auto size) { return kring_op_undo(e, "op-u", "op-m", "second look", 1, out, size); }).value());
  REQUIRE(std::holds_alternative<UndoModeration>(undo.body));
  CHECK(std::get<UndoModeration>(undo.body).moderationId == "op-m");
  CHECK(std::get<UndoModeration>(undo.body).reason == "second look");
}

TEST_CASE("ops from the typed makers apply to an engine", "[c-api][client]") {
  EnginePtr client = createEngine();
  kring_engine* e = client.get();
  requireActor(e, "u1", "Ann", KRING_ROLE_STAFF);  // staff create threads at TL0
  for (const Bytes& op : {made([&](auto out, auto size) {
                            return kring_op_create_thread(e, "op-1", "/t", "Title", KRING_THREAD_KIND_QUESTION, nullptr,
                                                          1, out, size);
                          }).value(),
                          made([&](auto out, auto size) {
                            return kring_op_post(e, "op-2", "/t", nullptr, "Question?", 2, out, size);
                          }).value()}) {
    std::size_t size = 0;
    const std::uint8_t* out = kring_apply(e, op.data(), op.size(), &size);
    Result<Outcome> outcome = decodeOutcome(ByteView(out, size));
    REQUIRE(outcome.ok());
    CHECK(outcome.value().accepted());
  }
  std::size_t size = 0;
  const char* view = kring_thread_view(e, "/t", 2, KRING_SORT_TOP, "u1", 2, &size);
  REQUIRE(view != nullptr);
  CHECK(std::string(view, size).find("\"authorName\":\"Ann\"") != std::string::npos);
}

TEST_CASE("client messages encode what they are given", "[c-api][client]") {
  EnginePtr client = createEngine();
  std::size_t size = 0;

  SECTION("hello") {
    const std::uint8_t* out = kring_encode_hello(client.get(), "acme", 4, "tok.en", 6, "tab-1", 5, nullptr, 0, &size);
    Hello hello = std::get<Hello>(decodedClient(out, size));
    CHECK(hello.siteId == "acme");
    CHECK(hello.token == "tok.en");
    CHECK(hello.clientId == "tab-1");
    CHECK(hello.protocolVersion == kProtocolVersion);
    CHECK(hello.guestCredential.empty());
    out = kring_encode_hello(client.get(), "acme", 4, nullptr, 0, "", 0, "kg1.cred", 8, &size);
    Hello guest = std::get<Hello>(decodedClient(out, size));
    CHECK(guest.token.empty());
    CHECK(guest.guestCredential == "kg1.cred");
  }
  SECTION("refresh token") {
    const std::uint8_t* out = kring_encode_refresh_token(client.get(), "new.tok.en", 10, &size);
    CHECK(std::get<RefreshToken>(decodedClient(out, size)).token == "new.tok.en");
  }
  SECTION("subscribe") {
    const std::uint64_t sequence = GENERATE(std::uint64_t{0}, std::uint64_t{42}, ~std::uint64_t{0});
    const std::uint8_t* out = kring_encode_subscribe(client.get(), "/t", 2, sequence, &size);
    Subscribe subscribe = std::get<Subscribe>(decodedClient(out, size));
    CHECK(subscribe.threadKey == "/t");
    CHECK(subscribe.lastSequence == sequence);
  }
  SECTION("render") {
    const std::string markdown = "# a *b*\n\n<script>";
    const std::uint8_t* out =
        kring_encode_render(client.get(), "preview-7", 9, markdown.data(), markdown.size(), &size);
    RenderRequest render = std::get<RenderRequest>(decodedClient(out, size));
    CHECK(render.requestId == "preview-7");
    CHECK(render.markdown == markdown);
  }
  SECTION("ping") {
    const std::uint64_t nonce = GENERATE(std::uint64_t{0}, std::uint64_t{1} << 63);
    const std::uint8_t* out = kring_encode_ping(client.get(), nonce, &size);
    CHECK(std::get<Ping>(decodedClient(out, size)).nonce == nonce);
  }
  SECTION("submit, straight from a typed maker's buffer") {
    requireActor(client.get(), "u1", "Ann", KRING_ROLE_MEMBER);
    std::size_t opSize = 0;
    const std::uint8_t* op = nullptr;
    REQUIRE(kring_op_post(client.get(), "op-9", "/t", "", "Hi", 5, &op, &opSize) == KRING_OK);
    REQUIRE(op != nullptr);
    const Bytes expected(op, op + opSize);
    const std::uint8_t* out = kring_encode_submit(client.get(), op, opSize, &size);
    Submit submit = std::get<Submit>(decodedClient(out, size));
    CHECK(encodeOp(submit.op) == expected);
    CHECK(submit.op.id == "op-9");
  }
  SECTION("submit refuses bytes that are not an op") {
    for (const Bytes& garbage : {Bytes{}, Bytes{1, 2, 3}, Bytes(64, 0xEE)}) {
      size = 77;
      CHECK(kring_encode_submit(client.get(), garbage.data(), garbage.size(), &size) == nullptr);
      CHECK(size == 0);
      CHECK_FALSE(lastError(client.get()).empty());
    }
    CHECK(kring_encode_submit(client.get(), nullptr, 10, &size) == nullptr);
  }
}

TEST_CASE("kring_receive describes every server message", "[c-api][client]") {
  EnginePtr client = createEngine();

  SECTION("welcome") {
    Policy policy;
    policy.privilegeVoteUp = 3;
    policy.watchedWords.push_back(WatchedWord{"en", "spam<script>", WatchAction::flag});
    Json json =
        receive(client.get(), Welcome{memberRecord("u1", "Ann <3", Role::moderator, 7, 2), kProtocolVersion, policy});
    CHECK(json["type"].string == "welcome");
    CHECK(json["member"]["id"].string == "u1");
    CHECK(json["member"]["displayName"].string == "Ann <3");
    CHECK(json["member"]["role"].string == "moderator");
    // The policy the Welcome carries is the engine's, as JSON the host can read (and parsePolicyJson
    // reads back equal).
    CHECK(std::count(json.keys.begin(), json.keys.end(), "policy") == 0);
    std::size_t size = 0;
    const char* text = kring_policy_json(client.get(), &size);
    REQUIRE(text != nullptr);
    std::optional<Json> policyJson = JsonParser(std::string_view(text, size)).parse();
    REQUIRE(policyJson);
    CHECK((*policyJson)["settings"]["privilegeVoteUp"].number == 3);
    CHECK((*policyJson)["settings"]["flagHideScore"].number == Policy{}.flagHideScore);
    CHECK((*policyJson)["watchedWords"][0]["word"].string == "spam<script>");
    CHECK((*policyJson)["watchedWords"][0]["action"].string == "flag");
    CHECK(json["guestCredential"].string.empty());
    CHECK(json["tokenExpiresAt"].number == 0);
    CHECK(json["preferencesUrl"].string.empty());
  }
  SECTION("welcome with the member's mail preferences page") {
    Welcome welcome;
    welcome.member = memberRecord("u1", "Ann", Role::member, 1, 0);
    welcome.preferencesUrl = "https://community.example/unsubscribe?site=s&member=dTE&sig=x";
    Json json = receive(client.get(), welcome);
    CHECK(json["type"].string == "welcome");
    CHECK(json["preferencesUrl"].string == "https://community.example/unsubscribe?site=s&member=dTE&sig=x");
  }
  SECTION("welcome with a guest credential and a token expiry") {
    Welcome welcome;
    welcome.member = memberRecord("guest:abc", "Guest", Role::member, 1, 0);
    welcome.guestCredential = "kg1.abc.test.1.sig";
    welcome.tokenExpiresAt = 1'700'000'600'000;
    Json json = receive(client.get(), welcome);
    CHECK(json["guestCredential"].string == "kg1.abc.test.1.sig");
    CHECK(json["tokenExpiresAt"].number == 1'700'000'600'000.0);
  }
  SECTION("rejected") {
    Json json =
        receive(client.get(), RejectedMessage{"op-3", ReasonCode::ownPost, "You cannot vote on your own post."});
    CHECK(json["type"].string == "rejected");
    CHECK(json["opId"].string == "op-3");
    CHECK(json["code"].string == "own_post");
    CHECK(json["message"].string == "You cannot vote on your own post.");
  }
  SECTION("error") {
    Json json = receive(client.get(), ErrorMessage{"bad_token", "The token has expired."});
    CHECK(json["type"].string == "error");
    CHECK(json["code"].string == "bad_token");
    CHECK(json["message"].string == "The token has expired.");
  }
  SECTION("pong, with all 64 bits of the nonce") {
    const Bytes message = encodeServerMessage(Pong{(std::uint64_t{1} << 63) + 5});
    std::size_t size = 0;
    const char* text = kring_receive(client.get(), message.data(), message.size(), &size);
    CHECK(std::string(text, size) == R"({"type":"pong","nonce":9223372036854775813})");
  }
}

TEST_CASE("kring_receive keeps a replica of the threads a client follows", "[c-api][client]") {
  Community server;
  std::string key = server.thread(server.alice, "/q", ThreadKind::question);
  std::string question = server.post(server.bob, key, "Which size?");
  EnginePtr client = createEngine();

  // The snapshot in small parts: the engine keeps them until the last one.
  std::vector<ThreadSnapshotPart> parts =
      splitSnapshot(key, encodeThreadSnapshot(server.engine, key, fullViewer()).value(), 100);
  REQUIRE(parts.size() > 2);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    Json part = receive(client.get(), parts[i]);
    CHECK(part["type"].string == "snapshot_part");
    CHECK(part["receivedBytes"].number == static_cast<double>(parts[i].offset + parts[i].bytes.size()));
    CHECK(kring_thread_last_sequence(client.get(), key.data(), key.size()) == 0);
  }
  Json snapshot = receive(client.get(), parts.back());
  CHECK(snapshot["type"].string == "snapshot");
  CHECK(snapshot["threadKey"].string == key);
  CHECK(snapshot["lastSequence"].number == static_cast<double>(server.engine.lastSequence()));
  CHECK(kring_last_sequence(client.get()) == server.engine.lastSequence());

  // Two ops in one message: an answer, and the asker voting it up.
  Outcome answer = server.requireAccepted(server.ops.post(server.carol, key, "Medium.", question));
  Outcome vote = server.requireAccepted(server.ops.vote(server.bob, answer.opId, VoteDirection::up));
  std::vector<Event> events = answer.events;
  events.insert(events.end(), vote.events.begin(), vote.events.end());
  Json applied = receive(client.get(), EventsMessage{key, answer.events[0].sequence, events});
  CHECK(applied["type"].string == "events");
  CHECK(applied["threadKey"].string == key);
  CHECK(applied["fromSequence"].number == static_cast<double>(answer.events[0].sequence));
  CHECK(applied["lastSequence"].number == static_cast<double>(vote.events[0].sequence));
  REQUIRE(applied["opIds"].items.size() == 2);
  CHECK(applied["opIds"][0].string == answer.opId);
  CHECK(applied["opIds"][1].string == vote.opId);
  CHECK(kring_thread_last_sequence(client.get(), key.data(), key.size()) == vote.events[0].sequence);
  CHECK(kring_thread_last_sequence(client.get(), "/never", 6) == 0);
  CHECK(kring_thread_last_sequence(client.get(), nullptr, 0) == 0);

  std::size_t size = 0;
  const char* view = kring_thread_view(client.get(), key.data(), key.size(), KRING_SORT_TOP, "bob", 3, &size);
  REQUIRE(view != nullptr);
  CHECK(std::string(view, size) == toJson(server.view(key, SortOrder::top, "bob")));
  const std::uint8_t* bytes = kring_thread_snapshot(client.get(), key.data(), key.size(), &size);
  CHECK(copy(bytes, size) == encodeThreadSnapshot(server.engine, key, fullViewer()).value());

  SECTION("garbage is invalid and changes nothing") {
    const Bytes before = siteSnapshot(client.get());
    for (const Bytes& garbage : {Bytes{}, Bytes{1, 2, 3}, Bytes(64, 0xEE), Bytes(16, 0)}) {
      Json json = receive(client.get(), garbage);
      CHECK(json["type"].string == "invalid");
      CHECK_FALSE(json["message"].string.empty());
    }
    CHECK(siteSnapshot(client.get()) == before);
  }
  SECTION("events the replica refuses are invalid and change nothing") {
    const Bytes before = siteSnapshot(client.get());
    std::vector<Event> contradicting = vote.events;  // bob voted already
    Json json = receive(client.get(), EventsMessage{key, 99, contradicting});
    CHECK(json["type"].string == "invalid");
    CHECK(json["message"].string.find(vote.opId) != std::string::npos);
    CHECK(siteSnapshot(client.get()) == before);
  }
  SECTION("a snapshot the replica refuses is invalid and changes nothing") {
    const Bytes before = siteSnapshot(client.get());
    Json json = receive(client.get(), ThreadSnapshotPart{key, 0, 48, Bytes(48, 0x21)});
    CHECK(json["type"].string == "invalid");
    CHECK(siteSnapshot(client.get()) == before);
  }
  SECTION("a part that skips ahead is invalid, and a part at offset 0 starts the snapshot again") {
    const Bytes before = siteSnapshot(client.get());
    CHECK(receive(client.get(), parts[0])["type"].string == "snapshot_part");
    CHECK(receive(client.get(), parts[2])["type"].string == "invalid");
    CHECK(receive(client.get(), parts[1])["type"].string == "invalid");  // the thread's parts were dropped
    CHECK(siteSnapshot(client.get()) == before);
    CHECK(receive(client.get(), parts[0])["type"].string == "snapshot_part");
    CHECK(receive(client.get(), parts[1])["type"].string == "snapshot_part");
    CHECK(receive(client.get(), parts[0])["type"].string == "snapshot_part");  // a reconnect's snapshot
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) receive(client.get(), parts[i]);
    CHECK(receive(client.get(), parts.back())["type"].string == "snapshot");
  }
  SECTION("a snapshot larger than a client takes is refused at its first part") {
    ThreadSnapshotPart huge{key, 0, kMaxThreadSnapshotBytes + 1, Bytes(16, 0)};
    Json json = receive(client.get(), huge);
    CHECK(json["type"].string == "invalid");
    CHECK(json["message"].string.find("larger") != std::string::npos);
  }
  SECTION("an acknowledgement without events names its op and moves only the sequence") {
    Sequence reading = vote.events[0].sequence + 1;
    Json json = receive(client.get(), EventsMessage{"", reading, {}, "reading-1"});
    CHECK(json["type"].string == "events");
    REQUIRE(json["opIds"].items.size() == 1);
    CHECK(json["opIds"][0].string == "reading-1");
    CHECK(kring_last_sequence(client.get()) == reading);
    CHECK(kring_thread_last_sequence(client.get(), key.data(), key.size()) == vote.events[0].sequence);
  }
  SECTION("rendered bodies come out with the events that carry them, and change nothing in the replica") {
    const Sequence before = kring_last_sequence(client.get());
    Json json =
        receive(client.get(), EventsMessage{key, before, {}, {}, {RenderedBody{"p-1", 7, "<p>a &lt;b&gt;</p>\n"}}});
    CHECK(json["type"].string == "events");
    REQUIRE(json["rendered"].items.size() == 1);
    CHECK(json["rendered"][0]["postId"].string == "p-1");
    CHECK(json["rendered"][0]["editedAt"].number == 7);
    CHECK(json["rendered"][0]["html"].string == "<p>a &lt;b&gt;</p>\n");
    CHECK(kring_last_sequence(client.get()) == before);
  }
  SECTION("events of a thread the client does not follow bring only their members") {
    std::string other = server.thread(server.dave, "/other");
    Outcome post = server.requireAccepted(server.ops.post(server.staff, other, "Elsewhere"));
    Json json = receive(client.get(), EventsMessage{other, post.events[0].sequence, post.events});
    CHECK(json["type"].string == "events");
    CHECK(json["opIds"][0].string == post.opId);
    size = 0;
    CHECK(kring_thread_view(client.get(), other.data(), other.size(), KRING_SORT_TOP, nullptr, 0, &size) == nullptr);
    CHECK(kring_last_sequence(client.get()) == post.events[0].sequence);
    // The site's sequence moved on; the followed thread's did not.
    CHECK(kring_thread_last_sequence(client.get(), key.data(), key.size()) == vote.events[0].sequence);
  }
}

TEST_CASE("a client on the C API alone follows a server through sync messages", "[c-api][client]") {
  // The "server" decodes what the client encodes and answers with what it encodes itself.
  Engine server("site");
  EnginePtr client = createEngine();
  std::size_t size = 0;
  std::int64_t clock = 1'700'000'000'000;
  kring_engine* e = client.get();
  // make(time, &out, &out_size): a typed maker, called at the client's next tick.
  auto submit = [&](auto make) {
    std::size_t opSize = 0;
    const std::uint8_t* op = nullptr;
    REQUIRE(make(clock += 1000, &op, &opSize) == KRING_OK);
    const std::uint8_t* frame = kring_encode_submit(client.get(), op, opSize, &size);
    Op received = std::get<Submit>(decodedClient(frame, size)).op;  // size was set by the call above
    received.sequence = server.lastSequence() + 1;
    std::optional<std::string> key = server.threadKeyOf(received);
    Outcome outcome = server.apply(received);
    ServerMessage reply = outcome.accepted()
                              ? ServerMessage(EventsMessage{key.value(), received.sequence, outcome.events})
                              : ServerMessage(RejectedMessage{outcome.opId, outcome.code, outcome.message});
    return receive(client.get(), reply);
  };

  requireActor(client.get(), "ben", "Ben", KRING_ROLE_STAFF);  // staff create threads; new members may not
  CHECK(submit([&](auto t, auto out, auto n) {
          return kring_op_create_thread(e, "c-1", "/sku-9", "Questions", KRING_THREAD_KIND_QUESTION, nullptr, t, out,
                                        n);
        })["type"]
            .string == "events");
  requireActor(client.get(), "ann", "Ann", KRING_ROLE_MEMBER);
  CHECK(submit([&](auto t, auto out, auto n) {
          return kring_op_post(e, "c-2", "/sku-9", nullptr, "Does it fit?", t, out, n);
        })["opIds"][0]
            .string == "c-2");
  requireActor(client.get(), "ben", "Ben", KRING_ROLE_STAFF);
  submit(
      [&](auto t, auto out, auto n) { return kring_op_post(e, "c-3", "/sku-9", "c-2", "Yes, it does.", t, out, n); });
  submit([&](auto t, auto out, auto n) { return kring_op_post(e, "c-4", "/sku-9", "c-3", "Thanks", t, out, n); });
  Json own = submit([&](auto t, auto out, auto n) { return kring_op_vote(e, "c-5", "c-3", KRING_VOTE_UP, t, out, n); });
  CHECK(own["type"].string == "rejected");
  CHECK(own["code"].string == "own_post");
  requireActor(client.get(), "ann", "Ann", KRING_ROLE_MEMBER);
  submit([&](auto t, auto out, auto n) { return kring_op_vote(e, "c-6", "c-3", KRING_VOTE_UP, t, out, n); });
  submit([&](auto t, auto out, auto n) { return kring_op_accept(e, "c-7", "c-3", t, out, n); });
  submit([&](auto t, auto out, auto n) {
    return kring_op_edit(e, "c-8", "c-2", "Does it fit a 15\" laptop?", t, out, n);
  });
  requireActor(client.get(), "ben", "Ben", KRING_ROLE_STAFF);
  submit([&](auto t, auto out, auto n) { return kring_op_delete(e, "c-9", "c-4", t, out, n); });
  requireActor(client.get(), "ann", "Ann", KRING_ROLE_MEMBER);
  submit([&](auto t, auto out, auto n) { return kring_op_unaccept(e, "c-10", "c-3", t, out, n); });
  CHECK(
      submit([&](auto t, auto out, auto n) { return kring_op_unaccept(e, "c-11", "c-3", t, out, n); })["code"].string ==
      "not_accepted");

  const std::uint8_t* bytes = kring_thread_snapshot(client.get(), "/sku-9", 6, &size);
  // The client's member holds the thread as the server projects it for them.
  Viewer ann = viewerOf(server, Actor{"ann", "Ann", Role::member}, 0);
  CHECK(copy(bytes, size) == encodeThreadSnapshot(server, "/sku-9", ann).value());
  const char* view = kring_thread_view(client.get(), "/sku-9", 6, KRING_SORT_NEWEST, "ann", 3, &size);
  REQUIRE(view != nullptr);
  CHECK(std::string(view, size) == toJson(server.threadView("/sku-9", SortOrder::newest, "ann").value()));
  CHECK(kring_last_sequence(client.get()) == server.lastSequence());
}
