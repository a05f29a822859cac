#include "support/databases.hpp"

#include "db/blocking_session.hpp"
#include "db/migrations.hpp"
#include "support/test_server.hpp"

#include <unistd.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>

namespace pend::test {

ScratchDatabase::ScratchDatabase(bool migrate) {
  admin_url_ = env("PEND_TEST_DATABASE_URL");
  if (admin_url_.empty()) return;
  static std::atomic<int> counter{0};
  name_ = "pend_scratch_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  db::BlockingSession(admin_url_).exec("CREATE DATABASE " + name_);
  boost::urls::url url = *boost::urls::parse_uri(admin_url_);
  url.set_path("/" + name_);
  url_ = std::string{url.buffer()};
  if (migrate) {
    db::Migrator(url_).up(
        db::load_migrations(std::filesystem::path{PEND_SOURCE_DIR} / "migrations"));
  }
}

ScratchDatabase::~ScratchDatabase() {
  if (name_.empty()) return;
  try {
    db::BlockingSession(admin_url_).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // a leftover scratch database dies with the test server
  }
}

std::string ScratchDatabase::value(const std::string& sql) const {
  db::BlockingSession session(url_);
  const auto rows = session.exec(sql);
  return rows.size() > 0 ? rows.value(0, 0) : std::string{};
}

TempPostgres::TempPostgres() {
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  std::string dir = base + "/pend-pg-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("cannot create " + dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all |
                                        std::filesystem::perms::group_exec |
                                        std::filesystem::perms::others_exec);
  dir_ = dir + "/data";
  // free_port from the scripts, so the port is chosen the way the servers' ports are.
  const std::string script = std::string{PEND_SOURCE_DIR} + "/scripts/lib/services.sh";
  const std::string port_file = dir + "/port";
  const std::string command = "bash -c 'source \"" + script + "\" && free_port' > " + port_file;
  if (std::system(command.c_str()) != 0) throw std::runtime_error("free_port failed");
  FILE* in = std::fopen(port_file.c_str(), "r");
  unsigned port = 0;
  if (in == nullptr || std::fscanf(in, "%u", &port) != 1) {
    if (in) std::fclose(in);
    throw std::runtime_error("no free port");
  }
  std::fclose(in);
  port_ = static_cast<std::uint16_t>(port);
  start();
}

TempPostgres::~TempPostgres() {
  try {
    stop();
  } catch (const std::exception&) {
    // already stopped
  }
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(dir_).parent_path(), ignored);
}

void TempPostgres::services(const std::string& command) const {
  const std::string script = std::string{PEND_SOURCE_DIR} + "/scripts/lib/services.sh";
  const std::string line = "bash -c 'source \"" + script + "\" && " + command + "' >/dev/null";
  if (std::system(line.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

void TempPostgres::start() {
  services("start_postgres \"" + dir_ + "\" " + std::to_string(port_) +
           " \"-c fsync=off\" \"-c max_connections=50\"");
}

void TempPostgres::stop() { services("stop_postgres \"" + dir_ + "\""); }

void TempPostgres::restart() {
  services("as_postgres \"$PG_BIN/pg_ctl\" -D \"" + dir_ + "\" -m fast -w -t 60 restart");
}

std::string TempPostgres::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

}  // namespace pend::test
