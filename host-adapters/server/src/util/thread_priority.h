// A thread's share of busy cores: work that may wait (console reads, outbox deliveries) yields to the
// threads that apply and store ops.
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kring::server {

// The calling thread runs at `nice` from now on (10: a tenth of the weight of a thread at 0). Linux
// gives each thread its own nice value, and threads it starts inherit it; elsewhere this does nothing.
inline void runThisThreadAtNice(int nice) { setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice); }

}  // namespace kring::server
