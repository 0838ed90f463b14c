#include "store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

namespace kring::server {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Every failure is one of these; its text is what the user reads.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

std::string storePath(const std::string& database) {
  if (database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0) {
    throw Failure("backup and restore copy SQLite stores; back up PostgreSQL with pg_dump (docs/operations.md)");
  }
  constexpr std::string_view kSqlite = "sqlite:";
  return database.rfind(kSqlite, 0) == 0 ? database.substr(kSqlite.size()) : database;
}

Db open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) throw Failure(path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  // The server's commit thread may hold the write lock a moment; wait for it rather than fail.
  sqlite3_busy_timeout(db.get(), 10'000);
  return db;
}

Db openExisting(const std::string& path, int flags) {
  if (!fs::is_regular_file(path)) throw Failure(path + ": no such file");
  return open(path, flags);
}

void execute(sqlite3* db, const std::string& sql, const std::string& what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw Failure(what + ": " + text);
  }
}

// Calls row(statement) for each row of `sql`.
template <typename Row>
void query(sqlite3* db, const std::string& sql, const std::string& what, Row row) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    throw Failure(what + ": " + sqlite3_errmsg(db));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) row(raw);
  if (rc != SQLITE_DONE) throw Failure(what + ": " + sqlite3_errmsg(db));
}

std::string text(sqlite3_stmt* statement, int column) {
  const auto* value = sqlite3_column_text(statement, column);
  return value ? reinterpret_cast<const char*>(value) : "";
}

// The tables every Kring store has, whatever its age (stores before checkpoints have ops and snapshots).
void requireKringStore(sqlite3* db, const std::string& path) {
  bool ops = false;
  query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ops'", path + " is not a SQLite database",
        [&](sqlite3_stmt*) { ops = true; });
  if (!ops) throw Failure(path + " is not a Kring store (it has no table ops)");
}

void requireIntact(sqlite3* db, const std::string& path, const char* check) {
  std::string first;
  query(db, std::string("PRAGMA ") + check, path + ": " + check, [&](sqlite3_stmt* row) {
    if (first.empty()) first = text(row, 0);
  });
  if (first != "ok") throw Failure(path + " fails " + check + ": " + first);
}

std::map<std::string, std::int64_t> siteSequences(sqlite3* db) {
  std::map<std::string, std::int64_t> sites;
  bool checkpoints = false;
  query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'", "sites",
        [&](sqlite3_stmt*) { checkpoints = true; });
  std::string sql = checkpoints ? "SELECT site, max(seq) FROM (SELECT site, seq FROM ops UNION ALL "
                                  "SELECT site, seq FROM checkpoints) GROUP BY site"
                                : "SELECT site, max(seq) FROM ops GROUP BY site";
  query(db, sql, "sites", [&](sqlite3_stmt* row) { sites[text(row, 0)] = sqlite3_column_int64(row, 1); });
  return sites;
}

// Copies every page of `from` into `to` in steps. Returns the pages copied.
std::int64_t copyPages(sqlite3* from, sqlite3* to, int pagesPerStep, std::chrono::milliseconds pause) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (!backup) throw Failure(std::string("backup: ") + sqlite3_errmsg(to));
  int rc;
  while ((rc = sqlite3_backup_step(backup, pagesPerStep)) != SQLITE_DONE) {
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(pause);
  }
  std::int64_t pages = sqlite3_backup_pagecount(backup);
  if (sqlite3_backup_finish(backup) != SQLITE_OK || rc != SQLITE_DONE) {
    throw Failure(std::string("backup: ") + sqlite3_errstr(rc) + " (" + sqlite3_errmsg(to) + ")");
  }
  return pages;
}

// Removes a database file with its journal, WAL and shared memory; false when one of them stays.
bool removeWithSidecars(const std::string& path) noexcept {
  bool removed = true;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::error_code error;
    fs::remove(path + suffix, error);
    removed = removed && !error;
  }
  return removed;
}

// The copy's PATH.tmp, removed unless it was renamed into place: a failure leaves nothing behind.
struct Scratch {
  explicit Scratch(std::string target) : path(std::move(target) + ".tmp") {}
  ~Scratch() { removeWithSidecars(path); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string path;
};

// Writing the copy removes what stands at its path: never the file it is copied from.
void requireDistinct(const std::string& from, const std::string& to) {
  fs::path source = fs::weakly_canonical(from);
  for (const std::string& written : {to, to + ".tmp"}) {
    fs::path target = fs::weakly_canonical(written);
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      if (target == source.string() + suffix || source == target.string() + suffix) {
        throw Failure(to + " would overwrite " + from + ": choose another file");
      }
    }
  }
}

// A copy written without a journal: it is checked before it is renamed into place.
Db openScratch(const std::string& path) {
  if (!removeWithSidecars(path)) throw Failure(path + ": cannot remove what an earlier attempt left");
  // The copy holds the whole community: its owner's alone, whatever the umask (an empty file is an
  // empty database to SQLite).
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) throw Failure(path + ": cannot create the copy");
  ::close(fd);
  Db db = open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  execute(db.get(), "PRAGMA journal_mode=OFF", path);
  execute(db.get(), "PRAGMA synchronous=OFF", path);
  return db;
}

// The copy carries the source's WAL flag; make it a self-contained file (the server turns WAL on again).
void finishScratch(sqlite3* db, const std::string& path) { execute(db, "PRAGMA journal_mode=DELETE", path); }

void syncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw Failure(path + ": fsync failed");
  }
  ::close(fd);
}

// Renames `scratch` to `path` durably: the file's bytes, then the directory entry.
void putInPlace(const std::string& scratch, const std::string& path) {
  syncPath(scratch, O_RDONLY);
  fs::rename(scratch, path);
  fs::path directory = fs::absolute(path).parent_path();
  syncPath(directory.string(), O_RDONLY | O_DIRECTORY);
}

