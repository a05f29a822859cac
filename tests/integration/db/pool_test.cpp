// The per-shard pool, transactions and the request boundary's error mapping, against the
// real PostgreSQL scripts/test starts.
#include "db/database.hpp"
#include "db/error_mapping.hpp"
#include "db/transaction.hpp"
#include "http/request_context.hpp"
#include "metrics/prometheus_writer.hpp"
#include "support/databases.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <signal.h>
#include <unistd.h>

namespace pend::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using db::Param;
using db::Statement;

constexpr Statement kInsertUser{
    "test.insert_user", "INSERT INTO users (phone_hash, blockchain_address) VALUES ($1, $2)"};
constexpr Statement kCountUsers{"test.count_users",
                                "SELECT count(*) FROM users WHERE phone_hash LIKE $1"};
constexpr Statement kBackend{"test.backend", "SELECT pg_backend_pid()"};
constexpr Statement kTwice{"test.twice", "SELECT $1::int * 2"};

asio::awaitable<std::int64_t> integer(asio::awaitable<db::Result> statement) {
  const db::Result rows = co_await std::move(statement);
  co_return rows[0].get<std::int64_t>(0);
}

asio::awaitable<std::string> sqlstate_of(asio::awaitable<db::Result> statement) {
  try {
    co_await std::move(statement);
  } catch (const db::DatabaseError& error) {
    co_return error.sqlstate();
  }
  co_return std::string{};
}

asio::awaitable<void> pause(std::chrono::milliseconds time) {
  asio::steady_timer timer(co_await asio::this_coro::executor, time);
  co_await timer.async_wait(asio::use_awaitable);
}

// Starts one `SELECT i * 2` per element of answers, each writing its answer there and
// counting itself in done.
void spawn_doublings(const asio::any_io_executor& executor, db::Database& database,
                     std::shared_ptr<std::vector<std::int64_t>> answers,
                     std::shared_ptr<int> done) {
  for (int i = 0; i < static_cast<int>(answers->size()); ++i) {
    asio::co_spawn(
        executor,
        [&database, answers, done, i]() -> asio::awaitable<void> {
          (*answers)[static_cast<std::size_t>(i)] = co_await integer(database.query(kTwice, {}, i));
          ++*done;
        },
        asio::detached);
  }
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!database_.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  }
  void TearDown() override {
    if (db_) {
      db_->close();
      db_.reset();
    }
  }
  // A Database with one pool on loop_.
  db::Database& make(unsigned min, unsigned max, std::chrono::milliseconds acquire = 2s) {
    db::PoolSettings settings;
    settings.connection.url = database_.url();
    settings.min_connections = min;
    settings.max_connections = max;
    settings.acquire_timeout = acquire;
    settings.connection.silence_grace = 300ms;
    db_ = std::make_unique<db::Database>(settings);
    db_->attach(loop_);
    return *db_;
  }
  template <typename T>
  T run(asio::awaitable<T> body) {
    return run_until_done(loop_, std::move(body));
  }

  ScratchDatabase database_;
  asio::io_context loop_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(PoolTest, WaitsForAFreeConnectionAndTimesOutBeyondTheLimit) {
  auto& database = make(0, 2, 200ms);
  run([&]() -> asio::awaitable<void> {
    db::Lease a = co_await database.acquire();
    db::Lease b = co_await database.acquire();
    EXPECT_EQ(database.totals().in_use, 2);
    std::string state;
    try {
      co_await database.acquire();
    } catch (const db::DatabaseError& error) {
      state = error.sqlstate();
    }
    EXPECT_EQ(state, "53300");  // too many connections: answered 503

    // A waiter gets the connection the moment one comes back.
    auto executor = co_await asio::this_coro::executor;
    auto served = std::make_shared<bool>(false);
    asio::co_spawn(
        executor,
        [&database, served]() -> asio::awaitable<void> {
          db::Lease c = co_await database.acquire();
          *served = true;
        },
        asio::detached);
    co_await pause(50ms);
    EXPECT_EQ(database.totals().waiting, 1);
    a = db::Lease{};
    co_await pause(20ms);
    EXPECT_TRUE(*served);
    EXPECT_EQ(database.totals().waiting, 0);
    EXPECT_LE(database.totals().open, 2);
  }());
}

