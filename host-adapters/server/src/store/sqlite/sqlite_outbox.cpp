#include "store/sqlite/sqlite_outbox.h"

#include <sqlite3.h>

#include <cctype>
#include <stdexcept>

namespace kring::server {

namespace {

// SQLite names a numbered parameter ?1; PostgreSQL $1.
std::string sqliteParameters(const std::string& sql) {
  std::string out = sql;
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) out[i] = '?';
  }
  return out;
}

class SqliteQuery final : public OutboxQuery {
 public:
  SqliteQuery(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sqliteParameters(sql).c_str(), -1, &handle_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~SqliteQuery() override { sqlite3_finalize(handle_); }

  void bind(int column, const std::string& value) override {
    sqlite3_bind_text(handle_, column, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void bind(int column, std::int64_t value) override { sqlite3_bind_int64(handle_, column, value); }
  bool row() override {
    const int step = sqlite3_step(handle_);
    if (step == SQLITE_ROW) return true;
    if (step != SQLITE_DONE) fail("step");
    return false;
  }
  void run() override {
    if (sqlite3_step(handle_) != SQLITE_DONE) fail("step");
  }
  void reset() override {
    sqlite3_reset(handle_);
    sqlite3_clear_bindings(handle_);
  }
  std::int64_t integer(int column) override { return sqlite3_column_int64(handle_, column); }
  std::string text(int column) override {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(handle_, column));
    return bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(handle_, column))) : std::string();
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("sqlite outbox ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* handle_ = nullptr;
};

class SqliteConnection final : public OutboxConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override { sqlite3_close(db_); }

  std::unique_ptr<OutboxQuery> prepare(const std::string& sql) override {
    return std::make_unique<SqliteQuery>(db_, sql);
  }
  void begin() override { execute("BEGIN IMMEDIATE"); }
  void commit() override { execute("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  std::int64_t changes() override { return sqlite3_changes(db_); }
  void syncEachCommit(bool each) override { execute(each ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); }

 private:
  void execute(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite outbox: ") + sqlite3_errmsg(db_));
    }
  }
  sqlite3* db_;
};

class SqliteOutboxDatabase final : public OutboxDatabase {
 public:
  explicit SqliteOutboxDatabase(std::string path) : path_(std::move(path)) {}

  std::unique_ptr<OutboxConnection> connect(Access access, const char* what) const override {
    sqlite3* raw = nullptr;
    const int flags = (access == Access::read ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    const int opened = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    auto connection = std::make_unique<SqliteConnection>(raw);  // closes `raw` whatever happens
    if (opened != SQLITE_OK) throw std::runtime_error(std::string("sqlite open for ") + what + ": " + path_);
    // Waits for the commit thread's write, which holds the lock for a group commit at most.
    sqlite3_busy_timeout(raw, access == Access::read ? 5'000 : 10'000);
    return connection;
  }
  bool sharedByServers() const override { return false; }
  bool delivers(const std::string&) const override { return true; }

 private:
  std::string path_;
};

}  // namespace

std::shared_ptr<const OutboxDatabase> sqliteOutboxDatabase(std::string path) {
  return std::make_shared<SqliteOutboxDatabase>(std::move(path));
}

}  // namespace kring::server
