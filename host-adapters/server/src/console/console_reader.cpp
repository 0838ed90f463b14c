#include "console/console_reader.h"

#include <boost/asio/post.hpp>

#include <time.h>
#include <unistd.h>

#include "http/http_message.h"
#include "observe/logging.h"
#include "util/thread_priority.h"

namespace kring::server {

ConsoleReader::ConsoleReader(boost::asio::io_context& io, std::size_t maxWaiting, std::chrono::seconds idleAfter,
                             std::function<void()> idle)
    : io_(io),
      maxWaiting_(maxWaiting),
      idleAfter_(idleAfter),
      idle_(std::move(idle)),
      idleTimer_(io),
      share_(std::chrono::seconds(1), 100, CpuShare::Clock::now()),
      thread_([this] { work(); }) {}

namespace {

// CPU time this thread has used (not wall time: an idle-priority thread waits a lot).
CpuShare::Duration threadCpuTime() {
  timespec time{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time);
  return std::chrono::duration_cast<CpuShare::Duration>(std::chrono::seconds(time.tv_sec) +
                                                        std::chrono::nanoseconds(time.tv_nsec));
}

}  // namespace

ConsoleReader::~ConsoleReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    waiting_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

bool ConsoleReader::full() {
  std::lock_guard lock(mutex_);
  return waiting_.size() >= maxWaiting_;
}

void ConsoleReader::run(const HttpRequest& request, Read read, Answer answer) {
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(Job{headOf(request), std::move(read), std::move(answer)});
  }
  wake_.notify_one();
  lastRun_ = std::chrono::steady_clock::now();
  armIdle();
}

void ConsoleReader::armIdle() {
  if (idleArmed_) return;
  idleArmed_ = true;
  idleTimer_.expires_at(lastRun_ + idleAfter_);
  idleTimer_.async_wait([this](const boost::system::error_code& error) {
    idleArmed_ = false;
    if (error) return;
    if (std::chrono::steady_clock::now() - lastRun_ >= idleAfter_) return idle_();
    armIdle();
  });
}

void ConsoleReader::work() {
  // Reads wait rather than slow the writers: the io and store threads go first when the cores are
  // busy. Nice 10, not SCHED_IDLE: a server whose cores are full must still answer its moderators.
  runThisThreadAtNice(10);
  for (;;) {
    Job next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      // A reader that has used its share waits for it to refill; the reads queue meanwhile.
      for (auto wait = share_.waitBefore(CpuShare::Clock::now()); wait.count() > 0 && !stopping_;
           wait = share_.waitBefore(CpuShare::Clock::now())) {
        wake_.wait_for(lock, wait, [this] { return stopping_; });
      }
      if (stopping_) return;
      next = std::move(waiting_.front());
      waiting_.pop_front();
    }
    HttpResponse response;
    const CpuShare::Duration cpuBefore = threadCpuTime();
    try {
      response = next.read();
    } catch (const std::exception& e) {
      logEvent("error", "console_read_failed", {{"error", e.what()}});
      response = errorResponse(next.head, boost::beast::http::status::internal_server_error, "internal_error",
                               "The read failed; the server's log says why.");
    }
    share_.spent(threadCpuTime() - cpuBefore, CpuShare::Clock::now());
    boost::asio::post(io_, [answer = std::move(next.answer), response = std::move(response)]() mutable {
      answer(std::move(response));
    });
  }
}

}  // namespace kring::server
