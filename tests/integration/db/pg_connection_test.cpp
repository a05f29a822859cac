// The non-blocking pipelined PostgreSQL connection against the real server scripts/test
// starts: typed binding and decoding, prepared statements, batches, timeouts, cancellation,
// COPY.
#include "db/pg_connection.hpp"
#include "db/copy_encoder.hpp"
#include "support/databases.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>

namespace pend::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using db::Param;
using db::Statement;

template <typename F>
auto run(F&& body) {
  asio::io_context io;
  return run_until_done(io, body());
}

// The SQLSTATE a statement fails with, or "" when it succeeds. (co_await stays out of the
// gtest macros: GCC 12 miscompiles co_await inside conditions.)
asio::awaitable<std::string> sqlstate_of(asio::awaitable<db::Result> statement) {
  try {
    co_await std::move(statement);
  } catch (const db::DatabaseError& error) {
    co_return error.sqlstate();
  }
  co_return std::string{};
}

asio::awaitable<std::int64_t> integer(asio::awaitable<db::Result> statement) {
  const db::Result rows = co_await std::move(statement);
  co_return rows[0].get<std::int64_t>(0);
}

asio::awaitable<std::string> text(asio::awaitable<db::Result> statement) {
  const db::Result rows = co_await std::move(statement);
  co_return rows[0].get<std::string>(0);
}

class PgConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { database_ = new ScratchDatabase(); }
  static void TearDownTestSuite() {
    delete database_;
    database_ = nullptr;
  }
  void SetUp() override {
    if (!database_->available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  }
  static asio::awaitable<std::unique_ptr<db::PgConnection>> connect(
      std::chrono::milliseconds statement_timeout = 5s) {
    const db::ConnectionOptions options{.url = database_->url(),
                                        .statement_timeout = statement_timeout};
    co_return co_await db::PgConnection::connect(options);
  }
  static ScratchDatabase* database_;
};
ScratchDatabase* PgConnectionTest::database_ = nullptr;

// Values a row may hold that once broke decoding: infinite timestamps (int64 extremes on the
// wire), NaN, and jsonb nested deeper than Boost.JSON's default limit of 32.
TEST_F(PgConnectionTest, DecodesInfinityNanAndDeepJson) {
  static constexpr Statement kOdd{
      "test.odd_values",
      "SELECT 'infinity'::timestamptz, '-infinity'::timestamptz, 'NaN'::float8, 'NaN'::numeric,"
      " (repeat('[', 200) || '1' || repeat(']', 200))::jsonb, $1::timestamptz"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    const auto rows = co_await conn->query(kOdd, {}, db::Timestamp::max());
    const auto row = rows[0];
    EXPECT_EQ(row.get<db::Timestamp>(0), db::Timestamp::max());
    EXPECT_EQ(row.get<db::Timestamp>(1), db::Timestamp::min());
    EXPECT_EQ(row.get<std::string>(0), "infinity");
    EXPECT_EQ(row.json(1), "-infinity");
    EXPECT_TRUE(std::isnan(row.get<double>(2)));
    EXPECT_EQ(row.get<std::string>(3), "NaN");
    auto depth = 0;
    for (auto value = row.json(4); value.is_array(); value = value.as_array().at(0)) ++depth;
    EXPECT_EQ(depth, 200);
    EXPECT_EQ(row.get<db::Timestamp>(5), db::Timestamp::max()) << "infinity binds as a parameter";
  });
}

