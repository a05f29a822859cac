#include "chain/rpc_client.hpp"

#include "metrics/prometheus_writer.hpp"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <random>
#include <thread>

namespace pend::chain {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace json = boost::json;
using asio::ip::tcp;

namespace {

constexpr double kHealthy = 0.5;
constexpr std::int64_t kLimitExceeded = -32005;
constexpr std::array<double, 12> kBucketBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,   0.25,   0.5,   1,    2.5,   10};

struct Target {
  bool tls = false;
  std::string host, port, path;
};

std::optional<Target> target_of(const std::string& text) {
  const auto url = boost::urls::parse_uri(text);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty())
    return std::nullopt;
  Target target;
  target.tls = url->scheme() == "https";
  target.host = url->host_address();
  target.port = url->has_port() ? std::string{url->port()} : (target.tls ? "443" : "80");
  target.path = url->encoded_path().empty() ? "/" : std::string{url->encoded_path()};
  if (url->has_query()) target.path += "?" + std::string{url->encoded_query()};
  return target;
}

}  // namespace

RpcNodes::RpcNodes(RpcOptions options)
    : options_(std::move(options)),
      scores_(options_.urls.size(), 1.0),
      failed_at_(options_.urls.size()),
      failovers_(options_.urls.size(), 0) {
  if (options_.urls.empty()) throw std::invalid_argument("chain: no node URL");
  for (const auto& url : options_.urls) {
    if (!target_of(url)) throw std::invalid_argument("chain: a node URL must be http(s)://...");
  }
}

std::size_t RpcNodes::pick(std::size_t skip_mask) const {
  const std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < scores_.size(); ++i) {
    if (i < 64 && (skip_mask >> i) & 1u) continue;
    if (scores_[i] > kHealthy || now - failed_at_[i] >= options_.cool_down) return i;
    if (!best || scores_[i] > scores_[*best]) best = i;
  }
  if (best) return *best;
  // Every node was skipped: start again from the preferred one.
  return 0;
}

void RpcNodes::succeeded(std::size_t node) {
  const std::lock_guard lock(mutex_);
  scores_[node] = std::min(1.0, scores_[node] * 0.8 + 0.2);
}

void RpcNodes::failed(std::size_t node) {
  const std::lock_guard lock(mutex_);
  scores_[node] *= 0.5;
  failed_at_[node] = std::chrono::steady_clock::now();
  ++failovers_[node];
}

double RpcNodes::score(std::size_t node) const {
  const std::lock_guard lock(mutex_);
  return scores_[node];
}

void RpcNodes::record(std::string_view method, std::size_t /*node*/, double seconds, bool ok) {
  const std::lock_guard lock(mutex_);
  auto it = methods_.find(method);
  if (it == methods_.end()) it = methods_.emplace(std::string{method}, Method{}).first;
  auto& m = it->second;
  ++m.calls;
  if (!ok) ++m.errors;
  m.seconds += seconds;
  for (std::size_t i = 0; i < kBucketBounds.size(); ++i) {
    if (seconds <= kBucketBounds[i]) ++m.buckets[i];
  }
}

