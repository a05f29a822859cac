// The chain-events worker (cluster-wide): works through blockchain_events as the indexer
// queues them, and fetches the metadata of newly seen tokens once.
//
// An event's processing reads again, from the node at its current head, the coin balance and
// the token balance of each address it moves (address_coin_balances, address_token_balances,
// and the blockchain:balance:<address> entry in Redis), and writes a TRANSFER_RECEIVED
// business entry when a registered user's address receives a tracked token. A failure counts
// in processing_attempts with last_processing_error and waits (2^attempts seconds, up to an
// hour) for the next try; after chain.event_attempts the event is dead. A voided event (its
// block was replaced) is processed too: the balances it moved are read again, and its
// recipient's entry is TRANSFER_VOIDED.
#pragma once

#include "chain/chain_cache.hpp"
#include "chain/rpc_client.hpp"
#include "config/redis_endpoint.hpp"
#include "workers/worker.hpp"

#include <memory>
#include <optional>

namespace pend::chain {

struct ChainEventsOptions {
  RpcOptions rpc;
  unsigned max_attempts = 5;
  std::size_t batch = 200;
  std::chrono::milliseconds interval{2'000};
  std::optional<config::RedisEndpoint> redis;
  std::chrono::seconds cache_ttl{30};
  std::chrono::milliseconds redis_timeout{2'000};
};

class ChainEvents final : public workers::Worker {
 public:
  explicit ChainEvents(ChainEventsOptions options);
  ~ChainEvents() override;
  const workers::WorkerSpec& spec() const override { return spec_; }
  workers::RunReport run(workers::RunContext& ctx) override;

 private:
  workers::RunReport process(workers::RunContext& ctx);  // run()'s body
  std::int64_t fetch_metadata(workers::RunContext& ctx);
  // attempts counted, the next try after 2^attempts seconds (up to an hour), dead at the last.
  void record_failure(workers::RunContext& ctx, const std::string& id, std::int64_t attempts,
                      const std::string& error, std::int64_t& failed, std::int64_t& dead);

  ChainEventsOptions options_;
  workers::WorkerSpec spec_;
  std::shared_ptr<RpcNodes> nodes_;
  std::unique_ptr<RpcClient> rpc_;
  ChainCache cache_;  // the balances, in Redis
};

}  // namespace pend::chain
