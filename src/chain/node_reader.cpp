#include "chain/node_reader.hpp"

#include "chain/contracts.hpp"
#include "chain/quantity.hpp"
#include "chain/rpc_client.hpp"

#include "util/hex.hpp"

#include <algorithm>

namespace pend::chain {

NodeReader::NodeReader(const config::ChainSettings& chain) {
  if (chain.rpc_urls.empty()) return;
  RpcOptions options{.urls = chain.rpc_urls,
                     .timeout = std::min(chain.rpc_timeout, std::chrono::milliseconds{2'000}),
                     .attempts = 1};
  pool_ = std::make_unique<RpcClientPool>(std::make_shared<RpcNodes>(options));
}

NodeReader::~NodeReader() = default;

template <typename Use>
NodeReader::Answer NodeReader::with_client(Use use) {
  Answer answer;
  if (!pool_) {
    answer.error = "unavailable";
    return answer;
  }
  auto client = pool_->take();
  try {
    answer.result = use(*client);
  } catch (const RpcError& error) {
    // An error the node answered (not a transport failure) is the caller's to show.
    answer.error = error.code() != 0 ? error.what() : "unavailable";
  } catch (const std::exception&) {
    answer.error = "unavailable";
  }
  pool_->give(std::move(client));
  return answer;
}

NodeReader::Answer NodeReader::call(std::string_view method, boost::json::array params) {
  return with_client([&](RpcClient& client) { return client.call(method, std::move(params)); });
}

NodeReader::Answer NodeReader::coin_balance(const std::string& address_hex,
                                            const std::string& block) {
  const auto address = util::from_hex(address_hex).value_or(std::string{});
  return with_client([&](RpcClient& client) {
    return boost::json::value(ContractReader(client).coin_balance(address, block));
  });
}

NodeReader::Answer NodeReader::token_balance(const std::string& token_hex,
                                             const std::string& holder_hex,
                                             const std::string& block) {
  const auto token = util::from_hex(token_hex).value_or(std::string{});
  const auto holder = util::from_hex(holder_hex).value_or(std::string{});
  return with_client([&](RpcClient& client) {
    const auto value = ContractReader(client).balance_of(token, holder, std::nullopt, block);
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
  });
}

std::optional<NodeReader::Balance> NodeReader::balance(const std::string& address_hex) {
  const auto head = call("eth_blockNumber", {});
  if (!head.result || !head.result->is_string()) return std::nullopt;
  const auto number = quantity_u64(head.result->get_string());
  if (!number) return std::nullopt;
  const auto value = coin_balance(address_hex, to_quantity(*number));
  if (!value.result) return std::nullopt;
  return Balance{std::string{value.result->as_string()}, *number};
}

}  // namespace pend::chain
