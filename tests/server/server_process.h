// Test harness: runs the real kring-server binary on a free loopback port with its own store.
#pragma once

#include <sys/types.h>

#include <string>

namespace kring::testing {

struct TestSite {
  static constexpr const char* id = "test";
  static constexpr const char* secret = "test-secret-0123456789-abcdefghijklmnop";
  static constexpr const char* adminKey = "admin-key-0123456789-abcdef";
  static constexpr const char* allowedOrigin = "http://allowed.example";
  // These tests are about the server's mechanics (fan-out, storage, limits of its own), so the
  // community rules' gates and limits are lifted; the rules have their own tests in tests/core.
  static constexpr const char* mechanicsPolicy =
      R"({"settings":{"privilegeVoteUp":0,"privilegeVoteDown":0,"privilegeComment":0,"privilegeFlag":0,)"
      R"("ratePostsTrust0":1000000,"ratePostsTrust1":1000000,"duplicateWindowHours":0,)"
      R"("newMemberUntilTrustLevel":0,"threadCreateMinTrustLevel":0,"spamHoldScore":1000000}})";
};

// The sites file of the test site (with `testSitePolicy`) and a closed site that takes no guests.
std::string testSitesJson(const std::string& testSitePolicy = TestSite::mechanicsPolicy);

// Server flags that lift every per-connection and per-member rate, for tests and benchmarks that
// write as fast as the server answers (begins with a space, to append to other flags).
inline constexpr const char* kUnlimitedRates =
    " --ops-per-second 1000000 --ops-burst 1000000 --member-ops-per-second 1000000 --member-ops-burst 1000000"
    " --frames-per-second 1000000 --frames-burst 1000000";

// A store directory that outlives its ServerProcess (a benchmark's cached store).
struct KeptStore {
  std::string directory;
};

class ServerProcess {
 public:
  // A fresh directory with sites.json and an empty store; `extraFlags` are appended to the command line.
  // `testSitePolicy` is the test site's policy JSON (the benchmark's needs its own review threshold).
  // `sitesJson`, when given, is the whole sites file instead of the test and closed sites.
  explicit ServerProcess(std::string extraFlags = {}, const std::string& testSitePolicy = TestSite::mechanicsPolicy,
                         const std::string& sitesJson = {});
  // Runs on the store in `store.directory` (created when missing), which is left in place; its
  // sites.json is written with `sitesJson`.
  ServerProcess(const KeptStore& store, std::string extraFlags, const std::string& sitesJson);
  ~ServerProcess();

  void start();           // starts (again) on the same store; waits until it listens
  void kill(int signal);  // sends the signal and waits for the exit
  int exitStatus() const { return exitStatus_; }
  // True while the process runs (it has not exited or died of a signal since start()).
  bool running();
  unsigned short port() const { return port_; }
  // The admin listener's port (--admin-port, printed before the listening line); 0 without one.
  unsigned short adminPort() const { return adminPort_; }
  pid_t pid() const { return pid_; }
  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
  std::string extraFlags_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  unsigned short adminPort_ = 0;
  int exitStatus_ = -1;
  bool keep_ = false;
};

// A token for `member` at the test site, signed with its secret; `secondsToLive` may be negative.
std::string testToken(const std::string& member, const std::string& role = "member", long secondsToLive = 600,
                      const std::string& site = TestSite::id, const std::string& secret = TestSite::secret);

}  // namespace kring::testing