// While every connection is busy, single statements queue and go pipelined together: 41 of
// them on one connection, each with its own answer, the failing one alone failing.
TEST_F(PoolTest, StatementsThatWaitForABusyPoolShareRoundTrips) {
  static constexpr Statement kDivide{"test.divide", "SELECT 1 / $1::int"};
  auto& database = make(1, 1);
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto answers = std::make_shared<std::vector<std::int64_t>>(40, -1);
    auto done = std::make_shared<int>(0);
    auto failed = std::make_shared<std::string>();
    {
      db::Lease busy = co_await database.acquire();  // the pool's one connection, held
      spawn_doublings(executor, database, answers, done);
      asio::co_spawn(
          executor,
          [&database, failed, done]() -> asio::awaitable<void> {
            *failed = co_await sqlstate_of(database.query(kDivide, {}, 0));
            ++*done;
          },
          asio::detached);
      // Let each of them run up to its wait (queueing takes no I/O).
      for (int turn = 0; turn < 50; ++turn) co_await asio::post(executor, asio::use_awaitable);
      EXPECT_EQ(*done, 0);  // all queued behind the held connection
    }
    for (int i = 0; i < 500 && *done < 41; ++i) co_await pause(10ms);
    EXPECT_EQ(*done, 41);
    for (int i = 0; i < 40; ++i) EXPECT_EQ((*answers)[i], 2 * i) << i;
    EXPECT_EQ(*failed, "22012");  // division_by_zero, and only that statement
    EXPECT_EQ(co_await integer(database.query(kTwice, {}, 21)), 42);
  }());
  // One statement went alone (the last); the 41 shared at most 2 round trips (the batch
  // limit is 32).
  metrics::PrometheusWriter out;
  database.collect(out);
  EXPECT_NE(out.text().find("pend_db_statements_coalesced_total{shard=\"0\"} 41"),
            std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("pend_db_coalesced_round_trips_total{shard=\"0\"} 2"),
            std::string::npos);
}

// Single statements reaching an idle pool in one turn of the loop share one round trip; a
// statement alone in its turn goes alone; and each rides with the one that came first.
TEST_F(PoolTest, StatementsOfOneTurnShareARoundTripAndALoneOneGoesAlone) {
  auto& database = make(1, 8);
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto answers = std::make_shared<std::vector<std::int64_t>>(12, -1);
    auto done = std::make_shared<int>(0);
    spawn_doublings(executor, database, answers, done);  // twelve, started in one turn
    for (int i = 0; i < 500 && *done < 12; ++i) co_await pause(10ms);
    EXPECT_EQ(*done, 12);
    for (int i = 0; i < 12; ++i) EXPECT_EQ((*answers)[i], 2 * i) << i;
    EXPECT_EQ(co_await integer(database.query(kTwice, {}, 50)), 100);  // alone
  }());
  metrics::PrometheusWriter out;
  database.collect(out);
  EXPECT_NE(out.text().find("pend_db_statements_coalesced_total{shard=\"0\"} 12"),
            std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("pend_db_coalesced_round_trips_total{shard=\"0\"} 1"),
            std::string::npos);
}

// Single statements use two connections of their own at most (coalesce_at); the ones after
// them share a round trip. With both of those stuck (behind an advisory lock), the queue
// gets one more carrier after coalesce_wait: slow statements do not hold quick ones.
TEST_F(PoolTest, StatementsBeyondTwoCarriersShareOneAndNeverWaitOnSlowOnes) {
  static constexpr Statement kBlocked{"test.blocked", "SELECT pg_advisory_xact_lock_shared(4242)"};
  static constexpr Statement kLock{"test.lock", "SELECT pg_advisory_lock(4242)"};
  static constexpr Statement kUnlock{"test.unlock", "SELECT pg_advisory_unlock(4242)"};
  auto& database = make(1, 8);
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto answers = std::make_shared<std::vector<std::int64_t>>(10, -1);
    auto quick = std::make_shared<int>(0);
    auto slow = std::make_shared<int>(0);
    db::Lease holder = co_await database.acquire();
    co_await holder->query(kLock, {});
    for (int i = 0; i < 2; ++i) {  // in turns of their own: each on its own connection
      asio::co_spawn(
          executor,
          [&database, slow]() -> asio::awaitable<void> {
            co_await database.query(kBlocked, {});
            ++*slow;
          },
          asio::detached);
      for (int turn = 0; turn < 50; ++turn) co_await asio::post(executor, asio::use_awaitable);
    }
    spawn_doublings(executor, database, answers, quick);
    for (int i = 0; i < 500 && *quick < 10; ++i) co_await pause(10ms);
    EXPECT_EQ(*quick, 10);
    EXPECT_EQ(*slow, 0);  // still behind the lock
    for (int i = 0; i < 10; ++i) EXPECT_EQ((*answers)[i], 2 * i) << i;
    co_await holder->query(kUnlock, {});
    for (int i = 0; i < 500 && *slow < 2; ++i) co_await pause(10ms);
    EXPECT_EQ(*slow, 2);
  }());
  // The two blocked statements went alone; the ten quick ones in one round trip.
  metrics::PrometheusWriter out;
  database.collect(out);
  EXPECT_NE(out.text().find("pend_db_statements_coalesced_total{shard=\"0\"} 10"),
            std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("pend_db_coalesced_round_trips_total{shard=\"0\"} 1"),
            std::string::npos);
}

