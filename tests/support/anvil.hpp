// TempAnvil: an anvil EVM node of the test's own (node_modules/.bin/anvil) on a free port,
// started in the constructor and stopped (by its pid) in the destructor, so a test may
// reorganise, stop or restart its chain without disturbing another. ChainDriver: makes
// traffic on it from anvil's unlocked dev accounts, deploys the fixture contracts of
// tests/fixtures/chain/artifacts and mines.
#pragma once

#include "chain/block_data.hpp"
#include "chain/rpc_client.hpp"
#include "workers/worker.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pend::test {

class TempAnvil {
 public:
  // Not available() when node_modules has no anvil: tests then skip (a failure with CI=true).
  explicit TempAnvil(std::vector<std::string> extra = {});
  ~TempAnvil();
  TempAnvil(const TempAnvil&) = delete;
  TempAnvil& operator=(const TempAnvil&) = delete;
  static bool available();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }
  void stop();   // SIGTERM and wait (the chain is lost: anvil keeps it in memory)
  void start();  // a fresh chain on the same port
  void kill();   // SIGKILL and wait

 private:
  std::vector<std::string> extra_;
  std::uint16_t port_ = 0;
  int pid_ = -1;
};

class ChainDriver {
 public:
  explicit ChainDriver(const std::string& url);

  // anvil's funded, unlocked dev accounts (EIP-55).
  static const std::vector<std::string>& accounts();

  boost::json::value rpc(std::string_view method, boost::json::array params);
  // eth_sendTransaction from `from`; the mined receipt (automine), which must succeed.
  boost::json::object send(const std::string& from, const std::string& to, const std::string& data,
                           const std::string& value_wei = "0");
  // Deploys tests/fixtures/chain/artifacts/<name>.json from accounts()[0]; its address.
  std::string deploy(const std::string& name);
  // "transfer(address,uint256)" with its arguments (ABI values) as call data.
  static std::string call_data(std::string_view signature, const boost::json::array& args);
  std::uint64_t head();
  void mine(std::uint64_t blocks = 1);
  // anvil_reorg: the last `depth` blocks replaced by new ones (with no transactions).
  void reorg(std::uint64_t depth);

 private:
  std::shared_ptr<chain::RpcNodes> nodes_;
  chain::RpcClient client_;
  // For what is not idempotent (eth_sendTransaction, anvil_mine, anvil_reorg): one attempt,
  // as a retry after a timeout would do it again, with room for thousands of blocks on a
  // busy machine.
  std::shared_ptr<chain::RpcNodes> once_nodes_;
  chain::RpcClient once_;
};

// One indexer pass to the node's head (small batches, finality depth 4) into the database,
// acting on the events of the tracked tokens (raw 20-byte addresses); its report. With a
// redis_url it caches the head there and publishes the explorer's live events.
workers::RunReport index_once(const std::string& rpc_url, const std::string& database_url,
                              std::map<std::string, chain::TokenType> tracked = {},
                              const std::string& redis_url = {});

}  // namespace pend::test
