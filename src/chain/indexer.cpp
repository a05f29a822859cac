#include "chain/indexer.hpp"

#include "chain/new_heads.hpp"

#include "logging/logger.hpp"
#include "metrics/prometheus_writer.hpp"
#include "security/evm_address.hpp"
#include "util/hex.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <cstdio>
#include <deque>
#include <future>

namespace pend::chain {

namespace json = boost::json;

namespace {

constexpr const char* kErc20Events = R"([
  {"type":"event","name":"Transfer","anonymous":false,"inputs":[
    {"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
    {"name":"value","type":"uint256","indexed":false}]},
  {"type":"event","name":"Approval","anonymous":false,"inputs":[
    {"name":"owner","type":"address","indexed":true},
    {"name":"spender","type":"address","indexed":true},
    {"name":"value","type":"uint256","indexed":false}]}])";
constexpr const char* kErc721Events = R"([
  {"type":"event","name":"Transfer","anonymous":false,"inputs":[
    {"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
    {"name":"tokenId","type":"uint256","indexed":true}]},
  {"type":"event","name":"Approval","anonymous":false,"inputs":[
    {"name":"owner","type":"address","indexed":true},
    {"name":"approved","type":"address","indexed":true},
    {"name":"tokenId","type":"uint256","indexed":true}]},
  {"type":"event","name":"ApprovalForAll","anonymous":false,"inputs":[
    {"name":"owner","type":"address","indexed":true},
    {"name":"operator","type":"address","indexed":true},
    {"name":"approved","type":"bool","indexed":false}]}])";
constexpr const char* kErc1155Events = R"([
  {"type":"event","name":"TransferSingle","anonymous":false,"inputs":[
    {"name":"operator","type":"address","indexed":true},
    {"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
    {"name":"id","type":"uint256","indexed":false},{"name":"value","type":"uint256","indexed":false}]},
  {"type":"event","name":"TransferBatch","anonymous":false,"inputs":[
    {"name":"operator","type":"address","indexed":true},
    {"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
    {"name":"ids","type":"uint256[]","indexed":false},
    {"name":"values","type":"uint256[]","indexed":false}]},
  {"type":"event","name":"ApprovalForAll","anonymous":false,"inputs":[
    {"name":"account","type":"address","indexed":true},
    {"name":"operator","type":"address","indexed":true},
    {"name":"approved","type":"bool","indexed":false}]},
  {"type":"event","name":"URI","anonymous":false,"inputs":[
    {"name":"value","type":"string","indexed":false},
    {"name":"id","type":"uint256","indexed":true}]}])";

std::string hex0x(std::string_view bytes) { return "0x" + util::to_hex(bytes); }

std::string checksummed(std::string_view raw20) {
  security::Address address;
  std::copy(raw20.begin(), raw20.end(), address.bytes.begin());
  return address.checksummed();
}