TEST_F(PoolTest, KeepsTheMinimumOpenAndReusesConnections) {
  auto& database = make(2, 4);
  run([&]() -> asio::awaitable<void> {
    co_await pause(300ms);  // the maintenance loop opens min_connections
    EXPECT_EQ(database.totals().open, 2);
    const auto first = co_await integer(database.query(kBackend, {}));
    const auto second = co_await integer(database.query(kBackend, {}));
    EXPECT_EQ(first, second) << "the most recently used connection is reused";
    EXPECT_EQ(database.totals().open, 2);
  }());
}

TEST_F(PoolTest, TransactionsCommitOrRollBackAsAScope) {
  auto& database = make(1, 2);
  run([&]() -> asio::awaitable<void> {
    // Committed: stays.
    {
      db::Lease conn = co_await database.acquire();
      db::Transaction tx(*conn);
      co_await tx.query(kInsertUser, "+15550000001", "hash-tx-1");
      co_await tx.commit();
    }
    // An exception unwinds past the transaction: rolled back.
    try {
      db::Lease conn = co_await database.acquire();
      db::Transaction tx(*conn);
      co_await tx.query(kInsertUser, "+15550000002", "hash-tx-2");
      throw std::runtime_error("the handler failed half way");
    } catch (const std::runtime_error&) {
    }
    // Dropped without commit while the lease lives on: the next statement on the same
    // connection runs after the ROLLBACK.
    {
      db::Lease conn = co_await database.acquire();
      {
        db::Transaction tx(*conn);
        co_await tx.query(kInsertUser, "+15550000003", "hash-tx-3");
      }
      const auto seen = co_await integer(conn->query(kCountUsers, {}, "+1555000000%"));
      EXPECT_EQ(seen, 1);
      EXPECT_FALSE(conn->in_transaction());
    }
    const auto kept = co_await integer(database.query(kCountUsers, {}, "+1555000000%"));
    EXPECT_EQ(kept, 1);
  }());
}

TEST_F(PoolTest, SavepointsUndoOnlyTheirPart) {
  auto& database = make(1, 2);
  run([&]() -> asio::awaitable<void> {
    db::Lease conn = co_await database.acquire();
    db::Transaction tx(*conn);
    co_await tx.query(kInsertUser, "+15550000011", "hash-sp-1");
    std::string state;
    {
      db::Savepoint attempt(tx);
      state = co_await sqlstate_of(tx.query(kInsertUser, "+15550000011", "hash-sp-dup"));
    }  // not released: rolled back to the savepoint, the transaction goes on
    EXPECT_EQ(state, "23505");
    {
      db::Savepoint kept(tx);
      co_await tx.query(kInsertUser, "+15550000012", "hash-sp-2");
      kept.release();
    }
    co_await tx.commit();
    const auto count = co_await integer(database.query(kCountUsers, {}, "+1555000001%"));
    EXPECT_EQ(count, 2);
  }());
}

TEST_F(PoolTest, CommittingAFailedTransactionThrows) {
  auto& database = make(1, 2);
  run([&]() -> asio::awaitable<void> {
    db::Lease conn = co_await database.acquire();
    db::Transaction tx(*conn);
    co_await tx.query(kInsertUser, "+15550000021", "hash-failed-1");
    const auto duplicate = co_await sqlstate_of(tx.query(kInsertUser, "+15550000021", "x"));
    EXPECT_EQ(duplicate, "23505");
    std::string state;
    try {
      co_await tx.commit();
    } catch (const db::DatabaseError& error) {
      state = error.sqlstate();
    }
    EXPECT_EQ(state, "25P02");
    const auto count = co_await integer(conn->query(kCountUsers, {}, "+1555000002%"));
    EXPECT_EQ(count, 0);
  }());
}

TEST_F(PoolTest, AConnectionTheServerClosedIsReplacedUnnoticed) {
  auto& database = make(1, 2);
  constexpr Statement kTerminate{"test.terminate", "SELECT pg_terminate_backend($1::int4)"};
  run([&]() -> asio::awaitable<void> {
    const auto before = co_await integer(database.query(kBackend, {}));
    {
      // From another connection: the pool's idle one is the victim.
      const db::ConnectionOptions options{.url = database_.url()};
      auto other = co_await db::PgConnection::connect(options);
      co_await other->query(kTerminate, {}, before);
    }
    co_await pause(100ms);
    const auto after = co_await integer(database.query(kBackend, {}));
    EXPECT_NE(before, after);
  }());
}