void RpcNodes::collect(metrics::PrometheusWriter& out) const {
  const std::lock_guard lock(mutex_);
  out.family("pend_chain_rpc_calls_total", "counter", "JSON-RPC calls by method.");
  for (const auto& [method, m] : methods_)
    out.sample("pend_chain_rpc_calls_total", {{"method", method}}, m.calls);
  out.family("pend_chain_rpc_errors_total", "counter",
             "JSON-RPC calls by method that failed (error answer or no answer).");
  for (const auto& [method, m] : methods_)
    out.sample("pend_chain_rpc_errors_total", {{"method", method}}, m.errors);
  out.family("pend_chain_rpc_duration_seconds", "histogram",
             "JSON-RPC round trips by method (a batch's time counts for each of its calls).");
  for (const auto& [method, m] : methods_) {
    std::string labels = "method=\"";
    metrics::append_label_value(labels, method);
    labels += '"';
    for (std::size_t i = 0; i < kBucketBounds.size(); ++i) {
      char bound[32];
      std::snprintf(bound, sizeof bound, "%g", kBucketBounds[i]);
      out.sample_raw("pend_chain_rpc_duration_seconds_bucket", labels, "le", bound,
                     static_cast<double>(m.buckets[i]));
    }
    out.sample_raw("pend_chain_rpc_duration_seconds_bucket", labels, "le", "+Inf",
                   static_cast<double>(m.calls));
    out.sample("pend_chain_rpc_duration_seconds_sum", {{"method", method}}, m.seconds);
    out.sample("pend_chain_rpc_duration_seconds_count", {{"method", method}}, m.calls);
  }
  out.family("pend_chain_node_health", "gauge",
             "Each node's health score (1 healthy, falling by half with each failure).");
  out.family("pend_chain_node_failures_total", "counter", "Failed exchanges with each node.");
  for (std::size_t i = 0; i < scores_.size(); ++i) {
    const auto index = std::to_string(i);
    out.sample("pend_chain_node_health", {{"node", index}}, scores_[i]);
    out.sample("pend_chain_node_failures_total", {{"node", index}}, failovers_[i]);
  }
}

// The keep-alive connection to one node, on a loop of its own: every exchange runs the loop
// for at most the timeout, and one that does not finish closes the connection.
struct RpcClient::Connection {
  asio::io_context loop;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<std::size_t> node;
  std::unique_ptr<tcp::socket> socket;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> stream;
  beast::flat_buffer buffer;

  Connection() {
    boost::system::error_code ec;
    tls.set_default_verify_paths(ec);
    tls.set_verify_mode(asio::ssl::verify_peer);
  }

  void close() {
    boost::system::error_code ignored;
    if (socket) socket->close(ignored);
    if (stream) stream->next_layer().close(ignored);
    // Handlers still queued run now (with operation_aborted), before their state goes.
    loop.restart();
    loop.run();
    socket.reset();
    stream.reset();
    buffer.clear();
    node.reset();
  }

  tcp::socket& lowest() { return stream ? stream->next_layer() : *socket; }
};

RpcClient::RpcClient(std::shared_ptr<RpcNodes> nodes)
    : nodes_(std::move(nodes)), connection_(std::make_unique<Connection>()) {}

RpcClient::~RpcClient() { connection_->close(); }

std::optional<std::string> RpcClient::post(std::size_t node, const std::string& body,
                                           unsigned& status, std::string& error) {
  // A kept-alive connection the node has closed meanwhile fails before any answer: that is
  // no failure of the node's, and the request goes again on a new connection.
  const bool reused = connection_->node == node;
  auto answer = exchange(node, body, status, error);
  if (!answer && reused && status == 0 && !connection_->node) {
    error.clear();
    answer = exchange(node, body, status, error);
  }
  return answer;
}

