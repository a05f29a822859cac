#include "db/database.hpp"

#include "metrics/prometheus_writer.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>

#include <charconv>
#include <map>

namespace pend::db {

namespace asio = boost::asio;

PoolSettings pool_settings(const config::DatabaseSettings& settings) {
  PoolSettings pool;
  pool.connection.url = settings.url;
  pool.connection.connect_timeout = settings.connect_timeout;
  pool.connection.statement_timeout = settings.statement_timeout;
  pool.min_connections = settings.pool_min_connections;
  pool.max_connections = std::max(settings.pool_max_connections, settings.pool_min_connections);
  pool.coalesce_at = settings.pool_coalesce_at;
  pool.acquire_timeout = settings.acquire_timeout;
  pool.reconnect_max = settings.reconnect_max;
  return pool;
}

Database::~Database() { close(); }

void Database::attach(asio::io_context& loop) {
  auto pool = std::make_shared<Pool>(loop, settings_);
  pool->start();
  pools_.push_back(std::move(pool));
}

void Database::close() {
  for (auto& pool : pools_) pool->close();
  // Forget them: a pool's I/O objects belong to its loop, so what still holds a pool (its
  // suspended maintenance coroutine, a lease in a request cut short) lets it go when that
  // loop is destroyed, not after.
  pools_.clear();
}

Pool& Database::local(const asio::any_io_executor& executor) const {
  auto& context = asio::query(executor, asio::execution::context);
  for (const auto& pool : pools_) {
    if (&pool->loop() == &context) return *pool;
  }
  throw DatabaseError("no database pool on this event loop", "08003");
}

asio::awaitable<Lease> Database::acquire(const Scope& scope) {
  Pool& pool = local(co_await asio::this_coro::executor);
  co_return co_await pool.acquire(scope);
}

asio::awaitable<Result> Database::query(const Statement& statement, std::span<const Param> params,
                                        const Scope& scope) {
  Pool& pool = local(co_await asio::this_coro::executor);
  co_return co_await pool.query(statement, params, scope);
}

PoolTotals Database::totals() const {
  PoolTotals totals;
  for (const auto& pool : pools_) {
    const auto& f = pool->figures();
    totals.open += f.open.load(std::memory_order_relaxed);
    totals.idle += f.idle.load(std::memory_order_relaxed);
    totals.in_use += f.in_use.load(std::memory_order_relaxed);
    totals.waiting += f.waiting.load(std::memory_order_relaxed);
    if (!f.up.load(std::memory_order_relaxed)) {
      totals.up = false;
      totals.last_error = pool->last_error();
    }
  }
  return totals;
}

void Database::collect(metrics::PrometheusWriter& out) const {
  std::vector<std::string> shards;
  for (std::size_t i = 0; i < pools_.size(); ++i) shards.push_back(std::to_string(i));
  auto gauge = [&](std::string_view name, std::string_view help, auto read) {
    out.family(name, "gauge", help);
    for (std::size_t i = 0; i < pools_.size(); ++i) {
      out.sample(name, {{"shard", shards[i]}},
                 static_cast<std::int64_t>(read(pools_[i]->figures())));
    }
  };
  auto counter = [&](std::string_view name, std::string_view help, auto read) {
    out.family(name, "counter", help);
    for (std::size_t i = 0; i < pools_.size(); ++i) {
      out.sample(name, {{"shard", shards[i]}},
                 static_cast<std::uint64_t>(read(pools_[i]->figures())));
    }
  };
  gauge("pend_db_pool_connections_open", "PostgreSQL connections open or opening.",
        [](const PoolFigures& f) { return f.open.load(); });
  gauge("pend_db_pool_connections_idle", "PostgreSQL connections open and free.",
        [](const PoolFigures& f) { return f.idle.load(); });
  gauge("pend_db_pool_connections_in_use", "PostgreSQL connections leased.",
        [](const PoolFigures& f) { return f.in_use.load(); });
  gauge("pend_db_pool_waiting", "Callers waiting for a free PostgreSQL connection.",
        [](const PoolFigures& f) { return f.waiting.load(); });
  gauge("pend_db_pool_up", "1 while the pool reaches PostgreSQL, 0 while reconnecting.",
        [](const PoolFigures& f) { return f.up.load() ? 1 : 0; });
  gauge("pend_db_pool_max_connections", "Most connections the pool may open.",
        [this](const PoolFigures&) { return settings_.max_connections; });
  counter("pend_db_pool_connects_total", "PostgreSQL connections opened.",
          [](const PoolFigures& f) { return f.connects.load(); });
  counter("pend_db_pool_connect_failures_total", "Failed attempts to connect to PostgreSQL.",
          [](const PoolFigures& f) { return f.connect_failures.load(); });
  counter("pend_db_statements_coalesced_total",
          "Single statements that waited for a busy pool and went pipelined with others.",
          [](const PoolFigures& f) { return f.coalesced.load(); });
  counter("pend_db_coalesced_round_trips_total", "Round trips that carried coalesced statements.",
          [](const PoolFigures& f) { return f.batches.load(); });
  counter("pend_db_pool_acquire_timeouts_total",
          "Callers that found no free connection within the acquire timeout.",
          [](const PoolFigures& f) { return f.acquire_timeouts.load(); });
  counter("pend_db_pool_discarded_total",
          "Connections dropped: closed by the server, broken, cancelled or silent.",
          [](const PoolFigures& f) { return f.discarded.load(); });

  // Statement histograms, summed over the shards.
  struct Sum {
    std::uint64_t count = 0, errors = 0, sum_ns = 0;
    std::array<std::uint64_t, StatementSeries::kBuckets.size()> buckets{};
  };
  std::map<std::string, Sum> sums;
  for (const auto& pool : pools_) {
    pool->for_each_statement([&](const StatementSeries& series) {
      Sum& sum = sums[series.name];
      sum.count += series.count.load(std::memory_order_relaxed);
      sum.errors += series.errors.load(std::memory_order_relaxed);
      sum.sum_ns += series.sum_ns.load(std::memory_order_relaxed);
      for (std::size_t b = 0; b < sum.buckets.size(); ++b) {
        sum.buckets[b] += series.buckets[b].load(std::memory_order_relaxed);
      }
    });
  }
  out.family("pend_db_query_duration_seconds", "histogram",
             "PostgreSQL statement durations (send to last result), by statement name.");
  for (const auto& [name, sum] : sums) {
    std::string labels = "statement=\"";
    metrics::append_label_value(labels, name);
    labels += '"';
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < sum.buckets.size(); ++b) {
      cumulative += sum.buckets[b];
      char le[16];
      const auto end = std::to_chars(le, le + sizeof le, StatementSeries::kBuckets[b]).ptr;
      out.sample_raw("pend_db_query_duration_seconds_bucket", labels, "le",
                     std::string_view(le, static_cast<std::size_t>(end - le)),
                     static_cast<double>(cumulative));
    }
    out.sample_raw("pend_db_query_duration_seconds_bucket", labels, "le", "+Inf",
                   static_cast<double>(sum.count));
    out.sample_raw("pend_db_query_duration_seconds_sum", labels, "", "",
                   static_cast<double>(sum.sum_ns) / 1e9);
    out.sample_raw("pend_db_query_duration_seconds_count", labels, "", "",
                   static_cast<double>(sum.count));
  }
  out.family("pend_db_query_errors_total", "counter", "PostgreSQL statements that failed.");
  for (const auto& [name, sum] : sums) {
    out.sample("pend_db_query_errors_total", {{"statement", name}}, sum.errors);
  }
}

}  // namespace pend::db
