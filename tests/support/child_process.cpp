#include "support/child_process.hpp"

#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pend::test {

std::string Child::output() const {
  std::ifstream in(output_path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Child::wait_exit_code(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

Child::~Child() {
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  if (!output_path.empty()) ::unlink(output_path.c_str());
}

std::unique_ptr<Child> spawn(const std::vector<std::string>& args,
                             const std::vector<std::string>& environment, rlim_t max_files) {
  auto child = std::make_unique<Child>();
  std::string dir = env("PEND_TEST_TMPDIR");
  if (dir.empty()) dir = "/tmp";
  std::string path = dir + "/pend-binary-XXXXXX";
  const int out = ::mkstemp(path.data());
  child->output_path = path;

  std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "PEND_ENV=test"};
  env_strings.insert(env_strings.end(), environment.begin(), environment.end());
  std::vector<char*> argv{const_cast<char*>(PEND_SERVER_BINARY)};
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  child->pid = ::fork();
  if (child->pid == 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (max_files > 0) {
      rlimit limit{max_files, max_files};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (::chdir(PEND_SOURCE_DIR) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out);
  return child;
}

bool wait_for_port(std::uint16_t port) {
  for (int i = 0; i < 500; ++i) {
    try {
      RawConnection probe(port);
      return true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return false;
}

std::string run_tool(const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("run_tool: no program");
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("run_tool: pipe failed");
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("run_tool: " + args[0] + " failed (status " + std::to_string(status) +
                             ")");
  }
  return out;
}

std::string node_tool(std::string_view name) {
  const auto path = std::filesystem::path{PEND_SOURCE_DIR} / "node_modules/.bin" / name;
  return std::filesystem::exists(path) ? path.string() : std::string{};
}

}  // namespace pend::test