TEST_F(PgConnectionTest, BindsAndDecodesTypedValues) {
  const auto uuid = *db::Uuid::parse("0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506");
  const db::Timestamp when{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 1h + 2min +
                           3s + std::chrono::microseconds(456789)};
  static constexpr Statement kTypes{
      "test.types",
      "SELECT $1::int8 + 1, $2::text IS NULL, 'ü' || $3, $4::uuid, $5::timestamptz,"
      " 12345.678::numeric, '10.1.2.3'::inet, '10.0.0.0/8'::cidr, '{\"a\": [1, 2]}'::jsonb,"
      " true, 1.5::float8, DATE '2026-11-25', 7::int2, NULL::int4, $6::bool"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    const auto rows =
        co_await conn->query(kTypes, {}, std::int64_t{41}, Param{}, "✓", uuid, when, false);
    EXPECT_EQ(rows.rows(), 1);
    const auto row = rows[0];
    EXPECT_EQ(row.get<std::int64_t>(0), 42);
    EXPECT_TRUE(row.get<bool>(1));
    EXPECT_EQ(row.get<std::string>(2), "ü✓");
    EXPECT_EQ(row.get<db::Uuid>(3), uuid);
    EXPECT_EQ(row.get<std::string>(3), "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506");
    EXPECT_EQ(row.get<db::Timestamp>(4), when);
    EXPECT_EQ(row.get<std::string>(4), "2026-11-25T01:02:03.456789Z");
    EXPECT_EQ(row.get<std::string>(5), "12345.678");
    EXPECT_EQ(row.get<std::string>(6), "10.1.2.3");
    EXPECT_EQ(row.get<std::string>(7), "10.0.0.0/8");
    EXPECT_EQ(row.get<boost::json::value>(8).at("a").as_array().size(), 2u);
    EXPECT_TRUE(row.get<bool>(9));
    EXPECT_DOUBLE_EQ(row.get<double>(10), 1.5);
    EXPECT_EQ(row.get<std::string>(11), "2026-11-25");
    EXPECT_EQ(row.get<int>(12), 7);
    EXPECT_FALSE(row.opt<int>(13).has_value());
    EXPECT_TRUE(row.json(13).is_null());
    EXPECT_FALSE(row.get<bool>(14));
    EXPECT_THROW(row.get<std::int64_t>(13), db::DatabaseError);  // NULL is not a number
    EXPECT_THROW(row.get<db::Uuid>(0), db::DatabaseError);       // int8 is not a uuid
  });
}

TEST_F(PgConnectionTest, NumericsDecodeExactlyAsPostgresPrintsThem) {
  static constexpr Statement kNumerics{
      "test.numerics",
      "SELECT v, v::text FROM unnest(ARRAY[0, 1, -1, 100000000, 0.0001, -1234.5600, 1e20,"
      " 0.000000012345, 99999.99990, 'NaN', 123456789012345678901234567890.123]::numeric[]) v"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    const auto rows = co_await conn->query(kNumerics);
    EXPECT_EQ(rows.rows(), 11);
    for (const auto row : rows) {
      EXPECT_EQ(row.get<std::string>(0), row.get<std::string>(1));
    }
  });
}

TEST_F(PgConnectionTest, PreparesOnceAndFallsBackToTextForOtherTypes) {
  static constexpr Statement kAdd{"test.add", "SELECT $1::int4 + 1"};
  static constexpr Statement kPrepared{"test.prepared_count",
                                       "SELECT count(*) FROM pg_prepared_statements", false};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    // First prepared for text ("unknown"), then bound an int8: sent as text, still works.
    const auto two = co_await integer(conn->query(kAdd, {}, "1"));
    const auto three = co_await integer(conn->query(kAdd, {}, std::int64_t{2}));
    const auto four = co_await integer(conn->query(kAdd, {}, 3));
    const auto prepared = co_await integer(conn->query(kPrepared));
    EXPECT_EQ(two, 2);
    EXPECT_EQ(three, 3);
    EXPECT_EQ(four, 4);
    EXPECT_EQ(prepared, 1);
  });
}

TEST_F(PgConnectionTest, ReusingANameForOtherSqlIsRefused) {
  static constexpr Statement kOne{"test.same_name", "SELECT 1"};
  static constexpr Statement kTwo{"test.same_name", "SELECT 2"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    co_await conn->query(kOne);
    const auto state = co_await sqlstate_of(conn->query(kTwo));
    EXPECT_EQ(state, "42P05");
  });
}

TEST_F(PgConnectionTest, ErrorsCarryTheSqlstateAndTheConnectionStaysUsable) {
  static constexpr Statement kDivide{"test.divide", "SELECT 1 / $1::int4"};
  static constexpr Statement kBadSql{"test.bad_sql", "SELEKT 1"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    const auto divided = co_await sqlstate_of(conn->query(kDivide, {}, 0));
    EXPECT_EQ(divided, "22012");  // division_by_zero
    const auto bad = co_await sqlstate_of(conn->query(kBadSql));
    EXPECT_EQ(bad, "42601");
    // A failed PREPARE is not cached: the next call prepares again and fails the same way.
    const auto again = co_await sqlstate_of(conn->query(kBadSql));
    EXPECT_EQ(again, "42601");
    const auto half = co_await integer(conn->query(kDivide, {}, 2));
    EXPECT_EQ(half, 0);
    EXPECT_FALSE(conn->broken());
  });
}

