// The JSON-RPC client against anvil, and against a node stand-in in front of it that answers
// what anvil never does (429, 5xx, -32005, replies out of order, silence): what is retried,
// what is not, and that a node URL's key never reaches an error message.
#include "chain/rpc_client.hpp"
#include "chain/quantity.hpp"
#include "external/http_client.hpp"
#include "metrics/prometheus_writer.hpp"
#include "support/anvil.hpp"
#include "support/http_recorder.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <thread>

namespace pend::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class RpcClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TempAnvil::available()) GTEST_SKIP() << "scripts/install-deps installs anvil";
    anvil_ = std::make_unique<TempAnvil>();
  }
  // What anvil answers to the request's body.
  std::pair<unsigned, std::string> forward(const RecordedRequest& request) {
    const auto answer = external::HttpClient{}.send({.method = "POST",
                                                     .url = anvil_->url(),
                                                     .body = request.body(),
                                                     .content_type = "application/json"},
                                                    5s);
    return {answer.status, answer.body};
  }
  std::shared_ptr<chain::RpcNodes> nodes(std::vector<std::string> urls, unsigned attempts = 4) {
    return std::make_shared<chain::RpcNodes>(chain::RpcOptions{.urls = std::move(urls),
                                                               .timeout = 2s,
                                                               .attempts = attempts,
                                                               .backoff = 1ms,
                                                               .max_backoff = 5ms});
  }
  std::unique_ptr<TempAnvil> anvil_;
};

TEST_F(RpcClientTest, AnswersCallsAndBatchesFromANode) {
  ChainDriver(anvil_->url()).mine(7);
  chain::RpcClient rpc(nodes({anvil_->url()}));
  EXPECT_EQ(rpc.call("eth_blockNumber", {}).as_string(), "0x7");
  const auto replies = rpc.batch({{"eth_chainId", {}},
                                  {"eth_getBlockByNumber", {"0x3", false}},
                                  {"eth_getBlockByNumber", {"0x99", false}},
                                  {"no_such_method", {}}});
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].result.as_string(), "0x7a69");
  EXPECT_EQ(replies[1].result.at("number").as_string(), "0x3");
  EXPECT_TRUE(replies[2].ok());
  EXPECT_TRUE(replies[2].result.is_null());  // past the head
  EXPECT_FALSE(replies[3].ok());
  EXPECT_EQ(replies[3].error_code, std::optional<std::int64_t>{-32601});
}

TEST_F(RpcClientTest, RetriesRateLimitsAndServerErrorsThenAnswers) {
  HttpRecorder node(
      [&](const RecordedRequest& request, std::size_t n) -> std::pair<unsigned, std::string> {
        if (n == 0) return {429, R"({"error":"slow down"})"};
        if (n == 1) return {503, "{}"};
        return forward(request);
      });
  const auto shared = nodes({node.url()});
  chain::RpcClient rpc(shared);
  EXPECT_EQ(rpc.call("eth_chainId", {}).as_string(), "0x7a69");
  EXPECT_EQ(node.requests().size(), 3u);
  metrics::PrometheusWriter out;
  shared->collect(out);
  EXPECT_NE(out.text().find("pend_chain_rpc_calls_total{method=\"eth_chainId\"} 3"),
            std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("pend_chain_rpc_errors_total{method=\"eth_chainId\"} 2"),
            std::string::npos)
      << out.text();
}

TEST_F(RpcClientTest, SendsAgainOnlyTheCallsThatWereRateLimited) {
  HttpRecorder node([&](const RecordedRequest& request,
                        std::size_t n) -> std::pair<unsigned, std::string> {
    if (n == 0)
      return {200,
              R"([{"jsonrpc":"2.0","id":0,"result":"0x7a69"},)"
              R"({"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"limit exceeded"}}])"};
    return forward(request);
  });
  chain::RpcClient rpc(nodes({node.url()}));
  const auto replies = rpc.batch({{"eth_chainId", {}}, {"eth_blockNumber", {}}});
  EXPECT_EQ(replies[0].result.as_string(), "0x7a69");
  EXPECT_EQ(replies[1].result.as_string(), "0x0");
  const auto requests = node.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto again = json::parse(requests[1].body());
  ASSERT_TRUE(again.is_array()) << requests[1].body();
  ASSERT_EQ(again.as_array().size(), 1u);
  EXPECT_EQ(again.as_array()[0].at("method").as_string(), "eth_blockNumber");
}

