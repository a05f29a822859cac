// LiveEvents: the explorer's live updates on this instance, GET /api/v1/explorer/stream
// (docs/architecture/chain.md, "Live updates").
//
// The indexer, wherever it runs, adds each committed block and each reorg to the Redis
// stream blockchain:events and publishes it on the channel of that name (chain/chain_cache.hpp).
// Here one thread subscribes to the channel and hands every event to each shard that has
// streams open, where a coroutine delivers them in order: so every instance's clients see
// what the indexer's instance saw. After a lost subscription the thread reads what it missed
// from the stream (XRANGE), so no event is skipped. It also keeps, for the response cache,
// the chain epoch (blockchain:epoch, raised at each reorg) and the newest block heard of.
//
// A stream is Server-Sent Events: `id:` the stream entry's id, `event:` block, reorg or (for
// a signed-in user's own wallet) transfer, `data:` one line of JSON. A user's incoming
// transfers in a block follow its block event with ids "{block id}/1", "/2", ... A client
// that reconnects with Last-Event-ID gets what followed it first (from the kept entries),
// then the live events. With nothing to send, a ": heartbeat" comment every
// chain.stream_heartbeat_ms. At most chain.stream_max_connections per instance; a client that
// lets chain.stream_queue_limit events wait has its stream ended (it resumes with its id).
#pragma once

#include "domain/common/deps.hpp"
#include "http/body_stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::domain::explorer {

// An event as the stream entry holds it.
struct LiveEvent {
  std::string id;          // "1733550000000-0"
  std::string type;        // block, reorg
  std::string data;        // one line of JSON
  std::string block_hash;  // block events: hex without 0x
};

class LiveEvents {
 public:
  explicit LiveEvents(const Deps& deps);
  ~LiveEvents();
  LiveEvents(const LiveEvents&) = delete;
  LiveEvents& operator=(const LiveEvents&) = delete;

  // Ends the subscriber thread (before the shards go: it posts to them).
  void stop();

  // A stream for a request on the caller's shard; nullptr at the per-instance cap.
  // wallet: the signed-in user's address (lower hex, no 0x) or empty. last_event_id: the
  // header as sent (empty: none); throws ApiError 400 when it is not an id of this stream.
  boost::asio::awaitable<std::unique_ptr<http::ResponseStream>> open(
      std::string wallet, std::string_view last_event_id);

  std::int64_t head() const { return head_.load(std::memory_order_relaxed); }
  bool subscribed() const { return subscribed_.load(std::memory_order_relaxed); }
  void collect(metrics::PrometheusWriter& out) const;

  struct Shard;
  class Stream;

 private:
  void run();  // the subscriber thread
  void deliver(std::shared_ptr<const LiveEvent> event);
  void heard(const LiveEvent& event);
  std::shared_ptr<Shard> shard_of(const boost::asio::any_io_executor& executor);

  const Deps& deps_;
  const config::ChainSettings& settings_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> head_{-1};
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> lookup_warned_{false};  // LIVE_TRANSFERS_UNAVAILABLE logged
  std::atomic<std::uint64_t> open_{0}, delivered_{0}, refused_{0}, overflowed_{0};
  std::mutex mutex_;  // shards_: a shard is added on its first stream, never removed
  std::vector<std::shared_ptr<Shard>> shards_;
  std::thread thread_;
};

}  // namespace pend::domain::explorer
