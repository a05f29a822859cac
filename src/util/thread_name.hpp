// Names the calling thread (as `top -H`, `ps -L`, perf and gdb show it); Linux keeps the
// first 15 bytes.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <string>

namespace pend::util {

inline void name_this_thread(const std::string& name) {
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
}

// For background threads (log writer, log delivery): SCHED_BATCH, the same share of the CPU
// but no preempting a request thread when it wakes up; it runs when a core is free or at the
// next tick instead. Best effort.
inline void make_this_thread_background() {
  const sched_param none{};
  ::pthread_setschedparam(::pthread_self(), SCHED_BATCH, &none);
}

}  // namespace pend::util
