#include "chain/node_reader.hpp"

#include "chain/quantity.hpp"
#include "chain/rpc_client.hpp"

#include <algorithm>

namespace pend::chain {

NodeReader::NodeReader(const config::ChainSettings& chain) {
  if (chain.rpc_urls.empty()) return;
  RpcOptions options{.urls = chain.rpc_urls,
                     .timeout = std::min(chain.rpc_timeout, std::chrono::milliseconds{2'000}),
                     .attempts = 1};
  client_ = std::make_unique<RpcClient>(std::make_shared<RpcNodes>(options));
}

NodeReader::~NodeReader() = default;

NodeReader::Answer NodeReader::call(std::string_view method, boost::json::array params) {
  Answer answer;
  if (!client_) {
    answer.error = "unavailable";
    return answer;
  }
  const std::lock_guard lock(mutex_);
  try {
    answer.result = client_->call(method, std::move(params));
  } catch (const RpcError& error) {
    // An error the node answered (not a transport failure) is the caller's to show.
    answer.error = error.code() != 0 ? error.what() : "unavailable";
  } catch (const std::exception&) {
    answer.error = "unavailable";
  }
  return answer;
}

std::optional<NodeReader::Balance> NodeReader::balance(const std::string& address_hex) {
  const auto head = call("eth_blockNumber", {});
  if (!head.result || !head.result->is_string()) return std::nullopt;
  const auto number = quantity_u64(head.result->get_string());
  if (!number) return std::nullopt;
  const auto value = call("eth_getBalance", {"0x" + address_hex, to_quantity(*number)});
  if (!value.result || !value.result->is_string()) return std::nullopt;
  const auto decimal = quantity_decimal(value.result->get_string());
  if (!decimal) return std::nullopt;
  return Balance{*decimal, *number};
}

}  // namespace pend::chain
