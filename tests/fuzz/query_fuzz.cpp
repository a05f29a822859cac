// Query strings into typed parameters: decoding either yields values or refuses with the
// API's 400 / 422, nothing else.
#include "domain/common/pagination.hpp"
#include "http/api_error.hpp"
#include "http/query.hpp"

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
  try {
    const auto query = http::decode_query<fuzz::Query>(text);
    if (query.cursor) (void)domain::parse_cursor(*query.cursor, 2);
  } catch (const http::ApiError& error) {
    if (error.status() != 400 && error.status() != 422) __builtin_trap();
  }
  return 0;
}
