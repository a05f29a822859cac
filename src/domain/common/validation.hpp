// Rules beyond types, for the validate() members of request types (http/json_mapping.hpp):
// each adds a problem with its field and leaves the rest to the caller.
//
//   void UpdateProfile::validate(http::Problems& problems) const {
//     if (email) domain::check_email(problems, "email", *email);
//   }
#pragma once

#include "http/problems.hpp"

#include <cstdint>
#include <string_view>

namespace pend::domain {

// Characters (UTF-8 code points), not bytes, from min to max.
void check_length(http::Problems& problems, std::string_view field, std::string_view value,
                  std::size_t min, std::size_t max);
void check_range(http::Problems& problems, std::string_view field, std::int64_t value,
                 std::int64_t min, std::int64_t max);
// An address of the form local@domain.tld (RFC 5321's lengths; no quoted local parts, no
// address literals): what a person types, not everything the RFC allows.
bool is_email(std::string_view text);
void check_email(http::Problems& problems, std::string_view field, std::string_view value);
std::size_t utf8_length(std::string_view text);

}  // namespace pend::domain
