// Native half of the parity test: generates the op log, and replays it through the C API,
// writing every outcome, the final site snapshot, and each thread's snapshot and views.
// The wasm half (replay_wasm.mjs) must produce the same bytes.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "kring/codec.h"
#include "kring/kring.h"
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

const char* kOpKinds[] = {"create_thread", "post", "edit",     "delete", "vote",   "accept",
                          "unaccept",      "flag", "moderate", "undo",   "policy", "reading"};
static_assert(std::size(kOpKinds) == std::variant_size_v<kring::OpBody>);

int generate(int argc, char** argv) {
  kring::testing::GeneratorOptions options;
  options.seed = std::stoull(argument(argc, argv, "--seed", "42"));
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
  int erasures = 0;  // accepted: the words they took out must read the same on both sides
  for (kring::ByteView frame : frames.value()) {
    std::size_t size = 0;
    const std::uint8_t* bytes = kring_apply(engine, frame.data(), frame.size(), &size);
    kring::appendFrame(outcomes, kring::ByteView(bytes, size));
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
  covered = covered && held > 0 && erasures > 0 && reasons.size() >= 35;
  if (!covered) {
    std::fprintf(
        stderr,
        "the log does not cover every op kind both ways, held posts, erasures, malformed frames and 35 reason codes\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "gen") return generate(argc, argv);
  if (command == "replay") return replay(argc, argv);
  std::cerr
      << "usage: kring_parity_native gen --seed N --ops N --out FILE\n"
         "       kring_parity_native replay --log FILE --outcomes FILE --snapshot FILE --views FILE --keys FILE\n";
  return 2;
}
