// NodeReader: the request path's way to the node for what the index does not hold (a balance
// nobody read yet, the Etherscan API's proxy calls). One JSON-RPC client, one call at a time,
// always on the work pool (the client blocks): never on a shard's loop. A request does not
// wait out the workers' retries: one attempt, at most two seconds.
#pragma once

#include "config/settings.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pend::chain {

class RpcClient;

class NodeReader {
 public:
  explicit NodeReader(const config::ChainSettings& chain);
  ~NodeReader();

  struct Answer {
    std::optional<boost::json::value> result;  // empty: see error
    std::string error;                         // the node's error message, or "unavailable"
  };
  // One call (blocking: run it on the work pool).
  Answer call(std::string_view method, boost::json::array params);

  // The coin balance (decimal wei) of an address (hex without 0x) at block ("latest",
  // "earliest", "pending" or a quantity).
  Answer coin_balance(const std::string& address_hex, const std::string& block);
  // ERC-20 / ERC-721 balanceOf(holder) at block, through ContractReader: a decimal string, or
  // null when the token does not answer (it reverts, or is no contract).
  Answer token_balance(const std::string& token_hex, const std::string& holder_hex,
                       const std::string& block);

  struct Balance {
    std::string value;  // decimal wei
    std::uint64_t block = 0;
  };
  // The balance at the node's head and that head; nullopt when no node answers.
  std::optional<Balance> balance(const std::string& address_hex);

 private:
  // One call through a ContractReader on the client, under the lock; error when no node.
  template <typename Read>
  Answer with_reader(Read read);

  std::mutex mutex_;
  std::unique_ptr<RpcClient> client_;
};

}  // namespace pend::chain
