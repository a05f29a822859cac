// Router matching cost: a literal route, a typed-parameter route and a miss, over a route
// table the size the finished API will have.
#include "http/request_context.hpp"
#include "http/router.hpp"

#include <benchmark/benchmark.h>

#include <memory>

namespace {

const pend::http::Router& router() {
  static const auto instance = [] {
    auto owned = std::make_unique<pend::http::Router>();
    auto& r = *owned;
    const pend::http::Handler noop =
        [](pend::http::RequestContext&) -> boost::asio::awaitable<void> { co_return; };
    for (const auto* feature : {"auth", "users", "wallet", "kyc", "admin", "assets"}) {
      for (const auto* action : {"list", "create", "status", "history", "settings"}) {
        r.add(pend::http::Method::get, std::string{"/api/v1/"} + feature + "/" + action, noop);
      }
      r.add(pend::http::Method::get, std::string{"/api/v1/"} + feature + "/{id:uuid}", noop);
    }
    r.add(pend::http::Method::get, "/api/v1/explorer/blocks/{number:uint}", noop);
    r.add(pend::http::Method::get, "/api/v1/explorer/transactions/{hash:hex}", noop);
    r.add(pend::http::Method::get, "/api/v1/health/live", noop);
    return owned;
  }();
  return *instance;
}

void match(benchmark::State& state, std::string_view path) {
  pend::http::RouteMatch m;
  for (auto _ : state) {
    router().match(pend::http::Method::get, path, m);
    benchmark::DoNotOptimize(m);
  }
}

BENCHMARK_CAPTURE(match, literal, "/api/v1/health/live");
BENCHMARK_CAPTURE(match, typed_param, "/api/v1/explorer/blocks/18000000");
BENCHMARK_CAPTURE(match, miss, "/api/v1/nothing/here/at/all");

}  // namespace
