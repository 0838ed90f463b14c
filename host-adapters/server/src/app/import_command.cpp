#include "app/import_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "app/archive_command.h"
#include "import/disqus_reader.h"
#include "import/import_report.h"
#include "import/thread_keys.h"
#include "import/wordpress_reader.h"

namespace kring::server {

namespace {

constexpr std::size_t kProblemsShown = 50;

struct ThreadLine {
  ImportedThread thread;
  std::string key;
  std::uint64_t posts = 0;
};

struct DryRun {
  std::map<std::string, ThreadLine> threads;  // by source id
  std::map<std::string, std::uint64_t> postsByThread;
  std::uint64_t byState[4] = {};
  std::vector<ImportProblem> problems;
  LinkCheck links;
};

void printProblems(const std::vector<ImportProblem>& problems) {
  std::printf("\nproblems: %zu\n", problems.size());
  for (std::size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
    std::printf("  %s: %s\n", problems[i].where.c_str(), problems[i].message.c_str());
  }
  if (problems.size() > kProblemsShown) std::printf("  … and %zu more\n", problems.size() - kProblemsShown);
}

int report(DryRun& run, const ReadCounts& counts) {
  // Two pages whose URLs give one key would become one thread: said, not hidden.
  std::map<std::string, std::vector<std::string>> sourcesByKey;
  for (auto& [id, line] : run.threads) {
    line.posts = run.postsByThread[id];
    sourcesByKey[line.key].push_back(id);
  }
  for (const auto& [key, sources] : sourcesByKey) {
    if (sources.size() < 2) continue;
    std::string ids;
    for (const std::string& id : sources) ids += (ids.empty() ? "" : ", ") + id;
    run.problems.push_back({"key " + key, "pages " + ids + " become one thread"});
  }
  const LinkReport links = run.links.finish();
  run.problems.insert(run.problems.end(), links.problems.begin(), links.problems.end());
  // Records the reader passed over (pingbacks) and posts the link check drops (no thread, a repeated id).
  std::uint64_t skipped = counts.skipped;
  for (const LinkFix& fix : links.fixes) skipped += fix.action == LinkFix::Action::topLevel ? 0 : 1;

  std::uint64_t closed = 0;
  std::uint64_t deleted = 0;
  for (const auto& [id, line] : run.threads) {
    closed += line.thread.closed ? 1 : 0;
    deleted += line.thread.deleted ? 1 : 0;
  }
  std::printf("threads: %llu (%llu closed, %llu deleted)\n", static_cast<unsigned long long>(run.threads.size()),
              static_cast<unsigned long long>(closed), static_cast<unsigned long long>(deleted));
  std::printf("posts read: %llu (visible %llu, held %llu, spam %llu, deleted %llu); skipped %llu\n",
              static_cast<unsigned long long>(counts.posts), static_cast<unsigned long long>(run.byState[0]),
              static_cast<unsigned long long>(run.byState[1]), static_cast<unsigned long long>(run.byState[2]),
              static_cast<unsigned long long>(run.byState[3]), static_cast<unsigned long long>(skipped));
  std::printf("\n%-40s %8s  %s\n", "thread key", "posts", "page");
  for (const auto& [key, sources] : sourcesByKey) {
    for (const std::string& id : sources) {
      const ThreadLine& line = run.threads.at(id);
      std::printf("%-40s %8llu  %s\n", key.c_str(), static_cast<unsigned long long>(line.posts),
                  line.thread.url.c_str());
    }
  }
  printProblems(run.problems);
  std::printf("\nnothing was written (--dry-run)\n");
  return 0;
}

}  // namespace

std::optional<int> runImportCommand(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "import") return std::nullopt;
  CLI::App app{"kring-server import: a Disqus or WordPress export's comments, as Kring threads (docs/import.md)"};
  app.name("kring-server import");
  std::string format;
  std::string file;
  std::string mappingFile;
  ThreadKeyRules rules;
  bool dryRun = false;
  std::string database;
  app.add_option("--format", format, "disqus, wordpress, or kring (an archive from kring-server export)")
      ->required()
      ->check(CLI::IsMember({"disqus", "wordpress", "kring"}));
  app.add_option("--db", database, "kring: the store to import the archive into (sqlite:PATH or postgresql://…)");
  app.add_option("file", file, "The export file")->required();
  app.add_option("--mapping", mappingFile, "Exceptions to the URL rules: lines of URL, a tab, the thread key");
  app.add_flag("--keep-host", rules.keepHost, "Thread keys keep the page's host (a site served on several hosts)");
  app.add_flag("--dry-run", dryRun, "Print the thread keys, counts and problems; write nothing");
  CLI11_PARSE(app, argc - 1, argv + 1);
  if (format == "kring") return importArchive(file, database, dryRun);
  if (!dryRun) {
    std::fprintf(stderr, "kring-server import: only --dry-run is available yet; nothing was written\n");
    return 2;
  }
  ThreadKeyMapping mapping;
  if (!mappingFile.empty()) {
    auto loaded = ThreadKeyMapping::load(mappingFile, rules);
    if (!loaded) {
      std::fprintf(stderr, "kring-server import: %s: %s\n", std::string(importErrorName(loaded.error().code)).c_str(),
                   loaded.error().message.c_str());
      return 2;
    }
    mapping = std::move(loaded.value());
  } else {
    auto rulesOnly = ThreadKeyMapping::parse("", rules);
    if (rulesOnly) mapping = std::move(rulesOnly.value());
  }

  DryRun run;
  ImportSink sink;
  sink.thread = [&](ImportedThread thread) {
    run.links.addThread(thread.sourceId);
    std::string key = mapping.keyFor(thread.url);
    std::string id = thread.sourceId;
    run.threads[id] = ThreadLine{std::move(thread), std::move(key), 0};
  };
  sink.post = [&](ImportedPost post) {
    run.links.addPost(post.sourceId, post.threadSourceId, post.parentSourceId);
    run.postsByThread[post.threadSourceId] += 1;
    run.byState[static_cast<int>(post.state)] += 1;
  };
  sink.problem = [&](ImportProblem problem) { run.problems.push_back(std::move(problem)); };
  std::printf("kring-server import --dry-run: %s export %s\n\n", format.c_str(), file.c_str());
  ImportResult<ReadCounts> read = format == "disqus" ? readDisqusFile(file, sink) : readWordPressFile(file, sink);
  if (!read) {
    std::fprintf(stderr, "kring-server import: %s: %s\n", std::string(importErrorName(read.error().code)).c_str(),
                 read.error().message.c_str());
    return 2;
  }
  return report(run, read.value());
}

}  // namespace kring::server
