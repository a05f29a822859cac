#include "health/health_registry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace pend::health {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

void HealthRegistry::add(std::string name, Check check, bool critical) {
  checks_.push_back({std::move(name), std::move(check), critical});
}

namespace {

// Runs one check, bounded by timeout whatever the check does with it.
asio::awaitable<CheckReport> run_bounded(const std::string& name,
                                         const HealthRegistry::Check& check,
                                         std::chrono::milliseconds timeout) {
  const auto started = std::chrono::steady_clock::now();
  asio::steady_timer deadline(co_await asio::this_coro::executor, timeout);
  CheckReport report{name, true, {}, {}};
  try {
    auto outcome =
        co_await (check(timeout) || deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 0) {
      report.result = std::get<0>(std::move(outcome));
    } else {
      report.result = {false, "timed out after " + std::to_string(timeout.count()) + " ms"};
    }
  } catch (const std::exception& error) {
    report.result = {false, error.what()};
  }
  report.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  co_return report;
}

}  // namespace

asio::awaitable<HealthReport> HealthRegistry::check_all() const {
  HealthReport report;
  report.draining = draining_.load();
  auto executor = co_await asio::this_coro::executor;

  // Start every check at once; each reports into its own slot, the last one wakes us.
  auto results = std::make_shared<std::vector<CheckReport>>(checks_.size());
  auto remaining = std::make_shared<std::size_t>(checks_.size());
  auto done = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < checks_.size(); ++i) {
    asio::co_spawn(executor, run_bounded(checks_[i].name, checks_[i].check, timeout_),
                   [results, remaining, done, i](std::exception_ptr, CheckReport r) {
                     (*results)[i] = std::move(r);
                     if (--*remaining == 0) done->cancel();
                   });
  }
  if (*remaining > 0) co_await done->async_wait(asio::as_tuple(asio::use_awaitable));

  report.checks = std::move(*results);
  report.ready = !report.draining;
  for (std::size_t i = 0; i < report.checks.size(); ++i) {
    auto& check = report.checks[i];
    check.critical = checks_[i].critical;
    if (check.result.up) continue;
    if (check.critical) {
      report.ready = false;
    } else {
      report.degraded = true;
    }
  }
  co_return report;
}

}  // namespace pend::health
