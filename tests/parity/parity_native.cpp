// Native half of the parity test: generates the op log, and replays it through the C API,
// writing every outcome, the final site snapshot, and each thread's snapshot and views.
// The wasm half (replay_wasm.mjs) must produce the same bytes.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "kring/codec.h"
#include "kring/kring.h"
#include "kring/replica.h"
#include "kring/snapshot.h"
#include "kring/sync.h"
#include "kring/thread_page.h"
#include "op_generator.h"

namespace {

kring::Bytes readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return kring::Bytes(std::istreambuf_iterator<char>(in), {});
}

bool writeFile(const std::string& path, const kring::Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::string argument(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

const char* kOpKinds[] = {"create_thread", "post",        "edit",           "delete", "vote",   "accept",
                          "unaccept",      "flag",        "moderate",       "undo",   "policy", "reading",
                          "check_alerts",  "import_post", "claim_imported", "follow"};
static_assert(std::size(kOpKinds) == std::variant_size_v<kring::OpBody>);

int generate(int argc, char** argv) {
  kring::testing::GeneratorOptions options;
  options.seed = std::stoull(argument(argc, argv, "--seed", "42"));
  options.scheduledChecks = true;
  options.ops = static_cast<std::uint32_t>(std::stoul(argument(argc, argv, "--ops", "12000")));
  return writeFile(argument(argc, argv, "--out", "oplog.bin"), kring::testing::generateOpLog(options)) ? 0 : 1;
}

// Replays, and checks the log really exercises the engine: every op kind both accepted and
// rejected, malformed frames, and most reason codes.
int replay(int argc, char** argv) {
  kring::Bytes log = readFile(argument(argc, argv, "--log", "oplog.bin"));
  auto frames = kring::splitFrames(log);
  if (!frames) {
    std::cerr << "bad log: " << frames.error().message << "\n";
    return 1;
  }
  kring_engine* engine = kring_engine_create("parity", 6);
  kring::Bytes outcomes;
  std::map<std::string, std::pair<int, int>> byKind;  // accepted, rejected
  std::set<kring::ReasonCode> reasons;
  std::set<std::string> threadKeys;
  int malformed = 0;
  int held = 0;
  int erasures = 0;      // accepted: the words they took out must read the same on both sides
  kring::Bytes intents;  // per op: who is told of it (JSON), after its outcome
  std::map<std::string, int> toldByKind;
  for (kring::ByteView frame : frames.value()) {
    std::size_t size = 0;
    const std::uint8_t* bytes = kring_apply(engine, frame.data(), frame.size(), &size);
    kring::appendFrame(outcomes, kring::ByteView(bytes, size));
    const kring::Bytes outcomeBytes(bytes, bytes + size);
    std::size_t told = 0;
    const char* json = kring_notification_intents_json(engine, frame.data(), frame.size(), outcomeBytes.data(),
                                                       outcomeBytes.size(), &told);
    const std::string_view text = json ? std::string_view(json, told) : std::string_view("null");
    kring::appendFrame(intents, kring::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    for (const char* kind : {"\"reply\"", "\"answer\"", "\"answer_accepted\"", "\"followed_thread\"",
                             "\"unanswered_question\"", "\"post_queued\"", "\"daily_digest\""}) {
      for (std::size_t at = text.find(kind); at != std::string_view::npos; at = text.find(kind, at + 1))
        toldByKind[kind] += 1;
    }
    auto outcome = kring::decodeOutcome(kring::ByteView(bytes, size));
    auto op = kring::decodeOp(frame);
    if (!outcome) {
      std::cerr << "undecodable outcome\n";
      return 1;
    }
    reasons.insert(outcome.value().code);
    if (!op) {
      ++malformed;
      continue;
    }
    auto& counts = byKind[kOpKinds[op.value().body.index()]];
    (outcome.value().stored() ? counts.first : counts.second) += 1;
    if (outcome.value().status == kring::OutcomeStatus::held) ++held;
    if (auto* moderate = std::get_if<kring::Moderate>(&op.value().body);
        moderate && moderate->action == kring::ModerationAction::erase && outcome.value().accepted()) {
      ++erasures;
    }
    if (auto* thread = std::get_if<kring::CreateThread>(&op.value().body); thread && outcome.value().accepted()) {
      threadKeys.insert(thread->key);
    }
  }

  std::size_t size = 0;
  const std::uint8_t* snapshot = kring_site_snapshot(engine, &size);
  bool written = writeFile(argument(argc, argv, "--outcomes", "outcomes.bin"), outcomes) &&
                 writeFile(argument(argc, argv, "--intents", "intents.bin"), intents) &&
                 writeFile(argument(argc, argv, "--snapshot", "snapshot.bin"), kring::Bytes(snapshot, snapshot + size));

  // Per thread: its snapshot and the three views, in key order; the keys go to a text file.
  kring::Bytes views;
  std::string keys;
  for (const std::string& key : threadKeys) {
    keys += key + "\n";
    const std::uint8_t* threadSnapshot = kring_thread_snapshot(engine, key.data(), key.size(), &size);
    kring::appendFrame(views, kring::ByteView(threadSnapshot, size));
    for (int order = KRING_SORT_TOP; order <= KRING_SORT_OLDEST; ++order) {
      const char* json =
          kring_thread_view(engine, key.data(), key.size(), static_cast<kring_sort_order>(order), "m5", 2, &size);
      kring::appendFrame(views, kring::ByteView(reinterpret_cast<const std::uint8_t*>(json), size));
    }
  }
  // Metrics over the whole log, per kind and for both.
  for (int kind = -1; kind <= 1; ++kind) {
    const char* json = kring_metrics_json(engine, 0, std::int64_t{1} << 50, kind, &size);
    kring::appendFrame(views, kring::ByteView(reinterpret_cast<const std::uint8_t*>(json), size));
  }
  written = written && writeFile(argument(argc, argv, "--views", "views.bin"), views) &&
            writeFile(argument(argc, argv, "--keys", "keys.txt"), kring::Bytes(keys.begin(), keys.end()));
  kring_engine_destroy(engine);
  if (!written) return 1;

  std::printf("%-14s %9s %9s\n", "op", "accepted", "rejected");
  bool covered = malformed > 0 && reasons.size() >= 20;
  for (const char* kind : kOpKinds) {
    auto counts = byKind[kind];
    std::printf("%-14s %9d %9d\n", kind, counts.first, counts.second);
    covered = covered && counts.first > 0 && counts.second > 0;
  }
  std::printf("frames %zu, malformed %d, held %d, erasures %d, distinct reason codes %zu, threads %zu\n",
              frames.value().size(), malformed, held, erasures, reasons.size(), threadKeys.size());
  std::printf(
      "notification intents: reply %d, answer %d, answer_accepted %d, followed_thread %d, unanswered_question %d, "
      "post_queued %d, daily_digest %d\n",
      toldByKind["\"reply\""], toldByKind["\"answer\""], toldByKind["\"answer_accepted\""],
      toldByKind["\"followed_thread\""], toldByKind["\"unanswered_question\""], toldByKind["\"post_queued\""],
      toldByKind["\"daily_digest\""]);
  covered = covered && held > 0 && erasures > 0 && reasons.size() >= 35 && toldByKind.size() == 7;
  if (!covered) {
    std::fprintf(
        stderr,
        "the log does not cover every op kind both ways, held posts, erasures, malformed frames and 35 reason codes\n");
    return 1;
  }
  return 0;
}

// A replica that holds part of threads: from half-way through the log, the three busiest threads are
// followed paged (small pages), and pages of their lists are loaded now and then, as a client asks.
// Every ServerMessage the replica gets goes to --messages; what kring_receive said of it and the
// followed threads' views after it, and every LoadPage the replica asked for, go to --views. The
// wasm half feeds it the same messages and must say, show and ask exactly the same.
int paged(int argc, char** argv) {
  const kring::Bytes log = readFile(argument(argc, argv, "--log", "oplog.bin"));
  auto frames = kring::splitFrames(log);
  if (!frames) return 1;
  std::vector<kring::Op> ops;
  for (kring::ByteView frame : frames.value()) {
    if (auto op = kring::decodeOp(frame)) ops.push_back(std::move(op.value()));
  }
  const kring::PageSize size{3, 8, 1};
  kring::Engine server("parity");
  kring_engine* replica = kring_engine_create("replica", 7);
  kring::Bytes messages;
  kring::Bytes views;
  kring::Bytes asks;  // per LoadPage: "<messages before it>|<thread>|<parent>", then its bytes
  std::size_t delivered = 0;
  std::vector<std::string> followed;
  std::size_t pages = 0;
  std::size_t skipped = 0;  // events about posts the replica had not loaded
  auto record = [&](const char* text, std::size_t length) {
    kring::appendFrame(views, kring::ByteView(reinterpret_cast<const std::uint8_t*>(text), length));
  };
  auto deliver = [&](const kring::ServerMessage& message) {
    kring::Bytes bytes = kring::encodeServerMessage(message);
    kring::appendFrame(messages, bytes);
    ++delivered;
    std::size_t length = 0;
    const char* said = kring_receive(replica, bytes.data(), bytes.size(), &length);
    if (said == nullptr || std::string_view(said, length).find("\"invalid\"") != std::string_view::npos) {
      std::cerr << "the native replica refused a message: " << std::string_view(said ? said : "", length) << "\n";
      std::exit(1);
    }
    record(said, length);
    for (const std::string& key : followed) {
      const char* view = kring_thread_view(replica, key.data(), key.size(), KRING_SORT_OLDEST, "m5", 2, &length);
      if (view) record(view, length);
    }
  };
  auto sendPage = [&](const kring::LoadPage& request, bool first) {
    auto page = kring::encodeThreadPage(server, request, first, kring::fullViewer(), size);
    if (!page) {
      std::cerr << "no page: " << page.error().message << "\n";
      std::exit(1);
    }
    for (auto& part : kring::splitSnapshot(request.threadKey, page.value().bytes, 512)) deliver(std::move(part));
  };
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const std::string opThread = server.threadKeyOf(ops[i]).value_or(std::string());
    kring::Outcome outcome = server.apply(ops[i]);
    if (i == ops.size() / 2) {
      std::vector<std::pair<std::size_t, std::string>> busiest;
      for (const kring::ThreadSummary& thread : server.threadSummaries()) {
        busiest.emplace_back(kring::threadPostRecords(server, thread.key, kring::fullViewer()).size(), thread.key);
      }
      std::sort(busiest.rbegin(), busiest.rend());
      for (std::size_t t = 0; t < 3 && t < busiest.size(); ++t) {
        followed.push_back(busiest[t].second);
        sendPage(kring::LoadPage{busiest[t].second, static_cast<kring::SortOrder>(t % 3), {}, {}}, true);
      }
    }
    if (followed.empty() || !outcome.stored()) continue;
    std::vector<kring::Event> events = kring::eventsForReplicas(server, ops[i], outcome);
    bool follows = std::find(followed.begin(), followed.end(), opThread) != followed.end();
    if (!follows) {
      std::erase_if(events, [](const kring::Event& e) {
        return !std::holds_alternative<kring::MemberJoined>(e.body) &&
               !std::holds_alternative<kring::MemberChanged>(e.body) &&
               !std::holds_alternative<kring::PolicyChanged>(e.body);
      });
      if (events.empty()) continue;
    }
    for (const kring::Event& event : events) {
      if (const auto* vote = std::get_if<kring::VoteChanged>(&event.body); vote && follows) {
        std::size_t length = 0;
        const char* view =
            kring_thread_view(replica, opThread.data(), opThread.size(), KRING_SORT_OLDEST, "", 0, &length);
        if (view && std::string_view(view, length).find("\"" + vote->postId + "\"") == std::string_view::npos)
          ++skipped;
      }
    }
    deliver(kring::EventsMessage{opThread, ops[i].sequence, std::move(events)});
    if (i % 25 == 0) {
      // The next page of the top-level list, or of the replies of the first post with some left.
      const std::string& key = followed[(i / 25) % followed.size()];
      std::size_t length = 0;
      const char* view = kring_thread_view(replica, key.data(), key.size(), KRING_SORT_OLDEST, "", 0, &length);
      std::string parent;
      if (view && (i / 25) % 2 == 1) {
        std::string_view json(view, length);
        std::size_t at = json.find("\"unloadedReplies\":");
        while (at != std::string_view::npos && json.compare(at + 18, 2, "0}") == 0)
          at = json.find("\"unloadedReplies\":", at + 1);
        if (at != std::string_view::npos) {
          std::size_t id = json.rfind("{\"id\":\"", at);
          std::size_t end = json.find('"', id + 7);
          parent = std::string(json.substr(id + 7, end - id - 7));
        }
      }
      const std::uint8_t* asked =
          kring_encode_load_page(replica, key.data(), key.size(), parent.data(), parent.size(), &length);
      if (!asked) continue;
      const std::string meta = std::to_string(delivered) + "|" + key + "|" + parent;
      kring::appendFrame(asks, kring::Bytes(meta.begin(), meta.end()));
      kring::appendFrame(asks, kring::ByteView(asked, length));
      auto request = kring::decodeClientMessage(kring::ByteView(asked, length));
      if (!request || !std::holds_alternative<kring::LoadPage>(request.value())) return 1;
      sendPage(std::get<kring::LoadPage>(request.value()), false);
      ++pages;
    }
  }
  kring_engine_destroy(replica);
  std::printf("paged: %zu threads followed, %zu pages loaded, %zu votes on posts not loaded\n", followed.size(), pages,
              skipped);
  if (followed.size() < 3 || pages < 20 || skipped == 0) {
    std::fprintf(stderr, "the paged replay must follow 3 threads, load 20 pages and skip votes on posts not loaded\n");
    return 1;
  }
  std::string keys;
  for (const std::string& key : followed) keys += key + "\n";
  return writeFile(argument(argc, argv, "--messages", "messages.bin"), messages) &&
                 writeFile(argument(argc, argv, "--views", "paged_views.bin"), views) &&
                 writeFile(argument(argc, argv, "--asks", "paged_asks.bin"), asks) &&
                 writeFile(argument(argc, argv, "--keys", "paged_keys.txt"), kring::Bytes(keys.begin(), keys.end()))
             ? 0
             : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "gen") return generate(argc, argv);
  if (command == "replay") return replay(argc, argv);
  if (command == "paged") return paged(argc, argv);
  std::cerr << "usage: kring_parity_native gen --seed N --ops N --out FILE\n"
               "       kring_parity_native replay --log FILE --outcomes FILE --intents FILE --snapshot FILE --views "
               "FILE --keys FILE\n"
               "       kring_parity_native paged --log FILE --messages FILE --views FILE --asks FILE --keys FILE\n";
  return 2;
}
