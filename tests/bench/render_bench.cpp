// Issue 29's server-rendering figures: the first page of a 200-post Q&A thread (bytes, gzip), a
// 5,000-post thread's fragment rendered after a change and served from the cache, and the Markdown
// renderer's throughput. Prints a table; times are medians of repeated runs on this machine.
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "kring/engine.h"
#include "kring/markdown.h"
#include "kring/policy.h"
#include "op_factory.h"
#include "render/thread_page.h"
#include "sync/rendered_pages.h"

using namespace kring;
using Clock = std::chrono::steady_clock;

namespace {

Policy openPolicy() {
  Policy policy;
  for (const PolicySetting& setting : policySettings()) {
    std::string_view name = setting.name;
    if (name.starts_with("privilege") || name == "threadCreateMinTrustLevel" || name == "newMemberUntilTrustLevel" ||
        name == "duplicateWindowHours") {
      policy.*(setting.field) = setting.minimum;
    }
    if (name.starts_with("ratePosts") || name == "spamHoldScore") policy.*(setting.field) = setting.maximum;
  }
  return policy;
}

const char* kBodies[] = {
    "Does this kettle fit under a **standard** cabinet? Mine is 40 cm high.",
    "Yes, it is 24 cm tall with the lid closed. See https://shop.example/kettle-specs for the drawing.",
    "I had the same question.\n\n- it boils 1.7 l\n- the base turns 360°\n\nWorks fine under mine.",
    "Thanks! Ordered one; `descale` it monthly if your water is hard.",
};

// Varied text, so that gzip sees what real posts give it rather than four bodies repeated: one of the
// shapes above with 12 to 40 words drawn from a seeded generator.
std::string body(int shape, std::uint32_t& seed) {
  static const char* kWords[] = {"kettle",    "cabinet", "boils", "water",  "lid",   "handle", "filter", "warranty",
                                 "limescale", "switch",  "cord",  "base",   "litre", "steel",  "noise",  "minutes",
                                 "delivery",  "return",  "price", "colour", "model", "power",  "watt",   "spout"};
  std::string text = kBodies[shape];
  seed = seed * 1664525u + 1013904223u;
  const int words = 12 + static_cast<int>(seed >> 27);
  text += "\n\n";
  for (int i = 0; i < words; ++i) {
    seed = seed * 1664525u + 1013904223u;
    text += kWords[(seed >> 16) % 24];
    text += (seed >> 8) % 9 == 0 ? ". " : " ";
  }
  text += std::to_string(seed % 1000);
  return text;
}

// A Q&A thread of `questions` questions, each with two answers and a comment under the first.
void fill(Engine& engine, testing::OpFactory& ops, const std::string& key, int questions) {
  std::uint32_t seed = 29;
  std::vector<Actor> members;
  for (int i = 0; i < 40; ++i) members.push_back(testing::OpFactory::member("m" + std::to_string(i)));
  engine.apply(ops.thread(members[0], key, ThreadKind::question));
  for (int q = 0; q < questions; ++q) {
    Op question = ops.post(members[q % 40], key, body(0, seed));
    engine.apply(question);
    Op first = ops.post(members[(q + 1) % 40], key, body(1, seed), question.id);
    engine.apply(first);
    engine.apply(ops.post(members[(q + 2) % 40], key, body(2, seed), question.id));
    engine.apply(ops.post(members[(q + 3) % 40], key, body(3, seed), first.id));
  }
}

std::size_t gzipSize(const std::string& bytes) {
  uLongf size = compressBound(bytes.size());
  std::vector<Bytef> out(size);
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);  // 31: a gzip header, as a server sends
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  std::size_t written = stream.total_out;
  deflateEnd(&stream);
  return written;
}

template <typename Work>
double medianMs(int runs, Work work) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    work();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  testing::OpFactory ops;
  Engine small("bench", openPolicy());
  fill(small, ops, "/p/200", 50);  // 200 posts
  const std::string page = *server::renderThreadFragment(small, "/p/200");

  Engine big("bench", openPolicy());
  fill(big, ops, "/p/5000", 1250);  // 5,000 posts
  server::RenderedPages pages(64 << 20, "en");
  const double rendered = medianMs(21, [&] {
    pages.invalidate("/p/5000");
    pages.thread(big, "/p/5000");
  });
  const double cached = medianMs(1001, [&] { pages.thread(big, "/p/5000"); });

  std::string corpus;
  while (corpus.size() < (8 << 20)) corpus += std::string(kBodies[corpus.size() % 4]) + "\n\n";
  std::size_t out = 0;
  const double markdownMs = medianMs(5, [&] { out += renderMarkdown(corpus).size(); });

  std::printf("%-58s %14s %10s\n", "measure", "result", "target");
  std::size_t posts = 0;
  for (std::size_t at = page.find("<article"); at != std::string::npos; at = page.find("<article", at + 1)) ++posts;
  if (posts != 200) std::printf("expected 200 posts on the page, found %zu\n", posts);
  std::printf("%-58s %11.1f KB %10s\n", "first page of a 200-post Q&A thread, raw", page.size() / 1024.0, "");
  std::printf("%-58s %11.1f KB %10s\n", "  the same, gzip", gzipSize(page) / 1024.0, "<= 30 KB");
  std::printf("%-58s %11.3f ms %10s\n", "5,000-post thread: fragment rendered after a change", rendered, "<= 20 ms");
  std::printf("%-58s %11.2f us %10s\n", "5,000-post thread: fragment served from the cache", cached * 1000, "<= 2 ms");
  std::printf("%-58s %9.0f MB/s %10s\n", "Markdown to HTML (8 MB of posts)", corpus.size() / 1e6 / (markdownMs / 1000),
              "");
  return out == 0 ? 1 : 0;
}
