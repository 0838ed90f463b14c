// Native core throughput on generated op logs. Prints JSON for run_bench.mjs, which adds the
// wasm figures for the same logs and prints the table.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/kring.h"
#include "op_generator.h"

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Workload {
  const char* name;
  kring::testing::GeneratorOptions options;
};

// Best of several runs, each on a fresh engine.
template <typename Run>
double bestOpsPerSecond(std::size_t ops, int runs, Run run) {
  double best = 0;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    run();
    double rate = static_cast<double>(ops) / secondsSince(start);
    if (rate > best) best = rate;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string logDirectory = argc > 2 && std::strcmp(argv[1], "--write-logs") == 0 ? argv[2] : "";
  Workload workloads[] = {
      {"votes", {7, 500000, 200, kring::testing::OpMix::votes}},
      {"mixed", {7, 200000, 200, kring::testing::OpMix::mixed}},
  };
  std::printf("[");
  bool first = true;
  for (const Workload& workload : workloads) {
    std::vector<kring::Op> ops = kring::testing::generateOps(workload.options);
    kring::Bytes log = kring::testing::generateOpLog(workload.options);
    if (!logDirectory.empty()) {
      std::ofstream out(logDirectory + "/" + workload.name + ".bin", std::ios::binary);
      out.write(reinterpret_cast<const char*>(log.data()), static_cast<std::streamsize>(log.size()));
    }
    std::size_t accepted = 0;
    double applyRate = bestOpsPerSecond(ops.size(), 3, [&] {
      kring::Engine engine("bench");
      accepted = 0;
      for (const kring::Op& op : ops) accepted += engine.apply(op).accepted() ? 1 : 0;
    });
    auto frames = kring::splitFrames(log);
    std::size_t frameCount = frames ? frames.value().size() : 0;
    double fullRate = bestOpsPerSecond(frameCount, 3, [&] {
      kring_engine* engine = kring_engine_create("bench", 5);
      kring_apply_log(engine, log.data(), log.size(), nullptr);
      kring_engine_destroy(engine);
    });
    std::printf(
        "%s{\"workload\":\"%s\",\"ops\":%zu,\"accepted\":%zu,\"applyOpsPerSecond\":%.0f,"
        "\"decodeApplyEncodeOpsPerSecond\":%.0f}",
        first ? "" : ",", workload.name, frameCount, accepted, applyRate, fullRate);
    first = false;
  }
  std::printf("]\n");
  return 0;
}
