#include "http/router.hpp"

#include "util/hex.hpp"
#include "util/uuid.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

namespace pend::http {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// Splits "/a/b/c" into "a", "b", "c", calling f for each; a trailing slash yields an empty
// final segment, so "/a/" and "/a" are different paths.
template <typename F>
bool for_each_segment(std::string_view path, F&& f) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    if (!f(path.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

std::string_view to_string(ParamType type) {
  switch (type) {
    case ParamType::string:
      return "string";
    case ParamType::uint:
      return "unsigned integer";
    case ParamType::int_:
      return "integer";
    case ParamType::uuid:
      return "UUID";
    case ParamType::hex:
      return "0x-prefixed hexadecimal";
    case ParamType::evm_address:
      return "0x-prefixed address of 40 hex digits";
    case ParamType::hash:
      return "0x-prefixed hash of 64 hex digits";
    case ParamType::digest:
      return "64 hex digits";
  }
  return "string";
}

bool param_accepts(ParamType type, std::string_view value) {
  if (value.empty()) return false;
  switch (type) {
    case ParamType::string:
      return true;
    case ParamType::uint:
      return value.size() <= 20 && all_digits(value);
    case ParamType::int_:
      if (value.front() == '-') value.remove_prefix(1);
      return value.size() <= 19 && all_digits(value);
    case ParamType::uuid:
      return util::is_uuid(value);
    case ParamType::hex:
      return util::is_hex(value, /*prefixed=*/true);
    case ParamType::evm_address:
      return util::is_hex(value, 40, /*prefixed=*/true);
    case ParamType::hash:
      return util::is_hex(value, 64, /*prefixed=*/true);
    case ParamType::digest:
      return util::is_hex(value, 64, /*prefixed=*/false);
  }
  return false;
}

bool PathParams::add(std::string_view name, std::string_view value) {
  if (size_ == kCapacity) return false;
  items_[size_++] = {name, value};
  return true;
}

std::string_view PathParams::get(std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i) {
    if (items_[i].name == name) return items_[i].value;
  }
  return {};
}

struct Router::Node {
  struct Literal {
    std::string segment;
    std::unique_ptr<Node> node;
  };
  struct Param {
    std::string name;
    ParamType type;
    std::unique_ptr<Node> node;
  };
  std::vector<Literal> literals;
  std::vector<Param> params;
  std::array<const Route*, kMethodCount> routes{};
  const std::string* path_template = nullptr;
  std::size_t template_id = 0;
  std::string allow;  // derived from routes, kept ready for 405 and OPTIONS

  bool terminal() const { return path_template != nullptr; }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::add(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  if (method == Method::head || method == Method::options || method == Method::other) {
    throw std::invalid_argument("HEAD and OPTIONS are derived; register GET instead");
  }
  if (options.cache != CacheTier::none &&
      (method != Method::get || options.access != Access::anyone)) {
    // A cached response is served to whoever asks next.
    throw std::invalid_argument("only GET routes open to anyone may be cached: " +
                                std::string{pattern});
  }
  if (options.streamed_body && options.takes_json()) {
    throw std::invalid_argument("a streamed body is not parsed as JSON: " + std::string{pattern});
  }
  largest_body_limit_ = std::max(largest_body_limit_, options.body_limit);
  Node* node = root_.get();
  std::string display;
  const bool ok = for_each_segment(pattern, [&](std::string_view segment) {
    display += '/';
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      const auto spec = segment.substr(1, segment.size() - 2);
      const auto colon = spec.find(':');
      const std::string name{spec.substr(0, colon)};
      ParamType type = ParamType::string;
      if (colon != std::string_view::npos) {
        const auto type_name = spec.substr(colon + 1);
        if (type_name == "uint")
          type = ParamType::uint;
        else if (type_name == "int")
          type = ParamType::int_;
        else if (type_name == "uuid")
          type = ParamType::uuid;
        else if (type_name == "hex")
          type = ParamType::hex;
        else if (type_name == "evm_address")
          type = ParamType::evm_address;
        else if (type_name == "hash")
          type = ParamType::hash;
        else if (type_name == "digest")
          type = ParamType::digest;
        else if (type_name != "string")
          return false;
      }
      if (name.empty()) return false;
      display += '{' + name + '}';
      auto it = std::find_if(node->params.begin(), node->params.end(),
                             [&](const auto& p) { return p.name == name && p.type == type; });
      if (it == node->params.end()) {
        node->params.push_back({name, type, std::make_unique<Node>()});
        it = std::prev(node->params.end());
      }
      node = it->node.get();
      return true;
    }
    if (segment.find_first_of("{}") != std::string_view::npos) return false;
    display += segment;
    auto it = std::find_if(node->literals.begin(), node->literals.end(),
                           [&](const auto& l) { return l.segment == segment; });
    if (it == node->literals.end()) {
      node->literals.push_back({std::string{segment}, std::make_unique<Node>()});
      it = std::prev(node->literals.end());
    }
    node = it->node.get();
    return true;
  });
  if (!ok) throw std::invalid_argument("malformed route template: " + std::string{pattern});
  if (node->routes[index_of(method)] != nullptr) {
    throw std::invalid_argument("duplicate route: " + std::string{to_string(method)} + " " +
                                std::string{pattern});
  }
  if (!node->terminal()) {
    node->template_id = templates_.size();
    templates_.push_back(display);
  }
  routes_.push_back(std::make_unique<Route>(
      Route{method, display, node->template_id, std::move(handler), options}));
  node->routes[index_of(method)] = routes_.back().get();
  node->path_template = &routes_.back()->path_template;

  node->allow.clear();
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    if (node->routes[i] == nullptr) continue;
    if (!node->allow.empty()) node->allow += ", ";
    node->allow += kMethodNames[i];
    if (static_cast<Method>(i) == Method::get) node->allow += ", HEAD";
  }
  node->allow += ", OPTIONS";
}

RouteMatch Router::match(Method method, std::string_view path) const {
  RouteMatch out;
  match(method, path, out);
  return out;
}

void Router::match(Method method, std::string_view path, RouteMatch& out) const {
  out = RouteMatch{};
  out.template_id = unmatched_template_id();

  // Depth-first with backtracking: literal children first, then parameters in the order they
  // were registered. Remembers the first typed-parameter miss to explain a failed match.
  constexpr std::size_t kMaxSegments = 32;  // deeper paths match no route
  std::array<std::string_view, kMaxSegments> segments;
  std::size_t segment_count = 0;
  if (!for_each_segment(path, [&](std::string_view s) {
        if (segment_count == kMaxSegments) return false;
        segments[segment_count++] = s;
        return true;
      })) {
    return;
  }
  struct Miss {
    std::string_view name;
    ParamType type;
  };
  std::optional<Miss> miss;

  auto descend = [&](auto& self, const Node& node, std::size_t depth) -> const Node* {
    if (depth == segment_count) return node.terminal() ? &node : nullptr;
    const auto segment = segments[depth];
    for (const auto& literal : node.literals) {
      if (literal.segment == segment) {
        if (const Node* found = self(self, *literal.node, depth + 1)) return found;
      }
    }
    for (const auto& param : node.params) {
      if (!param_accepts(param.type, segment)) {
        if (!miss && !segment.empty()) miss = Miss{param.name, param.type};
        continue;
      }
      const auto mark = out.params.size();
      if (!out.params.add(param.name, segment)) continue;
      if (const Node* found = self(self, *param.node, depth + 1)) return found;
      out.params.truncate(mark);  // backtrack
    }
    return nullptr;
  };

  const Node* node = descend(descend, *root_, 0);
  if (node == nullptr) {
    if (miss) {
      out.outcome = RouteMatch::Outcome::invalid_parameter;
      out.invalid_name = miss->name;
      out.invalid_type = miss->type;
    }
    return;
  }
  out.path_template = node->path_template;
  out.template_id = node->template_id;
  out.allow = &node->allow;
  const Method lookup = method == Method::head ? Method::get : method;
  const Route* route = lookup == Method::other ? nullptr : node->routes[index_of(lookup)];
  if (route == nullptr) {
    out.outcome = RouteMatch::Outcome::method_not_allowed;
    return;
  }
  out.outcome = RouteMatch::Outcome::found;
  out.route = route;
}

}  // namespace pend::http
