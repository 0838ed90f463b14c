// Console reads off the io thread: one reader thread answers them in turn from read views
// (sync/read_view.h) and hands each answer back to the io thread. It yields to the threads that
// apply and store ops: it runs at nice 10, a tenth of the weight of a thread at nice 0 (at 19 it
// starved for tens of seconds while other processes kept the cores busy), and its reads use at most
// a tenth of a core over time after bursts of 1 s (util/cpu_share.h). The queue is bounded: a read
// that finds it full is refused at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "http/http_message.h"
#include "util/cpu_share.h"

namespace kring::server {

class ConsoleReader {
 public:
  using Read = std::function<HttpResponse()>;
  using Answer = std::function<void(HttpResponse)>;

  // `idle` runs on the io thread once no read has been asked for `idleAfter` (the server lets go of
  // its read views then).
  ConsoleReader(boost::asio::io_context& io, std::size_t maxWaiting, std::chrono::seconds idleAfter,
                std::function<void()> idle);
  ~ConsoleReader();  // answers nothing more; waits for the read under way
  ConsoleReader(const ConsoleReader&) = delete;
  ConsoleReader& operator=(const ConsoleReader&) = delete;

  // Whether maxWaiting reads are waiting: refuse the next one. Only the io thread adds reads, so a
  // read it finds room for still has room when it runs it.
  bool full();
  // Runs `read` on the reader thread, then `answer` with its response on the io thread (a read that
  // throws answers 500 to `request`). Call on the io thread, when not full().
  void run(const HttpRequest& request, Read read, Answer answer);

 private:
  void work();
  void armIdle();

  boost::asio::io_context& io_;
  const std::size_t maxWaiting_;
  const std::chrono::seconds idleAfter_;
  std::function<void()> idle_;
  boost::asio::steady_timer idleTimer_;
  std::chrono::steady_clock::time_point lastRun_;
  bool idleArmed_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  struct Job {
    HttpRequest head;
    Read read;
    Answer answer;
  };
  std::deque<Job> waiting_;
  bool stopping_ = false;
  CpuShare share_;  // the reader thread's
  std::thread thread_;
};

}  // namespace kring::server
