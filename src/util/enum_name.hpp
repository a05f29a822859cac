// Names of enumerators on the wire, from one Boost.Describe list per enum instead of a
// to_string switch each:
//
//   enum class Severity : std::uint8_t { low, medium, high, critical };
//   BOOST_DESCRIBE_ENUM(Severity, low, medium, high, critical)
//
//   util::enum_name(Severity::high)                 // "high"
//   util::enum_from_name<Severity>("critical")      // Severity::critical (nullopt if unknown)
//   util::enum_names<Severity>()                    // "low, medium, high, critical"
#pragma once

#include <boost/describe/enum.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pend::util {

template <typename E>
std::string_view enum_name(E value) {
  std::string_view name = "?";
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (d.value == value) name = d.name;
  });
  return name;
}

template <typename E>
std::optional<E> enum_from_name(std::string_view name) {
  std::optional<E> found;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (!found && name == d.name) found = d.value;
  });
  return found;
}

template <typename E>
std::string enum_names(std::string_view separator = ", ") {
  std::string names;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (!names.empty()) names += separator;
    names += d.name;
  });
  return names;
}

}  // namespace pend::util
