// Request bodies: parsed as the body parser does (depth 32), decoded into a nested typed
// body collecting every problem, then written back with the API's JSON writer and parsed
// again: what the server writes is always valid JSON.
#include "http/json_mapping.hpp"
#include "util/json.hpp"

#include <boost/json/parser.hpp>

using namespace pend;

namespace fuzz {

enum class Kind : std::uint8_t { identity, selfie, address };
BOOST_DESCRIBE_ENUM(Kind, identity, selfie, address)

struct Document {
  static constexpr std::string_view kSchema = "Document";
  Kind kind = Kind::identity;
  std::optional<std::string> note;
  std::vector<std::uint8_t> pages;
};
BOOST_DESCRIBE_STRUCT(Document, (), (kind, note, pages))

struct Body {
  static constexpr std::string_view kSchema = "Body";
  std::string phone;
  std::optional<std::int64_t> tier;
  std::vector<Document> documents;
  std::optional<util::Microseconds> at;
  std::optional<boost::json::object> extra;
  double ratio = 0;
  bool flag = false;
};
BOOST_DESCRIBE_STRUCT(Body, (), (phone, tier, documents, at, extra, ratio, flag))

}  // namespace fuzz

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::json::parser parser({}, options);
  boost::system::error_code ec;
  parser.write(reinterpret_cast<const char*>(data), size, ec);
  if (ec) return 0;
  const auto value = parser.release();
  fuzz::Body body;
  http::Problems problems;
  http::decode(value, body, {}, problems);
  (void)problems.to_json();
  const std::string written = util::json::serialize(problems.empty() ? http::encode(body) : value);
  boost::json::parse_options lenient;
  lenient.max_depth = 64;
  boost::json::parser again({}, lenient);
  again.write(written.data(), written.size(), ec);
  if (ec) __builtin_trap();  // the writer produced something that is not JSON
  return 0;
}