TEST_F(PgConnectionTest, BatchAnswersInOrderAndOneFailureStaysLocal) {
  static constexpr Statement kEcho{"test.echo", "SELECT $1::int8, pg_backend_pid()"};
  static constexpr Statement kFail{"test.fail", "SELECT 1 / 0"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    db::Batch batch;
    for (std::int64_t i = 0; i < 200; ++i) {
      if (i == 100) {
        batch.add(kFail);
      } else {
        batch.add(kEcho, {Param{i}});
      }
    }
    co_await conn->run(batch);
    for (std::size_t i = 0; i < 200; ++i) {
      const db::DatabaseError* error = batch.error(i);
      if (i == 100) {
        EXPECT_TRUE(error != nullptr && error->sqlstate() == "22012");
        EXPECT_THROW(batch.result(i), db::DatabaseError);
      } else if (error != nullptr) {
        ADD_FAILURE() << i << ": " << error->what();
      } else {
        EXPECT_EQ(batch.result(i)[0].get<std::int64_t>(0), static_cast<std::int64_t>(i));
      }
    }
  });
}

TEST_F(PgConnectionTest, ATogetherBatchIsAllOrNothing) {
  static constexpr Statement kEcho{"test.echo_together", "SELECT $1::int8"};
  static constexpr Statement kFail{"test.fail_together", "SELECT 1 / 0"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    db::Batch batch(db::Batch::Mode::together);
    batch.add(kEcho, {Param{std::int64_t{1}}});
    batch.add(kFail);
    batch.add(kEcho, {Param{std::int64_t{3}}});
    co_await conn->run(batch);
    EXPECT_EQ(batch.error(0), nullptr);
    EXPECT_TRUE(batch.error(1) != nullptr && batch.error(1)->sqlstate() == "22012");
    EXPECT_TRUE(batch.error(2) != nullptr && batch.error(2)->sqlstate() == "25P02");
    EXPECT_FALSE(conn->broken());
    db::Batch next(db::Batch::Mode::together);
    next.add(kEcho, {Param{std::int64_t{4}}});
    co_await conn->run(next);
    EXPECT_EQ(next.result(0)[0].get<std::int64_t>(0), 4);
  });
}

// Statement::generic_plan: the statement runs with its generic plan from the first call
// (PostgreSQL would make five custom plans first), the setting applies to it alone, alone or
// in either kind of batch, and a failure leaves nothing behind.
TEST_F(PgConnectionTest, AGenericPlanStatementIsNeverPlannedForItsValues) {
  static constexpr Statement kGeneric{.name = "test.generic",
                                      .sql =
                                          "SELECT current_setting('plan_cache_mode'), "
                                          "$1::int8 /* generic */",
                                      .generic_plan = true};
  static constexpr Statement kOrdinary{
      "test.ordinary", "SELECT current_setting('plan_cache_mode'), $1::int8 /* ordinary */"};
  static constexpr Statement kFailing{
      .name = "test.generic_failing", .sql = "SELECT 1 / $1::int4", .generic_plan = true};
  static constexpr Statement kPlans{
      "test.plans",
      "SELECT generic_plans || '/' || custom_plans FROM pg_prepared_statements "
      "WHERE statement = $1"};
  static constexpr Statement kShow{"test.show_plan_mode", "SHOW plan_cache_mode", false};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    for (std::int64_t i = 0; i < 7; ++i) {
      const db::Result generic = co_await conn->query(kGeneric, {}, i);
      EXPECT_EQ(generic[0].get<std::string>(0), "force_generic_plan");
      EXPECT_EQ(generic[0].get<std::int64_t>(1), i);
      const db::Result ordinary = co_await conn->query(kOrdinary, {}, i);
      EXPECT_EQ(ordinary[0].get<std::string>(0), "auto");
    }
    const auto generic_plans = co_await text(conn->query(kPlans, {}, kGeneric.sql));
    EXPECT_EQ(generic_plans, "7/0");
    const auto ordinary_plans = co_await text(conn->query(kPlans, {}, kOrdinary.sql));
    EXPECT_EQ(ordinary_plans.substr(ordinary_plans.find('/')), "/5");  // then its choice

    for (const auto mode : {db::Batch::Mode::independent, db::Batch::Mode::together}) {
      db::Batch batch(mode);
      batch.add(kOrdinary, {Param{std::int64_t{1}}});
      batch.add(kGeneric, {Param{std::int64_t{2}}});
      batch.add(kOrdinary, {Param{std::int64_t{3}}});
      co_await conn->run(batch);
      EXPECT_EQ(batch.result(0)[0].get<std::string>(0), "auto");
      EXPECT_EQ(batch.result(1)[0].get<std::string>(0), "force_generic_plan");
      EXPECT_EQ(batch.result(1)[0].get<std::int64_t>(1), 2);
      EXPECT_EQ(batch.result(2)[0].get<std::string>(0), "auto");
      EXPECT_EQ(batch.result(2)[0].get<std::int64_t>(1), 3);
    }

    const auto failed = co_await sqlstate_of(conn->query(kFailing, {}, 0));
    EXPECT_EQ(failed, "22012");
    EXPECT_FALSE(conn->broken());
    const auto after = co_await text(conn->query(kShow));
    EXPECT_EQ(after, "auto");
    const auto half = co_await integer(conn->query(kFailing, {}, 2));
    EXPECT_EQ(half, 0);
  });
}

