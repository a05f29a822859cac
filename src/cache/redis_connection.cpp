#include "cache/redis_connection.hpp"

#include "cache/redis_error.hpp"
#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"
#include "security/digest.hpp"

#include <hiredis/hiredis.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <random>

namespace pend::cache {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kFirstBackoff{100};

void append_header(std::string& out, char kind, std::size_t number) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
  out += kind;
  out.append(digits.data(), end);
  out += "\r\n";
}

void append_bulk(std::string& out, std::string_view text) {
  append_header(out, '$', text.size());
  out += text;
  out += "\r\n";
}

std::chrono::milliseconds jittered(std::chrono::milliseconds base) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> spread(0, base.count() / 4);
  return base + std::chrono::milliseconds(spread(random));
}

// A single command's reply, or its error reply as RedisError.
Reply unless_error(Reply reply) {
  if (reply.is_error()) {
    throw RedisError(RedisError::Kind::reply, "Redis: " + std::string{reply.text()});
  }
  return reply;
}

std::exception_ptr unavailable(const std::string& why) {
  return std::make_exception_ptr(RedisError(RedisError::Kind::unavailable, "Redis " + why));
}

}  // namespace

void encode_command(std::string& out, std::span<const Arg> argv) {
  append_header(out, '*', argv.size());
  for (const auto& arg : argv) append_bulk(out, arg.view());
}

void encode_command(std::string& out, std::span<const std::string_view> argv) {
  append_header(out, '*', argv.size());
  for (const auto arg : argv) append_bulk(out, arg);
}

Script::Script(std::string_view text) : text(text), sha1(security::sha1_hex(text)) {}

void RedisFigures::record(std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    if (seconds <= kBuckets[b]) {
      buckets[b].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  observations.fetch_add(1, std::memory_order_relaxed);
  sum_ns.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
}

RedisConnection::RedisConnection(asio::io_context& loop, RedisOptions options)
    : loop_(loop),
      options_(std::move(options)),
      socket_(loop),
      backoff_timer_(loop),
      watch_timer_(loop) {}

RedisConnection::~RedisConnection() {
  if (reader_ != nullptr) redisReaderFree(reader_);
}

void RedisConnection::start() {
  auto self = shared_from_this();
  asio::co_spawn(
      loop_, [self]() { return self->maintain(); }, logging::rethrow_unhandled);
  asio::co_spawn(
      loop_, [self]() { return self->watch(); }, logging::rethrow_unhandled);
}

void RedisConnection::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  figures_.up = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  backoff_timer_.cancel();
  watch_timer_.cancel();
  fail_all(unavailable("client closed"));
}

std::string RedisConnection::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void RedisConnection::set_last_error(std::string error) {
  std::lock_guard lock(error_mutex_);
  last_error_ = std::move(error);
}

asio::awaitable<Reply> RedisConnection::command(std::span<const Arg> argv) {
  std::string wire;
  encode_command(wire, argv);
  auto replies = co_await send(wire, 1);
  co_return unless_error(std::move(replies.front()));
}

asio::awaitable<Reply> RedisConnection::command_argv(std::span<const std::string_view> argv) {
  std::string wire;
  encode_command(wire, argv);
  auto replies = co_await send(wire, 1);
  co_return unless_error(std::move(replies.front()));
}

asio::awaitable<std::vector<Reply>> RedisConnection::pipeline(const Pipeline& commands) {
  if (commands.size() == 0) co_return std::vector<Reply>{};
  co_return co_await send(commands.wire(), commands.size());
}

asio::awaitable<Reply> RedisConnection::eval(const Script& script, std::size_t key_count,
                                             std::span<const Arg> args) {
  // EVALSHA sha numkeys args...; on NOSCRIPT the same once more as EVAL with the text.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string wire;
    append_header(wire, '*', args.size() + 3);
    append_bulk(wire, attempt == 0 ? "EVALSHA" : "EVAL");
    append_bulk(wire, attempt == 0 ? std::string_view{script.sha1} : script.text);
    append_bulk(wire, Arg(key_count).view());
    for (const auto& arg : args) append_bulk(wire, arg.view());
    auto replies = co_await send(wire, 1);
    Reply reply = std::move(replies.front());
    if (attempt == 0 && reply.is_error() && reply.text().starts_with("NOSCRIPT")) continue;
    co_return unless_error(std::move(reply));
  }
  throw RedisError(RedisError::Kind::reply, "Redis: the script could not be loaded");
}

asio::awaitable<std::vector<Reply>> RedisConnection::send(std::string_view wire,
                                                          std::size_t count) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(std::exception_ptr, std::vector<Reply>)>(
      [this, wire, count](Handler handler) {
        const bool can_wait = state_ == State::connecting && !outage_;
        if (state_ != State::up && !can_wait) {
          figures_.failed.fetch_add(1, std::memory_order_relaxed);
          const auto error = state_ == State::closed ? unavailable("client closed")
                                                     : unavailable("unavailable: " + last_error());
          asio::post(loop_, [handler = std::move(handler), error]() mutable {
            std::move(handler)(error, std::vector<Reply>{});
          });
          return;
        }
        out_ += wire;
        pending_.push_back({std::move(handler), count, {}, Clock::now()});
        figures_.in_flight.fetch_add(1, std::memory_order_relaxed);
        flush();
      },
      asio::use_awaitable);
}