// A server keeps its store open with a shared lock; an exclusive one is only granted when nobody has it open.
void requireUnused(const std::string& path) {
  Db db = open(path, SQLITE_OPEN_READWRITE);
  sqlite3_busy_timeout(db.get(), 200);
  char* message = nullptr;
  int rc = sqlite3_exec(db.get(), "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT", nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    throw Failure(path + " is open in another process (a running kring-server?): stop it before a restore");
  }
}

std::int64_t millisecondsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

template <typename Work>
CopyReport reported(Work work) {
  CopyReport report;
  try {
    work(report);
  } catch (const Failure& e) {
    report.error = e.what();
  } catch (const fs::filesystem_error& e) {
    report.error = e.what();
  }
  return report;
}

}  // namespace

CopyReport backupStore(const BackupOptions& options) {
  return reported([&](CopyReport& report) {
    auto start = Clock::now();
    std::string path = storePath(options.source);
    requireDistinct(path, options.destination);
    Scratch scratch(options.destination);
    Db source = openExisting(path, SQLITE_OPEN_READWRITE);
    execute(source.get(), "PRAGMA query_only=1", path);
    requireKringStore(source.get(), path);
    // One read transaction for the whole copy: every step sees the same committed state, so the copy
    // never restarts however often the server commits, and in WAL mode a reader never blocks its writer.
    execute(source.get(), "BEGIN", path);
    execute(source.get(), "SELECT count(*) FROM sqlite_master", path);
    {
      Db copy = openScratch(scratch.path);
      report.pages = copyPages(source.get(), copy.get(), options.pagesPerStep, options.pause);
      execute(source.get(), "COMMIT", path);
      finishScratch(copy.get(), scratch.path);
      requireIntact(copy.get(), scratch.path, "integrity_check");
      report.siteSequences = siteSequences(copy.get());
    }
    putInPlace(scratch.path, options.destination);
    report.bytes = static_cast<std::int64_t>(fs::file_size(options.destination));
    report.milliseconds = millisecondsSince(start);
  });
}

CopyReport restoreStore(const RestoreOptions& options) {
  return reported([&](CopyReport& report) {
    auto start = Clock::now();
    std::string path = storePath(options.destination);
    requireDistinct(options.source, path);
    Db backup = openExisting(options.source, SQLITE_OPEN_READONLY);
    requireKringStore(backup.get(), options.source);
    requireIntact(backup.get(), options.source, "integrity_check");
    if (fs::exists(path) || fs::exists(path + "-wal")) {
      if (!options.force) throw Failure(path + " exists: restore --force replaces it");
      if (fs::exists(path)) requireUnused(path);
    }
    Scratch scratch(path);
    {
      Db copy = openScratch(scratch.path);
      report.pages = copyPages(backup.get(), copy.get(), 4096, std::chrono::milliseconds(0));
      finishScratch(copy.get(), scratch.path);
      requireIntact(copy.get(), scratch.path, "quick_check");
      report.siteSequences = siteSequences(copy.get());
    }
    // A WAL left from the replaced store would be replayed into the restored one at the next open.
    for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(path + suffix);
    putInPlace(scratch.path, path);
    report.bytes = static_cast<std::int64_t>(fs::file_size(path));
    report.milliseconds = millisecondsSince(start);
  });
}

namespace {

int printed(const char* command, const CopyReport& report,
            std::initializer_list<std::pair<const char*, std::string>> paths) {
  if (!report.error.empty()) {
    std::fprintf(stderr, "kring-server %s failed: %s\n", command, report.error.c_str());
    return 1;
  }
  boost::json::object sites;
  for (const auto& [site, sequence] : report.siteSequences) sites[site] = sequence;
  boost::json::object fields;
  fields["event"] = std::string(command) + "_done";
  for (const auto& [name, path] : paths) fields[name] = path;
  fields["pages"] = report.pages;
  fields["bytes"] = report.bytes;
  fields["ms"] = report.milliseconds;
  fields["sites"] = std::move(sites);
  std::printf("%s\n", boost::json::serialize(fields).c_str());
  return 0;
}

}  // namespace

std::optional<int> runStoreCommand(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  const std::string command = argv[1];
  if (command != "backup" && command != "restore") return std::nullopt;
  CLI::App app{command == "backup"
                   ? "kring-server backup: a consistent copy of a SQLite store, safe while a server writes to it"
                   : "kring-server restore: puts a backup in place as a SQLite store (stop the server first)"};
  app.name("kring-server " + command);
  if (command == "backup") {
    BackupOptions options;
    app.add_option("--db", options.source, "The store: sqlite:PATH")->required();
    app.add_option("--to", options.destination, "The backup file (written as FILE.tmp, then renamed)")->required();
    app.add_option("--pages-per-step", options.pagesPerStep, "Pages copied per step")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 20));
    int pauseMs = static_cast<int>(options.pause.count());
    app.add_option("--pause-ms", pauseMs, "Pause between steps")->capture_default_str()->check(CLI::Range(0, 1000));
    CLI11_PARSE(app, argc - 1, argv + 1);
    options.pause = std::chrono::milliseconds(pauseMs);
    return printed("backup", backupStore(options), {{"db", options.source}, {"to", options.destination}});
  }
  RestoreOptions options;
  app.add_option("--from", options.source, "The backup file")->required();
  app.add_option("--db", options.destination, "The store to write: sqlite:PATH")->required();
  app.add_flag("--force", options.force, "Replace an existing store (its -wal and -shm go with it)");
  CLI11_PARSE(app, argc - 1, argv + 1);
  return printed("restore", restoreStore(options), {{"from", options.source}, {"db", options.destination}});
}

}  // namespace kring::server
