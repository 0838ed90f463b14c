// Console reads against a big site while another site writes (issue 27): how much of a writer's
// durable ops/s survives 16 concurrent console requests for the big site's members. Prints a table.
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
long pipelinedPosts(unsigned short port, const std::string& site, const std::string& member, const std::string& threadKey,
                    long count, const std::atomic<bool>* stop = nullptr) {
  SyncClient client(port);
  if (!client.hello(site, testToken(member, "staff", 3600, site), "bench-" + member)) return 0;
  client.send(createThread(member + "-thread", threadKey));
  if (!ackOf(client, member + "-thread")) return 0;
  long sent = 0, acked = 0;
  while (acked < count && !(stop && *stop && acked == sent)) {
    while (sent - acked < 64 && sent < count && !(stop && *stop)) {
      client.send(post(member + "-" + std::to_string(sent), threadKey, "post " + std::to_string(sent) + " of " + member));
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
        filled += pipelinedPosts(server.port(), "big", "filler" + std::to_string(i), "/big/" + std::to_string(i), posts / 8);
      });
    }
    for (auto& filler : fillers) filler.join();
    std::printf("big site: %ld posts in %.1f s\n", filled.load(),
                std::chrono::duration<double>(Clock::now() - fillStart).count());
  }

  // The writer on the other site, for `seconds`, with or without the console requests.
  // `readers` threads each ask for the big site's members in a loop; with `shared`, all as one
  // moderator, else each as its own; `polite` ones wait out a 429's Retry-After, the others ask again at once.
  auto measure = [&](const std::string& label, int readerCount, bool shared, bool polite) {
    std::atomic<bool> stop{false};
    std::atomic<long> served{0}, refused{0}, failed{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < readerCount; ++i) {
      readers.emplace_back([&, i] {
        const std::string credential =
            "Bearer " + testToken("moderator" + std::to_string(shared ? 0 : i), "moderator", 3600, "big");
        while (!stop) {
          HttpResult result = httpRequest(server.port(), "/api/sites/big/members?limit=1", credential);
          ++(result.status == 200 ? served : result.status == 429 ? refused : failed);
          if (result.status == 429 && polite) std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      });
    }
    auto start = Clock::now();
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::seconds(5));
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
  std::printf("%-36s %12s %12s %10s %10s\n", "writer on another site", "acked ops/s", "console/s", "429s", "errors");
  // Each load is measured right after a run alone, and compared with it: the store grows as the writer
  // writes, so a later run is a little slower anyway.
  double aloneBefore = measure("alone", 0, false, false);
  double polite = measure("16 readers, one moderator, polite", 16, true, true);
  double aloneAgain = measure("alone", 0, false, false);
  double flood = measure("16 readers, 16 moderators, flood", 16, false, false);
  std::printf("writer keeps %.0f%% of its ops/s with one moderator's 16 readers, %.0f%% under the flood (target >= 90%%)\n",
              100 * polite / aloneBefore, 100 * flood / aloneAgain);
  return 0;
}
