// Query strings (and form bodies, read the same way) into typed parameters: decoding either
// yields values or refuses with the API's 400 / 422, nothing else. The same text goes through
// the response cache's canonical form (without the credential parameter) and the Etherscan
// API's key lookup, which must never throw.
#include "cache/cache_service.hpp"
#include "domain/common/pagination.hpp"
#include "domain/explorer/api_keys.hpp"
#include "http/api_error.hpp"
#include "http/query.hpp"

#include <boost/json/parse.hpp>

using namespace pend;

namespace fuzz {

enum class Order : std::uint8_t { asc, desc };
BOOST_DESCRIBE_ENUM(Order, asc, desc)

struct Query {
  static constexpr std::string_view kSchema = "Query";
  std::optional<std::int64_t> limit;
  std::optional<std::uint32_t> page;
  std::optional<std::string> cursor;
  std::optional<bool> exact;
  std::optional<double> min;
  std::optional<Order> sort;
  std::optional<util::Microseconds> since;
};
BOOST_DESCRIBE_STRUCT(Query, (), (limit, page, cursor, exact, min, sort, since))

}  // namespace fuzz

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto key = domain::explorer::ApiKeys::key_in(text);
  const auto canonical = cache::canonical_params(text, "apikey");
  if (!key.empty() && boost::json::parse(canonical).as_object().contains("apikey")) {
    __builtin_trap();  // the credential reached the cache key
  }
  try {
    const auto query = http::decode_query<fuzz::Query>(text);
    if (query.cursor) (void)domain::parse_cursor(*query.cursor, 2);
  } catch (const http::ApiError& error) {
    if (error.status() != 400 && error.status() != 422) __builtin_trap();
  }
  return 0;
}
