#include "server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "auth/token.h"

namespace kring::testing {

std::string testSitesJson(const std::string& testSitePolicy) {
  return std::string(R"({"sites":[
    {"id":"test","allowedOrigins":["http://allowed.example"],"tokenSecret":")") +
         TestSite::secret + R"(","adminKey":")" + TestSite::adminKey + R"(","guestPosting":true,"policy":)" +
         testSitePolicy + R"(},
    {"id":"closed","allowedOrigins":["*"],"tokenSecret":"closed-secret-0123456789-abcdefghijk",
     "adminKey":"closed-admin-0123456789-abcdef","guestPosting":false,"policy":{}}]})";
}

ServerProcess::ServerProcess(std::string extraFlags, const std::string& testSitePolicy, const std::string& sitesJson)
    : extraFlags_(std::move(extraFlags)) {
  char pattern[] = "/tmp/kring-server-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  std::ofstream(directory_ + "/sites.json") << (sitesJson.empty() ? testSitesJson(testSitePolicy) : sitesJson);
  start();
}

ServerProcess::ServerProcess(const KeptStore& store, std::string extraFlags, const std::string& sitesJson)
    : directory_(store.directory), extraFlags_(std::move(extraFlags)), keep_(true) {
  std::filesystem::create_directories(directory_);
  std::ofstream(directory_ + "/sites.json") << sitesJson;
  start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill(SIGKILL);
  if (keep_) return;
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void ServerProcess::start() {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  // Flags that name another store (PostgreSQL) replace the directory's SQLite one.
  std::string store = extraFlags_.find("--db ") == std::string::npos ? " --db sqlite:" + directory_ + "/kring.db" : "";
  // KRING_SERVER names another build (tests/server/fixtures/make_v1_store.sh writes a store with an older one).
  const char* binary = std::getenv("KRING_SERVER");
  std::string command = std::string(binary && *binary ? binary : KRING_SERVER_BINARY) + " --port 0" + store +
                        " --sites " + directory_ + "/sites.json " + extraFlags_ + " 2>>" + directory_ + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // The server prints "kring-server listening on http://127.0.0.1:PORT/" once it accepts, after
  // "kring-server admin on http://ADDRESS:PORT/" when it has an admin listener.
  auto portOf = [](const std::string& text) {
    return static_cast<unsigned short>(std::stoi(text.substr(text.rfind(':') + 1)));
  };
  std::string line;
  adminPort_ = 0;
  for (;;) {
    line.clear();
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    if (!line.starts_with("kring-server admin on ")) break;
    adminPort_ = portOf(line);
  }
  close(out[0]);
  auto at = line.rfind(':');
  if (line.find("listening") == std::string::npos || at == std::string::npos) {
    throw std::runtime_error("kring-server did not start: " + line + " (see " + directory_ + "/server.log)");
  }
  port_ = portOf(line);
}

void ServerProcess::kill(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return false;
}

std::string testToken(const std::string& member, const std::string& role, long secondsToLive, const std::string& site,
                      const std::string& secret) {
  server::TokenClaims claims;
  claims.subject = member;
  claims.name = "Name of " + member;
  claims.role = role == "staff"       ? Role::staff
                : role == "moderator" ? Role::moderator
                : role == "admin"     ? Role::admin
                                      : Role::member;
  claims.expiresAt =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      secondsToLive;
  return server::signToken(claims, site, secret);
}

}  // namespace kring::testing