void RedisConnection::flush() {
  if (writing_ || out_.empty() || state_ != State::up) return;
  writing_ = true;
  // The buffer lives as long as the write, whatever happens to the connection meanwhile.
  auto buffer = std::make_shared<std::string>(std::move(out_));
  out_.clear();
  asio::async_write(socket_, asio::buffer(*buffer),
                    [self = shared_from_this(), buffer, generation = generation_](
                        const boost::system::error_code& ec, std::size_t) {
                      if (generation != self->generation_) return;  // an old connection's
                      self->writing_ = false;
                      if (ec) {
                        boost::system::error_code ignored;
                        self->socket_.close(ignored);  // the reader reports it
                        return;
                      }
                      self->flush();
                    });
}

void RedisConnection::complete_front() {
  Pending done = std::move(pending_.front());
  pending_.pop_front();
  figures_.in_flight.fetch_sub(1, std::memory_order_relaxed);
  figures_.record(Clock::now() - done.sent);
  // Posted, not called: the waiting coroutine resumes after this read is handled.
  asio::post(loop_,
             [handler = std::move(done.handler), replies = std::move(done.replies)]() mutable {
               std::move(handler)(nullptr, std::move(replies));
             });
}

void RedisConnection::fail_all(std::exception_ptr error) {
  out_.clear();
  while (!pending_.empty()) {
    Pending failed = std::move(pending_.front());
    pending_.pop_front();
    figures_.in_flight.fetch_sub(1, std::memory_order_relaxed);
    figures_.failed.fetch_add(failed.expected, std::memory_order_relaxed);
    asio::post(loop_, [handler = std::move(failed.handler), error]() mutable {
      std::move(handler)(error, std::vector<Reply>{});
    });
  }
}

asio::awaitable<void> RedisConnection::maintain() {
  auto self = shared_from_this();
  std::chrono::milliseconds backoff{0};
  bool reported_down = false;
  const std::string where = options_.endpoint.describe();
  while (state_ != State::closed) {
    if (backoff.count() > 0) {
      backoff_timer_.expires_after(jittered(backoff));
      co_await backoff_timer_.async_wait(kUseTuple);
      if (state_ == State::closed) break;
    }
    state_ = State::connecting;
    std::string error = co_await connect_once();
    if (state_ == State::closed) break;
    if (!error.empty()) {
      state_ = State::down;
      outage_ = true;
      figures_.connect_failures.fetch_add(1, std::memory_order_relaxed);
      set_last_error(error);
      fail_all(unavailable("unavailable: " + error));
      if (!reported_down) {  // once per outage, not once per attempt
        logging::warn("GENERAL", "REDIS_UNAVAILABLE", "cannot connect to Redis",
                      {{"redis", where}, {"error", error}});
        reported_down = true;
      }
      backoff =
          std::min(backoff.count() == 0 ? kFirstBackoff : backoff * 2, options_.reconnect_max);
      continue;
    }
    state_ = State::up;
    outage_ = false;
    figures_.up = true;
    figures_.connects.fetch_add(1, std::memory_order_relaxed);
    flush();  // what was sent while connecting
    if (reported_down || figures_.connects.load() > 1) {
      logging::info("GENERAL", "REDIS_CONNECTED", "connected to Redis", {{"redis", where}});
    }
    reported_down = false;
    backoff = std::chrono::milliseconds{0};

    const std::string reason = co_await read_replies();
    if (state_ == State::closed) break;
    state_ = State::down;
    figures_.up = false;
    figures_.disconnects.fetch_add(1, std::memory_order_relaxed);
    set_last_error(reason);
    boost::system::error_code ignored;
    socket_.close(ignored);
    ++generation_;  // a write still completing belongs to the old connection
    writing_ = false;
    fail_all(timed_out_ ? std::make_exception_ptr(
                              RedisError(RedisError::Kind::timeout, "Redis: " + reason))
                        : unavailable(reason));
    logging::warn("GENERAL", "REDIS_DISCONNECTED", "lost the Redis connection",
                  {{"redis", where}, {"error", reason}});
    reported_down = true;
    backoff = kFirstBackoff;
  }
}

asio::awaitable<void> RedisConnection::watch() {
  auto self = shared_from_this();
  const auto period = std::clamp(options_.command_timeout / 4, std::chrono::milliseconds{10},
                                 std::chrono::milliseconds{100});
  while (state_ != State::closed) {
    watch_timer_.expires_after(period);
    co_await watch_timer_.async_wait(kUseTuple);
    if (state_ != State::up || pending_.empty()) continue;
    if (Clock::now() - pending_.front().sent > options_.command_timeout) {
      timed_out_ = true;
      figures_.timeouts.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket_.close(ignored);  // read_replies() returns; maintain() fails the rest
    }
  }
}