TEST_F(RpcClientTest, MatchesRepliesByIdWhateverTheirOrder) {
  HttpRecorder node(
      [&](const RecordedRequest& request, std::size_t) -> std::pair<unsigned, std::string> {
        auto [status, body] = forward(request);
        auto replies = json::parse(body).as_array();
        std::reverse(replies.begin(), replies.end());
        return {status, json::serialize(replies)};
      });
  ChainDriver(anvil_->url()).mine(2);
  chain::RpcClient rpc(nodes({node.url()}));
  const auto replies = rpc.batch({{"eth_getBlockByNumber", {"0x0", false}},
                                  {"eth_getBlockByNumber", {"0x1", false}},
                                  {"eth_getBlockByNumber", {"0x2", false}}});
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(replies[i].result.at("number").as_string(), chain::to_quantity(i));
}

TEST_F(RpcClientTest, AnErrorAnswerIsTheCallersAndNotRetried) {
  HttpRecorder node([](const RecordedRequest&, std::size_t) -> std::pair<unsigned, std::string> {
    return {200, R"({"jsonrpc":"2.0","id":0,"error":{"code":3,"message":"execution reverted"}})"};
  });
  chain::RpcClient rpc(nodes({node.url()}));
  try {
    rpc.call("eth_call", {json::object{{"to", "0x" + std::string(40, '1')}}, "latest"});
    FAIL() << "no error";
  } catch (const chain::RpcError& error) {
    EXPECT_EQ(error.code(), 3);
    EXPECT_FALSE(error.transport());
    EXPECT_STREQ(error.what(), "eth_call: execution reverted");
  }
  EXPECT_EQ(node.requests().size(), 1u);
}

TEST_F(RpcClientTest, GivesUpAfterItsAttemptsWithoutNamingTheNodesKey) {
  // Port 1: nothing listens. The URL's query is the kind of key a hosted node takes.
  chain::RpcClient rpc(nodes({"http://127.0.0.1:1/v3/SECRETKEY?apikey=SECRETKEY"}, 3));
  try {
    rpc.call("eth_blockNumber", {});
    FAIL() << "no error";
  } catch (const chain::RpcError& error) {
    EXPECT_TRUE(error.transport());
    const std::string what = error.what();
    EXPECT_NE(what.find("after 3 attempt(s)"), std::string::npos) << what;
    EXPECT_EQ(what.find("SECRETKEY"), std::string::npos) << what;
  }
}

TEST_F(RpcClientTest, ASilentNodeTimesOutAndTheNextOneAnswers) {
  std::atomic<bool> release{false};
  HttpRecorder silent([&](const RecordedRequest&, std::size_t) -> std::pair<unsigned, std::string> {
    // Holds the answer until the test ends (the client gives up long before).
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!release && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    return {200, "{}"};
  });
  auto shared = std::make_shared<chain::RpcNodes>(chain::RpcOptions{
      .urls = {silent.url(), anvil_->url()}, .timeout = 200ms, .attempts = 2, .backoff = 1ms});
  chain::RpcClient rpc(shared);
  EXPECT_EQ(rpc.call("eth_chainId", {}).as_string(), "0x7a69");
  EXPECT_LT(shared->score(0), 0.6);
  EXPECT_DOUBLE_EQ(shared->score(1), 1.0);
  // Within its cool-down the failed node is not asked first.
  EXPECT_EQ(shared->pick(), 1u);
  release = true;
}

}  // namespace
}  // namespace pend::test
