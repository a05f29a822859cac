#include "support/anvil.hpp"

#include "chain/contracts.hpp"
#include "chain/indexer.hpp"
#include "chain/quantity.hpp"
#include "db/blocking_session.hpp"
#include "support/child_process.hpp"
#include "support/redis_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pend::test {

namespace json = boost::json;

bool TempAnvil::available() { return !node_tool("anvil").empty(); }

TempAnvil::TempAnvil(std::vector<std::string> extra) : extra_(std::move(extra)) {
  if (!available()) return;
  port_ = free_port();
  start();
}

TempAnvil::~TempAnvil() {
  try {
    stop();
  } catch (...) {
  }
}

void TempAnvil::start() {
  const auto anvil = node_tool("anvil");
  std::vector<std::string> args{anvil,     "--host", "127.0.0.1", "--port", std::to_string(port_),
                                "--silent"};
  args.insert(args.end(), extra_.begin(), extra_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid < 0) throw std::runtime_error("cannot fork anvil");
  pid_ = pid;
  // Up when it answers eth_blockNumber (within 30 s).
  auto nodes = std::make_shared<chain::RpcNodes>(
      chain::RpcOptions{.urls = {url()}, .timeout = std::chrono::milliseconds{500}, .attempts = 1});
  chain::RpcClient client(nodes);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      client.call("eth_blockNumber", {});
      return;
    } catch (const chain::RpcError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }
  kill();
  throw std::runtime_error("anvil did not start on port " + std::to_string(port_));
}

void TempAnvil::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void TempAnvil::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

ChainDriver::ChainDriver(const std::string& url)
    : nodes_(std::make_shared<chain::RpcNodes>(chain::RpcOptions{
          .urls = {url}, .timeout = std::chrono::milliseconds{10'000}, .attempts = 2})),
      client_(nodes_),
      once_nodes_(std::make_shared<chain::RpcNodes>(chain::RpcOptions{
          .urls = {url}, .timeout = std::chrono::milliseconds{120'000}, .attempts = 1})),
      once_(once_nodes_) {}

const std::vector<std::string>& ChainDriver::accounts() {
  static const std::vector<std::string> list{
      "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"};
  return list;
}

json::value ChainDriver::rpc(std::string_view method, json::array params) {
  return client_.call(method, std::move(params));
}

json::object ChainDriver::send(const std::string& from, const std::string& to,
                               const std::string& data, const std::string& value_wei) {
  json::object tx{{"from", from}, {"data", data}, {"gas", "0x1c9c380"}};
  if (!to.empty()) tx["to"] = to;
  if (value_wei != "0") tx["value"] = chain::U256::from_decimal(value_wei)->hex();
  const auto hash = once_.call("eth_sendTransaction", {tx});
  // Automine mines it at once; the receipt may still take a moment to be served.
  json::value receipt;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!(receipt = rpc("eth_getTransactionReceipt", {hash})).is_object()) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("no receipt within 10 s (is anvil automining?)");
    std::this_thread::yield();
  }
  if (receipt.as_object().at("status") != "0x1")
    throw std::runtime_error("the transaction reverted: " + json::serialize(tx));
  return receipt.as_object();
}

std::string ChainDriver::deploy(const std::string& name) {
  std::ifstream file(std::string{PEND_SOURCE_DIR} + "/tests/fixtures/chain/artifacts/" + name +
                     ".json");
  std::stringstream text;
  text << file.rdbuf();
  const auto artifact = json::parse(text.str());
  const auto receipt = send(accounts()[0], "", std::string{artifact.at("bytecode").as_string()});
  return std::string{receipt.at("contractAddress").as_string()};
}

std::string ChainDriver::call_data(std::string_view signature, const json::array& args) {
  return chain::ContractReader::call_data(signature, args);
}

std::uint64_t ChainDriver::head() {
  return chain::quantity_u64(rpc("eth_blockNumber", {}).as_string()).value();
}

void ChainDriver::mine(std::uint64_t blocks) {
  once_.call("anvil_mine", {chain::to_quantity(blocks)});
}

void ChainDriver::reorg(std::uint64_t depth) { once_.call("anvil_reorg", {depth, json::array{}}); }

workers::RunReport index_once(const std::string& rpc_url, const std::string& database_url,
                              std::map<std::string, chain::TokenType> tracked,
                              const std::string& redis_url) {
  using namespace std::chrono_literals;
  chain::IndexerOptions o;
  o.rpc.urls = {rpc_url};
  o.rpc.timeout = 5s;
  o.batch_size = 4;
  o.finality_depth = 4;
  o.run_length = 0ms;  // one pass to the head
  o.tracked_tokens = std::move(tracked);
  if (!redis_url.empty()) o.redis = config::parse_redis_url(redis_url).value();
  chain::Indexer indexer(std::move(o));
  db::BlockingSession session(database_url);
  std::atomic<bool> stopping{false};
  workers::RunContext ctx(session, std::chrono::steady_clock::now() + 120s, stopping);
  return indexer.run(ctx);
}

}  // namespace pend::test