TEST_F(PgConnectionTest, StatementTimeoutStopsASlowStatementAndIsRestored) {
  static constexpr Statement kSleep{"test.sleep", "SELECT pg_sleep($1::float8)"};
  static constexpr Statement kShow{"test.show", "SHOW statement_timeout", false};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect(4s);
    const auto timed_out =
        co_await sqlstate_of(conn->query(kSleep, db::Scope{.timeout = 100ms}, 5.0));
    EXPECT_EQ(timed_out, "57014");
    EXPECT_FALSE(conn->broken());
    const auto restored = co_await text(conn->query(kShow));
    EXPECT_EQ(restored, "4s");
    // A deadline that has passed fails before anything is sent.
    const auto late = co_await sqlstate_of(
        conn->query(kSleep, db::Scope{.deadline = db::Clock::now() - 1ms}, 0.0));
    EXPECT_EQ(late, "57014");
    // A request deadline shorter than the default timeout cuts the statement.
    const auto cut = co_await sqlstate_of(
        conn->query(kSleep, db::Scope{.deadline = db::Clock::now() + 150ms}, 5.0));
    EXPECT_EQ(cut, "57014");
    const auto still = co_await text(conn->query(kShow));
    EXPECT_EQ(still, "4s");
  });
}

TEST_F(PgConnectionTest, CancellationStopsTheStatementAndRetiresTheConnection) {
  static constexpr Statement kSleep{"test.sleep_cancel", "SELECT pg_sleep(10)"};
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    auto conn = co_await connect();
    asio::cancellation_signal cancel;
    asio::steady_timer timer(executor, 100ms);
    timer.async_wait(
        [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    const auto started = db::Clock::now();
    const auto state =
        co_await sqlstate_of(conn->query(kSleep, db::Scope{.cancel = cancel.slot()}));
    EXPECT_EQ(state, "57014");
    EXPECT_LT(db::Clock::now() - started, 9s) << "the server stopped the statement";
    EXPECT_TRUE(conn->broken()) << "a cancelled connection is not reused";
  });
}

TEST_F(PgConnectionTest, SlowQueriesDoNotBlockTheLoop) {
  static constexpr Statement kSleep{"test.sleep_loop", "SELECT pg_sleep(0.3)"};
  const int ticks = run([&]() -> asio::awaitable<int> {
    auto executor = co_await asio::this_coro::executor;
    auto conn = co_await connect();
    auto ticks = std::make_shared<int>(0);
    auto ticking = std::make_shared<bool>(true);
    asio::co_spawn(
        executor,
        [executor, ticks, ticking]() -> asio::awaitable<void> {
          asio::steady_timer timer(executor);
          while (*ticking) {
            timer.expires_after(20ms);
            co_await timer.async_wait(asio::use_awaitable);
            ++*ticks;
          }
        },
        asio::detached);
    co_await conn->query(kSleep);
    *ticking = false;
    co_return *ticks;
  });
  EXPECT_GE(ticks, 5) << "the loop ran other work during the query";
}

