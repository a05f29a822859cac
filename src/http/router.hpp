// Router: method + path template -> handler. Templates look like
// "/api/v1/explorer/blocks/{number:uint}"; a parameter's type (uint, int, uuid, hex,
// evm_address, hash, digest, or string when omitted) is checked while matching. Literal segments
// win over parameters. The template without types ("/api/v1/explorer/blocks/{number}") is the
// route's name in logs, metrics and docs/api/openapi.yaml.
//
//   Router router;
//   router.add(Method::get, "/api/v1/explorer/blocks/{number:uint}", handler);
//   RouteMatch m = router.match(Method::get, "/api/v1/explorer/blocks/42");
//   m.params.get("number") == "42"
#pragma once

#include "http/handler.hpp"
#include "http/method.hpp"
#include "http/route_options.hpp"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pend::http {

enum class ParamType : std::uint8_t {
  string,
  uint,
  int_,
  uuid,
  hex,          // 0x and hex digits
  evm_address,  // 0x and 40 hex digits (its checksum is the handler's to check)
  hash,         // 0x and 64 hex digits: a block or transaction hash
  digest,       // 64 hex digits: a SHA-256 (session ids)
};

std::string_view to_string(ParamType type);
bool param_accepts(ParamType type, std::string_view value);

struct Route {
  Method method;
  std::string path_template;  // without parameter types: the name logs and metrics use
  std::size_t template_id;    // dense index of path_template, for per-route metric arrays
  Handler handler;
  RouteOptions options;
};

// Path parameters of a match; values point into the request target.
// Fixed capacity: matching allocates nothing.
class PathParams {
 public:
  static constexpr std::size_t kCapacity = 8;

  bool add(std::string_view name, std::string_view value);  // false when full
  std::string_view get(std::string_view name) const;        // "" when absent
  std::size_t size() const { return size_; }
  void truncate(std::size_t size) { size_ = size; }

 private:
  struct Item {
    std::string_view name;
    std::string_view value;
  };
  std::array<Item, kCapacity> items_{};
  std::size_t size_ = 0;
};

struct RouteMatch {
  enum class Outcome : std::uint8_t { found, not_found, method_not_allowed, invalid_parameter };
  Outcome outcome = Outcome::not_found;
  const Route* route = nullptr;
  PathParams params;
  // Set when the path matched a template (found, method_not_allowed, and OPTIONS).
  const std::string* path_template = nullptr;
  std::size_t template_id = 0;  // == Router::unmatched_template_id() when no template matched
  const std::string* allow = nullptr;  // "GET, HEAD, OPTIONS" for 405 and OPTIONS
  // invalid_parameter: which parameter failed its type.
  std::string_view invalid_name;
  ParamType invalid_type = ParamType::string;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Throws std::invalid_argument on a malformed template or a duplicate method + template.
  void add(Method method, std::string_view pattern, Handler handler, RouteOptions options = {});

  // HEAD matches GET routes; OPTIONS reports the allowed methods of a path.
  RouteMatch match(Method method, std::string_view path) const;
  void match(Method method, std::string_view path, RouteMatch& out) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }
  const std::vector<std::string>& templates() const { return templates_; }
  std::size_t unmatched_template_id() const { return templates_.size(); }
  // The largest body limit a route declares (RouteOptions::body_limit); 0 when none does.
  std::uint64_t largest_body_limit() const { return largest_body_limit_; }

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::string> templates_;
  std::uint64_t largest_body_limit_ = 0;
};

}  // namespace pend::http
