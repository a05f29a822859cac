// NodeReader: the request path's way to the node for what the index does not hold (a balance
// nobody read yet, the Etherscan API's proxy calls). Always on the work pool (the clients
// block): never on a shard's loop. Calls made at the same time each take a client of their own
// from a pool (RpcClientPool: one keep-alive connection each). A request does not wait out
// the workers' retries: one attempt, at most two seconds.
#pragma once

#include "config/settings.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pend::chain {

class RpcClient;
class RpcClientPool;

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
  // use(client)'s result, with a client of the pool; the node's error message, or
  // "unavailable" when no node is configured or none answered.
  template <typename Use>
  Answer with_client(Use use);

  std::unique_ptr<RpcClientPool> pool_;
};

}  // namespace pend::chain
