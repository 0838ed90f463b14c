#include "app/import_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "app/archive_command.h"
#include "app/import_upload.h"
#include "auth/imported_author.h"
#include "auth/site_config.h"
#include "import/disqus_reader.h"
#include "import/import_plan.h"
#include "import/import_report.h"
#include "import/thread_keys.h"
#include "import/wordpress_reader.h"
#include "kring/checkpoint.h"
#include "sync/site_engine.h"

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

int failed(const std::string& message) {
  std::fprintf(stderr, "kring-server import failed: %s\n", message.c_str());
  return 2;
}

struct WriteRequest {
  std::string format;
  std::string file;
  std::string database;
  std::string server;  // instead of database: a running server's admin API
  std::string siteId;
  std::string sitesFile;
  ThreadKind threadKind = ThreadKind::discussion;
};

// The file read into a plan whose authors are keyed with the site's secret; nullptr once the failure is printed.
std::unique_ptr<ImportPlan> readPlan(const WriteRequest& request, const SiteConfig& config, ThreadKeyMapping mapping) {
  ImportPlanOptions options;
  options.source = request.format;
  options.threadKind = request.threadKind;
  options.now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  options.authorId = [config, format = request.format](const ImportedPost& post) {
    if (!post.authorEmail.empty()) return importedAuthorIdForEmail(config, post.authorEmail);
    return importedAuthorIdForName(config, format, post.anonymous ? "" : post.authorUsername, post.authorName);
  };
  auto plan = std::make_unique<ImportPlan>(std::move(options), std::move(mapping));
  ImportResult<ReadCounts> read = request.format == "disqus" ? readDisqusFile(request.file, plan->sink())
                                                             : readWordPressFile(request.file, plan->sink());
  if (!read) {
    failed(std::string(importErrorName(read.error().code)) + ": " + read.error().message + "; nothing was written");
    return nullptr;
  }
  return plan;
}

void printDone(const WriteRequest& request, const ImportPlan& plan, const ImportTotals& totals,
               const std::string& where) {
  printProblems(plan.problems());
  std::printf(
      "{\"event\":\"import_done\",\"site\":\"%s\",\"format\":\"%s\",\"postsRead\":%llu,\"imported\":%llu,"
      "\"alreadyThere\":%llu,\"refused\":%llu,\"skipped\":%llu,\"threadsCreated\":%llu,\"membersCreated\":%llu,"
      "%s,\"problems\":%zu}\n",
      request.siteId.c_str(), request.format.c_str(), static_cast<unsigned long long>(plan.postsRead()),
      static_cast<unsigned long long>(totals.imported), static_cast<unsigned long long>(totals.alreadyThere),
      static_cast<unsigned long long>(totals.refused), static_cast<unsigned long long>(totals.skipped),
      static_cast<unsigned long long>(totals.threadsCreated), static_cast<unsigned long long>(totals.membersCreated),
      where.c_str(), plan.problems().size());
}

// The posts into the site's store as the core's ImportPost ops, then one checkpoint in one
// transaction: an import stopped at any point wrote nothing, and a second run adds only what the
// first did not (docs/import.md).
int writeToStore(const WriteRequest& request, const SiteConfig& config, ThreadKeyMapping mapping) {
  std::optional<StoreLock> lock;
  if (!lockCommandStore(request.database, lock, "import")) return 2;
  auto store = openCommandStore(request.database, "import");
  if (!store) return 2;
  Result<CheckpointedEngine> loaded = loadCheckpointedEngine(store->store(), request.siteId);
  if (!loaded) return failed(loaded.error().message);
  Engine& engine = loaded.value().engine;
  if (Status replayed = replayStoredOps(store->store(), request.siteId, engine); !replayed) {
    return failed(replayed.error().message);
  }
  const bool siteExists = engine.lastSequence() != 0;
  if (siteExists && store->store().logHoldsRejectedOps()) {  // PostgreSQL: its sequencer numbers the ops
    return failed("site " + request.siteId +
                  " is live on PostgreSQL: import through its servers (--server), or import into SQLite and move "
                  "it with kring-server export (docs/import.md)");
  }
  std::unique_ptr<ImportPlan> plan = readPlan(request, config, std::move(mapping));
  if (!plan) return 2;
  const ImportTotals totals = plan->apply(engine);
  if (totals.imported > 0) {
    try {
      EncodedCheckpoint checkpoint = takeEncodedCheckpoint(engine);
      if (siteExists) {
        store->store().saveCheckpoint(request.siteId, checkpoint, engine.lastSequence());
      } else {
        store->store().importSite(request.siteId, checkpoint);
      }
    } catch (const std::exception& e) {
      return failed(std::string(e.what()) + "; nothing was written");
    }
  }
  printDone(request, *plan, totals, "\"sequence\":" + std::to_string(engine.lastSequence()));
  return 0;
}

