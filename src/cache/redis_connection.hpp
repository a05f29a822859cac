// RedisConnection: one pipelined connection to Redis, driven by one event loop (a shard's).
// Any number of coroutines on that loop send commands at once; commands are written
// together and replies matched to them in order, so concurrency costs no extra connections.
// hiredis parses the replies (its reader); Asio does the I/O, which gives the connect and
// command timeouts that Debian 12's hiredis 0.14 async API lacks.
//
// While the connection is down every command fails at once with RedisError (unavailable):
// callers degrade instead of waiting. Commands sent while it connects (at start-up, or right
// after a drop) wait for that attempt, which the connect timeout bounds. A command with no reply
// within the command timeout drops the connection (Redis answers in order, so nothing behind it
// could arrive either); every command in flight then fails with a clear error and the connection
// reconnects with backoff by itself.
//
//   auto conn = std::make_shared<RedisConnection>(loop, options);
//   conn->start();
//   Reply r = co_await conn->command("SET", key, value, "PX", 30'000);   // on loop
//   auto replies = co_await conn->pipeline(Pipeline{}.add("MULTI").add(...).add("EXEC"));
#pragma once

#include "cache/redis_reply.hpp"
#include "config/redis_endpoint.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <concepts>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

struct redisReader;

namespace pend::cache {

using Clock = std::chrono::steady_clock;

struct RedisOptions {
  config::RedisEndpoint endpoint;
  std::chrono::milliseconds connect_timeout{1'000};  // TCP connect plus AUTH/SELECT
  std::chrono::milliseconds command_timeout{1'000};
  std::chrono::milliseconds reconnect_max{5'000};  // backoff ceiling while Redis is down
  std::string client_name = "pend-server";         // CLIENT SETNAME, seen in CLIENT LIST
};

// One command argument: text, or an integer formatted in place.
class Arg {
 public:
  Arg(std::string_view text) : view_(text) {}  // NOLINT: implicit by design
  Arg(const std::string& text) : view_(text) {}
  Arg(const char* text) : view_(text) {}
  template <std::integral T>
  Arg(T number) {  // NOLINT
    const auto end = std::to_chars(digits_.data(), digits_.data() + digits_.size(), number).ptr;
    view_ = std::string_view(digits_.data(), static_cast<std::size_t>(end - digits_.data()));
  }
  Arg(const Arg&) = delete;  // the view may point into digits_
  Arg& operator=(const Arg&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::string_view view_;
  std::array<char, 24> digits_{};
};

// Appends one command in the Redis protocol (RESP) to out.
void encode_command(std::string& out, std::span<const Arg> argv);
void encode_command(std::string& out, std::span<const std::string_view> argv);

// Commands sent together in one write; their replies come back in order.
class Pipeline {
 public:
  template <typename... Args>
  Pipeline& add(const Args&... args) {
    const std::array<Arg, sizeof...(Args)> argv{Arg(args)...};
    encode_command(wire_, argv);
    ++count_;
    return *this;
  }
  std::size_t size() const { return count_; }
  const std::string& wire() const { return wire_; }

 private:
  std::string wire_;
  std::size_t count_ = 0;
};

// A Lua script, sent by its SHA-1 (EVALSHA) and by text only when Redis does not know it yet.
struct Script {
  explicit Script(std::string_view text);
  std::string_view text;
  std::string sha1;
};

// Figures for /metrics and readiness. Written on the loop's thread, read from any.
struct RedisFigures {
  static constexpr std::array<double, 12> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
  std::atomic<bool> up{false};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> commands{0};       // replies received
  std::atomic<std::uint64_t> error_replies{0};  // of which -ERR...
  std::atomic<std::uint64_t> failed{0};         // commands that got no reply (down, dropped)
  std::atomic<std::uint64_t> timeouts{0};       // connections dropped for a silent server
  std::atomic<std::uint64_t> connects{0};       // successful connects, the first included
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> disconnects{0};
  std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};  // command latency
  std::atomic<std::uint64_t> observations{0};
  std::atomic<std::uint64_t> sum_ns{0};

  void record(std::chrono::nanoseconds latency);
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  RedisConnection(boost::asio::io_context& loop, RedisOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void start();  // begins connecting (and reconnecting) on the loop
  // Fails what is in flight and stops for good. On the loop's thread, or after it stopped.
  void close();

  // One command; throws RedisError, also for an error reply.
  template <typename... Args>
  boost::asio::awaitable<Reply> command(const Args&... args) {
    const std::array<Arg, sizeof...(Args)> argv{Arg(args)...};
    co_return co_await command(std::span<const Arg>(argv));
  }
  boost::asio::awaitable<Reply> command(std::span<const Arg> argv);
  // A command whose length is known only at run time (UNLINK k1 k2 ...).
  boost::asio::awaitable<Reply> command_argv(std::span<const std::string_view> argv);

  // Several commands in one write; error replies stay in the result (a MULTI's queued
  // commands and EXEC answer per command). Throws RedisError when the connection fails.
  boost::asio::awaitable<std::vector<Reply>> pipeline(const Pipeline& commands);

  // EVALSHA, falling back to EVAL once when Redis does not have the script (after a
  // restart or SCRIPT FLUSH). args: the keys first, then the other arguments.
  template <typename... Args>
  boost::asio::awaitable<Reply> eval(const Script& script, std::size_t key_count,
                                     const Args&... args) {
    const std::array<Arg, sizeof...(Args)> argv{Arg(args)...};
    co_return co_await eval(script, key_count, std::span<const Arg>(argv));
  }
  boost::asio::awaitable<Reply> eval(const Script& script, std::size_t key_count,
                                     std::span<const Arg> args);

  bool up() const { return state_ == State::up; }
  boost::asio::io_context& loop() { return loop_; }
  const RedisFigures& figures() const { return figures_; }
  const RedisOptions& options() const { return options_; }
  std::string last_error() const;  // why it is down; thread-safe

 private:
  enum class State : std::uint8_t { down, connecting, up, closed };
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, std::vector<Reply>)>;
  struct Pending {
    Handler handler;
    std::size_t expected;
    std::vector<Reply> replies;
    Clock::time_point sent;
  };

  boost::asio::awaitable<std::vector<Reply>> send(std::string_view wire, std::size_t count);
  boost::asio::awaitable<void> maintain();
  boost::asio::awaitable<void> watch();
  boost::asio::awaitable<std::string> connect_once();
  boost::asio::awaitable<std::string> read_replies();
  void flush();
  void complete_front();
  void fail_all(std::exception_ptr error);
  void set_last_error(std::string error);

  boost::asio::io_context& loop_;
  RedisOptions options_;
  State state_ = State::down;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer watch_timer_;
  redisReader* reader_ = nullptr;
  std::string out_;  // encoded, not yet written
  bool writing_ = false;
  std::uint64_t generation_ = 0;  // bumped per connection: stale write completions ignore
  bool timed_out_ = false;
  // The last connect attempt failed: commands fail at once rather than wait for the next.
  bool outage_ = false;
  std::deque<Pending> pending_;
  RedisFigures figures_;
  mutable std::mutex error_mutex_;  // last_error_ is read by readiness from other threads
  std::string last_error_ = "not connected yet";
};

}  // namespace pend::cache
