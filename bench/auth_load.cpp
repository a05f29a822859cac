// auth_load: drives the app users' sign-up and sign-in against a running pend-server, as
// the app does, for bench/auth.sh. It plays the SMS provider itself (a Twilio-compatible
// listener on --sms-port that keeps the last code sent to each number), then, with
// --connections workers each on its own keep-alive connection:
//
//   1. registers --users users (a code, an EIP-4361 challenge signed by a fresh key, register)
//   2. asks for a login code for each (not measured: the SMS hop is the provider's time)
//   3. signs each in (POST /api/v1/auth/login: the code counted, compared and consumed,
//      last_login_at updated, a Redis session created), measured: sign-ins/s, p50, p99
//
// and writes the session tokens, one per line, to --token-file (the GET /api/v1/me run
// takes the first, the KYC upload run one per user).
//
//   auth_load --url http://127.0.0.1:8080 --sms-port 9000 --users 2000 --connections 16
//
// Prints "RESULT phase=NAME n=N seconds=S rate=R p50_ms=P p99_ms=Q errors=E" per phase.
#include "support/wallet.hpp"
#include "util/json.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// The SMS provider: the last code each number was sent, for the workers to wait on.
class SmsProvider {
 public:
  explicit SmsProvider(std::uint16_t port)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
    std::thread([this] { accept(); }).detach();
  }
  // Lives until the process ends (the server may hold its connections open to the last).
  ~SmsProvider() = delete;

  // The code sent to phone after the given count of codes to it, waiting up to 10 s.
  std::string code_for(const std::string& phone, unsigned nth) {
    std::unique_lock lock(mutex_);
    const bool arrived = changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      const auto it = codes_.find(phone);
      return it != codes_.end() && it->second.second >= nth;
    });
    if (!arrived) throw std::runtime_error("no SMS for " + phone + " within 10 s");
    return codes_[phone].first;
  }

 private:
  void accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      std::thread([this, s = std::move(socket)]() mutable { serve(std::move(s)); }).detach();
    }
  }
  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      std::string to, body;
      if (const auto params = boost::urls::parse_query(request.body())) {
        for (const auto& p : *params) {
          if (p.key == "To") to = p.value.decode();
          if (p.key == "Body") body = p.value.decode();
        }
      }
      std::smatch match;
      if (std::regex_search(body, match, std::regex("([0-9]{6})"))) {
        std::lock_guard lock(mutex_);
        auto& entry = codes_[to];
        entry.first = match[1];
        ++entry.second;
        changed_.notify_all();
      }
      http::response<http::string_body> response{http::status::created, request.version()};
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"sid":"SMbench"})";
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::pair<std::string, unsigned>> codes_;
};

// One keep-alive connection to pend-server.
class Connection {
 public:
  Connection(const std::string& host, const std::string& port) : socket_(io_) {
    tcp::resolver resolver(io_);
    asio::connect(socket_, resolver.resolve(host, port));
  }
  std::pair<unsigned, std::string> send(http::verb method, const std::string& target,
                                        const std::string& body = {}) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::user_agent, "auth_load");
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    http::write(socket_, request);
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    return {response.result_int(), std::move(response.body())};
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::string field(const std::string& json, std::string_view name) {
  return std::string{boost::json::parse(json).at(name).as_string()};
}

struct Phase {
  std::vector<double> latencies_ms;
  std::atomic<unsigned> errors{0};
  std::mutex mutex;
  void add(double ms) {
    std::lock_guard lock(mutex);
    latencies_ms.push_back(ms);
  }
};

void report(const char* name, Phase& phase, double seconds) {
  auto& l = phase.latencies_ms;
  std::sort(l.begin(), l.end());
  const auto at = [&](double q) {
    return l.empty() ? 0.0 : l[static_cast<std::size_t>(q * (l.size() - 1))];
  };
  std::printf("RESULT phase=%s n=%zu seconds=%.2f rate=%.1f p50_ms=%.2f p99_ms=%.2f errors=%u\n",
              name, l.size(), seconds, static_cast<double>(l.size()) / seconds, at(0.5), at(0.99),
              phase.errors.load());
  std::fflush(stdout);
}

