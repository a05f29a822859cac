// pg_load: the PostgreSQL data layer under load, for bench/postgres.sh. Point queries
// through the pools of all shards, one statement per round trip or pipelined in batches,
// and COPY of server_logs rows. Prints one "RESULT ..." line.
//
//   pg_load --url URL --mode point     --threads 2 --concurrency 16 --seconds 10
//   pg_load --url URL --mode pipelined --threads 2 --concurrency 16 --batch 16
//   pg_load --url URL --mode copy      --rows 1000000
//   pg_load --mode copy-file --rows 1000000 > rows.txt    (the same rows, for psql \copy)
#include "db/copy_encoder.hpp"
#include "db/database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace pend;
using Clock = std::chrono::steady_clock;

namespace {

constexpr db::Statement kPoint{"bench.point",
                               "SELECT abalance FROM pgbench_accounts WHERE aid = $1"};
constexpr db::Statement kCopy{
    "bench.copy_logs",
    "COPY server_logs (level, category, event_type, request_id, ip_address, user_agent,"
    " endpoint, method, status_code, response_time_ms, response_size_bytes, metadata)"
    " FROM STDIN"};

struct Options {
  std::string url;
  std::string mode = "point";
  unsigned threads = 2;
  unsigned concurrency = 16;
  unsigned batch = 16;
  unsigned seconds = 10;
  unsigned warmup = 2;
  std::int64_t accounts = 1'000'000;  // pgbench -s 10
  std::int64_t rows = 1'000'000;
  bool together = false;  // pipelined: one sync point per batch (as pgbench's pipelines)
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--url")
      o.url = value;
    else if (key == "--mode")
      o.mode = value;
    else if (key == "--threads")
      o.threads = std::stoul(value);
    else if (key == "--concurrency")
      o.concurrency = std::stoul(value);
    else if (key == "--batch")
      o.batch = std::stoul(value);
    else if (key == "--seconds")
      o.seconds = std::stoul(value);
    else if (key == "--warmup")
      o.warmup = std::stoul(value);
    else if (key == "--accounts")
      o.accounts = std::stoll(value);
    else if (key == "--rows")
      o.rows = std::stoll(value);
    else if (key == "--sync")
      o.together = value == "once";
    else
      throw std::invalid_argument("unknown option " + key);
  }
  return o;
}

// One access-log-like row, the same for COPY here and for psql's \copy.
void encode_row(db::CopyEncoder& rows, std::int64_t i) {
  static const char* kEndpoints[] = {"/api/v1/wallet/balance", "/api/v1/explorer/blocks/{number}",
                                     "/api/v1/config", "/api/v1/auth/otp"};
  char request_id[40];
  std::snprintf(request_id, sizeof request_id, "0192f3a4-5b6c-7d8e-9fa0-%012lld",
                static_cast<long long>(i));
  char ip[20];
  std::snprintf(ip, sizeof ip, "10.%d.%d.%d", static_cast<int>(i >> 16 & 255),
                static_cast<int>(i >> 8 & 255), static_cast<int>(i & 255));
  rows.field("info").field("API").field("HTTP_REQUEST").field(request_id).field(ip);
  rows.field("PendWallet/2.4 (Android 14)").field(kEndpoints[i % 4]).field("GET");
  rows.field(std::int64_t{200}).field(i % 97).field(512 + i % 4096);
  rows.field(R"({"shard": 1, "cache": "MISS"})").end_row();
}

