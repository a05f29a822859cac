// JSON <-> C++ structs from one description: request and response types are plain structs
// described with Boost.Describe and named like their OpenAPI component (kSchema). Decoding
// collects every problem with its field path (unknown keys, missing members, wrong types,
// out-of-range numbers, NUL in text) instead of stopping at the first; encoding writes the
// members in declaration order; schema_of<T>() is what the OpenAPI test compares with
// docs/api/openapi.yaml, so the code and the spec cannot drift.
//
//   struct OtpRequest {
//     static constexpr std::string_view kSchema = "OtpRequest";
//     std::string phone;
//     Purpose purpose;                 // a described enum: "register" | "login"
//     std::optional<std::string> locale;
//     void validate(http::Problems& problems) const;   // optional: rules beyond types
//   };
//   BOOST_DESCRIBE_STRUCT(OtpRequest, (), (phone, purpose, locale))
//
// Member types: std::string, bool, integers, double, described enums (their names),
// util::Microseconds (RFC 3339 text), std::optional<T> (absent or null), std::vector<T>,
// nested described structs, boost::json::object and boost::json::value (anything).
#pragma once

#include "http/problems.hpp"
#include "util/enum_name.hpp"
#include "util/time.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <charconv>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace pend::http {

template <typename T>
concept DescribedStruct = boost::describe::has_describe_members<T>::value && std::is_class_v<T>;
template <typename T>
concept ApiType = DescribedStruct<T> && requires {
  { T::kSchema } -> std::convertible_to<std::string_view>;
};
template <typename T>
concept DescribedEnum = boost::describe::has_describe_enumerators<T>::value;
template <typename T>
concept Validated = requires(const T& value, Problems& problems) {
  value.validate(problems);
};

namespace mapping {

template <typename T>
inline constexpr bool is_optional = false;
template <typename T>
inline constexpr bool is_optional<std::optional<T>> = true;
template <typename T>
inline constexpr bool is_vector = false;
template <typename T, typename A>
inline constexpr bool is_vector<std::vector<T, A>> = true;
template <typename T>
concept Integer = std::integral<T> && !std::same_as<T, bool>;
template <typename T>
struct unwrap_optional {
  using type = T;
};
template <typename T>
struct unwrap_optional<std::optional<T>> {
  using type = T;
};

template <typename T>
using members = boost::describe::describe_members<T, boost::describe::mod_public>;

// "a", "a.b", "a[2]"
inline std::string join(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string{name};
  std::string out{path};
  out += '.';
  out += name;
  return out;
}

}  // namespace mapping

// ---- schema -----------------------------------------------------------------------------

struct FieldSchema {
  std::string_view name;
  std::string_view type;   // OpenAPI: string, integer, number, boolean, array, object, "" (any)
  std::string_view items;  // an array's item type, or its component name
  std::string_view ref;    // a nested type's component name
  bool required = true;    // false for std::optional members
};

struct TypeSchema {
  std::string_view name;  // the OpenAPI component
  std::vector<FieldSchema> fields;
  const FieldSchema* field(std::string_view name) const;
};

template <typename T>
constexpr std::string_view json_type() {
  if constexpr (mapping::is_optional<T>) {
    return json_type<typename T::value_type>();
  } else if constexpr (std::same_as<T, std::string> || std::same_as<T, util::Microseconds> ||
                       DescribedEnum<T>) {
    return "string";
  } else if constexpr (std::same_as<T, bool>) {
    return "boolean";
  } else if constexpr (mapping::Integer<T>) {
    return "integer";
  } else if constexpr (std::floating_point<T>) {
    return "number";
  } else if constexpr (mapping::is_vector<T>) {
    return "array";
  } else if constexpr (DescribedStruct<T> || std::same_as<T, boost::json::object>) {
    return "object";
  } else {
    return "";
  }
}

template <typename T>
constexpr std::string_view component_of() {
  if constexpr (mapping::is_optional<T>) {
    return component_of<typename T::value_type>();
  } else if constexpr (ApiType<T>) {
    return T::kSchema;
  } else {
    return "";
  }
}

template <ApiType T>
const TypeSchema& schema_of() {
  static const TypeSchema schema = [] {
    TypeSchema s{T::kSchema, {}};
    boost::mp11::mp_for_each<mapping::members<T>>([&](auto d) {
      using M = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
      FieldSchema field{d.name, json_type<M>(), {}, component_of<M>(), !mapping::is_optional<M>};
      using Plain = typename mapping::unwrap_optional<M>::type;
      if constexpr (mapping::is_vector<Plain>) {
        using Item = typename Plain::value_type;
        field.items = ApiType<Item> ? component_of<Item>() : json_type<Item>();
      }
      s.fields.push_back(field);
    });
    return s;
  }();
  return schema;
}

// ---- decoding ---------------------------------------------------------------------------

template <typename T>
void decode(const boost::json::value& in, T& out, const std::string& path, Problems& problems);

namespace mapping {

inline void wrong_type(const std::string& path, std::string_view expected, Problems& problems) {
  problems.add(path, "invalid_type", "must be " + std::string{expected});
}

// Whether every member decoded (unknown fields, refused after them, change no member).
template <DescribedStruct T>
bool decode_struct(const boost::json::object& in, T& out, const std::string& path,
                   Problems& problems) {
  const std::size_t before = problems.size();
  boost::mp11::mp_for_each<members<T>>([&](auto d) {
    using M = std::remove_cvref_t<decltype(out.*d.pointer)>;
    const std::string field = join(path, d.name);
    const auto* value = in.if_contains(d.name);
    if (value == nullptr || value->is_null()) {
      if constexpr (is_optional<M>) {
        (out.*d.pointer).reset();
      } else {
        problems.add(field, "required", "is required");
      }
      return;
    }
    decode(*value, out.*d.pointer, field, problems);
  });
  const bool members_decoded = problems.size() == before;
  for (const auto& entry : in) {
    const std::string_view key = entry.key();
    bool known = false;
    boost::mp11::mp_for_each<members<T>>([&](auto d) { known = known || key == d.name; });
    if (!known) problems.add(join(path, key), "unknown_field", "is not a field of this body");
  }
  return members_decoded;
}

}  // namespace mapping