TEST_F(PgConnectionTest, CopyLoadsRowsWithAwkwardText) {
  static constexpr Statement kCopy{
      "test.copy_logs",
      "COPY server_logs (level, category, event_type, error_message, metadata, response_time_ms)"
      " FROM STDIN"};
  static constexpr Statement kCount{"test.count_logs",
                                    "SELECT count(*), count(response_time_ms) FROM server_logs"
                                    " WHERE event_type = 'COPY_TEST'"};
  static constexpr Statement kAwkward{
      "test.awkward_log",
      "SELECT error_message FROM server_logs WHERE event_type = 'COPY_TEST'"
      " AND error_message LIKE 'awkward%'"};
  const std::string awkward = "awkward\ttab\nnewline\\backslash\r\\N not null";
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    db::CopyEncoder rows;
    constexpr int kRows = 20'000;
    int produced = 0;
    const auto next = [&]() -> std::string_view {
      rows.clear();
      for (int i = 0; produced < kRows && i < 5'000; ++i, ++produced) {
        rows.field("info").field("API").field("COPY_TEST");
        rows.field(produced == 0 ? awkward : "row " + std::to_string(produced));
        rows.field(R"({"n": 1})");
        if (produced % 2 == 0) {
          rows.null();
        } else {
          rows.field(produced);
        }
        rows.end_row();
      }
      return rows.data();
    };
    const auto copied = co_await conn->copy_in(kCopy, next);
    EXPECT_EQ(copied, static_cast<std::uint64_t>(kRows));
    const auto counts = co_await conn->query(kCount);
    EXPECT_EQ(counts[0].get<std::int64_t>(0), kRows);
    EXPECT_EQ(counts[0].get<std::int64_t>(1), kRows / 2);
    const auto back = co_await text(conn->query(kAwkward));
    EXPECT_EQ(back, awkward);
  });
}

TEST_F(PgConnectionTest, CopyWithBadDataFailsWholeAndTheConnectionStaysUsable) {
  static constexpr Statement kCopy{
      "test.copy_bad", "COPY server_logs (level, category, event_type, error_message) FROM STDIN"};
  static constexpr Statement kCount{
      "test.count_bad", "SELECT count(*) FROM server_logs WHERE error_message = 'good before bad'"};
  run([&]() -> asio::awaitable<void> {
    auto conn = co_await connect();
    db::CopyEncoder rows;
    rows.field("info").field("API").field("COPY_BAD").field("good before bad").end_row();
    rows.field("loud").field("API").field("COPY_BAD").field("level violates the CHECK").end_row();
    bool sent = false;
    std::string state;
    try {
      co_await conn->copy_in(kCopy, [&]() -> std::string_view {
        return std::exchange(sent, true) ? std::string_view{} : rows.data();
      });
    } catch (const db::DatabaseError& error) {
      state = error.sqlstate();
    }
    EXPECT_EQ(state, "23514");
    EXPECT_FALSE(conn->broken());
    const auto kept = co_await integer(conn->query(kCount));
    EXPECT_EQ(kept, 0);
  });
}

TEST_F(PgConnectionTest, UnreachableServerFailsWithAConnectionError) {
  asio::io_context probe;
  asio::ip::tcp::acceptor acceptor(probe, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  try {
    run([&]() -> asio::awaitable<void> {
      // (A local, not a braced temporary: GCC 12 destroys temporaries of a co_await
      // expression twice when it throws.)
      const db::ConnectionOptions options{
          .url = "postgresql://nobody:secret@127.0.0.1:" + std::to_string(port) + "/none"};
      co_await db::PgConnection::connect(options);
    });
    FAIL() << "connected to nothing";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "08006");
    EXPECT_EQ(std::string{error.what()}.find("secret"), std::string::npos);
  }
}

TEST_F(PgConnectionTest, ConnectTimesOutAgainstASilentServer) {
  // A listener that never answers: the handshake must give up at the timeout.
  asio::io_context probe;
  asio::ip::tcp::acceptor silent(probe, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = silent.local_endpoint().port();
  try {
    run([&]() -> asio::awaitable<void> {
      const db::ConnectionOptions options{
          .url = "postgresql://x@127.0.0.1:" + std::to_string(port) + "/x?sslmode=disable",
          .connect_timeout = 300ms};
      co_await db::PgConnection::connect(options);
    });
    FAIL() << "a silent server cannot complete a handshake";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "57014") << error.what();
  }
}

}  // namespace
}  // namespace pend::test
