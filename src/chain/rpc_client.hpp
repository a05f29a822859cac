// RpcClient: Ethereum JSON-RPC over HTTP(S) for the threads that follow the chain (the
// indexer's fetchers, the event processors, the contract service). One client is one
// keep-alive connection at a time and belongs to one thread; the metrics and the nodes'
// health they share are thread-safe.
//
// Several node URLs, in order of preference: a call goes to the first healthy one. A node's
// health score falls with each failure and recovers with successes; an unhealthy node is
// retried after a cool-down, so the preferred node takes over again once it is back.
// Transport failures (refused, reset, timed out, a broken answer), any HTTP status but 200
// (429 and 5xx above all), and the JSON-RPC rate-limit error -32005 are retried with
// exponential backoff, moving to the next node; any other JSON-RPC error answer is the
// caller's and is not retried.
//
//   auto nodes = std::make_shared<RpcNodes>(RpcOptions{.urls = {"http://127.0.0.1:8545"}});
//   RpcClient rpc(nodes);
//   const auto head = chain::quantity_u64(rpc.call("eth_blockNumber", {}).as_string());
//   const auto replies = rpc.batch({{"eth_getBlockByNumber", {"0x1", true}},
//                                   {"eth_getBlockReceipts", {"0x1"}}});
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::chain {

// A call that did not get an answer (every attempt failed), or a JSON-RPC error answer.
class RpcError : public std::runtime_error {
 public:
  RpcError(std::string message, std::int64_t code, bool transport)
      : std::runtime_error(std::move(message)), code_(code), transport_(transport) {}
  std::int64_t code() const { return code_; }  // JSON-RPC code; 0 for a transport failure
  bool transport() const { return transport_; }

 private:
  std::int64_t code_;
  bool transport_;
};

struct RpcCall {
  std::string method;
  boost::json::array params;
};

struct RpcReply {
  boost::json::value result;  // null when error
  std::optional<std::int64_t> error_code;
  std::string error_message;
  bool ok() const { return !error_code.has_value(); }
};

struct RpcOptions {
  std::vector<std::string> urls;  // secret: node URLs often carry an API key
  std::chrono::milliseconds timeout{10'000};
  unsigned attempts = 4;  // per call, across nodes
  std::chrono::milliseconds backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  std::chrono::milliseconds cool_down{15'000};  // before an unhealthy node is tried again
  std::size_t max_response_bytes = 256u << 20;
  // Waits between attempts; by default the thread sleeps (a stop waits for at most the
  // attempts' backoffs: max_backoff each).
  std::function<void(std::chrono::milliseconds)> sleep;
};

// The nodes, their health and the call metrics, shared by every client of a process.
class RpcNodes {
 public:
  explicit RpcNodes(RpcOptions options);

  const RpcOptions& options() const { return options_; }
  std::size_t size() const { return options_.urls.size(); }
  // The node a call should try first: the first (in order) that is healthy or past its
  // cool-down since it last failed, else the best score. skip_mask: nodes this call tried.
  std::size_t pick(std::size_t skip_mask = 0) const;
  void succeeded(std::size_t node);
  void failed(std::size_t node);
  double score(std::size_t node) const;
  void record(std::string_view method, std::size_t node, double seconds, bool ok);
  void collect(metrics::PrometheusWriter& out) const;

 private:
  struct Method {
    std::uint64_t calls = 0, errors = 0;
    double seconds = 0;
    std::array<std::uint64_t, 12> buckets{};
  };
  RpcOptions options_;
  mutable std::mutex mutex_;
  std::vector<double> scores_;
  std::vector<std::chrono::steady_clock::time_point> failed_at_;
  std::vector<std::uint64_t> failovers_;
  std::map<std::string, Method, std::less<>> methods_;
};

class RpcClient {
 public:
  explicit RpcClient(std::shared_ptr<RpcNodes> nodes);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // The result; throws RpcError for an error answer or when every attempt failed.
  boost::json::value call(std::string_view method, boost::json::array params);
  // One request with all the calls; the replies in the calls' order. A call that answers
  // -32005 is sent again (with the others that did) after the backoff. Throws RpcError when
  // no node answers.
  std::vector<RpcReply> batch(const std::vector<RpcCall>& calls);

  RpcNodes& nodes() { return *nodes_; }

 private:
  struct Connection;
  // One HTTP exchange with node; the response body, or nullopt with why in error (and
  // status the HTTP status, 0 for none).
  std::optional<std::string> post(std::size_t node, const std::string& body, unsigned& status,
                                  std::string& error);
  std::optional<std::string> exchange(std::size_t node, const std::string& body, unsigned& status,
                                      std::string& error);
  void pause(unsigned attempt);

  std::shared_ptr<RpcNodes> nodes_;
  std::unique_ptr<Connection> connection_;
};

// Clients to hand out to threads that call at the same time, each a keep-alive connection of
// its own: as many as were ever in use at once, kept for the next caller.
//
//   auto client = pool.take();   // an idle one, or a new one
//   client->call(...);
//   pool.give(std::move(client));
class RpcClientPool {
 public:
  explicit RpcClientPool(std::shared_ptr<RpcNodes> nodes) : nodes_(std::move(nodes)) {}
  std::unique_ptr<RpcClient> take();
  void give(std::unique_ptr<RpcClient> client);
  RpcNodes& nodes() { return *nodes_; }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<RpcClient>> idle_;
  std::shared_ptr<RpcNodes> nodes_;
};

}  // namespace pend::chain
