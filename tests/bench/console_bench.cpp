// Console reads against a big site while another site writes (issue 27): how much of a writer's
// durable ops/s survives 16 concurrent console readers of the big site (members, the queue, the
// audit, the unanswered list and metrics in turn). Prints a table.
// Usage: kring_bench_console [posts on the big site, default 200000]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "server_test_ops.h"

using namespace kring;
using namespace kring::testing;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kUnlimited = std::string(kUnlimitedRates) + " --max-connections-per-ip 10000";

// Posts `count` posts into `threadKey` of `site` through one connection, 64 in flight; returns how
// many were acknowledged (each acknowledged after its commit).
long pipelinedPosts(unsigned short port, const std::string& site, const std::string& member,
                    const std::string& threadKey, long count, const std::atomic<bool>* stop = nullptr) {
  SyncClient client(port);
  if (!client.hello(site, testToken(member, "staff", 3600, site), "bench-" + member)) return 0;
  client.send(createThread(member + "-thread", threadKey));
  if (!ackOf(client, member + "-thread")) return 0;
  long sent = 0, acked = 0;
  while (acked < count && !(stop && *stop && acked == sent)) {
    while (sent - acked < 64 && sent < count && !(stop && *stop)) {
      client.send(
          post(member + "-" + std::to_string(sent), threadKey, "post " + std::to_string(sent) + " of " + member));
      ++sent;
    }
    auto message = client.receive(std::chrono::seconds(10));
    if (!message) break;
    if (auto* events = std::get_if<EventsMessage>(&*message)) {
      if (!events->acknowledges.empty() || !events->events.empty()) ++acked;
    }
  }
  return acked;
}

std::string sitesJson() {
  std::string sites = testSitesJson();
  std::string big = sites.substr(sites.find("{\"id\":\"test\""));
  big = big.substr(0, big.find("},\n    {\"id\":\"closed\"") + 1);
  big.replace(big.find("\"id\":\"test\""), 11, "\"id\":\"big\"");
  return sites.insert(sites.find('[') + 1, big + ",");
}

}  // namespace

int main(int argc, char** argv) {
  const long posts = argc > 1 ? std::atol(argv[1]) : 200'000;
  ServerProcess server("--checkpoint-every 0" + kUnlimited, TestSite::mechanicsPolicy, sitesJson());
  auto fillStart = Clock::now();
  {
    std::vector<std::thread> fillers;
    std::atomic<long> filled{0};
    for (int i = 0; i < 8; ++i) {
      fillers.emplace_back([&, i] {
        filled +=
            pipelinedPosts(server.port(), "big", "filler" + std::to_string(i), "/big/" + std::to_string(i), posts / 8);
      });
    }
    for (auto& filler : fillers) filler.join();
    std::printf("big site: %ld posts in %.1f s\n", filled.load(),
                std::chrono::duration<double>(Clock::now() - fillStart).count());
  }

  // The writer on the other site, for 10 s (the reader's 1 s burst is a tenth of it), with or without the console
  // requests. `readers` threads each ask for the big site's reads in turn, in a loop; with `shared`, all as one
  // moderator, else each as its own; `polite` ones wait out a 429's or 503's Retry-After, the others
  // ask again at once. `paths` replaces the console's reads (a flood of another resource).
  const std::vector<std::string> consoleReads = {"members?limit=1", "moderation?limit=50", "audit?limit=50",
                                                 "unanswered?limit=50", "metrics?from=0&to=4000000000000"};
  auto measure = [&](const std::string& label, int readerCount, bool shared, bool polite,
                     const std::vector<std::string>& paths) {
    std::atomic<bool> stop{false};
    std::atomic<long> served{0}, refused{0}, failed{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < readerCount; ++i) {
      readers.emplace_back([&, i] {
        const std::string credential =
            "Bearer " + testToken("moderator" + std::to_string(shared ? 0 : i), "moderator", 3600, "big");
        for (std::size_t n = i; !stop; ++n) {
          const std::string& path = paths[n % paths.size()];
          HttpResult result =
              httpRequest(server.port(), path.starts_with("/") ? path : "/api/sites/big/" + path, credential);
          const bool refusal = result.status == 429 || result.status == 503;
          ++(result.status == 200 ? served : refusal ? refused : failed);
          if (refusal && polite) std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      });
    }
    auto start = Clock::now();
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::seconds(10));
      stop = true;
    });
    static int run = 0;
    const std::string writer = "writer-" + std::to_string(++run);
    long acked = pipelinedPosts(server.port(), "test", writer, "/test/" + writer, 1'000'000, &stop);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    stopper.join();
    for (auto& reader : readers) reader.join();
    double rate = static_cast<double>(acked) / seconds;
    std::printf("%-36s %12.0f %12.0f %10ld %10ld\n", label.c_str(), rate, static_cast<double>(served) / seconds,
                refused.load(), failed.load());
    return rate;
  };
  std::printf("%-44s %12s %12s %10s %10s\n", "writer on another site", "acked ops/s", "answered/s", "refused",
              "errors");
  // Each load is measured between two runs alone and compared with their mean: the store grows as the
  // writer writes, so a later run is slower anyway.
  std::vector<double> alone{measure("alone", 0, false, false, consoleReads)};
  auto loaded = [&](const std::string& label, bool shared, bool polite, const std::vector<std::string>& paths) {
    double rate = measure(label, 16, shared, polite, paths);
    alone.push_back(measure("alone", 0, false, false, consoleReads));
    return 100 * rate / ((alone[alone.size() - 2] + alone.back()) / 2);
  };
  double polite = loaded("16 console readers, 16 moderators, polite", false, true, consoleReads);
  double shared = loaded("16 console readers, one moderator, polite", true, true, consoleReads);
  double flood = loaded("16 console readers, 16 moderators, flood", false, false, consoleReads);
  double healthz = loaded("16 readers of /healthz, flood (any HTTP)", false, false, {"/healthz"});
  std::printf(
      "writer keeps %.0f%% of its ops/s with 16 moderators' polite readers, %.0f%% with one moderator's, %.0f%% under "
      "their flood, %.0f%% under a flood of /healthz (target >= 90%%)\n",
      polite, shared, flood, healthz);
  return 0;
}