// Runs the workers on `threads` loops, each with its own pool, for warmup + seconds.
template <typename Worker>
double run_loops(const Options& o, unsigned connections_per_loop, Worker worker) {
  db::PoolSettings settings;
  settings.connection.url = o.url;
  settings.min_connections = connections_per_loop;
  settings.max_connections = connections_per_loop;
  db::Database database(settings);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (unsigned t = 0; t < o.threads; ++t) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    database.attach(*loops.back());
  }
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<std::uint64_t> done{0};
  std::atomic<unsigned> running{o.concurrency};
  for (unsigned c = 0; c < o.concurrency; ++c) {
    auto& loop = *loops[c % o.threads];
    asio::co_spawn(loop, worker(database, measuring, stop, done, c),
                   [&running, &loop](std::exception_ptr error) {
                     if (error) {
                       try {
                         std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                         std::cerr << "worker failed: " << e.what() << "\n";
                       }
                     }
                     --running;
                     (void)loop;
                   });
  }
  std::vector<std::thread> threads;
  for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });
  std::this_thread::sleep_for(std::chrono::seconds(o.warmup));
  measuring = true;
  const auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  const auto counted = done.load();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  stop = true;
  while (running.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (auto& loop : loops) loop->stop();
  for (auto& thread : threads) thread.join();
  database.close();
  loops.clear();
  return static_cast<double>(counted) / elapsed;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  if (o.mode == "copy-file") {
    db::CopyEncoder rows;
    for (std::int64_t i = 0; i < o.rows; ++i) {
      encode_row(rows, i);
      if (rows.bytes() > (1u << 20)) {
        std::fwrite(rows.data().data(), 1, rows.bytes(), stdout);
        rows.clear();
      }
    }
    std::fwrite(rows.data().data(), 1, rows.bytes(), stdout);
    return 0;
  }
  if (o.url.empty()) throw std::invalid_argument("--url is required");
  const unsigned per_loop = (o.concurrency + o.threads - 1) / o.threads;

  if (o.mode == "point") {
    const double qps = run_loops(
        o, per_loop,
        [&o](db::Database& database, std::atomic<bool>& measuring, std::atomic<bool>& stop,
             std::atomic<std::uint64_t>& done, unsigned seed) -> asio::awaitable<void> {
          std::minstd_rand random(seed + 1);
          const db::Scope scope{};
          while (!stop.load(std::memory_order_relaxed)) {
            const std::int64_t aid = 1 + static_cast<std::int64_t>(random() % o.accounts);
            const db::Result rows = co_await database.query(kPoint, scope, aid);
            if (rows.rows() != 1) throw std::runtime_error("no such account");
            if (measuring.load(std::memory_order_relaxed)) done.fetch_add(1);
          }
        });
    std::printf("RESULT mode=point threads=%u concurrency=%u qps=%.0f\n", o.threads, o.concurrency,
                qps);
  } else if (o.mode == "pipelined") {
    const double qps = run_loops(
        o, per_loop,
        [&o](db::Database& database, std::atomic<bool>& measuring, std::atomic<bool>& stop,
             std::atomic<std::uint64_t>& done, unsigned seed) -> asio::awaitable<void> {
          std::minstd_rand random(seed + 1);
          const db::Scope scope{};
          db::Lease connection = co_await database.acquire(scope);
          while (!stop.load(std::memory_order_relaxed)) {
            db::Batch batch(o.together ? db::Batch::Mode::together : db::Batch::Mode::independent);
            for (unsigned i = 0; i < o.batch; ++i) {
              const std::int64_t aid = 1 + static_cast<std::int64_t>(random() % o.accounts);
              batch.add(kPoint, {db::Param{aid}});
            }
            co_await connection->run(batch, scope);
            for (std::size_t i = 0; i < batch.size(); ++i) {
              if (batch.result(i).rows() != 1) throw std::runtime_error("no such account");
            }
            if (measuring.load(std::memory_order_relaxed)) done.fetch_add(batch.size());
          }
        });
    std::printf("RESULT mode=pipelined threads=%u concurrency=%u batch=%u sync=%s qps=%.0f\n",
                o.threads, o.concurrency, o.batch, o.together ? "once" : "each", qps);
  } else if (o.mode == "copy") {
    db::PoolSettings settings;
    settings.connection.url = o.url;
    settings.connection.statement_timeout = std::chrono::minutes(10);
    settings.min_connections = 1;
    db::Database database(settings);
    asio::io_context loop(1);
    database.attach(loop);
    auto future = asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<std::pair<std::uint64_t, double>> {
          db::Lease connection = co_await database.acquire();
          db::CopyEncoder rows;
          std::int64_t next = 0;
          std::uint64_t bytes = 0;
          const auto chunk = [&]() -> std::string_view {
            rows.clear();
            while (next < o.rows && rows.bytes() < (1u << 20)) encode_row(rows, next++);
            bytes += rows.bytes();
            return rows.data();
          };
          const auto started = Clock::now();
          const std::uint64_t copied = co_await connection->copy_in(kCopy, chunk);
          const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
          std::printf("RESULT mode=copy rows=%llu seconds=%.3f rows_per_s=%.0f mb_per_s=%.1f\n",
                      static_cast<unsigned long long>(copied), seconds, copied / seconds,
                      bytes / seconds / 1e6);
          co_return std::pair{copied, seconds};
        },
        asio::use_future);
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      loop.run_one_for(std::chrono::milliseconds(50));
    }
    future.get();
    database.close();
  } else {
    throw std::invalid_argument("unknown mode " + o.mode);
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "pg_load: %s\n", error.what());
  return 1;
}
