// ContractReader: eth_call for the read methods of the token standards that the explorer and
// the wallet need (name, symbol, decimals, totalSupply, balanceOf, ownerOf, tokenURI, uri),
// tolerant of the tokens that do not quite follow them: a name or symbol returned as bytes32
// (early tokens such as MKR), no decimals() at all, a method that reverts. What a token does
// not answer is left out, never guessed.
//
//   ContractReader reader(rpc);
//   const auto meta = reader.metadata(token_address, TokenType::erc20);
//   meta.symbol   // "PTT", or nullopt
#pragma once

#include "chain/block_data.hpp"
#include "chain/rpc_client.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pend::chain {

struct TokenMetadata {
  std::optional<std::string> name, symbol, total_supply;  // total supply in decimal
  std::optional<int> decimals;
  std::vector<std::string> refused;  // the methods that reverted or answered garbage
};

class ContractReader {
 public:
  explicit ContractReader(RpcClient& rpc) : rpc_(rpc) {}

  // One batch of eth_calls at `block` ("latest" or a quantity).
  TokenMetadata metadata(const std::string& token, TokenType type,
                         const std::string& block = "latest");
  // balanceOf(holder), or balanceOf(holder, id) for ERC-1155; decimal. nullopt: reverted.
  std::optional<std::string> balance_of(const std::string& token, const std::string& holder,
                                        const std::optional<std::string>& id,
                                        const std::string& block = "latest");
  std::optional<std::string> owner_of(const std::string& token, const std::string& id);  // EIP-55
  std::optional<std::string> token_uri(const std::string& token, TokenType type,
                                       const std::string& id);
  // eth_getBalance, decimal.
  std::string coin_balance(const std::string& address, const std::string& block = "latest");

  // The call data of "name(type,...)" with its arguments (abi values, see chain/abi.hpp).
  static std::string call_data(std::string_view signature, const boost::json::array& args);
  // A string answer, or a bytes32 one with its trailing zeros cut (printable UTF-8 only).
  static std::optional<std::string> decode_text(std::string_view data);

 private:
  std::optional<std::string> call(const std::string& token, const std::string& data,
                                  const std::string& block);
  RpcClient& rpc_;
};

}  // namespace pend::chain
