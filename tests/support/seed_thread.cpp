// kring_seed_thread: writes a kring-server SQLite store holding one site with one very large thread,
// so browser tests and benchmarks start kring-server (--db sqlite:PATH) on a 100,000-post thread in
// seconds instead of posting every op over WebSocket.
//
//   kring_seed_thread --db PATH --site SITE --thread KEY --kind question|discussion --posts N
//                     [--reply-every R] [--authors A] [--title T] [--policy JSON] [--timings]
//
// The state is made the way the server makes it: real ops applied to a kring::Engine (a createThread
// by seed-1, then N posts `p-1`..`p-N` by seed-1..seed-A, one second apart; every R-th post replies
// to an earlier top-level post), then written with the server's own store code: the ops appended to
// the log and a checkpoint that compacts them to their ids, as a server that checkpointed would leave
// them. The site's policy (--policy, a sites file's "policy" object) defaults to the benchmarks' one
// (tests/bench/widget_bench.mjs): no rate limit trips and nothing is held. Give the server's sites
// file the same policy, or the site keeps the stored one (adoptConfiguredPolicy).
//
// Prints one line: posts, top-level posts, replies, store bytes, seconds. Exits non-zero, leaving
// no store, when an op is not accepted as visible.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kring/checkpoint.h"
#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/op.h"
#include "kring/policy_json.h"
#include "store/checkpoint_writer.h"
#include "store/op_log.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace kring;
using Clock = std::chrono::steady_clock;

// The benchmarks' site policy (tests/bench/widget_bench.mjs): members post as fast as seeding wants.
constexpr std::string_view kDefaultPolicy =
    R"({"settings": {"ratePostsTrust0": 1000, "ratePostsTrust1": 1000, "spamHoldScore": 1000000,)"
    R"( "threadCreateMinTrustLevel": 0}})";
constexpr TimeMs kStart = 1'700'000'000'000;  // 2023-11-14: the ops' clock, one second per op
constexpr TimeMs kSpacing = 1000;

struct Options {
  std::string db;
  std::string site;
  std::string thread;
  ThreadKind kind = ThreadKind::discussion;
  std::uint32_t posts = 0;
  std::uint32_t replyEvery = 5;
  std::uint32_t authors = 8;
  std::string title;
  std::string policy{kDefaultPolicy};
  bool timings = false;
};

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "kring_seed_thread: %s\n", problem.c_str());
  std::fprintf(stderr,
               "usage: kring_seed_thread --db PATH --site SITE --thread KEY --kind question|discussion --posts N\n"
               "                         [--reply-every R (5)] [--authors A (8)] [--title T] [--policy JSON]\n"
               "                         [--timings]\n"
               "  default policy: %s\n",
               std::string(kDefaultPolicy).c_str());
  std::exit(2);
}

std::uint32_t number(const std::string& flag, const std::string& text, std::uint32_t least) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < least || value > 100'000'000) {
    usage(flag + " must be a whole number from " + std::to_string(least));
  }
  return static_cast<std::uint32_t>(value);
}

Options parse(int argc, char** argv) {
  Options options;
  bool kindGiven = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--timings") {
      options.timings = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") usage("");
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--db") {
      options.db = value;
    } else if (flag == "--site") {
      options.site = value;
    } else if (flag == "--thread") {
      options.thread = value;
    } else if (flag == "--kind") {
      if (value != "question" && value != "discussion") usage("--kind is question or discussion");
      options.kind = value == "question" ? ThreadKind::question : ThreadKind::discussion;
      kindGiven = true;
    } else if (flag == "--posts") {
      options.posts = number(flag, value, 1);
    } else if (flag == "--reply-every") {
      options.replyEvery = number(flag, value, 2);
    } else if (flag == "--authors") {
      options.authors = number(flag, value, 1);
    } else if (flag == "--title") {
      options.title = value;
    } else if (flag == "--policy") {
      options.policy = value;
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (options.db.empty() || options.site.empty() || options.thread.empty() || !kindGiven || options.posts == 0) {
    usage("--db, --site, --thread, --kind and --posts are required");
  }
  if (options.title.empty()) options.title = "Seeded thread of " + std::to_string(options.posts) + " posts";
  return options;
}