template <typename T>
void decode(const boost::json::value& in, T& out, const std::string& path, Problems& problems) {
  using mapping::wrong_type;
  if constexpr (mapping::is_optional<T>) {
    if (in.is_null()) {
      out.reset();
    } else {
      decode(in, out.emplace(), path, problems);
    }
  } else if constexpr (std::same_as<T, std::string>) {
    if (!in.is_string()) return wrong_type(path, "a string", problems);
    const auto& text = in.get_string();
    if (std::string_view{text}.find('\0') != std::string_view::npos) {
      return problems.add(path, "invalid_value", "must not contain NUL characters");
    }
    out.assign(text.data(), text.size());
  } else if constexpr (std::same_as<T, bool>) {
    if (!in.is_bool()) return wrong_type(path, "true or false", problems);
    out = in.get_bool();
  } else if constexpr (mapping::Integer<T>) {
    using Limits = std::numeric_limits<T>;
    const bool fits = in.is_int64()    ? std::in_range<T>(in.get_int64())
                      : in.is_uint64() ? std::in_range<T>(in.get_uint64())
                                       : false;
    if (fits) {
      out = in.is_int64() ? static_cast<T>(in.get_int64()) : static_cast<T>(in.get_uint64());
    } else if (in.is_int64() || in.is_uint64()) {
      problems.add(
          path, "out_of_range",
          "must be from " + std::to_string(Limits::min()) + " to " + std::to_string(Limits::max()));
    } else {
      wrong_type(path, "an integer", problems);
    }
  } else if constexpr (std::floating_point<T>) {
    if (!in.is_number()) return wrong_type(path, "a number", problems);
    out = static_cast<T>(in.to_number<double>());
  } else if constexpr (DescribedEnum<T>) {
    const auto expected = "one of: " + util::enum_names<T>();
    if (!in.is_string()) return wrong_type(path, expected, problems);
    const auto value = util::enum_from_name<T>(in.get_string());
    if (!value) return problems.add(path, "invalid_value", "must be " + expected);
    out = *value;
  } else if constexpr (std::same_as<T, util::Microseconds>) {
    if (!in.is_string()) return wrong_type(path, "an RFC 3339 date-time", problems);
    const auto value = util::parse_rfc3339(in.get_string());
    if (!value) {
      return problems.add(path, "invalid_value",
                          "must be an RFC 3339 date-time such as 2026-12-04T19:43:17Z");
    }
    out = *value;
  } else if constexpr (mapping::is_vector<T>) {
    if (!in.is_array()) return wrong_type(path, "an array", problems);
    out.clear();
    const auto& items = in.get_array();
    out.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      decode(items[i], out[i], path + "[" + std::to_string(i) + "]", problems);
    }
  } else if constexpr (std::same_as<T, boost::json::object>) {
    if (!in.is_object()) return wrong_type(path, "an object", problems);
    out = in.get_object();
  } else if constexpr (std::same_as<T, boost::json::value>) {
    out = in;
  } else if constexpr (DescribedStruct<T>) {
    if (!in.is_object()) return wrong_type(path, "an object", problems);
    [[maybe_unused]] const bool members_decoded =
        mapping::decode_struct(in.get_object(), out, path, problems);
    if constexpr (Validated<T>) {
      // The rules see what was sent, never a default standing in for a wrong value; a body
      // with an unknown field still gets its rule problems in the same answer.
      if (members_decoded) out.validate(problems);
    }
  } else {
    static_assert(sizeof(T) == 0, "no JSON mapping for this member type");
  }
}

// ---- encoding ---------------------------------------------------------------------------

template <typename T>
boost::json::value encode(const T& value) {
  if constexpr (mapping::is_optional<T>) {
    return value ? encode(*value) : boost::json::value(nullptr);
  } else if constexpr (std::same_as<T, std::string> || std::same_as<T, std::string_view>) {
    return boost::json::value(boost::json::string_view{value.data(), value.size()});
  } else if constexpr (std::same_as<T, bool>) {
    return value;
  } else if constexpr (mapping::Integer<T>) {
    if constexpr (std::is_unsigned_v<T>) {
      return static_cast<std::uint64_t>(value);
    } else {
      return static_cast<std::int64_t>(value);
    }
  } else if constexpr (std::floating_point<T>) {
    return static_cast<double>(value);
  } else if constexpr (DescribedEnum<T>) {
    const auto name = util::enum_name(value);
    return boost::json::value(boost::json::string_view{name.data(), name.size()});
  } else if constexpr (std::same_as<T, util::Microseconds>) {
    return boost::json::value(util::format_rfc3339(value));
  } else if constexpr (mapping::is_vector<T>) {
    boost::json::array items;
    items.reserve(value.size());
    for (const auto& item : value) items.push_back(encode(item));
    return items;
  } else if constexpr (std::same_as<T, boost::json::object> ||
                       std::same_as<T, boost::json::value> || std::same_as<T, boost::json::array>) {
    return value;
  } else if constexpr (DescribedStruct<T>) {
    boost::json::object out;
    boost::mp11::mp_for_each<mapping::members<T>>(
        [&](auto d) { out[d.name] = encode(value.*d.pointer); });
    return out;
  } else {
    static_assert(sizeof(T) == 0, "no JSON mapping for this member type");
  }
}

}  // namespace pend::http
