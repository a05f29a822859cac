// Child: the pend-server binary in a child process, as operators run it, with its stdout and
// stderr in a file; killed (SIGKILL) and reaped if still running when it goes away.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pend::test {

struct Child {
  pid_t pid = -1;
  std::string output_path;  // stdout and stderr together

  std::string output() const;
  // The exit code (128 + signal when killed), or -1 when still running after limit.
  int wait_exit_code(std::chrono::seconds limit = std::chrono::seconds(20));
  ~Child();
};

// Runs the binary with args and extra environment (PEND_ variables of the test's own
// environment are not passed on), from the source directory, optionally with a lower
// descriptor limit.
std::unique_ptr<Child> spawn(const std::vector<std::string>& args,
                             const std::vector<std::string>& environment = {},
                             rlim_t max_files = 0);

bool wait_for_port(std::uint16_t port);  // up to 10 s (free_port: support/redis_server.hpp)

// Runs a program (a path, no shell) to its end and gives its stdout; throws when it cannot
// start or exits non-zero. For outside tools the tests check the server against (cast).
std::string run_tool(const std::vector<std::string>& argv);
// A tool from ./node_modules/.bin (installed by scripts/install-deps), or "" when missing.
std::string node_tool(std::string_view name);

}  // namespace pend::test