// The thousands of a count, for the progress bar: 12,345.
std::string grouped(std::uint64_t value) {
  const auto digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

const abi::Contract& standard_abi(TokenType type) {
  static const abi::Contract erc20 = abi::Contract::from_json(kErc20Events).value.value();
  static const abi::Contract erc721 = abi::Contract::from_json(kErc721Events).value.value();
  static const abi::Contract erc1155 = abi::Contract::from_json(kErc1155Events).value.value();
  switch (type) {
    case TokenType::erc20:
      return erc20;
    case TokenType::erc721:
      return erc721;
    case TokenType::erc1155:
      return erc1155;
  }
  return erc20;
}

struct Indexer::Fetched {
  std::vector<BlockData> blocks;  // in order, fewer than asked past the node's head
  std::string error;
};

Indexer::Indexer(IndexerOptions options)
    : options_(std::move(options)),
      spec_{.name = "indexer",
            .scope = workers::Scope::cluster,
            .interval = std::chrono::milliseconds{100},
            .deadline = options_.run_length.count() == 0
                            ? std::chrono::milliseconds{std::chrono::hours{24}}
                            : options_.run_length + std::chrono::seconds{30}},
      nodes_(std::make_shared<RpcNodes>(options_.rpc)),
      pool_(std::make_unique<RpcClientPool>(nodes_)),
      rpc_(std::make_unique<RpcClient>(nodes_)),
      cache_(options_.redis, options_.cache_ttl, options_.redis_timeout) {}

Indexer::~Indexer() = default;

Indexer::Fetched Indexer::fetch(std::uint64_t from, std::uint64_t count) {
  Fetched out;
  auto client = pool_->take();
  try {
    std::vector<RpcCall> calls;
    calls.reserve(count * 2);
    const bool with_receipts = block_receipts_.load();
    for (std::uint64_t n = from; n < from + count; ++n) {
      calls.push_back({"eth_getBlockByNumber", {to_quantity(n), true}});
      if (with_receipts) calls.push_back({"eth_getBlockReceipts", {to_quantity(n)}});
    }
    auto replies = client->batch(calls);
    const std::size_t per_block = with_receipts ? 2 : 1;
    bool receipts_missing = false;
    for (std::size_t i = 0; i < count; ++i) {
      auto& block = replies[i * per_block];
      if (!block.ok()) {
        out.error = "eth_getBlockByNumber " + std::to_string(from + i) + ": " + block.error_message;
        break;
      }
      if (block.result.is_null()) break;  // past the node's head
      json::value receipts;
      if (with_receipts) {
        auto& r = replies[i * per_block + 1];
        if (!r.ok() &&
            (r.error_code == -32601 || r.error_code == -32602 || r.error_code == -32600)) {
          receipts_missing = true;
        } else if (!r.ok()) {
          out.error = "eth_getBlockReceipts " + std::to_string(from + i) + ": " + r.error_message;
          break;
        } else {
          receipts = std::move(r.result);
        }
      }
      if (!with_receipts || receipts_missing) {
        // One eth_getTransactionReceipt per transaction, in the block's order.
        std::vector<RpcCall> per_tx;
        const auto* txs = block.result.is_object()
                              ? block.result.as_object().if_contains("transactions")
                              : nullptr;
        if (txs != nullptr && txs->is_array()) {
          for (const auto& tx : txs->as_array()) {
            const auto* hash = tx.is_object() ? tx.as_object().if_contains("hash") : nullptr;
            if (hash == nullptr) break;
            per_tx.push_back({"eth_getTransactionReceipt", {*hash}});
          }
        }
        json::array list;
        for (auto& reply : client->batch(per_tx)) {
          if (!reply.ok()) {
            out.error = "eth_getTransactionReceipt: " + reply.error_message;
            break;
          }
          list.push_back(std::move(reply.result));
        }
        if (!out.error.empty()) break;
        receipts = std::move(list);
      }
      std::string error;
      auto parsed = parse_block(block.result, receipts, &error);
      if (!parsed) {
        // (parse_block's words for a bloom that the logs do not give.)
        if (error.find("do not match the block's logsBloom") != std::string::npos)
          ++figures_.bloom_failures;
        out.error = "block " + std::to_string(from + i) + ": " + error;
        break;
      }
      out.blocks.push_back(std::move(*parsed));
    }
    if (receipts_missing) block_receipts_ = false;  // the node has no eth_getBlockReceipts
  } catch (const std::exception& error) {
    out.error = error.what();
  }
  pool_->give(std::move(client));
  return out;
}

void Indexer::load_decoders(db::BlockingSession& session) {
  // Each decoded address's events by topic, hashed once here rather than for every log: the
  // configured contracts, and the tokens marked tracked (chain.tracked_tokens marks them at
  // start; an operator may mark more in the tokens table, read again at each run).
  decoders_.clear();
  const auto add = [this](const std::string& address, const abi::Contract& contract) {
    auto& by_topic = decoders_[address];
    for (const auto& event : contract.events) {
      if (event.anonymous) continue;
      const auto topic = event.topic0();
      by_topic.try_emplace(std::string(reinterpret_cast<const char*>(topic.data()), topic.size()),
                           &event);
    }
  };
  for (const auto& contract : options_.contracts) add(contract.address, contract.abi);
  const auto rows =
      session.exec("SELECT encode(contract_address, 'hex'), type FROM tokens WHERE tracked");
  for (int i = 0; i < rows.size(); ++i) {
    // (tokens.type's CHECK allows only the three names.)
    add(util::from_hex(rows.value(i, 0)).value(),
        standard_abi(token_type_from(rows.value(i, 1)).value()));
  }
}

std::vector<EventRow> Indexer::events_of(const std::vector<BlockData>& blocks) const {
  std::vector<EventRow> out;
  if (decoders_.empty()) return out;
  for (const auto& block : blocks) {
    for (const auto& log : block.logs) {
      if (log.topics.empty()) continue;
      const auto decoder = decoders_.find(log.address);
      if (decoder == decoders_.end()) continue;
      const auto found = decoder->second.find(log.topics[0]);
      if (found == decoder->second.end()) continue;
      const abi::Event* event = found->second;
      std::vector<security::Hash32> topics(log.topics.size());
      for (std::size_t i = 0; i < log.topics.size(); ++i)
        std::copy(log.topics[i].begin(), log.topics[i].end(), topics[i].begin());
      auto decoded = abi::decode_event(*event, topics, log.data);
      if (!decoded.value) continue;
      EventRow row;
      row.block_hash = block.hash;
      row.block_number = block.number;
      row.timestamp = block.timestamp;
      row.log_index = log.log_index;
      row.event_type = event->name;
      row.contract_address = checksummed(log.address);
      row.transaction_hash = hex0x(log.transaction_hash);
      row.event_signature = hex0x(log.topics[0]);
      row.decoded_data = json::serialize(*decoded.value);
      row.raw_data = hex0x(log.data);
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::optional<std::string> Indexer::node_hash(std::uint64_t number) {
  const auto block = rpc_->call("eth_getBlockByNumber", {to_quantity(number), false});
  if (!block.is_object()) return std::nullopt;
  const auto* hash = block.as_object().if_contains("hash");
  if (hash == nullptr || !hash->is_string()) return std::nullopt;
  return data_bytes(hash->as_string(), 32);
}

void Indexer::cache_head(std::uint64_t head) {
  // The plan's blockchain cache entry (chain/chain_cache.hpp).
  cache_.put("head", "latest", json::object{{"number", head}}, head);
}

void Indexer::progress(std::uint64_t done_to, std::uint64_t head, bool final) {
  if (!options_.progress) return;
  const auto now = std::chrono::steady_clock::now();
  if (!final && now - progress_at_ < std::chrono::milliseconds{200}) return;
  progress_at_ = now;
  const double seconds =
      std::max(1e-3, std::chrono::duration<double>(now - progress_started_).count());
  const auto done = done_to >= progress_from_ ? done_to - progress_from_ : 0;
  const auto total = head + 1 > progress_from_ ? head + 1 - progress_from_ : 1;
  const double rate = static_cast<double>(done) / seconds;
  const double rows_rate = static_cast<double>(progress_rows_) / seconds;
  const int width = 30;
  const int filled = static_cast<int>(width * std::min(1.0, static_cast<double>(done) / total));
  const auto eta =
      rate > 0 ? static_cast<long long>(static_cast<double>(total - std::min(done, total)) / rate)
               : 0;
  std::fprintf(stderr, "\r[%s%s] %s/%s blocks  %.0f blocks/s  %.0f rows/s  ETA %lld:%02lld%s",
               std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
               grouped(done).c_str(), grouped(total).c_str(), rate, rows_rate, eta / 60, eta % 60,
               final ? "\n" : "");
  std::fflush(stderr);
}

bool Indexer::catch_up(workers::RunContext& ctx, ChainStore& store, std::uint64_t from,
                       std::uint64_t head, std::chrono::steady_clock::time_point until,
                       workers::RunReport& report) {
  std::optional<std::string> parent =
      from > options_.start_block ? store.consensus_hash(from - 1) : std::nullopt;
  std::deque<std::future<Fetched>> in_flight;
  std::uint64_t next_fetch = from;
  const auto drain = [&] {
    for (auto& f : in_flight) f.wait();
    in_flight.clear();
  };
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t imported = 0;
  progress_from_ = from;
  progress_started_ = started;
  progress_rows_ = 0;
  bool joined = true;
  while (true) {
    // No new batch once the run's time is up: those in flight are written, and the next
    // run goes on from there (a run is a worker_runs row, not the whole catch-up).
    const bool time_left = std::chrono::steady_clock::now() < until;
    while (time_left && in_flight.size() < options_.batches_in_flight && next_fetch <= head) {
      const auto count = std::min<std::uint64_t>(options_.batch_size, head - next_fetch + 1);
      in_flight.push_back(std::async(
          std::launch::async, [this, next_fetch, count] { return fetch(next_fetch, count); }));
      next_fetch += count;
    }
    if (in_flight.empty()) break;
    auto fetched = in_flight.front().get();
    in_flight.pop_front();
    if (!fetched.error.empty()) {
      drain();
      throw std::runtime_error(fetched.error);
    }
    auto& blocks = fetched.blocks;
    const bool nothing = blocks.empty();
    // Only the blocks that join the stored chain, each the parent of the next.
    std::size_t keep = 0;
    for (; keep < blocks.size(); ++keep) {
      const auto& b = blocks[keep];
      const std::string* expected = keep > 0 ? &blocks[keep - 1].hash : parent ? &*parent : nullptr;
      // (Nothing stored below the first block: the start, or a gap an operator made.)
      if (expected != nullptr && b.parent_hash != *expected) break;
    }
    const bool complete = keep == blocks.size() && !blocks.empty();
    blocks.resize(keep);
    if (!blocks.empty()) {
      const auto events = events_of(blocks);
      const auto written = store.write(blocks, events, head);
      if (written.replaced > 0) {
        logging::warn("BLOCKCHAIN", "CHAIN_BLOCKS_REPLACED",
                      "consensus blocks the node has not got (imported ones) were replaced by "
                      "the node's",
                      {{"blocks", static_cast<std::int64_t>(written.replaced)},
                       {"from", static_cast<std::int64_t>(blocks.front().number)}});
        report["replaced"] =
            report["replaced"].as_int64() + static_cast<std::int64_t>(written.replaced);
      }
      parent = blocks.back().hash;
      publish_blocks(blocks);
      imported += written.blocks;
      figures_.indexed = static_cast<std::int64_t>(blocks.back().number);
      figures_.blocks += written.blocks;
      figures_.rows += written.rows();
      progress_rows_ += written.rows();
      report["blocks"] = report["blocks"].as_int64() + static_cast<std::int64_t>(written.blocks);
      report["rows"] = report["rows"].as_int64() + static_cast<std::int64_t>(written.rows());
      report["events"] = report["events"].as_int64() + static_cast<std::int64_t>(written.events);
      progress(blocks.back().number + 1, head, false);
      write_figures(ctx, head, blocks.back().number + 1);
    }
    if (!complete) {
      drain();
      if (nothing) {
        // The node has not got the block it said was there (a node behind the one that gave
        // the head): a little later, the loop asks again.
        ctx.pause(std::min<std::chrono::milliseconds>(options_.poll_interval,
                                                      std::chrono::milliseconds{1'000}));
        break;
      }
      joined = false;  // a block that does not join: a reorg to handle first
      break;
    }
    ctx.check();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (imported > 0 && seconds > 0)
    figures_.blocks_per_second = static_cast<double>(imported) / seconds;
  if (imported > 0) progress(static_cast<std::uint64_t>(figures_.indexed.load()) + 1, head, true);
  return joined;
}

std::uint64_t Indexer::reorganise(workers::RunContext& ctx, ChainStore& store, std::uint64_t height,
                                  workers::RunReport& report) {
  // Walk back: the highest height where the stored consensus block is the node's.
  std::uint64_t h = height;
  while (true) {
    const auto stored = store.consensus_hash(h);
    if (!stored) break;  // nothing stored here: import from here
    const auto node = node_hash(h);
    if (node && *node == *stored) {
      ++h;  // the common ancestor is h; import from h + 1
      break;
    }
    if (h == options_.start_block) break;
    --h;
    ctx.check();
  }
  const auto tip = store.tip(std::numeric_limits<std::int64_t>::max());
  const std::uint64_t old_tip = tip ? tip->first : h;
  const std::uint64_t depth = old_tip >= h ? old_tip - h + 1 : 0;
  if (depth == 0) return h;
  const auto replaced = store.unwind(h, depth);
  ++figures_.reorgs;
  figures_.deepest_reorg = std::max<std::uint64_t>(figures_.deepest_reorg, depth);
  figures_.indexed = static_cast<std::int64_t>(h) - 1;
  report["reorgs"] = report["reorgs"].as_int64() + 1;
  const auto i64 = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  if (depth > options_.finality_depth) {
    logging::error("BLOCKCHAIN", "CHAIN_REORG_BEYOND_FINALITY",
                   "a reorganisation replaced blocks deeper than the finality depth",
                   {{"depth", i64(depth)},
                    {"from_block", i64(h)},
                    {"old_tip", i64(old_tip)},
                    {"replaced_blocks", i64(replaced)},
                    {"finality_depth", options_.finality_depth}});
  } else {
    logging::warn("BLOCKCHAIN", "CHAIN_REORG", "a reorganisation replaced blocks",
                  {{"depth", i64(depth)},
                   {"from_block", i64(h)},
                   {"old_tip", i64(old_tip)},
                   {"replaced_blocks", i64(replaced)}});
  }
  recent_reorgs_.emplace_back(std::chrono::steady_clock::now(), depth);
  write_reorg_depth(ctx);
  cache_.publish({{"reorg",
                   {{"from_block", i64(h)},
                    {"depth", i64(depth)},
                    {"old_tip", i64(old_tip)},
                    {"replaced_blocks", i64(replaced)}}}});
  return h;
}

// The explorer's live "block" events (chain_cache.hpp), once the blocks are committed.
void Indexer::publish_blocks(const std::vector<BlockData>& blocks) {
  std::vector<ChainCache::Event> events;
  events.reserve(blocks.size());
  for (const auto& b : blocks) {
    events.push_back({"block",
                      {{"number", static_cast<std::int64_t>(b.number)},
                       {"hash", "0x" + util::to_hex(b.hash)},
                       {"parent_hash", "0x" + util::to_hex(b.parent_hash)},
                       {"timestamp", util::format_rfc3339(
                                         std::chrono::system_clock::time_point{
                                             std::chrono::seconds{b.timestamp}},
                                         util::TimePrecision::seconds)},
                       {"miner", security::to_checksum(util::to_hex(b.miner))},
                       {"transaction_count", static_cast<std::int64_t>(b.transactions.size())},
                       {"gas_used", b.gas_used}}});
  }
  cache_.publish(events);
}

void Indexer::write_figures(workers::RunContext& ctx, std::uint64_t head,
                            std::uint64_t next_block) {
  // For the alerting worker, which reads only rows of the last minute: how far behind, and
  // the deepest recent reorg, every 30 s (at the head and during a catch-up alike).
  const auto now = std::chrono::steady_clock::now();
  if (now - figures_written_ < std::chrono::seconds{30}) return;
  figures_written_ = now;
  const auto lag = head + 1 > next_block ? head + 1 - next_block : 0;
  ctx.session().exec(
      "INSERT INTO system_metrics (server_instance, metric_type, metric_name, value, unit, "
      "threshold_warning, threshold_critical) VALUES ($1, 'chain', 'chain_lag_blocks', $2, "
      "'blocks', $3, $4)",
      {options_.instance, std::to_string(lag), std::to_string(options_.finality_depth),
       std::to_string(options_.finality_depth * 4)});
  write_reorg_depth(ctx);
}

void Indexer::write_reorg_depth(workers::RunContext& ctx) {
  // The deepest reorg of the last ten minutes, written at once and then every 30 s while
  // there is one, so the alerting worker (which reads only fresh rows) cannot miss it:
  // over warning past half the finality depth, critical past it.
  const auto now = std::chrono::steady_clock::now();
  while (!recent_reorgs_.empty() && now - recent_reorgs_.front().first > std::chrono::minutes{10})
    recent_reorgs_.pop_front();
  if (recent_reorgs_.empty()) return;
  std::uint64_t deepest = 0;
  for (const auto& [at, depth] : recent_reorgs_) deepest = std::max(deepest, depth);
  ctx.session().exec(
      "INSERT INTO system_metrics (server_instance, metric_type, metric_name, value, unit, "
      "threshold_warning, threshold_critical, metadata) VALUES ($1, 'chain', "
      "'chain_reorg_depth', $2, 'blocks', $3, $4, $5::jsonb)",
      {options_.instance, std::to_string(deepest), std::to_string(options_.finality_depth / 2 + 1),
       std::to_string(options_.finality_depth + 1),
       json::serialize(json::object{{"reorgs_in_10_minutes", recent_reorgs_.size()},
                                    {"finality_depth", options_.finality_depth}})});
}

workers::RunReport Indexer::run(workers::RunContext& ctx) {
  workers::RunReport report{
      {"blocks", 0}, {"rows", 0}, {"events", 0}, {"reorgs", 0}, {"replaced", 0}};
  try {
    follow(ctx, report);
  } catch (const workers::RunStopped&) {
    // A stop (SIGTERM) ends the run between two steps, every batch before it committed: a
    // run that did what it could, not a failed one. Past the deadline it is a failure.
    if (!ctx.stopping()) throw;
  }
  return report;
}

void Indexer::follow(workers::RunContext& ctx, workers::RunReport& report) {
  ChainStore store(ctx.session());
  // Every run: the nodes may have changed (a failover) since the last.
  const auto id = quantity_u64(rpc_->call("eth_chainId", {}).as_string());
  if (!id) throw std::runtime_error("the node's eth_chainId is not a quantity");
  if (options_.chain_id != 0 && *id != options_.chain_id)
    throw std::runtime_error("the node is on chain " + std::to_string(*id) + ", not " +
                             std::to_string(options_.chain_id) + " (chain.chain_id)");
  // The index holds one chain: a node on another (a misconfigured URL) would otherwise look
  // like a reorg all the way down to the start block.
  const auto start = store.cursor(options_.start_block);
  if (start.chain_id && *start.chain_id != *id)
    throw std::runtime_error("the node is on chain " + std::to_string(*id) +
                             ", but the index holds chain " + std::to_string(*start.chain_id));
  if (!start.chain_id) store.set_chain_id(*id);
  if (!setup_done_) {
    for (const auto& [address, type] : options_.tracked_tokens) {
      ctx.session().exec(
          "INSERT INTO tokens (contract_address, type, tracked) VALUES (decode($1, 'hex'), $2, "
          "true) ON CONFLICT (contract_address) DO UPDATE SET tracked = true",
          {util::to_hex(address), to_string(type)});
    }
    setup_done_ = true;
  }
  load_decoders(ctx.session());
  std::unique_ptr<NewHeads> heads;
  // run_length 0: one pass to the head, however long it takes (tools and tests).
  const bool one_pass = options_.run_length.count() == 0;
  const auto run_until = one_pass ? std::chrono::steady_clock::time_point::max()
                                  : std::chrono::steady_clock::now() + options_.run_length;
  // Until the run's time is up: at least one pass to the head (run_length 0: just that).
  while (!ctx.stopping()) {
    ctx.check();
    const auto head = quantity_u64(rpc_->call("eth_blockNumber", {}).as_string()).value_or(0);
    figures_.head = static_cast<std::int64_t>(head);
    cache_head(head);
    auto cursor = store.cursor(options_.start_block);
    // The stored tip must still be the node's: a reorg to a branch no longer than ours adds
    // no new height to notice it by.
    if (cursor.next_block > options_.start_block) {
      const auto stored = store.consensus_hash(cursor.next_block - 1);
      const auto node = node_hash(cursor.next_block - 1);
      if (stored && !node) {
        // The node is behind the index (another node answered before, or it is catching
        // up itself): no reorg, just wait for it.
        if (std::chrono::steady_clock::now() >= run_until) break;
        ctx.pause(std::min(options_.poll_interval, std::chrono::milliseconds{1'000}));
        continue;
      }
      if (stored && *node != *stored) {
        cursor.next_block = reorganise(ctx, store, cursor.next_block - 1, report);
        continue;
      }
    }
    if (figures_.indexed < 0 && cursor.next_block > 0)
      figures_.indexed = static_cast<std::int64_t>(cursor.next_block) - 1;
    write_figures(ctx, head, cursor.next_block);
    if (cursor.next_block <= head) {
      if (!catch_up(ctx, store, cursor.next_block, head, run_until, report)) {
        const auto at = store.cursor(options_.start_block).next_block;
        // A block that did not join: the stored tip must have been replaced. A node whose
        // block does not join its own parent is inconsistent: the run fails and backs off.
        if (at > options_.start_block && reorganise(ctx, store, at - 1, report) == at)
          throw std::runtime_error("block " + std::to_string(at) +
                                   " from the node does not join the node's own block " +
                                   std::to_string(at - 1) + ": an inconsistent node");
      }
      if (std::chrono::steady_clock::now() >= run_until) break;
      continue;
    }
    store.set_head(head);
    // At the head: wait for the next one, if the run has time left.
    if (one_pass || std::chrono::steady_clock::now() >= run_until) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        run_until - std::chrono::steady_clock::now());
    const auto wait =
        std::max(std::chrono::milliseconds{1}, std::min(options_.poll_interval, left));
    if (!options_.ws_url.empty()) {
      try {
        if (!heads) {
          // Subscribed: read the head once more, for a block mined before the subscription.
          heads = std::make_unique<NewHeads>(options_.ws_url, options_.rpc.timeout);
          if (subscription_lost_) {
            subscription_lost_ = false;
            logging::info("BLOCKCHAIN", "CHAIN_SUBSCRIBED", "new heads over WebSocket again");
          }
          continue;
        }
        // In slices, so that a stop is noticed within a fifth of a second.
        const auto until = std::chrono::steady_clock::now() + wait;
        while (!ctx.stopping() && std::chrono::steady_clock::now() < until) {
          const auto slice = std::min<std::chrono::milliseconds>(
              std::chrono::milliseconds{200}, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  until - std::chrono::steady_clock::now()) +
                                                  std::chrono::milliseconds{1});
          if (heads->wait(slice)) break;
        }
        continue;
      } catch (const SubscriptionError& error) {
        heads.reset();
        if (!subscription_lost_) {  // once an outage, not once a poll
          subscription_lost_ = true;
          logging::warn("BLOCKCHAIN", "CHAIN_SUBSCRIPTION_LOST",
                        "new heads over WebSocket failed: polling", {{"error", error.what()}});
        }
      }
    }
    ctx.pause(wait);
  }
}

void Indexer::collect(metrics::PrometheusWriter& out) const {
  out.family("pend_chain_head_block", "gauge", "The node's latest block number.");
  out.sample("pend_chain_head_block", {}, figures_.head.load());
  out.family("pend_chain_indexed_block", "gauge", "The highest block imported.");
  out.sample("pend_chain_indexed_block", {}, figures_.indexed.load());
  out.family("pend_chain_lag_blocks", "gauge", "Blocks between the node's head and the index.");
  const auto head = figures_.head.load(), indexed = figures_.indexed.load();
  out.sample("pend_chain_lag_blocks", {},
             head >= 0 ? std::max<std::int64_t>(0, head - indexed) : 0);
  out.family("pend_chain_blocks_per_second", "gauge", "The last catch-up's import rate.");
  out.sample("pend_chain_blocks_per_second", {}, figures_.blocks_per_second.load());
  out.family("pend_chain_blocks_indexed_total", "counter", "Blocks imported.");
  out.sample("pend_chain_blocks_indexed_total", {}, figures_.blocks.load());
  out.family("pend_chain_rows_indexed_total", "counter",
             "Rows written: blocks, transactions, logs, token transfers, events.");
  out.sample("pend_chain_rows_indexed_total", {}, figures_.rows.load());
  out.family("pend_chain_reorgs_total", "counter", "Reorganisations handled.");
  out.sample("pend_chain_reorgs_total", {}, figures_.reorgs.load());
  out.family("pend_chain_reorg_depth_max", "gauge", "The deepest reorganisation seen.");
  out.sample("pend_chain_reorg_depth_max", {}, figures_.deepest_reorg.load());
  out.family("pend_chain_bloom_failures_total", "counter",
             "Blocks whose logs did not match their logsBloom.");
  out.sample("pend_chain_bloom_failures_total", {}, figures_.bloom_failures.load());
  nodes_->collect(out);
}

}  // namespace pend::chain
