// Paths and methods against a router with literal, typed and overlapping templates: matching
// never crashes, never reads out of the path, and a match's parameters lie inside it.
#include "http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstring>

using namespace pend;

namespace fuzz {

boost::asio::awaitable<void> nothing(http::RequestContext&) { co_return; }

const http::Router& router() {
  static const auto built = [] {
    auto r = std::make_unique<http::Router>();
    for (const char* pattern :
         {"/", "/api/v1/blocks", "/api/v1/blocks/{n:uint}", "/api/v1/blocks/{hash:hash}",
          "/api/v1/blocks/{n:uint}/transactions", "/api/v1/accounts/{a:evm_address}",
          "/api/v1/users/{id:uuid}", "/api/v1/deltas/{d:int}", "/api/v1/keys/{k:hex}",
          "/api/v1/sessions/{id:digest}", "/api/v1/sessions/current", "/api/v1/{any}/x",
          "/api/v1/files/{name}/", "/api/v1/a/{b}/{c}/{d}/{e}/{f}/{g}/{h}"}) {
      r->add(http::Method::get, pattern, nothing);
      r->add(http::Method::delete_, pattern, nothing);
    }
    return r;
  }();
  return *built;
}

}  // namespace fuzz

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto method = static_cast<http::Method>(data[0] % (http::kMethodCount + 1));
  const std::string path(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto match = router().match(method, path);
  for (std::size_t i = 0; i < match.params.size(); ++i) {
    (void)i;
  }
  if (match.outcome == http::RouteMatch::Outcome::found && match.route == nullptr) __builtin_trap();
  return 0;
}