// The same ops, made against an engine of their own, then sent to a running server, which applies
// them in order as the store's import does: each batch is stored before the next goes.
int writeToServer(const WriteRequest& request, const SiteConfig& config, ThreadKeyMapping mapping) {
  std::unique_ptr<ImportPlan> plan = readPlan(request, config, std::move(mapping));
  if (!plan) return 2;
  Engine shadow(request.siteId, Limits{});
  std::vector<Op> ops;
  ImportTotals totals = plan->apply(shadow, [&ops](const Op& op, const Outcome&) { ops.push_back(op); });
  Result<UploadTotals> uploaded = uploadImport(UploadTarget{request.server, request.siteId, config.adminKey}, ops);
  if (!uploaded) return failed(uploaded.error().message + "; what was answered before stays imported: run it again");
  totals.imported = uploaded.value().imported;
  totals.alreadyThere += uploaded.value().alreadyThere;
  totals.refused += uploaded.value().refused;
  totals.threadsCreated = 0;  // counted by the server's engine, not this one's
  totals.membersCreated = 0;
  for (ImportProblem& problem : uploaded.value().problems) plan->addProblem(std::move(problem));
  std::string server = request.server;
  for (char& c : server) {
    if (c == '"' || c == '\\') c = '_';
  }
  printDone(request, *plan, totals, "\"server\":\"" + server + "\"");
  return 0;
}

int writeImport(const WriteRequest& request, ThreadKeyMapping mapping) {
  auto sites = loadSiteConfig(request.sitesFile);
  if (!sites) return failed(sites.error().message);
  auto site = std::find_if(sites.value().begin(), sites.value().end(),
                           [&](const SiteConfig& config) { return config.id == request.siteId; });
  if (site == sites.value().end()) return failed("site " + request.siteId + " is not in " + request.sitesFile);
  if (!request.server.empty()) return writeToServer(request, *site, std::move(mapping));
  return writeToStore(request, *site, std::move(mapping));
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
  app.add_option("--db", database, "The store to import into (sqlite:PATH or postgresql://…)");
  std::string siteId;
  std::string sitesFile;
  std::string threadKind = "discussion";
  std::string server;
  app.add_option("--server", server,
                 "disqus, wordpress: instead of --db, a running server's admin address (http://127.0.0.1:PORT)");
  app.add_option("--site", siteId, "disqus, wordpress: the site the comments join");
  app.add_option("--sites", sitesFile, "disqus, wordpress: the server's sites file (its key names the authors)");
  app.add_option("--thread-kind", threadKind, "disqus, wordpress: the threads' kind, discussion or question")
      ->check(CLI::IsMember({"discussion", "question"}));
  app.add_option("file", file, "The export file")->required();
  app.add_option("--mapping", mappingFile, "Exceptions to the URL rules: lines of URL, a tab, the thread key");
  app.add_flag("--keep-host", rules.keepHost, "Thread keys keep the page's host (a site served on several hosts)");
  app.add_flag("--dry-run", dryRun, "Print the thread keys, counts and problems; write nothing");
  CLI11_PARSE(app, argc - 1, argv + 1);
  if (format == "kring") return importArchive(file, database, dryRun);
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

  if (!dryRun) {
    if (database.empty() == server.empty() || siteId.empty() || sitesFile.empty()) {
      std::fprintf(stderr,
                   "kring-server import: --db (or --server), --site and --sites name where the comments go (or use "
                   "--dry-run)\n");
      return 2;
    }
    const ThreadKind kind = threadKind == "question" ? ThreadKind::question : ThreadKind::discussion;
    return writeImport(WriteRequest{format, file, database, server, siteId, sitesFile, kind}, std::move(mapping));
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
