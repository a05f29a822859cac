// SingleFlight: while one request computes a response for a key, the other requests for the
// same key in this process wait for its result instead of computing it again, whichever
// shard they run on. One mutex guards the map of flights; it is taken only on cache misses.
//
//   auto ticket = flights.join(key);
//   if (!ticket.leader) { auto shared = co_await SingleFlight::wait(*ticket.flight); ... }
//   else { ... compute ...; SingleFlight::publish(*ticket.flight, result); ...;
//          flights.forget(key, ticket.flight); }
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace pend::cache {

// The part of a 200 response that followers copy.
struct SharedResponse {
  std::string body;
  std::string content_type;
};

class Flight {
 public:
  using Result = std::shared_ptr<const SharedResponse>;  // null: the leader got no 200

 private:
  friend class SingleFlight;
  std::mutex mutex_;
  bool done_ = false;
  Result result_;
  struct Waiter {
    boost::asio::any_io_executor executor;
    boost::asio::any_completion_handler<void(Result)> handler;
  };
  std::vector<Waiter> waiters_;
};

class SingleFlight {
 public:
  struct Ticket {
    std::shared_ptr<Flight> flight;
    bool leader = false;
  };

  Ticket join(const std::string& key);
  // A follower's wait; resumes on the follower's own executor. The caller keeps the flight
  // alive (its ticket). (By reference: GCC 12 destroys a by-value shared_ptr parameter of a
  // coroutine twice in this shape.)
  static boost::asio::awaitable<Flight::Result> wait(Flight& flight);
  // The leader's result, for every follower so far and every one that joins until forget().
  static void publish(Flight& flight, Flight::Result result);
  // Ends the flight: the next request for key leads a new one.
  void forget(const std::string& key, const std::shared_ptr<Flight>& flight);

  std::size_t in_flight() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace pend::cache
