// NewHeads: a WebSocket subscription to a node's new block headers (eth_subscribe
// "newHeads"), for the indexer's realtime mode. wait() returns the highest block number
// announced since the last call, or nothing when none came within the timeout; a broken
// connection throws, and the indexer polls instead until it can subscribe again.
//
//   NewHeads heads("ws://127.0.0.1:8545", 5s);
//   if (const auto number = heads.wait(2s)) sync_to(*number);
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace pend::chain {

class SubscriptionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NewHeads {
 public:
  // Connects, shakes hands and subscribes; throws SubscriptionError (never with the URL,
  // which may hold a key).
  NewHeads(const std::string& url, std::chrono::milliseconds timeout);
  ~NewHeads();
  NewHeads(const NewHeads&) = delete;
  NewHeads& operator=(const NewHeads&) = delete;

  std::optional<std::uint64_t> wait(std::chrono::milliseconds timeout);
  std::uint64_t received() const;  // heads announced so far

 private:
  struct Socket;
  std::unique_ptr<Socket> socket_;
};

}  // namespace pend::chain