// Bodies of varied length (about 40 to 400 characters) with some Markdown, as the widget benchmark
// posts them (body() in tests/bench/widget_bench.mjs), so rendering costs what a real thread's would.
std::string body(std::uint64_t n) {
  static constexpr std::string_view kWords[] = {"the",     "sole",  "grip", "fits",        "true",   "to",
                                                "size",    "after", "a",    "month",       "of",     "trail",
                                                "running", "mud",   "dry",  "comfortable", "narrow", "toe",
                                                "box",     "laces", "heel", "cushioning",  "rocky",  "descent"};
  constexpr std::uint64_t kCount = std::size(kWords);
  const std::uint64_t length = 8 + (n * 37) % 60;
  std::string text;
  for (std::uint64_t i = 0; i < length; ++i) {
    if (i != 0) text += ' ';
    text += kWords[(n * 7 + i * 13) % kCount];
  }
  const std::string number = std::to_string(n);
  if (n % 4 == 0) {
    return "**Post " + number + ".** " + text + "\n\n- " + std::string(kWords[n % kCount]) + "\n- *" +
           std::string(kWords[(n + 3) % kCount]) + "*";
  }
  return "Post " + number + ": " + text + ".";
}

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const auto start = Clock::now();
  std::error_code exists;
  if (std::filesystem::exists(options.db, exists) || std::filesystem::exists(options.db + "-wal", exists)) {
    std::fprintf(stderr, "kring_seed_thread: %s exists; refusing to write over a store\n", options.db.c_str());
    return 1;
  }
  Result<Policy> policy = parsePolicyJson(options.policy);
  if (!policy) {
    std::fprintf(stderr, "kring_seed_thread: --policy: %s\n", policy.error().message.c_str());
    return 2;
  }

  Engine engine(options.site, policy.value());
  std::vector<Actor> authors;
  for (std::uint32_t i = 1; i <= options.authors; ++i) {
    authors.push_back(Actor{"seed-" + std::to_string(i), "Seed author " + std::to_string(i), Role::member});
  }
  std::vector<kring::server::StoredOp> log;
  log.reserve(options.posts + 1);
  Sequence sequence = 0;
  // Applies the op as the server would (its sequence and time set), keeps it for the log.
  auto apply = [&](std::string id, const Actor& actor, OpBody opBody) {
    Op op;
    op.id = std::move(id);
    op.actor = actor;
    op.sequence = ++sequence;
    op.time = kStart + static_cast<TimeMs>(sequence) * kSpacing;
    op.body = std::move(opBody);
    Outcome outcome = engine.apply(op);
    if (outcome.status != OutcomeStatus::accepted) {
      std::fprintf(stderr, "kring_seed_thread: op %s (sequence %llu) was not accepted: %s\n", op.id.c_str(),
                   static_cast<unsigned long long>(op.sequence), toJson(outcome).c_str());
      std::exit(1);
    }
    log.push_back(kring::server::StoredOp{options.site, op.sequence, op.id, encodeOp(op), {}, op.time, {}});
  };

  apply("seed-create-thread", authors[0], CreateThread{options.thread, options.kind, options.title});
  std::vector<std::uint32_t> roots;  // the top-level posts' numbers, in order
  roots.reserve(options.posts);
  for (std::uint32_t n = 1; n <= options.posts; ++n) {
    // Replies go to a top-level post only (depth 1: an answer, in a question thread).
    const bool reply = n % options.replyEvery == 0 && !roots.empty();
    std::string parentId = reply ? "p-" + std::to_string(roots[(std::uint64_t{n} * 11) % roots.size()]) : "";
    apply("p-" + std::to_string(n), authors[n % options.authors],
          CreatePost{options.thread, std::move(parentId), body(n)});
    if (!reply) roots.push_back(n);
  }
  const auto applied = Clock::now();

  auto store = kring::server::SqliteStore::open(options.db);
  if (!store) {
    std::fprintf(stderr, "kring_seed_thread: %s: %s\n", options.db.c_str(), store.error().message.c_str());
    return 1;
  }
  try {
    store.value()->append(log);
    log.clear();
    // The server's checkpoint (it logs checkpoint_written on stderr): the changed records, for a new
    // engine the whole site, encoded and written, compacting the ops it covers to their ids.
    kring::server::CheckpointRequest request;
    request.compactUpTo = engine.lastSequence();
    kring::server::writeCheckpoint(*store.value(), std::make_unique<ChangedRecords>(takeChangedRecords(engine)),
                                   request);
  } catch (const std::exception& e) {
    store.value().reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(options.db + suffix, exists);
    std::fprintf(stderr, "kring_seed_thread: writing %s: %s\n", options.db.c_str(), e.what());
    return 1;
  }
  store.value().reset();  // the last connection: SQLite folds the WAL into the file and removes it
  // The compacted ops' rows left free pages as large as the checkpoint: rewrite the file without
  // them (under a second for 100,000 posts; the store's format is unchanged).
  sqlite3* db = nullptr;
  const bool vacuumed = sqlite3_open_v2(options.db.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
                        sqlite3_exec(db, "VACUUM", nullptr, nullptr, nullptr) == SQLITE_OK;
  if (!vacuumed) std::fprintf(stderr, "kring_seed_thread: VACUUM: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
  sqlite3_close(db);
  const auto written = Clock::now();

  const std::uintmax_t bytes = std::filesystem::file_size(options.db);
  if (options.timings) {
    std::fprintf(stderr, "apply %.2f s, store %.2f s\n", seconds(start, applied), seconds(applied, written));
  }
  std::printf("posts %u top-level %zu replies %zu store_bytes %ju seconds %.2f\n", options.posts, roots.size(),
              options.posts - roots.size(), bytes, seconds(start, written));
  return 0;
}
