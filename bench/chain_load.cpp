// chain_load: the indexer's catch-up and its two ceilings, for bench/chain.sh.
//
//   chain_load generate --rpc URL --blocks 20000 --txs 10   ERC-20 traffic on an anvil node
//   chain_load node     --rpc URL --batch 100 --in-flight 4 the same batched fetches as the
//                                                            indexer, parsed, no database
//   chain_load db       --rpc URL --database URL            the rows COPYed from memory
//   chain_load indexer  --rpc URL --database URL            the indexer, from block 0
//
// Each measuring mode prints one "RESULT mode blocks=N rows=N seconds=S blocks_per_s=B
// rows_per_s=R" line. db and indexer empty the chain tables first.
#include "chain/block_data.hpp"
#include "chain/contracts.hpp"
#include "chain/indexer.hpp"
#include "chain/quantity.hpp"
#include "chain/rpc_client.hpp"
#include "chain/store.hpp"
#include "db/blocking_session.hpp"

#include <boost/json/parse.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace pend;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string mode, rpc, database;
  std::uint64_t blocks = 20'000;
  unsigned txs = 10;
  unsigned batch = 100;
  unsigned in_flight = 4;
  std::string artifact = "tests/fixtures/chain/artifacts/TestToken.json";
};

const std::vector<std::string> kAccounts{
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"};

std::shared_ptr<chain::RpcNodes> nodes_of(const Options& o) {
  return std::make_shared<chain::RpcNodes>(
      chain::RpcOptions{.urls = {o.rpc}, .timeout = std::chrono::seconds{60}, .attempts = 3});
}

void result(const char* mode, std::uint64_t blocks, std::uint64_t rows, double seconds) {
  std::printf("RESULT %s blocks=%llu rows=%llu seconds=%.3f blocks_per_s=%.0f rows_per_s=%.0f\n",
              mode, static_cast<unsigned long long>(blocks), static_cast<unsigned long long>(rows),
              seconds, static_cast<double>(blocks) / seconds, static_cast<double>(rows) / seconds);
}

std::uint64_t rows_of(const chain::BlockData& b) {
  return 1 + b.transactions.size() + b.logs.size() + b.transfers.size();
}

json::object receipt_of(chain::RpcClient& rpc, const json::value& hash) {
  for (;;) {
    auto receipt = rpc.call("eth_getTransactionReceipt", {hash});
    if (receipt.is_object()) return std::move(receipt.as_object());
  }
}

int generate(const Options& o) {
  chain::RpcClient rpc(nodes_of(o));
  std::ifstream file(o.artifact);
  std::stringstream text;
  text << file.rdbuf();
  const auto artifact = json::parse(text.str());
  const auto deployed = receipt_of(
      rpc, rpc.call("eth_sendTransaction",
                    {json::object{{"from", kAccounts[0]}, {"data", artifact.at("bytecode")}}}));
  const std::string token{deployed.at("contractAddress").as_string()};
  // Every sender gets tokens, then blocks of o.txs transfers each, mined one by one.
  for (std::size_t i = 1; i < kAccounts.size(); ++i) {
    receipt_of(rpc,
               rpc.call("eth_sendTransaction",
                        {json::object{{"from", kAccounts[0]},
                                      {"to", token},
                                      {"data", chain::ContractReader::call_data(
                                                   "transfer(address,uint256)",
                                                   {kAccounts[i], "1000000000000000000000"})}}}));
  }
  rpc.call("evm_setAutomine", {false});
  const auto start = chain::quantity_u64(rpc.call("eth_blockNumber", {}).as_string()).value();
  std::uint64_t sent = 0;
  for (std::uint64_t b = start; b < o.blocks; ++b) {
    std::vector<chain::RpcCall> calls;
    for (unsigned t = 0; t < o.txs; ++t) {
      const auto& from = kAccounts[(b + t) % kAccounts.size()];
      const auto& to = kAccounts[(b + t + 1) % kAccounts.size()];
      calls.push_back({"eth_sendTransaction",
                       {json::object{{"from", from},
                                     {"to", token},
                                     {"gas", "0x186a0"},
                                     {"data", chain::ContractReader::call_data(
                                                  "transfer(address,uint256)", {to, "1"})}}}});
    }
    for (const auto& reply : rpc.batch(calls)) {
      if (!reply.ok()) {
        std::cerr << "eth_sendTransaction: " << reply.error_message << '\n';
        return 1;
      }
    }
    sent += calls.size();
    rpc.call("evm_mine", {});
    if (b % 1000 == 0) std::cerr << "block " << b << ", " << sent << " transfers\n";
  }
  rpc.call("evm_setAutomine", {true});
  std::cerr << "head " << rpc.call("eth_blockNumber", {}).as_string() << ", " << sent
            << " transfers\n";
  return 0;
}

// The indexer's fetch: per batch one JSON-RPC batch of eth_getBlockByNumber (full) and
// eth_getBlockReceipts, parsed into blocks; o.in_flight batches at once, each handed to take
// (from any of the fetching threads) with the height it starts at.
void fetch_batches(const Options& o, std::uint64_t head,
                   const std::function<void(std::uint64_t, std::vector<chain::BlockData>)>& take) {
  auto nodes = nodes_of(o);
  std::atomic<std::uint64_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < o.in_flight; ++t) {
    threads.emplace_back([&] {
      chain::RpcClient rpc(nodes);
      for (;;) {
        const auto from = next.fetch_add(o.batch);
        if (from > head) return;
        const auto count = std::min<std::uint64_t>(o.batch, head - from + 1);
        std::vector<chain::RpcCall> calls;
        for (auto n = from; n < from + count; ++n) {
          calls.push_back({"eth_getBlockByNumber", {chain::to_quantity(n), true}});
          calls.push_back({"eth_getBlockReceipts", {chain::to_quantity(n)}});
        }
        const auto replies = rpc.batch(calls);
        std::vector<chain::BlockData> blocks;
        for (std::size_t i = 0; i < count; ++i) {
          std::string error;
          auto block = chain::parse_block(replies[2 * i].result, replies[2 * i + 1].result, &error);
          if (!block) {
            std::cerr << "block " << from + i << ": " << error << '\n';
            std::exit(1);
          }
          blocks.push_back(std::move(*block));
        }
        take(from, std::move(blocks));
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

std::vector<chain::BlockData> fetch_all(const Options& o, std::uint64_t head) {
  std::mutex mutex;
  std::vector<std::vector<chain::BlockData>> batches((head + o.batch) / o.batch);
  fetch_batches(o, head, [&](std::uint64_t from, std::vector<chain::BlockData> blocks) {
    const std::lock_guard lock(mutex);
    batches[from / o.batch] = std::move(blocks);
  });
  std::vector<chain::BlockData> all;
  for (auto& batch : batches)
    for (auto& block : batch) all.push_back(std::move(block));
  return all;
}

void empty_tables(const Options& o) {
  db::BlockingSession session(o.database);
  session.exec(
      "TRUNCATE blocks, transactions, logs, token_transfers, tokens, blockchain_events, "
      "chain_sync, address_coin_balances, address_token_balances");
  session.exec("VACUUM ANALYZE blocks, transactions, logs, token_transfers");
}

int measure(const Options& o) {
  chain::RpcClient rpc(nodes_of(o));
  const auto head = chain::quantity_u64(rpc.call("eth_blockNumber", {}).as_string()).value();
  if (o.mode == "node") {
    // Rows counted as the indexer would write them: parsed, then dropped.
    std::atomic<std::uint64_t> rows{0};
    const auto started = Clock::now();
    fetch_batches(o, head, [&](std::uint64_t, std::vector<chain::BlockData> blocks) {
      for (const auto& block : blocks) rows += rows_of(block);
    });
    result("node", head + 1, rows, std::chrono::duration<double>(Clock::now() - started).count());
    return 0;
  }
  empty_tables(o);
  if (o.mode == "db") {
    std::cerr << "fetching " << head + 1 << " blocks into memory\n";
    const auto blocks = fetch_all(o, head);
    db::BlockingSession session(o.database);
    chain::ChainStore store(session);
    store.cursor(0);
    std::uint64_t rows = 0;
    const auto started = Clock::now();
    for (std::size_t i = 0; i < blocks.size(); i += o.batch) {
      const std::vector<chain::BlockData> batch(
          blocks.begin() + static_cast<std::ptrdiff_t>(i),
          blocks.begin() + static_cast<std::ptrdiff_t>(std::min(blocks.size(), i + o.batch)));
      rows += store.write(batch, {}, head).rows();
    }
    result("db", blocks.size(), rows,
           std::chrono::duration<double>(Clock::now() - started).count());
    return 0;
  }
  if (o.mode == "indexer") {
    chain::IndexerOptions options;
    options.rpc = {.urls = {o.rpc}, .timeout = std::chrono::seconds{60}, .attempts = 3};
    options.batch_size = o.batch;
    options.batches_in_flight = o.in_flight;
    options.run_length = std::chrono::milliseconds{0};
    chain::Indexer indexer(std::move(options));
    db::BlockingSession session(o.database);
    std::atomic<bool> stopping{false};
    workers::RunContext ctx(session, Clock::now() + std::chrono::hours{1}, stopping);
    const auto started = Clock::now();
    const auto report = indexer.run(ctx);
    result("indexer", static_cast<std::uint64_t>(report.at("blocks").as_int64()),
           static_cast<std::uint64_t>(report.at("rows").as_int64()),
           std::chrono::duration<double>(Clock::now() - started).count());
    return 0;
  }
  std::cerr << "unknown mode " << o.mode << '\n';
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    std::cerr << "usage: chain_load generate|node|db|indexer --rpc URL [--database URL] ...\n";
    return 2;
  }
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--rpc")
      o.rpc = value;
    else if (flag == "--database")
      o.database = value;
    else if (flag == "--blocks")
      o.blocks = std::stoull(value);
    else if (flag == "--txs")
      o.txs = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--batch")
      o.batch = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--in-flight")
      o.in_flight = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--artifact")
      o.artifact = value;
    else {
      std::cerr << "unknown flag " << flag << '\n';
      return 2;
    }
  }
  try {
    return o.mode == "generate" ? generate(o) : measure(o);
  } catch (const std::exception& error) {
    std::cerr << "chain_load: " << error.what() << '\n';
    return 1;
  }
}