// Runs work(worker, index) for every index across the workers; returns the wall time.
template <typename Work>
double run(unsigned workers, unsigned count, Work work) {
  std::atomic<unsigned> next{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (unsigned i; (i = next.fetch_add(1)) < count;) work(w, i);
    });
  }
  for (auto& t : threads) t.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = "http://127.0.0.1:8080", token_file;
  unsigned users = 1000, connections = 16;
  std::uint16_t sms_port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--url")
      url = value;
    else if (key == "--sms-port")
      sms_port = static_cast<std::uint16_t>(std::stoul(value));
    else if (key == "--users")
      users = std::stoul(value);
    else if (key == "--connections")
      connections = std::stoul(value);
    else if (key == "--token-file")
      token_file = value;
    else {
      std::cerr << "unknown argument " << key << "\n";
      return 2;
    }
  }
  if (sms_port == 0) {
    std::cerr << "--sms-port is required\n";
    return 2;
  }
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    std::cerr << "--url is not a URL\n";
    return 2;
  }
  const std::string host{parsed->host()}, port{parsed->port()};
  auto& sms = *new SmsProvider(sms_port);

  std::vector<std::string> phones(users);
  for (unsigned i = 0; i < users; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "+4474001%05u", i);
    phones[i] = phone;
  }
  std::vector<std::unique_ptr<Connection>> pool;
  for (unsigned w = 0; w < connections; ++w)
    pool.push_back(std::make_unique<Connection>(host, port));
  const auto otp = [&](Connection& c, const std::string& phone, const char* purpose) {
    const auto [status, body] = c.send(
        http::verb::post, "/api/v1/auth/otp",
        pend::util::json::serialize(boost::json::object{{"phone", phone}, {"purpose", purpose}}));
    if (status != 202) throw std::runtime_error("otp: " + std::to_string(status) + " " + body);
    return field(body, "otp_id");
  };

  Phase registering;
  const double register_seconds = run(connections, users, [&](unsigned w, unsigned i) {
    try {
      auto& c = *pool[w];
      const auto start = Clock::now();
      const auto otp_id = otp(c, phones[i], "register");
      const auto code = sms.code_for(phones[i], 1);
      const pend::test::TestWallet wallet;
      const auto [cs, challenge] =
          c.send(http::verb::get, "/api/v1/auth/challenge?address=" + wallet.address());
      if (cs != 200) throw std::runtime_error("challenge: " + challenge);
      const auto message = field(challenge, "message");
      const auto [rs, registered] = c.send(
          http::verb::post, "/api/v1/auth/register",
          pend::util::json::serialize(boost::json::object{{"otp_id", otp_id},
                                                          {"code", code},
                                                          {"address", wallet.address()},
                                                          {"message", message},
                                                          {"signature", wallet.sign(message)}}));
      if (rs != 201) throw std::runtime_error("register: " + std::to_string(rs) + " " + registered);
      registering.add(ms_since(start));
    } catch (const std::exception& e) {
      if (registering.errors.fetch_add(1) < 3) std::cerr << e.what() << "\n";
    }
  });
  report("register", registering, register_seconds);

  std::vector<std::pair<std::string, std::string>> codes(users);
  Phase asking;
  const double ask_seconds = run(connections, users, [&](unsigned w, unsigned i) {
    try {
      const auto start = Clock::now();
      codes[i].first = otp(*pool[w], phones[i], "login");
      asking.add(ms_since(start));
      codes[i].second = sms.code_for(phones[i], 2);
    } catch (const std::exception& e) {
      if (asking.errors.fetch_add(1) < 3) std::cerr << e.what() << "\n";
    }
  });
  report("otp", asking, ask_seconds);

  Phase signing_in;
  std::vector<std::string> tokens;
  std::mutex token_mutex;
  const double login_seconds = run(connections, users, [&](unsigned w, unsigned i) {
    if (codes[i].first.empty()) return;
    try {
      const auto start = Clock::now();
      const auto [status, body] =
          pool[w]->send(http::verb::post, "/api/v1/auth/login",
                        pend::util::json::serialize(boost::json::object{
                            {"otp_id", codes[i].first}, {"code", codes[i].second}}));
      if (status != 200) throw std::runtime_error("login: " + std::to_string(status) + " " + body);
      signing_in.add(ms_since(start));
      std::lock_guard lock(token_mutex);
      tokens.push_back(field(body, "token"));
    } catch (const std::exception& e) {
      if (signing_in.errors.fetch_add(1) < 3) std::cerr << e.what() << "\n";
    }
  });
  report("login", signing_in, login_seconds);

  if (!token_file.empty()) {
    std::ofstream out(token_file);
    for (const auto& token : tokens) out << token << '\n';
  }
  return registering.errors + asking.errors + signing_in.errors == 0 ? 0 : 1;
}
