// Per-request costs of the Redis layer that are ours, not Redis's: the response cache key
// (canonical parameters + MD5), encoding a command, and a token's session id.
#include "cache/cache_service.hpp"
#include "cache/redis_connection.hpp"
#include "cache/session_store.hpp"

#include <benchmark/benchmark.h>

namespace {

void BM_ApiKeyNoQuery(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pend::cache::api_key("GET", "/api/v1/config", ""));
}
BENCHMARK(BM_ApiKeyNoQuery);

void BM_ApiKeyThreeParams(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        pend::cache::api_key("GET", "/api/v1/explorer/blocks", "page=2&limit=25&order=desc"));
  }
}
BENCHMARK(BM_ApiKeyThreeParams);

void BM_EncodeHmget(benchmark::State& state) {
  std::string out;
  const std::string key = "api:GET:/api/v1/config:99914b932bd37a50b983c5e7c90ae93b";
  const std::array<pend::cache::Arg, 6> argv{"HMGET",     key,   "data",
                                             "cached_at", "ttl", "content_type"};
  for (auto _ : state) {
    out.clear();
    pend::cache::encode_command(out, argv);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeHmget);

void BM_SessionIdForToken(benchmark::State& state) {
  const std::string token(43, 'k');
  for (auto _ : state) benchmark::DoNotOptimize(pend::cache::session_id_for_token(token));
}
BENCHMARK(BM_SessionIdForToken);

}  // namespace
