// Issue 14's storage benchmark: `posts` posts over `threads` threads from `connections` signed-in
// staff connections, each keeping a window of submits in flight, against the real kring-server.
// Prints per 100k posts the acked ops/s, ack p50/p99 and the longest stall between acks; then the
// store's size, start-up time after kill -9 and after SIGTERM, and the server's memory, each
// target of the issue next to its measured value. The written store stays in --store with a
// marker of what it holds, so a rerun measures only start-ups and memory (--fresh writes again).
#include <sqlite3.h>

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "bench_client.h"
#include "kring/codec.h"

using namespace kring;
using namespace kring::bench;
namespace fs = std::filesystem;

namespace {

constexpr long kSlicePosts = 100'000;  // one table row
constexpr std::size_t kWindow = 64;    // submits each connection keeps in flight

struct Options {
  long posts = 1'000'000;
  int threads = 1000;
  int connections = 16;
  std::string store = "build/bench-storage";
  bool fresh = false;
  std::string serverFlags;  // appended to the server's command line (a store written so is not kept apart)
};

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool valued = i + 1 < argc;
    if (arg == "--threads" && valued)
      options.threads = std::atoi(argv[++i]);
    else if (arg == "--connections" && valued)
      options.connections = std::atoi(argv[++i]);
    else if (arg == "--store" && valued)
      options.store = argv[++i];
    else if (arg == "--fresh")
      options.fresh = true;
    else if (arg == "--server-flags" && valued)
      options.serverFlags = argv[++i];
    else if (std::isdigit(static_cast<unsigned char>(arg[0])))
      options.posts = std::atol(arg.c_str());
    else
      return std::nullopt;
  }
  if (options.posts <= 0 || options.threads <= 0 || options.connections <= 0) return std::nullopt;
  return options;
}

// The test site's mechanics policy with the rate limits of every trust level lifted as well: the
// writers are staff, whom the privileges and limits pass anyway, and nothing may refuse or hold a
// post here (both are counted and must stay 0) or the benchmark would measure the rules, not the store.
constexpr const char* kStoragePolicy =
    R"({"settings":{"privilegeVoteUp":0,"privilegeVoteDown":0,"privilegeComment":0,"privilegeFlag":0,)"
    R"("privilegeNoRateLimit":0,"ratePostsTrust0":1000000,"ratePostsTrust1":1000000,"ratePostsTrust2":1000000,)"
    R"("ratePostsTrust3":1000000,"ratePostsTrust4":1000000,"duplicateWindowHours":0,)"
    R"("newMemberUntilTrustLevel":0,"threadCreateMinTrustLevel":0,"spamHoldScore":1000000}})";

// A forum reply's worth of words, different for every post: a store must not gain from repeats.
std::string body(long index) {
  static const char* const kWords[] = {"storage", "thread", "reply",  "question", "answer", "widget", "member",
                                       "review",  "search", "scales", "durable",  "commit", "page",   "index",
                                       "cache",   "write",  "read",   "thanks",   "works",  "fine"};
  std::string text = "Post " + std::to_string(index) + ":";
  std::uint64_t x = static_cast<std::uint64_t>(index) * 0x9E3779B97F4A7C15ull + 1;
  for (int w = 0; w < 24; ++w) {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;  // xorshift: cheap, and the same text on every run
    text += ' ';
    text += kWords[(x * 0x2545F4914F6CDD1Dull >> 59) % std::size(kWords)];
  }
  return text + ".";
}

std::string threadKey(long index) { return "/bench/storage/" + std::to_string(index); }

