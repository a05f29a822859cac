#include "cache/single_flight.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pend::cache {

namespace asio = boost::asio;

SingleFlight::Ticket SingleFlight::join(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto [position, inserted] = flights_.try_emplace(key);
  if (inserted) position->second = std::make_shared<Flight>();
  return {position->second, inserted};
}

asio::awaitable<Flight::Result> SingleFlight::wait(Flight& flight) {
  auto executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Flight::Result)>(
      [&flight, executor](asio::any_completion_handler<void(Flight::Result)> handler) {
        std::unique_lock lock(flight.mutex_);
        if (!flight.done_) {
          flight.waiters_.push_back({executor, std::move(handler)});
          return;
        }
        auto result = flight.result_;
        lock.unlock();
        asio::post(executor, [handler = std::move(handler), result]() mutable {
          std::move(handler)(std::move(result));
        });
      },
      asio::use_awaitable);
}

void SingleFlight::publish(Flight& flight, Flight::Result result) {
  std::vector<Flight::Waiter> waiters;
  {
    std::lock_guard lock(flight.mutex_);
    if (flight.done_) return;
    flight.done_ = true;
    flight.result_ = result;
    waiters.swap(flight.waiters_);
  }
  // Each follower resumes on its own shard's loop.
  for (auto& [executor, handler] : waiters) {
    asio::post(executor, [handler = std::move(handler), result]() mutable {
      std::move(handler)(std::move(result));
    });
  }
}

void SingleFlight::forget(const std::string& key, const std::shared_ptr<Flight>& flight) {
  std::lock_guard lock(mutex_);
  const auto position = flights_.find(key);
  if (position != flights_.end() && position->second == flight) flights_.erase(position);
}

std::size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mutex_);
  return flights_.size();
}

}  // namespace pend::cache
