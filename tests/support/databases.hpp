// PostgreSQL for tests. ScratchDatabase: a database of its own on the server scripts/test
// started, migrated, dropped afterwards. TempPostgres: a whole server of its own (for tests
// that restart or stop it), started with the same scripts/lib/services.sh functions the
// project's scripts use.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pend::test {

class ScratchDatabase {
 public:
  // Empty (available() false) without PEND_TEST_DATABASE_URL; tests then skip.
  explicit ScratchDatabase(bool migrate = true);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  bool available() const { return !name_.empty(); }
  const std::string& url() const { return url_; }
  // One statement through a blocking connection; the first column of the first row.
  std::string value(const std::string& sql) const;

 private:
  std::string admin_url_, name_, url_;
};

class TempPostgres {
 public:
  TempPostgres();  // initdb and start on a free port; throws std::runtime_error
  ~TempPostgres();
  TempPostgres(const TempPostgres&) = delete;
  TempPostgres& operator=(const TempPostgres&) = delete;

  std::string url() const;  // superuser postgres, database postgres
  std::uint16_t port() const { return port_; }
  void stop();
  void start();
  void restart();  // pg_ctl restart -m fast: sessions are terminated, the server comes back

 private:
  void services(const std::string& command) const;
  std::string dir_;
  std::uint16_t port_ = 0;
};

// Runs body on loop until it finishes (the loop may hold endless work, such as a pool's
// maintenance), and returns its result or rethrows its exception.
template <typename T>
T run_until_done(boost::asio::io_context& loop, boost::asio::awaitable<T> body) {
  auto future = boost::asio::co_spawn(loop, std::move(body), boost::asio::use_future);
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    loop.run_one_for(std::chrono::milliseconds(50));
  }
  return future.get();
}

}  // namespace pend::test
