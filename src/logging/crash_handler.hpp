// Crash reporting: std::terminate (an exception nobody caught, on any thread or in a
// coroutine spawned with rethrow_unhandled), and the fatal signals SIGSEGV, SIGBUS, SIGFPE,
// SIGILL and SIGABRT append the reason and a stack trace to LOG_DIR/exceptions.log,
// synchronously, before the process dies with a non-zero status (the signal's default
// action, or abort).
//
//   logging::install_crash_handler(settings.log.dir);   // once, early in main
//   asio::co_spawn(loop, work(), logging::rethrow_unhandled);   // instead of asio::detached
#pragma once

#include <exception>
#include <filesystem>
#include <string>

namespace pend::logging {

void install_crash_handler(const std::filesystem::path& log_dir);

// The calling thread's stack as text (one frame a line), for a log entry about an exception
// caught at a boundary.
std::string current_stack();

// A co_spawn completion handler for coroutines nobody awaits: an exception that escapes
// one is not swallowed (as asio::detached would) but rethrown on the loop's thread, where it
// ends in std::terminate and the crash report.
inline void rethrow_unhandled(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace pend::logging
