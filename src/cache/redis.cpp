#include "cache/redis.hpp"

#include "cache/redis_error.hpp"
#include "metrics/prometheus_writer.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <charconv>
#include <stdexcept>

namespace pend::cache {

namespace asio = boost::asio;

RedisOptions redis_options(const config::RedisSettings& settings,
                           const std::string& instance_name) {
  std::string error;
  auto endpoint = config::parse_redis_url(settings.url, &error);
  if (!endpoint) throw std::invalid_argument("redis.url: " + error);
  RedisOptions options;
  options.endpoint = std::move(*endpoint);
  options.connect_timeout = settings.connect_timeout;
  options.command_timeout = settings.command_timeout;
  options.reconnect_max = settings.reconnect_max;
  options.client_name = "pend-server:" + instance_name;
  // CLIENT SETNAME takes no spaces or newlines.
  for (char& c : options.client_name) {
    if (c <= ' ' || c > '~') c = '_';
  }
  return options;
}

Redis::~Redis() { close(); }

void Redis::attach(asio::io_context& loop) {
  auto connection = std::make_shared<RedisConnection>(loop, options_);
  connection->start();
  connections_.push_back(std::move(connection));
}

void Redis::close() {
  for (auto& connection : connections_) connection->close();
  // Suspended coroutines still hold their connection; they let go when their loop is
  // destroyed (the connection's socket and timers belong to that loop).
  connections_.clear();
}

RedisConnection& Redis::local(const asio::any_io_executor& executor) const {
  auto& context = asio::query(executor, asio::execution::context);
  for (const auto& connection : connections_) {
    if (&connection->loop() == &context) return *connection;
  }
  throw RedisError(RedisError::Kind::unavailable, "Redis: no connection on this event loop");
}

asio::awaitable<Reply> Redis::command_argv(std::span<const std::string_view> argv) {
  RedisConnection& connection = local(co_await asio::this_coro::executor);
  co_return co_await connection.command_argv(argv);
}

asio::awaitable<std::vector<Reply>> Redis::pipeline(const Pipeline& commands) {
  RedisConnection& connection = local(co_await asio::this_coro::executor);
  co_return co_await connection.pipeline(commands);
}

bool Redis::up() const { return !connections_.empty() && connections_up() == connections_.size(); }

std::size_t Redis::connections_up() const {
  std::size_t up = 0;
  for (const auto& connection : connections_) up += connection->figures().up.load() ? 1 : 0;
  return up;
}

asio::awaitable<health::CheckResult> Redis::check_health() {
  health::CheckResult result;
  try {
    Reply pong = co_await command("PING");
    result.up = pong.text() == "PONG";
    if (!result.up) result.detail = "unexpected answer to PING";
  } catch (const std::exception& error) {
    result.detail = error.what();  // RedisError texts never hold the URL's credentials
  }
  std::uint64_t reconnects = 0;
  std::int64_t in_flight = 0;
  for (const auto& connection : connections_) {
    const auto& f = connection->figures();
    const auto connects = f.connects.load();
    reconnects += connects > 0 ? connects - 1 : 0;
    in_flight += f.in_flight.load();
  }
  result.figures = {{"connections", static_cast<std::int64_t>(connections_.size())},
                    {"connections_up", static_cast<std::int64_t>(connections_up())},
                    {"in_flight", in_flight},
                    {"reconnects", static_cast<std::int64_t>(reconnects)}};
  co_return result;
}

void Redis::collect(metrics::PrometheusWriter& out) const {
  std::vector<std::string> shards;
  for (std::size_t i = 0; i < connections_.size(); ++i) shards.push_back(std::to_string(i));
  auto per_shard = [&](std::string_view name, std::string_view type, std::string_view help,
                       auto read) {
    out.family(name, type, help);
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      out.sample(name, {{"shard", shards[i]}}, read(connections_[i]->figures()));
    }
  };
  per_shard("pend_redis_up", "gauge", "1 while the shard's Redis connection is up.",
            [](const RedisFigures& f) { return std::int64_t{f.up.load() ? 1 : 0}; });
  per_shard("pend_redis_in_flight", "gauge", "Redis commands sent and not yet answered.",
            [](const RedisFigures& f) { return f.in_flight.load(); });
  per_shard("pend_redis_connects_total", "counter",
            "Redis connections established (the first one and every reconnect).",
            [](const RedisFigures& f) { return f.connects.load(); });
  per_shard("pend_redis_connect_failures_total", "counter", "Failed attempts to connect to Redis.",
            [](const RedisFigures& f) { return f.connect_failures.load(); });
  per_shard("pend_redis_disconnects_total", "counter",
            "Redis connections lost (closed by the server, broken, or timed out).",
            [](const RedisFigures& f) { return f.disconnects.load(); });
  per_shard("pend_redis_command_timeouts_total", "counter",
            "Connections dropped because a command got no reply within the command timeout.",
            [](const RedisFigures& f) { return f.timeouts.load(); });
  per_shard("pend_redis_commands_failed_total", "counter",
            "Redis commands that got no reply: sent while down, or in flight when it dropped.",
            [](const RedisFigures& f) { return f.failed.load(); });
  per_shard("pend_redis_error_replies_total", "counter", "Redis commands answered with an error.",
            [](const RedisFigures& f) { return f.error_replies.load(); });

  // Command latency (sending to the reply), summed over the shards.
  std::array<std::uint64_t, RedisFigures::kBuckets.size()> buckets{};
  std::uint64_t observations = 0, sum_ns = 0;
  for (const auto& connection : connections_) {
    const auto& f = connection->figures();
    for (std::size_t b = 0; b < buckets.size(); ++b) buckets[b] += f.buckets[b].load();
    observations += f.observations.load();
    sum_ns += f.sum_ns.load();
  }
  out.family("pend_redis_command_duration_seconds", "histogram",
             "Redis command latency, from sending to the reply (a pipeline counts once).");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    cumulative += buckets[b];
    char le[16];
    const auto end = std::to_chars(le, le + sizeof le, RedisFigures::kBuckets[b]).ptr;
    out.sample_raw("pend_redis_command_duration_seconds_bucket", "", "le",
                   std::string_view(le, static_cast<std::size_t>(end - le)),
                   static_cast<double>(cumulative));
  }
  out.sample_raw("pend_redis_command_duration_seconds_bucket", "", "le", "+Inf",
                 static_cast<double>(observations));
  out.sample_raw("pend_redis_command_duration_seconds_sum", "", "", "",
                 static_cast<double>(sum_ns) / 1e9);
  out.sample_raw("pend_redis_command_duration_seconds_count", "", "", "",
                 static_cast<double>(observations));
}

}  // namespace pend::cache