std::optional<std::string> RpcClient::exchange(std::size_t node, const std::string& body,
                                               unsigned& status, std::string& error) {
  auto& c = *connection_;
  const auto target = target_of(nodes_->options().urls[node]).value();
  if (c.node != node) c.close();
  bool done = false;
  status = 0;
  beast_http::request<beast_http::string_body> request{beast_http::verb::post, target.path, 11};
  request.set(beast_http::field::host, target.host);
  request.set(beast_http::field::user_agent, "pend-server");
  request.set(beast_http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(nodes_->options().max_response_bytes);
  const auto fail = [&](const char* step, const boost::system::error_code& ec) {
    error = std::string{step} + ": " + ec.message();
  };
  const auto exchange = [&](auto& stream) {
    beast_http::async_write(stream, request, [&](auto ec, auto) {
      if (ec) return fail("write", ec);
      beast_http::async_read(stream, c.buffer, parser, [&](auto ec, auto) {
        if (ec) return fail("read", ec);
        done = true;
      });
    });
  };
  const auto start = [&] {
    if (c.stream)
      exchange(*c.stream);
    else
      exchange(*c.socket);
  };
  tcp::resolver resolver(c.loop);
  if (c.node == node) {
    start();
  } else {
    if (target.tls) {
      c.stream = std::make_unique<asio::ssl::stream<tcp::socket>>(c.loop, c.tls);
      SSL_set_tlsext_host_name(c.stream->native_handle(), target.host.c_str());
      SSL_set1_host(c.stream->native_handle(), target.host.c_str());
    } else {
      c.socket = std::make_unique<tcp::socket>(c.loop);
    }
    resolver.async_resolve(target.host, target.port, [&](auto ec, auto endpoints) {
      if (ec) return fail("resolve", ec);
      asio::async_connect(c.lowest(), endpoints, [&](auto ec, auto) {
        if (ec) return fail("connect", ec);
        c.lowest().set_option(tcp::no_delay(true));
        if (c.stream) {
          c.stream->async_handshake(asio::ssl::stream_base::client, [&](auto ec) {
            if (ec) return fail("TLS handshake", ec);
            start();
          });
        } else {
          start();
        }
      });
    });
    c.node = node;
  }
  c.loop.restart();
  c.loop.run_for(nodes_->options().timeout);
  if (!done) {
    if (error.empty())
      error = "no answer within " + std::to_string(nodes_->options().timeout.count()) + " ms";
    resolver.cancel();
    c.close();
    return std::nullopt;
  }
  auto response = parser.release();
  status = response.result_int();
  if (!response.keep_alive() || status != 200) c.close();
  if (status != 200) {
    error = "HTTP " + std::to_string(status);
    return std::nullopt;
  }
  return std::move(response.body());
}

void RpcClient::pause(unsigned attempt) {
  const auto& options = nodes_->options();
  auto wait = options.backoff * (1u << std::min(attempt, 10u));
  wait = std::min<std::chrono::milliseconds>(wait, options.max_backoff);
  thread_local std::minstd_rand jitter(std::random_device{}());
  wait += std::chrono::milliseconds(jitter() % (wait.count() / 4 + 1));
  if (options.sleep)
    options.sleep(wait);
  else
    std::this_thread::sleep_for(wait);
}

namespace {

RpcReply reply_of(const json::object& answer) {
  RpcReply reply;
  if (const auto* error = answer.if_contains("error"); error != nullptr && !error->is_null()) {
    reply.error_code = 0;
    if (const auto* e = error->if_object()) {
      if (const auto* code = e->if_contains("code"); code != nullptr && code->is_int64())
        reply.error_code = code->as_int64();
      if (const auto* message = e->if_contains("message"); message != nullptr)
        if (message->is_string()) reply.error_message = message->as_string();
    }
    return reply;
  }
  if (const auto* result = answer.if_contains("result")) reply.result = *result;
  return reply;
}

json::object request_of(std::uint64_t id, const RpcCall& call) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", call.method}, {"params", call.params}};
}

}  // namespace