TEST_F(PoolTest, ASilentServerIsGivenUpOnAfterTheStatementTimeoutAndGrace) {
  if (::geteuid() != 0) GTEST_SKIP() << "stopping a PostgreSQL backend needs root";
  auto& database = make(1, 2);
  run([&]() -> asio::awaitable<void> {
    db::Lease conn = co_await database.acquire();
    const auto pid = co_await integer(conn->query(kBackend, {}));
    ::kill(static_cast<pid_t>(pid), SIGSTOP);  // the backend freezes: no timeout can fire
    const auto started = db::Clock::now();
    const auto state = co_await sqlstate_of(conn->query(kBackend, db::Scope{.timeout = 200ms}));
    const auto waited = db::Clock::now() - started;
    ::kill(static_cast<pid_t>(pid), SIGCONT);
    EXPECT_EQ(state, "08006");
    EXPECT_TRUE(conn->broken());
    EXPECT_GE(waited, 400ms);  // 200 ms timeout + 300 ms grace, found by a 250 ms tick
  }());
}

TEST_F(PoolTest, DatabaseErrorsMapToTheEnvelopeStatuses) {
  auto& database = make(1, 2);
  constexpr Statement kBadCheck{"test.bad_check",
                                "INSERT INTO users (phone_hash, blockchain_address, status) VALUES"
                                " ('+15550000031', 'h31', 'maybe')"};
  constexpr Statement kMissing{"test.missing",
                               "INSERT INTO users (phone_hash) VALUES ('+15550000032')"};
  constexpr Statement kBadUuid{"test.bad_uuid", "SELECT * FROM users WHERE id = $1::uuid"};
  http::Request request;
  http::RequestContext ctx(request);
  auto status_of = [&](const std::string& state, const db::DatabaseError* error = nullptr) {
    const auto mapped = db::to_api_error(error ? *error : db::DatabaseError("x", state), ctx);
    return mapped ? mapped->status() : 500u;
  };
  run([&]() -> asio::awaitable<void> {
    co_await database.query(kInsertUser, {}, "+15550000030", "h30");
    std::vector<std::pair<std::string, unsigned>> seen;
    for (const Statement* statement : {&kInsertUser, &kBadCheck, &kMissing, &kBadUuid}) {
      try {
        if (statement == &kInsertUser) {
          co_await database.query(kInsertUser, {}, "+15550000030", "h30");
        } else if (statement == &kBadUuid) {
          co_await database.query(kBadUuid, {}, "not-a-uuid");
        } else {
          co_await database.query(*statement, {});
        }
      } catch (const db::DatabaseError& error) {
        seen.emplace_back(error.sqlstate(), status_of("", &error));
        if (statement == &kMissing) {
          const auto mapped = db::to_api_error(error, ctx);
          EXPECT_EQ(boost::json::serialize(mapped->details()),
                    R"([{"field":"blockchain_address","issue":"required"}])");
        }
      }
    }
    const std::vector<std::pair<std::string, unsigned>> expected = {
        {"23505", 409}, {"23514", 422}, {"23502", 422}, {"22P02", 422}};
    EXPECT_EQ(seen, expected);
  }());
  EXPECT_EQ(status_of("08006"), 503u);
  EXPECT_EQ(status_of("57014"), 503u);
  EXPECT_EQ(status_of("53300"), 503u);
  EXPECT_EQ(status_of("42601"), 500u);  // a bug in our SQL is ours: 500, no internals
  const auto outage = db::to_api_error(db::DatabaseError("gone", "08006"), ctx);
  ASSERT_TRUE(outage);
  bool retry_after = false;
  for (const auto& [name, value] : outage->headers()) retry_after |= name == "Retry-After";
  EXPECT_TRUE(retry_after);
  EXPECT_FALSE(db::to_api_error(std::runtime_error("not ours"), ctx));
}

TEST_F(PoolTest, MetricsNameEveryStatementAndThePools) {
  auto& database = make(1, 2);
  run([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) co_await database.query(kBackend, {});
    co_await sqlstate_of(database.query(kInsertUser, {}, "+15550000041", Param{}));
  }());
  metrics::PrometheusWriter out;
  database.collect(out);
  const std::string& text = out.text();
  EXPECT_NE(text.find("pend_db_query_duration_seconds_count{statement=\"test.backend\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("pend_db_query_errors_total{statement=\"test.insert_user\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("pend_db_pool_connections_open{shard=\"0\"}"), std::string::npos);
  EXPECT_NE(text.find("pend_db_pool_waiting{shard=\"0\"} 0"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