double milliseconds(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// printf into a string: the write phase's report is printed and also kept with the store.
void appendf(std::string& out, const char* format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  out += line;
}

void targetRow(std::string& out, const char* measure, const std::string& value, const char* target, bool met) {
  appendf(out, "%-44s %16s  %-14s %s\n", measure, value.c_str(), target, met ? "met" : "NOT met");
}

std::string number(double value, const char* format = "%.0f") {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// One writing connection: its client and its submits in flight.
struct Writer {
  std::shared_ptr<Client> client;
  std::unordered_map<std::string, Clock::time_point> inFlight;  // op id → when it was sent
  long next = 0;  // its next post; its share is next, next + connections, …
};

// What one table row measured.
struct Slice {
  std::vector<double> latenciesMs;
  double seconds = 0;
  double longestStallMs = 0;
};

// The write phase: threads first (not measured), then the posts, each connection refilling its
// window as acks come in. An op counts as acked when its events (or a bare acknowledgement) come
// back to its submitter, which the server sends only after the op's commit.
class WritePhase {
 public:
  WritePhase(boost::asio::io_context& io, const Options& options) : io_(io), options_(options) {}

  bool run(unsigned short port) {
    if (!connect(port)) return false;
    for (long t = 0; t < options_.threads; ++t) {
      submit(writers_[t % writers_.size()], thread("t" + std::to_string(t), threadKey(t)));
    }
    if (!waitForSettled(options_.threads, "threads")) return false;
    settled_ = 0;
    writing_ = true;
    slices_.emplace_back();
    started_ = sliceStarted_ = lastAck_ = Clock::now();
    for (Writer& writer : writers_) refill(writer);
    bool done = waitForSettled(options_.posts, "posts");
    seconds_ = seconds(Clock::now() - started_);
    if (slices_.back().seconds == 0) slices_.back().seconds = seconds(lastAck_ - sliceStarted_);
    return done;
  }

  // The slice table and the write targets.
  std::string report() const {
    std::string out;
    if (slices_.empty()) return out;
    appendf(out, "%-18s %12s %12s %12s %18s\n", "posts acked", "ops/s", "ack p50 ms", "ack p99 ms", "longest stall ms");
    double worstP99 = 0, longestStall = 0, slowest = 1e18;
    long through = 0;
    for (const Slice& slice : slices_) {
      through += static_cast<long>(slice.latenciesMs.size());
      double rate = slice.seconds > 0 ? static_cast<double>(slice.latenciesMs.size()) / slice.seconds : 0;
      double p99 = percentile(slice.latenciesMs, 0.99);
      worstP99 = std::max(worstP99, p99);
      longestStall = std::max(longestStall, slice.longestStallMs);
      slowest = std::min(slowest, rate);
      appendf(out, "%-18ld %12.0f %12.1f %12.1f %18.1f\n", through, rate, percentile(slice.latenciesMs, 0.5), p99,
              slice.longestStallMs);
    }
    appendf(out, "%ld posts in %.1f s: %.0f ops/s overall; %ld refused, %ld held (both must be 0)\n", acked_, seconds_,
            static_cast<double>(acked_) / seconds_, refused_, held_);
    double first = rate(slices_.front()), last = rate(slices_.back());
    targetRow(out, "throughput, last slice / first slice", number(last / first, "%.2f"), ">= 0.80",
              last >= 0.8 * first);
    targetRow(out, "durable ops/s, slowest slice", number(slowest), ">= 20000", slowest >= 20000);
    targetRow(out, "ack p99 ms, worst slice", number(worstP99, "%.1f"), "<= 100", worstP99 <= 100);
    targetRow(out, "longest stall between acks ms", number(longestStall, "%.1f"), "<= 250", longestStall <= 250);
    targetRow(out, "posts refused or held", std::to_string(refused_ + held_), "0", refused_ + held_ == 0);
    return out;
  }

  bool complete() const { return acked_ == options_.posts && refused_ == 0 && held_ == 0; }
  // The ops' encoded bytes as the clients sent them (the stored ops add the actor, time and sequence).
  std::uint64_t opBytes() const { return opBytes_; }

 private:
  std::uint64_t opBytes_ = 0;

  static double rate(const Slice& slice) {
    return slice.seconds > 0 ? static_cast<double>(slice.latenciesMs.size()) / slice.seconds : 0;
  }

  bool connect(unsigned short port) {
    int welcomed = 0, failed = 0;
    writers_.resize(static_cast<std::size_t>(options_.connections));
    for (std::size_t c = 0; c < writers_.size(); ++c) {
      Writer& writer = writers_[c];
      writer.next = static_cast<long>(c);
      writer.client =
          std::make_shared<Client>(io_, [this, &writer](Client&, ServerMessage& message) { receive(writer, message); });
      // A day's token: a full run outlasts the default ten minutes.
      std::string token = kring::testing::testToken("writer-" + std::to_string(c), "staff", 24 * 3600);
      writer.client->connect(
          port, "storage-writer-" + std::to_string(c), [&](bool ok) { ++(ok ? welcomed : failed); }, token);
    }
    runUntil(
        io_, [&] { return welcomed + failed == options_.connections; }, std::chrono::seconds(30));
    if (welcomed != options_.connections)
      std::printf("only %d of %d connections welcomed\n", welcomed, options_.connections);
    return welcomed == options_.connections;
  }

  void submit(Writer& writer, Op op) {
    opBytes_ += encodeOp(op).size();
    writer.inFlight.emplace(op.id, Clock::now());
    writer.client->send(Submit{std::move(op)});
  }

  void refill(Writer& writer) {
    while (writing_ && writer.inFlight.size() < kWindow && writer.next < options_.posts) {
      submit(writer,
             post("p" + std::to_string(writer.next), threadKey(writer.next % options_.threads), body(writer.next)));
      writer.next += options_.connections;
    }
  }

  void receive(Writer& writer, ServerMessage& message) {
    if (auto* refusal = std::get_if<RejectedMessage>(&message)) {
      if (writer.inFlight.count(refusal->opId) && ++refused_ <= 5) {
        std::printf("refused %s: %s\n", refusal->opId.c_str(), refusal->message.c_str());
      }
      settle(writer, refusal->opId, false);
      return;
    }
    auto* events = std::get_if<EventsMessage>(&message);
    if (!events) return;
    if (!events->acknowledges.empty()) settle(writer, events->acknowledges, true);
    for (const Event& event : events->events) {
      const auto* created = std::get_if<PostCreated>(&event.body);
      bool mine = writer.inFlight.count(event.opId) != 0;
      if (mine && created && created->post.state != PostState::visible) ++held_;
      settle(writer, event.opId, true);
    }
  }

  // The op's first ack or refusal ends its flight (an op may bring several events).
  void settle(Writer& writer, const std::string& opId, bool acked) {
    auto flight = writer.inFlight.find(opId);
    if (flight == writer.inFlight.end()) return;
    auto now = Clock::now();
    if (writing_ && acked) record(flight->second, now);
    writer.inFlight.erase(flight);
    ++settled_;
    refill(writer);
  }

  void record(Clock::time_point sentAt, Clock::time_point now) {
    Slice& slice = slices_.back();
    slice.latenciesMs.push_back(milliseconds(now - sentAt));
    slice.longestStallMs = std::max(slice.longestStallMs, milliseconds(now - lastAck_));
    lastAck_ = now;
    if (++acked_ % kSlicePosts != 0) return;
    slice.seconds = seconds(now - sliceStarted_);
    sliceStarted_ = now;
    std::fprintf(stderr, "%ld posts acked after %.1f s\n", acked_, seconds(now - started_));
    if (acked_ < options_.posts) slices_.emplace_back();
  }

  // Runs until `count` ops are settled; gives up when a minute passes without one.
  bool waitForSettled(long count, const char* what) {
    while (settled_ < count) {
      long before = settled_;
      runUntil(
          io_, [&] { return settled_ >= count; }, std::chrono::seconds(60));
      if (settled_ == before) {
        std::printf("no ack for 60 s: %ld of %ld %s settled\n", settled_, count, what);
        return false;
      }
    }
    return true;
  }

  boost::asio::io_context& io_;
  const Options& options_;
  std::vector<Writer> writers_;
  std::vector<Slice> slices_;
  bool writing_ = false;  // the threads exist; posts are measured
  long settled_ = 0, acked_ = 0, refused_ = 0, held_ = 0;
  Clock::time_point started_, sliceStarted_, lastAck_;
  double seconds_ = 0;
};

struct Memory {
  double rssMiB = 0, hwmMiB = 0;
};

Memory memoryOf(pid_t pid) { return {procStatusMiB(pid, "VmRSS"), procStatusMiB(pid, "VmHWM")}; }

double fileMiB(const fs::path& path) {
  std::error_code missing;
  auto size = fs::file_size(path, missing);
  return missing ? 0 : static_cast<double>(size) / (1024.0 * 1024.0);
}

// Spawning to "listening", on the same store.
double restartSeconds(kring::testing::ServerProcess& server, int signal) {
  server.kill(signal);
  auto started = Clock::now();
  server.start();
  return seconds(Clock::now() - started);
}

// How many ops the store holds, and how many of them kept their bodies (the rest are compacted into
// the checkpoint): read while the server is stopped.
std::pair<long, long> storedOps(const fs::path& db) {
  sqlite3* handle = nullptr;
  sqlite3_stmt* statement = nullptr;
  std::pair<long, long> result{0, 0};
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(handle, "SELECT count(*), count(nullif(length(op), 0)) FROM ops", -1, &statement, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    result = {static_cast<long>(sqlite3_column_int64(statement, 0)),
              static_cast<long>(sqlite3_column_int64(statement, 1))};
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return result;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: %s [posts=1000000] [--threads 1000] [--connections 16] [--store build/bench-storage] "
                 "[--fresh] [--server-flags \"...\"]\n",
                 argv[0]);
    return 2;
  }
  raiseFileLimit();
  const fs::path store = fs::absolute(options->store);
  const fs::path db = store / "kring.db", marker = store / "bench.marker", saved = store / "write-report.txt",
                 savedOpBytes = store / "op-bytes.txt";
  const std::string contents =
      "posts=" + std::to_string(options->posts) + " threads=" + std::to_string(options->threads) + "\n";
  bool cached = !options->fresh && fs::exists(db) && readFile(marker) == contents;
  if (!cached) {
    for (const char* stale :
         {"kring.db", "kring.db-wal", "kring.db-shm", "bench.marker", "write-report.txt", "op-bytes.txt"}) {
      fs::remove(store / stale);
    }
  }

  std::printf(
      "kring-server storage benchmark (issue 14): %ld posts, %d threads, %d connections, window %zu; "
      "store %s; %u cores, server and clients on this machine\n",
      options->posts, options->threads, options->connections, kWindow, store.c_str(),
      std::thread::hardware_concurrency());
  auto spawned = Clock::now();
  kring::testing::ServerProcess server(
      kring::testing::KeptStore{store.string()},
      kUnlimitedFlags + " --frames-per-second 1000000 --frames-burst 1000000 " + options->serverFlags,
      kring::testing::testSitesJson(kStoragePolicy));
  double cachedStartSeconds = seconds(Clock::now() - spawned);
  boost::asio::io_context io;

  std::optional<Memory> afterWrite;
  double dbAfterWrite = 0, walAfterWrite = 0;
  if (cached) {
    std::printf(
        "\nwrite phase skipped: %s already holds this store (rerun with --fresh to write it again); "
        "as measured when it was written:\n%s",
        marker.c_str(), readFile(saved).c_str());
  } else {
    WritePhase write(io, *options);
    bool finished = write.run(server.port());
    std::string report = write.report();
    std::printf("\n%s", report.c_str());
    if (!finished || !write.complete()) {
      std::printf("incomplete write: the store is not kept as the cache\n");
      return 1;
    }
    afterWrite = memoryOf(server.pid());
    dbAfterWrite = fileMiB(db);
    walAfterWrite = fileMiB(store / "kring.db-wal");
    std::ofstream(saved) << report;
    std::ofstream(savedOpBytes) << write.opBytes();
    std::ofstream(marker) << contents;
  }

  // kill -9 first, while the WAL holds what the write left; then a clean SIGTERM; then a last SIGTERM
  // so the cached store is left closed.
  double afterKill = restartSeconds(server, SIGKILL);
  Memory killStart = memoryOf(server.pid());
  double afterTerm = restartSeconds(server, SIGTERM);
  Memory termStart = memoryOf(server.pid());
  server.kill(SIGTERM);
  auto [ops, opsWithBodies] = storedOps(db);
  double opMiB = static_cast<double>(std::atoll(readFile(savedOpBytes).c_str())) / (1024.0 * 1024.0);
  double dbMiB = fileMiB(db), walMiB = fileMiB(store / "kring.db-wal");

  // Another store (--server-flags "--db postgresql://…"): its size is the database's to report.
  const bool sqlite = options->serverFlags.find("--db ") == std::string::npos;
  std::string out;
  appendf(out, "\n%-44s %16s\n", "store and start-up", "measured");
  if (afterWrite && sqlite)
    appendf(out, "%-44s %16s\n", "db + WAL MiB after the write",
            (number(dbAfterWrite, "%.1f") + " + " + number(walAfterWrite, "%.1f")).c_str());
  if (!afterWrite) appendf(out, "%-44s %16.2f\n", "start-up s, first start on the cached store", cachedStartSeconds);
  if (sqlite)
    appendf(out, "%-44s %16s\n", "db + WAL MiB after the last stop",
            (number(dbMiB, "%.1f") + " + " + number(walMiB, "%.1f")).c_str());
  appendf(out, "%-44s %16.1f\n", "ops' bytes MiB, as the clients sent them", opMiB);
  if (sqlite)
    appendf(out, "%-44s %16s\n", "ops stored / with their bodies",
            (std::to_string(ops) + " / " + std::to_string(opsWithBodies)).c_str());
  auto memoryRows = [&](const char* when, const Memory& memory) {
    appendf(out, "%-44s %16s\n", (std::string("server VmRSS / VmHWM MiB ") + when).c_str(),
            (number(memory.rssMiB) + " / " + number(memory.hwmMiB)).c_str());
  };
  if (afterWrite) memoryRows("after the write", *afterWrite);
  memoryRows("after kill -9 start", killStart);
  memoryRows("after SIGTERM start", termStart);
  double hwm = std::max({killStart.hwmMiB, termStart.hwmMiB, afterWrite ? afterWrite->hwmMiB : 0.0});
  double ratio = opMiB > 0 ? (dbMiB + walMiB) / opMiB : 0;
  targetRow(out, "start-up s after kill -9", number(afterKill, "%.2f"), "<= 5", afterKill <= 5);
  targetRow(out, "start-up s after SIGTERM", number(afterTerm, "%.2f"), "<= 5", afterTerm <= 5);
  targetRow(out, "server VmHWM MiB, highest", number(hwm), "<= 1024", hwm <= 1024);
  if (sqlite) targetRow(out, "db + WAL / ops' bytes", number(ratio, "%.2f"), "<= 1.5", ratio <= 1.5);
  std::printf("%s", out.c_str());
  return 0;
}