asio::awaitable<std::string> RedisConnection::connect_once() {
  timed_out_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (reader_ != nullptr) redisReaderFree(reader_);
  reader_ = redisReaderCreate();
  if (reader_ == nullptr) co_return "out of memory";

  const auto& endpoint = options_.endpoint;
  asio::steady_timer deadline(loop_, options_.connect_timeout);
  tcp::resolver resolver(loop_);
  const std::string port = std::to_string(endpoint.port);
  auto resolved = co_await (resolver.async_resolve(endpoint.host, port, kUseTuple) ||
                            deadline.async_wait(kUseTuple));
  if (resolved.index() == 1) co_return "timed out resolving " + endpoint.host;
  auto [resolve_ec, endpoints] = std::get<0>(std::move(resolved));
  if (resolve_ec) co_return "cannot resolve " + endpoint.host + ": " + resolve_ec.message();

  auto connected = co_await (asio::async_connect(socket_, endpoints, kUseTuple) ||
                             deadline.async_wait(kUseTuple));
  if (connected.index() == 1) {
    socket_.close(ignored);
    co_return "connect timed out after " + std::to_string(options_.connect_timeout.count()) + " ms";
  }
  if (auto [ec, peer] = std::get<0>(connected); ec) co_return "connect failed: " + ec.message();
  socket_.set_option(tcp::no_delay(true), ignored);

  // AUTH, SELECT and CLIENT SETNAME in one write; their replies, in order, before serving.
  Pipeline hello;
  std::vector<std::string> names;
  if (!endpoint.password.empty()) {
    if (endpoint.user.empty()) {
      hello.add("AUTH", endpoint.password);
    } else {
      hello.add("AUTH", endpoint.user, endpoint.password);
    }
    names.emplace_back("AUTH");
  }
  if (endpoint.database != 0) {
    hello.add("SELECT", endpoint.database);
    names.emplace_back("SELECT");
  }
  hello.add("CLIENT", "SETNAME", options_.client_name);
  names.emplace_back("CLIENT SETNAME");

  auto written = co_await (asio::async_write(socket_, asio::buffer(hello.wire()), kUseTuple) ||
                           deadline.async_wait(kUseTuple));
  if (written.index() == 1) co_return "timed out sending AUTH/SELECT";
  if (auto [ec, n] = std::get<0>(written); ec) co_return "write failed: " + ec.message();

  std::array<char, 4096> buffer{};
  std::size_t answered = 0;
  while (answered < names.size()) {
    auto read = co_await (socket_.async_read_some(asio::buffer(buffer), kUseTuple) ||
                          deadline.async_wait(kUseTuple));
    if (read.index() == 1) co_return "no answer to " + names[answered] + " (timed out)";
    auto [ec, n] = std::get<0>(read);
    if (ec) co_return "connection closed during " + names[answered] + ": " + ec.message();
    redisReaderFeed(reader_, buffer.data(), n);
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_, &raw) != REDIS_OK) co_return "not a Redis server";
      if (raw == nullptr) break;
      Reply reply(static_cast<redisReply*>(raw));
      if (reply.is_error()) {
        const auto text = reply.text();
        if (names[answered] == "AUTH" || text.starts_with("WRONGPASS")) {
          co_return "Redis refused the credentials";
        }
        if (text.starts_with("NOAUTH")) co_return "Redis requires a password (REDIS_URL has none)";
        co_return names[answered] + " failed: " + std::string{text};
      }
      if (++answered == names.size()) break;
    }
  }
  ++generation_;
  writing_ = false;
  co_return std::string{};
}

asio::awaitable<std::string> RedisConnection::read_replies() {
  auto self = shared_from_this();
  std::array<char, 16 * 1024> buffer;
  for (;;) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), kUseTuple);
    if (timed_out_) {
      co_return "no reply within " + std::to_string(options_.command_timeout.count()) +
          " ms (command timeout)";
    }
    if (ec == asio::error::eof) co_return "Redis closed the connection";
    if (ec) co_return "connection failed: " + ec.message();
    if (redisReaderFeed(reader_, buffer.data(), n) != REDIS_OK) co_return "protocol error";
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
        co_return "protocol error: " + std::string{reader_->errstr};
      }
      if (raw == nullptr) break;
      Reply reply(static_cast<redisReply*>(raw));
      if (pending_.empty()) co_return "protocol error: a reply nothing was waiting for";
      figures_.commands.fetch_add(1, std::memory_order_relaxed);
      if (reply.is_error()) figures_.error_replies.fetch_add(1, std::memory_order_relaxed);
      auto& front = pending_.front();
      front.replies.push_back(std::move(reply));
      if (front.replies.size() == front.expected) complete_front();
    }
  }
}

}  // namespace pend::cache
