#include "app/archive_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "app/opened_store.h"
#include "kring/archive.h"
#include "kring/checkpoint.h"
#include "kring/site_records.h"
#include "sync/site_engine.h"

namespace kring::server {

namespace {

int failed(const char* command, const std::string& message) {
  std::fprintf(stderr, "kring-server %s failed: %s\n", command, message.c_str());
  return 2;
}

void printCounts(const char* event, const SiteRecords& records, const std::string& path) {
  std::printf(
      "{\"event\":\"%s\",\"site\":\"%s\",\"file\":\"%s\",\"sequence\":%llu,\"members\":%zu,\"threads\":%zu,"
      "\"posts\":%zu,\"audit\":%zu}\n",
      event, records.siteId.c_str(), path.c_str(), static_cast<unsigned long long>(records.lastSequence),
      records.members.size(), records.threads.size(), records.posts.size(), records.audit.size());
}

}  // namespace

std::unique_ptr<OpenedStore> openCommandStore(const std::string& database, const char* command) {
  ServerFlags flags;
  flags.database = database;
  auto opened = OpenedStore::open(flags);
  if (!opened) {
    failed(command, opened.error().message);
    return nullptr;
  }
  return std::move(opened.value());
}

bool lockCommandStore(const std::string& database, std::optional<StoreLock>& lock, const char* command) {
  if (database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0) return true;
  constexpr std::string_view kSqlite = "sqlite:";
  const std::string path = database.rfind(kSqlite, 0) == 0 ? database.substr(kSqlite.size()) : database;
  lock = StoreLock::tryTake(path);
  if (!lock) failed(command, path + " is in use by a running kring-server (or another import): stop it first");
  return lock.has_value();
}

std::optional<int> runExportCommand(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "export") return std::nullopt;
  CLI::App app{"kring-server export: a whole site as Kring's archive (docs/archive.md)"};
  app.name("kring-server export");
  std::string database;
  std::string site;
  std::string destination;
  app.add_option("--db", database, "The store: sqlite:PATH or postgresql://…")->required();
  app.add_option("--site", site, "The site to export")->required();
  app.add_option("--to", destination, "The archive file (written as FILE.tmp, then renamed)")->required();
  CLI11_PARSE(app, argc - 1, argv + 1);
  auto store = openCommandStore(database, "export");
  if (!store) return 2;
  Result<CheckpointedEngine> loaded = loadCheckpointedEngine(store->store(), site);
  if (!loaded) return failed("export", loaded.error().message);
  Engine& engine = loaded.value().engine;
  if (Status replayed = replayStoredOps(store->store(), site, engine); !replayed) {
    return failed("export", replayed.error().message);
  }
  if (engine.lastSequence() == 0) return failed("export", "the store holds nothing of site " + site);
  const SiteRecords records = exportRecords(engine);
  const std::string temporary = destination + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << writeArchive(records);
    out.flush();
    if (!out) return failed("export", "cannot write " + temporary);
  }
  std::error_code renamed;
  std::filesystem::rename(temporary, destination, renamed);
  if (renamed) return failed("export", "cannot rename " + temporary + ": " + renamed.message());
  printCounts("export_done", records, destination);
  return 0;
}

int importArchive(const std::string& file, const std::string& database, bool dryRun) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return failed("import", "cannot read " + file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<Engine> archived = engineFromArchive(text);
  if (!archived) return failed("import", archived.error().message);
  Engine& engine = archived.value();
  const SiteRecords records = exportRecords(engine);
  if (dryRun) {
    printCounts("import_dry_run", records, file);
    return 0;
  }
  if (database.empty()) return failed("import", "--db names the store to import into (or use --dry-run)");
  std::optional<StoreLock> lock;
  if (!lockCommandStore(database, lock, "import")) return 2;
  auto store = openCommandStore(database, "import");
  if (!store) return 2;
  // Into a store that holds nothing of the site: importing twice, or over a live site, adds nothing.
  Result<CheckpointedEngine> existing = loadCheckpointedEngine(store->store(), records.siteId);
  if (!existing) return failed("import", existing.error().message);
  if (Status replayed = replayStoredOps(store->store(), records.siteId, existing.value().engine); !replayed) {
    return failed("import", replayed.error().message);
  }
  if (existing.value().engine.lastSequence() != 0) {
    return failed("import", "the store already holds site " + records.siteId + " (up to sequence " +
                                std::to_string(existing.value().engine.lastSequence()) + "); nothing was written");
  }
  try {
    store->store().importSite(records.siteId, encodeCheckpoint(takeChangedRecords(engine)));
  } catch (const std::exception& e) {
    return failed("import", std::string(e.what()) + "; nothing was written");
  }
  printCounts("import_done", records, file);
  return 0;
}

}  // namespace kring::server