std::vector<RpcReply> RpcClient::batch(const std::vector<RpcCall>& calls) {
  std::vector<RpcReply> replies(calls.size());
  if (calls.empty()) return replies;
  std::vector<std::size_t> pending(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) pending[i] = i;
  const auto& options = nodes_->options();
  std::string last_error;
  std::size_t tried = 0;
  for (unsigned attempt = 0; attempt < options.attempts; ++attempt) {
    if (attempt > 0) pause(attempt - 1);
    const std::size_t node = nodes_->pick(tried);
    const bool single = pending.size() == 1 && calls.size() == 1;
    json::array body;
    body.reserve(pending.size());
    for (const auto i : pending) body.push_back(request_of(i, calls[i]));
    const std::string text =
        single ? json::serialize(body.front()) : json::serialize(json::value(std::move(body)));
    const auto started = std::chrono::steady_clock::now();
    unsigned status = 0;
    std::string error;
    const auto answer = post(node, text, status, error);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    json::value parsed;
    if (answer) {
      boost::system::error_code ec;
      parsed = json::parse(*answer, ec);
      if (ec) error = "an answer that is not JSON";
    }
    // A whole-request answer: an array of replies (or one reply for one call).
    std::vector<std::size_t> again;
    bool usable = answer && (parsed.is_array() || (single && parsed.is_object()));
    if (usable) {
      std::vector<bool> seen(calls.size(), false);
      const auto take = [&](const json::value& item) {
        const auto* object = item.if_object();
        if (object == nullptr) return;
        const auto* id = object->if_contains("id");
        if (id == nullptr || !id->is_number()) return;
        const auto index = static_cast<std::size_t>(id->to_number<std::uint64_t>());
        if (index >= calls.size() || seen[index]) return;
        seen[index] = true;
        replies[index] = reply_of(*object);
      };
      if (parsed.is_array())
        for (const auto& item : parsed.as_array()) take(item);
      else
        take(parsed);
      for (const auto i : pending) {
        if (!seen[i]) {
          usable = false;  // a reply missing: the node's answer is not to be trusted
          break;
        }
      }
      if (usable) {
        for (const auto i : pending) {
          const bool limited = replies[i].error_code == kLimitExceeded;
          nodes_->record(calls[i].method, node, seconds, replies[i].ok());
          if (limited) again.push_back(i);
        }
      } else {
        error = "an answer without a reply to every call";
      }
    } else if (answer && parsed.is_object()) {
      // One error object for the whole batch (some nodes answer a batch they refuse so).
      const auto reply = reply_of(parsed.as_object());
      if (reply.error_code == kLimitExceeded) {
        for (const auto i : pending) nodes_->record(calls[i].method, node, seconds, false);
        again = pending;
        usable = true;
      } else if (reply.error_code) {
        error = "the node refused the batch: " + reply.error_message;
      }
    }
    if (!usable) {
      // No answer, or not one to use: this node failed; the next attempt tries another.
      for (const auto i : pending) nodes_->record(calls[i].method, node, seconds, false);
      nodes_->failed(node);
      if (error.empty()) error = "an answer without the replies";
      last_error = error;
      const std::size_t all =
          nodes_->size() >= 64 ? ~std::size_t{0} : (std::size_t{1} << nodes_->size()) - 1;
      if (node < 64) tried |= std::size_t{1} << node;
      if ((tried & all) == all) tried = 0;  // every node tried: round again
      continue;
    }
    if (again.empty()) {
      nodes_->succeeded(node);
      return replies;
    }
    nodes_->failed(node);
    last_error = "rate limited (-32005)";
    pending = std::move(again);
  }
  throw RpcError("no node answered " + calls.front().method + " after " +
                     std::to_string(options.attempts) + " attempt(s): " + last_error,
                 0, true);
}

json::value RpcClient::call(std::string_view method, json::array params) {
  auto replies = batch({RpcCall{std::string{method}, std::move(params)}});
  auto& reply = replies.front();
  if (!reply.ok())
    throw RpcError(std::string{method} + ": " + reply.error_message, *reply.error_code, false);
  return std::move(reply.result);
}

std::unique_ptr<RpcClient> RpcClientPool::take() {
  const std::lock_guard lock(mutex_);
  if (idle_.empty()) return std::make_unique<RpcClient>(nodes_);
  auto client = std::move(idle_.back());
  idle_.pop_back();
  return client;
}

void RpcClientPool::give(std::unique_ptr<RpcClient> client) {
  const std::lock_guard lock(mutex_);
  idle_.push_back(std::move(client));
}

}  // namespace pend::chain
