// The Etherscan-compatible API: GET /api?module=...&action=... as Etherscan documents it, so
// that existing client libraries and scripts read PendScan unchanged (docs/api/etherscan.md).
// Every answer is HTTP 200 with Etherscan's envelope, {"status":"1","message":"OK","result":...},
// or "0" with "NOTOK" and the reason in result, or "No transactions found" with []; numbers
// as decimal strings, addresses in lower case, timestamps as Unix seconds. Lists page with
// page and offset inside Etherscan's 10,000-row window (the one place OFFSET is used, bounded).
//
//   EtherscanApi etherscan(database, node, work);
//   ctx.json_text(200, co_await etherscan.answer(query, scope));
#pragma once

#include "chain/node_reader.hpp"
#include "db/database.hpp"
#include "util/work_pool.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace pend::domain::explorer {

namespace api {

// Every parameter the supported actions take, all text (Etherscan answers a bad value in its
// own envelope, not with a 422).
struct EtherscanQuery {
  static constexpr std::string_view kSchema = "EtherscanQuery";
  std::optional<std::string> module, action, address, contractaddress, txhash, tag, boolean;
  std::optional<std::string> startblock, endblock, page, offset, sort;
  std::optional<std::string> timestamp, closest, blockno, apikey;
  // module=logs (Etherscan's own camelCase names).
  std::optional<std::string> fromBlock, toBlock, topic0, topic1, topic2, topic3;
  std::optional<std::string> topic0_1_opr, topic0_2_opr, topic0_3_opr, topic1_2_opr, topic1_3_opr,
      topic2_3_opr;
};
BOOST_DESCRIBE_STRUCT(EtherscanQuery, (),
                      (module, action, address, contractaddress, txhash, tag, boolean, startblock,
                       endblock, page, offset, sort, timestamp, closest, blockno, apikey, fromBlock,
                       toBlock, topic0, topic1, topic2, topic3, topic0_1_opr, topic0_2_opr,
                       topic0_3_opr, topic1_2_opr, topic1_3_opr, topic2_3_opr))

}  // namespace api

class EtherscanApi {
 public:
  EtherscanApi(db::Database& database, chain::NodeReader& node, util::WorkPool& work)
      : database_(database), node_(node), work_(work) {}

  // The whole body for the query, as JSON text.
  boost::asio::awaitable<std::string> answer(const api::EtherscanQuery& query,
                                             const db::Scope& scope);

 private:
  boost::asio::awaitable<std::string> account(const api::EtherscanQuery& query,
                                              const db::Scope& scope);
  boost::asio::awaitable<std::string> transaction(const api::EtherscanQuery& query,
                                                  const db::Scope& scope);
  boost::asio::awaitable<std::string> block(const api::EtherscanQuery& query,
                                            const db::Scope& scope);
  boost::asio::awaitable<std::string> proxy(const api::EtherscanQuery& query);
  boost::asio::awaitable<std::string> logs(const api::EtherscanQuery& query,
                                           const db::Scope& scope);
  // The node's answer to one call, off the shard's loop.
  boost::asio::awaitable<chain::NodeReader::Answer> node_call(std::string method,
                                                              boost::json::array params);
  // The index's head (for confirmations).
  boost::asio::awaitable<std::int64_t> head(const db::Scope& scope);

  db::Database& database_;
  chain::NodeReader& node_;
  util::WorkPool& work_;
};

}  // namespace pend::domain::explorer
