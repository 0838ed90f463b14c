#include "store/postgres/pg_outbox.h"

#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <vector>

#include "store/postgres/pg_session.h"

namespace kring::server {

namespace {

class PgConnection;

class PgQuery final : public OutboxQuery {
 public:
  PgQuery(PgConnection& connection, std::string sql) : connection_(connection), sql_(std::move(sql)) {}

  void bind(int column, const std::string& value) override { at(column) = value; }
  void bind(int column, std::int64_t value) override { at(column) = std::to_string(value); }
  bool row() override {
    if (!result_) execute();
    if (next_ >= result_->size()) return false;
    current_ = next_++;
    return true;
  }
  void run() override { execute(); }
  void reset() override {
    parameters_.clear();
    result_.reset();
  }
  std::int64_t integer(int column) override {
    const pqxx::field field = (*result_)[current_][column];
    return field.is_null() ? 0 : field.as<std::int64_t>();
  }
  std::string text(int column) override {
    const pqxx::field field = (*result_)[current_][column];
    return field.is_null() ? std::string() : std::string(field.c_str(), field.size());
  }

 private:
  std::string& at(int column) {
    if (parameters_.size() < static_cast<std::size_t>(column)) parameters_.resize(static_cast<std::size_t>(column));
    return parameters_[static_cast<std::size_t>(column) - 1];
  }
  void execute();

  PgConnection& connection_;
  std::string sql_;
  std::vector<std::string> parameters_;
  std::optional<pqxx::result> result_;
  pqxx::result::size_type next_ = 0;
  pqxx::result::size_type current_ = 0;
};

class PgConnection final : public OutboxConnection {
 public:
  PgConnection(std::string url, PgSessionLimits limits) : url_(std::move(url)), limits_(std::move(limits)) {
    connect();
  }

  std::unique_ptr<OutboxQuery> prepare(const std::string& sql) override {
    return std::make_unique<PgQuery>(*this, sql);
  }
  void begin() override {
    if (!connection_->is_open()) connect();
    work_ = std::make_unique<pqxx::work>(*connection_);
  }
  void commit() override {
    work_->commit();
    work_.reset();
  }
  void rollback() noexcept override {
    try {
      if (work_) work_->abort();
    } catch (const std::exception&) {
      // A broken connection rolled it back already.
    }
    work_.reset();
  }
  std::int64_t changes() override { return changes_; }

  pqxx::result execute(const std::string& sql, const std::vector<std::string>& parameters) {
    // Each statement alone commits at once; a connection the database ended is made again first.
    if (!work_ && !connection_->is_open()) connect();
    const std::string* name = preparedName(sql);
    auto run = [&](pqxx::transaction_base& transaction) {
      return name ? transaction.exec_prepared(*name, pqxx::prepare::make_dynamic_params(parameters))
                  : transaction.exec_params(sql, pqxx::prepare::make_dynamic_params(parameters));
    };
    pqxx::result result;
    if (work_) {
      result = run(*work_);
    } else {
      pqxx::nontransaction alone(*connection_);
      result = run(alone);
    }
    changes_ = result.affected_rows();
    return result;
  }

 private:
  // A new session with the server's settings (a session the database ended is not used again).
  void connect() {
    auto fresh = std::make_unique<pqxx::connection>(url_);
    applySessionLimits(*fresh, limits_);
    connection_ = std::move(fresh);
    prepared_.clear();
  }
  // The statement prepared once on this session (a round runs the same few again and again: the
  // database parses and plans each once); nullptr past kMostPrepared distinct ones.
  const std::string* preparedName(const std::string& sql) {
    static constexpr std::size_t kMostPrepared = 64;
    if (auto found = prepared_.find(sql); found != prepared_.end()) return &found->second;
    if (prepared_.size() >= kMostPrepared) return nullptr;
    std::string name = "outbox_" + std::to_string(prepared_.size());
    connection_->prepare(name, sql);
    return &prepared_.emplace(sql, std::move(name)).first->second;
  }

  std::string url_;
  PgSessionLimits limits_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::work> work_;
  std::int64_t changes_ = 0;
  std::map<std::string, std::string> prepared_;  // SQL to its name on this session
};

void PgQuery::execute() {
  result_ = connection_.execute(sql_, parameters_);
  next_ = 0;
}

class PgOutboxDatabase final : public OutboxDatabase {
 public:
  PgOutboxDatabase(std::string url, PgSessionLimits limits, std::function<bool(const std::string&)> delivers)
      : url_(std::move(url)), limits_(std::move(limits)), delivers_(std::move(delivers)) {}

  std::unique_ptr<OutboxConnection> connect(Access, const char* what) const override {
    PgSessionLimits limits = limits_;
    limits.applicationName += std::string(" ") + what;
    return std::make_unique<PgConnection>(url_, limits);
  }
  bool sharedByServers() const override { return true; }
  bool delivers(const std::string& siteId) const override { return delivers_(siteId); }

 private:
  std::string url_;
  PgSessionLimits limits_;
  std::function<bool(const std::string&)> delivers_;
};

}  // namespace

std::shared_ptr<const OutboxDatabase> postgresOutboxDatabase(std::string url, PgSessionLimits limits,
                                                             std::function<bool(const std::string&)> delivers) {
  return std::make_shared<PgOutboxDatabase>(std::move(url), std::move(limits), std::move(delivers));
}

}  // namespace kring::server
