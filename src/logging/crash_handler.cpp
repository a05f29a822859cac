#include "logging/crash_handler.hpp"

#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace pend::logging {

namespace {

// Everything the handlers use is prepared at install time: at crash time only
// async-signal-safe calls (open, write, backtrace_symbols_fd, close, sigaction, raise).
std::array<char, 4096> g_path{};

void put(int fd, const char* text) {
  std::size_t length = std::strlen(text);
  while (length > 0) {
    const auto n = ::write(fd, text, length);
    if (n <= 0) return;
    text += n;
    length -= static_cast<std::size_t>(n);
  }
}

void put_number(int fd, long value) {
  char digits[24];
  int i = static_cast<int>(sizeof digits) - 1;
  digits[i] = '\0';
  const bool negative = value < 0;
  unsigned long magnitude =
      negative ? 0UL - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
  do {
    digits[--i] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0 && i > 1);
  if (negative) digits[--i] = '-';
  put(fd, digits + i);
}

// "<unix seconds> pid <pid> <what>: <detail>\n" then the frames, then a blank line.
void report(const char* what, const char* detail) {
  const int fd = ::open(g_path.data(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  const int out = fd >= 0 ? fd : 2;
  put(out, "=== ");
  put_number(out, static_cast<long>(std::time(nullptr)));
  put(out, " pid ");
  put_number(out, static_cast<long>(::getpid()));
  put(out, " ");
  put(out, what);
  if (detail != nullptr && detail[0] != '\0') {
    put(out, ": ");
    put(out, detail);
  }
  put(out, "\nstack trace:\n");
  std::array<void*, 64> frames{};
  const int depth = ::backtrace(frames.data(), static_cast<int>(frames.size()));
  ::backtrace_symbols_fd(frames.data(), depth, out);
  put(out, "\n");
  if (fd >= 0) ::close(fd);
  if (out != 2) put(2, "pend-server: crashed; see exceptions.log in the log directory\n");
}

void on_terminate() {
  const char* what = "no active exception";
  std::string detail;  // only here: terminate is not a signal handler
  if (const auto error = std::current_exception()) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      detail = e.what();
    } catch (...) {
      detail = "an exception not derived from std::exception";
    }
    what = "uncaught exception";
  }
  report(what, detail.c_str());
  ::signal(SIGABRT, SIG_DFL);  // abort() below must not report a second time
  std::abort();
}

void on_signal(int signal) {
  const char* name = signal == SIGSEGV   ? "SIGSEGV (invalid memory access)"
                     : signal == SIGBUS  ? "SIGBUS"
                     : signal == SIGFPE  ? "SIGFPE (arithmetic error)"
                     : signal == SIGILL  ? "SIGILL (illegal instruction)"
                     : signal == SIGABRT ? "SIGABRT (abort)"
                                         : "fatal signal";
  report("fatal signal", name);
  // The default action now: the process dies of the signal (non-zero, a core if enabled).
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  ::sigemptyset(&action.sa_mask);
  ::sigaction(signal, &action, nullptr);
  ::raise(signal);
}

}  // namespace

void install_crash_handler(const std::filesystem::path& log_dir) {
  std::error_code ignored;
  std::filesystem::create_directories(log_dir, ignored);
  const std::string path = (log_dir / "exceptions.log").string();
  std::snprintf(g_path.data(), g_path.size(), "%s", path.c_str());
  // backtrace() loads libgcc on first use, which is not safe inside a signal handler.
  std::array<void*, 4> warm{};
  ::backtrace(warm.data(), static_cast<int>(warm.size()));

  std::set_terminate(on_terminate);
  // An alternate stack, so a stack overflow can still be reported.
  static std::array<char, 64 * 1024> alternate{};
  stack_t stack{};
  stack.ss_sp = alternate.data();
  stack.ss_size = alternate.size();
  ::sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  ::sigemptyset(&action.sa_mask);
  for (const int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    ::sigaction(signal, &action, nullptr);
  }
}

std::string current_stack() {
  std::array<void*, 48> frames{};
  const int depth = ::backtrace(frames.data(), static_cast<int>(frames.size()));
  char** symbols = ::backtrace_symbols(frames.data(), depth);
  std::string text;
  for (int i = 1; symbols != nullptr && i < depth; ++i) {  // 1: not this function
    text += symbols[i];
    text += '\n';
  }
  std::free(symbols);
  return text;
}

}  // namespace pend::logging
