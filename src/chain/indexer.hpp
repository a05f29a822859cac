// The indexer worker (`pend-server worker indexer`, a cluster singleton on its lease):
// follows the chain from chain.start_block into PostgreSQL (chain/store.hpp).
//
// Catch-up: batches of chain.batch_size blocks, each one JSON-RPC batch of
// eth_getBlockByNumber (with transactions) and eth_getBlockReceipts (per-transaction
// receipts where the node has no block receipts), chain.batches_in_flight of them fetched
// at once while the last one is written, in order, a transaction each. Realtime: once at the
// head it waits for eth_subscribe newHeads over WebSocket (chain.ws_url), or polls every
// chain.poll_interval_ms.
//
// Reorgs: a block joins the stored chain only if its parent hash is the stored consensus
// block below it, and the stored tip is compared with the node's at every wake-up. When they
// differ, the indexer walks back height by height to the last block both agree on, marks
// everything above it replaced (ChainStore::unwind) and imports the node's branch. A reorg
// deeper than chain.finality_depth is an error in the log and a system_metrics row over its
// critical level, which the alerting worker turns into an alert.
//
// Every block's logs are checked against its logsBloom. Logs of tracked tokens and
// configured contracts are decoded with their ABI into blockchain_events, in the block's
// transaction, for the chain-events worker.
#pragma once

#include "chain/abi.hpp"
#include "chain/chain_cache.hpp"
#include "chain/rpc_client.hpp"
#include "chain/store.hpp"
#include "config/redis_endpoint.hpp"
#include "workers/worker.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::chain {

struct ContractAbi {
  std::string address;  // raw 20 bytes
  std::string name;     // for the log
  abi::Contract abi;
};

struct IndexerOptions {
  std::string instance = "local";
  RpcOptions rpc;
  std::string ws_url;  // secret
  std::uint64_t chain_id = 0;
  std::uint64_t start_block = 0;
  unsigned finality_depth = 64;
  unsigned batch_size = 100;
  unsigned batches_in_flight = 4;
  std::chrono::milliseconds poll_interval{2'000};
  // One run (a worker_runs row) at most this long; 0: one pass to the head, however long.
  std::chrono::milliseconds run_length{300'000};
  // Tokens whose events are decoded (raw address -> type), added as tracked at start.
  std::map<std::string, TokenType> tracked_tokens;
  std::vector<ContractAbi> contracts;
  std::optional<config::RedisEndpoint> redis;  // the head is cached there
  std::chrono::seconds cache_ttl{30};
  std::chrono::milliseconds redis_timeout{2'000};
  bool progress = false;  // a progress bar on stderr (a terminal)
};

// What the indexer has done, for /metrics and the progress bar.
struct IndexerFigures {
  std::atomic<std::int64_t> head{-1}, indexed{-1};
  std::atomic<std::uint64_t> blocks{0}, rows{0}, reorgs{0}, deepest_reorg{0}, bloom_failures{0};
  std::atomic<double> blocks_per_second{0};
};

class Indexer final : public workers::Worker {
 public:
  explicit Indexer(IndexerOptions options);
  ~Indexer() override;
  const workers::WorkerSpec& spec() const override { return spec_; }
  workers::RunReport run(workers::RunContext& ctx) override;
  void collect(metrics::PrometheusWriter& out) const override;
  const IndexerFigures& figures() const { return figures_; }
  RpcNodes& nodes() { return *nodes_; }

 private:
  struct Fetched;
  Fetched fetch(std::uint64_t from, std::uint64_t count);
  void follow(workers::RunContext& ctx, workers::RunReport& report);  // run()'s body
  void load_decoders(db::BlockingSession& session);
  std::vector<EventRow> events_of(const std::vector<BlockData>& blocks) const;
  // Imports [from, head]; false when it stopped at a block that does not join the stored
  // chain (a reorg to handle first).
  // Stops launching batches at `until` (the run's end); the next run goes on.
  bool catch_up(workers::RunContext& ctx, ChainStore& store, std::uint64_t from, std::uint64_t head,
                std::chrono::steady_clock::time_point until, workers::RunReport& report);
  // Walks back from `height` (whose stored block the node no longer has) to the common
  // ancestor and unwinds above it. Returns the next height to import.
  std::uint64_t reorganise(workers::RunContext& ctx, ChainStore& store, std::uint64_t height,
                           workers::RunReport& report);
  std::optional<std::string> node_hash(std::uint64_t number);
  void write_figures(workers::RunContext& ctx, std::uint64_t head, std::uint64_t next_block);
  void write_reorg_depth(workers::RunContext& ctx);
  void cache_head(std::uint64_t head);
  void publish_blocks(const std::vector<BlockData>& blocks);
  void progress(std::uint64_t done_to, std::uint64_t head, bool final);

  IndexerOptions options_;
  workers::WorkerSpec spec_;
  std::shared_ptr<RpcNodes> nodes_;
  std::unique_ptr<RpcClientPool> pool_;     // the fetchers': one client per batch in flight
  std::unique_ptr<RpcClient> rpc_;          // the run's own calls
  std::atomic<bool> block_receipts_{true};  // the node answers eth_getBlockReceipts
  // Decoded addresses (raw) -> topic0 (raw) -> the event (in options_ or standard_abi).
  std::map<std::string, std::map<std::string, const abi::Event*>> decoders_;
  ChainCache cache_;  // the head, in Redis
  bool setup_done_ = false;
  bool subscription_lost_ = false;
  std::chrono::steady_clock::time_point
      figures_written_{};  // the last system_metrics rows  // CHAIN_SUBSCRIPTION_LOST logged, not
                           // yet subscribed again
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> recent_reorgs_;
  IndexerFigures figures_;
  std::chrono::steady_clock::time_point progress_at_{};
  std::uint64_t progress_from_ = 0;
  std::chrono::steady_clock::time_point progress_started_{};
  std::uint64_t progress_rows_ = 0;
};

// The ABIs of the token standards' events (ERC-20, ERC-721, ERC-1155).
const abi::Contract& standard_abi(TokenType type);

}  // namespace pend::chain
